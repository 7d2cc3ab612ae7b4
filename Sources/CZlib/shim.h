#ifndef INGOT_C_ZLIB_SHIM_H
#define INGOT_C_ZLIB_SHIM_H
#include <zlib.h>

// inflateInit2 is a macro in zlib.h, which Swift cannot import: wrap it.
static inline int CZlib_inflateInit2(z_streamp strm, int windowBits) {
    return inflateInit2(strm, windowBits);
}
#endif
