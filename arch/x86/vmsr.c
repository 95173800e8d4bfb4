/* Guest MSR emulation. Every MSR access exits (the MSR bitmap is all
 * ones); this table is the complete list of MSRs a guest may touch. MSRs
 * that the VMCS holds are read and written there; the few the guest uses
 * natively but the VMCS does not hold are kept per vCPU and loaded into
 * the hardware when the vCPU is scheduled in. */
#include "arch/x86/vmsr.h"
#include "arch/x86/cpu.h"
#include "arch/x86/vlapic.h"
#include "arch/x86/vmx_caps.h"
#include "arch/x86/vmx_ops.h"
#include "hv/percpu.h"
#include "hv/vm.h"

#define MSR_IA32_TSC 0x10
#define MSR_IA32_BIOS_SIGN_ID 0x8b

static bool pat_valid(uint64_t pat)
{
	for (int i = 0; i < 8; i++) {
		uint8_t t = (uint8_t)(pat >> (i * 8));
		if (t == 2 || t == 3 || t > 7)
			return false;
	}
	return true;
}

static bool canonical(uint64_t a)
{
	return (uint64_t)(((int64_t)a << 16) >> 16) == a;
}


static uint64_t *native_slot(struct vcpu *v, uint32_t msr)
{
	switch (msr) {
	case MSR_KERNEL_GS_BASE: return &v->arch.msr_kernel_gs_base;
	case MSR_STAR: return &v->arch.msr_star;
	case MSR_LSTAR: return &v->arch.msr_lstar;
	case MSR_CSTAR: return &v->arch.msr_cstar;
	case MSR_SFMASK: return &v->arch.msr_sfmask;
	case MSR_TSC_AUX: return &v->arch.msr_tsc_aux;
	default: return NULL;
	}
}

bool vmsr_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	uint64_t *slot = native_slot(v, msr);
	if (slot) {
		*val = *slot;
		return true;
	}
	if (vlapic_msr_read(v, msr, val))
		return true;
	switch (msr) {
	case MSR_IA32_TSC: *val = rdtsc() + vmcs_read64(TSC_OFFSET); return true;
	case MSR_IA32_FEATURE_CONTROL: *val = FEATURE_CONTROL_LOCKED_GUEST; return true;
	case MSR_IA32_BIOS_SIGN_ID: *val = 0; return true;
	case MSR_IA32_MISC_ENABLE: *val = v->arch.msr_misc_enable; return true;
	case MSR_IA32_SYSENTER_CS: *val = vmcs_read32(GUEST_SYSENTER_CS); return true;
	case MSR_IA32_SYSENTER_ESP: *val = vmcs_readl(GUEST_SYSENTER_ESP); return true;
	case MSR_IA32_SYSENTER_EIP: *val = vmcs_readl(GUEST_SYSENTER_EIP); return true;
	case MSR_IA32_DEBUGCTL: *val = vmcs_read64(GUEST_IA32_DEBUGCTL); return true;
	case MSR_IA32_PAT: *val = vmcs_read64(GUEST_IA32_PAT); return true;
	case MSR_IA32_EFER: *val = vmcs_read64(GUEST_IA32_EFER); return true;
	case MSR_FS_BASE: *val = vmcs_readl(GUEST_FS_BASE); return true;
	case MSR_GS_BASE: *val = vmcs_readl(GUEST_GS_BASE); return true;
	default: return false;
	}
}

bool vmsr_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
	uint64_t *slot = native_slot(v, msr);
	if (slot) {
		if (msr != MSR_STAR && msr != MSR_SFMASK && msr != MSR_TSC_AUX && !canonical(val))
			return false;
		if (msr == MSR_TSC_AUX && val >> 32)
			return false;
		*slot = val;
		wrmsr(msr, val); /* this vCPU owns the hardware copy now */
		return true;
	}
	int rc = vlapic_msr_write(v, msr, val);
	if (rc >= 0)
		return rc;
	switch (msr) {
	case MSR_IA32_TSC:
		vmcs_write64(TSC_OFFSET, val - rdtsc());
		return true;
	case MSR_IA32_BIOS_SIGN_ID:
		return true; /* microcode revision probe: ignored */
	case MSR_IA32_MISC_ENABLE:
		v->arch.msr_misc_enable = (v->arch.msr_misc_enable & ~1ULL) | (val & 1);
		return true;
	case MSR_IA32_SYSENTER_CS: vmcs_write32(GUEST_SYSENTER_CS, (uint32_t)val); return true;
	case MSR_IA32_SYSENTER_ESP:
		if (!canonical(val))
			return false;
		vmcs_writel(GUEST_SYSENTER_ESP, val);
		return true;
	case MSR_IA32_SYSENTER_EIP:
		if (!canonical(val))
			return false;
		vmcs_writel(GUEST_SYSENTER_EIP, val);
		return true;
	case MSR_IA32_DEBUGCTL:
		/* Only BTF (single-step on branches); no LBR or tracing. */
		if (val & ~BIT(1))
			return false;
		vmcs_write64(GUEST_IA32_DEBUGCTL, val);
		return true;
	case MSR_IA32_PAT:
		if (!pat_valid(val))
			return false;
		vmcs_write64(GUEST_IA32_PAT, val);
		return true;
	case MSR_IA32_EFER: {
		uint64_t cur = vmcs_read64(GUEST_IA32_EFER);
		if (val & ~(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE))
			return false;
		/* LME may not change while paging is on (SDM 10.8.5). */
		if (((val ^ cur) & EFER_LME) && (v->arch.cr0_shadow & CR0_PG))
			return false;
		val = (val & ~EFER_LMA) | (cur & EFER_LMA); /* LMA is read-only */
		vmcs_write64(GUEST_IA32_EFER, val);
		return true;
	}
	case MSR_FS_BASE:
		if (!canonical(val))
			return false;
		vmcs_writel(GUEST_FS_BASE, val);
		return true;
	case MSR_GS_BASE:
		if (!canonical(val))
			return false;
		vmcs_writel(GUEST_GS_BASE, val);
		return true;
	default:
		return false;
	}
}

void vmsr_load_guest(struct vcpu *v)
{
	struct percpu *p = this_cpu();
	if (p->arch.native_msr_owner == v)
		return;
	static const uint32_t msrs[] = { MSR_KERNEL_GS_BASE, MSR_STAR, MSR_LSTAR,
					 MSR_CSTAR, MSR_SFMASK, MSR_TSC_AUX };
	for (unsigned i = 0; i < ARRAY_SIZE(msrs); i++)
		wrmsr(msrs[i], *native_slot(v, msrs[i]));
	p->arch.native_msr_owner = v;
}
