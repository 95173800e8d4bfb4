UNIT_SRCS_acpi := arch/x86/acpi.c hv/fmt.c
