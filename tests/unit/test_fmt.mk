UNIT_SRCS_fmt := hv/fmt.c
