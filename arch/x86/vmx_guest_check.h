/* arch/x86/vmx_guest_check.h: which guest-state check refused a VM entry.
 *
 * When VM entry fails with exit reason 33 (invalid guest state) the
 * processor does not say which of the checks of SDM Vol. 3C 27.3.1 failed.
 * Tern re-runs those checks in software on a snapshot of the guest-state
 * area and names the first one that fails. Pure code: the snapshot is
 * filled from the VMCS by vcpu.c on the machine and by hand in
 * tests/unit/test_vmx_guest_check.c.
 */
#ifndef ARCH_X86_VMX_GUEST_CHECK_H
#define ARCH_X86_VMX_GUEST_CHECK_H

#include "hv/types.h"

enum vmx_seg_index {
	VSEG_ES, VSEG_CS, VSEG_SS, VSEG_DS, VSEG_FS, VSEG_GS, VSEG_LDTR, VSEG_TR,
	VSEG_COUNT
};

struct vmx_seg {
	uint16_t sel;
	uint64_t base;
	uint32_t limit;
	uint32_t ar;             /* access-rights field as in the VMCS */
};

struct vmx_guest_state {
	uint64_t cr0, cr3, cr4;
	uint64_t dr7;            /* the GUEST_DR7 field */
	uint64_t rip, rflags;
	uint64_t efer, pat, debugctl;
	uint64_t pending_dbg;
	uint64_t link_ptr;
	struct vmx_seg seg[VSEG_COUNT];
	uint64_t gdtr_base, idtr_base;
	uint32_t gdtr_limit, idtr_limit;
	uint32_t interruptibility, activity;
	/* The controls and capabilities the checks depend on. */
	uint32_t entry_ctls;        /* VM-entry controls */
	uint32_t entry_intr_info;   /* VM-entry interruption-information */
	uint32_t proc2_ctls;        /* secondary processor-based controls */
	uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	unsigned int phys_addr_bits; /* CPUID.80000008H:EAX[7:0] */
};

/* Returns NULL when every check Tern models passes, else a short
 * description of the first failing one, naming the field, e.g.
 * "CS access rights: type must be an accessed code segment". */
const char *vmx_guest_state_check(const struct vmx_guest_state *g);

#endif
