"""TCP through the tunnel on the emulated Cortex-M4 board (frozen firmware),
against real servers and clients on the wireguard-go side:

- the board downloads 256 KiB from Python's http.server, SHA-256 checked,
  with seeded 5% loss, 5% duplication and 5% reordering on the outer link;
- a host on the peer side downloads from a TCP server on the board, over the
  same impaired link;
- MQTT: micropython-lib's umqtt.simple on the board, handed the tunnel's
  socket module, publishes to and receives from a real Mosquitto broker;
- a SYN flood from the peer side leaves the board's server working and its
  half-open table bounded.

The tests share one lab (module fixture) and run in order.
"""
import hashlib
import json
import os
import subprocess
import time

import pytest

import boardlab
from boardlab import BOARD_INNER, PEER_INNER

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
UMQTT = os.path.join(ROOT, "build", "pylib", "umqtt", "simple.py")
HTTP_PORT = 8080
BOARD_PORT = 8000
BLOB = 256 * 1024
LOSSY = dict(loss=0.05, dup=0.05, reorder=0.05, seed=12)

# The board's TCP server: 64 KiB of hash-chained bytes, the same on both sides.
SERVE = """
import hashlib
served = []
async def give(r, w):
    req = await r.readline()
    blocks = int(req)
    for i in range(0, blocks, 64):
        w.write(pattern_part(i, min(64, blocks - i)))
        await w.drain()
    w.close()
    await w.wait_closed()
    served.append(blocks)
def pattern_part(start, n):
    return b"".join(hashlib.sha256(b"%d" % i).digest() for i in range(start, start + n))
server = asyncio.run(wg.start_server(give, 8000))
"""


def pattern(blocks):
    return b"".join(hashlib.sha256(b"%d" % i).digest() for i in range(blocks))


@pytest.fixture(scope="module")
def tl(bl):
    bl.vm.run("print(asyncio.run(wg.start()))")
    return bl


def board_json(bl, script, timeout=180):
    return json.loads(bl.vm.run(script, timeout=timeout).strip().splitlines()[-1])


def test_board_downloads_256k_over_http_through_a_lossy_link(tl):
    blob = os.urandom(BLOB)
    www = tl.lab.path("www")
    os.makedirs(www, exist_ok=True)
    with open(os.path.join(www, "blob"), "wb") as f:
        f.write(blob)
    srv = tl.peer_node.popen(["python3", "-m", "http.server", "-b", PEER_INNER, "-d", www, str(HTTP_PORT)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    tl.lab.on_close(lambda: boardlab.lablib.kill_proc(srv))
    tl.peer_node.run(["sh", "-c", "for i in $(seq 50); do python3 -c \"import socket;"
                      "socket.create_connection(('%s', %d), 1)\" 2>/dev/null && exit 0; sleep 0.1; done; exit 1"
                      % (PEER_INNER, HTTP_PORT)])
    tl.impair(**LOSSY)
    try:
        got = board_json(tl, """
import hashlib, binascii
async def get():
    r, w = await wg.open_connection(%r, %d)
    w.write(b'GET /blob HTTP/1.0\\r\\nHost: peer\\r\\n\\r\\n')
    await w.drain()
    status = await r.readline()
    while (await r.readline()) not in (b'\\r\\n', b''):
        pass
    h = hashlib.sha256(); n = 0
    while True:
        b = await r.read(2048)
        if not b:
            break
        n += len(b); h.update(b)
    w.close()
    return status.decode().strip(), n, binascii.hexlify(h.digest()).decode()
s, n, d = asyncio.run(get())
print(json.dumps({"status": s, "n": n, "sha256": d}))
""" % (PEER_INNER, HTTP_PORT), timeout=300)
    finally:
        tl.impair()
    assert got == {"status": "HTTP/1.0 200 OK", "n": BLOB, "sha256": hashlib.sha256(blob).hexdigest()}


def test_host_downloads_from_a_tcp_server_on_the_board(tl):
    blocks = 2048                                   # 64 KiB
    tl.vm.run(SERVE)
    tl.impair(**LOSSY)
    tl.vm.submit("serve_until(lambda: len(served) == 1, 90)")
    try:
        code = ("import socket,hashlib,sys\ns=socket.create_connection((%r,%d),30)\ns.settimeout(60)\n"
                "s.sendall(b'%d\\n')\nh=hashlib.sha256();n=0\nwhile True:\n d=s.recv(65536)\n if not d: break\n"
                " n+=len(d);h.update(d)\nprint(n,h.hexdigest())\n" % (BOARD_INNER, BOARD_PORT, blocks))
        r = tl.peer_node.run(["python3", "-c", code], timeout=120, check=False)
    finally:
        tl.impair()
        tl.vm.result(timeout=120)
    want = pattern(blocks)
    assert r.stdout.split() == [str(len(want)), hashlib.sha256(want).hexdigest()], r.stderr


def test_mqtt_publish_and_receive_with_umqtt_simple(tl):
    conf = tl.lab.path("mosquitto.conf")
    with open(conf, "w") as f:
        f.write("listener 1883 %s\nallow_anonymous true\npersistence false\n" % PEER_INNER)
    broker = tl.peer_node.popen(["mosquitto", "-c", conf], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    tl.lab.on_close(lambda: boardlab.lablib.kill_proc(broker))
    # A retained message waits for the board's subscription: no race with its connect.
    for _ in range(50):
        if tl.peer_node.run(["mosquitto_pub", "-h", PEER_INNER, "-t", "board/in", "-r", "-m", "hello board"],
                            check=False).returncode == 0:
            break
        time.sleep(0.1)
    sub = tl.peer_node.popen(["mosquitto_sub", "-h", PEER_INNER, "-t", "board/out", "-C", "1", "-W", "60"],
                             stdout=subprocess.PIPE, text=True)
    time.sleep(0.5)
    with open(UMQTT, "rb") as f:
        tl.vm.ensure_dir("/flash/lib")
        tl.vm.ensure_dir("/flash/lib/umqtt")
        tl.vm.put("/flash/lib/umqtt/simple.py", f.read())
    got = board_json(tl, """
import sys
sys.modules['usocket'] = wg.socket_module()      # umqtt.simple's socket: TCP through the tunnel
from umqtt.simple import MQTTClient
inbox = []
c = MQTTClient('board', %r)
c.set_callback(lambda topic, msg: inbox.append((topic.decode(), msg.decode())))
c.connect()
c.subscribe(b'board/in')
c.publish(b'board/out', b'hello from the board')
c.wait_msg()
c.disconnect()
print(json.dumps(inbox))
""" % PEER_INNER)
    out = sub.communicate(timeout=60)[0]
    assert got == [["board/in", "hello board"]]
    assert out.strip() == "hello from the board"


def test_syn_flood_leaves_the_server_working(tl):
    # 500 SYNs from random ports, through the tunnel, then a real client.
    flood = ("import socket,struct,random\nr=random.Random(5)\n"
             "s=socket.socket(socket.AF_INET,socket.SOCK_RAW,socket.IPPROTO_TCP)\n"
             "src=socket.inet_aton(%r);dst=socket.inet_aton(%r)\n"
             "def csum(b):\n b+=b'\\0'*(len(b)&1);t=sum(struct.unpack('!%%dH'%%(len(b)//2),b))\n"
             " while t>>16: t=(t&0xffff)+(t>>16)\n return ~t&0xffff\n"
             "for i in range(500):\n h=struct.pack('!HHIIBBHHH',r.randrange(1024,65535),%d,r.getrandbits(32),0,0x50,2,8192,0,0)\n"
             " c=csum(src+dst+struct.pack('!BBH',0,6,len(h))+h)\n h=h[:16]+struct.pack('!H',c)+h[18:]\n"
             " s.sendto(h,(%r,0))\n" % (PEER_INNER, BOARD_INNER, BOARD_PORT, BOARD_INNER))
    tl.vm.submit("serve_until(lambda: len(served) == 2, 40)")
    try:
        tl.peer_node.run(["python3", "-c", flood], timeout=60)
        code = ("import socket,hashlib\ns=socket.create_connection((%r,%d),20)\ns.settimeout(30)\n"
                "s.sendall(b'64\\n')\nb=b''\nwhile True:\n d=s.recv(65536)\n if not d: break\n b+=d\n"
                "print(hashlib.sha256(b).hexdigest())\n" % (BOARD_INNER, BOARD_PORT))
        r = tl.peer_node.run(["python3", "-c", code], timeout=60, check=False)
    finally:
        tl.vm.result(timeout=90)
    assert r.stdout.strip() == hashlib.sha256(pattern(64)).hexdigest(), r.stderr
    st = board_json(tl, "st = wg.tcp().stack\nprint(json.dumps([len(st.conns), st.max_conns, "
                        "max(len(l.half_open) for l in st.listeners.values()), st.backlog]))")
    conns, cap, half_open, backlog = st
    assert conns <= cap and half_open <= backlog
