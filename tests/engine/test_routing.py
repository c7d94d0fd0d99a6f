import pytest

from mpcases import cases


@pytest.mark.parametrize("case", cases("check_routing"))
def test_routing(mp, case):
    mp.run("check_routing", case)
