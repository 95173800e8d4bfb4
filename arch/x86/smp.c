/* SMP bring-up (SDM Vol. 3, 9.4 "Multiple-processor initialization"): the
 * boot CPU copies the trampoline below 1 MiB, and for each AP fills the
 * mailbox (page tables, stack, CPU number), sends INIT, then up to two
 * SIPIs, and waits for the AP to report itself online. */
#include "arch/x86/smp.h"
#include "arch/x86/cpu.h"
#include "arch/x86/lapic.h"
#include "arch/x86/paging.h"
#include "arch/x86/platform.h"
#include "arch/x86/trap.h"
#include "arch/x86/tsc.h"
#include "hv/cmdline.h"
#include "hv/hv.h"
#include "hv/lib.h"
#include "hv/log.h"
#include "hv/percpu.h"
#include "hv/pmm.h"

#define AP_STACK_PAGES 4

struct ap_mailbox { /* must match the end of boot/ap_trampoline.asm */
	uint64_t cr3;
	uint64_t stack;
	uint64_t entry;
	uint32_t cpu;
	uint32_t efer_extra;
	uint8_t alive;
} __packed;

extern const char __ap_trampoline_start[], __ap_trampoline_end[];
static unsigned int slots = 1;

unsigned int smp_cpu_slots(void)
{
	return slots;
}

void smp_send_ipi(unsigned int cpu, uint8_t vector)
{
	lapic_send_ipi(percpu[cpu].apic_id, vector);
}

void ap_entry(uint32_t id);
__noreturn void ap_entry(uint32_t id)
{
	percpu_init_cpu(id);
	gdt_init_cpu(&this_cpu()->arch.gdt);
	idt_load();
	lapic_init_cpu();
	__atomic_store_n(&this_cpu()->online, true, __ATOMIC_RELEASE);
	__atomic_fetch_add(&ncpus_online, 1, __ATOMIC_ACQ_REL);
	hv_ap_main();
}

/* Starts one AP. With play_dead (selftest=ap-fail) no SIPI is sent, so
 * the AP stays in wait-for-SIPI like a CPU that never answers. */
static bool start_one(unsigned id, uint32_t apic_id, volatile struct ap_mailbox *mb,
		      bool play_dead)
{
	paddr_t stack = pmm_alloc(AP_STACK_PAGES, PAGE_SIZE);
	if (!stack) {
		log_err("cpu%u: no memory for its stack", id);
		return false;
	}
	percpu[id].apic_id = apic_id;
	percpu[id].arch.stack_top = phys_to_virt(stack + AP_STACK_PAGES * PAGE_SIZE);
	mb->cr3 = paging_root();
	mb->stack = (uint64_t)percpu[id].arch.stack_top;
	mb->entry = (uint64_t)ap_entry;
	mb->cpu = id;
	mb->efer_extra = paging_nx_enabled() ? (uint32_t)EFER_NXE : 0;
	mb->alive = 0;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);

	lapic_send_init(apic_id);
	udelay(10000);
	for (int sipi = 0; sipi < 2 && !play_dead; sipi++) {
		lapic_send_sipi(apic_id, (uint8_t)(TRAMPOLINE_PA >> 12));
		udelay(200);
		if (mb->alive)
			break;
	}
	/* Wait up to 200 ms for the AP to reach C and mark itself online. */
	for (int i = 0; i < 2000; i++) {
		if (__atomic_load_n(&percpu[id].online, __ATOMIC_ACQUIRE))
			return true;
		udelay(100);
	}
	log_err("cpu%u (APIC id %u) did not start (%s); continuing without it",
		id, apic_id, mb->alive ? "trampoline ran but never reached C"
				      : "no response to INIT-SIPI-SIPI");
	/* Park it in wait-for-SIPI: a late riser must not pick up the next
	 * AP's stack from the mailbox. */
	lapic_send_init(apic_id);
	udelay(10000);
	pmm_free(stack, AP_STACK_PAGES);
	return false;
}

void smp_start(const uint32_t *apic_ids, unsigned int n,
	       const struct tern_options *o, paddr_t trampoline)
{
	percpu[0].apic_id = apic_ids[0];
	percpu[0].online = true;
	ncpus_online = 1;

	unsigned want = n;
	if (o->nosmp)
		want = 1;
	if (o->maxcpus && o->maxcpus < want)
		want = o->maxcpus;
	if (want < n)
		log_info("cpus: using %u of %u (%s)", want, n,
			 o->nosmp ? "nosmp" : "maxcpus=");
	if (want > MAX_CPUS)
		want = MAX_CPUS;
	if (want <= 1)
		return;
	if (!trampoline) {
		log_err("cpus: page %#llx for the AP trampoline is not free RAM; only the boot CPU will run",
			(unsigned long long)TRAMPOLINE_PA);
		return;
	}

	size_t len = (size_t)(__ap_trampoline_end - __ap_trampoline_start);
	memcpy(phys_to_virt(TRAMPOLINE_PA), __ap_trampoline_start, len);
	volatile struct ap_mailbox *mb =
		phys_to_virt(TRAMPOLINE_PA + 0xf00);

	for (unsigned i = 1; i < want; i++) {
		slots = i + 1;
		bool play_dead = i == 1 && o->selftest == SELFTEST_AP_FAIL;
		if (play_dead)
			log_warn("selftest=ap-fail: sending no SIPI to cpu1 (APIC id %u)",
				 apic_ids[i]);
		start_one(i, apic_ids[i], mb, play_dead);
	}
	log_info("cpus: %u online", ncpus_online);
}
