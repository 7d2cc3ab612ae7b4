#ifndef INGOT_C_CRYPTO_SHIM_H
#define INGOT_C_CRYPTO_SHIM_H
// Ingot hashes with the system OpenSSL libcrypto (Debian: libssl-dev): its SHA-256 uses the CPU's
// SHA extensions where there are some, about ten times a portable implementation.
//
// Through the low-level SHA256_* functions, which OpenSSL 3 deprecates in favour of EVP but
// keeps: EVP's first digest loads OpenSSL's configuration and providers, 1.7 ms of every start
// here, for the same code on the same CPU extensions.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>
#endif
