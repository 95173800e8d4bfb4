/* VMX capabilities: reading the capability MSRs into one struct, adjusting
 * control words against them, and naming what the CPU refused. The logic is
 * pure (no MSR access) and is unit-tested on the host with made-up values. */
#ifndef ARCH_X86_VMX_CAPS_H
#define ARCH_X86_VMX_CAPS_H

#include "hv/types.h"

#define MSR_IA32_VMX_BASIC 0x480
#define MSR_IA32_VMX_PINBASED_CTLS 0x481
#define MSR_IA32_VMX_PROCBASED_CTLS 0x482
#define MSR_IA32_VMX_EXIT_CTLS 0x483
#define MSR_IA32_VMX_ENTRY_CTLS 0x484
#define MSR_IA32_VMX_MISC 0x485
#define MSR_IA32_VMX_CR0_FIXED0 0x486
#define MSR_IA32_VMX_CR0_FIXED1 0x487
#define MSR_IA32_VMX_CR4_FIXED0 0x488
#define MSR_IA32_VMX_CR4_FIXED1 0x489
#define MSR_IA32_VMX_PROCBASED_CTLS2 0x48b
#define MSR_IA32_VMX_EPT_VPID_CAP 0x48c
#define MSR_IA32_VMX_TRUE_PINBASED_CTLS 0x48d
#define MSR_IA32_VMX_TRUE_PROCBASED_CTLS 0x48e
#define MSR_IA32_VMX_TRUE_EXIT_CTLS 0x48f
#define MSR_IA32_VMX_TRUE_ENTRY_CTLS 0x490

#define FEATURE_CONTROL_LOCKED BIT(0)
#define FEATURE_CONTROL_VMX_IN_SMX BIT(1)
#define FEATURE_CONTROL_VMX_OUTSIDE_SMX BIT(2)
/* What guests read: locked, VMX off (no nested VMX). */
#define FEATURE_CONTROL_LOCKED_GUEST FEATURE_CONTROL_LOCKED

/* IA32_VMX_BASIC (SDM Vol. 3, A.1). */
#define VMX_BASIC_32BIT_ADDR BIT(48)
#define VMX_BASIC_TRUE_CTLS BIT(55)
#define VMX_BASIC_MEMTYPE(b) (((b) >> 50) & 0xf)
#define VMX_MEMTYPE_WB 6

/* Pin-based VM-execution controls (SDM Vol. 3, 25.6.1). */
#define PIN_EXT_INTR_EXIT BIT(0)
#define PIN_NMI_EXIT BIT(3)
#define PIN_VIRTUAL_NMIS BIT(5)
#define PIN_PREEMPT_TIMER BIT(6)
#define PIN_POSTED_INTR BIT(7)

/* Primary processor-based controls (25.6.2). */
#define CPU_INTR_WINDOW BIT(2)
#define CPU_TSC_OFFSET BIT(3)
#define CPU_HLT_EXIT BIT(7)
#define CPU_INVLPG_EXIT BIT(9)
#define CPU_MWAIT_EXIT BIT(10)
#define CPU_RDPMC_EXIT BIT(11)
#define CPU_RDTSC_EXIT BIT(12)
#define CPU_CR3_LOAD_EXIT BIT(15)
#define CPU_CR3_STORE_EXIT BIT(16)
#define CPU_CR8_LOAD_EXIT BIT(19)
#define CPU_CR8_STORE_EXIT BIT(20)
#define CPU_TPR_SHADOW BIT(21)
#define CPU_NMI_WINDOW BIT(22)
#define CPU_MOV_DR_EXIT BIT(23)
#define CPU_UNCOND_IO_EXIT BIT(24)
#define CPU_IO_BITMAPS BIT(25)
#define CPU_MTF BIT(27)
#define CPU_MSR_BITMAPS BIT(28)
#define CPU_MONITOR_EXIT BIT(29)
#define CPU_PAUSE_EXIT BIT(30)
#define CPU_SECONDARY BIT(31)

/* Secondary processor-based controls. */
#define CPU2_VIRT_APIC_ACCESS BIT(0)
#define CPU2_EPT BIT(1)
#define CPU2_DESC_TABLE_EXIT BIT(2)
#define CPU2_RDTSCP BIT(3)
#define CPU2_VIRT_X2APIC BIT(4)
#define CPU2_VPID BIT(5)
#define CPU2_WBINVD_EXIT BIT(6)
#define CPU2_UNRESTRICTED BIT(7)
#define CPU2_APIC_REG_VIRT BIT(8)
#define CPU2_VIRT_INTR_DELIVERY BIT(9)
#define CPU2_PAUSE_LOOP_EXIT BIT(10)
#define CPU2_INVPCID BIT(12)
#define CPU2_XSAVES BIT(20)

/* VM-exit controls (25.7.1). */
#define EXIT_SAVE_DEBUG BIT(2)
#define EXIT_HOST_64BIT BIT(9)
#define EXIT_LOAD_PERF_GLOBAL BIT(12)
#define EXIT_ACK_INTR BIT(15)
#define EXIT_SAVE_PAT BIT(18)
#define EXIT_LOAD_PAT BIT(19)
#define EXIT_SAVE_EFER BIT(20)
#define EXIT_LOAD_EFER BIT(21)
#define EXIT_SAVE_PREEMPT_TIMER BIT(22)

/* VM-entry controls (25.8.1). */
#define ENTRY_LOAD_DEBUG BIT(2)
#define ENTRY_IA32E_GUEST BIT(9)
#define ENTRY_SMM BIT(10)
#define ENTRY_LOAD_PERF_GLOBAL BIT(13)
#define ENTRY_LOAD_PAT BIT(14)
#define ENTRY_LOAD_EFER BIT(15)

/* IA32_VMX_EPT_VPID_CAP (A.10). */
#define EPT_CAP_EXEC_ONLY BIT(0)
#define EPT_CAP_WALK4 BIT(6)
#define EPT_CAP_UC BIT(8)
#define EPT_CAP_WB BIT(14)
#define EPT_CAP_2M BIT(16)
#define EPT_CAP_1G BIT(17)
#define EPT_CAP_INVEPT BIT(20)
#define EPT_CAP_AD BIT(21)
#define EPT_CAP_INVEPT_SINGLE BIT(25)
#define EPT_CAP_INVEPT_ALL BIT(26)
#define VPID_CAP_INVVPID BIT(32)
#define VPID_CAP_SINGLE BIT(41)
#define VPID_CAP_ALL BIT(42)

enum vmx_ctl_word {
	VMX_CTL_PIN,
	VMX_CTL_PROC,
	VMX_CTL_PROC2,
	VMX_CTL_EXIT,
	VMX_CTL_ENTRY,
	VMX_CTL_COUNT
};

/* Raw capability MSR values; filled by vmx_caps_read() on the machine or
 * by hand in tests. 'ctl' holds the TRUE variants when the CPU has them. */
struct vmx_caps {
	uint64_t basic;
	uint64_t ctl[VMX_CTL_COUNT];
	uint64_t misc;
	uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	uint64_t ept_vpid;
};

/*
 * Adjusts a control word: the result has every bit the CPU requires set
 * (allowed-0 settings, low half of the capability), every 'required' and
 * 'optional' bit the CPU allows (allowed-1 settings, high half), and no
 * other bit. Bits of 'required' that the CPU does not allow are returned in
 * *refused (0 when all is well). SDM Vol. 3, A.3-A.5.
 */
uint32_t vmx_adjust_ctl(uint64_t cap, uint32_t required, uint32_t optional,
			uint32_t *refused);
/* True if the CPU allows 'bits' to be 1 in control word 'w'. */
bool vmx_ctl_allowed(const struct vmx_caps *c, enum vmx_ctl_word w, uint32_t bits);

const char *vmx_ctl_word_name(enum vmx_ctl_word w);
/* Name of control bit 'bit' of word 'w' ("use MSR bitmaps"), or NULL. */
const char *vmx_ctl_bit_name(enum vmx_ctl_word w, unsigned bit);
/* Writes "processor-based control 'HLT exiting' (bit 7)" style text, one
 * per refused bit, separated by "; ". */
void vmx_describe_refused(enum vmx_ctl_word w, uint32_t refused, char *buf,
			  size_t len);

/* Applies the CR0/CR4 fixed bits (A.7, A.8): returns the adjusted value. */
uint64_t vmx_fix_cr(uint64_t val, uint64_t fixed0, uint64_t fixed1);

/*
 * Checks what Tern requires of the EPT/VPID capabilities: a 4-level walk,
 * write-back EPT structures, INVEPT (single or all context). Returns NULL if
 * all is there, else a static message naming the first missing feature.
 */
const char *vmx_check_ept_caps(uint64_t ept_vpid);
/* VPID usable: INVVPID with single- or all-context invalidation. */
bool vmx_vpid_usable(uint64_t ept_vpid);

#ifndef TERN_HOST_TEST
/* Reads the capability MSRs of this CPU (TRUE controls where offered). */
void vmx_caps_read(struct vmx_caps *c);
#endif

#endif
