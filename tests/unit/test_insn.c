/* Host tests for arch/x86/insn.c, the MMIO instruction decoder. The byte
 * sequences come from NASM listings (the instruction is in each comment),
 * so lengths and fields are checked against an independent assembler. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "arch/x86/insn.h"

struct ex {
	const char *text;
	enum insn_mode mode;
	uint8_t bytes[16];
	uint8_t n;
	/* expected */
	uint8_t mem_size;
	bool write;
	bool has_imm;
	uint64_t imm;
	uint8_t reg;
	bool high8;
	uint8_t reg_size;
	bool zx;
};

#define B(...) { __VA_ARGS__ }, sizeof((uint8_t[]){ __VA_ARGS__ })

static const struct ex examples[] = {
	/* 64-bit */
	{ "mov [rax], ecx", INSN_MODE_64, B(0x89, 0x08), 4, true, false, 0, 1, false, 4, false },
	{ "mov ecx, [rax]", INSN_MODE_64, B(0x8b, 0x08), 4, false, false, 0, 1, false, 4, false },
	{ "mov [rbx+rcx*4+0x10], r9d", INSN_MODE_64, B(0x44, 0x89, 0x4c, 0x8b, 0x10), 4, true,
	  false, 0, 9, false, 4, false },
	{ "mov r10, [rsp]", INSN_MODE_64, B(0x4c, 0x8b, 0x14, 0x24), 8, false, false, 0, 10, false,
	  8, false },
	{ "mov [rbp], ax", INSN_MODE_64, B(0x66, 0x89, 0x45, 0x00), 2, true, false, 0, 0, false, 2,
	  false },
	{ "mov byte [rdi], ah", INSN_MODE_64, B(0x88, 0x27), 1, true, false, 0, 0, true, 1, false },
	{ "mov byte [rdi], sil", INSN_MODE_64, B(0x40, 0x88, 0x37), 1, true, false, 0, 6, false, 1,
	  false },
	{ "mov al, [r12+0x12345678]", INSN_MODE_64,
	  B(0x41, 0x8a, 0x84, 0x24, 0x78, 0x56, 0x34, 0x12), 1, false, false, 0, 0, false, 1, false },
	{ "mov dword [rel $+0x100], 0x12345678", INSN_MODE_64,
	  B(0xc7, 0x05, 0xf6, 0x00, 0x00, 0x00, 0x78, 0x56, 0x34, 0x12), 4, true, true, 0x12345678,
	  0, false, 0, false },
	{ "mov qword [rax], -5", INSN_MODE_64, B(0x48, 0xc7, 0x00, 0xfb, 0xff, 0xff, 0xff), 8, true,
	  true, 0xfffffffffffffffbULL, 0, false, 0, false },
	{ "mov word [rax+8], 0x1234", INSN_MODE_64, B(0x66, 0xc7, 0x40, 0x08, 0x34, 0x12), 2, true,
	  true, 0x1234, 0, false, 0, false },
	{ "mov byte [0x7ee000b0], 7", INSN_MODE_64, B(0xc6, 0x04, 0x25, 0xb0, 0x00, 0xe0, 0x7e, 0x07),
	  1, true, true, 7, 0, false, 0, false },
	{ "movzx eax, byte [rsi]", INSN_MODE_64, B(0x0f, 0xb6, 0x06), 1, false, false, 0, 0, false,
	  4, true },
	{ "movzx r8, word [rax+rbx]", INSN_MODE_64, B(0x4c, 0x0f, 0xb7, 0x04, 0x18), 2, false,
	  false, 0, 8, false, 8, true },
	{ "movzx ax, byte [rdx]", INSN_MODE_64, B(0x66, 0x0f, 0xb6, 0x02), 1, false, false, 0, 0,
	  false, 2, true },
	{ "mov eax, [abs qword 0xfee00020]", INSN_MODE_64,
	  B(0xa1, 0x20, 0x00, 0xe0, 0xfe, 0x00, 0x00, 0x00, 0x00), 4, false, false, 0, 0, false, 4,
	  false },
	{ "mov [abs qword 0xfee000b0], eax", INSN_MODE_64,
	  B(0xa3, 0xb0, 0x00, 0xe0, 0xfe, 0x00, 0x00, 0x00, 0x00), 4, true, false, 0, 0, false, 4,
	  false },
	{ "mov eax, [dword 0x7ee00020]", INSN_MODE_64, B(0x8b, 0x04, 0x25, 0x20, 0x00, 0xe0, 0x7e),
	  4, false, false, 0, 0, false, 4, false },
	{ "fs mov eax, [rax]", INSN_MODE_64, B(0x64, 0x8b, 0x00), 4, false, false, 0, 0, false, 4,
	  false },
	{ "mov [r13], edx", INSN_MODE_64, B(0x41, 0x89, 0x55, 0x00), 4, true, false, 0, 2, false, 4,
	  false },
	{ "mov [r13+r14*8], rdx", INSN_MODE_64, B(0x4b, 0x89, 0x54, 0xf5, 0x00), 8, true, false, 0,
	  2, false, 8, false },
	{ "o16 mov [rax], dx", INSN_MODE_64, B(0x66, 0x89, 0x10), 2, true, false, 0, 2, false, 2,
	  false },
	/* 32-bit */
	{ "mov [0xfee00300], eax", INSN_MODE_32, B(0xa3, 0x00, 0x03, 0xe0, 0xfe), 4, true, false, 0,
	  0, false, 4, false },
	{ "mov eax, [0xfee00020]", INSN_MODE_32, B(0xa1, 0x20, 0x00, 0xe0, 0xfe), 4, false, false, 0,
	  0, false, 4, false },
	{ "mov dword [0xfee000b0], 0", INSN_MODE_32,
	  B(0xc7, 0x05, 0xb0, 0x00, 0xe0, 0xfe, 0x00, 0x00, 0x00, 0x00), 4, true, true, 0, 0, false,
	  0, false },
	{ "mov [eax+0x300], ecx", INSN_MODE_32, B(0x89, 0x88, 0x00, 0x03, 0x00, 0x00), 4, true,
	  false, 0, 1, false, 4, false },
	{ "mov ecx, [esp+8]", INSN_MODE_32, B(0x8b, 0x4c, 0x24, 0x08), 4, false, false, 0, 1, false,
	  4, false },
	{ "mov [ebp+ecx*2], bx", INSN_MODE_32, B(0x66, 0x89, 0x5c, 0x4d, 0x00), 2, true, false, 0, 3,
	  false, 2, false },
	{ "mov byte [ebx], 0x55", INSN_MODE_32, B(0xc6, 0x03, 0x55), 1, true, true, 0x55, 0, false,
	  0, false },
	{ "mov [esi], dh", INSN_MODE_32, B(0x88, 0x36), 1, true, false, 0, 2, true, 1, false },
	{ "movzx edx, word [0xfee00030]", INSN_MODE_32, B(0x0f, 0xb7, 0x15, 0x30, 0x00, 0xe0, 0xfe),
	  2, false, false, 0, 2, false, 4, true },
	{ "a16 mov [bx+si], eax", INSN_MODE_32, B(0x67, 0x89, 0x00), 4, true, false, 0, 0, false, 4,
	  false },
	{ "a16 mov eax, [0x1234]", INSN_MODE_32, B(0x67, 0xa1, 0x34, 0x12), 4, false, false, 0, 0,
	  false, 4, false },
	{ "a16 mov [bp+di+0x12], eax", INSN_MODE_32, B(0x67, 0x89, 0x43, 0x12), 4, true, false, 0, 0,
	  false, 4, false },
	{ "a16 mov [bp+0x1234], eax", INSN_MODE_32, B(0x67, 0x89, 0x86, 0x34, 0x12), 4, true, false,
	  0, 0, false, 4, false },
	{ "mov eax, [ebp]", INSN_MODE_32, B(0x8b, 0x45, 0x00), 4, false, false, 0, 0, false, 4,
	  false },
	{ "mov eax, [0xfee00020 + eax*4]", INSN_MODE_32, B(0x8b, 0x04, 0x85, 0x20, 0x00, 0xe0, 0xfe),
	  4, false, false, 0, 0, false, 4, false },
	{ "es mov eax, [0x1000]", INSN_MODE_32, B(0x26, 0xa1, 0x00, 0x10, 0x00, 0x00), 4, false,
	  false, 0, 0, false, 4, false },
	/* 16-bit */
	{ "mov [0x300], eax", INSN_MODE_16, B(0x66, 0xa3, 0x00, 0x03), 4, true, false, 0, 0, false,
	  4, false },
	{ "mov ax, [bx]", INSN_MODE_16, B(0x8b, 0x07), 2, false, false, 0, 0, false, 2, false },
	{ "mov word [di+4], 0x1234", INSN_MODE_16, B(0xc7, 0x45, 0x04, 0x34, 0x12), 2, true, true,
	  0x1234, 0, false, 0, false },
	{ "mov dword [si], 0x12345678", INSN_MODE_16, B(0x66, 0xc7, 0x04, 0x78, 0x56, 0x34, 0x12), 4,
	  true, true, 0x12345678, 0, false, 0, false },
	{ "mov eax, [es:0x20]", INSN_MODE_16, B(0x26, 0x66, 0xa1, 0x20, 0x00), 4, false, false, 0, 0,
	  false, 4, false },
	{ "a32 mov eax, [eax+ecx*4]", INSN_MODE_16, B(0x66, 0x67, 0x8b, 0x04, 0x88), 4, false, false,
	  0, 0, false, 4, false },
};

static void test_examples(void **state)
{
	for (size_t i = 0; i < sizeof(examples) / sizeof(examples[0]); i++) {
		const struct ex *e = &examples[i];
		struct insn in;
		int rc = insn_decode(e->bytes, e->n, e->mode, &in);
		if (rc != INSN_OK)
			fail_msg("%s: %s", e->text, insn_error_name(rc));
		if (in.len != e->n || in.mem_size != e->mem_size || in.write != e->write ||
		    in.has_imm != e->has_imm || (e->has_imm && in.imm != e->imm) ||
		    (!e->has_imm && (in.reg != e->reg || in.reg_high8 != e->high8)) ||
		    (!e->write && (in.reg_size != e->reg_size || in.zero_extend != e->zx)))
			fail_msg("%s: len %u size %u write %d imm %d/%#llx reg %u high8 %d "
				 "reg_size %u zx %d", e->text, in.len, in.mem_size, in.write,
				 in.has_imm, (unsigned long long)in.imm, in.reg, in.reg_high8,
				 in.reg_size, in.zero_extend);
		/* Every shorter buffer is truncated, never misread. */
		for (uint8_t n = 0; n < e->n; n++) {
			rc = insn_decode(e->bytes, n, e->mode, &in);
			if (rc != INSN_ERR_TRUNCATED)
				fail_msg("%s cut to %u bytes: %d", e->text, n, rc);
		}
	}
}

static void expect_err(const uint8_t *b, size_t n, enum insn_mode m, int err, const char *what)
{
	struct insn in;
	int rc = insn_decode(b, n, m, &in);
	if (rc != err)
		fail_msg("%s: got %d (%s), want %d", what, rc, insn_error_name(rc), err);
}

static void test_rejects(void **state)
{
	/* add [rax], ecx */
	expect_err((const uint8_t[]){ 0x01, 0x08 }, 2, INSN_MODE_64, INSN_ERR_UNSUPPORTED, "add");
	/* or dword [0xfee000f0], 0x100 */
	expect_err((const uint8_t[]){ 0x81, 0x0d, 0xf0, 0x00, 0xe0, 0xfe, 0x00, 0x01, 0x00, 0x00 },
		   10, INSN_MODE_32, INSN_ERR_UNSUPPORTED, "or imm");
	/* lock xchg-like: lock mov is #UD anyway */
	expect_err((const uint8_t[]){ 0xf0, 0x89, 0x08 }, 3, INSN_MODE_32, INSN_ERR_PREFIX, "lock");
	/* rep movsd */
	expect_err((const uint8_t[]){ 0xf3, 0xa5 }, 2, INSN_MODE_32, INSN_ERR_PREFIX, "rep movs");
	/* mov eax, ecx (register form) */
	expect_err((const uint8_t[]){ 0x89, 0xc8 }, 2, INSN_MODE_32, INSN_ERR_NOT_MEMORY, "mov reg");
	/* C7 /1 is not MOV */
	expect_err((const uint8_t[]){ 0xc7, 0x08, 0, 0, 0, 0 }, 6, INSN_MODE_32,
		   INSN_ERR_UNSUPPORTED, "c7 /1");
	/* movsx (0F BE) */
	expect_err((const uint8_t[]){ 0x0f, 0xbe, 0x00 }, 3, INSN_MODE_32, INSN_ERR_UNSUPPORTED,
		   "movsx");
	/* 0x48 is DEC EAX outside 64-bit mode */
	expect_err((const uint8_t[]){ 0x48, 0x89, 0x08 }, 3, INSN_MODE_32, INSN_ERR_UNSUPPORTED,
		   "rex in 32-bit");
	/* 16 prefixes: over the 15-byte limit */
	uint8_t many[20];
	memset(many, 0x66, 16);
	many[16] = 0x89;
	many[17] = 0x08;
	expect_err(many, 18, INSN_MODE_32, INSN_ERR_TRUNCATED, "too long");
	/* 14 prefixes + 89 08 = 16 bytes: too long; 13 + 2 = 15 fits */
	memset(many, 0x3e, 13);
	many[13] = 0x89;
	many[14] = 0x08;
	struct insn in;
	assert_int_equal(insn_decode(many, 15, INSN_MODE_32, &in), INSN_OK);
	assert_int_equal(in.len, 15);
}

static void test_rex_then_prefix(void **state)
{
	/* REX followed by a legacy prefix is ignored (SDM 2.2.1): 48 66 89 08
	 * is a 16-bit store of cx. */
	struct insn in;
	assert_int_equal(insn_decode((const uint8_t[]){ 0x48, 0x66, 0x89, 0x08 }, 4, INSN_MODE_64,
				     &in), INSN_OK);
	assert_int_equal(in.len, 4);
	assert_int_equal(in.mem_size, 2);
	assert_int_equal(in.reg, 1);
	/* REX.R extends the register field; REX.B/X do not matter to us. */
	assert_int_equal(insn_decode((const uint8_t[]){ 0x47, 0x89, 0x08 }, 3, INSN_MODE_64, &in),
			 INSN_OK);
	assert_int_equal(in.reg, 9);
	assert_int_equal(in.mem_size, 4);
}

static void test_results(void **state)
{
	struct insn in;
	/* mov al, [..]: only AL changes */
	insn_decode((const uint8_t[]){ 0x8a, 0x00 }, 2, INSN_MODE_64, &in);
	assert_int_equal(insn_load_result(&in, 0x1122334455667788ULL, 0xab),
			 0x11223344556677abULL);
	/* mov ah, [..] (8a 20 without REX) */
	insn_decode((const uint8_t[]){ 0x8a, 0x20 }, 2, INSN_MODE_64, &in);
	assert_true(in.reg_high8);
	assert_int_equal(in.reg, 0);
	assert_int_equal(insn_load_result(&in, 0x1122334455667788ULL, 0xab),
			 0x112233445566ab88ULL);
	/* mov ax, [..] */
	insn_decode((const uint8_t[]){ 0x66, 0x8b, 0x00 }, 3, INSN_MODE_64, &in);
	assert_int_equal(insn_load_result(&in, 0x1122334455667788ULL, 0xabcd),
			 0x112233445566abcdULL);
	/* mov eax, [..] zero-extends */
	insn_decode((const uint8_t[]){ 0x8b, 0x00 }, 2, INSN_MODE_64, &in);
	assert_int_equal(insn_load_result(&in, 0x1122334455667788ULL, 0xdeadbeef), 0xdeadbeefULL);
	/* movzx eax, byte */
	insn_decode((const uint8_t[]){ 0x0f, 0xb6, 0x00 }, 3, INSN_MODE_64, &in);
	assert_int_equal(insn_load_result(&in, ~0ULL, 0x1ff), 0xffULL);
	/* movzx ax, byte keeps bits 16+ */
	insn_decode((const uint8_t[]){ 0x66, 0x0f, 0xb6, 0x00 }, 4, INSN_MODE_64, &in);
	assert_int_equal(insn_load_result(&in, 0x1122334455667788ULL, 0x80), 0x1122334455660080ULL);
	/* store of dh */
	insn_decode((const uint8_t[]){ 0x88, 0x30 }, 2, INSN_MODE_32, &in);
	assert_int_equal(insn_store_value(&in, 0x1234abcd), 0xab);
	/* store of cx */
	insn_decode((const uint8_t[]){ 0x66, 0x89, 0x08 }, 3, INSN_MODE_32, &in);
	assert_int_equal(insn_store_value(&in, 0x12345678), 0x5678);
	/* store of an immediate ignores the register */
	insn_decode((const uint8_t[]){ 0xc6, 0x00, 0x99 }, 3, INSN_MODE_32, &in);
	assert_int_equal(insn_store_value(&in, 0x12345678), 0x99);
	/* mov word [..], 0x8000: not sign-extended past the operand */
	insn_decode((const uint8_t[]){ 0x66, 0xc7, 0x00, 0x00, 0x80 }, 5, INSN_MODE_32, &in);
	assert_int_equal(insn_store_value(&in, 0), 0x8000);
}

/* Every byte sequence either decodes to a length within the buffer or is
 * refused: the decoder never reads past 'avail' (ASan watches). */
static void test_fuzz(void **state)
{
	uint32_t x = 12345;
	for (int i = 0; i < 200000; i++) {
		uint8_t b[15];
		size_t n = 1 + (x % 15);
		for (size_t j = 0; j < n; j++) {
			x = x * 1103515245u + 12345u;
			b[j] = (uint8_t)(x >> 16);
		}
		/* bias toward the opcodes we accept */
		static const uint8_t ops[] = { 0x88, 0x89, 0x8a, 0x8b, 0xc6, 0xc7, 0xa1, 0x0f, 0x66 };
		b[0] = ops[(x >> 8) % sizeof(ops)];
		uint8_t *copy = malloc(n);
		memcpy(copy, b, n);
		struct insn in;
		for (int m = 0; m < 3; m++) {
			enum insn_mode mode = m == 0 ? INSN_MODE_16 : m == 1 ? INSN_MODE_32 : INSN_MODE_64;
			int rc = insn_decode(copy, n, mode, &in);
			if (rc == INSN_OK && (in.len == 0 || in.len > n))
				fail_msg("length %u of %zu", in.len, n);
		}
		free(copy);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_examples),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_rex_then_prefix),
		cmocka_unit_test(test_results),
		cmocka_unit_test(test_fuzz),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
