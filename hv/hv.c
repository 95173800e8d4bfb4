/* Hypervisor start-up across CPUs: the boot CPU checks VMX, every CPU turns
 * it on and meets the others at a barrier, the boot CPU creates the VMs,
 * then every CPU schedules vCPUs until all VMs have ended, and the boot
 * CPU prints the summary. */
#include "hv/hv.h"
#include "hv/ksyms.h"
#include "hv/boot.h"
#include "hv/log.h"
#include "hv/percpu.h"
#include "hv/sched_core.h"
#include "hv/summary.h"
#include "hv/vm.h"
#include "hv/vm_config.h"
#include "arch/x86/cpu.h"
#include "arch/x86/dr.h"
#include "arch/x86/dr_trace.h"
#include "arch/x86/irq.h"
#include "arch/x86/smp.h"
#include "arch/x86/vmx.h"
#include "arch/x86/watch.h"

enum phase { PHASE_WAIT, PHASE_VMX_ON, PHASE_RUN, PHASE_STOP };

static volatile int phase = PHASE_WAIT;
static volatile unsigned arrived;
static volatile unsigned generation;
static volatile unsigned vmx_failures;

static void set_phase(int p)
{
	__atomic_store_n(&phase, p, __ATOMIC_RELEASE);
}

static int wait_phase(int p)
{
	int cur;
	while ((cur = __atomic_load_n(&phase, __ATOMIC_ACQUIRE)) < p)
		cpu_relax();
	return cur;
}

/* Counting barrier: returns once every online CPU has arrived. */
static void barrier_all(void)
{
	unsigned gen = __atomic_load_n(&generation, __ATOMIC_ACQUIRE);
	if (__atomic_add_fetch(&arrived, 1, __ATOMIC_ACQ_REL) == ncpus_online) {
		arrived = 0;
		__atomic_store_n(&generation, gen + 1, __ATOMIC_RELEASE);
	} else {
		while (__atomic_load_n(&generation, __ATOMIC_ACQUIRE) == gen)
			cpu_relax();
	}
}

static void enable_vmx_here(void)
{
	char err[200];
	dr_cpu_init(&this_cpu()->arch.dr, this_cpu()->id);
	watch_arm_this_cpu();
	if (!vmx_cpu_enable(err, sizeof(err))) {
		log_err("VMX: %s", err);
		__atomic_fetch_add(&vmx_failures, 1, __ATOMIC_ACQ_REL);
		return;
	}
	log_info("VMX on");
}

__noreturn void hv_ap_main(void)
{
	if (wait_phase(PHASE_VMX_ON) == PHASE_VMX_ON) {
		enable_vmx_here();
		barrier_all();
		if (wait_phase(PHASE_RUN) == PHASE_RUN) {
			sched_run_cpu();
			barrier_all();
		}
	}
	for (;;) {
		irq_disable();
		cpu_halt();
	}
}

void hv_start(const struct boot_info *bi, const struct tern_options *o)
{
	char err[256];

	irq_init();
	dr_trace_enabled = o->trace_dr;
	watch_setup(o);
	if (!vmx_global_init(err, sizeof(err))) {
		log_err("VMX unavailable: %s", err);
		log_err("Tern needs Intel VMX with EPT and unrestricted guest; no VM can run here");
		set_phase(PHASE_STOP);
		return;
	}
	set_phase(PHASE_VMX_ON);
	enable_vmx_here();
	barrier_all();
	if (vmx_failures) {
		log_err("VMX could not be enabled on %u CPU%s; stopping", vmx_failures,
			vmx_failures == 1 ? "" : "s");
		set_phase(PHASE_STOP);
		return;
	}
	log_info("VMX is on on all %u CPUs", ncpus_online);

	unsigned runnable = vm_config_create_all(bi, o);
	if (!nvms) {
		log_warn("no VMs configured (vm= on the command line or 'vm:' module lines); nothing to run");
		set_phase(PHASE_STOP);
		return;
	}
	sched_core_init();
	summary_stats_init(o->stats_ms);
	for (unsigned i = 0; i < nvms; i++)
		if (vms[i]->state == VM_RUNNING)
			sched_add_vcpu(vms[i]->vcpus[0]);
	if (runnable) {
		set_phase(PHASE_RUN);
		sched_run_cpu();
		barrier_all();
	} else {
		set_phase(PHASE_STOP);
	}
	summary_print();
}
