/* exit.h: ending a guest run with a status code. */
#ifndef GUEST_EXIT_H
#define GUEST_EXIT_H

#include <stdint.h>

/* Exit code used when an exception nobody expected reaches idt.c. */
#define GUEST_EXIT_UNEXPECTED_TRAP 0x70

/* Print "guest: exit <code>", then stop the machine: port 0xF4 (Tern's and
 * QEMU's isa-debug-exit: status (code << 1) | 1), then Bochs's shutdown
 * port, then halt forever. */
void guest_exit(uint32_t code) __attribute__((noreturn));

#endif
