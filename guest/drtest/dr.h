/* dr.h: debug-register names and accessors for drtest (SDM Vol. 3, 18.2
 * "Debug Registers"). DR4/DR5 are reached only from targets.asm, where the
 * exact instruction and its address matter. */
#ifndef DRTEST_DR_H
#define DRTEST_DR_H

#include <stdint.h>

/* DR6 (SDM 18.2.3). Clean value: what reset leaves and what a #DB handler
 * writes back. Never write 0: BLD (bit 11) and RTM (bit 16) are active-low,
 * so 0 would report a bus lock and an RTM event that never happened. */
#define DR6_CLEAN     0xFFFF0FF0u
#define DR6_B(n)      (1u << (n))
#define DR6_B_MASK    0x0000000Fu
#define DR6_BD        (1u << 13)   /* a MOV DR hit DR7.GD */
#define DR6_BS        (1u << 14)   /* single step (EFLAGS.TF) */
#define DR6_BT        (1u << 15)   /* task switch with T set */
#define DR6_ONES_4_10 0x000007F0u  /* bits 4-10 always read 1 */
#define DR6_BIT12     (1u << 12)   /* always reads 0 */

/* DR7 (SDM 18.2.4). Bit 10 always reads 1. */
#define DR7_FIXED     0x00000400u
#define DR7_L(n)      (1u << (2 * (n)))
#define DR7_G(n)      (1u << (2 * (n) + 1))
#define DR7_ENABLES   0x000000FFu
#define DR7_LE        (1u << 8)
#define DR7_GE        (1u << 9)
#define DR7_GD        (1u << 13)
#define DR7_RW_EXEC   0u   /* instruction execution */
#define DR7_RW_WRITE  1u   /* data writes */
#define DR7_RW_IO     2u   /* I/O reads/writes, only with CR4.DE = 1 */
#define DR7_RW_RW     3u   /* data reads or writes, not fetches */
#define DR7_LEN1      0u
#define DR7_LEN2      1u
#define DR7_LEN8      2u   /* IA-32e mode (and a few older CPUs) only */
#define DR7_LEN4      3u
/* R/Wn and LENn of breakpoint n: bits 16 + 4n (R/W) and 18 + 4n (LEN). */
#define DR7_RWLEN(n, rw, len) ((((rw) | ((len) << 2)) & 0xFu) << (16 + 4 * (n)))
/* The R/W and LEN fields of all four breakpoints. */
#define DR7_RWLEN_MASK 0xFFFF0000u

#define DR_READ(n) ({ \
	uint32_t v_; \
	__asm__ volatile("mov %%dr" #n ", %0" : "=r"(v_)); \
	v_; })
#define DR_WRITE(n, v) \
	__asm__ volatile("mov %0, %%dr" #n : : "r"((uint32_t)(v)) : "memory")

/* DR0-DR3, DR6, DR7 by number (4 and 5 are not accepted here). */
static inline uint32_t dr_read(unsigned n)
{
	switch (n) {
	case 0: return DR_READ(0);
	case 1: return DR_READ(1);
	case 2: return DR_READ(2);
	case 3: return DR_READ(3);
	case 6: return DR_READ(6);
	default: return DR_READ(7);
	}
}

static inline void dr_write(unsigned n, uint32_t v)
{
	switch (n) {
	case 0: DR_WRITE(0, v); break;
	case 1: DR_WRITE(1, v); break;
	case 2: DR_WRITE(2, v); break;
	case 3: DR_WRITE(3, v); break;
	case 6: DR_WRITE(6, v); break;
	default: DR_WRITE(7, v); break;
	}
}

/* Back to the reset state. DR7 first: it is what arms DR0-DR3. */
static inline void dr_reset_all(void)
{
	DR_WRITE(7, DR7_FIXED);
	DR_WRITE(0, 0);
	DR_WRITE(1, 0);
	DR_WRITE(2, 0);
	DR_WRITE(3, 0);
	DR_WRITE(6, DR6_CLEAN);
}

#endif
