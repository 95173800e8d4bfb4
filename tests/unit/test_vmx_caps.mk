UNIT_SRCS_vmx_caps := arch/x86/vmx_caps.c hv/fmt.c
