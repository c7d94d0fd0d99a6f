"""Secrets on the host: key files readable by their owner only, passwords off the command line."""
import os
import stat

import pytest

from mgtool_run import assert_one_error_line, mgtool


@pytest.mark.parametrize("command", ["keygen", "psk"])
def test_output_file_is_mode_600(tmp_path, command):
    out = tmp_path / "k.key"
    out.write_text("old\n")
    os.chmod(out, 0o644)                    # an earlier world-readable file is tightened too
    old_umask = os.umask(0o022)
    try:
        r = mgtool(command, "-o", str(out), check=0)
    finally:
        os.umask(old_umask)
    assert r.stdout == "" and r.stderr == ""
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    text = out.read_text()
    assert len(text) == 45 and text.endswith("=\n")
    fresh = tmp_path / "new.key"
    mgtool(command, "--output", str(fresh), check=0)
    assert stat.S_IMODE(os.stat(fresh).st_mode) == 0o600


def test_keygen_into_a_world_readable_file_warns_like_wg(tmp_path):
    out = tmp_path / "hub.key"
    with open(out, "w") as f:
        os.chmod(out, 0o644)
        r = mgtool_to(f)
    assert "Warning: writing to world accessible file." in r.stderr
    assert len(out.read_text()) == 45                       # the key is still written
    private = tmp_path / "private.key"
    fd = os.open(private, os.O_WRONLY | os.O_CREAT, 0o600)
    with os.fdopen(fd, "w") as f:
        r = mgtool_to(f)
    assert r.stderr == ""                                   # mode 600: nothing to warn about


def mgtool_to(f):
    import subprocess
    import sys
    from mgtool_run import HOST_TOOLS
    return subprocess.run([sys.executable, "-m", "mgtool", "keygen"], stdout=f, stderr=subprocess.PIPE,
                          text=True, env=dict(os.environ, PYTHONPATH=HOST_TOOLS), check=True)


def test_unreadable_password_file_is_one_line(tmp_path):
    r = mgtool("status", "--port", "/dev/null", "--board", "openwrt", "--password-file",
               str(tmp_path / "nope"))
    assert_one_error_line(r, "cannot read the password file", "nope")


def test_password_help_says_the_command_line_is_discouraged():
    for command in ("provision", "flash", "status"):
        out = mgtool(command, "--help", check=0).stdout
        assert "--password-file" in out and "discouraged" in out and "MGTOOL_PASSWORD" in out
