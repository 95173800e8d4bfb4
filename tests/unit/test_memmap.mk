UNIT_SRCS_memmap := hv/memmap.c
