"""Shared fixtures: targets are started once per session and closed at the end."""
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import targets  # noqa: E402


@pytest.fixture(scope="module", autouse=True)
def _close_targets():
    # Per module: an idle emulated board under -icount still spins a CPU.
    yield
    targets.close_all()
