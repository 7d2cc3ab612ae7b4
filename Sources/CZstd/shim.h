#ifndef INGOT_C_ZSTD_SHIM_H
#define INGOT_C_ZSTD_SHIM_H
// Ingot links the system libzstd (Debian: libzstd-dev) rather than vendoring it.
#include <zstd.h>
#include <zstd_errors.h>
#endif
