/* VM-exit handling: basic exit reasons (SDM Vol. 3, Appendix C) and the
 * dispatcher called after every exit. */
#ifndef ARCH_X86_VMEXIT_H
#define ARCH_X86_VMEXIT_H

#include "hv/types.h"

enum exit_reason {
	EXIT_EXCEPTION_NMI = 0,
	EXIT_EXTERNAL_INTR = 1,
	EXIT_TRIPLE_FAULT = 2,
	EXIT_INIT = 3,
	EXIT_SIPI = 4,
	EXIT_INTR_WINDOW = 7,
	EXIT_NMI_WINDOW = 8,
	EXIT_TASK_SWITCH = 9,
	EXIT_CPUID = 10,
	EXIT_GETSEC = 11,
	EXIT_HLT = 12,
	EXIT_INVD = 13,
	EXIT_INVLPG = 14,
	EXIT_RDPMC = 15,
	EXIT_RDTSC = 16,
	EXIT_VMCALL = 18,
	EXIT_VMCLEAR = 19,
	EXIT_VMLAUNCH = 20,
	EXIT_VMPTRLD = 21,
	EXIT_VMPTRST = 22,
	EXIT_VMREAD = 23,
	EXIT_VMRESUME = 24,
	EXIT_VMWRITE = 25,
	EXIT_VMXOFF = 26,
	EXIT_VMXON = 27,
	EXIT_CR_ACCESS = 28,
	EXIT_DR_ACCESS = 29,
	EXIT_IO = 30,
	EXIT_RDMSR = 31,
	EXIT_WRMSR = 32,
	EXIT_ENTRY_FAIL_GUEST = 33,
	EXIT_ENTRY_FAIL_MSR = 34,
	EXIT_MWAIT = 36,
	EXIT_MTF = 37,
	EXIT_MONITOR = 39,
	EXIT_PAUSE = 40,
	EXIT_ENTRY_FAIL_MC = 41,
	EXIT_EPT_VIOLATION = 48,
	EXIT_EPT_MISCONFIG = 49,
	EXIT_INVEPT = 50,
	EXIT_RDTSCP = 51,
	EXIT_PREEMPT_TIMER = 52,
	EXIT_INVVPID = 53,
	EXIT_WBINVD = 54,
	EXIT_XSETBV = 55,
	EXIT_RDRAND = 57,
	EXIT_INVPCID = 58,
	EXIT_VMFUNC = 59,
	EXIT_RDSEED = 61,
	EXIT_XSAVES = 63,
	EXIT_XRSTORS = 64,
	EXIT_REASON_MAX = 65,
};

#define EXIT_REASON_ENTRY_FAILURE BIT(31)

struct vcpu;

/* What the run loop does after an exit was handled. */
enum exit_action {
	EXIT_RESUME,   /* re-enter the guest */
	EXIT_YIELD,    /* leave the run loop: blocked, stopped or preempted */
};

/* Handles the exit that just happened on vCPU 'v' (its VMCS current). */
enum exit_action vmexit_handle(struct vcpu *v, uint32_t reason);

/* Decoded exit qualifications (pure, unit-tested). */
struct io_qual {
	unsigned int size;  /* 1, 2 or 4 */
	bool in;
	bool string;
	bool rep;
	bool imm;
	uint16_t port;
};
struct io_qual exitqual_io(uint64_t q);

/* VM-exit instruction information of INS/OUTS (SDM Vol. 3C, Table 27-8). */
struct io_string_info {
	uint64_t addr_mask;  /* 0xffff, 0xffffffff or all ones: the address size */
	unsigned int seg;    /* segment register (0 ES ... 5 GS); INS always ES */
	bool valid;          /* the address size is one of the three */
};
struct io_string_info exitqual_io_string(uint32_t info);

struct cr_qual {
	unsigned int cr;
	unsigned int type;  /* 0 MOV to CR, 1 MOV from CR, 2 CLTS, 3 LMSW */
	unsigned int gpr;
	uint16_t lmsw_src;
};
struct cr_qual exitqual_cr(uint64_t q);

struct dr_qual {
	unsigned int dr;
	bool from_dr;       /* MOV from DR (read) */
	unsigned int gpr;
};
struct dr_qual exitqual_dr(uint64_t q);

struct ept_qual {
	bool read, write, fetch;
	bool readable, writable, executable; /* what the EPT entry allowed */
	bool gla_valid;
};
struct ept_qual exitqual_ept(uint64_t q);

/* Handlers that live with the state they emulate (arch/x86/vcpu.c). */
enum exit_action vmexit_cr_access(struct vcpu *v, struct cr_qual q);
void vcpu_entry_failure(struct vcpu *v, uint32_t reason);

#endif
