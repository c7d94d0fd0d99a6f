import pytest

from mpcases import cases


@pytest.mark.parametrize("case", cases("check_replay"))
def test_replay(mp, case):
    mp.run("check_replay", case)
