# Serves the UAPI socket from the event loop: accepts clients, feeds each
# one's lines to an engine Conversation as they arrive, and writes answers
# as the socket accepts them. A big request is taken READ_BUDGET bytes per
# turn of the loop, so packets keep flowing while `wg setconf` streams in;
# it is applied in one go when it ends.
import select

from wireguard.uapi import Conversation
from .uapisock import UapiListener

# Bytes read from one client per event-loop turn.
READ_BUDGET = 65536
EIO = 5


class UapiServer:
    def __init__(self, ifname, poller, device, log, on_set=None):
        """on_set(): called after every set request was applied (or refused),
        before its answer goes out."""
        self.listener = UapiListener(ifname)
        self.path = self.listener.path
        self.fd = self.listener.fd
        self.poller = poller
        self.device = device
        self.on_set = on_set
        self.log = log
        self.clients = {}       # fd -> UapiClient
        self.talks = {}         # fd -> Conversation
        poller.register(self.fd, select.POLLIN)

    def accept(self):
        client = self.listener.accept()
        if client is not None:
            self.clients[client.fd] = client
            self.talks[client.fd] = Conversation(self.device)
            self.poller.register(client.fd, select.POLLIN)

    def owns(self, fd):
        return fd in self.clients

    def service(self, fd, events):
        client = self.clients[fd]
        talk = self.talks[fd]
        budget = READ_BUDGET
        while not client.closed:
            if client.sending():
                # One answer at a time: later requests wait in the socket.
                if not client.flush():
                    break
                continue
            line = client.next_line()
            if line is None:
                if client.eof or budget <= 0:
                    break
                n = client.fill()
                if not n:
                    break
                budget -= n
                continue
            self._feed(client, talk, line)
        if client.closed or (client.eof and not client.sending()):
            self._drop(client)
        elif client.sending():
            self.poller.modify(fd, select.POLLOUT)
        else:
            self.poller.modify(fd, select.POLLIN)

    def _feed(self, client, talk, line):
        try:
            try:
                text = line.decode()
            except UnicodeError:
                text = "\x00"           # not UTF-8: an invalid line
            result = talk.line(text)
            if result is None:
                return
            op, err, chunks = result
            if op == "set" and self.on_set is not None:
                self.on_set()
            self.log.debug("UAPI %s -> errno=%d" % (op or "unknown request", err))
        except Exception as e:      # a bug or no memory must not take the tunnel down
            self.log.error("UAPI request failed: %r" % e)
            chunks = talk.abort(EIO)
            if chunks is None:
                return
        client.send(chunks)

    def drop(self, fd):
        client = self.clients.get(fd)
        if client is not None:
            self._drop(client)

    def _drop(self, client):
        del self.clients[client.fd]
        self.talks.pop(client.fd, None)
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
