/* A small x86 instruction decoder for MMIO emulation: the memory-operand
 * MOV forms that compilers and kernels use to reach device registers.
 * Pure code (no VMCS, no guest memory), unit-tested on the host.
 *
 * Accepted (SDM Vol. 2, one-byte and two-byte opcode maps):
 *   88 /r  MOV r/m8, r8          8A /r  MOV r8, r/m8
 *   89 /r  MOV r/m, r            8B /r  MOV r, r/m
 *   C6 /0  MOV r/m8, imm8        C7 /0  MOV r/m, imm16/32 (sign-extended
 *                                        to 64 bits with REX.W)
 *   A0-A3  MOV AL/eAX <-> moffs  (an absolute address, often chosen by the
 *                                 assembler for "mov eax, [const]")
 *   0F B6 /r MOVZX r, r/m8       0F B7 /r MOVZX r, r/m16
 * with the prefixes 66 (operand size), 67 (address size), the segment
 * overrides and, in 64-bit mode, REX. ModRM with SIB and displacements is
 * decoded in 16-, 32- and 64-bit addressing; the effective address itself
 * is not computed: the VM exit already gives the guest-physical address.
 * Anything else (other opcodes, LOCK/REP, a register operand instead of
 * memory) is refused with a reason.
 */
#ifndef ARCH_X86_INSN_H
#define ARCH_X86_INSN_H

#include "hv/types.h"

#define INSN_MAX_LEN 15

/* Code size of the guest: CS.L/CS.D (or real mode). */
enum insn_mode {
	INSN_MODE_16 = 2,
	INSN_MODE_32 = 4,
	INSN_MODE_64 = 8,
};

enum insn_error {
	INSN_OK = 0,
	INSN_ERR_TRUNCATED = -1,   /* ran out of bytes (or over 15) */
	INSN_ERR_UNSUPPORTED = -2, /* an opcode this decoder does not handle */
	INSN_ERR_PREFIX = -3,      /* LOCK, REP/REPNE, or REX outside 64-bit mode */
	INSN_ERR_NOT_MEMORY = -4,  /* ModRM names a register, not memory */
};

struct insn {
	uint8_t len;        /* bytes, prefixes included */
	uint8_t opcode;     /* last opcode byte (0F xx: xx) */
	bool two_byte;      /* 0F escape */
	uint8_t mem_size;   /* bytes of the memory access: 1, 2, 4 or 8 */
	bool write;         /* the instruction stores to memory */
	bool has_imm;       /* a store of 'imm' (C6/C7) rather than a register */
	uint64_t imm;       /* sign-extended to mem_size * 8 bits */
	uint8_t reg;        /* register operand (0-15, SDM numbering) */
	bool reg_high8;     /* AH, CH, DH, BH (a byte operand without REX) */
	uint8_t reg_size;   /* bytes written to 'reg' by a load (MOVZX: the
	                     * destination size, larger than mem_size) */
	bool zero_extend;   /* MOVZX */
	uint8_t addr_size;  /* 2, 4 or 8 */
};

/* Decodes the instruction in buf[0..avail). Returns INSN_OK or an
 * enum insn_error; 'out' is valid only on INSN_OK. */
int insn_decode(const uint8_t *buf, size_t avail, enum insn_mode mode, struct insn *out);
const char *insn_error_name(int err);

/* The register after a load of 'mem' (the value read, mem_size bytes)
 * into it: byte and word loads keep the other bits, 32-bit loads
 * zero-extend (as in 64-bit mode; harmless elsewhere), MOVZX zero-extends
 * to reg_size. 'old' is the register's value before. */
uint64_t insn_load_result(const struct insn *in, uint64_t old, uint64_t mem);
/* The value a store writes (mem_size bytes), given the source register's
 * value (ignored for immediates). */
uint64_t insn_store_value(const struct insn *in, uint64_t reg);

#endif
