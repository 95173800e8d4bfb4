/* Host tests for arch/x86/vmx_guest_check.c: the checks of SDM Vol. 3C
 * 27.3.1 on the guest-state area. Two valid snapshots (a 64-bit long-mode
 * guest and the 32-bit protected-mode, paging-off, unrestricted guest Tern
 * starts multiboot kernels in) must pass; then each test breaks one field
 * and expects the answer to name that field, or shows that a rule's
 * exemption holds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "arch/x86/vmx_guest_check.h"

#define ENTRY_LOAD_DEBUG BIT(2)
#define ENTRY_IA32E BIT(9)
#define ENTRY_LOAD_PAT BIT(14)
#define ENTRY_LOAD_EFER BIT(15)
#define PROC2_EPT BIT(1)
#define PROC2_UG BIT(7)

#define CR0_PE BIT(0)
#define CR0_NE BIT(5)
#define CR0_NW BIT(29)
#define CR0_CD BIT(30)
#define CR0_PG BIT(31)
#define CR4_PAE BIT(5)
#define CR4_VMXE BIT(13)
#define CR4_PCIDE BIT(17)

#define INFO_VALID BIT(31)

static const struct vmx_seg unusable_seg = { .ar = 0x10000 };

static void common_caps(struct vmx_guest_state *g)
{
	g->cr0_fixed0 = 0x80000021;
	g->cr0_fixed1 = 0xffffffff;
	g->cr4_fixed0 = 0x2000;
	g->cr4_fixed1 = 0x3727ff;
	g->phys_addr_bits = 39;
	g->link_ptr = ~0ULL;
	g->dr7 = 0x400;
	g->rflags = 0x2;
	g->pat = 0x0007040600070406ULL;
}

/* A 64-bit kernel running in long mode at CPL 0. */
static struct vmx_guest_state long_mode(void)
{
	struct vmx_guest_state g = { 0 };
	const struct vmx_seg data = { .sel = 0x10, .limit = 0xffffffff, .ar = 0xc093 };

	common_caps(&g);
	g.cr0 = 0x80050033; /* PG AM WP NE ET MP PE */
	g.cr3 = 0x1000;
	g.cr4 = CR4_PAE | CR4_VMXE;
	g.efer = 0xd01; /* NXE LMA LME SCE */
	g.rip = 0xffffffff80001000ULL;
	g.entry_ctls = ENTRY_IA32E | ENTRY_LOAD_DEBUG | ENTRY_LOAD_PAT | ENTRY_LOAD_EFER;
	g.proc2_ctls = PROC2_EPT;
	g.seg[VSEG_CS] = (struct vmx_seg){ .sel = 0x08, .limit = 0xffffffff, .ar = 0xa09b };
	g.seg[VSEG_SS] = data;
	g.seg[VSEG_DS] = data;
	g.seg[VSEG_ES] = data;
	g.seg[VSEG_FS] = unusable_seg;
	g.seg[VSEG_FS].base = 0x00007fff12340000ULL;
	g.seg[VSEG_GS] = unusable_seg;
	g.seg[VSEG_GS].base = 0xffff800000001000ULL;
	g.seg[VSEG_LDTR] = unusable_seg;
	g.seg[VSEG_TR] = (struct vmx_seg){
		.sel = 0x18, .base = 0xffffffff80200000ULL, .limit = 0x67, .ar = 0x8b };
	g.gdtr_base = 0xffffffff80100000ULL;
	g.gdtr_limit = 0x27;
	g.idtr_base = 0xffffffff80101000ULL;
	g.idtr_limit = 0xfff;
	return g;
}

/* How Tern enters a multiboot kernel: CR0.PE, paging off, flat 4 GiB
 * segments, unrestricted guest. */
static struct vmx_guest_state prot32(void)
{
	struct vmx_guest_state g = { 0 };
	const struct vmx_seg data = { .sel = 0x18, .limit = 0xffffffff, .ar = 0xc093 };

	common_caps(&g);
	g.cr0 = 0x11 | CR0_NE;
	g.cr4 = CR4_VMXE;
	g.rip = 0x100000;
	g.entry_ctls = ENTRY_LOAD_EFER;
	g.proc2_ctls = PROC2_EPT | PROC2_UG;
	g.seg[VSEG_CS] = (struct vmx_seg){ .sel = 0x10, .limit = 0xffffffff, .ar = 0xc09b };
	g.seg[VSEG_SS] = data;
	g.seg[VSEG_DS] = data;
	g.seg[VSEG_ES] = data;
	g.seg[VSEG_FS] = data;
	g.seg[VSEG_GS] = data;
	g.seg[VSEG_LDTR] = unusable_seg;
	g.seg[VSEG_TR] = (struct vmx_seg){ .limit = 0xffff, .ar = 0x8b };
	g.idtr_limit = 0x3ff;
	return g;
}

/* Real-mode-like virtual-8086 guest under a 32-bit protected-mode host
 * OS: selector-derived bases, 64 KiB limits, AR 0xf3. */
static struct vmx_guest_state v86(void)
{
	struct vmx_guest_state g = prot32();
	static const uint16_t sels[VSEG_COUNT] = {
		[VSEG_ES] = 0x2000, [VSEG_CS] = 0x1000, [VSEG_SS] = 0x3000,
		[VSEG_DS] = 0x2000, [VSEG_FS] = 0, [VSEG_GS] = 0xb800,
	};

	g.rflags = 0x20202; /* VM IF */
	g.rip = 0x100;
	for (unsigned int i = 0; i < VSEG_COUNT; i++) {
		if (i == VSEG_TR || i == VSEG_LDTR)
			continue;
		g.seg[i] = (struct vmx_seg){
			.sel = sels[i], .base = (uint64_t)sels[i] << 4, .limit = 0xffff, .ar = 0xf3 };
	}
	g.seg[VSEG_TR] = (struct vmx_seg){ .sel = 0x28, .base = 0x5000, .limit = 0x2067, .ar = 0x8b };
	return g;
}

static void expect_ok(const struct vmx_guest_state *g)
{
	const char *r = vmx_guest_state_check(g);
	if (r)
		fail_msg("expected no failure, got \"%s\"", r);
}

static void expect_fail(const struct vmx_guest_state *g, const char *what)
{
	const char *r = vmx_guest_state_check(g);
	if (!r)
		fail_msg("expected \"%s\", got no failure", what);
	if (!strstr(r, what))
		fail_msg("expected \"%s\", got \"%s\"", what, r);
	if (strlen(r) > 80)
		fail_msg("message longer than 80 chars: \"%s\"", r);
}

/* ---- valid snapshots ---- */

static void test_valid_snapshots(void **state)
{
	struct vmx_guest_state g;

	g = long_mode();
	expect_ok(&g);
	g = prot32();
	expect_ok(&g);
	g = v86();
	expect_ok(&g);
}

/* ---- 27.3.1.1 ---- */

static void test_cr0_fixed(void **state)
{
	struct vmx_guest_state g = long_mode();
	g.cr0 &= ~CR0_NE;
	expect_fail(&g, "CR0: a bit fixed");

	g = long_mode();
	g.cr0 |= BIT(32); /* above FIXED1 */
	expect_fail(&g, "CR0: a bit fixed");

	/* Without unrestricted guest, PE is fixed to 1. */
	g = prot32();
	g.proc2_ctls &= ~PROC2_UG;
	g.cr0 &= ~CR0_PE;
	expect_fail(&g, "CR0: a bit fixed");
}

static void test_cr0_exemptions(void **state)
{
	/* Unrestricted guest: PE and PG are not checked against FIXED0. */
	struct vmx_guest_state g = prot32();
	g.cr0 &= ~CR0_PE;
	expect_ok(&g);

	/* NW and CD are never checked, even outside FIXED1. */
	g = prot32();
	g.cr0_fixed1 = 0x9fffffff;
	g.cr0 |= CR0_NW | CR0_CD;
	expect_ok(&g);
}

static void test_cr0_pg_without_pe(void **state)
{
	struct vmx_guest_state g = prot32();
	g.cr0 = (g.cr0 | CR0_PG) & ~CR0_PE;
	expect_fail(&g, "CR0: PG set requires PE");
}

static void test_cr4_fixed(void **state)
{
	struct vmx_guest_state g = long_mode();
	g.cr4 &= ~CR4_VMXE;
	expect_fail(&g, "CR4: a bit fixed");

	g = long_mode();
	g.cr4 |= BIT(25);
	expect_fail(&g, "CR4: a bit fixed");
}

static void test_ia32e_needs_pg_pae(void **state)
{
	struct vmx_guest_state g = long_mode();
	g.cr4 &= ~CR4_PAE;
	expect_fail(&g, "CR4: IA-32e mode guest requires PAE");

	/* With unrestricted guest PG passes the fixed bits but IA-32e needs it. */
	g = long_mode();
	g.proc2_ctls |= PROC2_UG;
	g.cr0 &= ~CR0_PG;
	expect_fail(&g, "CR0: IA-32e mode guest requires PG");
}

static void test_pcide_outside_ia32e(void **state)
{
	struct vmx_guest_state g = prot32();
	g.cr4 |= CR4_PCIDE;
	expect_fail(&g, "CR4: PCIDE");

	g = long_mode();
	g.cr4 |= CR4_PCIDE;
	expect_ok(&g);
}

static void test_cr3_width(void **state)
{
	struct vmx_guest_state g = long_mode();
	g.cr3 = BIT(39) | 0x1000;
	expect_fail(&g, "CR3");

	g.cr3 = (BIT(39) - 1) & ~0xfffULL;
	expect_ok(&g);
}

static void test_debugctl_dr7(void **state)
{
	struct vmx_guest_state g = long_mode();
	g.debugctl = BIT(32);
	expect_fail(&g, "IA32_DEBUGCTL");

	/* Not checked unless "load debug controls" is set. */
	g.entry_ctls &= ~ENTRY_LOAD_DEBUG;
	expect_ok(&g);

	g = long_mode();
	g.dr7 |= BIT(32);
	expect_fail(&g, "DR7");
}

static void test_pat(void **state)
{
	struct vmx_guest_state g = long_mode();
	g.pat = 0x0007040600070206ULL; /* byte 1 = 2, reserved */
	expect_fail(&g, "IA32_PAT");

	g.pat = 0x0807040600070406ULL; /* byte 7 = 8 */
	expect_fail(&g, "IA32_PAT");

	g.entry_ctls &= ~ENTRY_LOAD_PAT;
	expect_ok(&g);
}

static void test_efer(void **state)
{
	struct vmx_guest_state g = long_mode();
	g.efer |= BIT(12); /* SVME: not an Intel bit */
	expect_fail(&g, "IA32_EFER: reserved");

	g = long_mode();
	g.efer &= ~BIT(10);
	expect_fail(&g, "IA32_EFER: LMA");

	g = prot32();
	g.efer = BIT(10);
	expect_fail(&g, "IA32_EFER: LMA");

	/* LME must follow LMA when paging is on... */
	g = long_mode();
	g.efer &= ~BIT(8);
	expect_fail(&g, "IA32_EFER: LME");

	/* ...but not with paging off (LME set, about to enable paging). */
	g = prot32();
	g.efer = BIT(8);
	expect_ok(&g);
}

/* ---- 27.3.1.2 ---- */

static void test_selectors(void **state)
{
	struct vmx_guest_state g = long_mode();
	g.seg[VSEG_TR].sel |= 4;
	expect_fail(&g, "TR selector");

	g = long_mode();
	g.seg[VSEG_LDTR].sel = 0x24;
	expect_ok(&g); /* unusable LDTR: selector not checked */
	g.seg[VSEG_LDTR] = (struct vmx_seg){ .sel = 0x24, .limit = 0xff, .ar = 0x82 };
	expect_fail(&g, "LDTR selector");

	g = long_mode();
	g.seg[VSEG_SS].sel = 0x13;
	expect_fail(&g, "SS selector");

	/* Unrestricted guest lifts the SS.RPL = CS.RPL and DPL = RPL rules. */
	g = prot32();
	g.seg[VSEG_SS].sel = 0x1b;
	expect_ok(&g);
}

static void test_bases(void **state)
{
	struct vmx_guest_state g = long_mode();
	g.seg[VSEG_FS].base = 0x0000800000000000ULL;
	expect_fail(&g, "FS base");

	g = long_mode();
	g.seg[VSEG_TR].base = 0x1234000000000000ULL;
	expect_fail(&g, "TR base");

	g = long_mode();
	g.seg[VSEG_CS].base = BIT(32);
	expect_fail(&g, "CS base");

	/* DS base bits 63:32 matter only when DS is usable. */
	g = long_mode();
	g.seg[VSEG_DS].base = BIT(40);
	expect_fail(&g, "DS base");
	g.seg[VSEG_DS].ar |= 0x10000;
	expect_ok(&g);
}

static void test_cs_data_segment(void **state)
{
	struct vmx_guest_state g = long_mode();
	g.seg[VSEG_CS].ar = 0xc093;
	expect_fail(&g, "CS access rights");

	/* Type 3 is allowed with unrestricted guest, at DPL 0. */
	g = prot32();
	g.seg[VSEG_CS].ar = 0xc093;
	expect_ok(&g);

	g = long_mode();
	g.seg[VSEG_CS].ar = 0xa09a; /* not accessed */
	expect_fail(&g, "CS access rights: type");
}

static void test_cs_dpl(void **state)
{
	struct vmx_guest_state g = long_mode();
	g.seg[VSEG_CS].ar |= 3 << 5; /* non-conforming, DPL 3 != SS.DPL 0 */
	expect_fail(&g, "CS access rights: non-conforming");

	/* Conforming code: DPL may be below SS.DPL but not above. */
	g = long_mode();
	g.seg[VSEG_CS].ar = 0xa09f;
	g.seg[VSEG_CS].sel = 0x0b;
	g.seg[VSEG_SS].sel = 0x13;
	g.seg[VSEG_SS].ar |= 3 << 5;
	expect_ok(&g);
	g.seg[VSEG_CS].ar = 0xa09f | 3 << 5;
	g.seg[VSEG_SS].ar &= ~(3u << 5);
	g.seg[VSEG_SS].sel = 0x10;
	g.seg[VSEG_CS].sel = 0x08;
	expect_fail(&g, "CS access rights: conforming");
}

static void test_cs_l_and_db(void **state)
{
	struct vmx_guest_state g = long_mode();
	g.seg[VSEG_CS].ar |= BIT(14);
	expect_fail(&g, "CS access rights: D/B");
}

static void test_cs_granularity(void **state)
{
	struct vmx_guest_state g = long_mode();
	g.seg[VSEG_CS].limit = 0xfffff000; /* G=1 needs bits 11:0 all ones */
	expect_fail(&g, "CS access rights: G must be 0");

	g = prot32();
	g.seg[VSEG_CS].ar &= ~BIT(15); /* limit 4 GiB needs G=1 */
	expect_fail(&g, "CS access rights: G must be 1");

	g = long_mode();
	g.seg[VSEG_CS].ar &= ~BIT(7);
	expect_fail(&g, "CS access rights: P");

	g = long_mode();
	g.seg[VSEG_CS].ar |= BIT(8);
	expect_fail(&g, "CS access rights: reserved bits 11:8");

	g = long_mode();
	g.seg[VSEG_CS].ar |= BIT(20);
	expect_fail(&g, "CS access rights: reserved bits 31:17");
}

static void test_ss_ar(void **state)
{
	struct vmx_guest_state g = long_mode();
	g.seg[VSEG_SS].ar = 0xc09b; /* code */
	expect_fail(&g, "SS access rights: type");

	g = long_mode();
	g.seg[VSEG_SS].ar |= 3 << 5; /* DPL 3, RPL 0 */
	g.seg[VSEG_CS].ar |= 3 << 5; /* keep CS.DPL = SS.DPL */
	expect_fail(&g, "SS access rights: DPL must equal SS.RPL");

	/* An unusable SS still carries the CPL in its DPL. */
	g = long_mode();
	g.seg[VSEG_SS] = (struct vmx_seg){ .sel = 0x10, .ar = 0x10000 | 3 << 5 };
	g.seg[VSEG_CS].ar |= 3 << 5;
	expect_fail(&g, "SS access rights: DPL must equal SS.RPL");
	g.seg[VSEG_SS].ar = 0x10000;
	g.seg[VSEG_CS].ar &= ~(3u << 5);
	expect_ok(&g);

	/* With paging and protection off SS.DPL must be 0 even with UG. */
	g = prot32();
	g.cr0 &= ~CR0_PE;
	g.seg[VSEG_SS].ar |= 3 << 5;
	g.seg[VSEG_CS].ar |= 3 << 5;
	expect_fail(&g, "SS access rights: DPL must be 0");

	/* Likewise with a data-segment (type 3) CS. */
	g = prot32();
	g.seg[VSEG_CS].ar = 0xc093;
	g.seg[VSEG_SS].ar |= 3 << 5;
	expect_fail(&g, "SS access rights: DPL must be 0");
}

static void test_data_segments(void **state)
{
	struct vmx_guest_state g = long_mode();
	g.seg[VSEG_DS].ar = 0xc092; /* not accessed */
	expect_fail(&g, "DS access rights: type");

	g = long_mode();
	g.seg[VSEG_ES].ar = 0xc099; /* execute-only code */
	expect_fail(&g, "ES access rights");
	g.seg[VSEG_ES].ar = 0xc09b; /* readable code is fine */
	expect_ok(&g);

	g = prot32();
	g.seg[VSEG_GS].ar &= ~BIT(4); /* system segment */
	expect_fail(&g, "GS access rights: S");

	g = long_mode();
	g.seg[VSEG_DS].sel = 0x13; /* RPL 3 > DPL 0 */
	expect_fail(&g, "DS access rights: DPL");

	/* Unusable FS with junk access rights is not checked. */
	g = long_mode();
	g.seg[VSEG_FS].ar = 0x1ffff;
	expect_ok(&g);

	g = prot32();
	g.seg[VSEG_FS].ar &= ~BIT(7);
	expect_fail(&g, "FS access rights: P");
}

static void test_tr(void **state)
{
	struct vmx_guest_state g = long_mode();
	g.seg[VSEG_TR].ar |= 0x10000;
	expect_fail(&g, "TR access rights");

	g = long_mode();
	g.seg[VSEG_TR].ar = 0x83; /* 16-bit busy TSS: not in IA-32e mode */
	expect_fail(&g, "TR access rights: type");
	g = prot32();
	g.seg[VSEG_TR].ar = 0x83;
	expect_ok(&g);

	g = prot32();
	g.seg[VSEG_TR].ar = 0x89; /* available, not busy */
	expect_fail(&g, "TR access rights: type");

	g = long_mode();
	g.seg[VSEG_TR].ar |= BIT(4);
	expect_fail(&g, "TR access rights: S");
}

static void test_ldtr(void **state)
{
	struct vmx_guest_state g = long_mode();
	g.seg[VSEG_LDTR] = (struct vmx_seg){ .sel = 0x20, .limit = 0xff, .ar = 0x82 };
	expect_ok(&g);

	g.seg[VSEG_LDTR].ar = 0x83;
	expect_fail(&g, "LDTR access rights: type");

	g.seg[VSEG_LDTR].ar = 0x82;
	g.seg[VSEG_LDTR].base = 0x0000900000000000ULL;
	expect_fail(&g, "LDTR base");
}

static void test_v86(void **state)
{
	struct vmx_guest_state g = v86();
	g.seg[VSEG_CS].base = 0;
	expect_fail(&g, "CS base: must be selector << 4");

	g = v86();
	g.seg[VSEG_SS].limit = 0xffffffff;
	expect_fail(&g, "SS limit");

	g = v86();
	g.seg[VSEG_DS].ar = 0xc093;
	expect_fail(&g, "DS access rights: must be 0xf3");
}

/* ---- 27.3.1.3 ---- */

static void test_dtr(void **state)
{
	struct vmx_guest_state g = long_mode();
	g.gdtr_limit = 0x10000;
	expect_fail(&g, "GDTR limit");

	g = long_mode();
	g.idtr_base = 0xfff0000000000000ULL;
	expect_fail(&g, "IDTR base");
}

/* ---- 27.3.1.4 ---- */

static void test_rip(void **state)
{
	struct vmx_guest_state g = prot32();
	g.rip = BIT(32) | 0x1000;
	expect_fail(&g, "RIP");

	g = long_mode();
	g.rip = 0x0000800000000000ULL;
	expect_fail(&g, "RIP: must be canonical");

	/* Compatibility mode (CS.L = 0): RIP is a 32-bit value. */
	g = long_mode();
	g.seg[VSEG_CS].ar = 0xc09b;
	expect_fail(&g, "RIP: bits 63:32");
}

static void test_rflags(void **state)
{
	struct vmx_guest_state g = long_mode();
	g.rflags = 0;
	expect_fail(&g, "RFLAGS: reserved");

	g.rflags = 0x2 | BIT(3);
	expect_fail(&g, "RFLAGS: reserved");

	g.rflags = 0x2 | BIT(22);
	expect_fail(&g, "RFLAGS: reserved");

	/* VM with CR0.PE clear (unrestricted guest). The segments already
	 * follow the virtual-8086 rules, which are checked first. */
	g = v86();
	g.cr0 &= ~CR0_PE;
	expect_fail(&g, "RFLAGS: VM");

	g = long_mode();
	g.entry_intr_info = INFO_VALID | 0x20; /* external interrupt 0x20, IF = 0 */
	expect_fail(&g, "RFLAGS: IF");
	g.rflags |= BIT(9);
	expect_ok(&g);
}

/* ---- 27.3.1.5 ---- */

static void test_activity(void **state)
{
	struct vmx_guest_state g = long_mode();
	g.activity = 5;
	expect_fail(&g, "activity state: not a valid value");

	g = long_mode();
	g.activity = 1;
	expect_ok(&g);

	/* HLT at CPL 3 is not possible. */
	g = long_mode();
	g.activity = 1;
	g.seg[VSEG_CS].sel = 0x0b;
	g.seg[VSEG_CS].ar |= 3 << 5;
	g.seg[VSEG_SS].sel = 0x13;
	g.seg[VSEG_SS].ar |= 3 << 5;
	g.seg[VSEG_DS].sel = 0x13;
	g.seg[VSEG_DS].ar |= 3 << 5;
	expect_fail(&g, "activity state: HLT");

	g = long_mode();
	g.activity = 1;
	g.rflags |= BIT(9);
	g.interruptibility = 1;
	expect_fail(&g, "activity state");
}

static void test_activity_events(void **state)
{
	struct vmx_guest_state g = long_mode();
	g.activity = 1;
	g.entry_intr_info = INFO_VALID | 3 << 8 | 13; /* #GP into HLT */
	expect_fail(&g, "activity state");

	g.entry_intr_info = INFO_VALID | 3 << 8 | 18; /* #MC */
	expect_ok(&g);

	g.rflags |= BIT(9);
	g.entry_intr_info = INFO_VALID | 0x30; /* external interrupt */
	expect_ok(&g);

	g.activity = 3; /* wait-for-SIPI accepts nothing */
	expect_fail(&g, "activity state");

	g.activity = 2; /* shutdown: NMI only (or #MC) */
	g.entry_intr_info = INFO_VALID | 2 << 8 | 2;
	expect_ok(&g);
}

static void test_interruptibility(void **state)
{
	struct vmx_guest_state g = long_mode();
	g.interruptibility = BIT(5);
	expect_fail(&g, "interruptibility state: reserved");

	g = long_mode();
	g.rflags |= BIT(9);
	g.interruptibility = 3;
	expect_fail(&g, "interruptibility state: STI and MOV-SS");

	g = long_mode();
	g.interruptibility = 1; /* STI blocking, IF = 0 */
	expect_fail(&g, "interruptibility state: STI blocking");
	g.rflags |= BIT(9);
	expect_ok(&g);

	g = long_mode();
	g.rflags |= BIT(9);
	g.interruptibility = 2;
	expect_ok(&g);
	g.entry_intr_info = INFO_VALID | 0x20;
	expect_fail(&g, "interruptibility state");
	g.entry_intr_info = INFO_VALID | 2 << 8 | 2; /* NMI */
	expect_fail(&g, "interruptibility state: MOV-SS blocking with NMI");

	g = long_mode();
	g.interruptibility = BIT(2);
	expect_fail(&g, "interruptibility state: SMI");
}

static void test_pending_debug(void **state)
{
	struct vmx_guest_state g = long_mode();
	g.pending_dbg = BIT(13);
	expect_fail(&g, "pending debug exceptions: reserved");

	g.pending_dbg = BIT(4);
	expect_fail(&g, "pending debug exceptions: reserved");

	g.pending_dbg = BIT(32);
	expect_fail(&g, "pending debug exceptions: reserved");

	g.pending_dbg = 0xf | BIT(12) | BIT(14);
	expect_ok(&g);
}

static void test_pending_debug_bs(void **state)
{
	/* MOV-SS blocking with TF = 1, BTF = 0: a single-step trap is due. */
	struct vmx_guest_state g = long_mode();
	g.interruptibility = 2;
	g.rflags |= BIT(8);
	expect_fail(&g, "pending debug exceptions: BS must be 1");
	g.pending_dbg = BIT(14);
	expect_ok(&g);

	/* With BTF set the single-step is on branches: BS must be 0. */
	g.debugctl = BIT(1);
	expect_fail(&g, "pending debug exceptions: BS must be 0");

	/* HLT alone triggers the rule as well. */
	g = long_mode();
	g.activity = 1;
	g.pending_dbg = BIT(14);
	expect_fail(&g, "pending debug exceptions: BS must be 0");

	/* No blocking, active: BS is free. */
	g = long_mode();
	g.pending_dbg = BIT(14);
	expect_ok(&g);
}

static void test_pending_debug_rtm(void **state)
{
	struct vmx_guest_state g = long_mode();
	g.pending_dbg = BIT(16) | BIT(12);
	expect_ok(&g);

	g.pending_dbg = BIT(16);
	expect_fail(&g, "pending debug exceptions: RTM");

	g.pending_dbg = BIT(16) | BIT(12) | 1;
	expect_fail(&g, "pending debug exceptions: RTM");

	g.pending_dbg = BIT(16) | BIT(12);
	g.interruptibility = 2;
	expect_fail(&g, "pending debug exceptions: RTM");
}

static void test_link_pointer(void **state)
{
	struct vmx_guest_state g = long_mode();
	g.link_ptr = 0;
	expect_fail(&g, "VMCS link pointer");
}

/* The first failure in SDM order wins. */
static void test_order(void **state)
{
	struct vmx_guest_state g = long_mode();
	g.link_ptr = 0;
	g.rflags = 0;
	g.gdtr_limit = 0x10000;
	g.seg[VSEG_TR].ar = 0;
	g.cr4 &= ~CR4_VMXE;
	expect_fail(&g, "CR4");
	g.cr4 |= CR4_VMXE;
	expect_fail(&g, "TR access rights");
	g.seg[VSEG_TR].ar = 0x8b;
	expect_fail(&g, "GDTR");
	g.gdtr_limit = 0;
	expect_fail(&g, "RFLAGS");
	g.rflags = 2;
	expect_fail(&g, "VMCS link pointer");
	g.link_ptr = ~0ULL;
	expect_ok(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_snapshots),
		cmocka_unit_test(test_cr0_fixed),
		cmocka_unit_test(test_cr0_exemptions),
		cmocka_unit_test(test_cr0_pg_without_pe),
		cmocka_unit_test(test_cr4_fixed),
		cmocka_unit_test(test_ia32e_needs_pg_pae),
		cmocka_unit_test(test_pcide_outside_ia32e),
		cmocka_unit_test(test_cr3_width),
		cmocka_unit_test(test_debugctl_dr7),
		cmocka_unit_test(test_pat),
		cmocka_unit_test(test_efer),
		cmocka_unit_test(test_selectors),
		cmocka_unit_test(test_bases),
		cmocka_unit_test(test_cs_data_segment),
		cmocka_unit_test(test_cs_dpl),
		cmocka_unit_test(test_cs_l_and_db),
		cmocka_unit_test(test_cs_granularity),
		cmocka_unit_test(test_ss_ar),
		cmocka_unit_test(test_data_segments),
		cmocka_unit_test(test_tr),
		cmocka_unit_test(test_ldtr),
		cmocka_unit_test(test_v86),
		cmocka_unit_test(test_dtr),
		cmocka_unit_test(test_rip),
		cmocka_unit_test(test_rflags),
		cmocka_unit_test(test_activity),
		cmocka_unit_test(test_activity_events),
		cmocka_unit_test(test_interruptibility),
		cmocka_unit_test(test_pending_debug),
		cmocka_unit_test(test_pending_debug_bs),
		cmocka_unit_test(test_pending_debug_rtm),
		cmocka_unit_test(test_link_pointer),
		cmocka_unit_test(test_order),
	};
	return cmocka_run_group_tests_name("vmx_guest_check", tests, NULL, NULL);
}
