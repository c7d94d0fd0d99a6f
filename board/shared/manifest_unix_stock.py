# The unix port as MicroPython's standard variant ships it, as far as MicroGuard
# is concerned: asyncio frozen in (mip and requests come from micropython-lib's
# source, put on sys.path by the tests). Nothing of MicroGuard.
include("$(MPY_DIR)/extmod/asyncio")
