/* apic.c: the operations that need a local APIC (xAPIC MMIO at
 * 0xFEE00000): HLT woken by the guest's own timer, an IPI to a second vCPU
 * on another CPU, and a ping-pong of IPIs between two vCPUs that share one
 * CPU, where every IPI forces a switch.
 *
 * Vectors: 0xF0 timer, 0xF1 IPI to the second vCPU, 0xF2 its reply,
 * 0xFF spurious. The stubs in loops.asm count each interrupt in
 * bench_irq_count[] and write EOI. The second vCPU is started the
 * architectural way (INIT, SIPI, SIPI; SDM Vol. 3A, 9.4.4.1) into a
 * real-mode trampoline at TRAMP_PAGE, and then sleeps in `sti; hlt`. */
#include "guest.h"
#include "bench.h"

#define APIC_BASE 0xFEE00000u
#define APIC_ID    0x020
#define APIC_EOI   0x0B0
#define APIC_SVR   0x0F0
#define APIC_ICR_LO 0x300
#define APIC_ICR_HI 0x310
#define APIC_LVT_TIMER 0x320
#define APIC_TMICT 0x380
#define APIC_TDCR  0x3E0

#define SVR_ENABLE (1u << 8)
#define ICR_BUSY   (1u << 12)
#define ICR_ASSERT (1u << 14)
#define ICR_INIT   (5u << 8)
#define ICR_SIPI   (6u << 8)

#define VEC_TIMER 0xF0
#define VEC_IPI   0xF1
#define VEC_REPLY 0xF2
#define VEC_SPURIOUS 0xFF

#define TRAMP_PAGE 0x7000u  /* SIPI vector 0x07: CS = 0x0700, IP = 0 */
#define AP_APIC_ID 1u
/* Bounds of the waits for the second vCPU, in TSC ticks. */
#define AP_WAIT_TICKS 20000000ull
#define ICR_WAIT_TICKS 10000000ull

volatile uint32_t bench_irq_count[IRQ_KINDS];
uint8_t bench_ap_stack[BENCH_AP_STACK] __attribute__((aligned(16)));
struct bench_idtr bench_idtr;
uint32_t apic_timer_count = 1;

static volatile uint32_t ap_ready;
static volatile uint32_t ap_reply;  /* the AP answers each IPI (switch) */
static int gates_done, ap_started, ap_failed;

static inline uint32_t apic_read(uint32_t reg)
{
	return *(volatile uint32_t *)(uintptr_t)(APIC_BASE + reg);
}

static inline void apic_write(uint32_t reg, uint32_t v)
{
	*(volatile uint32_t *)(uintptr_t)(APIC_BASE + reg) = v;
}

int apic_present(void)
{
	return (cpuid(1, 0).edx >> 9) & 1;
}

static void set_gate(unsigned vec, void (*stub)(void))
{
	uint8_t *g = (uint8_t *)(uintptr_t)(bench_idtr.base + vec * 8);
	uint32_t a = (uint32_t)(uintptr_t)stub;

	g[0] = (uint8_t)a;
	g[1] = (uint8_t)(a >> 8);
	g[2] = KERNEL_CS;
	g[3] = 0;
	g[4] = 0;
	g[5] = 0x8E;                /* present, DPL 0, 32-bit interrupt gate */
	g[6] = (uint8_t)(a >> 16);
	g[7] = (uint8_t)(a >> 24);
}

static void apic_enable(void)
{
	apic_write(APIC_SVR, SVR_ENABLE | VEC_SPURIOUS);
}

static int icr_wait(void)
{
	uint64_t t0 = rdtsc();

	while (apic_read(APIC_ICR_LO) & ICR_BUSY)
		if (rdtsc() - t0 > ICR_WAIT_TICKS)
			return -1;
	return 0;
}

static void icr_send(uint32_t dest, uint32_t lo)
{
	apic_write(APIC_ICR_HI, dest << 24);
	apic_write(APIC_ICR_LO, lo);
}

static void delay(uint64_t ticks)
{
	uint64_t t0 = rdtsc();

	while (rdtsc() - t0 < ticks)
		;
}

static int start_ap(void)
{
	uint32_t len = (uint32_t)(bench_tramp_end - bench_tramp);
	uint32_t gdtr_off = (uint32_t)(bench_tramp_gdtr - bench_tramp);
	uint8_t *page = (uint8_t *)(uintptr_t)TRAMP_PAGE;
	uint64_t t0;

	memcpy(page, bench_tramp, len);
	__asm__ volatile("sgdt %0" : "=m"(*(struct bench_idtr *)(page + gdtr_off)));

	icr_send(AP_APIC_ID, ICR_INIT | ICR_ASSERT);
	if (icr_wait())
		return -1;
	delay(100000);
	for (int i = 0; i < 2 && !ap_ready; i++) {
		icr_send(AP_APIC_ID, ICR_SIPI | ICR_ASSERT | (TRAMP_PAGE >> 12));
		if (icr_wait())
			return -1;
		delay(20000);
	}
	t0 = rdtsc();
	while (!ap_ready)
		if (rdtsc() - t0 > AP_WAIT_TICKS)
			return -1;
	return 0;
}

/* The second vCPU: sleeps; in switch mode, answers each IPI with one. */
void bench_ap_main(void)
{
	uint32_t answered = 0;

	apic_enable();
	ap_ready = 1;
	for (;;) {
		__asm__ volatile("sti; hlt; cli" ::: "memory");
		while (ap_reply && answered != bench_irq_count[IRQ_IPI]) {
			answered++;
			icr_send(0, ICR_ASSERT | VEC_REPLY);
		}
		if (!ap_reply)
			answered = bench_irq_count[IRQ_IPI];
	}
}

const char *apic_prepare(enum apic_op op, int under_tern)
{
	if (!apic_present())
		return "no virtual LAPIC";
	if (!gates_done) {
		__asm__ volatile("sidt %0" : "=m"(bench_idtr));
		set_gate(VEC_TIMER, bench_isr_timer);
		set_gate(VEC_IPI, bench_isr_ipi);
		set_gate(VEC_REPLY, bench_isr_reply);
		set_gate(VEC_SPURIOUS, bench_isr_spurious);
		if (!under_tern) {
			/* Bare machine: mask the 8259s, whose timer would
			 * otherwise arrive at vector 8 once IF is set. */
			outb(0x21, 0xff);
			outb(0xa1, 0xff);
		}
		apic_enable();
		apic_write(APIC_TDCR, 0xB);          /* divide by 1 */
		apic_write(APIC_LVT_TIMER, VEC_TIMER); /* one-shot, unmasked */
		gates_done = 1;
	}
	if (op == APIC_TIMER)
		return NULL;
	if (!ap_started && !ap_failed) {
		if (start_ap())
			ap_failed = 1;
		else
			ap_started = 1;
	}
	if (!ap_started)
		return "second vCPU did not start";
	ap_reply = op == APIC_SWITCH;
	return NULL;
}

void apic_iter_timer(void)
{
	uint32_t want = bench_irq_count[IRQ_TIMER] + 1;

	apic_write(APIC_TMICT, apic_timer_count);
	while (bench_irq_count[IRQ_TIMER] != want)
		__asm__ volatile("sti; hlt; cli" ::: "memory");
}

void apic_iter_ipi(void)
{
	uint32_t want = bench_irq_count[IRQ_IPI] + 1;

	icr_send(AP_APIC_ID, ICR_ASSERT | VEC_IPI);
	while (bench_irq_count[IRQ_IPI] != want)
		;
}

void apic_iter_switch(void)
{
	uint32_t want = bench_irq_count[IRQ_REPLY] + 1;

	icr_send(AP_APIC_ID, ICR_ASSERT | VEC_IPI);
	while (bench_irq_count[IRQ_REPLY] != want)
		__asm__ volatile("sti; hlt; cli" ::: "memory");
}
