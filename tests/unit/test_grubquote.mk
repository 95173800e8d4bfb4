UNIT_SRCS_grubquote := hv/cmdline.c hv/fmt.c
