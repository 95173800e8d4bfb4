/* Host tests for the command-line parser: every option, quoting, the exact
 * text of diagnostics, malformed values keeping defaults, and limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hv/cmdline.h"
#include "hv/log.h"

/* --- diagnostics capture ------------------------------------------------ */

#define MAX_MSGS 64

struct diags {
	int n;
	int level[MAX_MSGS];
	char msg[MAX_MSGS][300];
};

static struct diags d;
static struct tern_options o, def;

static void collect(void *ctx, int level, const char *msg)
{
	struct diags *dg = ctx;
	assert_true(dg->n < MAX_MSGS);
	dg->level[dg->n] = level;
	snprintf(dg->msg[dg->n], sizeof(dg->msg[0]), "%s", msg);
	dg->n++;
}

/* Parses 'line' from defaults; returns the error count. */
static int parse(const char *line)
{
	memset(&d, 0, sizeof(d));
	cmdline_defaults(&o);
	cmdline_defaults(&def);
	return cmdline_parse(line, &o, collect, &d);
}

static void expect_msg(int i, int level, const char *text)
{
	assert_true(i < d.n);
	assert_int_equal(d.level[i], level);
	assert_string_equal(d.msg[i], text);
}

/* The parse produced exactly one error and left the options untouched. */
static void expect_one_error(const char *line, const char *text)
{
	assert_int_equal(parse(line), 1);
	assert_int_equal(d.n, 1);
	expect_msg(0, LOG_ERR, text);
	assert_memory_equal(&o, &def, sizeof(o));
}

static void expect_ok(const char *line)
{
	int errors = parse(line);
	if (errors || d.n)
		fail_msg("'%s': %d errors, first: %s", line, errors,
			 d.n ? d.msg[0] : "");
}

/* --- tests -------------------------------------------------------------- */

static void test_defaults(void **state)
{
	cmdline_defaults(&o);
	assert_int_equal(o.console_port, 0x3f8);
	assert_int_equal(o.baud, 115200);
	assert_int_equal(o.loglevel, LOG_INFO);
	assert_int_equal(o.loglevel, 2);
	assert_int_equal(o.e9, -1);
	assert_int_equal(o.maxcpus, 0);
	assert_false(o.nosmp);
	assert_true(o.poweroff);
	assert_int_equal(o.nvms, 0);
	assert_int_equal(o.nwatch, 0);
	assert_false(o.trace_dr);
}

static void test_empty(void **state)
{
	expect_ok("");
	assert_memory_equal(&o, &def, sizeof(o));
	expect_ok("   \t\n  ");
	assert_memory_equal(&o, &def, sizeof(o));
	expect_ok(NULL);
	assert_memory_equal(&o, &def, sizeof(o));
}

static void test_console(void **state)
{
	static const struct { const char *arg; uint16_t port; } ok[] = {
		{ "console=com1", 0x3f8 }, { "console=com2", 0x2f8 },
		{ "console=com3", 0x3e8 }, { "console=com4", 0x2e8 },
		{ "console=0x2f8", 0x2f8 }, { "console=1016", 0x3f8 },
		{ "console=0XFFFF", 0xffff }, { "console=1", 1 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
		expect_ok(ok[i].arg);
		assert_int_equal(o.console_port, ok[i].port);
	}
	expect_one_error("console=0", "option 'console': value '0' out of range "
			 "(expected com1, com2, com3, com4 or an I/O port "
			 "1-0xffff); keeping default");
	expect_one_error("console=0x10000", "option 'console': value '0x10000' "
			 "out of range (expected com1, com2, com3, com4 or an "
			 "I/O port 1-0xffff); keeping default");
	expect_one_error("console=com5", "option 'console': invalid value "
			 "'com5' (expected com1, com2, com3, com4 or an I/O "
			 "port 1-0xffff); keeping default");
	expect_one_error("console=", "option 'console': invalid value '' "
			 "(expected com1, com2, com3, com4 or an I/O port "
			 "1-0xffff); keeping default");
	expect_one_error("console=COM1", "option 'console': invalid value "
			 "'COM1' (expected com1, com2, com3, com4 or an I/O "
			 "port 1-0xffff); keeping default");
}

static void test_baud(void **state)
{
	static const uint32_t ok[] = { 50, 300, 1200, 9600, 19200, 38400,
				       57600, 115200 };
	char buf[32];
	for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
		snprintf(buf, sizeof(buf), "baud=%u", ok[i]);
		expect_ok(buf);
		assert_int_equal(o.baud, ok[i]);
	}
	expect_one_error("baud=7", "option 'baud': value '7' out of range "
			 "(expected 50-115200, dividing 115200); keeping "
			 "default");
	expect_one_error("baud=230400", "option 'baud': value '230400' out of "
			 "range (expected 50-115200, dividing 115200); keeping "
			 "default");
	expect_one_error("baud=7000", "option 'baud': value '7000' does not "
			 "divide 115200 (expected 50-115200, dividing 115200); "
			 "keeping default");
	expect_one_error("baud=fast", "option 'baud': invalid value 'fast' "
			 "(expected 50-115200, dividing 115200); keeping "
			 "default");
	expect_one_error("baud=9600K", "option 'baud': invalid value '9600K' "
			 "(expected 50-115200, dividing 115200); keeping "
			 "default");
}

static void test_loglevel(void **state)
{
	static const struct { const char *arg; int level; } ok[] = {
		{ "loglevel=err", 0 }, { "loglevel=error", 0 },
		{ "loglevel=warn", 1 }, { "loglevel=warning", 1 },
		{ "loglevel=info", 2 }, { "loglevel=debug", 3 },
		{ "loglevel=0", 0 }, { "loglevel=1", 1 },
		{ "loglevel=2", 2 }, { "loglevel=3", 3 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
		expect_ok(ok[i].arg);
		assert_int_equal(o.loglevel, ok[i].level);
	}
	expect_one_error("loglevel=loud", "option 'loglevel': invalid value "
			 "'loud' (expected err, warn, info, debug or 0-3); "
			 "keeping default");
	expect_one_error("loglevel=4", "option 'loglevel': value '4' out of "
			 "range (expected err, warn, info, debug or 0-3); "
			 "keeping default");
	expect_one_error("loglevel", "option 'loglevel' needs a value "
			 "(expected err, warn, info, debug or 0-3); keeping "
			 "default");
}

static void test_e9(void **state)
{
	expect_ok("e9=on");
	assert_int_equal(o.e9, 1);
	expect_ok("e9=off");
	assert_int_equal(o.e9, 0);
	expect_ok("e9=on e9=auto");
	assert_int_equal(o.e9, -1);
	expect_one_error("e9=maybe", "option 'e9': invalid value 'maybe' "
			 "(expected auto, on or off); keeping default");
	expect_one_error("e9", "option 'e9' needs a value (expected auto, on or "
			 "off); keeping default");
}

static void test_maxcpus(void **state)
{
	expect_ok("maxcpus=1");
	assert_int_equal(o.maxcpus, 1);
	expect_ok("maxcpus=64");
	assert_int_equal(o.maxcpus, 64);
	expect_ok("maxcpus=0x10");
	assert_int_equal(o.maxcpus, 16);
	expect_one_error("maxcpus=0", "option 'maxcpus': value '0' out of range "
			 "(expected 1-64); keeping default");
	expect_one_error("maxcpus=65", "option 'maxcpus': value '65' out of "
			 "range (expected 1-64); keeping default");
	expect_one_error("maxcpus=99999999999999999999999", "option 'maxcpus': "
			 "invalid value '99999999999999999999999' (expected "
			 "1-64); keeping default");
	expect_one_error("maxcpus=-1", "option 'maxcpus': invalid value '-1' "
			 "(expected 1-64); keeping default");
}

static void test_bool_flags(void **state)
{
	static const struct { const char *v; bool b; } vals[] = {
		{ "on", true }, { "off", false }, { "yes", true },
		{ "no", false }, { "1", true }, { "0", false },
		{ "true", true }, { "false", false },
	};
	char buf[64];

	expect_ok("nosmp");
	assert_true(o.nosmp);
	expect_ok("poweroff");
	assert_true(o.poweroff);
	for (size_t i = 0; i < ARRAY_SIZE(vals); i++) {
		snprintf(buf, sizeof(buf), "nosmp=%s", vals[i].v);
		expect_ok(buf);
		assert_int_equal(o.nosmp, vals[i].b);
		snprintf(buf, sizeof(buf), "poweroff=%s", vals[i].v);
		expect_ok(buf);
		assert_int_equal(o.poweroff, vals[i].b);
	}
	expect_one_error("nosmp=maybe", "option 'nosmp': invalid value 'maybe' "
			 "(expected on, off, yes, no, true, false, 1 or 0); "
			 "keeping default");
	expect_one_error("poweroff=", "option 'poweroff': invalid value '' "
			 "(expected on, off, yes, no, true, false, 1 or 0); "
			 "keeping default");
	expect_one_error("poweroff=2", "option 'poweroff': invalid value '2' "
			 "(expected on, off, yes, no, true, false, 1 or 0); "
			 "keeping default");
}

static void test_trace(void **state)
{
	expect_ok("trace=dr");
	assert_true(o.trace_dr);
	expect_one_error("trace=foo", "option 'trace': invalid value 'foo' "
			 "(expected dr); keeping default");
	expect_one_error("trace", "option 'trace' needs a value (expected dr); "
			 "keeping default");
}

static void test_selftest(void **state)
{
	static const struct { const char *v; int want; } ok[] = {
		{ "panic", SELFTEST_PANIC }, { "fault", SELFTEST_FAULT },
		{ "ap-fail", SELFTEST_AP_FAIL }, { "entry-fail", SELFTEST_ENTRY_FAIL },
	};
	char line[64];
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		snprintf(line, sizeof(line), "selftest=%s", ok[i].v);
		expect_ok(line);
		assert_int_equal(o.selftest, ok[i].want);
	}
	expect_one_error("selftest=apfail", "option 'selftest': invalid value "
			 "'apfail' (expected panic, fault, ap-fail or entry-fail); "
			 "keeping default");
}

static void test_vm_repeat_and_quoting(void **state)
{
	expect_ok("vm=name=a,mem=64M vm=\"name=b cmdline=x\" "
		  "vm=name=c,cmdline=\"x y\",cpus=1 vm=\"\"a\"\"");
	assert_int_equal(o.nvms, 4);
	assert_string_equal(o.vms[0], "name=a,mem=64M");
	/* Whole value quoted: quotes stripped. */
	assert_string_equal(o.vms[1], "name=b cmdline=x");
	/* Inner quoting kept verbatim for the VM layer. */
	assert_string_equal(o.vms[2], "name=c,cmdline=\"x y\",cpus=1");
	/* Not one quoted string (several sections): verbatim. */
	assert_string_equal(o.vms[3], "\"\"a\"\"");

	expect_ok("vm=\"name=a\"\"b\"");
	assert_string_equal(o.vms[0], "\"name=a\"\"b\"");
}

static void test_vm_limits(void **state)
{
	char line[CMDLINE_MAX_VMS * 16 + 64] = "";
	for (int i = 0; i <= CMDLINE_MAX_VMS; i++) {
		char one[24];
		snprintf(one, sizeof(one), " vm=v%d", i);
		strcat(line, one);
	}
	assert_int_equal(parse(line), 1);
	assert_int_equal(o.nvms, CMDLINE_MAX_VMS);
	assert_string_equal(o.vms[CMDLINE_MAX_VMS - 1], "v15");
	assert_int_equal(d.n, 1);
	expect_msg(0, LOG_ERR, "option 'vm': more than 16 given; 'v16' "
		   "ignored");

	/* 255 characters fit, 256 do not. */
	static char spec[CMDLINE_VM_SPEC_LEN + 8], buf[CMDLINE_VM_SPEC_LEN + 16];
	memset(spec, 'x', CMDLINE_VM_SPEC_LEN - 1);
	spec[CMDLINE_VM_SPEC_LEN - 1] = '\0';
	snprintf(buf, sizeof(buf), "vm=%s", spec);
	expect_ok(buf);
	assert_int_equal(o.nvms, 1);
	assert_string_equal(o.vms[0], spec);

	spec[CMDLINE_VM_SPEC_LEN - 1] = 'y';
	spec[CMDLINE_VM_SPEC_LEN] = '\0';
	snprintf(buf, sizeof(buf), "vm=%s", spec);
	assert_int_equal(parse(buf), 1);
	assert_int_equal(o.nvms, 0);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.level[0], LOG_ERR);
	assert_true(strncmp(d.msg[0], "option 'vm': value 'xxxx", 24) == 0);
	assert_non_null(strstr(d.msg[0], "x...' is 256 characters, longer than "
			       "255; ignored"));

	expect_one_error("vm=", "option 'vm': empty value ignored (expected a "
			 "VM spec)");
	expect_one_error("vm=\"\"", "option 'vm': empty value ignored (expected "
			 "a VM spec)");
	expect_one_error("vm", "option 'vm' needs a value (expected a VM spec); "
			 "keeping default");
}

static void test_watch(void **state)
{
	expect_ok("watch=0x1000,w,8 watch=\"sym x\"");
	assert_int_equal(o.nwatch, 2);
	assert_string_equal(o.watch[0], "0x1000,w,8");
	assert_string_equal(o.watch[1], "sym x");

	assert_int_equal(parse("watch=a watch=b watch=c watch=d watch=e"), 1);
	assert_int_equal(o.nwatch, CMDLINE_MAX_WATCH);
	assert_string_equal(o.watch[3], "d");
	expect_msg(0, LOG_ERR, "option 'watch': more than 4 given; 'e' ignored");

	char buf[128] = "watch=";
	memset(buf + 6, 'w', CMDLINE_WATCH_LEN);
	buf[6 + CMDLINE_WATCH_LEN] = '\0';
	assert_int_equal(parse(buf), 1);
	assert_int_equal(o.nwatch, 0);
	assert_non_null(strstr(d.msg[0], "option 'watch': value '"));
	assert_non_null(strstr(d.msg[0], "is 64 characters, longer than 63; "
			       "ignored"));
	buf[6 + CMDLINE_WATCH_LEN - 1] = '\0';
	expect_ok(buf);
	assert_int_equal(o.nwatch, 1);
}

static void test_unknown_option(void **state)
{
	assert_int_equal(parse("bogus"), 0);
	assert_int_equal(d.n, 1);
	expect_msg(0, LOG_WARN, "unknown option 'bogus' ignored");
	assert_memory_equal(&o, &def, sizeof(o));

	assert_int_equal(parse("loglevel=debug bogus=1 Console=com2 "
			       "\"quoted name\"=x"), 0);
	assert_int_equal(o.loglevel, LOG_DEBUG);
	assert_int_equal(o.console_port, 0x3f8);
	assert_int_equal(d.n, 3);
	expect_msg(0, LOG_WARN, "unknown option 'bogus' ignored");
	expect_msg(1, LOG_WARN, "unknown option 'Console' ignored");
	expect_msg(2, LOG_WARN, "unknown option '\"quoted name\"' ignored");
}

static void test_unterminated_quote(void **state)
{
	assert_int_equal(parse("loglevel=debug vm=\"name=a nosmp"), 1);
	assert_int_equal(o.loglevel, LOG_DEBUG);
	assert_int_equal(o.nvms, 0);
	assert_false(o.nosmp); /* swallowed by the broken token */
	assert_int_equal(d.n, 1);
	expect_msg(0, LOG_ERR, "unterminated quote in 'vm=\"name=a nosmp'; "
		   "rest of command line ignored");
}

static void test_errors_keep_values_and_count(void **state)
{
	/* Each malformed value is one error; valid ones still apply; a
	 * later bad value keeps the earlier good one. */
	int n = parse("loglevel=debug loglevel=loud baud=9600 baud=7 "
		      "console=com2 e9=x maxcpus=0 nosmp=perhaps trace=x "
		      "bogus poweroff=off");
	assert_int_equal(n, 6);
	assert_int_equal(d.n, 7);
	assert_int_equal(o.loglevel, LOG_DEBUG);
	assert_int_equal(o.baud, 9600);
	assert_int_equal(o.console_port, 0x2f8);
	assert_int_equal(o.e9, -1);
	assert_int_equal(o.maxcpus, 0);
	assert_false(o.nosmp);
	assert_false(o.trace_dr);
	assert_false(o.poweroff);
	int warns = 0;
	for (int i = 0; i < d.n; i++)
		warns += d.level[i] == LOG_WARN;
	assert_int_equal(warns, 1);

	/* No report callback: errors are still counted. */
	cmdline_defaults(&o);
	assert_int_equal(cmdline_parse("baud=1 maxcpus=999 x", &o, NULL, NULL),
			 2);
}

static void test_whitespace_and_all_options(void **state)
{
	expect_ok("\tconsole=com3\n baud=57600\r\nloglevel=warn  e9=on\v"
		  "maxcpus=4\fnosmp poweroff=no vm=a watch=b trace=dr  ");
	assert_int_equal(o.console_port, 0x3e8);
	assert_int_equal(o.baud, 57600);
	assert_int_equal(o.loglevel, LOG_WARN);
	assert_int_equal(o.e9, 1);
	assert_int_equal(o.maxcpus, 4);
	assert_true(o.nosmp);
	assert_false(o.poweroff);
	assert_int_equal(o.nvms, 1);
	assert_string_equal(o.vms[0], "a");
	assert_int_equal(o.nwatch, 1);
	assert_string_equal(o.watch[0], "b");
	assert_true(o.trace_dr);
}

static void test_quoted_scalar_values(void **state)
{
	expect_ok("loglevel=\"debug\" console=\"com2\"");
	assert_int_equal(o.loglevel, LOG_DEBUG);
	assert_int_equal(o.console_port, 0x2f8);
	expect_one_error("loglevel=\"de bug\"", "option 'loglevel': invalid "
			 "value 'de bug' (expected err, warn, info, debug or "
			 "0-3); keeping default");
}

static void test_long_value_echo_is_cut(void **state)
{
	char buf[400] = "loglevel=";
	memset(buf + 9, 'z', 300);
	buf[309] = '\0';
	assert_int_equal(parse(buf), 1);
	char want[200];
	snprintf(want, sizeof(want), "option 'loglevel': invalid value "
		 "'%.64s...' (expected err, warn, info, debug or 0-3); "
		 "keeping default", buf + 9);
	expect_msg(0, LOG_ERR, want);
}

static void test_parse_u64(void **state)
{
	static const struct {
		const char *s;
		bool suffix;
		bool ok;
		uint64_t v;
	} cases[] = {
		{ "0", false, true, 0 },
		{ "42", false, true, 42 },
		{ "010", false, true, 10 }, /* decimal, not octal */
		{ "0x1f", false, true, 0x1f },
		{ "0X1F", false, true, 0x1f },
		{ "0xdeadBEEF", false, true, 0xdeadbeef },
		{ "18446744073709551615", false, true, UINT64_MAX },
		{ "18446744073709551616", false, false, 0 },
		{ "99999999999999999999", false, false, 0 },
		{ "0xffffffffffffffff", false, true, UINT64_MAX },
		{ "0x10000000000000000", false, false, 0 },
		{ "4K", true, true, 4096 },
		{ "4k", true, true, 4096 },
		{ "64M", true, true, 64ull << 20 },
		{ "2G", true, true, 2ull << 30 },
		{ "0x10M", true, true, 16ull << 20 },
		{ "17179869183G", true, true, 17179869183ull << 30 },
		{ "17179869184G", true, false, 0 }, /* 2^34 GiB = 2^64 */
		{ "4K", false, false, 0 },
		{ "K", true, false, 0 },
		{ "0x", false, false, 0 },
		{ "0xK", true, false, 0 },
		{ "", false, false, 0 },
		{ "12a", false, false, 0 },
		{ "0xfg", false, false, 0 },
		{ "-1", false, false, 0 },
		{ "+1", false, false, 0 },
		{ " 1", false, false, 0 },
		{ "1 ", false, false, 0 },
		{ "4KK", true, false, 0 },
		{ "4T", true, false, 0 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		uint64_t v = 0xabcd;
		bool ok = parse_u64(cases[i].s, strlen(cases[i].s),
				    cases[i].suffix, &v);
		if (ok != cases[i].ok)
			fail_msg("parse_u64(\"%s\") returned %d", cases[i].s,
				 ok);
		if (ok)
			assert_int_equal(v, cases[i].v);
		else
			assert_int_equal(v, 0xabcd); /* untouched on failure */
	}

	/* Only 'len' characters are looked at. */
	uint64_t v;
	assert_true(parse_u64("123,456", 3, false, &v));
	assert_int_equal(v, 123);
	assert_true(parse_u64("8M,rest", 2, true, &v));
	assert_int_equal(v, 8 << 20);
	assert_false(parse_u64("12", 0, false, &v));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_selftest),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_console),
		cmocka_unit_test(test_baud),
		cmocka_unit_test(test_loglevel),
		cmocka_unit_test(test_e9),
		cmocka_unit_test(test_maxcpus),
		cmocka_unit_test(test_bool_flags),
		cmocka_unit_test(test_trace),
		cmocka_unit_test(test_vm_repeat_and_quoting),
		cmocka_unit_test(test_vm_limits),
		cmocka_unit_test(test_watch),
		cmocka_unit_test(test_unknown_option),
		cmocka_unit_test(test_unterminated_quote),
		cmocka_unit_test(test_errors_keep_values_and_count),
		cmocka_unit_test(test_whitespace_and_all_options),
		cmocka_unit_test(test_quoted_scalar_values),
		cmocka_unit_test(test_long_value_echo_is_cut),
		cmocka_unit_test(test_parse_u64),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
