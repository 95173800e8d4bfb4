/* 16550 UART driver for Tern's own console. */
#ifndef ARCH_X86_SERIAL_H
#define ARCH_X86_SERIAL_H

#include "hv/types.h"

#define COM1_PORT 0x3f8
#define UART_CLOCK 115200

/* Programs the UART for 8N1 at the given rate; false if no UART answers. */
bool serial_init(uint16_t port, uint32_t baud);
void serial_putc(char c);
/* Waits until everything written has left the UART. */
void serial_flush(void);
/* True if an emulator debug port (Bochs/QEMU 0xE9) reads back 0xE9. */
bool e9_present(void);
void e9_putc(char c);

#endif
