# WG_KEYLOG: the secrets tshark needs to decrypt a capture (wg.keylog_file),
# one block per handshake message we create.
from wireguard.keys import to_base64


class KeyLog:
    def __init__(self, path):
        self.f = open(path, "a")

    def __call__(self, local_static_private, remote_static_public,
                 local_ephemeral_private, preshared_key):
        self.f.write("LOCAL_STATIC_PRIVATE_KEY = %s\n" % to_base64(local_static_private))
        self.f.write("REMOTE_STATIC_PUBLIC_KEY = %s\n" % to_base64(remote_static_public))
        self.f.write("LOCAL_EPHEMERAL_PRIVATE_KEY = %s\n" % to_base64(local_ephemeral_private))
        self.f.write("PRESHARED_KEY = %s\n" % to_base64(preshared_key))
        self.f.flush()

    def close(self):
        self.f.close()
