/* Reading guest memory by guest-linear address: a software walk of the
 * guest's own page tables (SDM Vol. 3, chapter 5: 32-bit paging, PAE
 * paging, 4-level paging; paging off). Used to fetch the instruction that
 * caused an MMIO exit and for the memory operand of INS/OUTS. The walk is pure (guest-physical reads go through a
 * callback) and unit-tested on the host. */
#ifndef ARCH_X86_GUEST_MEM_H
#define ARCH_X86_GUEST_MEM_H

#include "hv/types.h"

enum gm_mode {
	GM_PAGING_OFF,
	GM_PAGING_32,     /* CR0.PG, !CR4.PAE */
	GM_PAGING_PAE,    /* CR0.PG, CR4.PAE, !EFER.LMA */
	GM_PAGING_4LEVEL, /* CR0.PG, CR4.PAE, EFER.LMA */
};

struct gm_paging {
	enum gm_mode mode;
	uint64_t cr3;
	bool pse;         /* CR4.PSE: 4 MiB pages in 32-bit paging */
};

enum gm_error {
	GM_OK = 0,
	GM_NOT_PRESENT = -1, /* a paging-structure entry is not present */
	GM_BAD_GPA = -2,     /* a table or the page is outside guest RAM */
	GM_RESERVED = -3,    /* a PS bit where it is not allowed */
};

/* Reads a 4- or 8-byte paging-structure entry at guest-physical 'gpa'. */
typedef bool (*gm_read_fn)(void *ctx, gpa_t gpa, unsigned int size, uint64_t *val);

/* Translates guest-linear 'la' to guest-physical *gpa. */
int gm_translate(const struct gm_paging *p, uint64_t la, gm_read_fn rd, void *ctx, gpa_t *gpa);

#ifndef TERN_HOST_TEST
struct vcpu;
/* The paging mode of the vCPU whose VMCS is current. */
struct gm_paging gm_current_paging(struct vcpu *v);
/* Copies 'len' bytes at guest-linear 'la' of the current vCPU into buf.
 * Returns the number of bytes copied (less than len if a page is not
 * mapped or not RAM), or a negative enum gm_error if none. */
int guest_read_linear(struct vcpu *v, uint64_t la, void *buf, size_t len);
/* The same in the other direction. Page protections (R/W, U/S) are not
 * checked: the callers emulate ring-0 accesses of guests that own their
 * memory. */
int guest_write_linear(struct vcpu *v, uint64_t la, const void *buf, size_t len);
#endif

#endif
