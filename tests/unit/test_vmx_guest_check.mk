UNIT_SRCS_vmx_guest_check := arch/x86/vmx_guest_check.c
