// Run-time switch between the optimized and the portable code paths.

#include "wgcrypto_config.h"

#if WGC_HAVE_ASM
// Zero (the default) selects the optimized path where one is compiled in.
int wgc_portable;
#endif
