# The multiboot 1 loader formats its messages with fmt.c.
UNIT_SRCS_loader_mb1 := hv/loader_mb1.c hv/fmt.c
