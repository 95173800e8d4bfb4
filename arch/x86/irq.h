/* Host interrupts: handlers for Tern's own vectors (IPIs, timer), called
 * from the IDT or, for interrupts that arrive while a guest runs, from the
 * external-interrupt VM exit ("acknowledge interrupt on exit"). */
#ifndef ARCH_X86_IRQ_H
#define ARCH_X86_IRQ_H

#include "hv/types.h"

typedef void (*irq_handler_t)(unsigned int vector);

void irq_init(void);
void irq_register(unsigned int vector, irq_handler_t h);
/* Runs the handler of 'vector' and signals EOI. */
void irq_host_dispatch(unsigned int vector);
/* An NMI reached the host (during panic: stop this CPU). */
void irq_host_nmi(void);

#endif
