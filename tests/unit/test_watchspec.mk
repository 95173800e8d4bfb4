UNIT_SRCS_watchspec := hv/watchspec.c hv/cmdline.c hv/fmt.c
