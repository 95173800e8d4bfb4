/* Local APIC driver (SDM Vol. 3, chapter 11). In xAPIC mode registers are
 * 32-bit MMIO at the APIC base; in x2APIC mode register offset R is MSR
 * 0x800 + R/16, and the ICR is one 64-bit MSR. */
#include "arch/x86/lapic.h"
#include "arch/x86/cpu.h"
#include "arch/x86/tsc.h"
#include "hv/log.h"

#define APIC_BASE_BSP BIT(8)
#define APIC_BASE_EXTD BIT(10)
#define APIC_BASE_EN BIT(11)

#define REG_ID 0x20
#define REG_VERSION 0x30
#define REG_TPR 0x80
#define REG_EOI 0xb0
#define REG_SVR 0xf0
#define REG_ESR 0x280
#define REG_ICR_LO 0x300
#define REG_ICR_HI 0x310
#define REG_LVT_TIMER 0x320
#define REG_LVT_LINT0 0x350
#define REG_LVT_LINT1 0x360
#define REG_LVT_ERROR 0x370
#define REG_TIMER_INIT 0x380
#define REG_TIMER_CUR 0x390
#define REG_TIMER_DIV 0x3e0

#define ICR_DELIVERY_PENDING BIT(12)
#define ICR_LEVEL_ASSERT BIT(14)
#define ICR_LEVEL_TRIGGER BIT(15)
#define ICR_DM_NMI (4u << 8)
#define ICR_DM_INIT (5u << 8)
#define ICR_DM_STARTUP (6u << 8)
#define ICR_ALL_BUT_SELF (3u << 18)

static volatile uint32_t *mmio;
static bool x2apic;
static bool ready;

static uint32_t rd(uint32_t reg)
{
	if (x2apic)
		return (uint32_t)rdmsr(0x800 + reg / 16);
	return mmio[reg / 4];
}

static void wr(uint32_t reg, uint32_t v)
{
	if (x2apic)
		wrmsr(0x800 + reg / 16, v);
	else
		mmio[reg / 4] = v;
}

static void enable_here(void)
{
	uint64_t base = rdmsr(MSR_IA32_APIC_BASE);
	base |= APIC_BASE_EN;
	wrmsr(MSR_IA32_APIC_BASE, base);
	if (x2apic)
		wrmsr(MSR_IA32_APIC_BASE, base | APIC_BASE_EXTD);
	wr(REG_TPR, 0);
	wr(REG_LVT_LINT0, BIT(16)); /* masked */
	wr(REG_LVT_LINT1, BIT(16));
	wr(REG_LVT_ERROR, BIT(16));
	wr(REG_LVT_TIMER, BIT(16));
	wr(REG_SVR, 0x1ff); /* enabled, spurious vector 0xff */
	if (!x2apic)
		wr(REG_ESR, 0);
}

void lapic_init_boot(bool allow_x2apic)
{
	uint64_t base = rdmsr(MSR_IA32_APIC_BASE);
	x2apic = allow_x2apic && (cpuid(1, 0).ecx & BIT(21));
	mmio = (volatile uint32_t *)(uintptr_t)(base & 0xffffff000ULL);
	enable_here();
	ready = true;
	log_info("LAPIC: %s mode, id %u, version %#x", x2apic ? "x2APIC" : "xAPIC",
		 lapic_id(), rd(REG_VERSION) & 0xff);
}

void lapic_init_cpu(void)
{
	enable_here();
}

bool lapic_ready(void)
{
	return ready;
}

bool lapic_x2apic_mode(void)
{
	return x2apic;
}

uint32_t lapic_id(void)
{
	uint32_t id = rd(REG_ID);
	return x2apic ? id : id >> 24;
}

void lapic_eoi(void)
{
	wr(REG_EOI, 0);
}

static void send_icr(uint32_t dest, uint32_t lo)
{
	if (x2apic) {
		wrmsr(0x830, ((uint64_t)dest << 32) | lo);
		return;
	}
	wr(REG_ICR_HI, dest << 24);
	wr(REG_ICR_LO, lo);
	for (unsigned spin = 0; spin < 1000000; spin++) {
		if (!(rd(REG_ICR_LO) & ICR_DELIVERY_PENDING))
			return;
		cpu_relax();
	}
}

void lapic_send_ipi(uint32_t apic_id, uint8_t vector)
{
	send_icr(apic_id, vector | ICR_LEVEL_ASSERT);
}

void lapic_send_nmi_all_but_self(void)
{
	send_icr(0, ICR_DM_NMI | ICR_LEVEL_ASSERT | ICR_ALL_BUT_SELF);
}

void lapic_send_init(uint32_t apic_id)
{
	send_icr(apic_id, ICR_DM_INIT | ICR_LEVEL_ASSERT | ICR_LEVEL_TRIGGER);
	if (!x2apic) /* the de-assert is only needed (and legal) in xAPIC mode */
		send_icr(apic_id, ICR_DM_INIT | ICR_LEVEL_TRIGGER);
}

void lapic_send_sipi(uint32_t apic_id, uint8_t page)
{
	send_icr(apic_id, ICR_DM_STARTUP | page);
}

void lapic_timer_oneshot(uint32_t ticks, uint8_t vector)
{
	wr(REG_TIMER_DIV, 0xb); /* divide by 1 */
	wr(REG_LVT_TIMER, vector);
	wr(REG_TIMER_INIT, ticks);
}

/* Deadline timer for hv/timer.c: TSC-deadline mode (SDM 11.5.4.1) when
 * the CPU has it, else one-shot mode with the LAPIC's tick rate measured
 * against the TSC once on the boot CPU. */
#define LVT_MASKED BIT(16)
#define LVT_TSC_DEADLINE (2u << 17)

static bool deadline_mode;
static uint64_t ticks_per_tsc; /* LAPIC timer ticks per TSC tick, 32.32 fixed point */

bool lapic_timer_setup(uint8_t vector)
{
	deadline_mode = cpuid(1, 0).ecx & BIT(24);
	if (deadline_mode) {
		log_info("LAPIC timer: TSC-deadline mode");
		return true;
	}
	wr(REG_TIMER_DIV, 0xb); /* divide by 1 */
	wr(REG_LVT_TIMER, LVT_MASKED | vector);
	wr(REG_TIMER_INIT, 0xffffffffu);
	uint64_t t0 = rdtsc(), t1, span = tsc_hz() / 1000; /* 1 ms */
	while ((t1 = rdtsc()) - t0 < span)
		cpu_relax();
	uint32_t cur = rd(REG_TIMER_CUR);
	wr(REG_TIMER_INIT, 0);
	ticks_per_tsc = ((uint64_t)(0xffffffffu - cur) << 32) / (t1 - t0 ? t1 - t0 : 1);
	if (!ticks_per_tsc)
		ticks_per_tsc = 1;
	log_info("LAPIC timer: one-shot mode, %llu ticks per 1000 TSC ticks",
		 (unsigned long long)((ticks_per_tsc * 1000) >> 32));
	return false;
}

void lapic_timer_cpu_init(uint8_t vector)
{
	if (deadline_mode) {
		wr(REG_LVT_TIMER, LVT_TSC_DEADLINE | vector);
		/* Order the LVT write before any IA32_TSC_DEADLINE write. */
		__asm__ volatile("mfence" ::: "memory");
		wrmsr(MSR_IA32_TSC_DEADLINE, 0);
	} else {
		wr(REG_TIMER_DIV, 0xb);
		wr(REG_LVT_TIMER, vector);
		wr(REG_TIMER_INIT, 0);
	}
}

void lapic_timer_set_deadline(uint64_t tsc)
{
	if (deadline_mode) {
		wrmsr(MSR_IA32_TSC_DEADLINE, tsc);
		return;
	}
	if (!tsc) {
		wr(REG_TIMER_INIT, 0);
		return;
	}
	uint64_t now = rdtsc(), delta = tsc > now ? tsc - now : 0;
	unsigned __int128 t = ((unsigned __int128)delta * ticks_per_tsc) >> 32;
	uint32_t count = t > 0xffffffffu ? 0xffffffffu : t ? (uint32_t)t : 1;
	wr(REG_TIMER_INIT, count); /* a longer wait fires early and is re-armed */
}
