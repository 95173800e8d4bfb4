/*
 * vCPU scheduling policy (see hv/sched.h): per-CPU binary min-heaps keyed
 * on virtual time, wake-up placement, and CPU selection and balancing.
 *
 * Virtual times are free-running 64-bit counters compared modulo 2^64
 * ((int64_t)(a - b) < 0), so they may wrap as long as the entities of one
 * queue stay within 2^63 of each other, which placement guarantees.
 */
#include "hv/sched.h"

static inline bool before(uint64_t a, uint64_t b)
{
	return (int64_t)(a - b) < 0;
}

/* Heap order: smaller vruntime first, then earlier enqueue, so equal
 * vruntimes run round-robin and every run is reproducible. */
static inline bool se_less(const struct sched_entity *a,
			   const struct sched_entity *b)
{
	if (a->vruntime != b->vruntime)
		return before(a->vruntime, b->vruntime);
	return before(a->seq, b->seq);
}

/* --- binary min-heap ------------------------------------------------------ */

/* Both sifts move a hole rather than swapping: one store per level. */
static void heap_sift_up(struct runqueue *rq, uint32_t i, struct sched_entity *se)
{
	struct sched_entity **h = rq->heap;

	while (i > 0) {
		uint32_t p = (i - 1) / 2;

		if (!se_less(se, h[p]))
			break;
		h[i] = h[p];
		h[i]->heap_idx = i;
		i = p;
	}
	h[i] = se;
	se->heap_idx = i;
}

static void heap_sift_down(struct runqueue *rq, uint32_t i, struct sched_entity *se)
{
	struct sched_entity **h = rq->heap;
	uint64_t n = rq->nr_queued;

	for (;;) {
		uint64_t c = 2 * (uint64_t)i + 1;

		if (c >= n)
			break;
		if (c + 1 < n && se_less(h[c + 1], h[c]))
			c++;
		if (!se_less(h[c], se))
			break;
		h[i] = h[c];
		h[i]->heap_idx = i;
		i = (uint32_t)c;
	}
	h[i] = se;
	se->heap_idx = i;
}

/*
 * Removes the root (pick_next) bottom-up ("Floyd"): the hole goes down to
 * a leaf along the smaller children, one comparison per level, and the
 * last leaf rises from there, usually not far: about half the comparisons
 * of sifting the last leaf down from the root.
 */
static struct sched_entity *heap_pop(struct runqueue *rq)
{
	struct sched_entity **h = rq->heap, *top = h[0], *last;
	uint64_t n = --rq->nr_queued, c;
	uint32_t i = 0;

	if (!n)
		return top;
	last = h[n];
	while ((c = 2 * (uint64_t)i + 1) < n) {
		if (c + 1 < n && se_less(h[c + 1], h[c]))
			c++;
		h[i] = h[c];
		h[i]->heap_idx = i;
		i = (uint32_t)c;
	}
	heap_sift_up(rq, i, last);
	return top;
}

static void heap_insert(struct runqueue *rq, struct sched_entity *se)
{
	se->seq = rq->seq++;
	heap_sift_up(rq, rq->nr_queued++, se);
}

static void heap_remove(struct runqueue *rq, struct sched_entity *se)
{
	uint32_t i = se->heap_idx;
	struct sched_entity *last = rq->heap[--rq->nr_queued];

	if (last == se)
		return;
	/* The last leaf fills the hole; it may belong above or below it. */
	if (i > 0 && se_less(last, rq->heap[(i - 1) / 2]))
		heap_sift_up(rq, i, last);
	else
		heap_sift_down(rq, i, last);
}

/* --- virtual time --------------------------------------------------------- */

/*
 * delta * SCHED_WEIGHT_UNIT / weight, carrying the remainder in se->vrem:
 * without it a heavy entity charged often in small amounts (every VM exit)
 * would lose up to one unit per charge and could stop advancing at all.
 * The default weight costs no division; any other one division.
 */
static uint64_t vtime_delta(struct sched_entity *se, uint64_t delta)
{
	uint64_t w = se->weight ? se->weight : 1;
	uint64_t t, q, r;

	if (w == SCHED_WEIGHT_UNIT)
		return delta;
	if (likely(delta < (1ULL << 53))) {
		t = delta * SCHED_WEIGHT_UNIT + se->vrem;
		se->vrem = (uint32_t)(t % w);
		return t / w;
	}
	/* Charges over 2^53 ticks (weeks): split so the product cannot
	 * overflow; a result beyond 2^62 would break the modular order. */
	q = delta / w;
	r = (delta % w) * SCHED_WEIGHT_UNIT + se->vrem;
	se->vrem = (uint32_t)(r % w);
	if (q >= (1ULL << 52))
		return 1ULL << 62;
	return q * SCHED_WEIGHT_UNIT + r / w;
}

/* min_vruntime follows the smallest vruntime on the queue but never moves
 * back, so wake-up placement is measured against a stable floor. */
static void update_min_vruntime(struct runqueue *rq)
{
	uint64_t v;

	if (rq->curr) {
		v = rq->curr->vruntime;
		if (rq->nr_queued && before(rq->heap[0]->vruntime, v))
			v = rq->heap[0]->vruntime;
	} else if (rq->nr_queued) {
		v = rq->heap[0]->vruntime;
	} else {
		return;
	}
	if (before(rq->min_vruntime, v))
		rq->min_vruntime = v;
}

static uint64_t elapsed(uint64_t now, uint64_t since)
{
	uint64_t d = now - since;

	return (int64_t)d > 0 ? d : 0;
}

void sched_update_curr(struct runqueue *rq, uint64_t now)
{
	struct sched_entity *se = rq->curr;
	uint64_t delta;

	if (!se)
		return;
	delta = elapsed(now, se->exec_charged);
	if (!delta)
		return;
	se->exec_charged = now;
	se->sum_exec += delta;
	se->vruntime += vtime_delta(se, delta);
	update_min_vruntime(rq);
}

/* --- run queue operations ------------------------------------------------- */

void rq_init(struct runqueue *rq, unsigned int cpu, struct sched_entity **storage,
	     uint32_t cap, const struct sched_params *params)
{
	*rq = (struct runqueue){
		.cpu = cpu,
		.heap = storage,
		.cap = cap,
		.params = params,
	};
}

void se_init(struct sched_entity *se, uint32_t weight, uint64_t affinity)
{
	*se = (struct sched_entity){
		.weight = weight ? weight : 1,
		.affinity = affinity,
		.cpu = -1,
	};
}

static bool rq_full(const struct runqueue *rq)
{
	return rq->nr_queued + (rq->curr ? 1u : 0u) >= rq->cap;
}

static void account_wait(struct sched_entity *se, uint64_t now)
{
	uint64_t w = elapsed(now, se->wait_start);

	se->sum_wait += w;
	if (w > se->max_wait)
		se->max_wait = w;
}

/*
 * Sets the vruntime of an entity joining 'rq'. Blocked entities waking on
 * their own queue keep their vruntime; all others are positioned by the
 * lag they had on the queue they left (0 when new). A woken entity is then
 * lifted to min_vruntime - slice/2: sleeping earns at most half a slice
 * of credit, so a frequent sleeper cannot starve the others, yet a light
 * sleeper sorts before every entity that stayed queued.
 */
static void place_entity(struct runqueue *rq, struct sched_entity *se, bool wakeup)
{
	uint64_t floor;

	if (!wakeup || se->cpu != (int)rq->cpu)
		se->vruntime = rq->min_vruntime + (uint64_t)se->lag;
	if (wakeup) {
		floor = rq->min_vruntime - rq->params->slice / 2;
		if (before(se->vruntime, floor))
			se->vruntime = floor;
	}
}

/* Joins 'rq' as a queued entity; the caller has placed it. */
static void join_rq(struct runqueue *rq, struct sched_entity *se)
{
	if (se->cpu != (int)rq->cpu) {
		if (se->cpu >= 0)
			se->nr_migrations++;
		se->cpu = (int)rq->cpu;
	}
	se->on_rq = true;
	rq->load += se->weight;
	heap_insert(rq, se);
}

/* Leaves 'rq' (queued or just stopped running), remembering its lag. */
static void leave_rq(struct runqueue *rq, struct sched_entity *se)
{
	se->on_rq = false;
	rq->load -= se->weight;
	se->lag = (int64_t)(se->vruntime - rq->min_vruntime);
}

/* Capped at the wake-up credit: a woken entity is at most slice/2 behind
 * the floor, so a larger granularity would keep it waiting past its
 * credit (see sched_time_left). */
static uint64_t wakeup_gran(const struct runqueue *rq)
{
	return MIN(rq->params->wakeup_gran, rq->params->slice / 2);
}

bool sched_enqueue(struct runqueue *rq, struct sched_entity *se, uint64_t now,
		   bool wakeup)
{
	struct sched_entity *curr = rq->curr;

	if (se->on_rq || rq_full(rq))
		return false;
	sched_update_curr(rq, now);
	place_entity(rq, se, wakeup);
	se->wait_start = now;
	se->woken = wakeup;
	join_rq(rq, se);
	if (!curr)
		return true;
	return (int64_t)(curr->vruntime - se->vruntime) > (int64_t)wakeup_gran(rq);
}

static bool queued_on(const struct runqueue *rq, const struct sched_entity *se)
{
	return se->on_rq && !se->running && se->cpu == (int)rq->cpu;
}

void sched_dequeue(struct runqueue *rq, struct sched_entity *se, uint64_t now)
{
	if (!queued_on(rq, se))
		return;
	sched_update_curr(rq, now);
	account_wait(se, now);
	se->woken = false;
	heap_remove(rq, se);
	leave_rq(rq, se);
	update_min_vruntime(rq);
}

void sched_put_prev(struct runqueue *rq, uint64_t now, bool runnable)
{
	struct sched_entity *se = rq->curr;

	if (!se)
		return;
	sched_update_curr(rq, now);
	se->running = false;
	rq->curr = NULL;
	if (runnable) {
		se->wait_start = now;
		heap_insert(rq, se);
	} else {
		leave_rq(rq, se);
	}
	update_min_vruntime(rq);
}

struct sched_entity *sched_pick_next(struct runqueue *rq, uint64_t now)
{
	struct sched_entity *se;

	if (rq->curr || !rq->nr_queued)
		return rq->curr;
	se = heap_pop(rq);
	account_wait(se, now);
	se->woken = false;
	se->running = true;
	se->exec_start = now;
	se->exec_charged = now;
	se->nr_switches++;
	rq->curr = se;
	update_min_vruntime(rq);
	return se;
}

bool sched_should_preempt(struct runqueue *rq, uint64_t now)
{
	return rq->curr && sched_time_left(rq, now) == 0;
}

/*
 * Real time until curr's vruntime passes 'target' (exact, including the
 * carried remainder), for the deferred wake-up preemption below.
 */
static uint64_t time_to_pass(const struct sched_entity *curr, uint64_t target)
{
	uint64_t vdiff = target - curr->vruntime + 1;

	if ((int64_t)vdiff <= 0)
		return 0;
	if (vdiff > (1ULL << 31))  /* beyond any slice: let the slice decide */
		return UINT64_MAX;
	if (curr->weight == SCHED_WEIGHT_UNIT)
		return vdiff;
	return (vdiff * curr->weight - curr->vrem + SCHED_WEIGHT_UNIT - 1) /
	       SCHED_WEIGHT_UNIT;
}

/*
 * The slice, cut short when the first entity in line was woken and curr
 * has got more than wakeup_gran ahead of it: a wake-up that was too close
 * to preempt at once preempts as soon as it is not. Without this such an
 * entity waits out curr's whole slice, falls more than slice/2 behind,
 * and loses the excess to placement at its next wake-up: a vCPU waking
 * constantly would get a fraction of its share.
 */
uint64_t sched_time_left(struct runqueue *rq, uint64_t now)
{
	const struct sched_params *p = rq->params;
	struct sched_entity *curr = rq->curr, *next;
	uint64_t ran, left, t;

	if (!rq->nr_queued)
		return UINT64_MAX;
	if (!curr)
		return 0;
	ran = elapsed(now, curr->exec_start);
	left = ran >= p->slice ? 0 : p->slice - ran;
	next = rq->heap[0];
	if (left && next->woken) {
		sched_update_curr(rq, now);
		t = time_to_pass(curr, next->vruntime + wakeup_gran(rq));
		if (t < left)
			left = t;
	}
	return left;
}

bool sched_migrate(struct runqueue *from, struct runqueue *to,
		   struct sched_entity *se, uint64_t now)
{
	if (from == to || !queued_on(from, se) || rq_full(to))
		return false;
	/* Both floors must be current for the lag to mean the same thing on
	 * either side. wait_start is kept: the wait goes on. */
	sched_update_curr(from, now);
	sched_update_curr(to, now);
	heap_remove(from, se);
	leave_rq(from, se);
	update_min_vruntime(from);
	place_entity(to, se, false);
	join_rq(to, se);
	return true;
}

/* --- CPU selection and balancing ------------------------------------------ */

static uint64_t online_mask(struct runqueue *const *rqs, unsigned int ncpus)
{
	uint64_t m = 0;
	unsigned int i;

	for (i = 0; i < ncpus && i < SCHED_MAX_CPUS; i++)
		if (rqs[i])
			m |= BIT(i);
	return m;
}

/* Load of CPU 'cpu' as 'se' would see it: without its own weight. */
static uint64_t load_for(const struct runqueue *rq, const struct sched_entity *se)
{
	if (se->on_rq && se->cpu == (int)rq->cpu)
		return rq->load - se->weight;
	return rq->load;
}

int sched_select_cpu(struct runqueue *const *rqs, unsigned int ncpus,
		     const struct sched_entity *se)
{
	uint64_t allowed = se->affinity & online_mask(rqs, ncpus);
	uint64_t m, load, best_load = 0;
	int best = -1, prev = se->cpu;

	for (m = allowed; m; m &= m - 1) {
		int i = __builtin_ctzll(m);

		if (rq_full(rqs[i]) && !queued_on(rqs[i], se))
			continue;
		load = load_for(rqs[i], se);
		if (best < 0 || load < best_load) {
			best = i;
			best_load = load;
		}
	}
	if (best < 0)
		return -1;
	/* Staying put keeps caches warm; move only for a real imbalance. */
	if (prev >= 0 && prev < SCHED_MAX_CPUS && (allowed & BIT(prev)) &&
	    (!rq_full(rqs[prev]) || queued_on(rqs[prev], se)) &&
	    load_for(rqs[prev], se) - best_load <= rqs[prev]->params->balance_gap)
		return prev;
	return best;
}

/* Least loaded CPU in 'mask' with room for one more entity, or -1. */
static int least_loaded(struct runqueue *const *rqs, uint64_t mask)
{
	int best = -1;

	for (; mask; mask &= mask - 1) {
		int i = __builtin_ctzll(mask);

		if (!rq_full(rqs[i]) && (best < 0 || rqs[i]->load < rqs[best]->load))
			best = i;
	}
	return best;
}

struct sched_entity *sched_find_migration(struct runqueue *const *rqs,
					  unsigned int ncpus, int *to)
{
	uint64_t online = online_mask(rqs, ncpus), gap, m;
	uint64_t hi_load = 0, lo_load, best_gain = 0, cached_mask = 0;
	struct sched_entity *best = NULL;
	int lo, hi = -1, cached_t = -1;
	bool cached = false;

	lo = least_loaded(rqs, online);
	for (m = online; m; m &= m - 1) {
		int i = __builtin_ctzll(m);

		if (hi < 0 || rqs[i]->load > hi_load) {
			hi = i;
			hi_load = rqs[i]->load;
		}
	}
	if (lo < 0 || hi < 0)
		return NULL;
	lo_load = rqs[lo]->load;
	gap = rqs[lo]->params->balance_gap;
	/* Every pair is within the gap if the extremes are. */
	if (hi_load <= lo_load || hi_load - lo_load <= gap)
		return NULL;

	for (m = online; m; m &= m - 1) {
		int s = __builtin_ctzll(m);
		const struct runqueue *src = rqs[s];
		uint32_t n = src->nr_queued, j, stop;

		if (src->load <= lo_load || src->load - lo_load <= gap)
			continue;
		/* Leaves first: the largest vruntimes, the longest until they
		 * would run here anyway. */
		stop = n > SCHED_MIGRATE_SCAN ? n - SCHED_MIGRATE_SCAN : 0;
		for (j = n; j-- > stop;) {
			struct sched_entity *se = src->heap[j];
			uint64_t mask = se->affinity & online & ~BIT(s), d, gain;
			int t;

			/* The global minimum is the usual answer; otherwise
			 * remember one mask, as pinned entities share theirs. */
			if (mask & BIT(lo)) {
				t = lo;
			} else {
				if (!cached || mask != cached_mask) {
					cached = true;
					cached_mask = mask;
					cached_t = least_loaded(rqs, mask);
				}
				t = cached_t;
			}
			if (t < 0 || src->load <= rqs[t]->load)
				continue;
			d = src->load - rqs[t]->load;
			if (d <= gap || se->weight >= d)
				continue;
			/* The pair's imbalance drops by twice this. */
			gain = MIN((uint64_t)se->weight, d - se->weight);
			if (gain > best_gain) {
				best_gain = gain;
				best = se;
				*to = t;
			}
		}
	}
	return best;
}
