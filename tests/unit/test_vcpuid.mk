UNIT_SRCS_vcpuid := arch/x86/vcpuid.c
