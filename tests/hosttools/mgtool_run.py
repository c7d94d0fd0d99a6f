"""Helpers shared by the host-tool tests: run mgtool as a user would, check its errors."""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HOST_TOOLS = os.path.join(ROOT, "host-tools")
if HOST_TOOLS not in sys.path:
    sys.path.insert(0, HOST_TOOLS)


def mgtool(*args, input=None, timeout=120, check=None):
    """Run the mgtool command as a user would; returns the CompletedProcess (text)."""
    env = dict(os.environ, PYTHONPATH=HOST_TOOLS)
    r = subprocess.run([sys.executable, "-m", "mgtool", *args], input=input, capture_output=True,
                       text=True, timeout=timeout, env=env)
    if check is not None:
        assert r.returncode == check, (r.returncode, r.stdout, r.stderr)
    return r


def assert_one_error_line(r, *fragments):
    """Failed with exactly one line on stderr, no traceback, mentioning every fragment."""
    assert r.returncode != 0, r.stdout
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("mgtool: error: "), lines[0]
    assert "Traceback" not in r.stderr
    for f in fragments:
        assert f in lines[0], (f, lines[0])
    return lines[0]
