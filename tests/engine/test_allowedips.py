import pytest

from mpcases import cases


@pytest.mark.parametrize("case", cases("check_allowedips"))
def test_allowedips(mp, case):
    mp.run("check_allowedips", case)
