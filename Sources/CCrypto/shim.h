#ifndef INGOT_C_CRYPTO_SHIM_H
#define INGOT_C_CRYPTO_SHIM_H
// Ingot hashes with the system OpenSSL libcrypto (Debian: libssl-dev): its SHA-256 uses the CPU's
// SHA extensions where there are some, about ten times a portable implementation.
#include <openssl/evp.h>
#endif
