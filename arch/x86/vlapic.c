/* Virtual local APIC (see vlapic.h). First the register file, pure and
 * unit-tested (SDM Vol. 3, chapter 11 and 11.12 for x2APIC); then, under
 * #ifndef TERN_HOST_TEST, the glue to vCPUs: IPI delivery, the host timer
 * behind the LVT timer, INIT/SIPI, and injection at VM entry. */
#include "arch/x86/vlapic.h"

#define LVT_CMCI 0
#define LVT_TIMER 1
#define LVT_ERROR 6

/* Writable bits of each LVT entry (vector, delivery mode, polarity,
 * trigger mode, mask, timer mode) by LVT index. */
static const uint32_t lvt_writable[VLAPIC_NLVT] = {
	[LVT_CMCI] = 0x107ff,
	[LVT_TIMER] = 0x700ff,  /* vector, mask, mode (TSC-deadline included) */
	[2] = 0x107ff,          /* thermal: vector, delivery mode, mask */
	[3] = 0x107ff,          /* performance counters */
	[4] = 0x1a7ff,          /* LINT0: + polarity, trigger mode */
	[5] = 0x1a7ff,          /* LINT1 */
	[LVT_ERROR] = 0x100ff,
};

#define ICR_LO_WRITABLE 0x000ccfffu /* all but delivery status and reserved */
#define X2_ICR_RESERVED 0xfff33000u /* bits 12, 13, 16, 17, 20-31 */
#define SVR_WRITABLE 0x3ffu         /* vector, enable, focus check */

static inline uint32_t ld(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static inline void attn_set(struct vlapic *l, uint32_t bits)
{
	__atomic_fetch_or(&l->attn, bits, __ATOMIC_ACQ_REL);
}

/* LVT index of a register offset: CMCI (0x2f0) is 0, then timer (0x320)
 * to error (0x370); the ICR sits between them. */
static unsigned int lvt_idx(uint32_t off)
{
	return off == APIC_LVT_CMCI ? LVT_CMCI : ((off - APIC_LVT_TIMER) >> 4) + LVT_TIMER;
}

static uint32_t x2_ldr(uint32_t id)
{
	/* Logical x2APIC id (SDM 11.12.10.2): cluster in 31:16, one bit of
	 * the 16 in the cluster. */
	return ((id >> 4) << 16) | (1u << (id & 0xf));
}

static uint64_t divisor(uint32_t dcr)
{
	/* DCR bits 3,1:0 (SDM Figure 11-10): 000 -> 2 ... 110 -> 128, 111 -> 1. */
	unsigned v = ((dcr >> 1) & 4) | (dcr & 3);
	return 1ULL << ((v + 1) & 7);
}

static int highest(const uint32_t *bits)
{
	for (int i = 7; i >= 0; i--) {
		uint32_t w = ld(&bits[i]);
		if (w)
			return i * 32 + 31 - __builtin_clz(w);
	}
	return -1;
}

bool vlapic_hw_enabled(const struct vlapic *l)
{
	return l->base & APIC_BASE_EN;
}

bool vlapic_x2apic_mode(const struct vlapic *l)
{
	return (l->base & (APIC_BASE_EN | APIC_BASE_EXTD)) == (APIC_BASE_EN | APIC_BASE_EXTD);
}

bool vlapic_sw_enabled(const struct vlapic *l)
{
	return l->svr & APIC_SVR_ENABLE;
}

static uint32_t timer_mode(const struct vlapic *l)
{
	return l->lvt[LVT_TIMER] & APIC_LVT_TIMER_MODE;
}

/* The registers' power-up values (SDM 11.4.7.1); IA32_APIC_BASE, the id
 * and the counters stay. */
static void regs_reset(struct vlapic *l)
{
	l->tpr = 0;
	l->ldr = vlapic_x2apic_mode(l) ? x2_ldr(l->id) : 0;
	l->dfr = 0xffffffffu;
	l->svr = 0xff;
	l->esr = 0;
	__atomic_store_n(&l->esr_pending, 0, __ATOMIC_RELEASE);
	l->icr_lo = l->icr_hi = 0;
	for (unsigned i = 0; i < VLAPIC_NLVT; i++)
		l->lvt[i] = APIC_LVT_MASKED;
	l->timer_icr = 0;
	l->timer_dcr = 0;
	for (unsigned i = 0; i < 8; i++) {
		__atomic_store_n(&l->irr[i], 0, __ATOMIC_RELEASE);
		l->isr[i] = 0;
		l->tmr[i] = 0;
	}
	l->timer_deadline = 0;
	l->timer_period = 0;
	l->tsc_deadline = 0;
}

void vlapic_reset(struct vlapic *l, uint32_t id, bool bsp, uint64_t min_period)
{
	l->id = id;
	l->base = APIC_DEFAULT_PA | APIC_BASE_EN | (bsp ? APIC_BASE_BSP : 0);
	l->min_period = min_period ? min_period : 1;
	__atomic_store_n(&l->attn, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&l->nmi_pending, 0, __ATOMIC_RELEASE);
	l->sipi_vector = 0;
	regs_reset(l);
}

void vlapic_init_signal(struct vlapic *l)
{
	regs_reset(l);
	__atomic_store_n(&l->nmi_pending, 0, __ATOMIC_RELEASE);
}

/* ---- interrupt state ------------------------------------------------------ */

uint32_t vlapic_ppr(const struct vlapic *l)
{
	/* SDM 11.8.3.1: PPR = TPR if TPR[7:4] >= ISRV[7:4], else ISRV[7:4]. */
	int isrv = highest(l->isr);
	uint32_t isr_class = isrv < 0 ? 0 : (uint32_t)isrv & 0xf0;
	return (l->tpr & 0xf0) >= isr_class ? l->tpr & 0xff : isr_class;
}

int vlapic_pending_vector(const struct vlapic *l)
{
	if (!vlapic_hw_enabled(l) || !vlapic_sw_enabled(l))
		return -1;
	int v = highest(l->irr);
	if (v < 0 || ((uint32_t)v & 0xf0) <= (vlapic_ppr(l) & 0xf0))
		return -1;
	return v;
}

void vlapic_ack(struct vlapic *l, uint8_t vector)
{
	uint32_t bit = 1u << (vector & 31);
	__atomic_fetch_and(&l->irr[vector >> 5], ~bit, __ATOMIC_ACQ_REL);
	l->isr[vector >> 5] |= bit;
	l->irqs_injected++;
}

static void eoi(struct vlapic *l)
{
	int v = highest(l->isr);
	l->eois++;
	if (v < 0)
		return;
	l->isr[v >> 5] &= ~(1u << (v & 31));
	/* A level-triggered vector would send an EOI message to the I/O APIC
	 * here; there is none. */
	attn_set(l, VLAPIC_ATTN_EVAL);
}

static void raise_error(struct vlapic *l, uint32_t esr_bits);

bool vlapic_accept(struct vlapic *l, uint8_t vector, bool level)
{
	if (!vlapic_hw_enabled(l) || !vlapic_sw_enabled(l))
		return false;
	if (vector < 16) {
		raise_error(l, ESR_RECV_ILLEGAL);
		return false;
	}
	uint32_t bit = 1u << (vector & 31);
	__atomic_fetch_or(&l->irr[vector >> 5], bit, __ATOMIC_ACQ_REL);
	if (level)
		__atomic_fetch_or(&l->tmr[vector >> 5], bit, __ATOMIC_RELAXED);
	else
		__atomic_fetch_and(&l->tmr[vector >> 5], ~bit, __ATOMIC_RELAXED);
	attn_set(l, VLAPIC_ATTN_EVAL);
	return true;
}

static void raise_error(struct vlapic *l, uint32_t esr_bits)
{
	__atomic_fetch_or(&l->esr_pending, esr_bits, __ATOMIC_ACQ_REL);
	uint32_t lvt = l->lvt[LVT_ERROR];
	if (!(lvt & APIC_LVT_MASKED) && (lvt & 0xff) >= 16)
		vlapic_accept(l, (uint8_t)lvt, false);
}

/* ---- timer ------------------------------------------------------------------ */

static uint32_t current_count(const struct vlapic *l, uint64_t now)
{
	if (timer_mode(l) == APIC_TIMER_TSC_DEADLINE || !l->timer_deadline || !l->timer_icr)
		return 0;
	uint64_t div = divisor(l->timer_dcr), rem;
	if (now < l->timer_deadline) {
		rem = l->timer_deadline - now;
	} else if (timer_mode(l) == APIC_TIMER_PERIODIC && l->timer_period) {
		uint64_t p = MAX(l->timer_period, l->min_period);
		rem = p - (now - l->timer_deadline) % p;
	} else {
		return 0; /* expired, not yet noticed */
	}
	uint64_t c = (rem + div - 1) / div;
	return c > l->timer_icr ? l->timer_icr : (uint32_t)c;
}

static void write_timer_icr(struct vlapic *l, uint32_t val, uint64_t now)
{
	if (timer_mode(l) == APIC_TIMER_TSC_DEADLINE)
		return; /* ignored in TSC-deadline mode (SDM 11.5.4.1) */
	l->timer_icr = val;
	if (!val) {
		l->timer_deadline = 0;
		l->timer_period = 0;
		return;
	}
	l->timer_period = (uint64_t)val * divisor(l->timer_dcr);
	l->timer_deadline = now + l->timer_period;
}

static void write_timer_dcr(struct vlapic *l, uint32_t val, uint64_t now)
{
	uint64_t old = divisor(l->timer_dcr);
	l->timer_dcr = val & 0xb;
	uint64_t div = divisor(l->timer_dcr);
	if (old == div || !l->timer_deadline || timer_mode(l) == APIC_TIMER_TSC_DEADLINE)
		return;
	/* The count keeps going at the new rate. */
	uint64_t left = l->timer_deadline > now ? (l->timer_deadline - now) / old : 0;
	l->timer_deadline = now + MAX(left, 1) * div;
	l->timer_period = (uint64_t)l->timer_icr * div;
}

bool vlapic_timer_check(struct vlapic *l, uint64_t now)
{
	if (!l->timer_deadline || now < l->timer_deadline)
		return false;
	uint32_t lvt = l->lvt[LVT_TIMER];
	if ((lvt & APIC_LVT_TIMER_MODE) == APIC_TIMER_PERIODIC && l->timer_period) {
		uint64_t p = MAX(l->timer_period, l->min_period);
		l->timer_deadline += ((now - l->timer_deadline) / p + 1) * p;
	} else {
		l->timer_deadline = 0;
		if ((lvt & APIC_LVT_TIMER_MODE) == APIC_TIMER_TSC_DEADLINE)
			l->tsc_deadline = 0;
	}
	l->timer_fires++;
	if (!(lvt & APIC_LVT_MASKED))
		vlapic_accept(l, (uint8_t)lvt, false);
	return true;
}

uint64_t vlapic_tsc_deadline_read(const struct vlapic *l)
{
	return timer_mode(l) == APIC_TIMER_TSC_DEADLINE ? l->tsc_deadline : 0;
}

void vlapic_tsc_deadline_write(struct vlapic *l, uint64_t val, uint64_t now)
{
	if (timer_mode(l) != APIC_TIMER_TSC_DEADLINE)
		return;
	l->tsc_deadline = val;
	l->timer_deadline = val; /* 0 disarms; a past value fires at once */
}

/* ---- registers -------------------------------------------------------------- */

static void write_lvt(struct vlapic *l, unsigned int idx, uint32_t val)
{
	uint32_t old = l->lvt[idx];
	val &= lvt_writable[idx];
	if (!vlapic_sw_enabled(l))
		val |= APIC_LVT_MASKED; /* SDM 11.4.7.2 */
	l->lvt[idx] = val;
	if (idx == LVT_TIMER) {
		uint32_t om = old & APIC_LVT_TIMER_MODE, nm = val & APIC_LVT_TIMER_MODE;
		if (om != nm && (om == APIC_TIMER_TSC_DEADLINE || nm == APIC_TIMER_TSC_DEADLINE)) {
			/* Changing to or from TSC-deadline mode disarms the timer. */
			l->timer_deadline = 0;
			l->timer_period = 0;
			l->timer_icr = 0;
			l->tsc_deadline = 0;
		}
	}
}

static void write_svr(struct vlapic *l, uint32_t val)
{
	l->svr = val & SVR_WRITABLE;
	if (!(val & APIC_SVR_ENABLE)) {
		for (unsigned i = 0; i < VLAPIC_NLVT; i++)
			l->lvt[i] |= APIC_LVT_MASKED;
	} else {
		attn_set(l, VLAPIC_ATTN_EVAL);
	}
}

static bool is_lvt(uint32_t off)
{
	return off >= APIC_LVT_CMCI && off <= APIC_LVT_ERROR &&
	       (off == APIC_LVT_CMCI || off >= APIC_LVT_TIMER);
}

/* Registers readable in both modes; false if 'off' is none of them. */
static bool read_common(struct vlapic *l, uint32_t off, uint64_t now, uint32_t *val)
{
	if (off >= APIC_ISR && off < APIC_ISR + 0x80) {
		*val = l->isr[(off - APIC_ISR) >> 4];
		return true;
	}
	if (off >= APIC_TMR && off < APIC_TMR + 0x80) {
		*val = ld(&l->tmr[(off - APIC_TMR) >> 4]);
		return true;
	}
	if (off >= APIC_IRR && off < APIC_IRR + 0x80) {
		*val = ld(&l->irr[(off - APIC_IRR) >> 4]);
		return true;
	}
	if (off >= APIC_LVT_TIMER && off <= APIC_LVT_ERROR) {
		*val = l->lvt[lvt_idx(off)];
		return true;
	}
	switch (off) {
	case APIC_VERSION: *val = VLAPIC_VERSION | VLAPIC_MAX_LVT << 16; return true;
	case APIC_TPR: *val = l->tpr; return true;
	case APIC_PPR: *val = vlapic_ppr(l); return true;
	case APIC_LDR: *val = l->ldr; return true;
	case APIC_SVR: *val = l->svr; return true;
	case APIC_ESR: *val = l->esr; return true;
	case APIC_TIMER_ICR: *val = l->timer_icr; return true;
	case APIC_TIMER_CCR: *val = current_count(l, now); return true;
	case APIC_TIMER_DCR: *val = l->timer_dcr; return true;
	default: return false;
	}
}

uint32_t vlapic_reg_read(struct vlapic *l, uint32_t off, uint64_t now)
{
	uint32_t val = 0;
	off &= 0xff0;
	if (read_common(l, off, now, &val))
		return val;
	switch (off) {
	case APIC_ID: return l->id << 24;
	case APIC_DFR: return l->dfr;
	case APIC_ICR_LO: return l->icr_lo; /* delivery is immediate: never busy */
	case APIC_ICR_HI: return l->icr_hi;
	default: return 0; /* APR, RRD, EOI, CMCI (absent), reserved */
	}
}

static void esr_write(struct vlapic *l)
{
	/* A write latches the errors since the last one (SDM 11.5.3). */
	l->esr = __atomic_exchange_n(&l->esr_pending, 0, __ATOMIC_ACQ_REL);
}

unsigned int vlapic_reg_write(struct vlapic *l, uint32_t off, uint32_t val, uint64_t now,
			      struct vlapic_ipi *ipi)
{
	off &= 0xff0;
	if (is_lvt(off)) {
		if (off != APIC_LVT_CMCI) /* no CMCI entry (max LVT 5) */
			write_lvt(l, lvt_idx(off), val);
		return 0;
	}
	switch (off) {
	case APIC_TPR:
		l->tpr = val & 0xff;
		attn_set(l, VLAPIC_ATTN_EVAL);
		return 0;
	case APIC_EOI:
		eoi(l);
		return 0;
	case APIC_LDR:
		l->ldr = val & 0xff000000u;
		return 0;
	case APIC_DFR:
		l->dfr = val | 0x0fffffffu;
		return 0;
	case APIC_SVR:
		write_svr(l, val);
		return 0;
	case APIC_ESR:
		esr_write(l);
		return 0;
	case APIC_ICR_HI:
		l->icr_hi = val & 0xff000000u;
		return 0;
	case APIC_ICR_LO:
		l->icr_lo = val & ICR_LO_WRITABLE;
		*ipi = (struct vlapic_ipi){ l->icr_lo, l->icr_hi >> 24, false };
		return VLAPIC_FX_IPI;
	case APIC_TIMER_ICR:
		write_timer_icr(l, val, now);
		return 0;
	case APIC_TIMER_DCR:
		write_timer_dcr(l, val, now);
		return 0;
	case APIC_ID: /* read-only here: vCPUs keep the id they were given */
	case APIC_VERSION:
	case APIC_APR:
	case APIC_PPR:
	case APIC_RRD:
	case APIC_TIMER_CCR:
		return 0;
	default:
		if ((off >= APIC_ISR && off < APIC_IRR + 0x80))
			return 0; /* ISR, TMR, IRR are read-only */
		raise_error(l, ESR_ILLEGAL_REG);
		return 0;
	}
}

int vlapic_x2_read(struct vlapic *l, uint32_t msr, uint64_t now, uint64_t *val)
{
	if (!vlapic_x2apic_mode(l) || msr < 0x800 || msr > 0x8ff)
		return -1;
	uint32_t off = (msr - 0x800) << 4, v32;
	if (read_common(l, off, now, &v32)) {
		*val = v32;
		return 0;
	}
	switch (off) {
	case APIC_ID:
		*val = l->id;
		return 0;
	case APIC_ICR_LO:
		*val = (uint64_t)l->icr_hi << 32 | l->icr_lo;
		return 0;
	default:
		return -1; /* EOI, SELF IPI (write-only), DFR, ICR high, CMCI... */
	}
}

int vlapic_x2_write(struct vlapic *l, uint32_t msr, uint64_t val, uint64_t now,
		    struct vlapic_ipi *ipi)
{
	if (!vlapic_x2apic_mode(l) || msr < 0x800 || msr > 0x8ff)
		return -1;
	uint32_t off = (msr - 0x800) << 4;
	if (off != APIC_ICR_LO && val >> 32)
		return -1;
	uint32_t v = (uint32_t)val;
	if (off >= APIC_LVT_TIMER && off <= APIC_LVT_ERROR) {
		unsigned idx = lvt_idx(off);
		if (v & ~lvt_writable[idx])
			return -1;
		write_lvt(l, idx, v);
		return 0;
	}
	switch (off) {
	case APIC_TPR:
		if (v & ~0xffu)
			return -1;
		l->tpr = v;
		attn_set(l, VLAPIC_ATTN_EVAL);
		return 0;
	case APIC_EOI:
		if (v)
			return -1;
		eoi(l);
		return 0;
	case APIC_SVR:
		if (v & ~SVR_WRITABLE)
			return -1;
		write_svr(l, v);
		return 0;
	case APIC_ESR:
		if (v)
			return -1;
		esr_write(l);
		return 0;
	case APIC_ICR_LO:
		if (v & X2_ICR_RESERVED)
			return -1;
		l->icr_lo = v;
		l->icr_hi = (uint32_t)(val >> 32);
		*ipi = (struct vlapic_ipi){ v, l->icr_hi, true };
		return VLAPIC_FX_IPI;
	case APIC_TIMER_ICR:
		write_timer_icr(l, v, now);
		return 0;
	case APIC_TIMER_DCR:
		if (v & ~0xbu)
			return -1;
		write_timer_dcr(l, v, now);
		return 0;
	case APIC_SELF_IPI:
		if (v & ~0xffu)
			return -1;
		vlapic_accept(l, (uint8_t)v, false);
		return 0;
	default:
		return -1; /* read-only or reserved */
	}
}

int vlapic_base_write(struct vlapic *l, uint64_t val, unsigned int phys_bits)
{
	uint64_t reserved = 0xffULL | BIT(9) | (phys_bits < 64 ? ~0ULL << phys_bits : 0);
	if (val & reserved)
		return -1;
	bool en = val & APIC_BASE_EN, extd = val & APIC_BASE_EXTD;
	bool was_en = l->base & APIC_BASE_EN, was_x2 = vlapic_x2apic_mode(l);
	/* SDM 11.12.5: EXTD without EN is invalid; x2APIC may go only to
	 * disabled, and x2APIC is reached only from xAPIC. */
	if ((extd && !en) || (was_x2 && en && !extd) || (!was_en && extd))
		return -1;
	l->base = (val & ~APIC_BASE_BSP) | (l->base & APIC_BASE_BSP);
	if (was_en && !en)
		regs_reset(l); /* disabled: back to the power-up state */
	else if (!was_x2 && extd)
		l->ldr = x2_ldr(l->id);
	return 0;
}

bool vlapic_dest_match(const struct vlapic *t, uint32_t dest, bool logical, bool x2apic)
{
	if (!vlapic_hw_enabled(t))
		return false;
	if (x2apic) {
		if (dest == 0xffffffffu)
			return true;
		if (!logical)
			return dest == t->id;
		uint32_t ldr = x2_ldr(t->id);
		return (dest >> 16) == (ldr >> 16) && (dest & ldr & 0xffff);
	}
	dest &= 0xff;
	if (dest == 0xff)
		return true;
	if (!logical)
		return dest == (t->id & 0xff);
	uint32_t ldr = t->ldr >> 24;
	if ((t->dfr >> 28) == 0xf) /* flat model */
		return (ldr & dest) != 0;
	return (dest >> 4) == (ldr >> 4) && (dest & ldr & 0xf); /* cluster model */
}

/* ============================================================================
 * Glue: vCPUs, VMCS, host timer, IPIs.
 */
#ifndef TERN_HOST_TEST
#include "arch/x86/cpu.h"
#include "arch/x86/irq.h"
#include "arch/x86/smp.h"
#include "arch/x86/trap.h"
#include "arch/x86/tsc.h"
#include "arch/x86/vcpu_ops.h"
#include "arch/x86/vmcs.h"
#include "arch/x86/vmx.h"
#include "arch/x86/vmx_ops.h"
#include "hv/fmt.h"
#include "hv/heap.h"
#include "hv/log.h"
#include "hv/percpu.h"
#include "hv/sched_core.h"
#include "hv/timer.h"
#include "hv/vm.h"

#define MIN_PERIOD_US 50 /* floor of a periodic timer's period */
#define ACTIVITY_ACTIVE 0
#define ACTIVITY_HLT 1
#define INTR_BLOCK_STI BIT(0)
#define INTR_BLOCK_MOVSS BIT(1)
#define INTR_BLOCK_NMI BIT(3)

static unsigned int guest_phys_bits = 36;

uint64_t vlapic_timer_hz(void)
{
	return tsc_hz();
}

static inline struct vlapic *lapic_of(struct vcpu *v)
{
	return v->arch.lapic;
}

/* Guest TSC (the vCPU's VMCS is current). */
static uint64_t tsc_offset(void)
{
	return vmcs_read64(TSC_OFFSET);
}

static uint64_t guest_now(void)
{
	return rdtsc() + tsc_offset();
}

/* Keeps the host timer on the LVT timer's next expiry. */
static void sync_host_timer(struct vlapic *l)
{
	if (l->timer_deadline == l->armed)
		return;
	l->armed = l->timer_deadline;
	if (!l->armed)
		timer_cancel(&l->host_timer);
	else
		timer_arm(&l->host_timer, l->armed - tsc_offset());
}

static void set_window(struct vcpu *v, bool on)
{
	uint32_t proc = on ? v->arch.proc | CPU_INTR_WINDOW : v->arch.proc & ~CPU_INTR_WINDOW;
	if (proc != v->arch.proc) {
		v->arch.proc = proc;
		vmcs_write32(PROC_BASED_CTLS, proc);
	}
}

/* Makes 't' look at its vLAPIC before it next runs guest code. The fence
 * pairs with the one in vlapic_block_check (HLT): either we see the vCPU
 * blocked and wake it, or it sees our attn bits and does not block. */
static void notify(struct vcpu *t)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (t->state == VCPU_BLOCKED) {
		sched_wake(t);
		return;
	}
	int cpu = __atomic_load_n(&t->arch.loaded_cpu, __ATOMIC_ACQUIRE);
	if (cpu >= 0 && (unsigned int)cpu != this_cpu()->id)
		smp_send_ipi((unsigned int)cpu, VEC_VLAPIC_NOTIFY);
}

static void notify_irq(unsigned int vector)
{
	/* Nothing to do: leaving guest mode was the point. */
}

static void timer_fired(struct timer *t)
{
	struct vlapic *l = (struct vlapic *)((char *)t - __builtin_offsetof(struct vlapic, host_timer));
	struct vcpu *v = l->vcpu;
	if (v->state == VCPU_STOPPED)
		return;
	attn_set(l, VLAPIC_ATTN_TIMER);
	notify(v);
}

bool vlapic_create(struct vcpu *v, char *err, size_t len)
{
	static bool setup_done;
	if (!setup_done) {
		timer_setup();
		irq_register(VEC_VLAPIC_NOTIFY, notify_irq);
		if (!vmx_ctl_allowed(&vmx_cfg.caps, VMX_CTL_PROC, CPU_INTR_WINDOW))
			log_warn("vLAPIC: no interrupt-window exiting; interrupts wait for other exits");
		uint32_t bits = cpuid(0x80000008u, 0).eax & 0xff;
		if (bits >= 32 && bits <= 52)
			guest_phys_bits = bits;
		setup_done = true;
	}
	struct vlapic *l = kzalloc(sizeof(*l));
	if (!l) {
		fmt_snprintf(err, len, "out of memory for the vLAPIC of vcpu %u", v->id);
		return false;
	}
	vlapic_reset(l, v->id, v->id == 0, tsc_from_us(MIN_PERIOD_US));
	timer_init(&l->host_timer, timer_fired);
	l->vcpu = v;
	v->arch.lapic = l;
	return true;
}

/* ---- IPIs ------------------------------------------------------------------- */

static void deliver(struct vcpu *t, unsigned int mode, uint8_t vector, bool level)
{
	struct vlapic *tl = lapic_of(t);
	switch (mode) {
	case ICR_DM_FIXED:
	case ICR_DM_LOWEST:
		/* A vCPU waiting for SIPI takes no interrupts. */
		if (t->arch.wait_for_sipi || t->state == VCPU_STOPPED)
			return;
		if (vlapic_accept(tl, vector, level))
			notify(t);
		return;
	case ICR_DM_NMI:
		__atomic_store_n(&tl->nmi_pending, 1, __ATOMIC_RELEASE);
		attn_set(tl, VLAPIC_ATTN_NMI);
		notify(t);
		return;
	case ICR_DM_INIT:
		attn_set(tl, VLAPIC_ATTN_INIT);
		notify(t);
		return;
	case ICR_DM_STARTUP:
		tl->sipi_vector = vector;
		attn_set(tl, VLAPIC_ATTN_SIPI);
		notify(t);
		return;
	default:
		return; /* SMI, ExtINT, reserved: not delivered */
	}
}

static void send_ipi(struct vcpu *src, const struct vlapic_ipi *ipi)
{
	struct vlapic *sl = lapic_of(src);
	unsigned int mode = (ipi->icr >> ICR_DM_SHIFT) & 7, sh = (ipi->icr >> ICR_SH_SHIFT) & 3;
	uint8_t vector = (uint8_t)ipi->icr;
	bool logical = ipi->icr & ICR_LOGICAL, level = ipi->icr & ICR_LEVEL;
	struct vm *vm = src->vm;

	sl->ipis_sent++;
	if ((mode == ICR_DM_FIXED || mode == ICR_DM_LOWEST) && vector < 16) {
		raise_error(sl, ESR_SEND_ILLEGAL);
		return;
	}
	/* INIT level de-assert: only synchronizes arbitration ids. */
	if (mode == ICR_DM_INIT && !(ipi->icr & ICR_ASSERT) && level)
		return;
	struct vcpu *lowest = NULL;
	for (unsigned i = 0; i < vm->nvcpus; i++) {
		struct vcpu *t = vm->vcpus[i];
		bool match;
		if (!t)
			continue;
		switch (sh) {
		case ICR_SH_SELF: match = t == src; break;
		case ICR_SH_ALL: match = true; break;
		case ICR_SH_OTHERS: match = t != src; break;
		default: match = vlapic_dest_match(lapic_of(t), ipi->dest, logical, ipi->x2apic); break;
		}
		if (!match)
			continue;
		/* Lowest priority: one of the targets; the lowest id. */
		if (mode == ICR_DM_LOWEST && sh == ICR_SH_NONE) {
			if (!lowest)
				lowest = t;
			continue;
		}
		if (t == src && (mode == ICR_DM_FIXED || mode == ICR_DM_LOWEST))
			vlapic_accept(sl, vector, level); /* no notification: we are it */
		else
			deliver(t, mode, vector, level);
	}
	if (lowest)
		deliver(lowest, ICR_DM_FIXED, vector, level);
}

static void after_write(struct vcpu *v, unsigned int fx, const struct vlapic_ipi *ipi)
{
	if (fx & VLAPIC_FX_IPI)
		send_ipi(v, ipi);
	sync_host_timer(lapic_of(v));
}

/* ---- INIT and SIPI ------------------------------------------------------------ */

static void write_seg(uint32_t sel_f, uint32_t base_f, uint32_t limit_f, uint32_t ar_f,
		      uint16_t sel, uint64_t base, uint32_t limit, uint32_t ar)
{
	__vmwrite(sel_f, sel);
	__vmwrite(base_f, base);
	__vmwrite(limit_f, limit);
	__vmwrite(ar_f, ar);
}

/* The register state after INIT (SDM Vol. 3, Table 10-1). */
static void write_init_state(struct vcpu *v)
{
	struct vcpu_arch *va = &v->arch;
	va->cr0_shadow = CR0_ET | CR0_CD | CR0_NW;
	vmcs_writel(CR0_READ_SHADOW, va->cr0_shadow);
	vmcs_writel(GUEST_CR0, vmcs_guest_cr0(va->cr0_shadow));
	va->cr4_shadow = 0;
	vmcs_writel(CR4_READ_SHADOW, 0);
	vmcs_writel(GUEST_CR4, vmcs_guest_cr4(0));
	vmcs_writel(GUEST_CR3, 0);
	va->cr2 = 0;
	vmcs_write64(GUEST_IA32_EFER, 0);
	vmcs_write32(ENTRY_CTLS, vmcs_read32(ENTRY_CTLS) & ~ENTRY_IA32E_GUEST);
	write_seg(GUEST_CS_SEL, GUEST_CS_BASE, GUEST_CS_LIMIT, GUEST_CS_AR, 0xf000, 0xffff0000,
		  0xffff, 0x9b);
	static const uint32_t segs[][4] = {
		{ GUEST_DS_SEL, GUEST_DS_BASE, GUEST_DS_LIMIT, GUEST_DS_AR },
		{ GUEST_ES_SEL, GUEST_ES_BASE, GUEST_ES_LIMIT, GUEST_ES_AR },
		{ GUEST_SS_SEL, GUEST_SS_BASE, GUEST_SS_LIMIT, GUEST_SS_AR },
		{ GUEST_FS_SEL, GUEST_FS_BASE, GUEST_FS_LIMIT, GUEST_FS_AR },
		{ GUEST_GS_SEL, GUEST_GS_BASE, GUEST_GS_LIMIT, GUEST_GS_AR },
	};
	for (unsigned i = 0; i < ARRAY_SIZE(segs); i++)
		write_seg(segs[i][0], segs[i][1], segs[i][2], segs[i][3], 0, 0, 0xffff, 0x93);
	write_seg(GUEST_LDTR_SEL, GUEST_LDTR_BASE, GUEST_LDTR_LIMIT, GUEST_LDTR_AR, 0, 0, 0xffff,
		  0x82);
	write_seg(GUEST_TR_SEL, GUEST_TR_BASE, GUEST_TR_LIMIT, GUEST_TR_AR, 0, 0, 0xffff, 0x8b);
	vmcs_writel(GUEST_GDTR_BASE, 0);
	vmcs_write32(GUEST_GDTR_LIMIT, 0xffff);
	vmcs_writel(GUEST_IDTR_BASE, 0);
	vmcs_write32(GUEST_IDTR_LIMIT, 0xffff);
	vmcs_writel(GUEST_RIP, 0xfff0);
	vmcs_writel(GUEST_RSP, 0);
	vmcs_writel(GUEST_RFLAGS, 0x2);
	vmcs_write32(GUEST_INTERRUPTIBILITY, 0);
	vmcs_writel(GUEST_PENDING_DBG, 0);
	for (unsigned i = 0; i < 16; i++)
		va->regs.gpr[i] = 0;
	va->regs.gpr[GPR_RDX] = cpuid(1, 0).eax; /* family, model, stepping */
	va->event.valid = false;
}

static void do_init(struct vcpu *v, struct vlapic *l)
{
	vlapic_init_signal(l);
	l->armed = 0;
	timer_cancel(&l->host_timer);
	set_window(v, false);
	write_init_state(v);
	v->arch.wait_for_sipi = true;
}

static void do_sipi(struct vcpu *v, struct vlapic *l)
{
	/* SDM Vol. 3, 10.4.4.1: CS = vector << 8, IP = 0, real mode. */
	uint8_t vector = __atomic_load_n(&l->sipi_vector, __ATOMIC_ACQUIRE);
	vmcs_write16(GUEST_CS_SEL, (uint16_t)(vector << 8));
	vmcs_writel(GUEST_CS_BASE, (uint64_t)vector << 12);
	vmcs_writel(GUEST_RIP, 0);
	vmcs_write32(GUEST_ACTIVITY_STATE, ACTIVITY_ACTIVE);
	v->arch.wait_for_sipi = false;
}

/* A vCPU in wait-for-SIPI must not run: it blocks, and the entry we are
 * on goes in with a zero preemption timer (vcpu_run.c), which exits
 * before any instruction; in the HLT activity state, in case. Without the
 * preemption timer, a kick IPI to ourselves does it (an external
 * interrupt pending at entry makes it exit before any instruction). */
static void wait_for_sipi(struct vcpu *v, struct vlapic *l)
{
	vmcs_write32(GUEST_ACTIVITY_STATE, ACTIVITY_HLT);
	attn_set(l, VLAPIC_ATTN_WAIT);
	sched_block_current(v);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&l->attn, __ATOMIC_ACQUIRE) & (VLAPIC_ATTN_SIPI | VLAPIC_ATTN_INIT))
		sched_wake(v);
	if (!(vmx_cfg.pin & PIN_PREEMPT_TIMER))
		smp_send_ipi(this_cpu()->id, VEC_IPI_KICK);
}

/* ---- injection ------------------------------------------------------------------ */

static bool inject_nmi(struct vcpu *v, struct vlapic *l)
{
	if (vmcs_read32(GUEST_INTERRUPTIBILITY) & (INTR_BLOCK_STI | INTR_BLOCK_MOVSS | INTR_BLOCK_NMI)) {
		set_window(v, true); /* try again at the next window */
		return false;
	}
	__atomic_store_n(&l->nmi_pending, 0, __ATOMIC_RELEASE);
	vmcs_write32(ENTRY_INTR_INFO, INTR_INFO_VALID | INTR_TYPE_NMI << 8 | 2);
	v->stats.injected++;
	if (vlapic_pending_vector(l) >= 0)
		set_window(v, true);
	return true;
}

/* Interrupts can be injected now (SDM 27.3.1.5, 27.6): RFLAGS.IF set and
 * no blocking by STI or MOV SS. */
static bool intr_open(void)
{
	return (vmcs_readl(GUEST_RFLAGS) & RFLAGS_IF) &&
	       !(vmcs_read32(GUEST_INTERRUPTIBILITY) & (INTR_BLOCK_STI | INTR_BLOCK_MOVSS));
}

static void service(struct vcpu *v, struct vlapic *l)
{
	uint32_t a = __atomic_exchange_n(&l->attn, 0, __ATOMIC_ACQ_REL);

	if (a & VLAPIC_ATTN_INIT)
		do_init(v, l);
	if ((a & VLAPIC_ATTN_SIPI) && v->arch.wait_for_sipi)
		do_sipi(v, l);
	if (unlikely(v->arch.wait_for_sipi)) {
		wait_for_sipi(v, l);
		return;
	}
	if (a & VLAPIC_ATTN_TIMER) {
		l->armed = 0; /* the host timer fired: it is armed no more */
		vlapic_timer_check(l, guest_now());
		sync_host_timer(l);
	}
	if (__atomic_load_n(&l->nmi_pending, __ATOMIC_ACQUIRE) && inject_nmi(v, l))
		return;
	int vector = vlapic_pending_vector(l);
	if (vector < 0)
		return;
	if (intr_open()) {
		vmcs_write32(ENTRY_INTR_INFO, INTR_INFO_VALID | INTR_TYPE_EXT << 8 | (uint32_t)vector);
		vlapic_ack(l, (uint8_t)vector);
		v->stats.injected++;
		set_window(v, false);
	} else {
		set_window(v, true);
	}
}

/* The first entry after a switch-in: order the store of loaded_cpu
 * (arch_vcpu_switch_in) before our load of attn. A sender stores attn,
 * then loads loaded_cpu (notify); without the fence both could miss the
 * other and the interrupt would wait for the next exit. */
static inline void first_entry_fence(struct vcpu *v)
{
	if (unlikely(!v->arch.launched))
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

void vlapic_inject(struct vcpu *v)
{
	struct vlapic *l = lapic_of(v);
	first_entry_fence(v);
	if (likely(!__atomic_load_n(&l->attn, __ATOMIC_ACQUIRE)))
		return;
	service(v, l);
}

void vlapic_event_pending(struct vcpu *v)
{
	/* Another event goes in first: come back for ours when it is in. */
	first_entry_fence(v);
	if (__atomic_load_n(&lapic_of(v)->attn, __ATOMIC_ACQUIRE))
		set_window(v, true);
}

void vlapic_intr_window_open(struct vcpu *v)
{
	set_window(v, false);
	attn_set(lapic_of(v), VLAPIC_ATTN_EVAL);
}

bool vlapic_has_pending(struct vcpu *v)
{
	struct vlapic *l = lapic_of(v);
	if (__atomic_load_n(&l->attn, __ATOMIC_ACQUIRE) &
	    (VLAPIC_ATTN_NMI | VLAPIC_ATTN_INIT | VLAPIC_ATTN_SIPI))
		return true;
	if (l->timer_deadline && guest_now() >= l->timer_deadline) {
		attn_set(l, VLAPIC_ATTN_TIMER);
		return true;
	}
	if (vlapic_pending_vector(l) >= 0) {
		attn_set(l, VLAPIC_ATTN_EVAL);
		return true;
	}
	return false;
}

bool vlapic_block_check(struct vcpu *v)
{
	/* After the vCPU marked itself blocked: anything that arrived since
	 * vlapic_has_pending() (its sender may have seen it still runnable
	 * and not woken it; see notify). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return vlapic_has_pending(v);
}

uint64_t vlapic_cr8_read(struct vcpu *v)
{
	return lapic_of(v)->tpr >> 4;
}

void vlapic_cr8_write(struct vcpu *v, uint64_t val)
{
	/* CR8[3:0] is TPR[7:4] (SDM 11.8.6); a lower TPR may let one in. */
	struct vlapic *l = lapic_of(v);
	l->tpr = (uint32_t)(val & 0xf) << 4;
	attn_set(l, VLAPIC_ATTN_EVAL);
}

bool vlapic_has_nmi(struct vcpu *v)
{
	return __atomic_load_n(&lapic_of(v)->nmi_pending, __ATOMIC_ACQUIRE);
}

/* ---- MSRs and MMIO ----------------------------------------------------------------- */

bool vlapic_msr_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	struct vlapic *l = lapic_of(v);
	if (msr == MSR_IA32_APIC_BASE) {
		*val = l->base;
		return true;
	}
	if (msr == MSR_IA32_TSC_DEADLINE) {
		*val = vlapic_tsc_deadline_read(l);
		return true;
	}
	if (msr >= 0x800 && msr <= 0x8ff)
		return vlapic_x2_read(l, msr, guest_now(), val) == 0; /* false: #GP */
	return false;
}

int vlapic_msr_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
	struct vlapic *l = lapic_of(v);
	if (msr == MSR_IA32_APIC_BASE) {
		if (vlapic_base_write(l, val, guest_phys_bits))
			return 0;
		sync_host_timer(l);
		return 1;
	}
	if (msr == MSR_IA32_TSC_DEADLINE) {
		vlapic_tsc_deadline_write(l, val, guest_now());
		sync_host_timer(l);
		return 1;
	}
	if (msr >= 0x800 && msr <= 0x8ff) {
		struct vlapic_ipi ipi;
		int fx = vlapic_x2_write(l, msr, val, guest_now(), &ipi);
		if (fx < 0)
			return 0;
		after_write(v, (unsigned int)fx, &ipi);
		return 1;
	}
	return -1;
}

bool vlapic_mmio_claims(struct vcpu *v, gpa_t gpa)
{
	const struct vlapic *l = lapic_of(v);
	return (l->base & (APIC_BASE_EN | APIC_BASE_EXTD)) == APIC_BASE_EN &&
	       (gpa & ~0xfffULL) == (l->base & APIC_BASE_ADDR_MASK);
}

bool vlapic_mmio_access(struct vcpu *v, gpa_t gpa, unsigned int size, bool write,
			uint64_t *val)
{
	struct vlapic *l = lapic_of(v);
	uint32_t off = (uint32_t)gpa & 0xfff, byte = off & 0xf;
	if (!write) {
		/* Registers are 32 bits at 16-byte boundaries; narrower reads
		 * see part of one, the rest of the 16 bytes reads 0. */
		uint64_t r = byte < 4 ? vlapic_reg_read(l, off, guest_now()) >> (8 * byte) : 0;
		*val = size >= 8 ? r : r & ((1ULL << (8 * size)) - 1);
		return true;
	}
	if (byte || size < 4) {
		static bool logged;
		if (!logged) {
			logged = true;
			log_warn("vm %s vcpu %u: %u-byte APIC write at offset %#x ignored (registers are written 32 bits at a time)",
				 v->vm->name, v->id, size, off);
		}
		return true;
	}
	struct vlapic_ipi ipi;
	unsigned int fx = vlapic_reg_write(l, off, (uint32_t)*val, guest_now(), &ipi);
	after_write(v, fx, &ipi);
	return true;
}
#endif
