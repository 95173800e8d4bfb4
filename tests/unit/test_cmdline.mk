# The command-line parser formats its messages with fmt.c.
UNIT_SRCS_cmdline := hv/cmdline.c hv/fmt.c
