"""`mgtool remote` against a console on loopback that answers badly: every
answer is parsed strictly (one JSON object per line), and anything else is one
error line, never evaluated and never a traceback."""
import socket
import threading

import pytest

from mgtool_run import mgtool, assert_one_error_line


def console(answer):
    """A one-connection server that reads a request line and sends `answer`;
    returns its port."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)

    def serve():
        c, _ = srv.accept()
        with c:
            c.makefile("rb").readline()
            if answer is not None:
                c.sendall(answer)
        srv.close()
    threading.Thread(target=serve, daemon=True).start()
    return srv.getsockname()[1]


def remote(port, *args):
    return mgtool("remote", "--host", "127.0.0.1", "--tcp-port", str(port), "--timeout", "5", *args)


def test_output_and_exit_0():
    r = remote(console(b'{"ok": true, "out": "42\\n"}\n'), "--exec", "print(42)")
    assert (r.returncode, r.stdout, r.stderr) == (0, "42\n", "")


@pytest.mark.parametrize("answer, fragment", [
    (b"__import__('os').system('id')\n", "not JSON"),
    (b'{"out": "x"}\n', 'without "ok"'),
    (b'{"ok": true, "out": 5}\n', "non-text"),
    (b'{"ok": true, "out": "no newline"}', "cut off"),
    (b"", "closed the console without answering"),
])
def test_a_bad_answer_is_one_error_line(answer, fragment):
    assert_one_error_line(remote(console(answer), "--exec", "print(1)"), fragment)


def test_nobody_listening_is_one_error_line():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    assert_one_error_line(remote(port, "--stats"), "cannot reach", "console enabled")


def test_exec_or_stats_is_required():
    assert_one_error_line(remote(1), "--exec CODE or --stats")
