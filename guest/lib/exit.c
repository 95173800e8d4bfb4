/* exit.c: guest_exit(), the one way a guest ends.
 *
 * Three mechanisms in turn, because the same ELF runs under Tern, under
 * bare QEMU and under bare Bochs:
 *  1. OUT to port 0xF4: Tern's debug exit, and QEMU's
 *     `-device isa-debug-exit,iobase=0xf4,iosize=0x04` (exit status
 *     (code << 1) | 1). Elsewhere 0xF4 is an unused port and the write is lost.
 *  2. The string "Shutdown" written to port 0x8900: Bochs's shutdown port
 *     (iodev/unmapped.cc); Bochs stops (with status 1).
 *  3. cli; hlt forever, for anything else. An NMI could wake HLT, hence the
 *     loop.
 * The "guest: exit" line comes first so a log always shows the intended
 * code, whichever mechanism worked. */
#include "exit.h"
#include "cpu.h"
#include "serial.h"

void guest_exit(uint32_t code)
{
	const char *s;

	gprintf("guest: exit %u\n", code);
	serial_flush();
	outb(0xF4, (uint8_t)code);
	for (s = "Shutdown"; *s; s++)
		outb(0x8900, (uint8_t)*s);
	for (;;) {
		cli();
		hlt();
	}
}
