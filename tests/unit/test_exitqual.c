/* Host tests for arch/x86/exitqual.c: exit qualifications built by hand
 * from SDM Vol. 3, 28.2.1 (Table 28-3 control-register accesses, 28-4 MOV
 * DR, 28-5 I/O instructions, 28-7 EPT violations), for the instructions a
 * guest really executes, then exhaustively over every field. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "arch/x86/vmexit.h"

/* ---- I/O instructions (Table 28-5) ---- */

/* Bits 2:0 size (0: 1 byte, 1: 2 bytes, 3: 4 bytes), 3 direction (1 = IN),
 * 4 string, 5 REP, 6 operand encoding (1 = immediate), 31:16 port. */
static uint64_t io_q(unsigned size, bool in, bool string, bool rep, bool imm, uint16_t port)
{
	uint64_t enc = size == 1 ? 0 : size == 2 ? 1 : 3;
	return enc | (uint64_t)in << 3 | (uint64_t)string << 4 | (uint64_t)rep << 5 |
	       (uint64_t)imm << 6 | (uint64_t)port << 16;
}

static void check_io(uint64_t q, unsigned size, bool in, bool string, bool rep, bool imm,
		     uint16_t port)
{
	struct io_qual d = exitqual_io(q);
	if (d.size != size || d.in != in || d.string != string || d.rep != rep || d.imm != imm ||
	    d.port != port)
		fail_msg("io %#llx: size %u in %d str %d rep %d imm %d port %#x", (unsigned long long)q,
			 d.size, d.in, d.string, d.rep, d.imm, d.port);
}

static void test_io_examples(void **state)
{
	/* in al, dx (dx = 0x3f8) */
	assert_int_equal(io_q(1, true, false, false, false, 0x3f8), 0x3f80008);
	check_io(0x3f80008, 1, true, false, false, false, 0x3f8);
	/* out 0x80, al */
	check_io(0x800040, 1, false, false, false, true, 0x80);
	/* in eax, 0x71 */
	check_io(0x71004b, 4, true, false, false, true, 0x71);
	/* out dx, ax (dx = 0xcfc) */
	check_io(0xcfc0001, 2, false, false, false, false, 0xcfc);
	/* rep outsw (dx = 0x1f0) */
	check_io(0x1f00031, 2, false, true, true, false, 0x1f0);
	/* rep insd (dx = 0x1f0) */
	check_io(0x1f0003b, 4, true, true, true, false, 0x1f0);
	/* outsb without REP (dx = 0xe9) */
	check_io(0xe90010, 1, false, true, false, false, 0xe9);
	/* in eax, dx (dx = 0xffff): the top port */
	check_io(0xffff000b, 4, true, false, false, false, 0xffff);
	/* port 0 */
	check_io(0x8, 1, true, false, false, false, 0);
}

/* INS/OUTS instruction information: address size in bits 9:7, segment
 * in bits 17:15 (Table 27-8); other bits are undefined and ignored. */
static void test_io_string_info(void **state)
{
	struct io_string_info i = exitqual_io_string(0);
	assert_true(i.valid);
	assert_int_equal(i.addr_mask, 0xffff);
	assert_int_equal(i.seg, 0);
	i = exitqual_io_string(1u << 7 | 3u << 15);   /* 32-bit, DS */
	assert_true(i.valid);
	assert_int_equal(i.addr_mask, 0xffffffffULL);
	assert_int_equal(i.seg, 3);
	i = exitqual_io_string(2u << 7 | 5u << 15 | 0xfc007c7fu); /* 64-bit, GS, junk */
	assert_true(i.valid);
	assert_true(i.addr_mask == ~0ULL);
	assert_int_equal(i.seg, 5);
	for (uint32_t asz = 3; asz < 8; asz++)
		assert_false(exitqual_io_string(asz << 7).valid);
}

static void test_io_exhaustive(void **state)
{
	static const unsigned sizes[] = { 1, 2, 4 };
	for (unsigned s = 0; s < 3; s++)
		for (unsigned f = 0; f < 16; f++)
			for (uint32_t port = 0; port <= 0xffff; port++) {
				bool in = f & 1, str = f & 2, rep = f & 4, imm = f & 8;
				uint64_t q = io_q(sizes[s], in, str, rep, imm, (uint16_t)port);
				struct io_qual d = exitqual_io(q);
				if (d.size != sizes[s] || d.in != in || d.string != str ||
				    d.rep != rep || d.imm != imm || d.port != port)
					fail_msg("io %#llx", (unsigned long long)q);
			}
	/* Reserved bits (15:7, 63:32) do not change the decoding. */
	check_io(io_q(2, true, false, true, false, 0x1234) | 0xff80 | 0xffffffff00000000ULL, 2,
		 true, false, true, false, 0x1234);
}

/* ---- Control-register accesses (Table 28-3) ---- */

/* Bits 3:0 CR, 5:4 type (0 MOV to CR, 1 MOV from CR, 2 CLTS, 3 LMSW),
 * 6 LMSW operand type, 11:8 GPR, 31:16 LMSW source data. */
static uint64_t cr_q(unsigned cr, unsigned type, bool lmsw_mem, unsigned gpr, uint16_t src)
{
	return cr | (uint64_t)type << 4 | (uint64_t)lmsw_mem << 6 | (uint64_t)gpr << 8 |
	       (uint64_t)src << 16;
}

static void check_cr(uint64_t q, unsigned cr, unsigned type, unsigned gpr, uint16_t src)
{
	struct cr_qual d = exitqual_cr(q);
	if (d.cr != cr || d.type != type || d.gpr != gpr || d.lmsw_src != src)
		fail_msg("cr %#llx: cr %u type %u gpr %u src %#x", (unsigned long long)q, d.cr,
			 d.type, d.gpr, d.lmsw_src);
}

static void test_cr_examples(void **state)
{
	check_cr(0x0, 0, 0, 0, 0);          /* mov cr0, rax */
	check_cr(0x303, 3, 0, 3, 0);        /* mov cr3, rbx */
	check_cr(0x404, 4, 0, 4, 0);        /* mov cr4, rsp */
	check_cr(0x113, 3, 1, 1, 0);        /* mov rcx, cr3 */
	check_cr(0xc18, 8, 1, 12, 0);       /* mov r12, cr8 */
	check_cr(0xf08, 8, 0, 15, 0);       /* mov cr8, r15 */
	check_cr(0x20, 0, 2, 0, 0);         /* clts */
	check_cr(0x12340030, 0, 3, 0, 0x1234); /* lmsw ax = 0x1234 */
	check_cr(0xfff10070, 0, 3, 0, 0xfff1); /* lmsw [mem] = 0xfff1 */
	assert_int_equal(cr_q(3, 1, false, 1, 0), 0x113);
	assert_int_equal(cr_q(0, 3, true, 0, 0xfff1), 0xfff10070);
}

static void test_cr_exhaustive(void **state)
{
	for (unsigned cr = 0; cr < 16; cr++)
		for (unsigned type = 0; type < 4; type++)
			for (unsigned gpr = 0; gpr < 16; gpr++)
				for (unsigned m = 0; m < 2; m++) {
					uint16_t src = (uint16_t)(cr * 0x1111 + gpr * 0x0f0f + type);
					uint64_t q = cr_q(cr, type, m, gpr, src);
					check_cr(q, cr, type, gpr, src);
					/* Reserved bits 7, 15:12, 63:32. */
					check_cr(q | BIT(7) | 0xf000 | 0xffffffff00000000ULL, cr, type,
						 gpr, src);
				}
}

/* ---- MOV DR (Table 28-4) ---- */

/* Bits 2:0 DR, 4 direction (0 MOV to DR, 1 MOV from DR), 11:8 GPR. */
static uint64_t dr_q(unsigned dr, bool from, unsigned gpr)
{
	return dr | (uint64_t)from << 4 | (uint64_t)gpr << 8;
}

static void check_dr(uint64_t q, unsigned dr, bool from, unsigned gpr)
{
	struct dr_qual d = exitqual_dr(q);
	if (d.dr != dr || d.from_dr != from || d.gpr != gpr)
		fail_msg("dr %#llx: dr %u from %d gpr %u", (unsigned long long)q, d.dr, d.from_dr,
			 d.gpr);
}

static void test_dr_examples(void **state)
{
	check_dr(0x7, 7, false, 0);    /* mov dr7, rax */
	check_dr(0x116, 6, true, 1);   /* mov rcx, dr6 */
	check_dr(0xf00, 0, false, 15); /* mov dr0, r15 */
	check_dr(0x314, 4, true, 3);   /* mov rbx, dr4 */
	check_dr(0x505, 5, false, 5);  /* mov dr5, rbp */
	assert_int_equal(dr_q(6, true, 1), 0x116);
}

static void test_dr_exhaustive(void **state)
{
	for (unsigned dr = 0; dr < 8; dr++)
		for (unsigned gpr = 0; gpr < 16; gpr++)
			for (unsigned from = 0; from < 2; from++) {
				uint64_t q = dr_q(dr, from, gpr);
				check_dr(q, dr, from, gpr);
				/* Reserved bits 3, 7:5, 63:12. */
				check_dr(q | BIT(3) | 0xe0 | ~0xfffULL, dr, from, gpr);
			}
}

/* ---- EPT violations (Table 28-7) ---- */

static void check_ept(uint64_t q, bool r, bool w, bool f, bool rd, bool wr, bool ex, bool gla)
{
	struct ept_qual d = exitqual_ept(q);
	if (d.read != r || d.write != w || d.fetch != f || d.readable != rd ||
	    d.writable != wr || d.executable != ex || d.gla_valid != gla)
		fail_msg("ept %#llx: r%d w%d f%d / r%d w%d x%d / gla %d", (unsigned long long)q,
			 d.read, d.write, d.fetch, d.readable, d.writable, d.executable,
			 d.gla_valid);
}

static void test_ept_examples(void **state)
{
	/* Read of a non-present page through a linear address. */
	check_ept(0x181, true, false, false, false, false, false, true);
	/* Write to a read/execute page. */
	check_ept(0x1aa, false, true, false, true, false, true, true);
	/* Instruction fetch from a non-executable page. */
	check_ept(0x19c, false, false, true, true, true, false, true);
	/* Write during a guest page walk (A/D update): bit 8 clear. */
	check_ept(0x8a, false, true, false, true, false, false, true);
	/* Access with no linear address (e.g. a physical access). */
	check_ept(0x1, true, false, false, false, false, false, false);
	/* NMI unblocking (bit 12), user-mode executable (bit 6), GLA bits
	 * 9-11 do not disturb the decoding. */
	check_ept(0x1aa | BIT(12) | BIT(6) | 0xe00, false, true, false, true, false, true, true);
}

static void test_ept_exhaustive(void **state)
{
	for (unsigned bits = 0; bits < 256; bits++) {
		uint64_t q = bits;
		check_ept(q, bits & 1, bits & 2, bits & 4, bits & 8, bits & 16, bits & 32, bits & 128);
		check_ept(q | ~0xffULL, bits & 1, bits & 2, bits & 4, bits & 8, bits & 16, bits & 32,
			  bits & 128);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_io_examples),    cmocka_unit_test(test_io_exhaustive),
		cmocka_unit_test(test_io_string_info),
		cmocka_unit_test(test_cr_examples),    cmocka_unit_test(test_cr_exhaustive),
		cmocka_unit_test(test_dr_examples),    cmocka_unit_test(test_dr_exhaustive),
		cmocka_unit_test(test_ept_examples),   cmocka_unit_test(test_ept_exhaustive),
	};
	return cmocka_run_group_tests_name("exitqual", tests, NULL, NULL);
}
