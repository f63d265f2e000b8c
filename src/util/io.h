/*
 * Small I/O helpers shared by the commands and the formats.
 */
#ifndef SAFEDUMP_UTIL_IO_H
#define SAFEDUMP_UTIL_IO_H

#include <stddef.h>

/** io_write_all(fd, buf, len): write all ${len} bytes across short writes and EINTR. 0, or -1 with errno. */
int io_write_all(int fd, const void *buf, size_t len);

#endif
