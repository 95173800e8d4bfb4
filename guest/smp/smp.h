/* smp.h: the SMP test guest's shared declarations: local APIC access in
 * both modes, time, per-CPU state, the AP start-up and work dispatch, the
 * interrupt vectors, and the tests. */
#ifndef GUEST_SMP_H
#define GUEST_SMP_H

#include "guest.h"

#define MAX_CPUS 16

/* xAPIC registers (SDM Vol. 3, Table 11-1); x2APIC MSR = 0x800 + reg/16. */
#define APIC_BASE_PA 0xFEE00000u
#define APIC_ID 0x020
#define APIC_VERSION 0x030
#define APIC_TPR 0x080
#define APIC_PPR 0x0A0
#define APIC_EOI 0x0B0
#define APIC_LDR 0x0D0
#define APIC_DFR 0x0E0
#define APIC_SVR 0x0F0
#define APIC_ISR 0x100
#define APIC_IRR 0x200
#define APIC_ESR 0x280
#define APIC_ICR_LO 0x300
#define APIC_ICR_HI 0x310
#define APIC_LVT_TIMER 0x320
#define APIC_LVT_LINT0 0x350
#define APIC_LVT_LINT1 0x360
#define APIC_LVT_ERROR 0x370
#define APIC_TMICT 0x380
#define APIC_TMCCT 0x390
#define APIC_TDCR 0x3E0

#define MSR_APIC_BASE 0x1B
#define MSR_TSC_DEADLINE 0x6E0
#define MSR_X2APIC_SELF_IPI 0x83F
#define APIC_BASE_BSP (1u << 8)
#define APIC_BASE_EXTD (1u << 10)
#define APIC_BASE_EN (1u << 11)

#define SVR_ENABLE (1u << 8)
#define LVT_MASKED (1u << 16)
#define TIMER_ONESHOT (0u << 17)
#define TIMER_PERIODIC (1u << 17)
#define TIMER_TSC_DEADLINE (2u << 17)

#define ICR_FIXED (0u << 8)
#define ICR_LOWEST (1u << 8)
#define ICR_NMI (4u << 8)
#define ICR_INIT (5u << 8)
#define ICR_SIPI (6u << 8)
#define ICR_LOGICAL (1u << 11)
#define ICR_BUSY (1u << 12)
#define ICR_ASSERT (1u << 14)
#define ICR_LEVEL (1u << 15)
#define ICR_SELF (1u << 18)
#define ICR_ALL (2u << 18)
#define ICR_OTHERS (3u << 18)

/* Interrupt vectors this guest uses. */
#define VEC_TIMER 0x30      /* LVT timer */
#define VEC_WAKE 0x40       /* "look at your work slot" / "your answer is ready" */
#define VEC_PING 0x50       /* ping-pong request */
#define VEC_PONG 0x51       /* its answer */
#define VEC_BCAST 0x52      /* broadcasts */
#define VEC_SELF 0x53       /* self IPIs */
#define VEC_LOGICAL 0x54    /* logical destinations */
#define VEC_MESH 0x55       /* all-to-all requests (answers are VEC_WAKE) */
#define VEC_LOW 0x61        /* priority test, low class */
#define VEC_LOW2 0x62
#define VEC_HIGH 0x91       /* priority test, high class */
#define VEC_ERROR 0xE0      /* LVT error */
#define VEC_SPURIOUS 0xFF

/* ---- time ---- */
extern uint32_t tsc_khz, apic_khz;
uint64_t us_to_tsc(uint64_t us);
uint64_t tsc_to_us(uint64_t ticks);
uint64_t udiv64(uint64_t n, uint32_t d);
void delay_us(uint64_t us);
/* Sets tsc_khz and apic_khz: the hypervisor's timing leaf, else CPUID
 * 0x15, else measured against the PIT. Returns a description. */
const char *time_init(void);

/* ---- per-CPU state ---- */
struct cpu {
	volatile uint32_t alive;         /* incremented by the AP on each start */
	volatile uint32_t apic_id;       /* what the CPU read from its APIC */
	volatile uint32_t base_msr;      /* its IA32_APIC_BASE (low half) */
	volatile uint32_t x2apic;        /* this CPU uses the x2APIC interface */
	volatile uint32_t count[256];    /* interrupts taken, by vector */
	volatile uint32_t order[8];      /* priority test: vectors in arrival order */
	volatile uint32_t norder;
	volatile uint64_t last_tick;     /* TSC at the last timer interrupt */
	volatile uint64_t first_tick;
	volatile uint64_t tick_late_max; /* lateness of timer ticks (periodic test) */
	volatile uint32_t tick_late_at;  /* the tick (from 1) that was latest */
	volatile uint32_t tick_n;
	volatile uint64_t tick_expected; /* TSC of the next expected tick, 0: off */
	volatile uint64_t tick_period;
	volatile uint32_t nmis;
	/* Work slot: the BSP posts fn, the CPU runs it and bumps 'done'. */
	void (*volatile work)(unsigned int cpu);
	volatile uint32_t posted, done;
	volatile uint32_t result, result2;
	volatile uint64_t value;
};
extern struct cpu cpus[MAX_CPUS];
extern unsigned int ncpus;     /* CPUs of this machine (cpus= or CPUID) */
extern unsigned int nstarted;  /* CPUs running this guest (BSP included) */
extern int under_tern;
extern const char *time_source;

unsigned int this_cpu(void);

/* ---- APIC ---- */
uint32_t apic_read(uint32_t reg);
void apic_write(uint32_t reg, uint32_t val);
void apic_eoi(void);
void apic_enable(void);
/* Sends an IPI: 'lo' the low ICR word (vector, mode, shorthand), 'dest' an
 * APIC id (or a logical mask). xAPIC: waits for delivery status to clear. */
void apic_send(uint32_t dest, uint32_t lo);
uint32_t apic_id_of(unsigned int cpu);
/* Interrupt-gate installation and the dispatch table. */
typedef void (*irq_fn)(unsigned int vector);
void irq_init(void);
void irq_set(unsigned int vector, irq_fn fn);
/* Halts until *p >= want or timeout_us passes; false on timeout. Uses the
 * APIC timer as a watchdog: not to be called while a timer test runs on
 * this CPU. */
int wait_for(volatile uint32_t *p, uint32_t want, uint64_t timeout_us);
/* The same, spinning (no interrupts needed). */
int spin_for(volatile uint32_t *p, uint32_t want, uint64_t timeout_us);
static inline void sti_hlt(void)
{
	__asm__ volatile("sti; hlt; cli" ::: "memory");
}
static inline void sti(void)
{
	__asm__ volatile("sti" ::: "memory");
}
/* #GP catcher for the MSR tests: returns 1 if wrmsr faulted. */
void gp_init(void);
int wrmsr_gp(uint32_t msr, uint64_t v);
int rdmsr_gp(uint32_t msr, uint64_t *v);

/* ---- CPUs ---- */
/* Starts every AP (INIT, SIPI, SIPI). Returns how many came up. */
unsigned int start_aps(void);
/* INIT + SIPI one AP again and wait for it. */
int restart_ap(unsigned int cpu);
/* Runs fn on CPU 'cpu' (an AP) and waits for it; false on timeout. */
int run_on(unsigned int cpu, void (*fn)(unsigned int), uint64_t timeout_us);
/* Posts fn to every AP, runs it here, waits for all. */
int run_on_all(void (*fn)(unsigned int), uint64_t timeout_us);

/* ---- tests ---- */
void report(int ok, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void skip(const char *name, const char *why);
extern unsigned int npassed, nfailed;
extern uint32_t ipi_count;  /* IPIs delivered and counted by the tests */
void run_tests(const struct mb1_info *mbi);
void run_idle(const struct mb1_info *mbi);
void run_burn(const struct mb1_info *mbi);

#endif
