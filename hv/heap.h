/* Small permanent allocations (VM and vCPU structures, device state). */
#ifndef TERN_HEAP_H
#define TERN_HEAP_H

#include "hv/types.h"

/* Zeroed, 64-byte aligned; never freed (VMs live until power-off).
 * Returns NULL when memory is exhausted. */
void *kzalloc(size_t size);

#endif
