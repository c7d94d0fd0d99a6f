// `key=value` words of the semihosting command line (QEMU -append), over the
// board's own sh_get_cmdline (ARM: semihost.c; RISC-V: semihost_rv32.c).
#include <string.h>
#include "semihost.h"

int sh_cmdline_value(const char *key, char *out, size_t out_len) {
    static char line[256];
    if (sh_get_cmdline(line, sizeof(line)) != 0) {
        return -1;
    }
    size_t klen = strlen(key);
    // Words are separated by spaces; QEMU puts the kernel file name first.
    for (char *p = line; *p;) {
        while (*p == ' ') {
            p++;
        }
        char *end = p;
        while (*end && *end != ' ') {
            end++;
        }
        if ((size_t)(end - p) > klen && strncmp(p, key, klen) == 0 && p[klen] == '=') {
            size_t n = end - (p + klen + 1);
            if (n >= out_len) {
                return -1;
            }
            memcpy(out, p + klen + 1, n);
            out[n] = 0;
            return (int)n;
        }
        p = end;
    }
    return -1;
}
