/* Host tests for hv/watchspec.c: the watch= option syntax. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "hv/watchspec.h"

static bool fake_sym(const char *name, size_t len, uint64_t *addr)
{
	if (len == 11 && !memcmp(name, "vms_running", 11)) {
		*addr = 0x3af260;
		return true;
	}
	if (len == 4 && !memcmp(name, "func", 4)) {
		*addr = 0x201001;
		return true;
	}
	return false;
}

static void ok(const char *s, enum watch_kind kind, uint64_t addr, unsigned len)
{
	struct watch_spec w;
	char err[160] = "";
	assert_int_equal(watchspec_parse(s, fake_sym, &w, err, sizeof(err)), 0);
	assert_int_equal(w.kind, kind);
	assert_int_equal(w.addr, addr);
	assert_int_equal(w.len, len);
}

static void bad(const char *s, const char *needle)
{
	struct watch_spec w;
	char err[160] = "";
	assert_int_equal(watchspec_parse(s, fake_sym, &w, err, sizeof(err)), -1);
	assert_non_null(strstr(err, needle));
}

static void test_valid(void **state)
{
	ok("vms_running", WATCH_WRITE, 0x3af260, 4);
	ok("w:vms_running", WATCH_WRITE, 0x3af260, 4);
	ok("rw:vms_running+4/4", WATCH_RW, 0x3af264, 4);
	ok("rw:0x1000/8", WATCH_RW, 0x1000, 8);
	ok("w:4096/2", WATCH_WRITE, 4096, 2);
	ok("x:func", WATCH_EXEC, 0x201001, 1);
	ok("x:func/1", WATCH_EXEC, 0x201001, 1);
	ok("w:vms_running+0x1/1", WATCH_WRITE, 0x3af261, 1);
}

static void test_errors(void **state)
{
	bad("q:vms_running", "unknown type 'q'");
	bad("w:", "no symbol or address");
	bad("w:nosuch", "unknown symbol 'nosuch'");
	bad("w:0x10zz", "bad address");
	bad("w:vms_running+/4", "bad offset");
	bad("w:vms_running/3", "length must be 1, 2, 4 or 8");
	bad("w:0x1003/4", "not aligned");
	bad("x:func/4", "execute watchpoints have length 1");
	struct watch_spec w;
	char err[160];
	assert_int_equal(watchspec_parse("w:vms_running", NULL, &w, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no symbol table"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
