# Mount the persistent flash at /flash (formatting it when blank) and make
# /flash and /flash/lib importable (/flash/lib ahead of frozen modules). Runs at every (soft) reset.
import sys
import vfs
import mps2

try:
    _bdev = mps2.Flash()
except OSError:
    _bdev = None  # no flash image attached to this run
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
del _bdev, sys, vfs, mps2
