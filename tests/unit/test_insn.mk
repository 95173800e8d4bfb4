UNIT_SRCS_insn := arch/x86/insn.c
