import pytest

from mpcases import cases


@pytest.mark.parametrize("case", cases("check_robustness"))
def test_robustness(mp, case):
    mp.run("check_robustness", case)
