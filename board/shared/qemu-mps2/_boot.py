# Mount the persistent flash at /flash (formatting it when blank) and make
# /flash and /flash/lib importable. Runs at every (soft) reset.
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
    sys.path.append("/flash/lib")
    del os
del _bdev, sys, vfs, mps2
