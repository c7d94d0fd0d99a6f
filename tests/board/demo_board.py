#!/usr/bin/env python3
"""make demo-board: a board with stock MicroPython firmware (nothing of MicroGuard frozen in)
gets MicroGuard from `mgtool provision` (engine, board package, boardnet.py, wgcrypto.mpy,
main.py, config; the key is made on the board), is power-cycled, and with nobody typing at its
REPL brings the tunnel up at boot: handshake with wireguard-go, ping answered on its tunnel
address.

Then TCP through the tunnel, on the same board: Ctrl-C on its console stops main.py's app (as
`mgtool status` does) and the REPL builds a Tunnel from the same /flash/wireguard.json; with
micropython-lib's umqtt.simple on the tunnel's socket module the board publishes a (simulated)
sensor reading to Mosquitto on the peer, which `mosquitto_sub` there receives, and it fetches a
page from Python's http.server on the peer."""
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "host-tools"))
from boardlab import BOARD_INNER, PEER_INNER  # noqa: E402
from stockboard import StockBoard, public_key  # noqa: E402
from mgtool.link import Link  # noqa: E402
from mgtool.rawrepl import RawRepl  # noqa: E402

UMQTT = os.path.join(ROOT, "build", "pylib", "umqtt", "simple.py")
HTTP_PORT = 8080
TOPIC = "site/sensor/temperature"
PAGE = b"<html><body>hello from the peer, through WireGuard</body></html>\n"

# The board's tunnel, built in its REPL as main.py's app builds it. The interrupted app's
# asyncio tasks are dropped with its event loop, so only this tunnel reads the link.
TUNNEL = """
import asyncio, json, sys, time
asyncio.new_event_loop()
import boardnet
from mgboard import config, Tunnel
params, echo_port = config.load()
link, extra = boardnet.up()
wg = Tunnel(link=link, **params, **extra)
print(asyncio.run(wg.start()))
"""

MQTT = """
sys.modules['usocket'] = wg.socket_module()      # umqtt.simple's socket: TCP through the tunnel
from umqtt.simple import MQTTClient
reading = json.dumps({'sensor': 'sensor', 'temperature_c': 21.5, 'uptime_ms': time.ticks_ms()})
c = MQTTClient('sensor', %r)
c.connect()
c.publish(%r, reading)
c.disconnect()
print(reading)
""" % (PEER_INNER, TOPIC.encode())

HTTP = """
async def get(path):
    r, w = await wg.open_connection(%r, %d)
    w.write(b'GET ' + path + b' HTTP/1.0\\r\\nHost: peer\\r\\n\\r\\n')
    await w.drain()
    status = (await r.readline()).decode().strip()
    while (await r.readline()) not in (b'\\r\\n', b''):
        pass
    body = await r.read()
    w.close()
    return status, body
status, body = asyncio.run(get(b'/index.html'))
print(json.dumps([status, body.decode()]))
""" % (PEER_INNER, HTTP_PORT)


def put(repl, path, data, chunk=2048):
    repl.exec("f = open(%r, 'wb')" % (path + ".tmp"))
    for i in range(0, len(data), chunk):
        repl.exec("f.write(%r)" % data[i:i + chunk])
    repl.exec("f.close()\nimport os\nos.rename(%r, %r)" % (path + ".tmp", path))


def wait_port(node, port, seconds=10):
    code = "import socket;socket.create_connection((%r, %d), 1).close()" % (PEER_INNER, port)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if node.run(["python3", "-c", code], check=False).returncode == 0:
            return True
        time.sleep(0.1)
    return False


def tcp_part(sb):
    """MQTT and HTTP through the tunnel from the provisioned board; True when both worked."""
    bl = sb.bl
    lab = bl.lab
    conf = lab.path("mosquitto.conf")
    with open(conf, "w") as f:
        f.write("listener 1883 %s\nallow_anonymous true\npersistence false\n" % PEER_INNER)
    www = lab.path("www")
    os.makedirs(www, exist_ok=True)
    with open(os.path.join(www, "index.html"), "wb") as f:
        f.write(PAGE)
    # The lab stops what its nodes started when it closes.
    bl.peer_node.popen(["mosquitto", "-c", conf], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    bl.peer_node.popen(["python3", "-m", "http.server", "-b", PEER_INNER, "-d", www, str(HTTP_PORT)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if not (wait_port(bl.peer_node, 1883) and wait_port(bl.peer_node, HTTP_PORT)):
        print("Mosquitto or http.server did not start on the peer")
        return False
    sub = bl.peer_node.popen(["mosquitto_sub", "-h", PEER_INNER, "-t", TOPIC, "-C", "1", "-W", "60", "-v"],
                             stdout=subprocess.PIPE, text=True)
    time.sleep(0.5)                     # the subscription is in before the board publishes

    print("== Ctrl-C on the board's console stops main.py's app; its REPL builds a Tunnel from"
          " /flash/wireguard.json")
    link = Link(sb.vm.port)
    try:
        repl = RawRepl(link).enter(timeout=15)
        repl.exec("import os\nfor d in ('/flash/lib', '/flash/lib/umqtt'):\n try:\n  os.mkdir(d)\n"
                  " except OSError:\n  pass")
        with open(UMQTT, "rb") as f:
            put(repl, "/flash/lib/umqtt/simple.py", f.read())
        up = repl.exec(TUNNEL, timeout=120).strip()
        print("tunnel up (handshake with wireguard-go): %s" % up)
        if up != "True":
            return False

        print("== MQTT: the board publishes a sensor reading with umqtt.simple to Mosquitto on the peer"
              " (%s:1883), through the tunnel" % PEER_INNER)
        reading = repl.exec(MQTT, timeout=60).strip()
        print("board published to %s: %s" % (TOPIC, reading))
        got = sub.communicate(timeout=30)[0].strip()
        print("peer `mosquitto_sub -t %s -v` received: %s" % (TOPIC, got))
        mqtt_ok = got == "%s %s" % (TOPIC, reading)

        print("== HTTP: the board fetches http://%s:%d/index.html from Python's http.server on the peer"
              % (PEER_INNER, HTTP_PORT))
        status, body = json.loads(repl.exec(HTTP, timeout=60).strip().splitlines()[-1])
        print("board got: %s, body %r" % (status, body))
        http_ok = status == "HTTP/1.0 200 OK" and body.encode() == PAGE
        return mqtt_ok and http_ok
    finally:
        link.close()


def main():
    if os.geteuid() != 0:
        sys.exit("demo-board needs root (network namespaces)")
    sb = StockBoard()
    try:
        print("== stock firmware board on %s, blank flash %s" % (sb.vm.port, sb.vm.flash))
        print("== mgtool provision --port %s --board qemu-mps2-an386 --site site.toml --device sensor" % sb.vm.port)
        r = sb.provision(BOARD_INNER + "/32")
        print(r.stdout.strip())
        if r.returncode != 0:
            print(r.stderr.strip())
            return 1
        pub = public_key(r.stdout)
        sb.peer_accepts(pub, BOARD_INNER + "/32")
        print("== power cycle: main.py starts the tunnel (no REPL command typed)")
        sb.power_cycle()
        sb.bl.wg.wait_handshake(pub, timeout=120)
        print("== peer (wireguard-go) `wg show`:")
        print(sb.bl.wg.wg("show"))
        print("== ping from the peer to the board's tunnel address %s" % BOARD_INNER)
        p = sb.bl.peer_node.ping(BOARD_INNER, count=5, interval=0.3, wait=5)
        print(p.stdout.strip())
        ok = p.returncode == 0
        if ok:
            ok = tcp_part(sb)
        print("== demo-board:", "OK" if ok else "FAILED")
        return 0 if ok else 1
    finally:
        sb.close()


if __name__ == "__main__":
    sys.exit(main())
