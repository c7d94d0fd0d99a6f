"""Board management: `mgtool fs` round trips and `reset` on the emulated stock-firmware board
(QEMU, console on a real pty, blank flash), `--port auto` with a fake list_ports, `boards`."""
import json
import os
import re
import sys
from types import SimpleNamespace

import pytest

from mgtool_run import ROOT, assert_one_error_line, mgtool
from qemu_board import QemuBoard

STOCK = "qemu-mps2-an386-stock"
needs_board = pytest.mark.skipif(not os.path.exists(os.path.join(ROOT, "build/boards/%s/firmware.elf" % STOCK)),
                                 reason="emulated stock board firmware not built")


@pytest.fixture(scope="module")
def board(tmp_path_factory):
    b = QemuBoard("qemu-mps2-an386", str(tmp_path_factory.mktemp("fs") / "flash.img"), firmware=STOCK).start()
    yield b
    b.close()


def fs(board, *args, check=0):
    return mgtool("fs", *args, "--port", board.port, timeout=60, check=check)


def listing(board, path):
    """{name: size or 'dir'} of `mgtool fs ls`."""
    out = {}
    for line in fs(board, "ls", path).stdout.splitlines():
        m = re.fullmatch(r"\s*(\d*)\s+(\S+?)(/?)", line)
        assert m, line
        out[m.group(2)] = "dir" if m.group(3) else int(m.group(1))
    return out


@needs_board
def test_fs_round_trips_on_the_stock_board(board, tmp_path):
    data = os.urandom(5000) + bytes(range(256))      # binary, more than one chunk
    src = tmp_path / "blob.bin"
    src.write_bytes(data)
    r = fs(board, "cp", str(src), ":/flash/sub/dir/")
    assert "copied %s to :/flash/sub/dir/blob.bin (5256 bytes, verified on the board)" % src in r.stdout
    assert listing(board, ":/flash/sub/dir") == {"blob.bin": 5256}
    assert listing(board, ":/flash")["sub"] == "dir"
    back = tmp_path / "back.bin"
    fs(board, "cp", ":/flash/sub/dir/blob.bin", str(back))
    assert back.read_bytes() == data
    # A text file: cat prints it as it is.
    main = tmp_path / "main.py"
    main.write_text("print('stuck?')\nwhile True:\n    pass\n")
    fs(board, "cp", str(main), ":/flash/main.py")
    assert fs(board, "cat", ":/flash/main.py").stdout == main.read_text()
    assert fs(board, "cat", "/flash/main.py").stdout == main.read_text()      # the ':' is optional
    # rm: the file, then the emptied directories.
    r = fs(board, "rm", ":/flash/sub/dir/blob.bin", ":/flash/sub/dir", ":/flash/sub")
    assert r.stdout.count("removed :") == 3
    assert "sub" not in listing(board, ":/flash")
    assert_one_error_line(fs(board, "cat", ":/flash/nope.txt", check=None), "no such file on the board",
                          "/flash/nope.txt")
    assert_one_error_line(fs(board, "cp", str(main), "main.py", check=None), "leading ':'")


@needs_board
def test_a_stuck_main_py_is_stopped_reset_and_removed(board, tmp_path):
    main = tmp_path / "main.py"
    main.write_text("import time\nwhile True:\n    time.sleep(1)\n")
    fs(board, "cp", str(main), ":/flash/main.py")
    r = mgtool("reset", "--port", board.port, "-v", timeout=60, check=0)
    assert "soft reset" in r.stdout
    # -v: a timestamped transcript of both directions on stderr.
    assert re.search(r"^\[\s*\d+\.\d{3}\] > b'\\r\\x03\\x03\\x02'$", r.stderr, re.M), r.stderr[:400]
    import ast
    received = b"".join(ast.literal_eval(m) for m in re.findall(r"^\[\s*\d+\.\d{3}\] < (b.*)$", r.stderr, re.M))
    assert b"raw REPL; CTRL-B to exit" in received and b"soft reboot" in received, received[-300:]
    # main.py now loops forever: fs still gets in (Ctrl-C) and removes it.
    fs(board, "rm", ":/flash/main.py")
    assert "main.py" not in listing(board, ":/flash")


@needs_board
def test_port_auto_takes_the_one_known_board(board, monkeypatch, capsys):
    from mgtool import cli
    from serial.tools import list_ports
    fake = [SimpleNamespace(device="/dev/ttyS0", vid=None, pid=None, description="ttyS0"),
            SimpleNamespace(device=board.port, vid=0x2E8A, pid=0x0005, description="Board in FS mode")]
    monkeypatch.setattr(list_ports, "comports", lambda *a, **k: fake)
    assert cli.main(["fs", "ls", ":/flash", "--port", "auto"]) == 0
    err = capsys.readouterr().err
    assert "--port auto: took %s (2e8a:0005 Raspberry Pi RP2 (MicroPython))" % board.port in err


def test_port_auto_says_why_none_fits(monkeypatch, capsys):
    from mgtool import cli
    from serial.tools import list_ports
    fake = [SimpleNamespace(device="/dev/ttyS0", vid=None, pid=None),
            SimpleNamespace(device="/dev/ttyUSB0", vid=0x1234, pid=0x5678)]
    monkeypatch.setattr(list_ports, "comports", lambda *a, **k: fake)
    assert cli.main(["status", "--port", "auto"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no serial device with a known board's USB ids" in err[0]
    assert "/dev/ttyS0 (no USB ids)" in err[0] and "/dev/ttyUSB0 (1234:5678)" in err[0]
    fake[:] = [SimpleNamespace(device="/dev/ttyACM0", vid=0x2E8A, pid=0x0005),
               SimpleNamespace(device="/dev/ttyUSB1", vid=0x10C4, pid=0xEA60)]
    assert cli.main(["reset", "--port", "auto"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "2 boards fit" in err[0] and "/dev/ttyACM0" in err[0] and "/dev/ttyUSB1" in err[0]
    monkeypatch.setattr(list_ports, "comports", lambda *a, **k: [])
    assert cli.main(["fs", "ls", "--port", "auto"]) == 1
    assert "no serial devices at all" in capsys.readouterr().err


def test_boards_lists_every_board_with_arch_crypto_and_flash_method():
    out = mgtool("boards", check=0).stdout.splitlines()
    assert out[0].split() == ["BOARD", "ARCH", "CRYPTO", "FLASH", "METHOD"]
    rows = {line.split()[0]: line for line in out[1:]}
    on_disk = {n for n in os.listdir(os.path.join(ROOT, "board"))
               if os.path.isfile(os.path.join(ROOT, "board", n, "board.json"))}
    assert on_disk <= set(rows)
    assert re.match(r"qemu-mps2-an386\s+armv7emsp\s+wgcrypto\.mpy for armv7emsp", rows["qemu-mps2-an386"])
    assert "armv6m" in rows["rp2-pico-w"] and "UF2" in rows["rp2-pico-w"]
    assert "esptool" in rows["esp32-c3"]
    for name in on_disk:
        with open(os.path.join(ROOT, "board", name, "board.json")) as f:
            if json.load(f).get("kind") == "openwrt":
                assert "opkg" in rows[name] and "built into" in rows[name]
