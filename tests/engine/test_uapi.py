import pytest

from mpcases import cases


@pytest.mark.parametrize("case", cases("check_uapi"))
def test_uapi(mp, case):
    mp.run("check_uapi", case)
