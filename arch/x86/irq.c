/* Host interrupt dispatch for vectors 32-255. */
#include "arch/x86/irq.h"
#include "arch/x86/lapic.h"
#include "arch/x86/trap.h"
#include "hv/log.h"
#include "hv/panic.h"
#include "hv/power.h"

static irq_handler_t irq_handlers[256];

static void trap_irq(struct trap_frame *f)
{
	irq_host_dispatch((unsigned int)f->vector);
}

static void trap_nmi(struct trap_frame *f)
{
	irq_host_nmi();
	log_warn("unexpected NMI at RIP %#llx", (unsigned long long)f->rip);
}

void irq_init(void)
{
	for (unsigned v = 32; v < 256; v++)
		trap_register(v, trap_irq);
	trap_register(VEC_NMI, trap_nmi);
}

void irq_register(unsigned int vector, irq_handler_t h)
{
	if (vector < 256)
		irq_handlers[vector] = h;
}

void irq_host_dispatch(unsigned int vector)
{
	if (vector == VEC_SPURIOUS)
		return; /* spurious interrupts get no EOI (SDM 11.9) */
	if (irq_handlers[vector & 0xff])
		irq_handlers[vector & 0xff](vector);
	else
		log_warn("unexpected interrupt vector %#x", vector);
	lapic_eoi();
}

void irq_host_nmi(void)
{
	if (panic_in_progress() || cpus_stopping())
		panic_stop_this_cpu();
}
