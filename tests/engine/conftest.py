"""Fixtures that run the engine's MicroPython-side checks (tests/engine/mp).

Interpreter: $MICROPYTHON, else build/unix-x64/micropython (wgcrypto built
in), else build/unix-plain/micropython (pure-Python wgcrypto fallback from
firmware/). Each case runs in its own process: `run.py <module> <function>`;
test_checks.py parametrises one test over every check (mpcases.all_cases).
"""
import os
import subprocess

import pytest

from mpcases import ENGINE_DIR, FIRMWARE_DIR, MP_DIR, REPO

CASE_TIMEOUT = 120


def find_interpreter():
    env = os.environ.get("MICROPYTHON")
    if env:
        return os.path.abspath(env) if os.sep in env else env
    for build in ("unix-x64", "unix-plain"):
        path = os.path.join(REPO, "build", build, "micropython")
        if os.path.exists(path):
            return path
    pytest.skip("no MicroPython interpreter built")


class MicroPythonRunner:
    def __init__(self, interpreter):
        self.interpreter = interpreter
        path = [FIRMWARE_DIR, MP_DIR]
        extra = os.environ.get("ENGINE_TEST_EXTRA_PATH")
        if extra:
            path.insert(0, extra)
        self.env = dict(os.environ)
        # MICROPYPATH for MicroPython; PYTHONPATH lets the same checks run
        # under CPython when MICROPYTHON points at a CPython.
        self.env["MICROPYPATH"] = ":".join(path)
        self.env["PYTHONPATH"] = ":".join(path)

    def run(self, module, case):
        proc = subprocess.run(
            [self.interpreter, os.path.join(MP_DIR, "run.py"), module, case],
            cwd=ENGINE_DIR, env=self.env, capture_output=True, text=True,
            timeout=CASE_TIMEOUT)
        out = proc.stdout + proc.stderr
        assert proc.returncode == 0 and out.rstrip().endswith("CASE OK"), \
            "%s.%s failed under %s:\n%s" % (module, case, self.interpreter, out)
        return out


@pytest.fixture(scope="session")
def mp():
    return MicroPythonRunner(find_interpreter())
