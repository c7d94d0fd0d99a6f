"""The .ipk packages as opkg sees them: outer layout, control data, file list,
modes, ownership, architecture of the interpreter, precompiled firmware,
the feed index, and byte-for-byte reproducible rebuilds."""
import gzip
import hashlib
import os
import re
import struct
import subprocess

import pytest

import owrt

ARCHS = sorted(owrt.ARCHS)
FIRMWARE = {pkg: sorted(n[:-3] for n in os.listdir(os.path.join(owrt.ROOT, "firmware", pkg))
                        if n.endswith(".py") and n != "manifest.py")   # the manifest names the modules, not itself
            for pkg in ("wireguard", "microguard")}


def expected_files():
    files = {
        "./usr/sbin/microguard": 0o755,
        "./usr/lib/microguard/micropython": 0o755,
        "./usr/lib/microguard/mgkeys.mpy": 0o644,
        "./etc/init.d/microguard": 0o755,
        "./lib/netifd/proto/microguard.sh": 0o755,
    }
    for pkg, mods in FIRMWARE.items():
        for m in mods:
            files["./usr/lib/microguard/%s/%s.mpy" % (pkg, m)] = 0o644
    return files


def expected_dirs():
    # As Python's tarfile names them: "." and no trailing "/" (the archive has "./etc/").
    dirs = {".": 0o755, "./etc/microguard": 0o700}
    for path in expected_files():
        parts = path.split("/")
        for i in range(2, len(parts)):
            dirs.setdefault("/".join(parts[:i]), 0o755)
    return dirs


def test_one_package_per_arch(packages):
    assert sorted(packages) == ARCHS
    for arch, path in packages.items():
        assert os.path.basename(path) == "microguard_%s_%s.ipk" % (owrt_version(), arch)


def owrt_version():
    text = open(os.path.join(owrt.ROOT, "firmware", "microguard", "__init__.py")).read()
    return re.search(r'VERSION = "([^"]+)"', text).group(1) + "-r1"


@pytest.mark.parametrize("arch", ARCHS)
def test_outer_layout(ipks, arch):
    ipk = ipks[arch]
    assert ipk.raw[:2] == b"\x1f\x8b", "an OpenWrt ipk is a gzip'd tar"
    assert [m.name for m in ipk.outer_members] == ["./debian-binary", "./data.tar.gz", "./control.tar.gz"]
    assert ipk.parts["./debian-binary"] == b"2.0\n"
    for m in ipk.outer_members:
        assert m.isfile() and m.uid == 0 and m.gid == 0


@pytest.mark.parametrize("arch", ARCHS)
def test_control(ipks, arch):
    ipk = ipks[arch]
    f = ipk.fields()
    assert f["Package"] == "microguard"
    assert f["Version"] == owrt_version()
    assert f["Architecture"] == arch
    assert f["Depends"] == "kmod-tun"
    assert f["Section"] == "net"
    assert int(f["Installed-Size"]) == len(ipk.data_tar_bytes)
    assert f["Description"].startswith("MicroGuard") and "\n" in f["Description"]
    assert ipk.control.endswith("\n")
    assert sorted(ipk.control_files) == [".", "./control", "./postinst", "./prerm"]
    assert ipk.control_files["./control"].mode == 0o644
    for script in ("./postinst", "./prerm"):
        assert ipk.control_files[script].mode == 0o755
        text = ipk.control_tar.extractfile(script).read().decode()
        assert text.startswith("#!/bin/sh\n")
        # Nothing runs on the build host when an image is assembled.
        assert '[ -n "$IPKG_INSTROOT" ] && exit 0' in text


@pytest.mark.parametrize("arch", ARCHS)
def test_files_modes_owners(ipks, arch):
    ipk = ipks[arch]
    files = {n: m for n, m in ipk.data.items() if m.isfile()}
    dirs = {n: m for n, m in ipk.data.items() if m.isdir()}
    assert {n: m.mode for n, m in files.items()} == expected_files()
    assert {n: m.mode for n, m in dirs.items()} == expected_dirs()
    assert all(m.isfile() or m.isdir() for m in ipk.data.values()), "no links or devices"
    for m in ipk.data.values():
        assert (m.uid, m.gid) == (0, 0)


@pytest.mark.parametrize("arch", ARCHS)
def test_interpreter_matches_arch(ipks, arch):
    elf = ipks[arch].read("./usr/lib/microguard/micropython")
    _, cls, data, machine = owrt.ARCHS[arch]
    assert elf[:4] == b"\x7fELF"
    assert (elf[4], elf[5]) == (cls, data)
    e_machine = struct.unpack("<H" if data == 1 else ">H", elf[18:20])[0]
    assert e_machine == machine
    # Static: no program interpreter (PT_INTERP), so it needs no libc from the router.
    path = os.path.join(os.path.dirname(ipks[arch].path), "elf-%s" % arch)
    with open(path, "wb") as f:
        f.write(elf)
    try:
        out = subprocess.run(["readelf", "-lhAW", path], capture_output=True, text=True).stdout
    finally:
        os.remove(path)
    assert "INTERP" not in out
    if arch.startswith("mips"):
        assert "Soft float" in out, "OpenWrt's MIPS targets have no FPU"
        assert "mips32r2" in out.lower()
    if arch.startswith("arm_"):
        assert "Tag_CPU_arch: v7" in out


@pytest.mark.parametrize("arch", ARCHS)
def test_firmware_is_precompiled(ipks, arch):
    ipk = ipks[arch]
    mpys = [n for n in ipk.data if n.endswith(".mpy")]
    assert mpys and not [n for n in ipk.data if n.endswith(".py")]
    for n in mpys:
        head = ipk.read(n)[:4]
        assert head[0:1] == b"M" and head[1] == 6, n        # MicroPython 1.25's .mpy v6
        assert head[2] >> 2 == 0, "%s: bytecode only, no native code" % n


@pytest.mark.parametrize("arch", ARCHS)
def test_scripts_in_package(ipks, arch):
    ipk = ipks[arch]
    launcher = ipk.read("./usr/sbin/microguard").decode()
    assert launcher.startswith("#!/bin/sh\n") and "/usr/lib/microguard" in launcher
    init = ipk.read("./etc/init.d/microguard").decode()
    assert init.startswith("#!/bin/sh /etc/rc.common\n") and "USE_PROCD=1" in init
    proto = ipk.read("./lib/netifd/proto/microguard.sh").decode()
    assert "add_protocol microguard" in proto
    with open(owrt.HANDLER) as f:
        assert proto == f.read()
    for text in (launcher, init, proto):
        for shell in ("dash", "busybox"):
            argv = [shell, "-n"] if shell == "dash" else ["busybox", "sh", "-n"]
            r = subprocess.run(argv, input=text, capture_output=True, text=True)
            assert r.returncode == 0, (shell, r.stderr)


def test_same_mips_binary_for_24kc_and_74kc(ipks):
    assert ipks["mipsel_24kc"].read("./usr/lib/microguard/micropython") == \
        ipks["mipsel_74kc"].read("./usr/lib/microguard/micropython")


def test_feed_index(packages):
    out_dir = os.path.dirname(next(iter(packages.values())))
    with open(os.path.join(out_dir, "Packages")) as f:
        text = f.read()
    with open(os.path.join(out_dir, "Packages.gz"), "rb") as f:
        assert gzip.decompress(f.read()).decode() == text
    stanzas = [s for s in text.split("\n\n") if s.strip()]
    assert len(stanzas) == len(packages)
    for s in stanzas:
        fields = dict(line.split(": ", 1) for line in s.splitlines() if not line.startswith(" "))
        path = os.path.join(out_dir, fields["Filename"])
        with open(path, "rb") as f:
            raw = f.read()
        assert int(fields["Size"]) == len(raw)
        assert fields["SHA256sum"] == hashlib.sha256(raw).hexdigest()
        assert fields["Filename"].endswith("_%s.ipk" % fields["Architecture"])


def test_rebuild_is_identical(packages, tmp_path):
    again = owrt.build_packages(str(tmp_path))
    for arch, path in packages.items():
        with open(path, "rb") as a, open(again[arch], "rb") as b:
            assert a.read() == b.read(), arch


@pytest.mark.parametrize("arch", ["mips_24kc", "mipsel_24kc", "arm_cortex-a7_neon-vfpv4",
                                  "aarch64_cortex-a53"])
def test_launcher_runs_under_qemu(installed, arch):
    root = installed[arch]
    env = dict(os.environ, MICROGUARD_LIB=root + "/usr/lib/microguard",
               MICROGUARD_RUNNER=owrt.ARCHS[arch][0])
    launcher = root + "/usr/sbin/microguard"
    r = subprocess.run([launcher, "--version"], capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 0 and r.stdout.startswith("microguard v"), r.stderr
    key = subprocess.run([launcher, "genkey"], capture_output=True, text=True, env=env,
                         timeout=60).stdout.strip()
    pub = subprocess.run([launcher, "pubkey"], input=key + "\n", capture_output=True, text=True,
                         env=env, timeout=60).stdout.strip()
    psk = subprocess.run([launcher, "genpsk"], capture_output=True, text=True, env=env,
                         timeout=60).stdout.strip()
    assert len(key) == len(pub) == len(psk) == 44 and key != psk
    r = subprocess.run(["wg", "pubkey"], input=key + "\n", capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout.strip() == pub
    bad = subprocess.run([launcher, "pubkey"], input="nonsense\n", capture_output=True, text=True,
                         env=env, timeout=60)
    assert bad.returncode == 1 and "32 bytes" in bad.stderr
