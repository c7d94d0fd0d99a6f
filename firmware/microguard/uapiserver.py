# Serves the UAPI socket from the event loop: accepts clients, reads whole
# requests, answers each with handle(request_text) -> response_text, and
# writes responses as the socket accepts them.
import select

from .uapisock import UapiListener


class UapiServer:
    def __init__(self, ifname, poller, handle, log):
        self.listener = UapiListener(ifname)
        self.path = self.listener.path
        self.fd = self.listener.fd
        self.poller = poller
        self.handle = handle
        self.log = log
        self.clients = {}       # fd -> UapiClient
        poller.register(self.fd, select.POLLIN)

    def accept(self):
        client = self.listener.accept()
        if client is not None:
            self.clients[client.fd] = client
            self.poller.register(client.fd, select.POLLIN)

    def owns(self, fd):
        return fd in self.clients

    def service(self, fd, events):
        client = self.clients[fd]
        if events & (select.POLLIN | select.POLLHUP | select.POLLERR):
            for request in client.read_requests():
                client.queue(self._answer(request))
        flushed = client.flush()
        if client.closed:
            self._drop(client)
        elif flushed:
            self.poller.modify(fd, select.POLLIN)
        else:
            self.poller.modify(fd, select.POLLIN | select.POLLOUT)

    def _answer(self, request):
        try:
            return self.handle(request)
        except Exception as e:      # a bug here must not take the tunnel down
            self.log.error("UAPI request failed: %r" % e)
            return "errno=-5\n\n"

    def drop(self, fd):
        client = self.clients.get(fd)
        if client is not None:
            self._drop(client)

    def _drop(self, client):
        del self.clients[client.fd]
        try:
            self.poller.unregister(client.fd)
        except (KeyError, OSError):
            pass
        client.close()

    def close(self):
        for client in list(self.clients.values()):
            self._drop(client)
        self.poller.unregister(self.fd)
        self.listener.close()
