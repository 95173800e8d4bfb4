UNIT_SRCS_guest_mem := arch/x86/guest_mem.c
