/* bench.h: shared declarations of guest/bench (see main.c). */
#ifndef BENCH_H
#define BENCH_H

#include <stdint.h>

#define BENCH_AP_STACK 4096  /* keep in sync with loops.asm */

/* loops.asm: timed loops, n >= 1 iterations, ticks stored in *ticks. */
typedef uint32_t (*bench_loop_fn)(uint32_t n, uint64_t *ticks);
#define LOOP_PAIR(name)                                      \
	uint32_t bench_loop_##name(uint32_t n, uint64_t *ticks); \
	uint32_t bench_base_##name(uint32_t n, uint64_t *ticks)
LOOP_PAIR(nop);
LOOP_PAIR(cpuid);
LOOP_PAIR(vmcall);
LOOP_PAIR(out80);
LOOP_PAIR(in80);
LOOP_PAIR(rd_dr7);
LOOP_PAIR(wr_dr0);
#undef LOOP_PAIR

/* One MOV from DR7 (or one NOP) between two RDTSCs. */
uint64_t bench_once_rd_dr7(void);
uint64_t bench_once_nop(void);
void bench_never(void);

/* Interrupt stubs (loops.asm): each counts in bench_irq_count[] and EOIs. */
void bench_isr_timer(void);
void bench_isr_ipi(void);
void bench_isr_reply(void);
void bench_isr_spurious(void);
enum { IRQ_TIMER, IRQ_IPI, IRQ_REPLY, IRQ_KINDS };
extern volatile uint32_t bench_irq_count[IRQ_KINDS];

/* apic.c: the local-APIC operations. */
enum apic_op { APIC_TIMER, APIC_IPI, APIC_SWITCH };
/* Whether CPUID.1:EDX[9] (APIC on chip) is set. */
int apic_present(void);
/* Set up what an operation needs (APIC on, gates, second vCPU started).
 * Returns NULL when ready, else why the operation cannot run. */
const char *apic_prepare(enum apic_op op, int under_tern);
/* One iteration of the operation (with interrupts off on entry/exit). */
void apic_iter_timer(void);
void apic_iter_ipi(void);
void apic_iter_switch(void);
extern uint32_t apic_timer_count;

/* For the second vCPU (loops.asm). */
extern uint8_t bench_ap_stack[BENCH_AP_STACK];
extern struct bench_idtr {
	uint16_t limit;
	uint32_t base;
} __attribute__((packed)) bench_idtr;
void bench_ap_main(void);
extern const uint8_t bench_tramp[], bench_tramp_end[], bench_tramp_gdtr[];

#endif
