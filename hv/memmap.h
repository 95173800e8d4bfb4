/* Physical address range arithmetic: sorted, merged sets of [start, end)
 * ranges, and the computation of usable RAM from a firmware memory map.
 * Pure code, tested on the host. */
#ifndef TERN_MEMMAP_H
#define TERN_MEMMAP_H

#include "hv/types.h"
#include "hv/mb2.h"

#define RANGE_SET_MAX 256

struct range {
	uint64_t start; /* inclusive */
	uint64_t end;   /* exclusive */
};

struct range_set {
	struct range r[RANGE_SET_MAX]; /* sorted, non-overlapping, non-adjacent */
	unsigned int n;
	bool overflow; /* set if an operation needed more than RANGE_SET_MAX */
};

void range_set_init(struct range_set *s);
/* Adds [start, end), merging with overlapping or adjacent ranges. */
void range_set_add(struct range_set *s, uint64_t start, uint64_t end);
/* Removes [start, end), splitting ranges as needed. */
void range_set_remove(struct range_set *s, uint64_t start, uint64_t end);
/* Shrinks every range inward to 'align' boundaries; drops empty ones. */
void range_set_align_inward(struct range_set *s, uint64_t align);
uint64_t range_set_total(const struct range_set *s);
bool range_set_contains(const struct range_set *s, uint64_t start, uint64_t end);

/*
 * Usable RAM: available (type 1) entries of 'map', minus every
 * non-available entry (where firmware maps overlap, reserved wins), minus
 * the 'nexcl' exclusions, page aligned inward. Handles zero-length and
 * wrapping entries (base + len overflowing 2^64) by clipping.
 */
void memmap_usable(const struct mem_range *map, unsigned int n,
		   const struct range *excl, unsigned int nexcl,
		   struct range_set *out);
/* Sum of the lengths of type-1 entries (overlaps counted once). */
uint64_t memmap_total_available(const struct mem_range *map, unsigned int n);

#endif
