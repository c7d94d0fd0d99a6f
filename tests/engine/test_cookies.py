import pytest

from mpcases import cases


@pytest.mark.parametrize("case", cases("check_cookies"))
def test_cookies(mp, case):
    mp.run("check_cookies", case)
