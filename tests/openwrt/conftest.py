"""OpenWrt package tests: the packages are built once per session into a
temporary directory from the current tree (build/unix-* must exist)."""
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "interop"))
import owrt  # noqa: E402


@pytest.fixture(scope="session")
def packages(tmp_path_factory):
    missing = [a for a in ("mips", "mipsel", "armhf", "aarch64")
               if not os.path.exists(os.path.join(owrt.ROOT, "build", "unix-%s" % a, "micropython"))]
    if missing:
        pytest.skip("router builds missing (make build): %s" % ", ".join(missing))
    return owrt.build_packages(str(tmp_path_factory.mktemp("ipk")))


@pytest.fixture(scope="session")
def ipks(packages):
    return {arch: owrt.Ipk(path) for arch, path in packages.items()}


@pytest.fixture(scope="session")
def installed(ipks, tmp_path_factory):
    """{arch: root directory with that package's data unpacked}."""
    base = tmp_path_factory.mktemp("roots")
    return {arch: ipk.unpack(str(base / arch)) for arch, ipk in ipks.items()}
