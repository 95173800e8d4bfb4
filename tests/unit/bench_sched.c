/*
 * Host cost benchmark of the scheduling policy's hot paths, meant to run
 * under callgrind (tools/bench-sched.sh): each measured operation is one
 * call of a noinline bench_<op>() wrapper, so --toggle-collect=bench_<op>
 * counts exactly those instructions and none of the setup or of the
 * unmeasured steps that keep the queue evolving between them.
 *
 *   bench_sched OP N ITERS
 *
 * OP is one of
 *   pick     a scheduling decision: update_curr + put_prev + pick_next,
 *            curr having run a varying time, so the heap reorders
 *   wake     sched_enqueue(wakeup=true) of an entity that slept long
 *            enough to be placed at the floor: it sifts to the top
 *   enqueue  sched_enqueue(wakeup=false) of an entity with a random lag
 *   dequeue  sched_dequeue of a random queued entity
 * on a run queue of N entities (curr included). Everything is seeded:
 * instruction counts repeat exactly.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hv/sched.h"

#define SLICE 3000000ULL /* 1 ms at 3 GHz */
/* Kept whole and under their own names: no inlining, and (gcc) no
 * cloning into .constprop/.isra copies callgrind would not toggle on. */
#if defined(__clang__)
#define NOINLINE __attribute__((noinline))
#else
#define NOINLINE __attribute__((noipa))
#endif

struct sched_entity *bench_pick(struct runqueue *rq, uint64_t now);
bool bench_wake(struct runqueue *rq, struct sched_entity *se, uint64_t now);
bool bench_enqueue(struct runqueue *rq, struct sched_entity *se, uint64_t now);
void bench_dequeue(struct runqueue *rq, struct sched_entity *se, uint64_t now);

static uint64_t rng_state = 0x243f6a8885a308d3ULL;

static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

/* The measured operations; noinline so callgrind can toggle on them. */
NOINLINE struct sched_entity *bench_pick(struct runqueue *rq, uint64_t now)
{
	sched_update_curr(rq, now);
	sched_put_prev(rq, now, true);
	return sched_pick_next(rq, now);
}

NOINLINE bool bench_wake(struct runqueue *rq, struct sched_entity *se, uint64_t now)
{
	return sched_enqueue(rq, se, now, true);
}

NOINLINE bool bench_enqueue(struct runqueue *rq, struct sched_entity *se, uint64_t now)
{
	return sched_enqueue(rq, se, now, false);
}

NOINLINE void bench_dequeue(struct runqueue *rq, struct sched_entity *se, uint64_t now)
{
	sched_dequeue(rq, se, now);
}

static void die(const char *msg)
{
	fprintf(stderr, "bench_sched: %s\n", msg);
	exit(1);
}

/* An unmeasured decision (same work as bench_pick). */
static void decide(struct runqueue *rq, uint64_t now)
{
	sched_update_curr(rq, now);
	sched_put_prev(rq, now, true);
	sched_pick_next(rq, now);
}

/* curr runs between a quarter and a whole slice, then the next is picked. */
static uint64_t advance(uint64_t now)
{
	return now + SLICE / 4 + rnd() % (3 * SLICE / 4);
}

/* Takes a random queued entity out of the queue, or curr if none is
 * queued (N = 1): it blocks. */
static struct sched_entity *take_one(struct runqueue *rq, uint64_t now)
{
	struct sched_entity *se;

	if (!rq->nr_queued) {
		se = rq->curr;
		sched_put_prev(rq, now, false);
		return se;
	}
	se = rq->heap[rnd() % rq->nr_queued];
	sched_dequeue(rq, se, now);
	return se;
}

int main(int argc, char **argv)
{
	static const uint32_t weights[] = { 1024, 1024, 2048, 512, 3072, 1024, 4096, 1536 };
	struct sched_params p = { .slice = SLICE, .wakeup_gran = SLICE / 4,
				  .balance_gap = SCHED_WEIGHT_UNIT };
	struct sched_entity **heap, *se;
	struct runqueue rq;
	struct sched_entity *ents;
	uint64_t now = 0, sum = 0;
	unsigned long n, iters, i;
	const char *op;

	if (argc != 4)
		die("usage: bench_sched pick|wake|enqueue|dequeue N ITERS");
	op = argv[1];
	n = strtoul(argv[2], NULL, 0);
	iters = strtoul(argv[3], NULL, 0);
	if (!n || n > 1u << 20)
		die("N out of range");
	heap = calloc(n, sizeof(*heap));
	ents = calloc(n, sizeof(*ents));
	if (!heap || !ents)
		die("out of memory");

	rq_init(&rq, 0, heap, (uint32_t)n, &p);
	for (i = 0; i < n; i++) {
		se_init(&ents[i], weights[i % 8], ~0ULL);
		ents[i].lag = (int64_t)(rnd() % SLICE);
		sched_enqueue(&rq, &ents[i], now, false);
	}
	sched_pick_next(&rq, now);
	/* Warm up: every entity has run and the vruntimes have spread. */
	for (i = 0; i < 4 * n + 100; i++) {
		now = advance(now);
		decide(&rq, now);
	}

	for (i = 0; i < iters; i++) {
		now = advance(now);
		if (!strcmp(op, "pick")) {
			se = bench_pick(&rq, now);
		} else if (!strcmp(op, "wake")) {
			/* Unmeasured: a decision, then one entity blocks
			 * for long enough to be placed at the floor. It
			 * wakes while curr runs (into an idle queue if
			 * N = 1). */
			decide(&rq, now);
			se = take_one(&rq, now);
			se->vruntime = rq.min_vruntime - 4 * SLICE;
			bench_wake(&rq, se, now);
		} else if (!strcmp(op, "enqueue")) {
			/* Likewise, entering with a random lag, as a new
			 * or migrated entity does. */
			decide(&rq, now);
			se = take_one(&rq, now);
			se->lag = (int64_t)(rnd() % (2 * SLICE)) - (int64_t)SLICE;
			bench_enqueue(&rq, se, now);
		} else if (!strcmp(op, "dequeue")) {
			/* From a heap of all N: curr is put back first. */
			sched_put_prev(&rq, now, true);
			se = rq.heap[rnd() % rq.nr_queued];
			bench_dequeue(&rq, se, now);
			if (se->on_rq)
				die("dequeue failed");
			sched_enqueue(&rq, se, now, false);
		} else {
			die("unknown operation");
		}
		if (!se || !se->on_rq)
			die("entity lost");
		if (!rq.curr)
			sched_pick_next(&rq, now);
		sum += se->vruntime;
	}
	if (rq.nr_queued + 1 != n)
		die("run queue size changed");
	/* Keeps the work observable; also a cross-check between builds. */
	printf("%s n=%lu iters=%lu checksum=%016llx\n", op, n, iters,
	       (unsigned long long)sum);
	free(heap);
	free(ents);
	return 0;
}
