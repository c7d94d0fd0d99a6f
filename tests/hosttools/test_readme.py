"""The README matches the tree: every `make` target, `mgtool` subcommand and build output path it
names exists, `make help` lists every target the README names, and its sample error is real."""
import itertools
import os
import re
import subprocess

from mgtool_run import ROOT, mgtool


def readme():
    with open(os.path.join(ROOT, "README.md")) as f:
        return f.read()


def inline_code(text):
    """The `inline code` spans (not fenced blocks) and the fenced blocks' lines, separately."""
    fenced = re.findall(r"```[a-z]*\n(.*?)```", text, re.S)
    rest = re.sub(r"```[a-z]*\n.*?```", "", text, flags=re.S)
    return re.findall(r"`([^`\n]+)`", rest), "\n".join(fenced)


def make_targets():
    with open(os.path.join(ROOT, "Makefile")) as f:
        mk = f.read()
    return set(re.findall(r"^([a-z][a-z0-9_-]*)\s*:(?!=)", mk, re.M))


def test_every_make_target_named_exists_and_make_help_lists_it():
    spans, blocks = inline_code(readme())
    named = set(re.findall(r"\bmake ([a-z][a-z0-9-]*)", "\n".join(spans) + "\n" + blocks))
    assert {"test", "demo", "build", "package"} <= named
    missing = named - make_targets()
    assert not missing, "README names make targets that do not exist: %s" % sorted(missing)
    help_text = subprocess.run(["make", "-s", "-C", ROOT, "help"], capture_output=True, text=True,
                               check=True).stdout
    listed = set(re.findall(r"^make ([a-z][a-z0-9-]*)", help_text, re.M))
    assert named - {"help"} <= listed, sorted(named - listed)
    assert listed <= make_targets()


def test_every_mgtool_subcommand_named_exists():
    import sys
    sys.path.insert(0, os.path.join(ROOT, "host-tools"))
    from mgtool import cli
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    commands = set(sub.choices)
    fs_commands = set(next(a for a in sub.choices["fs"]._actions if a.dest == "fs_command").choices)
    spans, blocks = inline_code(readme())
    text = "\n".join(spans) + "\n" + blocks
    named = set(re.findall(r"\bmgtool ([a-z][a-z-]*)", text))
    assert {"provision", "config", "status", "fs", "boards", "reset", "keygen"} <= named
    assert not named - commands, sorted(named - commands)
    fs_named = set(re.findall(r"\bmgtool fs ([a-z]+)", text))
    assert fs_named and not fs_named - fs_commands, sorted(fs_named - fs_commands)
    # And each of them answers --help.
    for c in sorted(named):
        assert mgtool(c, "--help").returncode == 0, c


def expand(path):
    """build/unix-{a,b}/x -> [build/unix-a/x, build/unix-b/x]"""
    parts = re.split(r"\{([^}]*)\}", path)
    choices = [[p] if i % 2 == 0 else p.split(",") for i, p in enumerate(parts)]
    return ["".join(c) for c in itertools.product(*choices)]


def test_every_build_output_path_named_exists():
    spans, _ = inline_code(readme())
    paths = set()
    for s in spans:
        for m in re.findall(r"(?<![\w/])build/[^\s`'\"<>()]*", s):
            if "<" in s[s.index(m):s.index(m) + len(m) + 1]:
                continue
            paths.update(expand(m.rstrip(".,;:")))
    assert "build/bin/microguard" in paths and "build/packages/openwrt/" in paths
    with open(os.path.join(ROOT, "Makefile")) as f:
        mk = f.read()
    missing = []
    for p in sorted(paths):
        if os.path.exists(os.path.join(ROOT, p)):
            continue
        # Outputs of targets `make build` does not run (make package, make bench-*): the Makefile
        # (or the script it runs) must write exactly there.
        if p.rstrip("/") in mk or p.startswith("build/bench/"):
            continue
        missing.append(p)
    assert not missing, "README names build outputs that are not there: %s" % missing


def test_the_sample_site_error_is_what_mgtool_prints(tmp_path):
    text = readme()
    m = re.search(r"^\s*(site\.toml:\d+:\d+: .*)\n\s*(mgtool: error: .*)$", text, re.M)
    assert m, "README shows a sample site-file error"
    site = os.path.join(ROOT, "tests", "hosttools", "data", "site.toml")
    bad = tmp_path / "site.toml"
    bad.write_text(open(site).read().replace("vpn.example.net:51820", "vpn.example.net:99999"))
    r = subprocess.run([__import__("sys").executable, "-m", "mgtool", "config", "site.toml", "--check"],
                       cwd=tmp_path, capture_output=True, text=True,
                       env=dict(os.environ, PYTHONPATH=os.path.join(ROOT, "host-tools")))
    assert r.stderr.splitlines() == [m.group(1), m.group(2)]


def test_moving_a_checkout_is_explained():
    text = readme()
    assert "rm -rf .venv && make deps" in text


def test_microguard_help_lists_the_key_commands_and_log_levels_its_readme_gives():
    import pytest
    mp = os.path.join(ROOT, "build", "unix-x64", "micropython")
    if not os.path.exists(mp):
        pytest.skip("host build missing")
    r = subprocess.run([mp, "-m", "microguard", "--help"], capture_output=True, text=True, timeout=30,
                       env=dict(os.environ, MICROPYPATH=os.path.join(ROOT, "firmware")))
    out = r.stdout + r.stderr
    for word in ("genkey", "pubkey", "genpsk", "verbose"):
        assert word in out, out
    with open(os.path.join(ROOT, "packaging", "openwrt", "README.md")) as f:
        assert "genkey" in f.read()
