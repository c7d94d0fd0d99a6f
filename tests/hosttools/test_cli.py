"""mgtool's help reads well for the tool and every subcommand."""
import re

import pytest

from mgtool_run import mgtool

COMMANDS = ["keygen", "pubkey", "psk", "config", "provision", "flash", "console", "status"]


def test_top_level_help_lists_every_command():
    out = mgtool("--help", check=0).stdout
    for c in COMMANDS:
        assert re.search(r"^    %s(\s|$)" % c, out, re.M), c
    assert "typical flow" in out


@pytest.mark.parametrize("cmd", COMMANDS)
def test_subcommand_help(cmd):
    r = mgtool(cmd, "--help", check=0)
    assert r.stdout.startswith("usage: mgtool %s" % cmd)
    assert len(r.stdout.splitlines()) >= 3 and r.stderr == ""


def test_missing_arguments_are_usage_errors_not_tracebacks():
    r = mgtool("provision")
    assert r.returncode == 2 and "Traceback" not in r.stderr and "--port" in r.stderr
