/* Local APIC driver (SDM Vol. 3, chapter 11). In xAPIC mode registers are
 * 32-bit MMIO at the APIC base; in x2APIC mode register offset R is MSR
 * 0x800 + R/16, and the ICR is one 64-bit MSR. */
#include "arch/x86/lapic.h"
#include "arch/x86/cpu.h"
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
