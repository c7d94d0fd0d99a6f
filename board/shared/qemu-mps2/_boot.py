# Mount the persistent flash at /flash (formatting it when blank) and make
# /flash and /flash/lib importable (/flash/lib ahead of frozen modules), as a
# stock ESP32 or Pico firmware mounts its flash partition. Runs at every (soft)
# reset. Frozen into the MPS2 boards (module mps2) and the RISC-V virt board
# (module virt); both give the same semihosted block device (flash.c).
import sys
import vfs

try:
    import mps2 as _board
except ImportError:
    import virt as _board

try:
    _bdev = _board.Flash()
except OSError:
    _bdev = None  # no flash image attached to this run (no flash=<path> on the command line)
if _bdev is not None:
    try:
        vfs.mount(vfs.VfsLfs2(_bdev), "/flash")
    except OSError:
        vfs.VfsLfs2.mkfs(_bdev)
        vfs.mount(vfs.VfsLfs2(_bdev), "/flash")
    import os
    os.chdir("/flash")
    # Before .frozen: what `mgtool provision` or `mip` put on the flash is what
    # runs; a frozen copy only serves when nothing was installed.
    sys.path.insert(sys.path.index(".frozen") if ".frozen" in sys.path else len(sys.path), "/flash/lib")
    del os
del _bdev, _board, sys, vfs
