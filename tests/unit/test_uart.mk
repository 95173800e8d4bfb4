# test_uart.c includes hv/dev_uart.c itself, to reach its static handlers.
UNIT_SRCS_uart :=
UNIT_DEPS_uart := hv/dev_uart.c
