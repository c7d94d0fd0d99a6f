"""Each action, drop, counter and event constant indexes its own readable name."""
import importlib.util
import os

from mpcases import FIRMWARE_DIR


def _outcomes():
    path = os.path.join(FIRMWARE_DIR, "wireguard", "outcomes.py")
    spec = importlib.util.spec_from_file_location("wire_outcomes", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_names_tables_match_the_constants():
    o = _outcomes()
    for prefix, table in (("ACTION_", o.ACTION_NAMES), ("DROP_", o.DROP_NAMES),
                          ("COUNT_", o.COUNTER_NAMES), ("EVENT_", o.EVENT_NAMES)):
        consts = {k: v for k, v in vars(o).items() if k.startswith(prefix) and k != prefix + "NAMES"}
        assert sorted(consts.values()) == list(range(len(table))), prefix
        for k, v in consts.items():
            assert table[v] == k[len(prefix):].lower(), k
