"""Helpers for the OpenWrt package tests: build and unpack packages, run the
netifd protocol handler under a plain shell with netifd_stubs.sh."""
import gzip
import io
import os
import shlex
import subprocess
import tarfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BUILD_IPK = os.path.join(ROOT, "packaging", "openwrt", "build_ipk.py")
HANDLER = os.path.join(ROOT, "packaging", "openwrt", "files", "microguard.proto")
STUBS = os.path.join(HERE, "netifd_stubs.sh")

# package arch -> (qemu-user program, ELF class, ELF data, e_machine)
ARCHS = {
    "mips_24kc": ("qemu-mips-static", 1, 2, 8),
    "mipsel_24kc": ("qemu-mipsel-static", 1, 1, 8),
    "mipsel_74kc": ("qemu-mipsel-static", 1, 1, 8),
    "arm_cortex-a7_neon-vfpv4": ("qemu-arm-static", 1, 1, 40),
    "aarch64_cortex-a53": ("qemu-aarch64-static", 2, 1, 183),
}


def build_packages(out_dir):
    """Run the package builder into out_dir; {arch: path of the .ipk}."""
    r = subprocess.run(["python3", BUILD_IPK, "--out", out_dir], capture_output=True, text=True,
                       timeout=300)
    if r.returncode:
        raise AssertionError("build_ipk.py failed:\n%s%s" % (r.stdout, r.stderr))
    out = {}
    for name in os.listdir(out_dir):
        if name.endswith(".ipk"):
            out[name[:-4].split("_", 2)[2]] = os.path.join(out_dir, name)
    return out


class Ipk:
    """An .ipk read the way opkg reads OpenWrt's: outer tar.gz, inner control/data tar.gz."""

    def __init__(self, path):
        self.path = path
        with open(path, "rb") as f:
            self.raw = f.read()
        outer = tarfile.open(fileobj=io.BytesIO(gzip.decompress(self.raw)), mode="r:")
        self.outer_members = outer.getmembers()
        self.parts = {m.name: outer.extractfile(m).read() for m in self.outer_members}
        self.data_tar_bytes = gzip.decompress(self.parts["./data.tar.gz"])
        self.control_tar = tarfile.open(fileobj=io.BytesIO(self.parts["./control.tar.gz"]), mode="r:gz")
        self.data_tar = tarfile.open(fileobj=io.BytesIO(self.data_tar_bytes), mode="r:")
        self.control_files = {m.name: m for m in self.control_tar.getmembers()}
        self.control = self.control_tar.extractfile("./control").read().decode()
        self.data = {m.name: m for m in self.data_tar.getmembers()}

    def fields(self):
        """The control file as {field: value}; continuation lines joined with newlines."""
        out, key = {}, None
        for line in self.control.splitlines():
            if line.startswith(" ") and key:
                out[key] += "\n" + line[1:]
            elif ":" in line:
                key, _, value = line.partition(":")
                out[key] = value.strip()
        return out

    def read(self, name):
        return self.data_tar.extractfile(self.data[name]).read()

    def unpack(self, dest):
        """Extract data.tar.gz under dest (an installed root) and return dest."""
        os.makedirs(dest, exist_ok=True)
        self.data_tar.extractall(dest, filter="fully_trusted") if hasattr(tarfile, "data_filter") \
            else self.data_tar.extractall(dest)
        return dest


def uci_to_shell(text):
    """/etc/config/network text -> shell assignments like OpenWrt's config_load makes."""
    sections, lines, cur, anon = [], [], None, 0
    for raw in text.splitlines():
        words = shlex.split(raw, comments=True)
        if not words:
            continue
        if words[0] == "config":
            if len(words) > 2:
                cur = words[2]
            else:
                cur = "cfg%06x" % (0x10000 + anon)
                anon += 1
            sections.append(cur)
            lines.append("CONFIG_%s_TYPE=%s" % (cur, shlex.quote(words[1])))
            values = {}
        elif words[0] == "option":
            values[words[1]] = words[2] if len(words) > 2 else ""
            lines.append("CONFIG_%s_%s=%s" % (cur, words[1], shlex.quote(values[words[1]])))
        elif words[0] == "list":
            values[words[1]] = (values.get(words[1], "") + " " + words[2]).strip()
            lines.append("CONFIG_%s_%s=%s" % (cur, words[1], shlex.quote(values[words[1]])))
    lines.insert(0, "CONFIG_SECTIONS=%s" % shlex.quote(" ".join(sections)))
    return "\n".join(lines) + "\n"


class HandlerRun:
    """What one run of the handler did: recorded calls, the daemon config it wrote."""

    def __init__(self, workdir, proc):
        self.proc = proc
        self.returncode = proc.returncode
        log = os.path.join(workdir, "calls.log")
        self.calls = []
        if os.path.exists(log):
            with open(log) as f:
                self.calls = [tuple(line.rstrip("\n").split("\t")) for line in f]
        self.conf = _read(log + ".conf")
        self.conf_mode = (_read(log + ".mode") or "").strip()
        self.workdir = workdir

    def named(self, name):
        return [c[1:] for c in self.calls if c[0] == name]

    def conf_sections(self):
        """The written config as [("Interface"|"Peer", [(key, value), ...]), ...]."""
        out = []
        for line in (self.conf or "").splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("["):
                out.append((line[1:-1], []))
            else:
                k, _, v = line.partition("=")
                out[-1][1].append((k.strip(), v.strip()))
        return out

    def peers(self):
        return [dict(kv) | {"AllowedIPs": [v for k, v in kv if k == "AllowedIPs"]}
                for name, kv in self.conf_sections() if name == "Peer"]


def _read(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return None


def run_handler(shell, workdir, uci_text, action="setup", ifname="wg0", env=None, hosts=None,
                node=None, timeout=60):
    """Source the handler with INCLUDE_ONLY=1 under `shell` (argv list) and call
    proto_microguard_<action>; returns a HandlerRun. node: a lab Node to run inside."""
    os.makedirs(workdir, exist_ok=True)
    uci = os.path.join(workdir, "uci.sh")
    with open(uci, "w") as f:
        f.write(uci_to_shell(uci_text))
    hosts_file = os.path.join(workdir, "hosts")
    with open(hosts_file, "w") as f:
        for name, addr in (hosts or {}).items():
            f.write("%s %s\n" % (name, addr))
    script = os.path.join(workdir, "harness.sh")
    with open(script, "w") as f:
        f.write("INCLUDE_ONLY=1\n. %s\n. %s\n" % (shlex.quote(STUBS), shlex.quote(HANDLER)))
        if action == "init_config":
            f.write("proto_microguard_init_config\n_stub available \"$available\"\n"
                    "_stub no_proto_task \"${no_proto_task-}\"\n")
        else:
            f.write("proto_microguard_%s %s\n" % (action, shlex.quote(ifname)))
    environ = {"PATH": os.environ["PATH"], "STUB_LOG": os.path.join(workdir, "calls.log"),
               "STUB_UCI": uci, "STUB_HOSTS": hosts_file,
               "MG_RUN_DIR": os.path.join(workdir, "run"),
               "MG_SOCK_DIR": os.path.join(workdir, "sock"),
               "MG_SYS_NET": os.path.join(workdir, "sysnet"),
               "MG_BIN": "/usr/sbin/microguard"}
    environ.update(env or {})
    argv = list(shell) + [script]
    if node is not None:
        argv = node.cmd(["env", "-i"] + ["%s=%s" % kv for kv in environ.items()] + argv)
        environ = None
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, env=environ)
    return HandlerRun(workdir, proc)
