/* A per-CPU ring of recent scheduler and exit events, for post-mortem
 * debugging: tools/trace-dump decodes it from a memory dump (Bochs's
 * "writemem" of the symbol trace_rings), so a hung run still tells what
 * each CPU did last. Recording costs a few instructions. */
#ifndef TERN_TRACE_H
#define TERN_TRACE_H

#include "hv/types.h"

#define TRACE_ENTRIES 256

enum trace_event {
	TR_NONE,
	TR_PICK,      /* a = vm id << 8 | vcpu id, b = slice */
	TR_SWITCH_IN,
	TR_SWITCH_OUT,
	TR_EXIT,      /* a = vm/vcpu, b = exit reason */
	TR_IDLE,
	TR_WAKE,
	TR_MIGRATE,   /* a = vm/vcpu, b = from << 8 | to */
	TR_STOP,
	TR_KICK,      /* b = target cpu */
};

struct trace_entry {
	uint64_t tsc;
	uint32_t event;
	uint32_t a;
	uint64_t b;
};

struct trace_ring {
	uint64_t next;
	struct trace_entry e[TRACE_ENTRIES];
};

extern struct trace_ring trace_rings[];

void trace_record(uint32_t event, uint32_t a, uint64_t b);

#endif
