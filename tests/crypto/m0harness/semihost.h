// The few ARM semihosting calls the harness needs (files on the host, exit).
#ifndef M0HARNESS_SEMIHOST_H
#define M0HARNESS_SEMIHOST_H

#include <stddef.h>

// mode: 0 = "r", 4 = "w" (ARM semihosting SYS_OPEN modes); -1 on error.
int sh_open(const char *path, int mode);
// Returns the number of bytes read (0 at end of file).
size_t sh_read(int fd, void *buf, size_t len);
void sh_write(int fd, const void *buf, size_t len);
void sh_close(int fd);
__attribute__((noreturn)) void sh_exit(int status);

#endif
