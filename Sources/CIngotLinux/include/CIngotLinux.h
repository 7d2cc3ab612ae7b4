// Linux calls that Swift's Glibc module does not export (they need _GNU_SOURCE), wrapped so
// IngotSystem can call them. Empty elsewhere. The way swift-nio's CNIOLinux does it.
#ifndef C_INGOT_LINUX_H
#define C_INGOT_LINUX_H

#ifdef __linux__
/// Starts writeback of a file range without waiting for it: sync_file_range(2) with
/// SYNC_FILE_RANGE_WRITE. Returns 0, or -1 with errno set.
int CIngotLinux_startWriteback(int fd, long long offset, long long count);
#endif

#endif
