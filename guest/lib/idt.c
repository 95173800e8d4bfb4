/* idt.c: the guests' IDT: 32-bit interrupt gates for exceptions 0-31 and a
 * DPL 3 gate at 0x80 (the way back from CPL 3, see user.c), all dispatched
 * to per-vector C handlers.
 *
 * Interrupt gates (not trap gates) so that IF stays clear in handlers; the
 * guests never enable interrupts anyway. On delivery the CPU clears TF, RF,
 * NT and VM in EFLAGS (SDM Vol. 3, 6.12.1.3), so a #DB handler runs without
 * single-stepping itself; the saved EFLAGS in the frame keep the old values. */
#include <stddef.h>
#include <stdint.h>
#include "idt.h"
#include "exit.h"
#include "gdt.h"
#include "serial.h"
#include "user.h"

#define IDT_VECTORS 256
#define GATE_INT32  0x8E   /* present, DPL 0, 32-bit interrupt gate */
#define GATE_USER   0xEE   /* present, DPL 3: `int` allowed from CPL 3 */

struct idt_gate {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t zero;
	uint8_t type_attr;
	uint16_t offset_hi;
} __attribute__((packed));

extern const uint32_t isr_stub_table[33];

static struct idt_gate idt[IDT_VECTORS];
static trap_handler_t handlers[IDT_VECTORS];

static const char *const names[32] = {
	"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM",
	"#DF", "CSO", "#TS", "#NP", "#SS", "#GP", "#PF", "v15",
	"#MF", "#AC", "#MC", "#XM", "#VE", "#CP", "v22", "v23",
	"v24", "v25", "v26", "v27", "#HV", "#VC", "#SX", "v31",
};

const char *trap_name(unsigned vector)
{
	if (vector < 32)
		return names[vector];
	return vector == VEC_USER_RETURN ? "int 0x80" : "irq";
}

static void set_gate(unsigned vector, uint32_t stub, uint8_t type_attr)
{
	idt[vector].offset_lo = (uint16_t)stub;
	idt[vector].selector = KERNEL_CS;
	idt[vector].zero = 0;
	idt[vector].type_attr = type_attr;
	idt[vector].offset_hi = (uint16_t)(stub >> 16);
}

void idt_init(void)
{
	struct {
		uint16_t limit;
		uint32_t base;
	} __attribute__((packed)) idtr;
	unsigned v;

	for (v = 0; v < 32; v++)
		set_gate(v, isr_stub_table[v], GATE_INT32);
	set_gate(VEC_USER_RETURN, isr_stub_table[32], GATE_USER);
	handlers[VEC_USER_RETURN] = user_return_handler;

	idtr.limit = sizeof(idt) - 1;
	idtr.base = (uint32_t)(uintptr_t)idt;
	__asm__ volatile("lidt %0" : : "m"(idtr) : "memory");
}

trap_handler_t idt_set_handler(unsigned vector, trap_handler_t h)
{
	trap_handler_t old;

	if (vector >= IDT_VECTORS)
		return NULL;
	old = handlers[vector];
	handlers[vector] = h;
	return old;
}

static void unexpected(const struct trap_frame *f)
{
	gprintf("guest: unexpected %s (vector %u) error=0x%x at %04x:%08x "
		"eflags=0x%08x\n", trap_name(f->vector), f->vector, f->error,
		f->cs & 0xFFFF, f->eip, f->eflags);
	gprintf("guest:   eax=%08x ebx=%08x ecx=%08x edx=%08x\n",
		f->eax, f->ebx, f->ecx, f->edx);
	gprintf("guest:   esi=%08x edi=%08x ebp=%08x\n", f->esi, f->edi, f->ebp);
	guest_exit(GUEST_EXIT_UNEXPECTED_TRAP);
}

void idt_dispatch(struct trap_frame *f)
{
	trap_handler_t h = f->vector < IDT_VECTORS ? handlers[f->vector] : NULL;

	if (h)
		h(f);
	else
		unexpected(f);
}
