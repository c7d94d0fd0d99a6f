"""Interop fixtures: a fresh Lab per test, torn down whatever the outcome.

Router A (the implementation under test) is MicroGuard unless INTEROP_IMPL_A
names another (e.g. INTEROP_IMPL_A=wireguard-go checks the lab and the tests
themselves against wireguard-go on both sides).
"""
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lab as lablib  # noqa: E402
import wgdaemon  # noqa: E402

IMPL_A = os.environ.get("INTEROP_IMPL_A", "microguard")


def pytest_configure(config):
    config.addinivalue_line("markers", "microguard_only: needs a MicroGuard feature (env knobs, key log)")


@pytest.fixture(scope="session", autouse=True)
def _root_and_sweep():
    if os.geteuid() != 0:
        pytest.skip("interop tests need root (network namespaces)")
    lablib.sweep_stale()
    yield


@pytest.fixture
def lab():
    with lablib.Lab() as the_lab:
        yield the_lab


@pytest.fixture
def impl_a(request):
    spec = wgdaemon.impl(IMPL_A)
    if request.node.get_closest_marker("microguard_only") and not spec.is_microguard:
        pytest.skip("MicroGuard-specific check; router A is %s" % spec.name)
    return spec
