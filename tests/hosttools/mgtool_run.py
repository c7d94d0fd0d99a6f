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


def site_problems(r):
    """The problem lines of a site file mgtool refused: each "file:line:col: message", then
    "mgtool: error: N problem(s) in file" as the last line, and no traceback."""
    import re
    assert r.returncode != 0, r.stdout
    assert "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    m = re.fullmatch(r"mgtool: error: (\d+) problems? in (.+)", lines[-1])
    assert m, r.stderr
    problems = lines[:-1]
    assert len(problems) == int(m.group(1)), r.stderr
    for p in problems:
        assert re.match(re.escape(m.group(2)) + r":\d+:\d+: ", p), p
    return problems


def assert_one_site_problem(r, *fragments):
    """Refused for exactly one problem of the site file, mentioning every fragment; returns its line."""
    problems = site_problems(r)
    assert len(problems) == 1, r.stderr
    for f in fragments:
        assert f in problems[0], (f, problems[0])
    return problems[0]
