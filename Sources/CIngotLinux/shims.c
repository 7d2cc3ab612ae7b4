#ifdef __linux__
#define _GNU_SOURCE
#include <fcntl.h>
#include "CIngotLinux.h"

int CIngotLinux_startWriteback(int fd, long long offset, long long count) {
    return sync_file_range(fd, (off_t)offset, (off_t)count, SYNC_FILE_RANGE_WRITE);
}
#endif
