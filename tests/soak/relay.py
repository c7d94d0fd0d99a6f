"""A seeded, impairing UDP relay between two WireGuard endpoints (the kernel here has no netem).

    relay.py <seed> <a_listen_ip> <a_peer_ip> <b_listen_ip> <b_peer_ip> <port> [loss dup reorder]

Datagrams arriving at a_listen_ip:port go to b_peer_ip:port from b_listen_ip:port, and back.
Each datagram is dropped with probability `loss`, else sent twice with probability `dup`,
else held back with probability `reorder` and sent after the next datagram of the same
direction (or after 20 ms with none). Counts go to stdout every 10 s and at SIGTERM.
"""
import random
import select
import signal
import socket
import sys
import time


def main(argv):
    seed = int(argv[0])
    a_ip, a_peer, b_ip, b_peer, port = argv[1], argv[2], argv[3], argv[4], int(argv[5])
    loss, dup, reorder = (float(x) for x in (argv[6:9] if len(argv) >= 9 else (0.02, 0.02, 0.02)))
    rng = random.Random(seed)
    sa = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sa.bind((a_ip, port))
    sb = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sb.bind((b_ip, port))
    for s in (sa, sb):
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
        s.setblocking(False)
    # socket in -> (socket out, destination)
    route = {sa: (sb, (b_peer, port)), sb: (sa, (a_peer, port))}
    held = {sa: None, sb: None}         # (data, since)
    counts = {"in": 0, "out": 0, "lost": 0, "dup": 0, "reordered": 0}
    stop = []
    signal.signal(signal.SIGTERM, lambda *a: stop.append(1))
    last_report = time.monotonic()
    print("relay ready", flush=True)

    def send(src, data):
        out, dst = route[src]
        try:
            out.sendto(data, dst)
            counts["out"] += 1
        except (BlockingIOError, OSError):
            counts["lost"] += 1

    while not stop:
        ready, _, _ = select.select([sa, sb], [], [], 0.01)
        now = time.monotonic()
        for s in ready:
            for _ in range(64):
                try:
                    data = s.recv(65535)
                except (BlockingIOError, InterruptedError):
                    break
                counts["in"] += 1
                x = rng.random()
                if x < loss:
                    counts["lost"] += 1
                    continue
                if x < loss + dup:
                    counts["dup"] += 1
                    send(s, data)
                    send(s, data)
                elif x < loss + dup + reorder and held[s] is None:
                    counts["reordered"] += 1
                    held[s] = (data, now)
                    continue
                else:
                    send(s, data)
                if held[s] is not None:
                    send(s, held[s][0])
                    held[s] = None
        for s in (sa, sb):
            if held[s] is not None and now - held[s][1] > 0.02:
                send(s, held[s][0])
                held[s] = None
        if now - last_report >= 10:
            last_report = now
            print("relay " + " ".join("%s=%d" % kv for kv in counts.items()), flush=True)
    print("relay " + " ".join("%s=%d" % kv for kv in counts.items()), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
