# The VM spec parser uses parse_u64() from cmdline.c and formats with fmt.c.
UNIT_SRCS_vmspec := hv/vmspec.c hv/cmdline.c hv/fmt.c
