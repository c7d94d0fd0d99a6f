"""A small share of every fuzz target (`make fuzz` runs 100,000 cases each):
seeded, so every run feeds the same cases. About 25 s in all. Fails on any
failure not listed in known.py (those are printed, with their reason)."""
import os
import shutil
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import driver  # noqa: E402
from known import KNOWN  # noqa: E402

SEED = 20261205
CASES = {"datagram": 5000, "uapi": 3000, "wgquick": 3000, "site": 3000, "uci": 500}


@pytest.mark.parametrize("target", driver.TARGETS)
def test_fuzz_share(target):
    if target in driver.ENGINE_TARGETS and not os.path.exists(driver.MICROPYTHON):
        pytest.skip("build/unix-x64/micropython not built")
    if target == "uci" and not (shutil.which("busybox") and shutil.which("dash")):
        pytest.skip("needs busybox and dash")
    res = driver.run_target(target, CASES[target], SEED)
    driver.report(res, sys.stdout)
    new = [(sig, text) for sig, text in res.failures if sig not in KNOWN]
    assert not new, "\n\n".join("%s\n%s" % f for f in new)
    assert res.cases == CASES[target]
