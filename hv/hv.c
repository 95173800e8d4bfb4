/* Hypervisor start-up across CPUs: the boot CPU checks VMX, every CPU turns
 * it on, all meet at a barrier, then the VMs run until all have ended. */
#include "hv/hv.h"
#include "hv/boot.h"
#include "hv/log.h"
#include "hv/percpu.h"
#include "arch/x86/cpu.h"
#include "arch/x86/smp.h"
#include "arch/x86/vmx.h"

enum phase { PHASE_WAIT, PHASE_VMX_ON, PHASE_RUN, PHASE_STOP };

static volatile int phase = PHASE_WAIT;
static volatile unsigned arrived;

static void wait_phase(int p)
{
	while (__atomic_load_n(&phase, __ATOMIC_ACQUIRE) < p)
		cpu_relax();
}

/* Counting barrier: returns once every online CPU has arrived. */
static void barrier_all(void)
{
	static volatile unsigned generation;
	unsigned gen = __atomic_load_n(&generation, __ATOMIC_ACQUIRE);
	if (__atomic_add_fetch(&arrived, 1, __ATOMIC_ACQ_REL) == ncpus_online) {
		arrived = 0;
		__atomic_store_n(&generation, gen + 1, __ATOMIC_RELEASE);
	} else {
		while (__atomic_load_n(&generation, __ATOMIC_ACQUIRE) == gen)
			cpu_relax();
	}
}

static bool enable_vmx_here(void)
{
	char err[200];
	if (!vmx_cpu_enable(err, sizeof(err))) {
		log_err("VMX: %s", err);
		return false;
	}
	log_info("VMX on");
	return true;
}

__noreturn void hv_ap_main(void)
{
	wait_phase(PHASE_VMX_ON);
	if (phase != PHASE_STOP) {
		enable_vmx_here();
		barrier_all();
	}
	for (;;) {
		irq_disable();
		cpu_halt();
	}
}

void hv_start(const struct boot_info *bi, const struct tern_options *o)
{
	char err[256];

	if (!vmx_global_init(err, sizeof(err))) {
		log_err("VMX unavailable: %s", err);
		log_err("Tern needs Intel VMX with EPT and unrestricted guest; no VM can run here");
		__atomic_store_n(&phase, PHASE_STOP, __ATOMIC_RELEASE);
		return;
	}
	__atomic_store_n(&phase, PHASE_VMX_ON, __ATOMIC_RELEASE);
	enable_vmx_here();
	barrier_all();
	log_info("VMX is on on all %u CPUs", ncpus_online);
}
