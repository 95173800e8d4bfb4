/* Host tests for the vCPU scheduling policy: exact accounting and virtual
 * time, the heap under random operations against a reference, and a
 * discrete-event simulator (CPU-bound and periodically sleeping vCPUs, a
 * simulated clock, slices enforced through sched_time_left) that checks
 * weighted fairness, starvation and wake-up delay bounds, CPU selection
 * and balancing with affinities, and hundreds of vCPUs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hv/sched.h"

#define SLICE 1000000ULL          /* ticks */
#define U SCHED_WEIGHT_UNIT
#define ALL_CPUS (~0ULL)

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64*: deterministic across hosts. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static uint64_t rnd_below(uint64_t n)
{
	return rnd() % n;
}

static double dabs(double x)
{
	return x < 0 ? -x : x;
}

static bool vr_before(uint64_t a, uint64_t b)
{
	return (int64_t)(a - b) < 0;
}

static bool se_order(const struct sched_entity *a, const struct sched_entity *b)
{
	if (a->vruntime != b->vruntime)
		return vr_before(a->vruntime, b->vruntime);
	return a->seq < b->seq;
}

/* The heap property, the back-pointers and the flags of every member. */
static void check_heap(const struct runqueue *rq)
{
	for (uint32_t i = 0; i < rq->nr_queued; i++) {
		const struct sched_entity *se = rq->heap[i];

		assert_int_equal(se->heap_idx, i);
		assert_true(se->on_rq);
		assert_false(se->running);
		assert_int_equal(se->cpu, (int)rq->cpu);
		if (i > 0)
			assert_false(se_order(se, rq->heap[(i - 1) / 2]));
	}
	if (rq->curr) {
		assert_true(rq->curr->running);
		assert_true(rq->curr->on_rq);
		assert_int_equal(rq->curr->cpu, (int)rq->cpu);
	}
	assert_true(rq->nr_queued + (rq->curr ? 1u : 0u) <= rq->cap);
}

/* --- simulator ------------------------------------------------------------ */

#define MAXE 600
#define MAXC 8

enum ent_state { BLOCKED, QUEUED, RUNNING };

struct ent {
	struct sched_entity se; /* first: ent_of() casts */
	bool sleeper;           /* runs run_len, blocks sleep_len, repeats */
	uint64_t run_len, sleep_len;
	enum ent_state st;
	uint64_t since;         /* when it entered 'st' */
	uint64_t burst_left, run_start, wake_at, woke_at;
	bool wake_pending;
	/* The simulator's own accounting, to check the scheduler's. */
	uint64_t exec, wait, blocked, max_wait, picks, migrations;
	uint64_t wakes, max_wake_delay, sum_wake_delay;
	uint64_t mark_exec;     /* exec at the start of the measured window */
	int64_t pinned_cpu;     /* -1, or the only CPU it may ever be seen on */
};

struct sim {
	unsigned int ncpus;
	struct runqueue rq[MAXC];
	struct runqueue *rqs[MAXC];
	struct sched_entity *storage[MAXC][MAXE];
	struct sched_params p;
	struct ent e[MAXE];
	unsigned int n;
	uint64_t start, now, mark;
	uint64_t busy[MAXC], idle[MAXC];
	uint64_t balance_period, next_balance;
	uint64_t decisions, wake_preemptions, balance_moves;
	uint64_t last_min[MAXC];
	unsigned int nsleepers;
};

static struct sim S;

static struct ent *ent_of(struct sched_entity *se)
{
	return (struct ent *)se;
}

static void sim_init(unsigned int ncpus, uint64_t offline_mask, uint64_t wakeup_gran,
		     uint64_t balance_gap, uint64_t balance_period, uint64_t start)
{
	memset(&S, 0, sizeof(S));
	S.ncpus = ncpus;
	S.p = (struct sched_params){ .slice = SLICE, .wakeup_gran = wakeup_gran,
				      .balance_gap = balance_gap };
	for (unsigned int c = 0; c < ncpus; c++) {
		rq_init(&S.rq[c], c, S.storage[c], MAXE, &S.p);
		S.rq[c].min_vruntime = start;
		S.last_min[c] = start;
		S.rqs[c] = offline_mask & BIT(c) ? NULL : &S.rq[c];
	}
	S.balance_period = balance_period;
	S.next_balance = balance_period;
}

static void set_state(struct ent *e, enum ent_state st)
{
	uint64_t d = S.now - e->since;

	switch (e->st) {
	case RUNNING:
		e->exec += d;
		break;
	case QUEUED:
		e->wait += d;
		if (d > e->max_wait)
			e->max_wait = d;
		break;
	case BLOCKED:
		e->blocked += d;
		break;
	}
	e->st = st;
	e->since = S.now;
}

static uint64_t exec_now(const struct ent *e)
{
	return e->exec + (e->st == RUNNING ? S.now - e->since : 0);
}

/* Adds an entity: queued on 'cpu' (or where sched_select_cpu says if
 * cpu < 0), or first blocked until 'wake_at' if it is a sleeper. */
static struct ent *sim_add(uint32_t weight, uint64_t affinity, int cpu,
			   uint64_t run_len, uint64_t sleep_len, uint64_t wake_at)
{
	struct ent *e = &S.e[S.n++];

	assert_true(S.n <= MAXE);
	se_init(&e->se, weight, affinity);
	e->sleeper = run_len != 0;
	S.nsleepers += e->sleeper;
	e->run_len = run_len;
	e->sleep_len = sleep_len;
	e->burst_left = run_len;
	e->since = S.now;
	e->pinned_cpu = __builtin_popcountll(affinity) == 1 ? __builtin_ctzll(affinity) : -1;
	if (e->sleeper && wake_at > S.now) {
		e->st = BLOCKED;
		e->wake_at = wake_at;
		return e;
	}
	if (cpu < 0)
		cpu = sched_select_cpu(S.rqs, S.ncpus, &e->se);
	assert_true(cpu >= 0);
	sched_enqueue(S.rqs[cpu], &e->se, S.now, false);
	assert_true(e->se.on_rq);
	e->st = QUEUED;
	return e;
}

static void sim_pick(unsigned int c)
{
	struct sched_entity *se = sched_pick_next(S.rqs[c], S.now);
	struct ent *e;

	if (!se)
		return;
	e = ent_of(se);
	assert_int_equal(e->st, QUEUED);
	assert_true(se->affinity & BIT(c));
	if (e->pinned_cpu >= 0)
		assert_int_equal(c, e->pinned_cpu);
	set_state(e, RUNNING);
	e->run_start = S.now;
	e->picks++;
	if (e->wake_pending) {
		uint64_t d = S.now - e->woke_at;

		e->wake_pending = false;
		e->wakes++;
		e->sum_wake_delay += d;
		if (d > e->max_wake_delay)
			e->max_wake_delay = d;
	}
}

static void sim_stop(unsigned int c, bool runnable)
{
	struct ent *e = ent_of(S.rqs[c]->curr);
	uint64_t ran = S.now - e->run_start;

	sched_put_prev(S.rqs[c], S.now, runnable);
	S.decisions++;
	if (e->sleeper) {
		assert_true(ran <= e->burst_left);
		e->burst_left -= ran;
	}
	set_state(e, runnable ? QUEUED : BLOCKED);
	if (!runnable)
		e->wake_at = S.now + e->sleep_len;
}

static void sim_wake(struct ent *e)
{
	int prev = e->se.cpu;
	int c = sched_select_cpu(S.rqs, S.ncpus, &e->se);
	bool preempt;

	assert_true(c >= 0 && (unsigned int)c < S.ncpus && S.rqs[c]);
	assert_true(e->se.affinity & BIT(c));
	preempt = sched_enqueue(S.rqs[c], &e->se, S.now, true);
	assert_true(e->se.on_rq);
	if (prev >= 0 && prev != c)
		e->migrations++;
	set_state(e, QUEUED);
	e->burst_left = e->run_len;
	e->wake_pending = true;
	e->woke_at = S.now;
	if (preempt && S.rqs[c]->curr) {
		S.wake_preemptions++;
		sim_stop((unsigned int)c, true);
	}
}

static void sim_balance(void)
{
	for (int k = 0; k < 8; k++) {
		int to = -1;
		struct sched_entity *se = sched_find_migration(S.rqs, S.ncpus, &to);
		struct ent *e;
		int from;

		if (!se)
			break;
		e = ent_of(se);
		from = se->cpu;
		assert_int_equal(e->st, QUEUED);
		assert_false(se->running);
		assert_true(to >= 0 && (unsigned int)to < S.ncpus && S.rqs[to]);
		assert_true(to != from);
		assert_true(se->affinity & BIT(to));
		assert_true(sched_migrate(S.rqs[from], S.rqs[to], se, S.now));
		e->migrations++;
		S.balance_moves++;
	}
}

/* Processes everything due at S.now, in a fixed order. */
static void sim_step(void)
{
	for (unsigned int c = 0; c < S.ncpus; c++) {
		struct runqueue *rq = S.rqs[c];

		if (rq && rq->curr && ent_of(rq->curr)->sleeper &&
		    S.now - ent_of(rq->curr)->run_start >= ent_of(rq->curr)->burst_left)
			sim_stop(c, false);
	}
	for (unsigned int i = 0; S.nsleepers && i < S.n; i++)
		if (S.e[i].st == BLOCKED && S.e[i].wake_at <= S.now)
			sim_wake(&S.e[i]);
	for (unsigned int c = 0; c < S.ncpus; c++)
		if (S.rqs[c] && sched_should_preempt(S.rqs[c], S.now))
			sim_stop(c, true);
	if (S.balance_period && S.now >= S.next_balance) {
		sim_balance();
		S.next_balance += S.balance_period;
	}
	for (unsigned int c = 0; c < S.ncpus; c++)
		if (S.rqs[c] && !S.rqs[c]->curr)
			sim_pick(c);
	for (unsigned int c = 0; c < S.ncpus; c++) {
		if (!S.rqs[c])
			continue;
		/* min_vruntime only increases. */
		assert_false(vr_before(S.rqs[c]->min_vruntime, S.last_min[c]));
		S.last_min[c] = S.rqs[c]->min_vruntime;
	}
}

static void sim_run(uint64_t until)
{
	if (S.now == 0 && S.n)
		sim_step();
	while (S.now < until) {
		uint64_t next = until;

		for (unsigned int c = 0; c < S.ncpus; c++) {
			struct runqueue *rq = S.rqs[c];
			uint64_t tl;

			if (!rq || !rq->curr)
				continue;
			tl = sched_time_left(rq, S.now);
			if (tl != UINT64_MAX && S.now + tl < next)
				next = S.now + tl;
			if (ent_of(rq->curr)->sleeper) {
				struct ent *e = ent_of(rq->curr);

				if (e->run_start + e->burst_left < next)
					next = e->run_start + e->burst_left;
			}
		}
		for (unsigned int i = 0; S.nsleepers && i < S.n; i++)
			if (S.e[i].st == BLOCKED && S.e[i].wake_at < next)
				next = S.e[i].wake_at;
		if (S.balance_period && S.next_balance < next)
			next = S.next_balance;
		assert_true(next >= S.now);
		for (unsigned int c = 0; c < S.ncpus; c++) {
			if (!S.rqs[c])
				continue;
			if (S.rqs[c]->curr)
				S.busy[c] += next - S.now;
			else
				S.idle[c] += next - S.now;
		}
		S.now = next;
		sim_step();
	}
}

/* Starts the measured window: shares are computed from here. */
static void sim_mark(void)
{
	S.mark = S.now;
	for (unsigned int i = 0; i < S.n; i++)
		S.e[i].mark_exec = exec_now(&S.e[i]);
}

static double share(const struct ent *e)
{
	return (double)(exec_now(e) - e->mark_exec) / (double)(S.now - S.mark);
}

/*
 * Everything accounted for: each entity is in exactly one place, the run
 * queues hold exactly the entities the simulator thinks they hold, and the
 * scheduler's counters equal the simulator's, tick for tick.
 */
static void sim_check(void)
{
	uint64_t total_exec = 0, total_busy = 0;
	uint32_t queued[MAXC] = { 0 };
	uint64_t load[MAXC] = { 0 };

	for (unsigned int c = 0; c < S.ncpus; c++) {
		if (!S.rqs[c])
			continue;
		sched_update_curr(S.rqs[c], S.now);
		check_heap(S.rqs[c]);
		assert_int_equal(S.busy[c] + S.idle[c], S.now - S.start);
		total_busy += S.busy[c];
	}
	for (unsigned int i = 0; i < S.n; i++) {
		struct ent *e = &S.e[i];
		struct sched_entity *se = &e->se;
		uint64_t ongoing = S.now - e->since;

		assert_int_equal(e->exec + e->wait + e->blocked + ongoing, S.now - S.start);
		switch (e->st) {
		case RUNNING:
			assert_true(se->running && se->on_rq);
			assert_ptr_equal(S.rqs[se->cpu]->curr, se);
			assert_int_equal(se->sum_exec, e->exec + ongoing);
			assert_int_equal(se->sum_wait, e->wait);
			break;
		case QUEUED:
			assert_true(!se->running && se->on_rq);
			assert_ptr_equal(S.rqs[se->cpu]->heap[se->heap_idx], se);
			assert_int_equal(se->wait_start, e->since);
			assert_int_equal(se->sum_exec, e->exec);
			assert_int_equal(se->sum_wait, e->wait);
			queued[se->cpu]++;
			break;
		case BLOCKED:
			assert_false(se->on_rq);
			assert_false(se->running);
			assert_int_equal(se->sum_exec, e->exec);
			assert_int_equal(se->sum_wait, e->wait);
			break;
		}
		if (se->on_rq)
			load[se->cpu] += se->weight;
		assert_int_equal(se->max_wait, e->max_wait);
		assert_int_equal(se->nr_switches, e->picks);
		assert_int_equal(se->nr_migrations, e->migrations);
		if (se->cpu >= 0)
			assert_true(se->affinity & BIT(se->cpu));
		total_exec += exec_now(e);
	}
	for (unsigned int c = 0; c < S.ncpus; c++) {
		if (!S.rqs[c]) {
			assert_int_equal(queued[c], 0);
			continue;
		}
		assert_int_equal(S.rqs[c]->nr_queued, queued[c]);
		assert_int_equal(S.rqs[c]->load, load[c]);
		/* Work conserving: no CPU idles with work queued. */
		if (!S.rqs[c]->curr)
			assert_int_equal(S.rqs[c]->nr_queued, 0);
	}
	/* Every tick of CPU time went to exactly one entity. */
	assert_int_equal(total_exec, total_busy);
}

/* --- basic operations ----------------------------------------------------- */

static const struct sched_params P = { .slice = SLICE, .wakeup_gran = SLICE / 4,
				       .balance_gap = U };

static void test_empty_queue(void **state)
{
	struct sched_entity *heap[4];
	struct runqueue rq, *rqs[3] = { &rq, NULL, NULL };
	struct sched_entity se;
	int to = 7;

	rq_init(&rq, 0, heap, 4, &P);
	assert_null(sched_pick_next(&rq, 100));
	assert_int_equal(sched_time_left(&rq, 100), UINT64_MAX);
	assert_false(sched_should_preempt(&rq, 100));
	sched_update_curr(&rq, 200);
	sched_put_prev(&rq, 300, true);
	assert_null(rq.curr);
	assert_int_equal(rq.nr_queued, 0);
	assert_int_equal(rq.min_vruntime, 0);
	assert_null(sched_find_migration(rqs, 3, &to));
	assert_int_equal(to, 7);

	se_init(&se, U, BIT(1) | BIT(2));
	assert_int_equal(se.cpu, -1);
	assert_int_equal(sched_select_cpu(rqs, 3, &se), -1); /* only offline CPUs */
	se_init(&se, U, 0);
	assert_int_equal(sched_select_cpu(rqs, 3, &se), -1); /* empty affinity */
	se_init(&se, U, BIT(5));
	assert_int_equal(sched_select_cpu(rqs, 3, &se), -1); /* beyond ncpus */
	rqs[0] = NULL;
	se_init(&se, U, ALL_CPUS);
	assert_int_equal(sched_select_cpu(rqs, 3, &se), -1); /* all offline */
	assert_null(sched_find_migration(rqs, 3, &to));
	assert_int_equal(sched_select_cpu(rqs, 0, &se), -1);
}

static void test_full_heap(void **state)
{
	struct sched_entity *heap[3], *heap2[1];
	struct sched_entity se[5];
	struct runqueue rq, rq2;

	rq_init(&rq, 0, heap, 3, &P);
	rq_init(&rq2, 1, heap2, 1, &P);
	for (int i = 0; i < 5; i++)
		se_init(&se[i], U, ALL_CPUS);
	assert_true(sched_enqueue(&rq, &se[0], 0, false)); /* idle: pick */
	sched_enqueue(&rq, &se[1], 0, false);
	sched_enqueue(&rq, &se[2], 0, false);
	assert_int_equal(rq.nr_queued, 3);

	/* Full: refused, nothing touched. */
	assert_false(sched_enqueue(&rq, &se[3], 0, true));
	assert_false(se[3].on_rq);
	assert_int_equal(se[3].cpu, -1);
	assert_int_equal(rq.nr_queued, 3);
	assert_int_equal(rq.load, 3 * U);

	/* curr counts against the capacity: its slot must stay free. */
	assert_ptr_equal(sched_pick_next(&rq, 10), &se[0]);
	assert_false(sched_enqueue(&rq, &se[3], 20, true));
	assert_false(se[3].on_rq);
	sched_put_prev(&rq, 30, true);
	assert_int_equal(rq.nr_queued, 3);
	check_heap(&rq);

	/* Already queued: refused. */
	assert_false(sched_enqueue(&rq2, &se[1], 40, false));
	assert_int_equal(rq2.nr_queued, 0);

	/* Migration to a full queue is refused. */
	sched_enqueue(&rq2, &se[4], 40, false);
	assert_false(sched_migrate(&rq, &rq2, &se[1], 50));
	assert_int_equal(se[1].cpu, 0);
	assert_int_equal(rq.nr_queued, 3);
	assert_int_equal(se[1].nr_migrations, 0);
	/* ... as is one of an entity not queued there, or onto itself. */
	assert_false(sched_migrate(&rq2, &rq, &se[1], 50));
	assert_false(sched_migrate(&rq, &rq, &se[1], 50));
	check_heap(&rq);
	check_heap(&rq2);

	/* Dequeue of an entity not queued here is ignored. */
	sched_dequeue(&rq2, &se[1], 60);
	sched_dequeue(&rq, &se[3], 60);
	assert_int_equal(rq.nr_queued, 3);
	assert_int_equal(rq2.nr_queued, 1);
}

/* Virtual time is exact: the division remainder is carried. */
static void test_vruntime_exact(void **state)
{
	struct sched_entity *heap[2];
	struct runqueue rq;
	struct sched_entity se;
	uint64_t now = 0;

	rq_init(&rq, 0, heap, 2, &P);

	/* Weight 3: charged one tick at a time. */
	se_init(&se, 3 * U, ALL_CPUS);
	sched_enqueue(&rq, &se, now, false);
	sched_pick_next(&rq, now);
	for (int i = 0; i < 3000; i++)
		sched_update_curr(&rq, ++now);
	assert_int_equal(se.sum_exec, 3000);
	assert_int_equal(se.vruntime, 1000);
	assert_int_equal(se.vrem, 0);
	/* Idempotent, and a clock going back is ignored. */
	sched_update_curr(&rq, now);
	sched_update_curr(&rq, now - 5);
	assert_int_equal(se.sum_exec, 3000);
	sched_put_prev(&rq, now, false);

	/* Weight 1<<20 charged one tick at a time still advances. */
	rq_init(&rq, 0, heap, 2, &P);
	se_init(&se, 1u << 20, ALL_CPUS);
	sched_enqueue(&rq, &se, 0, false);
	sched_pick_next(&rq, 0);
	for (now = 1; now <= (1u << 20); now++)
		sched_update_curr(&rq, now);
	assert_int_equal(se.vruntime, U);
	assert_int_equal(se.sum_exec, 1u << 20);
	/* A charge past 2^53 ticks takes the split path, still exact. */
	sched_update_curr(&rq, now + (1ULL << 60) - 1);
	assert_int_equal(se.vruntime, U + (1ULL << 50));
	sched_put_prev(&rq, now, false);

	/* Weight 1: 2^40 ticks is 2^50 of virtual time, no overflow. */
	rq_init(&rq, 0, heap, 2, &P);
	se_init(&se, 1, ALL_CPUS);
	sched_enqueue(&rq, &se, 0, false);
	sched_pick_next(&rq, 0);
	sched_update_curr(&rq, 1ULL << 40);
	assert_int_equal(se.vruntime, 1ULL << 50);
	/* An absurd charge saturates instead of wrapping the order. */
	sched_update_curr(&rq, (1ULL << 40) + (1ULL << 62));
	assert_int_equal(se.vruntime, (1ULL << 50) + (1ULL << 62));
	assert_int_equal(rq.min_vruntime, se.vruntime);

	/* Weight 0 is treated as 1 rather than dividing by zero. */
	se_init(&se, 0, ALL_CPUS);
	assert_int_equal(se.weight, 1);
}

/* Field by field over a hand-made timeline. */
static void test_accounting_exact(void **state)
{
	struct sched_entity *heap[4];
	struct runqueue rq;
	struct sched_entity a, b;

	rq_init(&rq, 0, heap, 4, &P);
	se_init(&a, U, ALL_CPUS);
	se_init(&b, 2 * U, ALL_CPUS);
	assert_true(sched_enqueue(&rq, &a, 0, false));
	assert_true(sched_enqueue(&rq, &b, 5, false));
	assert_int_equal(rq.load, 3 * U);
	assert_int_equal(sched_time_left(&rq, 5), 0); /* idle with work */

	/* Equal vruntimes: FIFO. */
	assert_ptr_equal(sched_pick_next(&rq, 10), &a);
	assert_int_equal(a.sum_wait, 10);
	assert_int_equal(a.max_wait, 10);
	assert_int_equal(a.nr_switches, 1);
	assert_int_equal(sched_time_left(&rq, 110), SLICE - 100);
	sched_update_curr(&rq, 110);
	assert_int_equal(sched_time_left(&rq, 110), SLICE - 100);
	assert_false(sched_should_preempt(&rq, 10 + SLICE - 1));
	assert_true(sched_should_preempt(&rq, 10 + SLICE));
	assert_int_equal(sched_time_left(&rq, 10 + SLICE + 7), 0);
	sched_put_prev(&rq, 1010, true);
	assert_int_equal(a.sum_exec, 1000);
	assert_int_equal(a.vruntime, 1000);
	assert_int_equal(rq.min_vruntime, 0); /* b is still at 0 */

	assert_ptr_equal(sched_pick_next(&rq, 1010), &b);
	assert_int_equal(b.sum_wait, 1005);
	assert_int_equal(sched_time_left(&rq, 1010), SLICE);
	sched_put_prev(&rq, 3010, true);
	assert_int_equal(b.sum_exec, 2000);
	assert_int_equal(b.vruntime, 1000); /* weight 2: half speed */
	assert_int_equal(rq.min_vruntime, 1000);

	/* Tie at 1000: a was queued first. */
	assert_ptr_equal(sched_pick_next(&rq, 3010), &a);
	assert_int_equal(a.sum_wait, 10 + 2000);
	assert_int_equal(a.max_wait, 2000);
	assert_int_equal(a.nr_switches, 2);
	sched_put_prev(&rq, 3510, false); /* a blocks */
	assert_false(a.on_rq);
	assert_int_equal(a.lag, 500);
	assert_int_equal(rq.load, 2 * U);
	assert_int_equal(sched_time_left(&rq, 3510), 0);
	assert_ptr_equal(sched_pick_next(&rq, 3600), &b);
	assert_int_equal(b.sum_wait, 1005 + 590);
	assert_int_equal(b.max_wait, 1005);
	assert_int_equal(sched_time_left(&rq, 3600), UINT64_MAX); /* alone */
	assert_false(sched_should_preempt(&rq, 3600 + 10 * SLICE));

	/* Dequeue counts the wait so far. */
	assert_false(sched_enqueue(&rq, &a, 4000, true)); /* no preemption */
	assert_true(a.on_rq);
	assert_int_equal(a.vruntime, 1500); /* kept: above the floor */
	sched_dequeue(&rq, &a, 4100);
	assert_int_equal(a.sum_wait, 2010 + 100);
	assert_int_equal(a.sum_exec, 1500);
	assert_int_equal(rq.load, 2 * U);
	assert_int_equal(a.nr_migrations, 0);
	assert_int_equal(b.nr_migrations, 0);
	check_heap(&rq);
}

/* Placement of new, woken and returning entities, and wake-up preemption. */
static void test_placement(void **state)
{
	struct sched_entity *heap[8];
	struct runqueue rq;
	struct sched_entity c, s, n, r;
	const uint64_t m = 100 * SLICE;

	rq_init(&rq, 0, heap, 8, &P);
	rq.min_vruntime = m;
	se_init(&c, U, ALL_CPUS);
	sched_enqueue(&rq, &c, 0, false);
	assert_int_equal(c.vruntime, m); /* new: at the floor */
	sched_pick_next(&rq, 0);

	/* A long sleeper is lifted to the floor minus half a slice and,
	 * being more than wakeup_gran behind curr, preempts. */
	se_init(&s, U, ALL_CPUS);
	s.cpu = 0;
	s.vruntime = 3;
	assert_true(sched_enqueue(&rq, &s, 0, true));
	assert_int_equal(s.vruntime, m - SLICE / 2);
	sched_dequeue(&rq, &s, 0);

	/* One whose vruntime is above the floor keeps it and, not far
	 * enough ahead of curr, does not preempt. */
	s.vruntime = m - SLICE / 8;
	assert_false(sched_enqueue(&rq, &s, 0, true));
	assert_int_equal(s.vruntime, m - SLICE / 8);
	sched_dequeue(&rq, &s, 0);
	/* curr has run: now the same sleeper is more than gran behind. */
	sched_update_curr(&rq, SLICE / 4);
	assert_int_equal(c.vruntime, m + SLICE / 4);
	s.vruntime = m - SLICE / 8;
	assert_true(sched_enqueue(&rq, &s, SLICE / 4, true));
	sched_dequeue(&rq, &s, SLICE / 4);

	/* A new entity woken is put at the floor (lag 0), which curr's
	 * vruntime now holds. */
	se_init(&n, U, ALL_CPUS);
	assert_false(sched_enqueue(&rq, &n, SLICE / 4, true));
	assert_int_equal(n.vruntime, m + SLICE / 4);
	assert_int_equal(rq.min_vruntime, m + SLICE / 4);

	/* Dequeued and enqueued again: same lag as before, whatever the
	 * floor did meanwhile. */
	se_init(&r, U, ALL_CPUS);
	sched_enqueue(&rq, &r, SLICE / 4, false);
	r.lag = 0;
	sched_dequeue(&rq, &r, SLICE / 4);
	assert_int_equal(r.lag, (int64_t)(r.vruntime - rq.min_vruntime));
	{
		int64_t lag = r.lag;

		sched_put_prev(&rq, SLICE, true);
		sched_dequeue(&rq, &n, SLICE); /* floor moves to curr's */
		assert_int_equal(rq.min_vruntime, m + SLICE);
		sched_enqueue(&rq, &r, SLICE, false);
		assert_int_equal(r.vruntime, rq.min_vruntime + (uint64_t)lag);
	}
	check_heap(&rq);
}

/*
 * A wake-up too close to curr to preempt at once preempts as soon as curr
 * is wakeup_gran ahead of it, to the tick, whatever curr's weight; an
 * entity that was not woken waits for the slice.
 */
static void test_deferred_wakeup(void **state)
{
	static const uint32_t w[] = { U, 3 * U, 1, 1u << 20, 5 * U / 3 };

	for (size_t k = 0; k < ARRAY_SIZE(w); k++) {
		struct sched_entity *heap[4];
		struct runqueue rq;
		struct sched_entity c, s, q;
		uint64_t t0 = 1000, left, v;

		rq_init(&rq, 0, heap, 4, &P);
		se_init(&c, w[k], ALL_CPUS);
		se_init(&s, U, ALL_CPUS);
		se_init(&q, U, ALL_CPUS);
		sched_enqueue(&rq, &c, 0, false);
		sched_pick_next(&rq, 0);
		sched_update_curr(&rq, t0);  /* leaves a remainder in vrem */
		v = c.vruntime;
		/* q: queued without a wake-up, behind curr: no early end. */
		sched_enqueue(&rq, &q, t0, false);
		assert_int_equal(sched_time_left(&rq, t0), SLICE - t0);
		sched_dequeue(&rq, &q, t0);
		/* s: woken, slightly behind curr. */
		s.cpu = 0;
		s.vruntime = v - SLICE / 16;
		assert_false(sched_enqueue(&rq, &s, t0, true));
		left = sched_time_left(&rq, t0);
		if (w[k] == U)
			assert_int_equal(left, SLICE / 4 - SLICE / 16 + 1);
		if (w[k] == 1u << 20) {
			/* Heavy curr: its slice ends first. */
			assert_int_equal(left, SLICE - t0);
			assert_true(sched_should_preempt(&rq, SLICE));
			continue;
		}
		assert_false(sched_should_preempt(&rq, t0 + left - 1));
		assert_true((int64_t)(c.vruntime - s.vruntime) <= (int64_t)(SLICE / 4));
		assert_true(sched_should_preempt(&rq, t0 + left));
		assert_true((int64_t)(c.vruntime - s.vruntime) > (int64_t)(SLICE / 4));
		sched_put_prev(&rq, t0 + left, true);
		assert_ptr_equal(sched_pick_next(&rq, t0 + left), &s);
		assert_false(s.woken);
	}
}

/* Virtual times may wrap through 2^64: order is modular. */
static void test_wraparound(void **state)
{
	sim_init(1, 0, SLICE / 4, U, 0, UINT64_MAX - 50 * SLICE);
	sim_add(U, ALL_CPUS, 0, 0, 0, 0);
	sim_add(U, ALL_CPUS, 0, 0, 0, 0);
	sim_add(2 * U, ALL_CPUS, 0, 0, 0, 0);
	sim_add(U, ALL_CPUS, 0, SLICE / 10, SLICE, 0);
	sim_mark();
	sim_run(2000 * SLICE);
	assert_true(S.rq[0].min_vruntime < 1000 * SLICE); /* it did wrap */
	sim_check();
	for (int i = 0; i < 3; i++) {
		double exp = (double)S.e[i].se.weight / (4.0 * U) *
			     (1.0 - share(&S.e[3]));

		assert_true(share(&S.e[i]) > exp * 0.98 && share(&S.e[i]) < exp * 1.02);
	}
	assert_true(S.e[3].max_wake_delay <= SLICE);
}

/* --- fairness, starvation, wake-up delay on one CPU ------------------------ */

static void run_weights(const uint32_t *w, unsigned int n, uint64_t slices)
{
	uint32_t total = 0;

	sim_init(1, 0, SLICE / 4, U, 0, 0);
	for (unsigned int i = 0; i < n; i++) {
		sim_add(w[i] * U, ALL_CPUS, 0, 0, 0, 0);
		total += w[i];
	}
	sim_mark();
	sim_run(slices * SLICE);
	sim_check();
	for (unsigned int i = 0; i < n; i++) {
		double exp = (double)w[i] / total, got = share(&S.e[i]);
		/* A queued entity waits for the others at most once each
		 * until it has caught up: sum over j != i of ceil(w_j/w_i)
		 * slices (proof in the report). */
		uint64_t bound = 0;

		for (unsigned int j = 0; j < n; j++)
			if (j != i)
				bound += (w[j] + w[i] - 1) / w[i] * SLICE;
		print_message("  weight %u: share %.4f (expected %.4f), max wait %.2f slices (bound %.0f)\n",
			      w[i], got, exp, (double)S.e[i].max_wait / SLICE,
			      (double)bound / SLICE);
		assert_true(got > exp * 0.98 && got < exp * 1.02);
		assert_true(S.e[i].max_wait <= bound);
	}
}

static void test_fair_1_1_2(void **state)
{
	static const uint32_t w[] = { 1, 1, 2 };

	run_weights(w, 3, 4000);
}

static void test_fair_1_2_3_4(void **state)
{
	static const uint32_t w[] = { 1, 2, 3, 4 };

	run_weights(w, 4, 10000);
}

/* Equal weights: every runnable entity runs within (n-1) slices. */
static void test_no_starvation_equal(void **state)
{
	static const uint32_t w[] = { 1, 1, 1, 1, 1, 1, 1 };

	run_weights(w, 7, 3000);
	for (int i = 0; i < 7; i++)
		assert_true(S.e[i].max_wait <= 6 * SLICE);
}

/* Extreme weights share one CPU without overflow or starvation. */
static void test_weight_extremes(void **state)
{
	static const uint32_t w[] = { 1, U, U, 1u << 20 };
	double total = 1.0 + 2 * U + (1u << 20);

	sim_init(1, 0, SLICE / 4, U, 0, 0);
	for (int i = 0; i < 4; i++)
		sim_add(w[i], ALL_CPUS, 0, 0, 0, 0);
	sim_mark();
	sim_run(3000000 * SLICE / 1000); /* 3000 slices */
	sim_check();
	for (int i = 0; i < 4; i++) {
		double exp = w[i] / total;

		print_message("  weight %u: share %.6f (expected %.6f), %lu picks\n",
			      w[i], share(&S.e[i]), exp, (unsigned long)S.e[i].picks);
	}
	/* The weight-1 entity's first slice costs it 1024 slices of
	 * virtual time: it runs once, then not again within 3000. */
	assert_int_equal(S.e[0].picks, 1);
	assert_true(share(&S.e[3]) > w[3] / total * 0.99);
	assert_true(share(&S.e[1]) > w[1] / total * 0.5 && share(&S.e[1]) < w[1] / total * 1.5);
	/* Every vruntime within 2^62 of the floor: the order is sound. */
	for (int i = 0; i < 4; i++)
		assert_true((uint64_t)llabs((long long)(S.e[i].se.vruntime -
							 S.rq[0].min_vruntime)) < (1ULL << 62));
}

/*
 * A light sleeper (e.g. 1/10 slice every 2 slices, like a guest in HLT
 * between timer ticks) among n CPU-bound entities of the same weight.
 *
 * Bound: let g = min(wakeup_gran, slice/2). An entity using less than its
 * share wakes with its vruntime clamped to v = min_vruntime - slice/2, or
 * at least v <= min_vruntime, while every CPU-bound entity (never off the
 * queue) has vruntime >= min_vruntime: it is first in line, and curr is
 * preempted at once if curr is more than g ahead of it, else as soon as it
 * is (sched_time_left), so its wake-up delay is at most g * w_curr / U + 1
 * ticks, and never more than curr's remaining slice. With g < slice/2 and
 * the clamp, curr is >= slice/2 > g ahead: the delay is 0.
 */
static uint64_t worst_cpu_wait; /* per entity on the queue */

static uint64_t run_sleeper(unsigned int ncpu_bound, uint64_t run, uint64_t sleep,
			    uint64_t gran)
{
	struct ent *sl;
	double demand = (double)run / (double)(run + sleep);
	uint64_t g = gran < SLICE / 2 ? gran : SLICE / 2;

	sim_init(1, 0, gran, U, 0, 0);
	for (unsigned int i = 0; i < ncpu_bound; i++)
		sim_add(U, ALL_CPUS, 0, 0, 0, 0);
	/* Queued from the start: its first wake-up is a real one. */
	sl = sim_add(U, ALL_CPUS, 0, run, sleep, 0);
	sim_mark();
	sim_run(4000 * SLICE);
	sim_check();
	assert_true(sl->wakes > 1000);
	assert_true(sl->max_wake_delay <= g + 1);
	assert_true(sl->max_wake_delay <= SLICE);
	if (gran < SLICE / 2 && demand < 0.9 / (ncpu_bound + 1))
		assert_int_equal(sl->max_wake_delay, 0);
	/* It got what it asked for. */
	assert_true(share(sl) > demand * 0.98);
	for (unsigned int i = 0; i < ncpu_bound; i++) {
		double exp = (1.0 - share(sl)) / ncpu_bound;

		assert_true(share(&S.e[i]) > exp * 0.98 && share(&S.e[i]) < exp * 1.02);
		/* Every entity runs within n slices, n counting the
		 * sleeper (preemption restarts a peer's slice, so the
		 * (n-1) slices of the CPU-bound-only case do not hold). */
		assert_true(S.e[i].max_wait <= (ncpu_bound + 1) * SLICE);
		if (S.e[i].max_wait > worst_cpu_wait * (ncpu_bound + 1))
			worst_cpu_wait = S.e[i].max_wait / (ncpu_bound + 1);
	}
	return sl->max_wake_delay;
}

static void test_wake_delay(void **state)
{
	static const struct { unsigned int n; uint64_t run, sleep; } cfg[] = {
		{ 1, SLICE / 10, 2 * SLICE }, { 3, SLICE / 10, 2 * SLICE },
		{ 7, SLICE / 10, 2 * SLICE }, { 3, SLICE / 100, SLICE / 3 },
		{ 3, SLICE / 4, 3 * SLICE / 4 + 1 }, { 15, SLICE / 50, 3 * SLICE },
		{ 3, SLICE / 3, 5 * SLICE / 3 + 7 }, { 1, SLICE / 3, SLICE / 3 },
	};
	static const uint64_t gran[] = { 0, SLICE / 4, SLICE / 2, 2 * SLICE };

	for (size_t i = 0; i < ARRAY_SIZE(cfg); i++) {
		print_message("  %2u CPU-bound + sleeper %.2f/%.2f slices: max wake delay",
			      cfg[i].n, (double)cfg[i].run / SLICE,
			      (double)cfg[i].sleep / SLICE);
		for (size_t j = 0; j < ARRAY_SIZE(gran); j++)
			print_message(" %lu (gran %.2f)",
				      (unsigned long)run_sleeper(cfg[i].n, cfg[i].run,
								 cfg[i].sleep, gran[j]),
				      (double)gran[j] / SLICE);
		print_message(" ticks\n");
	}
	print_message("  CPU-bound max wait: at most %.3f slices per entity on the queue\n",
		      (double)worst_cpu_wait / SLICE);
}

/*
 * A sleeper that wakes constantly (1/20 slice on, 1/20 off: it would take
 * half the CPU) against two CPU-bound entities: it cannot take more than
 * its fair third, and they cannot starve it of it either, whatever
 * wakeup_gran. Nobody waits more than n slices.
 */
static void test_frequent_sleeper(void **state)
{
	static const uint64_t gran[] = { 0, SLICE / 10, SLICE / 4, SLICE / 2, 2 * SLICE };
	static const uint64_t on[] = { SLICE / 20, SLICE / 100, SLICE / 2 };

	for (size_t k = 0; k < ARRAY_SIZE(on); k++) {
		for (size_t j = 0; j < ARRAY_SIZE(gran); j++) {
			struct ent *sl;

			sim_init(1, 0, gran[j], U, 0, 0);
			sim_add(U, ALL_CPUS, 0, 0, 0, 0);
			sim_add(U, ALL_CPUS, 0, 0, 0, 0);
			sl = sim_add(U, ALL_CPUS, 0, on[k], on[k], 0);
			sim_mark();
			sim_run(3000 * SLICE);
			sim_check();
			print_message("  on/off %.2f, gran %.2f: sleeper share %.4f, CPU-bound %.4f %.4f; "
				      "max wait %.2f %.2f %.2f slices\n",
				      (double)on[k] / SLICE, (double)gran[j] / SLICE, share(sl),
				      share(&S.e[0]), share(&S.e[1]),
				      (double)S.e[0].max_wait / SLICE,
				      (double)S.e[1].max_wait / SLICE,
				      (double)sl->max_wait / SLICE);
			for (int i = 0; i < 3; i++) {
				assert_true(share(&S.e[i]) > 0.98 / 3 &&
					    share(&S.e[i]) < 1.02 / 3);
				assert_true(S.e[i].max_wait <= 3 * SLICE);
			}
		}
	}
}

/* --- CPU selection and balancing ----------------------------------------- */

static void test_select_cpu(void **state)
{
	static const int nfill[4] = { 3, 1, 2, 0 };
	struct sched_entity *heap[4][8];
	struct runqueue rq[4], *rqs[4];
	struct sched_entity fill[12], se;

	for (int i = 0; i < 12; i++)
		se_init(&fill[i], U, ALL_CPUS);
	for (int c = 0; c < 4; c++) {
		rq_init(&rq[c], (unsigned int)c, heap[c], 8, &P);
		rqs[c] = &rq[c];
	}
	/* Loads 3, 1, 2, 0 (x U). */
	for (int i = 0, k = 0; i < 4; i++)
		for (int j = 0; j < nfill[i]; j++)
			sched_enqueue(&rq[i], &fill[k++], 0, false);

	se_init(&se, U, ALL_CPUS);
	assert_int_equal(sched_select_cpu(rqs, 4, &se), 3);     /* least loaded */
	se.affinity = BIT(0) | BIT(2);
	assert_int_equal(sched_select_cpu(rqs, 4, &se), 2);     /* within affinity */
	se.affinity = BIT(0);
	assert_int_equal(sched_select_cpu(rqs, 4, &se), 0);     /* pinned, though busy */
	se.affinity = BIT(0) | BIT(1) | BIT(3) | BIT(40);
	rqs[3] = NULL;
	assert_int_equal(sched_select_cpu(rqs, 4, &se), 1);     /* 3 offline */
	rqs[3] = &rq[3];

	/* Previous CPU kept while within balance_gap of the least loaded. */
	se.affinity = ALL_CPUS;
	se.cpu = 1;                                             /* load 1 vs 0 */
	assert_int_equal(sched_select_cpu(rqs, 4, &se), 1);
	se.cpu = 2;                                             /* load 2 vs 0 */
	assert_int_equal(sched_select_cpu(rqs, 4, &se), 3);
	se.affinity = ALL_CPUS & ~BIT(1);
	se.cpu = 1;                                             /* no longer allowed */
	assert_int_equal(sched_select_cpu(rqs, 4, &se), 3);
	se.affinity = ALL_CPUS;
	rqs[1] = NULL;                                          /* went offline */
	assert_int_equal(sched_select_cpu(rqs, 4, &se), 3);
	rqs[1] = &rq[1];
	/* Ties go to the lowest CPU; its own weight does not count. */
	se_init(&fill[6], U, ALL_CPUS);
	sched_enqueue(&rq[3], &fill[6], 0, false);              /* loads 3,1,2,1 */
	se.cpu = -1;
	assert_int_equal(sched_select_cpu(rqs, 4, &se), 1);
	assert_int_equal(sched_select_cpu(rqs, 4, &fill[6]), 3); /* 3 is 0 without it */
	assert_int_equal(sched_select_cpu(rqs, 4, &fill[0]), 0); /* 2 vs 1: within gap */

	/* Full run queues are skipped. */
	{
		struct sched_entity *h1[1];
		struct runqueue tiny;
		struct runqueue *two[2] = { &rq[0], &tiny };

		rq_init(&tiny, 1, h1, 1, &P);
		se_init(&se, U, ALL_CPUS);
		assert_int_equal(sched_select_cpu(two, 2, &se), 1);
		sched_enqueue(&tiny, &fill[7], 0, false);
		assert_int_equal(sched_select_cpu(two, 2, &se), 0);
		se.affinity = BIT(1);
		assert_int_equal(sched_select_cpu(two, 2, &se), -1);
		assert_int_equal(sched_select_cpu(two, 2, &fill[7]), 1); /* its own */
	}
}

/* Runs the balancer to a fixed point; returns the number of moves. */
static int balance_all(struct runqueue *const *rqs, unsigned int ncpus, uint64_t now)
{
	int moves = 0, to;
	struct sched_entity *se;

	while ((se = sched_find_migration(rqs, ncpus, &to))) {
		assert_true(se->affinity & BIT(to));
		assert_false(se->running);
		assert_true(sched_migrate(rqs[se->cpu], rqs[to], se, now));
		moves++;
		assert_true(moves < 1000);
	}
	return moves;
}

static void test_balance_converges(void **state)
{
	static struct sched_entity *heap[3][32];
	struct runqueue rq[3], *rqs[3];
	struct sched_entity se[16];

	for (uint64_t gap = 0; gap <= U; gap += U) {
		struct sched_params p = P;

		p.balance_gap = gap;
		for (unsigned int c = 0; c < 2; c++) {
			rq_init(&rq[c], c, heap[c], 32, &p);
			rqs[c] = &rq[c];
		}
		/* 12 on CPU 0, one of them pinned there, one running. */
		for (int i = 0; i < 12; i++) {
			se_init(&se[i], U, i == 5 ? BIT(0) : ALL_CPUS);
			sched_enqueue(&rq[0], &se[i], 0, false);
		}
		sched_pick_next(&rq[0], 0);
		assert_int_equal(balance_all(rqs, 2, 10), 6);
		assert_int_equal(rq[0].load, 6 * U);
		assert_int_equal(rq[1].load, 6 * U);
		assert_int_equal(se[5].cpu, 0);
		assert_int_equal(se[5].nr_migrations, 0);
		assert_int_equal(rq[0].curr->cpu, 0);
		check_heap(&rq[0]);
		check_heap(&rq[1]);
	}

	/* Three CPUs, the middle one offline; 9 entities; gap 0. */
	{
		struct sched_params p = P;

		p.balance_gap = 0;
		for (unsigned int c = 0; c < 3; c++) {
			rq_init(&rq[c], c, heap[c], 32, &p);
			rqs[c] = &rq[c];
		}
		rqs[1] = NULL;
		for (int i = 0; i < 9; i++) {
			se_init(&se[i], U, ALL_CPUS);
			sched_enqueue(&rq[0], &se[i], 0, false);
		}
		assert_int_equal(balance_all(rqs, 3, 0), 4);
		assert_int_equal(rq[0].load, 5 * U);
		assert_int_equal(rq[2].load, 4 * U);
		assert_int_equal(rq[1].nr_queued, 0);
	}

	/* One heavy entity alone: moving it would only mirror the
	 * imbalance, so it stays. */
	for (unsigned int c = 0; c < 2; c++) {
		rq_init(&rq[c], c, heap[c], 32, &P);
		rqs[c] = &rq[c];
	}
	se_init(&se[0], 4 * U, ALL_CPUS);
	sched_enqueue(&rq[0], &se[0], 0, false);
	assert_int_equal(balance_all(rqs, 2, 0), 0);
	se_init(&se[1], U, ALL_CPUS);
	se_init(&se[2], U, ALL_CPUS);
	sched_enqueue(&rq[0], &se[1], 0, false);
	sched_enqueue(&rq[0], &se[2], 0, false);
	/* With two light ones beside it, the best move is the heavy one
	 * (6:0 -> 2:4; a light one would make 5:1); then 2:4 cannot be
	 * improved by moving the heavy one back. */
	assert_int_equal(balance_all(rqs, 2, 0), 1);
	assert_int_equal(rq[0].load, 2 * U);
	assert_int_equal(rq[1].load, 4 * U);
	assert_int_equal(se[0].cpu, 1);

	/* The running entity is never proposed. */
	for (unsigned int c = 0; c < 2; c++)
		rq_init(&rq[c], c, heap[c], 32, &P);
	se_init(&se[0], U, ALL_CPUS);
	se_init(&se[1], U, BIT(0));
	se_init(&se[2], U, BIT(0));
	sched_enqueue(&rq[0], &se[0], 0, false);
	sched_enqueue(&rq[0], &se[1], 0, false);
	sched_enqueue(&rq[0], &se[2], 0, false);
	sched_pick_next(&rq[0], 0);
	assert_ptr_equal(rq[0].curr, &se[0]);
	assert_int_equal(balance_all(rqs, 2, 0), 0);
}

/* Migration keeps vruntime - min_vruntime; wait and counters continue. */
static void test_migration_relative(void **state)
{
	static struct sched_entity *heap[2][8];
	struct runqueue rq[2];
	struct sched_entity a, b, x, y;
	int64_t lag;

	rq_init(&rq[0], 0, heap[0], 8, &P);
	rq_init(&rq[1], 1, heap[1], 8, &P);
	rq[0].min_vruntime = 5 * SLICE;
	rq[1].min_vruntime = 1000 * SLICE;
	se_init(&a, U, ALL_CPUS);
	se_init(&b, U, ALL_CPUS);
	se_init(&x, U, ALL_CPUS);
	sched_enqueue(&rq[0], &a, 0, false);
	sched_enqueue(&rq[0], &b, 0, false);
	sched_enqueue(&rq[1], &x, 0, false);
	sched_pick_next(&rq[0], 0);                 /* a runs */
	sched_pick_next(&rq[1], 0);                 /* x runs */
	sched_put_prev(&rq[0], 3 * SLICE / 2, true); /* a: 1.5 slices ahead */
	sched_pick_next(&rq[0], 3 * SLICE / 2);     /* b runs */
	sched_update_curr(&rq[0], 2 * SLICE);
	lag = (int64_t)(a.vruntime - rq[0].min_vruntime);
	assert_int_equal(lag, SLICE);
	assert_true(sched_migrate(&rq[0], &rq[1], &a, 2 * SLICE));
	assert_int_equal((int64_t)(a.vruntime - rq[1].min_vruntime), lag);
	assert_int_equal(a.cpu, 1);
	assert_int_equal(a.nr_migrations, 1);
	assert_int_equal(rq[0].load, U);
	assert_int_equal(rq[1].load, 2 * U);
	/* One wait from 1.5 to 3 slices, across the move. */
	sched_put_prev(&rq[1], 3 * SLICE, true);
	sched_dequeue(&rq[1], &x, 3 * SLICE);
	assert_ptr_equal(sched_pick_next(&rq[1], 3 * SLICE), &a);
	assert_int_equal(a.max_wait, 3 * SLICE / 2);
	assert_int_equal(a.sum_wait, 3 * SLICE / 2);

	/* A blocked entity waking on another CPU keeps its lag, then
	 * gets the usual placement. */
	sched_put_prev(&rq[1], 3 * SLICE + 100, false);
	assert_int_equal(a.lag, (int64_t)(a.vruntime - rq[1].min_vruntime));
	lag = a.lag;
	sched_enqueue(&rq[0], &a, 4 * SLICE, true);
	assert_int_equal(a.vruntime, rq[0].min_vruntime + (uint64_t)lag);
	assert_int_equal(a.nr_migrations, 2);
	/* ... and a negative lag is clamped at the floor - slice/2. */
	se_init(&y, U, ALL_CPUS);
	y.cpu = 1;
	y.lag = -(int64_t)(10 * SLICE);
	assert_true(sched_enqueue(&rq[0], &y, 4 * SLICE, true));
	assert_int_equal(y.vruntime, rq[0].min_vruntime - SLICE / 2);
	assert_int_equal(y.nr_migrations, 1);
	check_heap(&rq[0]);
	check_heap(&rq[1]);
}

/* --- the heap under random operations ------------------------------------ */

static void test_heap_random(void **state)
{
	enum { N = 64, CAP = 40, OPS = 40000 };
	static struct sched_entity *heap[2][CAP];
	static struct sched_entity se[N];
	static int where[N];      /* reference: -1 off, else cpu; */
	static bool running[N];
	struct runqueue rq[2];
	struct sched_params p = P;
	uint64_t now = 0, last_min[2] = { 0, 0 };

	rng_state = 0x9e3779b97f4a7c15ULL;
	p.slice = 1000;
	for (int c = 0; c < 2; c++)
		rq_init(&rq[c], (unsigned int)c, heap[c], CAP, &p);
	for (int i = 0; i < N; i++) {
		se_init(&se[i], (uint32_t)(1 + rnd_below(8 * U)), ALL_CPUS);
		where[i] = -1;
	}
	for (int op = 0; op < OPS; op++) {
		int i = (int)rnd_below(N), c = (int)rnd_below(2);
		struct runqueue *r = &rq[c];

		now += rnd_below(300);
		switch (rnd_below(6)) {
		case 0: /* enqueue */
		case 1: {
			bool full = rq[c].nr_queued + (rq[c].curr != NULL) >= CAP;
			bool ok;

			sched_enqueue(r, &se[i], now, rnd_below(2));
			ok = where[i] < 0 && !full;
			assert_int_equal(se[i].on_rq, where[i] >= 0 || ok);
			if (ok)
				where[i] = c;
			break;
		}
		case 2: /* dequeue */
			sched_dequeue(r, &se[i], now);
			if (where[i] == c && !running[i])
				where[i] = -1;
			break;
		case 3: { /* schedule: put_prev + pick */
			struct sched_entity *best = NULL, *got;
			bool keep = rnd_below(3) != 0;

			if (r->curr) {
				int k = (int)(r->curr - se);

				sched_put_prev(r, now, keep);
				running[k] = false;
				if (!keep)
					where[k] = -1;
			}
			for (int k = 0; k < N; k++)
				if (where[k] == c && (!best || se_order(&se[k], best)))
					best = &se[k];
			got = sched_pick_next(r, now);
			assert_ptr_equal(got, best);
			if (got)
				running[got - se] = true;
			break;
		}
		case 4:
			sched_update_curr(r, now);
			break;
		case 5: { /* migrate */
			bool ok = where[i] == c && !running[i] &&
				  rq[!c].nr_queued + (rq[!c].curr != NULL) < CAP;

			assert_int_equal(sched_migrate(r, &rq[!c], &se[i], now), ok);
			if (ok)
				where[i] = !c;
			break;
		}
		}
		for (int k = 0; k < 2; k++) {
			uint64_t load = 0;
			uint32_t queued = 0;

			check_heap(&rq[k]);
			for (int j = 0; j < N; j++) {
				if (where[j] != k)
					continue;
				load += se[j].weight;
				queued += !running[j];
				assert_true(se[j].on_rq);
				assert_int_equal(se[j].running, running[j]);
			}
			assert_int_equal(rq[k].load, load);
			assert_int_equal(rq[k].nr_queued, queued);
			assert_false(vr_before(rq[k].min_vruntime, last_min[k]));
			last_min[k] = rq[k].min_vruntime;
		}
		for (int j = 0; j < N; j++)
			if (where[j] < 0)
				assert_false(se[j].on_rq);
	}
}

/* --- hundreds of vCPUs ---------------------------------------------------- */

/* 500 CPU-bound vCPUs of weights 1-4 on 4 CPUs, a fifth of them pinned, a
 * fifth limited to a pair: after balancing, CPU time follows weight. */
static void test_many_fair(void **state)
{
	double worst = 0;

	sim_init(4, 0, SLICE / 4, U, 4 * SLICE, 0);
	for (int i = 0; i < 500; i++) {
		uint64_t aff = ALL_CPUS;

		if (i % 5 == 0)
			aff = BIT(i / 5 % 4);
		else if (i % 5 == 1)
			aff = i / 5 % 2 ? BIT(0) | BIT(1) : BIT(2) | BIT(3);
		/* All start on the lowest CPU they may use. */
		sim_add((uint32_t)(i % 4 + 1) * U, aff, __builtin_ctzll(aff), 0, 0, 0);
	}
	sim_run(2000 * SLICE);  /* balance */
	print_message("  after warm-up: %lu moves, loads %lu %lu %lu %lu (x U)\n",
		      (unsigned long)S.balance_moves,
		      (unsigned long)(S.rq[0].load / U), (unsigned long)(S.rq[1].load / U),
		      (unsigned long)(S.rq[2].load / U), (unsigned long)(S.rq[3].load / U));
	sim_mark();
	sim_run(2000 * SLICE + 200 * 1250 * SLICE / 4); /* weight 1: ~200 slices */
	sim_check();
	for (int i = 0; i < 500; i++) {
		double exp = 4.0 * (i % 4 + 1) / 1250.0, r = share(&S.e[i]) / exp;

		if (dabs(r - 1) > worst)
			worst = dabs(r - 1);
	}
	print_message("  %lu decisions, %lu moves, worst share error %.2f%%\n",
		      (unsigned long)S.decisions, (unsigned long)S.balance_moves,
		      100 * worst);
	assert_true(worst < 0.03);
}

/* 500 vCPUs, a third sleepers of assorted periods, 5 CPUs of which one is
 * offline, affinities, wake-ups placed by sched_select_cpu, periodic
 * balancing: nothing lost, every tick accounted for, affinity respected. */
static void test_many_mixed(void **state)
{
	rng_state = 12345;
	sim_init(5, BIT(2), SLICE / 4, U, 3 * SLICE, 0);
	for (int i = 0; i < 500; i++) {
		uint64_t aff = ALL_CPUS;
		uint32_t w = (uint32_t)(1 + rnd_below(4)) * U;

		if (i % 7 == 0)
			aff = BIT(rnd_below(5));
		else if (i % 7 == 1)
			aff = BIT(rnd_below(5)) | BIT(rnd_below(5)) | BIT(2);
		if (aff == BIT(2))
			aff = BIT(3);       /* pinned to an offline CPU: unplaceable */
		if (i % 3 == 0)
			sim_add(w, aff, -1, 1 + rnd_below(SLICE),
				1 + rnd_below(200 * SLICE), 1 + rnd_below(100 * SLICE));
		else
			sim_add(w, aff, -1, 0, 0, 0);
	}
	for (int k = 0; k < 10; k++) {
		sim_run((uint64_t)(k + 1) * 300 * SLICE);
		sim_check();
	}
	for (int c = 0; c < 5; c++)
		if (S.rqs[c])
			print_message("  cpu %d: busy %.4f, load %lu, %u queued\n", c,
				      (double)S.busy[c] / (double)S.now,
				      (unsigned long)(S.rq[c].load / U), S.rq[c].nr_queued);
	print_message("  %lu decisions, %lu wake preemptions, %lu balance moves\n",
		      (unsigned long)S.decisions, (unsigned long)S.wake_preemptions,
		      (unsigned long)S.balance_moves);
	assert_true(S.balance_moves > 0);
	assert_int_equal(S.idle[0] + S.idle[1] + S.idle[3] + S.idle[4], 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_queue),
		cmocka_unit_test(test_full_heap),
		cmocka_unit_test(test_vruntime_exact),
		cmocka_unit_test(test_accounting_exact),
		cmocka_unit_test(test_placement),
		cmocka_unit_test(test_deferred_wakeup),
		cmocka_unit_test(test_wraparound),
		cmocka_unit_test(test_fair_1_1_2),
		cmocka_unit_test(test_fair_1_2_3_4),
		cmocka_unit_test(test_no_starvation_equal),
		cmocka_unit_test(test_weight_extremes),
		cmocka_unit_test(test_wake_delay),
		cmocka_unit_test(test_frequent_sleeper),
		cmocka_unit_test(test_select_cpu),
		cmocka_unit_test(test_balance_converges),
		cmocka_unit_test(test_migration_relative),
		cmocka_unit_test(test_heap_random),
		cmocka_unit_test(test_many_fair),
		cmocka_unit_test(test_many_mixed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
