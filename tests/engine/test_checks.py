"""Every engine check under tests/engine/mp, each in its own MicroPython process
(see conftest.py). A new check_*.py module or test_* function is picked up
with no wrapper to write; ids read `<module>-<function>`."""
import pytest

from mpcases import all_cases


@pytest.mark.parametrize("module,case", all_cases(), ids=lambda v: v[len("check_"):] if v.startswith("check_") else v)
def test_check(mp, module, case):
    mp.run(module, case)
