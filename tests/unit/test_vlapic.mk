UNIT_SRCS_vlapic := arch/x86/vlapic.c
