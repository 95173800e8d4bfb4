/* Host tests for the pure register file of arch/x86/vlapic.c: reset
 * values, register masks, TPR/PPR and priority, EOI, the LVT timer in its
 * three modes with a simulated clock, IA32_APIC_BASE mode transitions,
 * x2APIC MSR rules, destination matching and ESR (SDM Vol. 3, chapter 11). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "arch/x86/vlapic.h"

#define MIN_PERIOD 10

static struct vlapic l;
static struct vlapic_ipi ipi;

static void reset(uint32_t id)
{
	memset(&l, 0, sizeof(l));
	vlapic_reset(&l, id, id == 0, MIN_PERIOD);
}

static uint32_t rd(uint32_t off, uint64_t now)
{
	return vlapic_reg_read(&l, off, now);
}

static unsigned wr(uint32_t off, uint32_t val, uint64_t now)
{
	return vlapic_reg_write(&l, off, val, now, &ipi);
}

static void enable(void)
{
	wr(APIC_SVR, 0x1ff, 0);
}

static void to_x2apic(void)
{
	assert_int_equal(vlapic_base_write(&l, APIC_DEFAULT_PA | APIC_BASE_EN | APIC_BASE_EXTD, 36),
			 0);
}

static void test_reset_values(void **state)
{
	reset(3);
	assert_int_equal(rd(APIC_ID, 0), 3u << 24);
	assert_int_equal(rd(APIC_VERSION, 0), 0x00050014);
	assert_int_equal(rd(APIC_SVR, 0), 0xff);
	assert_int_equal(rd(APIC_DFR, 0), 0xffffffffu);
	assert_int_equal(rd(APIC_TPR, 0), 0);
	assert_int_equal(rd(APIC_LDR, 0), 0);
	for (uint32_t off = APIC_LVT_TIMER; off <= APIC_LVT_ERROR; off += 0x10)
		assert_int_equal(rd(off, 0), APIC_LVT_MASKED);
	assert_int_equal(l.base, APIC_DEFAULT_PA | APIC_BASE_EN);
	reset(0);
	assert_int_equal(l.base, APIC_DEFAULT_PA | APIC_BASE_EN | APIC_BASE_BSP);
	assert_false(vlapic_sw_enabled(&l));
	assert_true(vlapic_hw_enabled(&l));
	assert_false(vlapic_x2apic_mode(&l));
}

static void test_register_masks(void **state)
{
	reset(1);
	enable();
	wr(APIC_TPR, 0xffffffff, 0);
	assert_int_equal(rd(APIC_TPR, 0), 0xff);
	wr(APIC_LDR, 0xffffffff, 0);
	assert_int_equal(rd(APIC_LDR, 0), 0xff000000u);
	wr(APIC_DFR, 0, 0);
	assert_int_equal(rd(APIC_DFR, 0), 0x0fffffffu);
	wr(APIC_LVT_LINT0, 0xffffffff, 0);
	assert_int_equal(rd(APIC_LVT_LINT0, 0), 0x1a7ff);
	wr(APIC_LVT_ERROR, 0xffffffff, 0);
	assert_int_equal(rd(APIC_LVT_ERROR, 0), 0x100ff);
	wr(APIC_LVT_TIMER, 0xffffffff, 0);
	assert_int_equal(rd(APIC_LVT_TIMER, 0), 0x700ff);
	wr(APIC_ICR_HI, 0xffffffff, 0);
	assert_int_equal(rd(APIC_ICR_HI, 0), 0xff000000u);
	/* The ID and the read-only registers ignore writes. */
	wr(APIC_ID, 0x7f000000, 0);
	assert_int_equal(rd(APIC_ID, 0), 1u << 24);
	wr(APIC_VERSION, 0, 0);
	assert_int_equal(rd(APIC_VERSION, 0), 0x00050014);
	/* Offsets within a 16-byte slot read the same register. */
	assert_int_equal(rd(APIC_TPR + 4, 0), 0xff);
}

static void test_sw_disable_masks_lvt(void **state)
{
	reset(1);
	wr(APIC_LVT_TIMER, 0x40, 0); /* disabled: stays masked */
	assert_int_equal(rd(APIC_LVT_TIMER, 0), APIC_LVT_MASKED | 0x40);
	enable();
	wr(APIC_LVT_TIMER, 0x40, 0);
	assert_int_equal(rd(APIC_LVT_TIMER, 0), 0x40);
	wr(APIC_SVR, 0xff, 0); /* software-disable masks every LVT */
	assert_int_equal(rd(APIC_LVT_TIMER, 0), APIC_LVT_MASKED | 0x40);
	/* A disabled APIC accepts no fixed interrupts. */
	assert_false(vlapic_accept(&l, 0x50, false));
	assert_int_equal(rd(APIC_IRR + 0x20, 0), 0);
}

static void test_priority(void **state)
{
	reset(0);
	enable();
	l.attn = 0;
	assert_int_equal(vlapic_pending_vector(&l), -1);
	assert_true(vlapic_accept(&l, 0x41, false));
	assert_true(l.attn & VLAPIC_ATTN_EVAL);
	assert_true(vlapic_accept(&l, 0x81, false));
	assert_true(vlapic_accept(&l, 0x45, false));
	assert_int_equal(rd(APIC_IRR + 0x20, 0), (1u << 1) | (1u << 5)); /* 0x41, 0x45 */
	assert_int_equal(rd(APIC_IRR + 0x40, 0), 1u << 1);               /* 0x81 */
	/* Highest first. */
	assert_int_equal(vlapic_pending_vector(&l), 0x81);
	vlapic_ack(&l, 0x81);
	assert_int_equal(rd(APIC_ISR + 0x40, 0), 1u << 1);
	assert_int_equal(rd(APIC_PPR, 0), 0x80);
	/* 0x45 is below the in-service class. */
	assert_int_equal(vlapic_pending_vector(&l), -1);
	/* A higher class preempts. */
	vlapic_accept(&l, 0x91, false);
	assert_int_equal(vlapic_pending_vector(&l), 0x91);
	vlapic_ack(&l, 0x91);
	assert_int_equal(rd(APIC_PPR, 0), 0x90);
	/* EOI clears the highest in-service vector first. */
	l.attn = 0;
	wr(APIC_EOI, 0, 0);
	assert_true(l.attn & VLAPIC_ATTN_EVAL);
	assert_int_equal(rd(APIC_ISR + 0x40, 0), 1u << 1);
	assert_int_equal(rd(APIC_PPR, 0), 0x80);
	wr(APIC_EOI, 0, 0);
	assert_int_equal(rd(APIC_PPR, 0), 0);
	assert_int_equal(vlapic_pending_vector(&l), 0x45);
	/* TPR holds back its class and below. */
	wr(APIC_TPR, 0x45, 0);
	assert_int_equal(rd(APIC_PPR, 0), 0x45);
	assert_int_equal(vlapic_pending_vector(&l), -1);
	wr(APIC_TPR, 0x3f, 0);
	assert_int_equal(vlapic_pending_vector(&l), 0x45);
	/* ISR class below TPR: PPR is the TPR. */
	vlapic_ack(&l, 0x45);
	wr(APIC_TPR, 0x60, 0);
	assert_int_equal(rd(APIC_PPR, 0), 0x60);
	wr(APIC_TPR, 0x00, 0);
	assert_int_equal(rd(APIC_PPR, 0), 0x40);
}

static void test_illegal_vectors(void **state)
{
	reset(0);
	enable();
	wr(APIC_LVT_ERROR, 0xfe, 0);
	assert_false(vlapic_accept(&l, 7, false));
	/* ESR shows nothing until written; the error LVT fired. */
	assert_int_equal(rd(APIC_ESR, 0), 0);
	wr(APIC_ESR, 0, 0);
	assert_int_equal(rd(APIC_ESR, 0), ESR_RECV_ILLEGAL);
	wr(APIC_ESR, 0, 0);
	assert_int_equal(rd(APIC_ESR, 0), 0);
	assert_int_equal(vlapic_pending_vector(&l), 0xfe);
	/* A write to a reserved register sets "illegal register address". */
	wr(0x040, 1, 0);
	wr(APIC_ESR, 0, 0);
	assert_int_equal(rd(APIC_ESR, 0), ESR_ILLEGAL_REG);
}

static void test_icr(void **state)
{
	reset(0);
	enable();
	assert_int_equal(wr(APIC_ICR_HI, 0x03000000, 0), 0);
	assert_int_equal(wr(APIC_ICR_LO, 0x4041 | ICR_BUSY, 0), VLAPIC_FX_IPI);
	assert_int_equal(ipi.icr, 0x4041);
	assert_int_equal(ipi.dest, 3);
	assert_false(ipi.x2apic);
	/* Never busy when read back. */
	assert_int_equal(rd(APIC_ICR_LO, 0), 0x4041);
}

static void test_timer_oneshot(void **state)
{
	reset(0);
	enable();
	wr(APIC_TIMER_DCR, 0x3, 0); /* divide by 16 */
	wr(APIC_LVT_TIMER, 0x30, 0);
	wr(APIC_TIMER_ICR, 1000, 100);
	assert_int_equal(l.timer_deadline, 100 + 16000);
	assert_int_equal(rd(APIC_TIMER_CCR, 100), 1000);
	assert_int_equal(rd(APIC_TIMER_CCR, 100 + 8000), 500);
	assert_int_equal(rd(APIC_TIMER_CCR, 100 + 15999), 1);
	assert_false(vlapic_timer_check(&l, 100 + 15999));
	assert_int_equal(rd(APIC_TIMER_CCR, 100 + 16000), 0);
	assert_true(vlapic_timer_check(&l, 100 + 16005));
	assert_int_equal(vlapic_pending_vector(&l), 0x30);
	assert_int_equal(l.timer_deadline, 0);
	assert_int_equal(rd(APIC_TIMER_CCR, 100 + 20000), 0);
	assert_false(vlapic_timer_check(&l, 100 + 40000));
	assert_int_equal(l.timer_fires, 1);
	/* Writing 0 stops a running timer. */
	wr(APIC_TIMER_ICR, 50, 0);
	wr(APIC_TIMER_ICR, 0, 10);
	assert_int_equal(l.timer_deadline, 0);
	/* Masked: it expires but raises nothing. */
	vlapic_ack(&l, 0x30);
	wr(APIC_EOI, 0, 0);
	wr(APIC_LVT_TIMER, 0x30 | APIC_LVT_MASKED, 0);
	wr(APIC_TIMER_ICR, 10, 0);
	assert_true(vlapic_timer_check(&l, 1000));
	assert_int_equal(vlapic_pending_vector(&l), -1);
}

static void test_timer_divide(void **state)
{
	static const struct { uint32_t dcr; uint64_t div; } t[] = {
		{ 0x0, 2 }, { 0x1, 4 }, { 0x2, 8 }, { 0x3, 16 },
		{ 0x8, 32 }, { 0x9, 64 }, { 0xa, 128 }, { 0xb, 1 },
	};
	for (unsigned i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		reset(0);
		enable();
		wr(APIC_TIMER_DCR, t[i].dcr | 0xf0, 0);
		assert_int_equal(rd(APIC_TIMER_DCR, 0), t[i].dcr);
		wr(APIC_TIMER_ICR, 100, 0);
		assert_int_equal(l.timer_deadline, 100 * t[i].div);
	}
	/* Changing the divisor while counting keeps the count. */
	reset(0);
	enable();
	wr(APIC_TIMER_DCR, 0xb, 0);
	wr(APIC_TIMER_ICR, 1000, 0);
	wr(APIC_TIMER_DCR, 0x0, 400); /* 600 counts left, now at 2 ticks each */
	assert_int_equal(l.timer_deadline, 400 + 1200);
	assert_int_equal(rd(APIC_TIMER_CCR, 400), 600);
}

static void test_timer_periodic(void **state)
{
	reset(0);
	enable();
	wr(APIC_TIMER_DCR, 0xb, 0);
	wr(APIC_LVT_TIMER, APIC_TIMER_PERIODIC | 0x31, 0);
	wr(APIC_TIMER_ICR, 100, 0);
	assert_true(vlapic_timer_check(&l, 100));
	assert_int_equal(l.timer_deadline, 200);
	assert_int_equal(vlapic_pending_vector(&l), 0x31);
	vlapic_ack(&l, 0x31);
	wr(APIC_EOI, 0, 0);
	/* Late by 3.5 periods: one interrupt (one IRR bit), next on the grid. */
	assert_true(vlapic_timer_check(&l, 550));
	assert_int_equal(l.timer_deadline, 600);
	assert_int_equal(rd(APIC_TIMER_CCR, 550), 50);
	/* Past the deadline but not yet checked: the count wraps around. */
	assert_int_equal(rd(APIC_TIMER_CCR, 630), 70);
	/* Switching to one-shot: the current period is the last. */
	wr(APIC_LVT_TIMER, APIC_TIMER_ONESHOT | 0x31, 600);
	assert_true(vlapic_timer_check(&l, 600));
	assert_int_equal(l.timer_deadline, 0);
	/* The period has a floor. */
	wr(APIC_LVT_TIMER, APIC_TIMER_PERIODIC | 0x31, 1000);
	wr(APIC_TIMER_ICR, 1, 1000);
	assert_int_equal(l.timer_deadline, 1001);
	assert_true(vlapic_timer_check(&l, 1001));
	assert_int_equal(l.timer_deadline, 1001 + MIN_PERIOD);
}

static void test_timer_tsc_deadline(void **state)
{
	reset(0);
	enable();
	/* Outside TSC-deadline mode the MSR reads 0 and ignores writes. */
	vlapic_tsc_deadline_write(&l, 5000, 0);
	assert_int_equal(vlapic_tsc_deadline_read(&l), 0);
	assert_int_equal(l.timer_deadline, 0);
	wr(APIC_LVT_TIMER, APIC_TIMER_TSC_DEADLINE | 0x32, 0);
	vlapic_tsc_deadline_write(&l, 5000, 100);
	assert_int_equal(vlapic_tsc_deadline_read(&l), 5000);
	/* The initial-count register is ignored in this mode. */
	wr(APIC_TIMER_ICR, 10, 100);
	assert_int_equal(l.timer_deadline, 5000);
	assert_int_equal(rd(APIC_TIMER_CCR, 200), 0);
	assert_false(vlapic_timer_check(&l, 4999));
	assert_true(vlapic_timer_check(&l, 5000));
	assert_int_equal(vlapic_tsc_deadline_read(&l), 0);
	assert_int_equal(vlapic_pending_vector(&l), 0x32);
	/* A deadline in the past fires at the next check; 0 disarms. */
	vlapic_tsc_deadline_write(&l, 10, 6000);
	assert_true(vlapic_timer_check(&l, 6000));
	vlapic_tsc_deadline_write(&l, 9000, 6000);
	vlapic_tsc_deadline_write(&l, 0, 6000);
	assert_false(vlapic_timer_check(&l, 10000));
	/* Leaving TSC-deadline mode disarms. */
	vlapic_tsc_deadline_write(&l, 20000, 10000);
	wr(APIC_LVT_TIMER, APIC_TIMER_ONESHOT | 0x32, 10000);
	assert_int_equal(l.timer_deadline, 0);
	assert_false(vlapic_timer_check(&l, 30000));
	/* And entering it stops a one-shot count. */
	wr(APIC_TIMER_ICR, 100, 30000);
	wr(APIC_LVT_TIMER, APIC_TIMER_TSC_DEADLINE | 0x32, 30000);
	assert_int_equal(l.timer_deadline, 0);
	assert_int_equal(rd(APIC_TIMER_ICR, 30000), 0);
}

static void test_apic_base(void **state)
{
	reset(0);
	const uint64_t xapic = APIC_DEFAULT_PA | APIC_BASE_EN;
	const uint64_t x2 = xapic | APIC_BASE_EXTD;
	/* Reserved bits. */
	assert_int_equal(vlapic_base_write(&l, xapic | 1, 36), -1);
	assert_int_equal(vlapic_base_write(&l, xapic | BIT(9), 36), -1);
	assert_int_equal(vlapic_base_write(&l, xapic | BIT(36), 36), -1);
	/* EXTD without EN. */
	assert_int_equal(vlapic_base_write(&l, APIC_DEFAULT_PA | APIC_BASE_EXTD, 36), -1);
	/* BSP is read-only. */
	assert_int_equal(vlapic_base_write(&l, xapic, 36), 0);
	assert_true(l.base & APIC_BASE_BSP);
	/* Relocation. */
	assert_int_equal(vlapic_base_write(&l, 0xfed00000 | APIC_BASE_EN, 36), 0);
	assert_int_equal(l.base & APIC_BASE_ADDR_MASK, 0xfed00000);
	/* xAPIC -> x2APIC -> xAPIC is refused, -> disabled is allowed. */
	enable();
	wr(APIC_TPR, 0x20, 0);
	assert_int_equal(vlapic_base_write(&l, x2, 36), 0);
	assert_true(vlapic_x2apic_mode(&l));
	assert_int_equal(l.tpr, 0x20); /* state kept across xAPIC -> x2APIC */
	assert_int_equal(vlapic_base_write(&l, xapic, 36), -1);
	assert_int_equal(vlapic_base_write(&l, APIC_DEFAULT_PA, 36), 0);
	assert_false(vlapic_hw_enabled(&l));
	/* disabled -> x2APIC is refused; disabled -> xAPIC is allowed and
	 * starts from the power-up state. */
	assert_int_equal(vlapic_base_write(&l, x2, 36), -1);
	assert_int_equal(vlapic_base_write(&l, xapic, 36), 0);
	assert_int_equal(rd(APIC_SVR, 0), 0xff);
	assert_int_equal(rd(APIC_TPR, 0), 0);
	/* A hardware-disabled APIC matches no destination. */
	assert_int_equal(vlapic_base_write(&l, APIC_DEFAULT_PA, 36), 0);
	assert_false(vlapic_dest_match(&l, 0xff, false, false));
	assert_false(vlapic_accept(&l, 0x40, false));
}

static void test_x2apic_msrs(void **state)
{
	uint64_t v;
	reset(0x21);
	/* Not in x2APIC mode: every x2APIC MSR faults. */
	assert_int_equal(vlapic_x2_read(&l, 0x802, 0, &v), -1);
	assert_int_equal(vlapic_x2_write(&l, 0x808, 0, 0, &ipi), -1);
	to_x2apic();
	assert_int_equal(vlapic_x2_read(&l, 0x802, 0, &v), 0);
	assert_int_equal(v, 0x21);
	assert_int_equal(vlapic_x2_read(&l, 0x80d, 0, &v), 0);
	assert_int_equal(v, (2u << 16) | (1u << 1)); /* cluster 2, bit 1 */
	assert_int_equal(vlapic_x2_read(&l, 0x803, 0, &v), 0);
	assert_int_equal(v, 0x00050014);
	/* Write-only, read-only and absent registers. */
	assert_int_equal(vlapic_x2_read(&l, 0x80b, 0, &v), -1); /* EOI */
	assert_int_equal(vlapic_x2_read(&l, 0x83f, 0, &v), -1); /* SELF IPI */
	assert_int_equal(vlapic_x2_read(&l, 0x80e, 0, &v), -1); /* DFR */
	assert_int_equal(vlapic_x2_read(&l, 0x831, 0, &v), -1); /* ICR high */
	assert_int_equal(vlapic_x2_write(&l, 0x802, 5, 0, &ipi), -1);
	assert_int_equal(vlapic_x2_write(&l, 0x80d, 5, 0, &ipi), -1);
	assert_int_equal(vlapic_x2_write(&l, 0x839, 5, 0, &ipi), -1); /* current count */
	/* Reserved bits. */
	assert_int_equal(vlapic_x2_write(&l, 0x808, 0x100, 0, &ipi), -1);
	assert_int_equal(vlapic_x2_write(&l, 0x808, 1ULL << 32, 0, &ipi), -1);
	assert_int_equal(vlapic_x2_write(&l, 0x80b, 1, 0, &ipi), -1);
	assert_int_equal(vlapic_x2_write(&l, 0x828, 1, 0, &ipi), -1);
	assert_int_equal(vlapic_x2_write(&l, 0x83e, 0x10, 0, &ipi), -1);
	assert_int_equal(vlapic_x2_write(&l, 0x832, 1u << 20, 0, &ipi), -1);
	/* SVR, then a self IPI through 0x83f. */
	assert_int_equal(vlapic_x2_write(&l, 0x80f, 0x1ff, 0, &ipi), 0);
	assert_int_equal(vlapic_x2_write(&l, 0x83f, 0x66, 0, &ipi), 0);
	assert_int_equal(vlapic_pending_vector(&l), 0x66);
	/* The ICR is one 64-bit register. */
	assert_int_equal(vlapic_x2_write(&l, 0x830, 0x0000002100004055ULL, 0, &ipi),
			 VLAPIC_FX_IPI);
	assert_int_equal(ipi.dest, 0x21);
	assert_int_equal(ipi.icr, 0x4055);
	assert_true(ipi.x2apic);
	assert_int_equal(vlapic_x2_read(&l, 0x830, 0, &v), 0);
	assert_int_equal(v, 0x0000002100004055ULL);
	assert_int_equal(vlapic_x2_write(&l, 0x830, 0x4055 | ICR_BUSY, 0, &ipi), -1);
	/* Timer through MSRs. */
	assert_int_equal(vlapic_x2_write(&l, 0x83e, 0xb, 0, &ipi), 0);
	assert_int_equal(vlapic_x2_write(&l, 0x832, 0x40, 0, &ipi), 0);
	assert_int_equal(vlapic_x2_write(&l, 0x838, 500, 1000, &ipi), 0);
	assert_int_equal(vlapic_x2_read(&l, 0x839, 1100, &v), 0);
	assert_int_equal(v, 400);
	/* EOI with 0. */
	vlapic_ack(&l, 0x66);
	assert_int_equal(vlapic_x2_write(&l, 0x80b, 0, 0, &ipi), 0);
	assert_int_equal(vlapic_x2_read(&l, 0x810 + 6, 0, &v), 0); /* ISR 0x60-0x7f */
	assert_int_equal(v, 0);
}

static void test_dest_match(void **state)
{
	struct vlapic t;
	memset(&t, 0, sizeof(t));
	vlapic_reset(&t, 5, false, 1);
	/* Physical. */
	assert_true(vlapic_dest_match(&t, 5, false, false));
	assert_false(vlapic_dest_match(&t, 4, false, false));
	assert_true(vlapic_dest_match(&t, 0xff, false, false));
	assert_true(vlapic_dest_match(&t, 0x105, false, false)); /* 8 bits in xAPIC */
	/* Logical, flat: LDR bit set by the guest. */
	vlapic_reg_write(&t, APIC_LDR, 0x20000000, 0, &ipi);
	assert_true(vlapic_dest_match(&t, 0x20, true, false));
	assert_true(vlapic_dest_match(&t, 0x30, true, false));
	assert_false(vlapic_dest_match(&t, 0x10, true, false));
	/* Logical, cluster: cluster 2, member bit 1. */
	vlapic_reg_write(&t, APIC_DFR, 0x0fffffff, 0, &ipi);
	vlapic_reg_write(&t, APIC_LDR, 0x22000000, 0, &ipi);
	assert_true(vlapic_dest_match(&t, 0x23, true, false));
	assert_false(vlapic_dest_match(&t, 0x13, true, false));
	assert_false(vlapic_dest_match(&t, 0x24, true, false));
	/* x2APIC: 32-bit ids, logical = cluster 16 bits : member bits. */
	assert_int_equal(vlapic_base_write(&t, APIC_DEFAULT_PA | APIC_BASE_EN | APIC_BASE_EXTD, 36),
			 0);
	assert_true(vlapic_dest_match(&t, 5, false, true));
	assert_false(vlapic_dest_match(&t, 0x105, false, true));
	assert_true(vlapic_dest_match(&t, 0xffffffffu, false, true));
	assert_true(vlapic_dest_match(&t, 0x00000020, true, true));
	assert_true(vlapic_dest_match(&t, 0x000000ff, true, true));
	assert_false(vlapic_dest_match(&t, 0x00010020, true, true));
	assert_false(vlapic_dest_match(&t, 0x00000010, true, true));
}

static void test_init_signal(void **state)
{
	reset(2);
	enable();
	to_x2apic();
	vlapic_accept(&l, 0x50, false);
	vlapic_init_signal(&l);
	assert_true(vlapic_x2apic_mode(&l)); /* IA32_APIC_BASE survives INIT */
	assert_int_equal(l.svr, 0xff);
	assert_int_equal(vlapic_pending_vector(&l), -1);
	assert_int_equal(l.irr[2], 0);
	assert_int_equal(l.ldr, (0u << 16) | (1u << 2)); /* x2APIC LDR kept valid */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reset_values),
		cmocka_unit_test(test_register_masks),
		cmocka_unit_test(test_sw_disable_masks_lvt),
		cmocka_unit_test(test_priority),
		cmocka_unit_test(test_illegal_vectors),
		cmocka_unit_test(test_icr),
		cmocka_unit_test(test_timer_oneshot),
		cmocka_unit_test(test_timer_divide),
		cmocka_unit_test(test_timer_periodic),
		cmocka_unit_test(test_timer_tsc_deadline),
		cmocka_unit_test(test_apic_base),
		cmocka_unit_test(test_x2apic_msrs),
		cmocka_unit_test(test_dest_match),
		cmocka_unit_test(test_init_signal),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
