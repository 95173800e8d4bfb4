/* Software re-run of the VM-entry checks on the guest-state area (SDM
 * Vol. 3C 27.3.1), used to name the check behind exit reason 33.
 *
 * The checks run in the order of the SDM subsections: control registers,
 * debug registers and MSRs (27.3.1.1), segment registers (27.3.1.2),
 * descriptor-table registers (27.3.1.3), RIP and RFLAGS (27.3.1.4) and
 * non-register state (27.3.1.5). Within the segment access-rights checks
 * the SDM lists one sub-field at a time for all registers; here each
 * register is taken in turn (CS, SS, DS, ES, FS, GS, TR, LDTR), its
 * sub-fields in SDM order, so the answer names one register's one rule.
 *
 * Not modelled: checks on fields the snapshot does not carry (SYSENTER
 * MSRs, PERF_GLOBAL_CTRL, BNDCFGS, CET, PKRS, RTIT, PDPTEs), the
 * CPU-specific parts (activity states from IA32_VMX_MISC, DEBUGCTL bits
 * below 32, RTM/SGX support) and linear addresses wider than 48 bits.
 * Pure code, unit-tested on the host.
 */
#include "arch/x86/vmx_guest_check.h"
#include "arch/x86/cpu.h"
#include "arch/x86/vmx_caps.h"

/* Bits cpu.h and vmx_caps.h do not define. */
#define CR4_PCIDE	BIT(17)
#define CR4_CET		BIT(23)
#define DEBUGCTL_BTF	BIT(1)

#define RFLAGS_FIXED1	BIT(1)
#define RFLAGS_RSVD	(~(BIT(22) - 1) | BIT(15) | BIT(5) | BIT(3))

/* Segment access rights as the VMCS holds them (SDM Vol. 3C 25.4.1). */
#define AR_TYPE(ar)	((ar) & 0xf)
#define AR_DPL(ar)	(((ar) >> 5) & 3)
#define AR_S		BIT(4)
#define AR_P		BIT(7)
#define AR_RSVD_LO	0xf00ULL
#define AR_L		BIT(13)
#define AR_DB		BIT(14)
#define AR_G		BIT(15)
#define AR_UNUSABLE	BIT(16)
#define AR_RSVD_HI	0xfffe0000ULL

#define SEL_RPL(sel)	((sel) & 3)
#define SEL_TI		BIT(2)

/* Interruptibility state and VM-entry interruption information (25.4.2,
 * 25.8.3). */
#define INTR_STI	BIT(0)
#define INTR_MOVSS	BIT(1)
#define INTR_SMI	BIT(2)
#define INTR_ENCLAVE	BIT(4)
#define INTR_RSVD	(~(BIT(5) - 1) & 0xffffffffULL)
#define INFO_VALID	BIT(31)
#define INFO_TYPE(i)	(((i) >> 8) & 7)
#define INFO_VECTOR(i)	((i) & 0xff)
#define TYPE_EXTINT	0
#define TYPE_NMI	2
#define TYPE_HWEXC	3
#define TYPE_OTHER	7

#define ACT_ACTIVE	0
#define ACT_HLT		1
#define ACT_SHUTDOWN	2
#define ACT_SIPI	3

#define PDE_ENABLED_BP	BIT(12)
#define PDE_BS		BIT(14)
#define PDE_RTM		BIT(16)
#define PDE_RSVD	(0xff0ULL | BIT(13) | BIT(15) | ~(BIT(17) - 1))

/* 48-bit linear addresses: bits 63:47 all equal. */
static bool canonical(uint64_t va)
{
	uint64_t top = va >> 47;
	return top == 0 || top == 0x1ffff;
}

static bool ia32e_guest(const struct vmx_guest_state *g)
{
	return g->entry_ctls & ENTRY_IA32E_GUEST;
}

static bool unrestricted(const struct vmx_guest_state *g)
{
	return g->proc2_ctls & CPU2_UNRESTRICTED;
}

static bool usable(const struct vmx_seg *s)
{
	return !(s->ar & AR_UNUSABLE);
}

/* ---- 27.3.1.1 control registers, debug registers and MSRs ---- */

static bool pat_ok(uint64_t pat)
{
	for (unsigned int i = 0; i < 8; i++) {
		unsigned int t = (pat >> (i * 8)) & 0xff;
		if (t == 2 || t == 3 || t > 7)
			return false;
	}
	return true;
}

static const char *check_cr(const struct vmx_guest_state *g)
{
	/* CR0.NW and CR0.CD are never checked; PE and PG are exempt from
	 * the fixed bits with unrestricted guest. */
	uint64_t cr0_must1 = g->cr0_fixed0 & ~(CR0_NW | CR0_CD);
	uint64_t cr0_may1 = g->cr0_fixed1 | CR0_NW | CR0_CD;
	unsigned int pa_bits = g->phys_addr_bits;

	if (unrestricted(g))
		cr0_must1 &= ~(CR0_PE | CR0_PG);
	if ((g->cr0 & cr0_must1) != cr0_must1 || (g->cr0 & ~cr0_may1))
		return "CR0: a bit fixed by IA32_VMX_CR0_FIXED0/1 is wrong";
	if ((g->cr0 & CR0_PG) && !(g->cr0 & CR0_PE))
		return "CR0: PG set requires PE set";
	if ((g->cr4 & g->cr4_fixed0) != g->cr4_fixed0 || (g->cr4 & ~g->cr4_fixed1))
		return "CR4: a bit fixed by IA32_VMX_CR4_FIXED0/1 is wrong";
	if ((g->cr4 & CR4_CET) && !(g->cr0 & CR0_WP))
		return "CR4: CET set requires CR0.WP set";
	/* Only bits 63:32 are reserved on every VMX processor. */
	if ((g->entry_ctls & ENTRY_LOAD_DEBUG) && (g->debugctl >> 32))
		return "IA32_DEBUGCTL: reserved bits 63:32 set";
	if (ia32e_guest(g) && !(g->cr0 & CR0_PG))
		return "CR0: IA-32e mode guest requires PG set";
	if (ia32e_guest(g) && !(g->cr4 & CR4_PAE))
		return "CR4: IA-32e mode guest requires PAE set";
	if (!ia32e_guest(g) && (g->cr4 & CR4_PCIDE))
		return "CR4: PCIDE must be 0 outside IA-32e mode";
	/* Bits 63:52 and those beyond the physical-address width. */
	if (pa_bits == 0 || pa_bits > 52)
		pa_bits = 52;
	if (g->cr3 >> pa_bits)
		return "CR3: bits beyond the physical-address width set";
	if ((g->entry_ctls & ENTRY_LOAD_DEBUG) && (g->dr7 >> 32))
		return "DR7: bits 63:32 must be 0";
	if ((g->entry_ctls & ENTRY_LOAD_PAT) && !pat_ok(g->pat))
		return "IA32_PAT: each byte must be 0, 1, 4, 5, 6 or 7";
	if (g->entry_ctls & ENTRY_LOAD_EFER) {
		bool lma = g->efer & EFER_LMA, lme = g->efer & EFER_LME;
		if (g->efer & ~(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE))
			return "IA32_EFER: reserved bits set (only SCE, LME, LMA, NXE)";
		if (lma != ia32e_guest(g))
			return "IA32_EFER: LMA must equal the IA-32e mode guest control";
		if ((g->cr0 & CR0_PG) && lme != lma)
			return "IA32_EFER: LME must equal LMA when CR0.PG is set";
	}
	return NULL;
}

/* ---- 27.3.1.2 segment registers ---- */

/* Messages shared by several registers, indexed by enum vmx_seg_index. */
struct seg_msgs {
	const char *v86_base, *v86_limit, *v86_ar;
	const char *s, *p, *rsvd_lo, *g_lo, *g_hi, *rsvd_hi;
};

#define SEG_MSGS(reg, sval) {							\
	.v86_base = reg " base: must be selector << 4 in virtual-8086 mode",	\
	.v86_limit = reg " limit: must be 0xffff in virtual-8086 mode",		\
	.v86_ar = reg " access rights: must be 0xf3 in virtual-8086 mode",	\
	.s = reg " access rights: S (bit 4) must be " sval,			\
	.p = reg " access rights: P (bit 7) must be 1",				\
	.rsvd_lo = reg " access rights: reserved bits 11:8 must be 0",		\
	.g_lo = reg " access rights: G must be 0 if limit bits 11:0 are not all 1", \
	.g_hi = reg " access rights: G must be 1 if limit bits 31:20 are not 0", \
	.rsvd_hi = reg " access rights: reserved bits 31:17 must be 0",		\
}

static const struct seg_msgs seg_msgs[VSEG_COUNT] = {
	[VSEG_ES] = SEG_MSGS("ES", "1"),
	[VSEG_CS] = SEG_MSGS("CS", "1"),
	[VSEG_SS] = SEG_MSGS("SS", "1"),
	[VSEG_DS] = SEG_MSGS("DS", "1"),
	[VSEG_FS] = SEG_MSGS("FS", "1"),
	[VSEG_GS] = SEG_MSGS("GS", "1"),
	[VSEG_LDTR] = SEG_MSGS("LDTR", "0"),
	[VSEG_TR] = SEG_MSGS("TR", "0"),
};

/* CS, SS, DS, ES, FS, GS: the order the SDM lists them in. */
static const enum vmx_seg_index code_data_segs[] = {
	VSEG_CS, VSEG_SS, VSEG_DS, VSEG_ES, VSEG_FS, VSEG_GS,
};

/* S must be 1 for code/data registers, 0 for TR and LDTR. */
static const char *ar_s(const struct vmx_seg *s, enum vmx_seg_index i, bool one)
{
	bool s_set = s->ar & AR_S;

	if (s_set != one)
		return seg_msgs[i].s;
	return NULL;
}

/* P, reserved bits, CS.D/B, G against the limit, TR usable, reserved
 * high bits: the part of the access-rights checks after the DPL. */
static const char *ar_tail(const struct vmx_guest_state *g, enum vmx_seg_index i)
{
	const struct vmx_seg *s = &g->seg[i];

	if (!(s->ar & AR_P))
		return seg_msgs[i].p;
	if (s->ar & AR_RSVD_LO)
		return seg_msgs[i].rsvd_lo;
	if (i == VSEG_CS && ia32e_guest(g) && (s->ar & AR_L) && (s->ar & AR_DB))
		return "CS access rights: D/B must be 0 when L is set in IA-32e mode";
	if ((s->limit & 0xfff) != 0xfff && (s->ar & AR_G))
		return seg_msgs[i].g_lo;
	if ((s->limit & 0xfff00000) && !(s->ar & AR_G))
		return seg_msgs[i].g_hi;
	if (i == VSEG_TR && !usable(s))
		return "TR access rights: TR must be usable (bit 16 clear)";
	if (s->ar & AR_RSVD_HI)
		return seg_msgs[i].rsvd_hi;
	return NULL;
}

static const char *ar_cs(const struct vmx_guest_state *g)
{
	const struct vmx_seg *cs = &g->seg[VSEG_CS];
	unsigned int type = AR_TYPE(cs->ar), dpl = AR_DPL(cs->ar);
	unsigned int ss_dpl = AR_DPL(g->seg[VSEG_SS].ar);
	const char *r;

	if (type == 3 && !unrestricted(g))
		return "CS access rights: data type 3 is allowed only with unrestricted guest";
	if (type != 3 && type != 9 && type != 11 && type != 13 && type != 15)
		return "CS access rights: type must be an accessed code segment (9, 11, 13 or 15)";
	if ((r = ar_s(cs, VSEG_CS, true)))
		return r;
	if (type == 3 && dpl != 0)
		return "CS access rights: DPL must be 0 for a data-segment (type 3) CS";
	if ((type == 9 || type == 11) && dpl != ss_dpl)
		return "CS access rights: non-conforming code needs DPL equal to SS.DPL";
	if ((type == 13 || type == 15) && dpl > ss_dpl)
		return "CS access rights: conforming code needs DPL <= SS.DPL";
	return ar_tail(g, VSEG_CS);
}

static const char *ar_ss(const struct vmx_guest_state *g)
{
	const struct vmx_seg *ss = &g->seg[VSEG_SS];
	unsigned int type = AR_TYPE(ss->ar), dpl = AR_DPL(ss->ar);
	const char *r;

	if (usable(ss) && type != 3 && type != 7)
		return "SS access rights: type must be a read/write accessed data segment (3 or 7)";
	if (usable(ss) && (r = ar_s(ss, VSEG_SS, true)))
		return r;
	/* SS.DPL is the CPL, so these hold even for an unusable SS. */
	if (!unrestricted(g) && dpl != SEL_RPL(ss->sel))
		return "SS access rights: DPL must equal SS.RPL";
	if (dpl != 0 && (AR_TYPE(g->seg[VSEG_CS].ar) == 3 || !(g->cr0 & CR0_PE)))
		return "SS access rights: DPL must be 0 with CR0.PE clear or CS type 3";
	return usable(ss) ? ar_tail(g, VSEG_SS) : NULL;
}

/* DS, ES, FS, GS. */
static const char *ar_data(const struct vmx_guest_state *g, enum vmx_seg_index i)
{
	static const char *const not_accessed[VSEG_COUNT] = {
		[VSEG_DS] = "DS access rights: type must be accessed (bit 0 set)",
		[VSEG_ES] = "ES access rights: type must be accessed (bit 0 set)",
		[VSEG_FS] = "FS access rights: type must be accessed (bit 0 set)",
		[VSEG_GS] = "GS access rights: type must be accessed (bit 0 set)",
	};
	static const char *const exec_only[VSEG_COUNT] = {
		[VSEG_DS] = "DS access rights: a code segment type must be readable",
		[VSEG_ES] = "ES access rights: a code segment type must be readable",
		[VSEG_FS] = "FS access rights: a code segment type must be readable",
		[VSEG_GS] = "GS access rights: a code segment type must be readable",
	};
	static const char *const dpl_lt_rpl[VSEG_COUNT] = {
		[VSEG_DS] = "DS access rights: DPL must not be less than DS.RPL",
		[VSEG_ES] = "ES access rights: DPL must not be less than ES.RPL",
		[VSEG_FS] = "FS access rights: DPL must not be less than FS.RPL",
		[VSEG_GS] = "GS access rights: DPL must not be less than GS.RPL",
	};
	const struct vmx_seg *s = &g->seg[i];
	unsigned int type = AR_TYPE(s->ar);
	const char *r;

	if (!usable(s))
		return NULL;
	if (!(type & 1))
		return not_accessed[i];
	if ((type & 8) && !(type & 2))
		return exec_only[i];
	if ((r = ar_s(s, i, true)))
		return r;
	/* Data and non-conforming code segments only. */
	if (!unrestricted(g) && type <= 11 && AR_DPL(s->ar) < SEL_RPL(s->sel))
		return dpl_lt_rpl[i];
	return ar_tail(g, i);
}

static const char *ar_tr(const struct vmx_guest_state *g)
{
	const struct vmx_seg *tr = &g->seg[VSEG_TR];
	unsigned int type = AR_TYPE(tr->ar);
	const char *r;

	if (ia32e_guest(g) ? type != 11 : (type != 3 && type != 11))
		return "TR access rights: type must be a busy TSS (3 or 11; 11 in IA-32e mode)";
	if ((r = ar_s(tr, VSEG_TR, false)))
		return r;
	return ar_tail(g, VSEG_TR);
}

static const char *ar_ldtr(const struct vmx_guest_state *g)
{
	const struct vmx_seg *ldtr = &g->seg[VSEG_LDTR];
	const char *r;

	if (!usable(ldtr))
		return NULL;
	if (AR_TYPE(ldtr->ar) != 2)
		return "LDTR access rights: type must be 2 (LDT)";
	if ((r = ar_s(ldtr, VSEG_LDTR, false)))
		return r;
	return ar_tail(g, VSEG_LDTR);
}

static const char *check_segments(const struct vmx_guest_state *g)
{
	const struct vmx_seg *seg = g->seg;
	bool v86 = g->rflags & RFLAGS_VM;
	const char *r;

	/* Selectors. */
	if (seg[VSEG_TR].sel & SEL_TI)
		return "TR selector: TI flag (bit 2) must be 0";
	if (usable(&seg[VSEG_LDTR]) && (seg[VSEG_LDTR].sel & SEL_TI))
		return "LDTR selector: TI flag (bit 2) must be 0";
	if (!v86 && !unrestricted(g) && SEL_RPL(seg[VSEG_SS].sel) != SEL_RPL(seg[VSEG_CS].sel))
		return "SS selector: RPL must equal CS.RPL";

	/* Bases. */
	if (v86) {
		for (unsigned int k = 0; k < ARRAY_SIZE(code_data_segs); k++) {
			const struct vmx_seg *s = &seg[code_data_segs[k]];
			if (s->base != (uint64_t)s->sel << 4)
				return seg_msgs[code_data_segs[k]].v86_base;
		}
	}
	if (!canonical(seg[VSEG_TR].base))
		return "TR base: must be canonical";
	if (!canonical(seg[VSEG_FS].base))
		return "FS base: must be canonical";
	if (!canonical(seg[VSEG_GS].base))
		return "GS base: must be canonical";
	if (usable(&seg[VSEG_LDTR]) && !canonical(seg[VSEG_LDTR].base))
		return "LDTR base: must be canonical";
	if (seg[VSEG_CS].base >> 32)
		return "CS base: bits 63:32 must be 0";
	if (usable(&seg[VSEG_SS]) && (seg[VSEG_SS].base >> 32))
		return "SS base: bits 63:32 must be 0";
	if (usable(&seg[VSEG_DS]) && (seg[VSEG_DS].base >> 32))
		return "DS base: bits 63:32 must be 0";
	if (usable(&seg[VSEG_ES]) && (seg[VSEG_ES].base >> 32))
		return "ES base: bits 63:32 must be 0";

	/* Limits and access rights. */
	if (v86) {
		for (unsigned int k = 0; k < ARRAY_SIZE(code_data_segs); k++)
			if (seg[code_data_segs[k]].limit != 0xffff)
				return seg_msgs[code_data_segs[k]].v86_limit;
		for (unsigned int k = 0; k < ARRAY_SIZE(code_data_segs); k++)
			if (seg[code_data_segs[k]].ar != 0xf3)
				return seg_msgs[code_data_segs[k]].v86_ar;
	} else {
		if ((r = ar_cs(g)) || (r = ar_ss(g)))
			return r;
		for (unsigned int k = 2; k < ARRAY_SIZE(code_data_segs); k++)
			if ((r = ar_data(g, code_data_segs[k])))
				return r;
	}
	if ((r = ar_tr(g)))
		return r;
	return ar_ldtr(g);
}

/* ---- 27.3.1.3 descriptor-table registers ---- */

static const char *check_dtr(const struct vmx_guest_state *g)
{
	if (!canonical(g->gdtr_base))
		return "GDTR base: must be canonical";
	if (!canonical(g->idtr_base))
		return "IDTR base: must be canonical";
	if (g->gdtr_limit >> 16)
		return "GDTR limit: bits 31:16 must be 0";
	if (g->idtr_limit >> 16)
		return "IDTR limit: bits 31:16 must be 0";
	return NULL;
}

/* ---- 27.3.1.4 RIP and RFLAGS ---- */

static bool injecting(const struct vmx_guest_state *g, unsigned int type)
{
	return (g->entry_intr_info & INFO_VALID) && INFO_TYPE(g->entry_intr_info) == type;
}

static const char *check_rip_rflags(const struct vmx_guest_state *g)
{
	bool long_mode = ia32e_guest(g) && (g->seg[VSEG_CS].ar & AR_L);

	if (!long_mode && (g->rip >> 32))
		return "RIP: bits 63:32 must be 0 outside 64-bit mode";
	if (long_mode && !canonical(g->rip))
		return "RIP: must be canonical in 64-bit mode";
	if ((g->rflags & RFLAGS_RSVD) || !(g->rflags & RFLAGS_FIXED1))
		return "RFLAGS: reserved bits set or bit 1 clear";
	if ((g->rflags & RFLAGS_VM) && (ia32e_guest(g) || !(g->cr0 & CR0_PE)))
		return "RFLAGS: VM must be 0 in IA-32e mode or with CR0.PE clear";
	if (injecting(g, TYPE_EXTINT) && !(g->rflags & RFLAGS_IF))
		return "RFLAGS: IF must be 1 to inject an external interrupt";
	return NULL;
}

/* ---- 27.3.1.5 non-register state ---- */

/* Whether the event in the interruption-information field may be
 * injected into the given activity state. */
static bool event_allowed(uint32_t info, uint32_t activity)
{
	unsigned int type = INFO_TYPE(info), vec = INFO_VECTOR(info);

	switch (activity) {
	case ACT_HLT:
		return type == TYPE_EXTINT || type == TYPE_NMI ||
		       (type == TYPE_HWEXC && (vec == 1 || vec == 18)) ||
		       (type == TYPE_OTHER && vec == 0);
	case ACT_SHUTDOWN:
		return type == TYPE_NMI || (type == TYPE_HWEXC && vec == 18);
	case ACT_SIPI:
		return false;
	default:
		return true;
	}
}

static const char *check_nonreg(const struct vmx_guest_state *g)
{
	uint32_t intr = g->interruptibility;
	uint64_t pde = g->pending_dbg;

	/* Activity state. */
	if (g->activity > ACT_SIPI)
		return "activity state: not a valid value";
	if (g->activity == ACT_HLT && AR_DPL(g->seg[VSEG_SS].ar) != 0)
		return "activity state: HLT requires SS.DPL = 0";
	if (g->activity != ACT_ACTIVE && (intr & (INTR_STI | INTR_MOVSS)))
		return "activity state: must be active with STI or MOV-SS blocking";
	if ((g->entry_intr_info & INFO_VALID) && !event_allowed(g->entry_intr_info, g->activity))
		return "activity state: the injected event is blocked in this state";

	/* Interruptibility state. */
	if (intr & INTR_RSVD)
		return "interruptibility state: reserved bits 31:5 must be 0";
	if ((intr & INTR_STI) && (intr & INTR_MOVSS))
		return "interruptibility state: STI and MOV-SS blocking both set";
	if ((intr & INTR_STI) && !(g->rflags & RFLAGS_IF))
		return "interruptibility state: STI blocking set with RFLAGS.IF clear";
	if (injecting(g, TYPE_EXTINT) && (intr & (INTR_STI | INTR_MOVSS)))
		return "interruptibility state: STI/MOV-SS blocking with external interrupt";
	if (injecting(g, TYPE_NMI) && (intr & INTR_MOVSS))
		return "interruptibility state: MOV-SS blocking with NMI injection";
	/* Tern never enters a guest from SMM. */
	if (intr & INTR_SMI)
		return "interruptibility state: SMI blocking must be 0 outside SMM";
	if ((intr & INTR_ENCLAVE) && (intr & INTR_MOVSS))
		return "interruptibility state: enclave interruption with MOV-SS blocking";

	/* Pending debug exceptions. */
	if (pde & PDE_RSVD)
		return "pending debug exceptions: reserved bits set";
	if ((intr & (INTR_STI | INTR_MOVSS)) || g->activity == ACT_HLT) {
		bool want_bs = (g->rflags & RFLAGS_TF) && !(g->debugctl & DEBUGCTL_BTF);
		if (want_bs && !(pde & PDE_BS))
			return "pending debug exceptions: BS must be 1 (RFLAGS.TF=1, DEBUGCTL.BTF=0)";
		if (!want_bs && (pde & PDE_BS))
			return "pending debug exceptions: BS must be 0 unless TF=1 and BTF=0";
	}
	if (pde & PDE_RTM) {
		if (pde != (PDE_RTM | PDE_ENABLED_BP))
			return "pending debug exceptions: RTM needs bit 12 set, all others clear";
		if (intr & INTR_MOVSS)
			return "pending debug exceptions: RTM set with MOV-SS blocking";
	}

	/* VMCS link pointer: Tern uses no shadow VMCS. */
	if (g->link_ptr != ~0ULL)
		return "VMCS link pointer: must be all ones";
	return NULL;
}

const char *vmx_guest_state_check(const struct vmx_guest_state *g)
{
	const char *r;

	if ((r = check_cr(g)) || (r = check_segments(g)) || (r = check_dtr(g)) ||
	    (r = check_rip_rflags(g)))
		return r;
	return check_nonreg(g);
}
