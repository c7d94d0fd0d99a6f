"""Lists the check functions of a MicroPython-side module (for parametrize)."""
import os
import re

ENGINE_DIR = os.path.dirname(os.path.abspath(__file__))
MP_DIR = os.path.join(ENGINE_DIR, "mp")
REPO = os.path.dirname(os.path.dirname(ENGINE_DIR))
FIRMWARE_DIR = os.path.join(REPO, "firmware")


def cases(module):
    with open(os.path.join(MP_DIR, module + ".py")) as f:
        return re.findall(r"^def (test_\w+)\(\):", f.read(), re.M)
