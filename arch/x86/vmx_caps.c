/* VMX capability logic: control-word adjustment and the names used in
 * error messages when the CPU refuses something Tern needs. */
#include "arch/x86/vmx_caps.h"
#include "hv/fmt.h"
#include "hv/lib.h"
#ifndef TERN_HOST_TEST
#include "arch/x86/cpu.h"
#endif

uint32_t vmx_adjust_ctl(uint64_t cap, uint32_t required, uint32_t optional,
			uint32_t *refused)
{
	uint32_t must_be_one = (uint32_t)cap;
	uint32_t may_be_one = (uint32_t)(cap >> 32);

	if (refused)
		*refused = required & ~may_be_one;
	return (must_be_one | required | optional) & may_be_one;
}

bool vmx_ctl_allowed(const struct vmx_caps *c, enum vmx_ctl_word w, uint32_t bits)
{
	if (w == VMX_CTL_PROC2 &&
	    !((uint32_t)(c->ctl[VMX_CTL_PROC] >> 32) & CPU_SECONDARY))
		return false;
	return ((uint32_t)(c->ctl[w] >> 32) & bits) == bits;
}

static const char *const word_names[VMX_CTL_COUNT] = {
	[VMX_CTL_PIN] = "pin-based control",
	[VMX_CTL_PROC] = "processor-based control",
	[VMX_CTL_PROC2] = "secondary processor-based control",
	[VMX_CTL_EXIT] = "VM-exit control",
	[VMX_CTL_ENTRY] = "VM-entry control",
};

static const char *const pin_names[32] = {
	[0] = "external-interrupt exiting", [3] = "NMI exiting",
	[5] = "virtual NMIs", [6] = "VMX-preemption timer",
	[7] = "process posted interrupts",
};

static const char *const proc_names[32] = {
	[2] = "interrupt-window exiting", [3] = "use TSC offsetting",
	[7] = "HLT exiting", [9] = "INVLPG exiting", [10] = "MWAIT exiting",
	[11] = "RDPMC exiting", [12] = "RDTSC exiting",
	[15] = "CR3-load exiting", [16] = "CR3-store exiting",
	[19] = "CR8-load exiting", [20] = "CR8-store exiting",
	[21] = "use TPR shadow", [22] = "NMI-window exiting",
	[23] = "MOV-DR exiting", [24] = "unconditional I/O exiting",
	[25] = "use I/O bitmaps", [27] = "monitor trap flag",
	[28] = "use MSR bitmaps", [29] = "MONITOR exiting",
	[30] = "PAUSE exiting", [31] = "activate secondary controls",
};

static const char *const proc2_names[32] = {
	[0] = "virtualize APIC accesses", [1] = "enable EPT",
	[2] = "descriptor-table exiting", [3] = "enable RDTSCP",
	[4] = "virtualize x2APIC mode", [5] = "enable VPID",
	[6] = "WBINVD exiting", [7] = "unrestricted guest",
	[8] = "APIC-register virtualization",
	[9] = "virtual-interrupt delivery", [10] = "PAUSE-loop exiting",
	[12] = "enable INVPCID", [20] = "enable XSAVES/XRSTORS",
};

static const char *const exit_names[32] = {
	[2] = "save debug controls", [9] = "host address-space size",
	[12] = "load IA32_PERF_GLOBAL_CTRL",
	[15] = "acknowledge interrupt on exit", [18] = "save IA32_PAT",
	[19] = "load IA32_PAT", [20] = "save IA32_EFER",
	[21] = "load IA32_EFER", [22] = "save VMX-preemption timer value",
};

static const char *const entry_names[32] = {
	[2] = "load debug controls", [9] = "IA-32e mode guest",
	[10] = "entry to SMM", [13] = "load IA32_PERF_GLOBAL_CTRL",
	[14] = "load IA32_PAT", [15] = "load IA32_EFER",
};

static const char *const *const bit_names[VMX_CTL_COUNT] = {
	pin_names, proc_names, proc2_names, exit_names, entry_names,
};

const char *vmx_ctl_word_name(enum vmx_ctl_word w)
{
	return (unsigned)w < VMX_CTL_COUNT ? word_names[w] : "control";
}

const char *vmx_ctl_bit_name(enum vmx_ctl_word w, unsigned bit)
{
	if ((unsigned)w >= VMX_CTL_COUNT || bit >= 32)
		return NULL;
	return bit_names[w][bit];
}

void vmx_describe_refused(enum vmx_ctl_word w, uint32_t refused, char *buf,
			  size_t len)
{
	size_t used = 0;

	if (len)
		buf[0] = '\0';
	for (unsigned bit = 0; bit < 32 && used < len; bit++) {
		if (!(refused & (1u << bit)))
			continue;
		const char *name = vmx_ctl_bit_name(w, bit);
		int n = fmt_snprintf(buf + used, len - used, "%s%s '%s' (bit %u)",
				     used ? "; " : "", vmx_ctl_word_name(w),
				     name ? name : "unnamed", bit);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

uint64_t vmx_fix_cr(uint64_t val, uint64_t fixed0, uint64_t fixed1)
{
	return (val | fixed0) & fixed1;
}

const char *vmx_check_ept_caps(uint64_t ept_vpid)
{
	if (!(ept_vpid & EPT_CAP_WALK4))
		return "CPU lacks EPT with a 4-level page walk";
	if (!(ept_vpid & EPT_CAP_WB))
		return "CPU lacks write-back EPT paging structures";
	if (!(ept_vpid & EPT_CAP_2M))
		return "CPU lacks 2 MiB EPT pages";
	if (!(ept_vpid & EPT_CAP_INVEPT))
		return "CPU lacks the INVEPT instruction";
	if (!(ept_vpid & (EPT_CAP_INVEPT_SINGLE | EPT_CAP_INVEPT_ALL)))
		return "CPU lacks single- and all-context INVEPT";
	return NULL;
}

bool vmx_vpid_usable(uint64_t ept_vpid)
{
	return (ept_vpid & VPID_CAP_INVVPID) &&
	       (ept_vpid & (VPID_CAP_SINGLE | VPID_CAP_ALL));
}

#ifndef TERN_HOST_TEST
void vmx_caps_read(struct vmx_caps *c)
{
	memset(c, 0, sizeof(*c));
	c->basic = rdmsr(MSR_IA32_VMX_BASIC);
	bool true_ctls = c->basic & VMX_BASIC_TRUE_CTLS;
	c->ctl[VMX_CTL_PIN] = rdmsr(true_ctls ? MSR_IA32_VMX_TRUE_PINBASED_CTLS
					      : MSR_IA32_VMX_PINBASED_CTLS);
	c->ctl[VMX_CTL_PROC] = rdmsr(true_ctls ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS
					       : MSR_IA32_VMX_PROCBASED_CTLS);
	c->ctl[VMX_CTL_EXIT] = rdmsr(true_ctls ? MSR_IA32_VMX_TRUE_EXIT_CTLS
					       : MSR_IA32_VMX_EXIT_CTLS);
	c->ctl[VMX_CTL_ENTRY] = rdmsr(true_ctls ? MSR_IA32_VMX_TRUE_ENTRY_CTLS
						: MSR_IA32_VMX_ENTRY_CTLS);
	/* The secondary controls and EPT/VPID MSRs exist only if the CPU
	 * allows "activate secondary controls" (A.3.3). */
	if ((c->ctl[VMX_CTL_PROC] >> 32) & CPU_SECONDARY) {
		c->ctl[VMX_CTL_PROC2] = rdmsr(MSR_IA32_VMX_PROCBASED_CTLS2);
		if ((c->ctl[VMX_CTL_PROC2] >> 32) & (CPU2_EPT | CPU2_VPID))
			c->ept_vpid = rdmsr(MSR_IA32_VMX_EPT_VPID_CAP);
	}
	c->misc = rdmsr(MSR_IA32_VMX_MISC);
	c->cr0_fixed0 = rdmsr(MSR_IA32_VMX_CR0_FIXED0);
	c->cr0_fixed1 = rdmsr(MSR_IA32_VMX_CR0_FIXED1);
	c->cr4_fixed0 = rdmsr(MSR_IA32_VMX_CR4_FIXED0);
	c->cr4_fixed1 = rdmsr(MSR_IA32_VMX_CR4_FIXED1);
}
#endif
