/* Checked VMX instructions. Each wrapper tests CF (VMfailInvalid) and ZF
 * (VMfailValid) after the instruction; a failure is reported with the
 * instruction, its operand and, for VMfailValid, the VM-instruction error
 * by name (SDM Vol. 3, 31.2 and 31.4). VMREAD/VMWRITE come in width-typed
 * forms that refuse, at compile time, a field of another width. */
#ifndef ARCH_X86_VMX_OPS_H
#define ARCH_X86_VMX_OPS_H

#include "hv/types.h"
#include "arch/x86/vmcs_fields.h"
#include "arch/x86/vmx_names.h"


/* Reports a failed VMX instruction and panics: only used where a failure
 * means a bug in Tern (VMREAD/VMWRITE of a VMCS Tern built itself). */
__noreturn void vmx_insn_failed(const char *insn, uint64_t operand, bool valid);

static inline bool vmx_on(paddr_t region)
{
	bool fail;
	__asm__ volatile("vmxon %1; setna %0"
			 : "=qm"(fail) : "m"(region) : "cc", "memory");
	return !fail;
}

static inline void vmx_off(void)
{
	__asm__ volatile("vmxoff" ::: "cc", "memory");
}

/* Returns 0 on success, -1 on VMfailInvalid, else the VM-instruction error. */
int vmclear_checked(paddr_t vmcs);
int vmptrld_checked(paddr_t vmcs);

static inline void vmclear(paddr_t vmcs)
{
	if (vmclear_checked(vmcs))
		vmx_insn_failed("VMCLEAR", vmcs, true);
}

static inline void vmptrld(paddr_t vmcs)
{
	if (vmptrld_checked(vmcs))
		vmx_insn_failed("VMPTRLD", vmcs, true);
}

/* VMREAD/VMWRITE are on the exit path: the check is one branch on CF|ZF
 * ("jna") to an out-of-line failure report (asm goto). */
static inline uint64_t __vmread(uint32_t field)
{
	uint64_t v;
	__asm__ goto("vmread %1, %0\n\tjna %l[failed]"
		     : "=r"(v)
		     : "r"((uint64_t)field)
		     : "cc"
		     : failed);
	return v;
failed:
	vmx_insn_failed("VMREAD", field, true);
}

static inline void __vmwrite(uint32_t field, uint64_t v)
{
	__asm__ goto("vmwrite %0, %1\n\tjna %l[failed]"
		     :
		     : "r"(v), "r"((uint64_t)field)
		     : "cc"
		     : failed);
	return;
failed:
	vmx_insn_failed("VMWRITE", field, true);
}

/* VMREAD that reports failure instead of panicking (VMCS dumps). */
static inline bool vmread_safe(uint32_t field, uint64_t *v)
{
	bool fail;
	__asm__ volatile("vmread %2, %0; setna %1"
			 : "=rm"(*v), "=qm"(fail)
			 : "r"((uint64_t)field)
			 : "cc");
	return !fail;
}

#define VMCS_CHECK_WIDTH(f, w) \
	_Static_assert(VMCS_WIDTH(f) == (w), #f " has another width")

#define vmcs_read16(f) ({ VMCS_CHECK_WIDTH(f, VMCS_W16); (uint16_t)__vmread(f); })
#define vmcs_read32(f) ({ VMCS_CHECK_WIDTH(f, VMCS_W32); (uint32_t)__vmread(f); })
#define vmcs_read64(f) ({ VMCS_CHECK_WIDTH(f, VMCS_W64); __vmread(f); })
#define vmcs_readl(f) ({ VMCS_CHECK_WIDTH(f, VMCS_WNAT); __vmread(f); })
#define vmcs_write16(f, v) do { VMCS_CHECK_WIDTH(f, VMCS_W16); __vmwrite(f, (uint16_t)(v)); } while (0)
#define vmcs_write32(f, v) do { VMCS_CHECK_WIDTH(f, VMCS_W32); __vmwrite(f, (uint32_t)(v)); } while (0)
#define vmcs_write64(f, v) do { VMCS_CHECK_WIDTH(f, VMCS_W64); __vmwrite(f, (uint64_t)(v)); } while (0)
#define vmcs_writel(f, v) do { VMCS_CHECK_WIDTH(f, VMCS_WNAT); __vmwrite(f, (uint64_t)(v)); } while (0)

/* INVEPT / INVVPID types (SDM Vol. 3, 31.3). */
#define INVEPT_SINGLE 1
#define INVEPT_ALL 2
#define INVVPID_ADDR 0
#define INVVPID_SINGLE 1
#define INVVPID_ALL 2

static inline void invept(uint64_t type, uint64_t eptp)
{
	struct { uint64_t eptp, zero; } desc = { eptp, 0 };
	bool fail;
	__asm__ volatile("invept %1, %2; setna %0"
			 : "=qm"(fail) : "m"(desc), "r"(type) : "cc", "memory");
	if (unlikely(fail))
		vmx_insn_failed("INVEPT", eptp, true);
}

static inline void invvpid(uint64_t type, uint16_t vpid, uint64_t addr)
{
	struct { uint64_t vpid, addr; } desc = { vpid, addr };
	bool fail;
	__asm__ volatile("invvpid %1, %2; setna %0"
			 : "=qm"(fail) : "m"(desc), "r"(type) : "cc", "memory");
	if (unlikely(fail))
		vmx_insn_failed("INVVPID", vpid, true);
}

#endif
