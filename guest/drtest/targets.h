/* targets.h: the routines and labels of targets.asm. */
#ifndef DRTEST_TARGETS_H
#define DRTEST_TARGETS_H

#include <stdint.h>

#define USER_OK 0x600Du
#define DR45_FAULTED 0xBADDBADDu

#define ADDR(label) ((uint32_t)(uintptr_t)(label))

void t_exec_target(void);
void t_write32(volatile void *p, uint32_t v);
void t_write16(volatile void *p, uint32_t v);
void t_write8(volatile void *p, uint32_t v);
uint32_t t_read32(volatile const void *p);
void t_out80(uint32_t v);
void t_single_step(void);
void t_single_step_cpuid(void);
void t_cpuid_bp(void);
uint32_t t_gd_read(void);
void t_gd_write(uint32_t v);
uint32_t t_read_dr4(void);
uint32_t t_read_dr5(void);
void t_write_dr4(uint32_t v);
void t_write_dr5(uint32_t v);
void t_user_nop(void);
void t_user_read_dr7(void);
void t_user_write_dr7(void);
void t_user_read_dr6(void);

extern char t_write32_insn[], t_write32_after[];
extern char t_write16_insn[], t_write16_after[];
extern char t_write8_insn[], t_write8_after[];
extern char t_read32_insn[], t_read32_after[];
extern char t_out80_insn[], t_out80_after[];
extern char t_ss_insn[], t_ss_after[];
extern char t_ss_cpuid_insn[], t_ss_cpuid_after[];
extern char t_cpuid_bp_insn[], t_cpuid_bp_next[];
extern char t_gd_read_insn[], t_gd_write_insn[];
extern char t_read_dr4_insn[], t_read_dr4_resume[];
extern char t_read_dr5_insn[], t_read_dr5_resume[];
extern char t_write_dr4_insn[], t_write_dr4_resume[];
extern char t_write_dr5_insn[], t_write_dr5_resume[];
extern char t_user_read_dr7_insn[], t_user_write_dr7_insn[];
extern char t_user_read_dr6_insn[];

#endif
