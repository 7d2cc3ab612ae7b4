// CPU hints Swift has no spelling for, as inline functions the optimizer folds into their callers.
#ifndef C_INGOT_CPU_H
#define C_INGOT_CPU_H

/// Asks for the cache line holding `address` ahead of a read: a hint, never a fault, whatever
/// the address. Lets a loop over independent hash-table lookups overlap their cache misses.
static inline __attribute__((always_inline)) void CIngotCPU_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

#endif
