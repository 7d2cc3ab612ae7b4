// CPU hints and atomic accesses Swift has no spelling for, as inline functions the optimizer
// folds into their callers.
#ifndef C_INGOT_CPU_H
#define C_INGOT_CPU_H

#include <stdint.h>

/// Asks for the cache line holding `address` ahead of a read: a hint, never a fault, whatever
/// the address. Lets a loop over independent hash-table lookups overlap their cache misses.
static inline __attribute__((always_inline)) void CIngotCPU_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

// Atomic accesses to words of raw memory shared between threads (Swift's `Atomic` lives only
// in a value's own storage, not in a buffer of many words).

/// Reads the word at `address`; what was written before a release store of it is visible after.
static inline __attribute__((always_inline)) uint64_t CIngotCPU_loadAcquire(const uint64_t *address) {
    return __atomic_load_n(address, __ATOMIC_ACQUIRE);
}

/// Writes `value` at `address`, making every write before it visible to an acquire load of it.
static inline __attribute__((always_inline)) void CIngotCPU_storeRelease(uint64_t *address, uint64_t value) {
    __atomic_store_n(address, value, __ATOMIC_RELEASE);
}

/// Writes `desired` at `address` if it holds `expected` (acquire and release); returns what it
/// held, `expected` when the write happened.
static inline __attribute__((always_inline)) uint64_t CIngotCPU_compareExchange(uint64_t *address, uint64_t expected, uint64_t desired) {
    __atomic_compare_exchange_n(address, &expected, desired, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
    return expected;
}

#endif
