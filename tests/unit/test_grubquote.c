/* Host tests for cmdline_grub_unquote(): undoing GRUB 2's quoting of
 * multiboot2 kernel and module arguments (quotes and backslashes escaped,
 * arguments with spaces wrapped in double quotes). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "hv/cmdline.h"

static void check(const char *in, const char *want)
{
	char out[256];
	size_t n = cmdline_grub_unquote(in, out, sizeof(out));
	assert_string_equal(out, want);
	assert_int_equal(n, strlen(want));
}

static void test_unquote(void **state)
{
	check("", "");
	check("a b c", "a b c");
	/* What GRUB 2.06 passes for  'vm:name=dr,cmdline="loops=200"'  */
	check("vm:name=dr,cmdline=\\\"loops=200\\\"", "vm:name=dr,cmdline=\"loops=200\"");
	/* ... and for  'vm:name=h0,cmdline="name=h0 exit=0"'  (has a space) */
	check("\"vm:name=h0,cmdline=\\\"name=h0 exit=0\\\"\"",
	      "vm:name=h0,cmdline=\"name=h0 exit=0\"");
	check("x \"a b\" y", "x a b y");
	check("back\\\\slash", "back\\slash");
	check("mid\"dle", "mid\"dle"); /* a quote inside a word is not GRUB's */
	check("\"unterminated", "unterminated");
}

static void test_truncation(void **state)
{
	char out[4];
	cmdline_grub_unquote("abcdef", out, sizeof(out));
	assert_string_equal(out, "abc");
	assert_int_equal(cmdline_grub_unquote("abc", out, 0), 0);
	assert_int_equal(cmdline_grub_unquote(NULL, out, sizeof(out)), 0);
	assert_string_equal(out, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unquote),
		cmocka_unit_test(test_truncation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
