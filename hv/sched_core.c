/* The scheduling mechanism that is not x86-specific: one run queue per
 * pCPU with its lock, the per-CPU loop, blocking, waking, stopping,
 * kicking, and periodic load balancing. The policy decisions come from
 * hv/sched.c; switching and running from arch/x86/vcpu_run.c. */
#include "hv/sched_core.h"
#include "hv/log.h"
#include "hv/percpu.h"
#include "hv/sched.h"
#include "hv/summary.h"
#include "hv/trace.h"
#include "hv/vm.h"
#include "arch/x86/cpu.h"
#include "arch/x86/smp.h"
#include "arch/x86/tsc.h"
#include "arch/x86/dr_trace.h"
#include "arch/x86/vcpu_run.h"
#include "arch/x86/watch.h"

#define NO_BALANCE_EXPERIMENT 0
#define RQ_CAP 512
#define SLICE_US 10000        /* 10 ms */
#define BALANCE_US 20000      /* balance every 20 ms of a CPU's time */

struct cpu_sched {
	struct runqueue rq;
	spinlock_t lock;
	struct sched_entity *slots[RQ_CAP];
	uint64_t next_balance;
	uint64_t idle_ticks, busy_ticks;
};

static struct cpu_sched cpus[MAX_CPUS];
static struct sched_params params;
static volatile unsigned int vms_running;

static inline struct cpu_sched *here(void)
{
	return &cpus[this_cpu()->id];
}

static struct vcpu *se_vcpu(struct sched_entity *se)
{
	return (struct vcpu *)((char *)se - __builtin_offsetof(struct vcpu, se));
}

#define VCPU_TAG(v) ((v)->vm->id << 8 | (v)->id)

const struct sched_params *sched_get_params(void)
{
	return &params;
}

void sched_core_init(void)
{
	params.slice = tsc_from_us(SLICE_US);
	params.wakeup_gran = params.slice / 10;
	params.balance_gap = SCHED_WEIGHT_UNIT / 2;
	for (unsigned i = 0; i < MAX_CPUS; i++)
		rq_init(&cpus[i].rq, i, cpus[i].slots, RQ_CAP, &params);
	vms_running = nvms;
	for (unsigned i = 0; i < nvms; i++)
		if (vms[i]->state != VM_RUNNING)
			vms_running--;
}

unsigned int sched_vms_running(void)
{
	return __atomic_load_n(&vms_running, __ATOMIC_ACQUIRE);
}


static struct runqueue *online_rqs[MAX_CPUS];

static unsigned int build_rq_list(void)
{
	unsigned n = smp_cpu_slots();
	for (unsigned i = 0; i < n; i++)
		online_rqs[i] = percpu[i].online ? &cpus[i].rq : NULL;
	return n;
}

static void enqueue_on(struct vcpu *v, int cpu, bool wakeup)
{
	struct cpu_sched *cs = &cpus[cpu];
	bool preempt;

	spin_lock(&cs->lock);
	preempt = sched_enqueue(&cs->rq, &v->se, rdtsc(), wakeup);
	spin_unlock(&cs->lock);
	/* Even without preemption the target must re-arm its slice: its
	 * current vCPU may have been running alone, without a time limit. */
	(void)preempt;
	arch_kick_cpu((unsigned)cpu);
}

void sched_add_vcpu(struct vcpu *v)
{
	static spinlock_t place_lock = SPINLOCK_INIT;
	spin_lock(&place_lock);
	unsigned n = build_rq_list();
	int cpu = sched_select_cpu(online_rqs, n, &v->se);
	spin_unlock(&place_lock);
	if (cpu < 0) {
		sched_stop_vcpu(v, VM_END_LOAD_FAILED, "its pin= set names no online CPU");
		return;
	}
	v->state = VCPU_RUNNABLE;
	enqueue_on(v, cpu, false);
}

void sched_block_current(struct vcpu *v)
{
	spin_lock(&v->lock);
	if (v->state == VCPU_RUNNABLE && !v->kick)
		v->state = VCPU_BLOCKED;
	v->kick = false;
	spin_unlock(&v->lock);
}

void sched_wake(struct vcpu *v)
{
	spin_lock(&v->lock);
	if (v->state != VCPU_BLOCKED) {
		/* Running or queued: make sure it notices (HLT race). */
		v->kick = true;
		spin_unlock(&v->lock);
		return;
	}
	v->state = VCPU_RUNNABLE;
	v->stats.wakeups++;
	/* Still its pCPU's current entity (it blocked but that pCPU has not
	 * put it back yet): that pCPU will see it runnable and requeue it. */
	bool queued = v->se.on_rq;
	spin_unlock(&v->lock);
	if (queued)
		return;
	unsigned n = build_rq_list();
	int cpu = sched_select_cpu(online_rqs, n, &v->se);
	if (cpu < 0)
		cpu = v->last_cpu >= 0 ? v->last_cpu : 0;
	enqueue_on(v, cpu, true);
}

void sched_kick_vcpu(struct vcpu *v)
{
	int cpu = v->se.cpu;
	if (v->state == VCPU_BLOCKED)
		sched_wake(v);
	else if (cpu >= 0)
		arch_kick_cpu((unsigned)cpu);
}

void sched_stop_vcpu(struct vcpu *v, int why, const char *msg)
{
	struct vm *vm = v->vm;

	trace_record(TR_STOP, VCPU_TAG(v), (uint64_t)why);
	spin_lock(&v->lock);
	bool was_stopped = v->state == VCPU_STOPPED;
	v->state = VCPU_STOPPED;
	spin_unlock(&v->lock);
	if (was_stopped)
		return;
	unsigned stopped = __atomic_add_fetch(&vm->vcpus_stopped, 1, __ATOMIC_ACQ_REL);
	if (stopped < vm->nvcpus) {
		/* If the VM already ended, the others stop as they run. */
		return;
	}
	vm_end(vm, (enum vm_end)why, 0, "%s", msg);
	spin_lock(&vm->lock);
	bool first = vm->state == VM_RUNNING;
	vm->state = VM_ENDED;
	spin_unlock(&vm->lock);
	if (first && __atomic_sub_fetch(&vms_running, 1, __ATOMIC_ACQ_REL) == 0) {
		/* Wake every CPU so that all see the end of the run. */
		for (unsigned i = 0; i < smp_cpu_slots(); i++)
			if (percpu[i].online)
				arch_kick_cpu(i);
	}
}

static void balance(struct cpu_sched *cs, uint64_t now)
{
	if (NO_BALANCE_EXPERIMENT)
		return;
	if (now < cs->next_balance)
		return;
	cs->next_balance = now + tsc_from_us(BALANCE_US);
	unsigned n = build_rq_list();
	int to;
	/* Lock every run queue in CPU order so the view is consistent. */
	for (unsigned i = 0; i < n; i++)
		if (online_rqs[i])
			spin_lock(&cpus[i].lock);
	struct sched_entity *se = sched_find_migration(online_rqs, n, &to);
	if (se) {
		struct runqueue *from = &cpus[se->cpu].rq;
		trace_record(TR_MIGRATE, VCPU_TAG(se_vcpu(se)), (uint64_t)se->cpu << 8 | (unsigned)to);
		if (!sched_migrate(from, &cpus[to].rq, se, now))
			se = NULL;
	}
	for (unsigned i = n; i-- > 0;)
		if (online_rqs[i])
			spin_unlock(&cpus[i].lock);
	if (se)
		arch_kick_cpu((unsigned)to);
}

void sched_run_cpu(void)
{
	struct cpu_sched *cs = here();
	struct vcpu *prev = NULL;

	arch_sched_cpu_init();
	for (;;) {
		watch_report_pending();
		summary_stats_tick(rdtsc());
		dr_trace(&this_cpu()->arch.dr, DR_TRACE_SCHED, 0xffff, 0, NULL);
		uint64_t now = rdtsc();
		spin_lock(&cs->lock);
		this_cpu()->need_resched = false;
		if (cs->rq.curr) {
			/* Decided under the vCPU's lock, against sched_wake. */
			spin_lock(&prev->lock);
			sched_put_prev(&cs->rq, now, prev->state == VCPU_RUNNABLE);
			spin_unlock(&prev->lock);
		}
		struct sched_entity *se = sched_pick_next(&cs->rq, now);
		uint64_t slice = se ? sched_time_left(&cs->rq, now) : 0;
		spin_unlock(&cs->lock);

		struct vcpu *next = se ? se_vcpu(se) : NULL;
		trace_record(TR_PICK, next ? VCPU_TAG(next) : 0xffff, slice);
		if (prev && prev != next) {
			arch_vcpu_switch_out(prev);
			prev = NULL;
		}
		if (!next) {
			if (!sched_vms_running()) {
				watch_report_pending();
				return;
			}
			balance(cs, now);
			irq_disable();
			trace_record(TR_IDLE, 0, cs->rq.nr_queued);
			if (!cs->rq.nr_queued && !this_cpu()->need_resched && sched_vms_running())
				arch_idle();
			irq_enable();
			cs->idle_ticks += rdtsc() - now;
			continue;
		}
		if (next != prev) {
			log_debug("sched: switch to %s/%u, slice %llu", next->vm->name, next->id,
				  (unsigned long long)slice);
			arch_vcpu_switch_in(next);
			prev = next;
		}
		arch_vcpu_run(next, slice);
		cs->busy_ticks += rdtsc() - now;
		balance(cs, rdtsc());
	}
}
