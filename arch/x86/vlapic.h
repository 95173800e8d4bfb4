/* The virtual local APIC of each vCPU (SDM Vol. 3, chapter 11): the xAPIC
 * MMIO page and the x2APIC MSRs, IA32_APIC_BASE (disable and re-enable),
 * ID, version, TPR/PPR, EOI, SVR, ESR, LDR/DFR, the LVT timer in one-shot,
 * periodic and TSC-deadline modes, and the ICR: fixed and lowest-priority
 * IPIs (physical and logical destinations, the self/all/all-but-self
 * shorthands), NMI, INIT and SIPI.
 *
 * Two layers. The register file and its rules are pure (struct vlapic and
 * the vlapic_reg_* / vlapic_x2_* / vlapic_timer_* functions below: no
 * VMCS, no locks, 'now' passed in) and unit-tested on the host. The glue
 * (the vlapic_* functions taking a struct vcpu) delivers IPIs to other
 * vCPUs, arms a host timer (hv/timer.h) for the LVT timer, and injects
 * interrupts at VM entry.
 *
 * Time: the LVT timer counts at vlapic_timer_hz() (= the TSC rate, what
 * CPUID 0x15/0x16 and 0x40000010 report) divided by the divide
 * configuration; the pure code works in guest TSC ticks.
 *
 * Concurrency: only the owning vCPU touches the registers, except IRR
 * (set atomically by any CPU) and 'attn', the cheap flag the entry path
 * tests: non-zero means "look at the vLAPIC before entering". */
#ifndef ARCH_X86_VLAPIC_H
#define ARCH_X86_VLAPIC_H

#include "hv/timer.h"
#include "hv/types.h"

struct vcpu;

/* What CPUID advertises. */
#define VLAPIC_PRESENT 1
#define VLAPIC_X2APIC 1
#define VLAPIC_TSC_DEADLINE 1

/* Host vector that makes a vCPU running on another pCPU leave guest mode
 * to take an interrupt (its handler does nothing; the run loop injects on
 * the way back in). */
#define VEC_VLAPIC_NOTIFY 0xf1

/* xAPIC register offsets (x2APIC MSR = 0x800 + offset / 16). */
#define APIC_ID 0x020
#define APIC_VERSION 0x030
#define APIC_TPR 0x080
#define APIC_APR 0x090
#define APIC_PPR 0x0a0
#define APIC_EOI 0x0b0
#define APIC_RRD 0x0c0
#define APIC_LDR 0x0d0
#define APIC_DFR 0x0e0
#define APIC_SVR 0x0f0
#define APIC_ISR 0x100
#define APIC_TMR 0x180
#define APIC_IRR 0x200
#define APIC_ESR 0x280
#define APIC_LVT_CMCI 0x2f0
#define APIC_ICR_LO 0x300
#define APIC_ICR_HI 0x310
#define APIC_LVT_TIMER 0x320
#define APIC_LVT_THERMAL 0x330
#define APIC_LVT_PERF 0x340
#define APIC_LVT_LINT0 0x350
#define APIC_LVT_LINT1 0x360
#define APIC_LVT_ERROR 0x370
#define APIC_TIMER_ICR 0x380
#define APIC_TIMER_CCR 0x390
#define APIC_TIMER_DCR 0x3e0
#define APIC_SELF_IPI 0x3f0 /* x2APIC only */

#define APIC_BASE_BSP BIT(8)
#define APIC_BASE_EXTD BIT(10)
#define APIC_BASE_EN BIT(11)
#define APIC_BASE_ADDR_MASK 0x000ffffffffff000ULL
#define APIC_DEFAULT_PA 0xfee00000ULL

#define APIC_SVR_ENABLE BIT(8)
#define APIC_LVT_MASKED BIT(16)
#define APIC_LVT_TIMER_MODE (3u << 17)
#define APIC_TIMER_ONESHOT (0u << 17)
#define APIC_TIMER_PERIODIC (1u << 17)
#define APIC_TIMER_TSC_DEADLINE (2u << 17)

/* ICR (SDM 11.6.1). */
#define ICR_VECTOR 0xffu
#define ICR_DM_SHIFT 8
#define ICR_DM_FIXED 0u
#define ICR_DM_LOWEST 1u
#define ICR_DM_SMI 2u
#define ICR_DM_NMI 4u
#define ICR_DM_INIT 5u
#define ICR_DM_STARTUP 6u
#define ICR_LOGICAL BIT(11)
#define ICR_BUSY BIT(12)
#define ICR_ASSERT BIT(14)
#define ICR_LEVEL BIT(15)
#define ICR_SH_SHIFT 18
#define ICR_SH_NONE 0u
#define ICR_SH_SELF 1u
#define ICR_SH_ALL 2u
#define ICR_SH_OTHERS 3u

/* ESR bits (SDM 11.5.3). */
#define ESR_SEND_ILLEGAL BIT(5)
#define ESR_RECV_ILLEGAL BIT(6)
#define ESR_ILLEGAL_REG BIT(7)

/* attn bits. */
#define VLAPIC_ATTN_EVAL BIT(0)  /* IRR grew or PPR fell: look for a vector */
#define VLAPIC_ATTN_TIMER BIT(1) /* the host timer for the LVT timer fired */
#define VLAPIC_ATTN_NMI BIT(2)
#define VLAPIC_ATTN_INIT BIT(3)
#define VLAPIC_ATTN_SIPI BIT(4)
#define VLAPIC_ATTN_WAIT BIT(5)  /* in wait-for-SIPI: block again */

#define VLAPIC_NLVT 7 /* CMCI, timer, thermal, perf, LINT0, LINT1, error */
#define VLAPIC_VERSION 0x14u
#define VLAPIC_MAX_LVT 5u /* LVT entries after the first, CMCI not counted */

struct vlapic {
	uint32_t id;             /* APIC id: the vCPU's index */
	uint64_t base;           /* IA32_APIC_BASE */
	uint32_t tpr, ldr, dfr, svr;
	uint32_t esr, esr_pending;
	uint32_t icr_lo, icr_hi;
	uint32_t lvt[VLAPIC_NLVT]; /* by (offset - 0x2f0) / 16, 0x2f0..0x370 */
	uint32_t timer_icr, timer_dcr;
	uint32_t irr[8], isr[8], tmr[8];
	/* LVT timer, in guest TSC ticks. */
	uint64_t timer_deadline; /* next expiry; 0: not running */
	uint64_t timer_period;   /* ticks per count period (icr * divisor) */
	uint64_t tsc_deadline;   /* IA32_TSC_DEADLINE as the guest wrote it */
	uint64_t min_period;     /* floor for periodic mode */
	/* From other CPUs. */
	uint32_t attn;           /* VLAPIC_ATTN_*, atomic */
	uint8_t sipi_vector;     /* valid with VLAPIC_ATTN_SIPI */
	uint8_t nmi_pending;     /* atomic */
	/* Counters. */
	uint64_t timer_fires, irqs_injected, ipis_sent, eois;
	/* Glue state (the pure code leaves it alone). */
	struct timer host_timer; /* fires at the LVT timer's expiry */
	uint64_t armed;          /* the timer_deadline it is armed for, 0 none */
	struct vcpu *vcpu;
};

/* An IPI a register write asks the glue to deliver. */
struct vlapic_ipi {
	uint32_t icr;            /* low half: vector, mode, shorthand */
	uint32_t dest;           /* xAPIC: 8 bits; x2APIC: 32 bits */
	bool x2apic;             /* the destination is in x2APIC format */
};

/* What a write leaves for the glue. */
#define VLAPIC_FX_IPI BIT(0)

/* ---- pure register file -------------------------------------------------- */

/* Power-up state (SDM 11.4.7.1): enabled in xAPIC mode at 0xFEE00000,
 * software-disabled (SVR 0xFF), every LVT masked. */
void vlapic_reset(struct vlapic *l, uint32_t id, bool bsp, uint64_t min_period);
/* INIT (SDM 11.4.7.3): like power-up but IA32_APIC_BASE is kept. */
void vlapic_init_signal(struct vlapic *l);
bool vlapic_hw_enabled(const struct vlapic *l);
bool vlapic_x2apic_mode(const struct vlapic *l);
bool vlapic_sw_enabled(const struct vlapic *l);

/* xAPIC register at 'off' (any offset in the page; a 32-bit register
 * lives at a 16-byte aligned offset). */
uint32_t vlapic_reg_read(struct vlapic *l, uint32_t off, uint64_t now);
/* Returns VLAPIC_FX_* bits. */
unsigned int vlapic_reg_write(struct vlapic *l, uint32_t off, uint32_t val, uint64_t now,
			      struct vlapic_ipi *ipi);
/* x2APIC MSRs 0x800-0x8ff in x2APIC mode: 0 or -1 (#GP). */
int vlapic_x2_read(struct vlapic *l, uint32_t msr, uint64_t now, uint64_t *val);
/* -1 (#GP) or VLAPIC_FX_* bits. */
int vlapic_x2_write(struct vlapic *l, uint32_t msr, uint64_t val, uint64_t now,
		    struct vlapic_ipi *ipi);
/* IA32_APIC_BASE write: 0, or -1 for #GP (reserved bits, invalid mode
 * transitions, SDM 11.12.5). 'phys_bits': guest MAXPHYADDR. */
int vlapic_base_write(struct vlapic *l, uint64_t val, unsigned int phys_bits);

/* IA32_TSC_DEADLINE: reads 0 outside TSC-deadline mode, writes are then
 * ignored; 0 disarms. */
uint64_t vlapic_tsc_deadline_read(const struct vlapic *l);
void vlapic_tsc_deadline_write(struct vlapic *l, uint64_t val, uint64_t now);
/* If the timer expired by 'now': raises its vector (unless masked) and
 * re-arms a periodic timer (missed periods coalesce, as in one IRR bit).
 * Returns true if it expired. */
bool vlapic_timer_check(struct vlapic *l, uint64_t now);

/* Does 't' accept an IPI for 'dest' (SDM 11.6.2)? */
bool vlapic_dest_match(const struct vlapic *t, uint32_t dest, bool logical, bool x2apic);
/* Sets a vector in IRR (any CPU; atomic) and marks attn. Vectors 0-15
 * are illegal: ESR "receive illegal vector" instead. Returns false if the
 * APIC refuses it (software-disabled). */
bool vlapic_accept(struct vlapic *l, uint8_t vector, bool level);
uint32_t vlapic_ppr(const struct vlapic *l);
/* Highest vector in IRR above the PPR, or -1. */
int vlapic_pending_vector(const struct vlapic *l);
/* The CPU took 'vector': IRR -> ISR. */
void vlapic_ack(struct vlapic *l, uint8_t vector);

/* ---- glue (a struct vcpu; its VMCS current unless said otherwise) ------ */

#ifndef TERN_HOST_TEST
/* Allocates and resets the vLAPIC of a new vCPU (no VMCS needed). */
bool vlapic_create(struct vcpu *v, char *err, size_t len);
uint64_t vlapic_timer_hz(void);
/* An interrupt (or INIT/SIPI) is pending and deliverable: HLT must not
 * block / may wake. */
bool vlapic_has_pending(struct vcpu *v);
bool vlapic_has_nmi(struct vcpu *v);
/* Before VM entry: inject what can be injected, or ask for an
 * interrupt-window exit. Costs one load when there is nothing to do. */
void vlapic_inject(struct vcpu *v);
/* Another event is being injected at this entry: if the vLAPIC has work,
 * ask for an interrupt-window exit to come back for it. */
void vlapic_event_pending(struct vcpu *v);
void vlapic_intr_window_open(struct vcpu *v);
/* HLT: call after the vCPU marked itself blocked; true if an interrupt
 * arrived meanwhile (the vCPU must then wake itself). */
bool vlapic_block_check(struct vcpu *v);
/* x2APIC and APIC-base MSRs: read returns false if not an APIC MSR;
 * write returns -1 if not an APIC MSR, else 1 (done) or 0 (#GP). */
bool vlapic_msr_read(struct vcpu *v, uint32_t msr, uint64_t *val);
int vlapic_msr_write(struct vcpu *v, uint32_t msr, uint64_t val);
/* CR8 in 64-bit mode is TPR[7:4]: for the MOV CR8 exit (not wired yet). */
uint64_t vlapic_cr8_read(struct vcpu *v);
void vlapic_cr8_write(struct vcpu *v, uint64_t val);
/* The xAPIC page: does 'gpa' belong to v's APIC page (xAPIC mode)? */
bool vlapic_mmio_claims(struct vcpu *v, gpa_t gpa);
/* An access of 'size' bytes to it: false if the vCPU must stop. */
bool vlapic_mmio_access(struct vcpu *v, gpa_t gpa, unsigned int size, bool write,
			uint64_t *val);
#endif

#endif
