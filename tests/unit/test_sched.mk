UNIT_SRCS_sched := hv/sched.c
