/* Physical range sets and the usable-RAM computation. Firmware memory maps
 * arrive unsorted, overlapping, with zero-length entries and sometimes with
 * entries whose base + length passes 2^64; everything here copes with that.
 *
 * Ends are exclusive 64-bit values, so the highest end that can be written
 * is UINT64_MAX: the last byte of the address space can never be in a set.
 * Entries that wrap are clipped to end at UINT64_MAX, and page alignment
 * then trims the partial last page, so no wrapped range is ever usable. */
#include "hv/memmap.h"
#include "hv/lib.h"

void range_set_init(struct range_set *s)
{
	s->n = 0;
	s->overflow = false;
}

static void remove_at(struct range_set *s, unsigned int i, unsigned int count)
{
	memmove(&s->r[i], &s->r[i + count],
		(s->n - i - count) * sizeof(s->r[0]));
	s->n -= count;
}

static bool insert_at(struct range_set *s, unsigned int i, uint64_t start,
		      uint64_t end)
{
	if (s->n == RANGE_SET_MAX) {
		s->overflow = true;
		return false;
	}
	memmove(&s->r[i + 1], &s->r[i], (s->n - i) * sizeof(s->r[0]));
	s->r[i].start = start;
	s->r[i].end = end;
	s->n++;
	return true;
}

void range_set_add(struct range_set *s, uint64_t start, uint64_t end)
{
	unsigned int i, j;

	if (start >= end)
		return;
	/* First range that overlaps or touches [start, end) from the left. */
	for (i = 0; i < s->n && s->r[i].end < start; i++)
		;
	/* One past the last range that starts at or before 'end'. */
	for (j = i; j < s->n && s->r[j].start <= end; j++)
		;
	if (i == j) {
		/* Nothing to merge with. If the set is full the range is lost;
		 * 'overflow' tells the caller the result is incomplete. */
		insert_at(s, i, start, end);
		return;
	}
	s->r[i].start = MIN(s->r[i].start, start);
	s->r[i].end = MAX(s->r[j - 1].end, end);
	remove_at(s, i + 1, j - i - 1);
}

void range_set_remove(struct range_set *s, uint64_t start, uint64_t end)
{
	if (start >= end)
		return;
	for (unsigned int i = 0; i < s->n;) {
		struct range *r = &s->r[i];

		if (r->end <= start) {
			i++;
			continue;
		}
		if (r->start >= end)
			break;
		if (r->start < start && r->end > end) {
			/* Split. If there is no room for the upper half, keep
			 * only the lower one: a set missing some RAM is safe,
			 * one that still holds the removed range is not. */
			uint64_t old_end = r->end;
			r->end = start;
			insert_at(s, i + 1, end, old_end);
			return;
		}
		if (r->start < start) {
			r->end = start;
			i++;
		} else if (r->end > end) {
			r->start = end;
			return;
		} else {
			remove_at(s, i, 1);
		}
	}
}

void range_set_align_inward(struct range_set *s, uint64_t align)
{
	unsigned int n = 0;

	if (align <= 1)
		return;
	for (unsigned int i = 0; i < s->n; i++) {
		uint64_t start = s->r[i].start, end = s->r[i].end;
		uint64_t rem = start % align;

		if (rem) {
			/* Rounding up would wrap: nothing is left. */
			if (start > UINT64_MAX - (align - rem))
				continue;
			start += align - rem;
		}
		end -= end % align;
		if (start >= end)
			continue;
		/* Shrinking keeps order and keeps gaps between ranges. */
		s->r[n].start = start;
		s->r[n].end = end;
		n++;
	}
	s->n = n;
}

uint64_t range_set_total(const struct range_set *s)
{
	uint64_t total = 0;

	/* Disjoint ranges below UINT64_MAX: the sum cannot overflow. */
	for (unsigned int i = 0; i < s->n; i++)
		total += s->r[i].end - s->r[i].start;
	return total;
}

/* An empty or inverted [start, end) is reported as not contained: callers
 * ask "may I use this memory", and a bogus request should not be a yes. */
bool range_set_contains(const struct range_set *s, uint64_t start, uint64_t end)
{
	if (start >= end)
		return false;
	/* Ranges are never adjacent, so a contiguous span lies in one. */
	for (unsigned int i = 0; i < s->n; i++)
		if (s->r[i].start <= start && end <= s->r[i].end)
			return true;
	return false;
}

/* End of a firmware entry, clipped to UINT64_MAX if base + len wraps. */
static uint64_t entry_end(const struct mem_range *m)
{
	if (m->len > UINT64_MAX - m->base)
		return UINT64_MAX;
	return m->base + m->len;
}

void memmap_usable(const struct mem_range *map, unsigned int n,
		   const struct range *excl, unsigned int nexcl,
		   struct range_set *out)
{
	range_set_init(out);
	for (unsigned int i = 0; i < n; i++)
		if (map[i].type == MB2_MEM_AVAILABLE)
			range_set_add(out, map[i].base, entry_end(&map[i]));
	/* Removing after all adds makes reserved win wherever entries
	 * overlap, whatever order the firmware listed them in. */
	for (unsigned int i = 0; i < n; i++)
		if (map[i].type != MB2_MEM_AVAILABLE)
			range_set_remove(out, map[i].base, entry_end(&map[i]));
	for (unsigned int i = 0; i < nexcl; i++)
		range_set_remove(out, excl[i].start, excl[i].end);
	range_set_align_inward(out, PAGE_SIZE);
}

/*
 * Union length of the available entries without a scratch range set (4 KiB
 * is a lot for a boot stack): visit entries in order of (base, index), an
 * O(n^2) selection that is trivial for the at most MB2_MAX_MMAP entries,
 * and merge runs as they come.
 */
uint64_t memmap_total_available(const struct mem_range *map, unsigned int n)
{
	uint64_t total = 0, run_start = 0, run_end = 0;
	bool in_run = false;
	uint64_t prev_base = 0;
	unsigned int prev_idx = 0;
	bool first = true;

	for (;;) {
		unsigned int best = n;

		for (unsigned int i = 0; i < n; i++) {
			const struct mem_range *m = &map[i];
			if (m->type != MB2_MEM_AVAILABLE || !m->len)
				continue;
			if (!first && (m->base < prev_base ||
				       (m->base == prev_base && i <= prev_idx)))
				continue;
			if (best == n || m->base < map[best].base)
				best = i;
		}
		if (best == n)
			break;
		first = false;
		prev_base = map[best].base;
		prev_idx = best;

		uint64_t start = map[best].base, end = entry_end(&map[best]);
		if (in_run && start <= run_end) {
			run_end = MAX(run_end, end);
		} else {
			if (in_run)
				total += run_end - run_start;
			run_start = start;
			run_end = end;
			in_run = true;
		}
	}
	if (in_run)
		total += run_end - run_start;
	return total;
}
