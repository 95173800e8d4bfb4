/* End-of-run summary. Human-readable first, then one "result" line per VM,
 * per vCPU and per CPU with space-separated key=value pairs, so that tests
 * and scripts can read the outcome without parsing prose. */
#include "hv/summary.h"
#include "hv/fmt.h"
#include "hv/log.h"
#include "hv/percpu.h"
#include "hv/spinlock.h"
#include "hv/vm.h"
#include "arch/x86/cpu.h"
#include "arch/x86/smp.h"
#include "arch/x86/tsc.h"
#include "arch/x86/vmx_names.h"
#include "arch/x86/watch.h"

static const char *state_name(const struct vm *vm)
{
	switch (vm->state) {
	case VM_ENDED: return "ended";
	case VM_FAILED: return "not-created";
	case VM_RUNNING: return "running";
	default: return "created";
	}
}

static uint64_t vm_exits(const struct vm *vm)
{
	uint64_t n = 0;
	for (unsigned i = 0; i < vm->nvcpus; i++)
		if (vm->vcpus[i])
			n += vcpu_exits(vm->vcpus[i]);
	return n;
}

static uint64_t stats_every, stats_next;
static spinlock_t stats_lock = SPINLOCK_INIT;

void summary_stats_init(uint32_t interval_ms)
{
	stats_every = tsc_from_us((uint64_t)interval_ms * 1000);
	stats_next = rdtsc() + stats_every;
}

/* One line per vCPU, like the summary's, while the VMs run. */
void summary_stats_tick(uint64_t now)
{
	if (!stats_every || now < stats_next || !spin_trylock(&stats_lock))
		return;
	stats_next = now + stats_every;
	for (unsigned i = 0; i < nvms; i++) {
		const struct vm *vm = vms[i];
		for (unsigned j = 0; j < vm->nvcpus; j++) {
			const struct vcpu *v = vm->vcpus[j];
			if (!v)
				continue;
			printk("stats t_us=%llu vm=%s vcpu=%u state=%d cpu=%d run_us=%llu wait_us=%llu switches=%llu migrations=%llu exits=%llu\n",
			       (unsigned long long)tsc_to_us(now), vm->name, v->id, v->state,
			       v->se.cpu, (unsigned long long)tsc_to_us(v->se.sum_exec),
			       (unsigned long long)tsc_to_us(v->se.sum_wait),
			       (unsigned long long)v->se.nr_switches,
			       (unsigned long long)v->se.nr_migrations,
			       (unsigned long long)vcpu_exits(v));
		}
	}
	spin_unlock(&stats_lock);
}

void summary_print(void)
{
	printk("\n==== Tern run summary ====\n");
	printk("%-15s %-12s %-14s %8s %10s  %s\n", "VM", "state", "end", "status", "exits",
	       "detail");
	for (unsigned i = 0; i < nvms; i++) {
		const struct vm *vm = vms[i];
		printk("%-15s %-12s %-14s %#8x %10llu  %s\n", vm->name, state_name(vm),
		       vm_end_name(vm->end), vm->status, (unsigned long long)vm_exits(vm),
		       vm->end_detail);
	}
	for (unsigned i = 0; i < nvms; i++) {
		const struct vm *vm = vms[i];
		printk("result vm=%s state=%s end=%s status=%u vcpus=%u mem_mib=%llu weight=%u exits=%llu\n",
		       vm->name, state_name(vm), vm_end_name(vm->end), vm->status, vm->nvcpus,
		       (unsigned long long)(vm->mem_size / MiB), vm->spec.weight,
		       (unsigned long long)vm_exits(vm));
		for (unsigned j = 0; j < vm->nvcpus; j++) {
			const struct vcpu *v = vm->vcpus[j];
			if (!v)
				continue;
			char reasons[320];
			size_t n = 0;
			reasons[0] = '\0';
			for (unsigned r = 0; r < EXIT_REASONS && n < sizeof(reasons); r++)
				if (v->stats.exits_by_reason[r])
					n += (size_t)fmt_snprintf(reasons + n, sizeof(reasons) - n,
								  " exit.%u=%llu", r,
								  (unsigned long long)v->stats.exits_by_reason[r]);
			printk("result vm=%s vcpu=%u run_us=%llu wait_us=%llu max_wait_us=%llu switches=%llu migrations=%llu halts=%llu exits=%llu%s\n",
			       vm->name, v->id, (unsigned long long)tsc_to_us(v->se.sum_exec),
			       (unsigned long long)tsc_to_us(v->se.sum_wait),
			       (unsigned long long)tsc_to_us(v->se.max_wait),
			       (unsigned long long)v->se.nr_switches,
			       (unsigned long long)v->se.nr_migrations,
			       (unsigned long long)v->stats.halts,
			       (unsigned long long)vcpu_exits(v), reasons);
		}
		/* Hits of the VM's break= breakpoints, over all its vCPUs. */
		for (unsigned b = 0; b < vm->spec.nbreaks; b++) {
			uint64_t hits = 0;
			for (unsigned j = 0; j < vm->nvcpus; j++)
				if (vm->vcpus[j])
					hits += vm->vcpus[j]->arch.dr.dbg_hits[b];
			printk("result vm=%s break=%u type=%s addr=%s len=%u hits=%llu\n", vm->name,
			       b, watch_kind_name(vm->spec.breaks[b].kind),
			       vm->spec.breaks[b].target, vm->spec.breaks[b].len,
			       (unsigned long long)hits);
		}
	}
	for (unsigned c = 0; c < smp_cpu_slots(); c++) {
		if (!percpu[c].online)
			continue;
		const struct dr_cpu *d = &percpu[c].arch.dr;
		printk("result cpu=%u dr_reads=%llu dr_writes=%llu exits_with_dr_writes=%llu watch_hits=%llu\n",
		       c, (unsigned long long)d->count.reads, (unsigned long long)d->count.writes,
		       (unsigned long long)d->count.exits_with_writes,
		       (unsigned long long)d->count.watch_hits);
	}
	for (unsigned s = 0; s < watch_count(); s++)
		printk("result watch=%u hits=%llu\n", s, (unsigned long long)watch_hits(s));
	printk("result vms=%u\n", nvms);
}
