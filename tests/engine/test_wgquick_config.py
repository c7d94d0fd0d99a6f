import pytest

from mpcases import cases


@pytest.mark.parametrize("case", cases("check_config"))
def test_config(mp, case):
    mp.run("check_config", case)
