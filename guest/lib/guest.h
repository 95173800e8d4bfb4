/* guest.h: everything a guest kernel gets from guest/lib, and the entry
 * point it must provide. */
#ifndef GUEST_GUEST_H
#define GUEST_GUEST_H

#include <stddef.h>
#include <stdint.h>
#include "cmdline.h"
#include "cpu.h"
#include "exit.h"
#include "gdt.h"
#include "hv.h"
#include "idt.h"
#include "mb1.h"
#include "serial.h"
#include "string.h"
#include "user.h"

/* Called by entry.asm with the loader's EAX and EBX, after the GDT and IDT
 * are loaded. Its return value is passed to guest_exit(). */
int gmain(uint32_t magic, struct mb1_info *mbi);

#endif
