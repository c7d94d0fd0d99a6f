"""The serial port: locked against a second mgtool (one line naming the holder), the console
without a terminal, and honest one-line answers where mgtool used to say too little."""
import os
import subprocess
import sys
import time

from mgtool_run import HOST_TOOLS, assert_one_error_line, mgtool

SITE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "site.toml")


def test_second_mgtool_on_a_port_gets_one_line_naming_the_holder():
    master, slave = os.openpty()                 # the "serial port": a real pty
    port = os.ttyname(slave)
    os.close(slave)
    term_master, term_slave = os.openpty()       # the console's terminal
    console = subprocess.Popen([sys.executable, "-m", "mgtool", "console", "--port", port],
                               stdin=term_slave, stdout=term_slave, stderr=subprocess.PIPE,
                               env=dict(os.environ, PYTHONPATH=HOST_TOOLS))
    try:
        # Wait for the console to hold the port (its banner on stderr comes after it opened it).
        assert b"Ctrl-] leaves" in console.stderr.readline()
        t = time.monotonic()
        r = mgtool("status", "--port", port, "--timeout", "3")
        line = assert_one_error_line(r, port, "in use by another mgtool", "mgtool console",
                                     "pid %d" % console.pid)
        assert time.monotonic() - t < 10, line
        r = mgtool("provision", "--port", port, "--board", "qemu-mps2-an386", "--no-firmware", "-q")
        assert_one_error_line(r, "in use by another mgtool (mgtool console, pid %d)" % console.pid)
        assert console.poll() is None            # the console was not disturbed
    finally:
        os.write(term_master, b"\x1d")           # Ctrl-] leaves
        try:
            console.wait(timeout=5)
        except subprocess.TimeoutExpired:
            console.kill()
            console.wait()
        os.close(term_master)
        os.close(term_slave)
        os.close(master)


def test_console_without_a_terminal_is_one_line():
    master, slave = os.openpty()
    try:
        r = subprocess.run([sys.executable, "-m", "mgtool", "console", "--port", os.ttyname(slave)],
                           stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30,
                           env=dict(os.environ, PYTHONPATH=HOST_TOOLS))
        assert_one_error_line(r, "needs a terminal on standard input")
    finally:
        os.close(master)
        os.close(slave)


def test_small_lies_are_told_straight(tmp_path):
    # --device without --site used to be ignored.
    assert_one_error_line(mgtool("provision", "--port", "/dev/null", "--board", "qemu-mps2-an386",
                                 "--device", "sensor"), "--device sensor needs --site")
    # --qr with --out used to ignore --out.
    out = tmp_path / "out"
    assert_one_error_line(mgtool("config", SITE, "-d", "phone", "--qr", "--out", str(out)),
                          "--qr prints the code on the terminal", "leave out --out")
    assert not out.exists()
    # "device 'router' is a openwrt"
    line = assert_one_error_line(mgtool("config", SITE, "-d", "router", "-f", "board"))
    assert "is of kind 'openwrt', not a board" in line and "a openwrt" not in line


def test_status_help_shows_user_and_password():
    out = mgtool("status", "--help", check=0).stdout
    assert "--user" in out and "--password-file" in out and "--password " in out
