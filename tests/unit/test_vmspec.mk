# The VM spec parser uses parse_u64() from cmdline.c, formats with fmt.c and
# parses break= values with watchspec.c.
UNIT_SRCS_vmspec := hv/vmspec.c hv/watchspec.c hv/cmdline.c hv/fmt.c
