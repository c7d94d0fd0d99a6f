# Mount the persistent flash at /flash (formatting it when blank) and make
# /flash and /flash/lib importable, as a stock ESP32-C3 firmware mounts its
# flash partition. Runs at every (soft) reset. Without a flash image attached
# (no flash=<path> on the semihosting command line) the board has no filesystem.
import sys
import vfs
import virt

try:
    _bdev = virt.Flash()
except OSError:
    _bdev = None
if _bdev is not None:
    try:
        vfs.mount(vfs.VfsLfs2(_bdev), "/flash")
    except OSError:
        vfs.VfsLfs2.mkfs(_bdev)
        vfs.mount(vfs.VfsLfs2(_bdev), "/flash")
    import os
    os.chdir("/flash")
    sys.path.insert(sys.path.index(".frozen") if ".frozen" in sys.path else len(sys.path), "/flash/lib")
    del os
del _bdev, sys, vfs, virt
