/* Exception fixups: an instruction that may fault in a known, harmless way
 * (probing an MSR, say) registers its address and a resume address; the
 * trap handler then resumes there instead of panicking. */
#ifndef ARCH_X86_EXTABLE_H
#define ARCH_X86_EXTABLE_H

#include "hv/types.h"

struct extable_entry {
	uint64_t fault_rip;
	uint64_t fixup_rip;
};

/* Emits an entry for label 'from' resuming at label 'to' (asm strings). */
#define EXTABLE_ENTRY(from, to)                   \
	".pushsection __extable, \"a\"\n\t"       \
	".balign 8\n\t"                           \
	".quad " from ", " to "\n\t"              \
	".popsection\n\t"

/* Returns the fixup address for a faulting RIP, or 0. */
uint64_t extable_lookup(uint64_t rip);

#endif
