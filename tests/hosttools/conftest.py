import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mgtool_run import mgtool  # noqa: E402


@pytest.fixture
def run_mgtool():
    return mgtool
