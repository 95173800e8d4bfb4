/*
 * vCPU scheduling policy: weighted fair sharing by virtual time.
 *
 * Pure code (no hardware, no locks, no allocation): the mechanism in
 * arch/x86/ holds each run queue's lock, supplies the clock ('now', in TSC
 * ticks) and does the actual switching; the host unit tests drive the
 * same functions with a simulated clock.
 *
 * Each vCPU is a sched_entity with a weight. While it runs its virtual
 * time advances by (ticks run) * SCHED_WEIGHT_UNIT / weight, so over time
 * CPU time is proportional to weight. Each run queue picks the runnable
 * entity with the smallest virtual time (a binary min-heap: O(log n)
 * enqueue/dequeue/pick). A waking entity is placed no earlier than the
 * queue's min virtual time minus half a slice, which bounds how far it can
 * run ahead of others (no starvation by sleeping). It preempts curr once
 * curr is more than wakeup_gran ahead of it, at once or later (see
 * sched_time_left), so a vCPU using less than its share waits at most
 * min(wakeup_gran, slice/2) of curr's virtual time after waking, and none
 * at all when wakeup_gran < slice/2.
 */
#ifndef TERN_SCHED_H
#define TERN_SCHED_H

#include "hv/types.h"

#define SCHED_WEIGHT_UNIT 1024u  /* weight of a default vCPU ("weight=1") */
#define SCHED_MAX_CPUS 64
#define SCHED_MIGRATE_SCAN 32u   /* heap slots examined per CPU when balancing */

struct sched_entity {
	uint64_t vruntime;
	uint32_t weight;      /* > 0; change only while off its queue */
	uint32_t vrem;        /* remainder of the last vruntime division, so
	                       * vruntime is exact however often curr is charged */
	uint64_t affinity;    /* bit n set: may run on pCPU n */
	int cpu;              /* run queue it belongs to (or last ran on while
	                       * blocked), -1 before placement */
	bool on_rq;           /* queued or running on its run queue */
	bool running;         /* it is rq->curr */
	bool woken;           /* queued by a wake-up and not run since */
	uint32_t heap_idx;    /* position in the heap while queued */
	uint64_t seq;         /* enqueue order: FIFO among equal vruntimes */
	int64_t lag;          /* vruntime - min_vruntime when it left its queue */
	uint64_t exec_start;  /* 'now' when it last started running */
	uint64_t exec_charged; /* 'now' up to which it has been charged */
	uint64_t wait_start;  /* 'now' when it last became queued */
	/* Accounting, in ticks and counts. */
	uint64_t sum_exec;    /* time running */
	uint64_t sum_wait;    /* time runnable but waiting */
	uint64_t nr_switches; /* times it was picked to run */
	uint64_t nr_migrations; /* times it changed run queue */
	uint64_t max_wait;    /* longest single wait */
};

struct sched_params {
	uint64_t slice;        /* time slice, ticks */
	uint64_t wakeup_gran;  /* a woken entity preempts only if ahead by this
	                        * (virtual time; at most slice/2 is used) */
	uint64_t balance_gap;  /* migrate only if load differs by more than this */
};

struct runqueue {
	unsigned int cpu;
	struct sched_entity **heap; /* caller-provided storage, 'cap' slots;
	                             * 'cap' also bounds queued + curr */
	uint32_t nr_queued;         /* entities in the heap (curr excluded) */
	uint32_t cap;
	struct sched_entity *curr;  /* running entity or NULL (idle) */
	uint64_t min_vruntime;      /* monotonic floor of the queue's vruntimes */
	uint64_t load;              /* sum of weights, queued + curr */
	uint64_t seq;               /* next sched_entity.seq */
	const struct sched_params *params; /* shared by all run queues */
};

void rq_init(struct runqueue *rq, unsigned int cpu, struct sched_entity **storage,
	     uint32_t cap, const struct sched_params *params);
void se_init(struct sched_entity *se, uint32_t weight, uint64_t affinity);

/* Charges curr for the time since it was last charged (idempotent). */
void sched_update_curr(struct runqueue *rq, uint64_t now);
/* Makes 'se' runnable on 'rq'. 'wakeup': it was blocked (placement rule
 * above); otherwise its vruntime is kept relative to the queue (new
 * entities start at min_vruntime, others at min_vruntime + lag). A
 * blocked entity waking on another CPU keeps its lag, then is placed.
 * Returns true if it should preempt rq->curr, or if rq is idle (the CPU
 * should pick). Returns false and does nothing if rq already holds 'cap'
 * entities (curr included) or 'se' is already on a queue: check
 * se->on_rq to tell that from "no preemption". Even without preemption,
 * curr's sched_time_left may have shrunk (it was UINT64_MAX with nobody
 * waiting; a woken entity may be due to preempt later): re-arm the
 * preemption timer. */
bool sched_enqueue(struct runqueue *rq, struct sched_entity *se, uint64_t now,
		   bool wakeup);
/* Removes a queued (not running) entity, e.g. because its VM is paused;
 * it counts the wait so far and records its lag. */
void sched_dequeue(struct runqueue *rq, struct sched_entity *se, uint64_t now);
/* curr stops running: back into the queue if 'runnable', else it leaves
 * the run queue (blocked or ended). */
void sched_put_prev(struct runqueue *rq, uint64_t now, bool runnable);
/* Takes the entity with the smallest vruntime out of the queue and makes
 * it curr; NULL if none (the CPU idles). rq->curr must be NULL (if not,
 * it is returned unchanged). */
struct sched_entity *sched_pick_next(struct runqueue *rq, uint64_t now);
/* True if another entity is waiting and curr has used its slice, or the
 * first in line was woken and curr is now more than wakeup_gran ahead of
 * it (a wake-up preemption deferred until it is due). */
bool sched_should_preempt(struct runqueue *rq, uint64_t now);
/* Ticks curr may still run before sched_should_preempt becomes true (for
 * the preemption timer); UINT64_MAX if nobody else is waiting; 0 if the
 * CPU is idle but entities are queued. Charges curr up to 'now'. */
uint64_t sched_time_left(struct runqueue *rq, uint64_t now);

/* Where a waking or new entity should run: its previous CPU if allowed and
 * not busier than the least loaded allowed CPU by more than balance_gap,
 * else the least loaded allowed CPU (lowest number on ties). rqs[i] may be
 * NULL for CPUs that are offline; full run queues are skipped. Returns -1
 * if its affinity allows no online CPU with room. O(ncpus). */
int sched_select_cpu(struct runqueue *const *rqs, unsigned int ncpus,
		     const struct sched_entity *se);
/* Load balancing: finds one queued (not running) entity whose move to the
 * least loaded CPU its affinity allows reduces the imbalance of a pair of
 * CPUs whose loads differ by more than balance_gap (its weight is below
 * the difference), preferring the move that reduces it most. Each move
 * strictly lowers the sum of squared loads, so repeated balancing
 * converges. Only the last SCHED_MIGRATE_SCAN heap slots of each CPU are
 * examined, which keeps it O(ncpus). Returns it (still on its queue; the caller moves it with
 * sched_migrate under both locks) and the target CPU in *to, or NULL. */
struct sched_entity *sched_find_migration(struct runqueue *const *rqs,
					  unsigned int ncpus, int *to);
/* Moves 'se' (queued on 'from') to 'to', keeping its position relative to
 * the queues' virtual times; its current wait continues. Returns false
 * and does nothing if 'to' is full or 'se' is not queued on 'from'. */
bool sched_migrate(struct runqueue *from, struct runqueue *to,
		   struct sched_entity *se, uint64_t now);

#endif
