UNIT_SRCS_ept := arch/x86/ept.c
