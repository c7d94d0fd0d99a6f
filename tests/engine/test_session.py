import pytest

from mpcases import cases


@pytest.mark.parametrize("case", cases("check_session"))
def test_session(mp, case):
    mp.run("check_session", case)
