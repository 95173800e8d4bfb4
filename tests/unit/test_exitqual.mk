UNIT_SRCS_exitqual := arch/x86/exitqual.c
