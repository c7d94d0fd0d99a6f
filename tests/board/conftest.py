"""Board tests: the emulated MPS2 board against wireguard-go (root, namespaces),
plus host-only tests of the board-side modules."""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "firmware"))
