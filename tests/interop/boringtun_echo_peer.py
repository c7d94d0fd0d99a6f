"""A WireGuard peer built on mitmproxy_wireguard (boringtun inside), run as its own process in a
lab node: it echoes every UDP datagram (prefixed with b"echo:", so a reply cannot be mistaken
for the original) and every TCP stream it receives through the tunnel.  It does not answer ICMP.

usage: boringtun_echo_peer.py <listen host> <port> <private key b64> <peer public key b64>
Prints "ready" once listening.
"""
import asyncio
import sys

import mitmproxy_wireguard as mwg


async def main(host, port, private_key, peer_public):
    server = None

    async def on_tcp(stream):
        while True:
            data = await stream.read(65536)
            if not data:
                break
            stream.write(data)
            await stream.drain()
        stream.close()

    def on_udp(data, src_addr, dst_addr):
        # Reply from the address the datagram was sent to.
        server.send_datagram(b"echo:" + data, dst_addr, src_addr)

    server = await mwg.start_server(host, port, private_key, [peer_public], on_tcp, on_udp)
    print("ready", flush=True)
    await server.wait_closed()


if __name__ == "__main__":
    h, p, k, peer = sys.argv[1:5]
    asyncio.run(main(h, int(p), k, peer))
