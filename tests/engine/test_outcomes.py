"""Each action, drop, counter and event constant indexes its own readable name."""

from mpcases import engine_file


def _outcomes():
    return engine_file('outcomes')


def test_names_tables_match_the_constants():
    o = _outcomes()
    for prefix, table in (("ACTION_", o.ACTION_NAMES), ("DROP_", o.DROP_NAMES),
                          ("COUNT_", o.COUNTER_NAMES), ("EVENT_", o.EVENT_NAMES)):
        consts = {k: v for k, v in vars(o).items() if k.startswith(prefix) and k != prefix + "NAMES"}
        assert sorted(consts.values()) == list(range(len(table))), prefix
        for k, v in consts.items():
            assert table[v] == k[len(prefix):].lower(), k
