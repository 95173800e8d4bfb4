UNIT_SRCS_dr := arch/x86/dr.c
