# The multiboot2 parser formats its messages with fmt.c.
UNIT_SRCS_mb2 := hv/mb2.c hv/fmt.c
