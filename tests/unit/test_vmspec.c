/* Host tests for the VM spec parser: every key, defaults, quoting and
 * escapes, the exact text of every error, CPU sets, the module form,
 * module references, and formatting back to the same spec. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hv/cmdline.h"
#include "hv/vmspec.h"

static struct vm_spec s;
static char err[256];

/* Parses a vm= value that must be valid. */
static void ok(const char *spec)
{
	memset(err, 'x', sizeof(err));
	int rc = vmspec_parse(spec, &s, err, sizeof(err));
	if (rc)
		fail_msg("'%s': %s", spec, err);
	assert_string_equal(err, "");
}

static void bad(const char *spec, const char *msg)
{
	int rc = vmspec_parse(spec, &s, err, sizeof(err));
	if (rc == 0)
		fail_msg("'%s' parsed, expected: %s", spec, msg);
	assert_int_equal(rc, -1);
	assert_string_equal(err, msg);
}

/* --- keys and defaults ---------------------------------------------------- */

static void test_defaults(void **state)
{
	ok("name=a,kernel=0");
	assert_string_equal(s.name, "a");
	assert_true(s.kernel.is_index);
	assert_int_equal(s.kernel.index, 0);
	assert_false(s.from_module);
	assert_int_equal(s.mem, 16 << 20);
	assert_int_equal(s.ncpus, 1);
	assert_true(s.pin_mask == UINT64_MAX);
	assert_int_equal(s.weight, 1);
	assert_string_equal(s.cmdline, "");
	assert_int_equal(s.nmodules, 0);
	assert_int_equal(s.nbreaks, 0);

	struct vm_spec d;
	vmspec_defaults(&d);
	assert_int_equal(d.mem, VMSPEC_MEM_DEFAULT);
	assert_int_equal(d.ncpus, 1);
	assert_int_equal(d.weight, 1);
	assert_true(d.pin_mask == VMSPEC_PIN_ANY);
}

static void test_all_keys(void **state)
{
	ok("name=web,kernel=1,mem=32M,cpus=2,pin=0-1,weight=2,"
	   "cmdline=\"console=ttyS0 x=1\",module=2,module=3");
	assert_string_equal(s.name, "web");
	assert_true(s.kernel.is_index);
	assert_int_equal(s.kernel.index, 1);
	assert_int_equal(s.mem, 32 << 20);
	assert_int_equal(s.ncpus, 2);
	assert_int_equal(s.pin_mask, 0x3);
	assert_int_equal(s.weight, 2);
	assert_string_equal(s.cmdline, "console=ttyS0 x=1");
	assert_int_equal(s.nmodules, 2);
	assert_true(s.modules[0].is_index);
	assert_int_equal(s.modules[0].index, 2);
	assert_true(s.modules[1].is_index);
	assert_int_equal(s.modules[1].index, 3);

	/* Order does not matter; synonyms. */
	ok("vcpus=16,affinity=63,weight=64,mem=3G,kernel=hello.elf,"
	   "name=Z_9-x,module=initrd,module=0x10");
	assert_string_equal(s.name, "Z_9-x");
	assert_false(s.kernel.is_index);
	assert_string_equal(s.kernel.name, "hello.elf");
	assert_int_equal(s.ncpus, 16);
	assert_true(s.pin_mask == BIT(63));
	assert_int_equal(s.weight, 64);
	assert_true(s.mem == 3ULL << 30);
	assert_false(s.modules[0].is_index);
	assert_string_equal(s.modules[0].name, "initrd");
	assert_true(s.modules[1].is_index);
	assert_int_equal(s.modules[1].index, 16);

	ok("name=a,kernel=0,pin=any");
	assert_true(s.pin_mask == VMSPEC_PIN_ANY);

	/* Eight modules is the limit. */
	ok("name=a,kernel=0,module=1,module=2,module=3,module=4,module=5,"
	   "module=6,module=7,module=8");
	assert_int_equal(s.nmodules, 8);
	assert_int_equal(s.modules[7].index, 8);

	/* A name of 15 characters, a module name of 31. */
	ok("name=abcdefghijklmno,kernel=abcdefghijklmnopqrstuvwxyz01234");
	assert_string_equal(s.name, "abcdefghijklmno");
	assert_string_equal(s.kernel.name, "abcdefghijklmnopqrstuvwxyz01234");
	/* Names may start with a digit; a value that is all number is an
	 * index. */
	ok("name=1,kernel=2k");
	assert_string_equal(s.name, "1");
	assert_false(s.kernel.is_index);
	assert_string_equal(s.kernel.name, "2k");
	ok("name=a,kernel=1023");
	assert_int_equal(s.kernel.index, 1023);
}

static void test_separators(void **state)
{
	ok("name=a kernel=1\tmem=4M\ncpus=2");
	assert_string_equal(s.name, "a");
	assert_int_equal(s.kernel.index, 1);
	assert_int_equal(s.mem, 4 << 20);
	assert_int_equal(s.ncpus, 2);
	ok(",,name=a,, kernel=1 ,\t, ");
	assert_string_equal(s.name, "a");
	assert_int_equal(s.kernel.index, 1);
}

static void test_mem(void **state)
{
	static const struct { const char *v; uint64_t mem; } good[] = {
		{ "2M", 2 << 20 }, { "2m", 2 << 20 }, { "2048K", 2 << 20 },
		{ "2048k", 2 << 20 }, { "1G", 1 << 30 }, { "1g", 1 << 30 },
		{ "0x200000", 2 << 20 }, { "2097152", 2 << 20 },
		{ "2052K", (2 << 20) + 4096 }, { "3G", 3ULL << 30 },
		{ "0x1000K", 4 << 20 },
	};
	char buf[64];

	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		snprintf(buf, sizeof(buf), "name=a,kernel=0,mem=%s", good[i].v);
		ok(buf);
		assert_true(s.mem == good[i].mem);
	}
	bad("name=web,kernel=0,mem=3K",
	    "vm 'web': mem=3K is too small (minimum 2 MiB)");
	bad("name=web,kernel=0,mem=1M",
	    "vm 'web': mem=1M is too small (minimum 2 MiB)");
	bad("name=web,kernel=0,mem=32",
	    "vm 'web': mem=32 is too small (minimum 2 MiB); a size without a "
	    "K, M or G suffix is in bytes");
	bad("name=web,kernel=0,mem=4G",
	    "vm 'web': mem=4G is too large (maximum 3 GiB: guest RAM ends below "
	    "the MMIO hole at 3-4 GiB)");
	bad("name=web,kernel=0,mem=0x1000000001",
	    "vm 'web': mem=0x1000000001 is too large (maximum 3 GiB: guest RAM "
	    "ends below the MMIO hole at 3-4 GiB)");
	bad("name=web,kernel=0,mem=2049K",
	    "vm 'web': mem=2049K is not a multiple of 4 KiB");
	bad("name=web,kernel=0,mem=2097153",
	    "vm 'web': mem=2097153 is not a multiple of 4 KiB");
	bad("name=web,kernel=0,mem=abc",
	    "vm 'web': mem=abc is not a size (expected bytes with an optional "
	    "K, M or G suffix, e.g. 32M)");
	bad("name=web,kernel=0,mem=32MB",
	    "vm 'web': mem=32MB is not a size (expected bytes with an optional "
	    "K, M or G suffix, e.g. 32M)");
	bad("name=web,kernel=0,mem=M",
	    "vm 'web': mem=M is not a size (expected bytes with an optional "
	    "K, M or G suffix, e.g. 32M)");
	bad("name=web,kernel=0,mem=99999999999999999999G",
	    "vm 'web': mem=99999999999999999999G is not a size (expected "
	    "bytes with an optional K, M or G suffix, e.g. 32M)");
	bad("name=web,kernel=0,mem=-1M",
	    "vm 'web': mem=-1M is not a size (expected bytes with an optional "
	    "K, M or G suffix, e.g. 32M)");
}

static void test_cpus_weight(void **state)
{
	ok("name=a,kernel=0,cpus=1");
	assert_int_equal(s.ncpus, 1);
	ok("name=a,kernel=0,cpus=0x10");
	assert_int_equal(s.ncpus, 16);
	ok("name=a,kernel=0,weight=1");
	assert_int_equal(s.weight, 1);
	bad("name=a,kernel=0,cpus=0", "vm 'a': cpus=0 is out of range (1-16)");
	bad("name=a,kernel=0,cpus=17",
	    "vm 'a': cpus=17 is out of range (1-16)");
	bad("name=a,kernel=0,vcpus=99999999999999999999999",
	    "vm 'a': vcpus=99999999999999999999999 is not a number");
	bad("name=a,kernel=0,cpus=2x", "vm 'a': cpus=2x is not a number");
	bad("name=a,kernel=0,cpus=4M", "vm 'a': cpus=4M is not a number");
	bad("name=a,kernel=0,weight=0",
	    "vm 'a': weight=0 is out of range (1-64)");
	bad("name=a,kernel=0,weight=65",
	    "vm 'a': weight=65 is out of range (1-64)");
	bad("name=a,kernel=0,weight=heavy",
	    "vm 'a': weight=heavy is not a number");
}

static void test_pin(void **state)
{
	ok("name=a,kernel=0,pin=0,2-3,cpus=2");
	assert_int_equal(s.pin_mask, 0xd);
	assert_int_equal(s.ncpus, 2);
	ok("name=a,kernel=0,pin=0,2-3");
	assert_int_equal(s.pin_mask, 0xd);
	ok("name=a,kernel=0,pin=\"0,2-3\",cpus=2");
	assert_int_equal(s.pin_mask, 0xd);
	ok("name=a,kernel=0,affinity=5,7,9-10 weight=3");
	assert_int_equal(s.pin_mask, (1 << 5) | (1 << 7) | (3 << 9));
	assert_int_equal(s.weight, 3);
	ok("name=a,kernel=0,pin=0-63");
	assert_true(s.pin_mask == UINT64_MAX);
	ok("name=a,kernel=0,pin=3-3");
	assert_int_equal(s.pin_mask, 8);
	/* Continuation stops at anything but digits and dashes. */
	bad("name=a,kernel=0,pin=1,5x", "vm 'a': unknown key '5x'");
	bad("name=a,kernel=0,pin=1,2,cpu=3", "vm 'a': unknown key 'cpu'");
	bad("name=a,kernel=0,pin=3-1", "vm 'a': pin=3-1: reversed range 3-1");
	bad("name=a,kernel=0,pin=0-64",
	    "vm 'a': pin=0-64: CPU 64 out of range (0-63)");
	bad("name=a,kernel=0,affinity=64",
	    "vm 'a': affinity=64: CPU 64 out of range (0-63)");
	bad("name=a,kernel=0,pin=\"0,,1\"",
	    "vm 'a': pin=0,,1: empty element in CPU set '0,,1'");
	bad("name=a,kernel=0,pin=x", "vm 'a': pin=x: 'x' is not a CPU number");
	bad("name=a,kernel=0,pin=\"1 2\"",
	    "vm 'a': pin=1 2: '1 2' is not a CPU number");
	bad("name=a,kernel=0,pin=1-", "vm 'a': pin=1-: '' is not a CPU number");
	bad("name=a,kernel=0,pin=-", "vm 'a': pin=-: '' is not a CPU number");
	bad("name=a,kernel=0,pin=1-2-3",
	    "vm 'a': pin=1-2-3: '2-3' is not a CPU number");
	bad("name=a,kernel=0,pin=1,2,pin=3", "vm 'a': duplicate key 'pin'");
}

static void test_cpuset(void **state)
{
	static const struct { const char *s; uint64_t mask; } good[] = {
		{ "0", 1 }, { "63", 1ULL << 63 }, { "0,2-3", 0xd },
		{ "2-3,0", 0xd }, { "1,1,1-2", 6 }, { "0-63", UINT64_MAX },
		{ "0x10", 1 << 16 }, { "62-63", 3ULL << 62 }, { "7-7", 128 },
	};
	static const struct { const char *s; const char *msg; } fails[] = {
		{ "", "empty CPU set" },
		{ ",", "empty element in CPU set ','" },
		{ "1,", "empty element in CPU set '1,'" },
		{ ",1", "empty element in CPU set ',1'" },
		{ "3-1", "reversed range 3-1" },
		{ "64", "CPU 64 out of range (0-63)" },
		{ "0-100", "CPU 100 out of range (0-63)" },
		{ "18446744073709551616", "'18446744073709551616' is not a "
		  "CPU number" },
		{ "a-b", "'a' is not a CPU number" },
		{ "1-b", "'b' is not a CPU number" },
		{ "1K", "'1K' is not a CPU number" },
	};
	char msg[96];
	uint64_t m;

	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		m = 0x5a;
		assert_int_equal(parse_cpuset(good[i].s, &m, msg, sizeof(msg)),
				 0);
		assert_true(m == good[i].mask);
	}
	for (size_t i = 0; i < ARRAY_SIZE(fails); i++) {
		m = 0x5a;
		assert_int_equal(parse_cpuset(fails[i].s, &m, msg, sizeof(msg)),
				 -1);
		assert_string_equal(msg, fails[i].msg);
		assert_int_equal(m, 0x5a); /* untouched on failure */
	}
	assert_int_equal(parse_cpuset(NULL, &m, msg, sizeof(msg)), -1);
	assert_int_equal(parse_cpuset("64", &m, NULL, 0), -1);

	char buf[256];
	static const struct { uint64_t mask; const char *s; } fmts[] = {
		{ 0, "" }, { 1, "0" }, { 3, "0-1" }, { 0xd, "0,2-3" },
		{ UINT64_MAX, "0-63" }, { 1ULL << 63, "63" },
		{ 0x5555, "0,2,4,6,8,10,12,14" },
		{ (3ULL << 62) | 1, "0,62-63" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(fmts); i++) {
		int n = format_cpuset(fmts[i].mask, buf, sizeof(buf));
		assert_string_equal(buf, fmts[i].s);
		assert_int_equal(n, (int)strlen(fmts[i].s));
		if (fmts[i].mask) {
			assert_int_equal(parse_cpuset(buf, &m, msg,
						      sizeof(msg)), 0);
			assert_true(m == fmts[i].mask);
		}
	}
	/* Truncated output is terminated; the length is the full one. */
	assert_int_equal(format_cpuset(0xd, buf, 3), 5);
	assert_string_equal(buf, "0,");
	assert_int_equal(format_cpuset(0xd, NULL, 0), 5);
	/* All 32 even CPUs: 90 characters. */
	int n = format_cpuset(0x5555555555555555ULL, buf, sizeof(buf));
	assert_int_equal(n, 90);
	assert_int_equal(strlen(buf), 90);
	assert_int_equal(parse_cpuset(buf, &m, msg, sizeof(msg)), 0);
	assert_true(m == 0x5555555555555555ULL);
}

static void test_quoting(void **state)
{
	ok("name=a,kernel=0,cmdline=\"a,b c\"");
	assert_string_equal(s.cmdline, "a,b c");
	ok("name=a,kernel=0,cmdline=\"say \\\"hi\\\" \\\\o/\"");
	assert_string_equal(s.cmdline, "say \"hi\" \\o/");
	/* Other backslashes are kept; outside quotes a backslash is plain. */
	ok("name=a,kernel=0,cmdline=\"C:\\dir\\n\"");
	assert_string_equal(s.cmdline, "C:\\dir\\n");
	ok("name=a,kernel=0,cmdline=a\\b");
	assert_string_equal(s.cmdline, "a\\b");
	/* Partial quoting, and quotes around other values. */
	ok("name=a,kernel=0,cmdline=x=\"1 2\",cpus=2");
	assert_string_equal(s.cmdline, "x=1 2");
	bad("name=a,kernel=0,cmdline=x=\"1 2\",y", "vm 'a': unknown key 'y'");
	ok("name=\"web\",kernel=\"1\",mem=\"32M\",cmdline=a\" \"b");
	assert_string_equal(s.name, "web");
	assert_true(s.kernel.is_index);
	assert_int_equal(s.mem, 32 << 20);
	assert_string_equal(s.cmdline, "a b");
	ok("name=a,kernel=\"my mod\"");
	assert_string_equal(s.kernel.name, "my mod");
	/* Empty cmdline. */
	ok("name=a,kernel=0,cmdline=\"\"");
	assert_string_equal(s.cmdline, "");
	ok("name=a,kernel=0,cmdline=");
	assert_string_equal(s.cmdline, "");
	/* An escaped quote does not end the quoted section. */
	ok("name=a,kernel=0,cmdline=\"\\\",x\" cpus=2");
	assert_string_equal(s.cmdline, "\",x");
	assert_int_equal(s.ncpus, 2);
	/* Trailing backslash inside quotes, before the closing quote: \" is a
	 * quote, so the section is not closed. */
	bad("name=a,kernel=0,cmdline=\"x\\\"",
	    "vm 'a': unterminated quote in cmdline");
	ok("name=a,kernel=0,cmdline=\"x\\\\\"");
	assert_string_equal(s.cmdline, "x\\");
	/* The longest cmdline. */
	char spec[400], line[300];
	memset(line, 'c', 255);
	line[255] = '\0';
	snprintf(spec, sizeof(spec), "name=a,kernel=0,cmdline=\"%s\"", line);
	ok(spec);
	assert_string_equal(s.cmdline, line);
	/* Escapes count once. */
	memset(line, 'c', 253);
	snprintf(spec, sizeof(spec),
		 "name=a,kernel=0,cmdline=\"%.253s\\\\\\\"\"", line);
	ok(spec);
	assert_int_equal(strlen(s.cmdline), 255);
	assert_int_equal(s.cmdline[254], '"');
	assert_int_equal(s.cmdline[253], '\\');
}

static void test_errors(void **state)
{
	bad("name=a,kernel=0,foo=1", "vm 'a': unknown key 'foo'");
	bad("name=a,kernel=0,foo", "vm 'a': unknown key 'foo'");
	bad("name=a,kernel=0,Name=b", "vm 'a': unknown key 'Name'");
	bad("name=a,kernel=0,mem=4M,mem=8M", "vm 'a': duplicate key 'mem'");
	bad("name=a,kernel=0,cpus=1,vcpus=2",
	    "vm 'a': duplicate key 'vcpus' (same as 'cpus')");
	bad("name=a,kernel=0,affinity=1,pin=2",
	    "vm 'a': duplicate key 'pin' (same as 'affinity')");
	bad("name=a,name=b,kernel=0", "vm 'a': duplicate key 'name'");
	bad("name=a,kernel=0,kernel=1", "vm 'a': duplicate key 'kernel'");
	bad("name=a,kernel=0,cmdline=x,cmdline=y",
	    "vm 'a': duplicate key 'cmdline'");
	bad("name=a,kernel=0,weight=1,weight=1",
	    "vm 'a': duplicate key 'weight'");
	bad("kernel=0,mem=4M", "vm: missing name");
	bad("", "vm: missing name");
	bad(NULL, "vm: missing name");
	bad("name=web", "vm 'web': missing kernel (kernel=<module index or "
	    "name>)");
	bad("name=web,mem", "vm 'web': key 'mem' needs a value");
	bad("name=web,kernel", "vm 'web': key 'kernel' needs a value");
	bad("name=web,mem=", "vm 'web': empty value for 'mem'");
	bad("name=web,mem=\"\"", "vm 'web': empty value for 'mem'");
	bad("name=,kernel=0", "vm: empty value for 'name'");
	bad("name=web,kernel=", "vm 'web': empty value for 'kernel'");
	bad("name=web,kernel=0,module=", "vm 'web': empty value for 'module'");
	bad("name=web,kernel=0,pin=", "vm 'web': empty value for 'pin'");
	bad("name=web,=5", "vm 'web': empty key in '=5'");
	bad("name=web,kernel=0,cmdline=\"console=ttyS0",
	    "vm 'web': unterminated quote in cmdline");
	bad("name=web,kernel=0,cmdline=\"a\",module=\"x",
	    "vm 'web': unterminated quote in module");
	bad("name=\"web,kernel=0", "vm: unterminated quote in name");
	bad("name=abcdefghijklmnop,kernel=0",
	    "vm: name 'abcdefghijklmnop' is too long (16 characters, maximum "
	    "15)");
	bad("name=a.b,kernel=0", "vm: name 'a.b' contains '.' (allowed: "
	    "letters, digits, '_' and '-')");
	bad("name=\"a b\",kernel=0", "vm: name 'a b' contains ' ' (allowed: "
	    "letters, digits, '_' and '-')");
	bad("name=web,kernel=1024",
	    "vm 'web': kernel=1024: module index out of range (0-1023)");
	bad("name=web,kernel=0,module=99999999999999999999999",
	    "vm 'web': module=99999999999999999999999: module index out of "
	    "range (0-1023)");
	bad("name=web,kernel=0,module=5000",
	    "vm 'web': module=5000: module index out of range (0-1023)");
	bad("name=web,kernel=abcdefghijklmnopqrstuvwxyz012345",
	    "vm 'web': kernel=abcdefghijklmnopqrstuvwxyz012345: module name is "
	    "too long (32 characters, maximum 31)");
	bad("name=a,kernel=0,module=1,module=2,module=3,module=4,module=5,"
	    "module=6,module=7,module=8,module=9",
	    "vm 'a': too many modules: module=9 would be number 9 (maximum 8)");

	/* The name is found wherever it is given, for every message. */
	bad("mem=1K,kernel=0,name=late",
	    "vm 'late': mem=1K is too small (minimum 2 MiB)");
	/* An invalid name is not used in the prefix. */
	bad("mem=1K,kernel=0,name=a.b",
	    "vm: mem=1K is too small (minimum 2 MiB)");

	/* A cmdline one character too long. */
	char spec[400], line[300];
	memset(line, 'c', 256);
	line[256] = '\0';
	snprintf(spec, sizeof(spec), "name=a,kernel=0,cmdline=%s", line);
	bad(spec, "vm 'a': cmdline is 256 characters, longer than 255");
	/* Very long values are cut in messages. */
	memset(line, '9', 270);
	line[270] = '\0';
	snprintf(spec, sizeof(spec), "name=a,kernel=0,cpus=%s", line);
	char want[200];
	snprintf(want, sizeof(want), "vm 'a': cpus=%.64s...: value is too "
		 "long (270 characters)", line);
	bad(spec, want);
	snprintf(spec, sizeof(spec), "name=a,kernel=0,pin=%s", line);
	snprintf(want, sizeof(want), "vm 'a': pin=%.64s...: value is too "
		 "long (270 characters)", line);
	bad(spec, want);
	line[255] = '\0';
	snprintf(spec, sizeof(spec), "name=a,kernel=0,cpus=%s", line);
	snprintf(want, sizeof(want), "vm 'a': cpus=%.64s... is not a number",
		 line);
	bad(spec, want);
	snprintf(spec, sizeof(spec), "name=a,kernel=0,module=%s", line);
	snprintf(want, sizeof(want), "vm 'a': module=%.64s...: module index "
		 "out of range (0-1023)", line);
	bad(spec, want);
	memset(line, 'k', 100);
	line[100] = '\0';
	snprintf(spec, sizeof(spec), "name=a,kernel=0,%s=1", line);
	snprintf(want, sizeof(want), "vm 'a': unknown key '%.64s...'", line);
	bad(spec, want);
}

/* Message buffers of any size, or none, are safe; a failed parse leaves
 * defaults plus whatever came before the error. */
static void test_err_buffers(void **state)
{
	char small[8];

	assert_int_equal(vmspec_parse("name=a,foo=1", &s, NULL, 0), -1);
	assert_int_equal(vmspec_parse("name=a,foo=1", &s, small, 0), -1);
	memset(small, 'x', sizeof(small));
	assert_int_equal(vmspec_parse("name=a,foo=1", &s, small, 1), -1);
	assert_string_equal(small, "");
	assert_int_equal(vmspec_parse("name=a,foo=1", &s, small, sizeof(small)),
			 -1);
	assert_string_equal(small, "vm 'a':");
	assert_int_equal(vmspec_parse("name=abcdefghijklmno,foo=1", &s, small,
				      sizeof(small)), -1);
	assert_string_equal(small, "vm 'abc");
	assert_int_equal(vmspec_parse("name=a,kernel=0", &s, NULL, 0), 0);
}

/* --- break= --------------------------------------------------------------- */

static void assert_break(unsigned int i, enum watch_kind kind, uint64_t addr,
			 unsigned int len, const char *target)
{
	assert_true(i < s.nbreaks);
	assert_int_equal(s.breaks[i].kind, kind);
	assert_true(s.breaks[i].addr == addr);
	assert_int_equal(s.breaks[i].len, len);
	assert_string_equal(s.breaks[i].target, target);
}

static void test_break(void **state)
{
	ok("name=a,kernel=0,break=x:0x101420");
	assert_int_equal(s.nbreaks, 1);
	assert_break(0, WATCH_EXEC, 0x101420, 1, "0x101420");

	/* Default type w, default lengths 4 (data) and 1 (execute); every
	 * type and length; in the order given, between other keys. */
	ok("name=a,break=0x104000,kernel=0,break=rw:0x2000/8 mem=4M "
	   "break=w:0x104002/2,break=x:0x1001/1");
	assert_int_equal(s.nbreaks, 4);
	assert_break(0, WATCH_WRITE, 0x104000, 4, "0x104000");
	assert_break(1, WATCH_RW, 0x2000, 8, "0x2000");
	assert_break(2, WATCH_WRITE, 0x104002, 2, "0x104002");
	assert_break(3, WATCH_EXEC, 0x1001, 1, "0x1001");
	assert_int_equal(s.mem, 4 << 20);

	ok("name=a,kernel=0,break=w:0x104000/4,break=rw:0x7/1");
	assert_int_equal(s.nbreaks, 2);
	assert_break(0, WATCH_WRITE, 0x104000, 4, "0x104000");
	assert_break(1, WATCH_RW, 7, 1, "0x7");

	/* Decimal, +OFFSET and quotes work as for watch=; the target is kept
	 * as the address in hex. */
	ok("name=a,kernel=0,break=\"w:4096+8/8\"");
	assert_break(0, WATCH_WRITE, 0x1008, 8, "0x1008");
	ok("name=a,kernel=0,break=x:0");
	assert_break(0, WATCH_EXEC, 0, 1, "0");

	/* Errors. */
	bad("name=a,kernel=0,break=x:0x1000,break=x:0x2000,break=x:0x3000,"
	    "break=x:0x4000,break=x:0x5000",
	    "vm 'a': break= given more than 4 times (a vCPU has 4 "
	    "debug-address registers)");
	bad("name=a,kernel=0,break=w:0x104002",
	    "vm 'a': break=w:0x104002: address 0x104002 is not aligned to its "
	    "length 4");
	bad("name=a,kernel=0,break=rw:0x1004/8",
	    "vm 'a': break=rw:0x1004/8: address 0x1004 is not aligned to its "
	    "length 8");
	bad("name=a,kernel=0,break=x:main",
	    "vm 'a': break=x:main: 'main' is not an address (give the "
	    "guest-linear address as a number, e.g. 0x101420; guest symbols "
	    "are not known)");
	bad("name=a,kernel=0,break=start+4/4",
	    "vm 'a': break=start+4/4: 'start' is not an address (give the "
	    "guest-linear address as a number, e.g. 0x101420; guest symbols "
	    "are not known)");
	bad("name=a,kernel=0,break=x:0x101420/4",
	    "vm 'a': break=x:0x101420/4: execute watchpoints have length 1");
	bad("name=a,kernel=0,break=w:0x1000/3",
	    "vm 'a': break=w:0x1000/3: length must be 1, 2, 4 or 8");
	bad("name=a,kernel=0,break=r:0x1000",
	    "vm 'a': break=r:0x1000: unknown type 'r' (use w, rw or x)");
	bad("name=a,kernel=0,break=w:0x10zz",
	    "vm 'a': break=w:0x10zz: bad address '0x10zz'");
	bad("name=a,kernel=0,break=w:/4",
	    "vm 'a': break=w:/4: no symbol or address");
	bad("name=a,kernel=0,break=", "vm 'a': empty value for 'break'");
	bad("name=a,kernel=0,break", "vm 'a': key 'break' needs a value");
	char spec[200], want[200], v[80];
	memset(v, '1', 65);
	v[65] = '\0';
	snprintf(spec, sizeof(spec), "name=a,kernel=0,break=w:%s", v);
	snprintf(want, sizeof(want), "vm 'a': break=w:%.62s...: value is too "
		 "long (67 characters, maximum 64)", v);
	bad(spec, want);
	/* A failed break= leaves no half-parsed entry behind. */
	bad("name=a,kernel=0,break=x:0x1000,break=w:0x3",
	    "vm 'a': break=w:0x3: address 0x3 is not aligned to its length 4");
	assert_int_equal(s.nbreaks, 1);
	assert_int_equal(s.breaks[1].addr, 0);
}

/* --- module form ---------------------------------------------------------- */

static void test_module_spec(void **state)
{
	assert_null(vmspec_module_spec(NULL));
	assert_null(vmspec_module_spec(""));
	assert_null(vmspec_module_spec("/boot/hello.elf"));
	assert_null(vmspec_module_spec("/boot/hello.elf avm:x"));
	assert_null(vmspec_module_spec("/boot/hello.elf vm"));
	assert_null(vmspec_module_spec("/boot/hello.elf VM:name=a"));
	assert_string_equal(vmspec_module_spec("vm:name=a"), "name=a");
	assert_string_equal(vmspec_module_spec("  vm:name=a"), "name=a");
	assert_string_equal(vmspec_module_spec("/boot/hello.elf vm:name=a x"),
			    "name=a x");
	assert_string_equal(vmspec_module_spec("a b\tvm:"), "");
	assert_string_equal(vmspec_module_spec("a vm:1 vm:2"), "1 vm:2");
}

static void test_module_form(void **state)
{
	int rc;

	memset(err, 'x', sizeof(err));
	rc = vmspec_parse_module("/boot/hello.elf vm:name=a,mem=16M,"
				 "cmdline=\"x y\"", 3, &s, err, sizeof(err));
	assert_int_equal(rc, 1);
	assert_string_equal(err, "");
	assert_string_equal(s.name, "a");
	assert_true(s.from_module);
	assert_true(s.kernel.is_index);
	assert_int_equal(s.kernel.index, 3);
	assert_int_equal(s.mem, 16 << 20);
	assert_string_equal(s.cmdline, "x y");

	/* As GRUB passes "module2 /boot/b.elf vm:name=b cpus=2 module=3". */
	rc = vmspec_parse_module("/boot/b.elf vm:name=b cpus=2 module=3", 1, &s,
				 err, sizeof(err));
	assert_int_equal(rc, 1);
	assert_string_equal(s.name, "b");
	assert_int_equal(s.ncpus, 2);
	assert_int_equal(s.nmodules, 1);
	assert_int_equal(s.modules[0].index, 3);
	assert_int_equal(s.kernel.index, 1);

	/* Escaped quotes are fine here. */
	rc = vmspec_parse_module("vm:name=c,cmdline=\"a \\\"b c\\\"\"", 0, &s,
				 err, sizeof(err));
	assert_int_equal(rc, 1);
	assert_string_equal(s.cmdline, "a \"b c\"");

	/* Not a VM. */
	memset(err, 'x', sizeof(err));
	rc = vmspec_parse_module("/boot/initrd.img root=x", 2, &s, err,
				 sizeof(err));
	assert_int_equal(rc, 0);
	assert_string_equal(err, "");
	assert_int_equal(vmspec_parse_module(NULL, 2, &s, err, sizeof(err)), 0);

	/* Errors name the module. */
	rc = vmspec_parse_module("/boot/a.elf vm:name=a,kernel=2", 3, &s, err,
				 sizeof(err));
	assert_int_equal(rc, -1);
	assert_string_equal(err, "vm 'a' (module 3): key 'kernel' is not "
			    "allowed in a module's vm: spec (the module itself "
			    "is the kernel)");
	rc = vmspec_parse_module("/boot/a.elf vm:mem=16M", 4, &s, err,
				 sizeof(err));
	assert_int_equal(rc, -1);
	assert_string_equal(err, "vm (module 4): missing name");
	rc = vmspec_parse_module("/boot/a.elf vm:", 4, &s, err, sizeof(err));
	assert_int_equal(rc, -1);
	assert_string_equal(err, "vm (module 4): missing name");
	/* break= works here too, with its errors. */
	rc = vmspec_parse_module("/boot/a.elf vm:name=d break=x:0x101420 "
				 "break=rw:0x104000/8", 2, &s, err,
				 sizeof(err));
	assert_int_equal(rc, 1);
	assert_int_equal(s.nbreaks, 2);
	assert_break(0, WATCH_EXEC, 0x101420, 1, "0x101420");
	assert_break(1, WATCH_RW, 0x104000, 8, "0x104000");
	assert_int_equal(s.kernel.index, 2);
	rc = vmspec_parse_module("vm:name=d,break=x:main", 5, &s, err,
				 sizeof(err));
	assert_int_equal(rc, -1);
	assert_string_equal(err, "vm 'd' (module 5): break=x:main: 'main' is "
			    "not an address (give the guest-linear address as "
			    "a number, e.g. 0x101420; guest symbols are not "
			    "known)");
	rc = vmspec_parse_module("vm:name=z,weight=0", 0, &s, err, sizeof(err));
	assert_int_equal(rc, -1);
	assert_string_equal(err, "vm 'z' (module 0): weight=0 is out of range "
			    "(1-64)");
}

/* --- references ----------------------------------------------------------- */

static void test_resolve(void **state)
{
	static const char *const mods[] = {
		"/boot/tern.cfg",
		"/boot/hello.elf vm:name=h",
		"vm:name=anon",
		NULL,
		"/boot/initrd.img arg",
		"/other/hello.elf",
		"  data.bin ",
	};
	struct vm_module_ref r;
	unsigned int idx;
	char msg[160];

	memset(&r, 0, sizeof(r));
	r.is_index = true;
	r.index = 6;
	assert_int_equal(vmspec_resolve(&r, "kernel", mods, 7, &idx, msg,
					sizeof(msg)), 0);
	assert_int_equal(idx, 6);
	r.index = 7;
	assert_int_equal(vmspec_resolve(&r, "kernel", mods, 7, &idx, msg,
					sizeof(msg)), -1);
	assert_string_equal(msg, "kernel=7: there is no module 7 (7 modules, "
			    "numbered from 0)");
	r.index = 1;
	assert_int_equal(vmspec_resolve(&r, "module", mods, 1, &idx, msg,
					sizeof(msg)), -1);
	assert_string_equal(msg, "module=1: there is no module 1 (1 module, "
			    "numbered from 0)");

	r.is_index = false;
	static const struct { const char *name; int idx; } names[] = {
		{ "/boot/tern.cfg", 0 }, { "tern.cfg", 0 },
		{ "/boot/hello.elf", 1 }, { "/other/hello.elf", 5 },
		{ "initrd.img", 4 }, { "/boot/initrd.img", 4 },
		{ "data.bin", 6 },
		{ "arg", -1 }, { "anon", -1 }, { "vm:name=anon", -1 },
		{ "boot", -1 }, { "hello", -1 }, { "", -1 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		snprintf(r.name, sizeof(r.name), "%s", names[i].name);
		int rc = vmspec_resolve(&r, "kernel", mods, 7, &idx, msg,
					sizeof(msg));
		if (names[i].idx < 0) {
			assert_int_equal(rc, -1);
			char want[160];
			snprintf(want, sizeof(want), "kernel=%s: no module is "
				 "named '%s'", names[i].name, names[i].name);
			assert_string_equal(msg, want);
		} else {
			assert_int_equal(rc, 0);
			assert_int_equal(idx, names[i].idx);
		}
	}
	snprintf(r.name, sizeof(r.name), "hello.elf");
	assert_int_equal(vmspec_resolve(&r, "module", mods, 7, &idx, msg,
					sizeof(msg)), -1);
	assert_string_equal(msg, "module=hello.elf: modules 1 and 5 are both "
			    "named 'hello.elf'; use an index");
	/* Only the first nmods modules count. */
	assert_int_equal(vmspec_resolve(&r, "module", mods, 5, &idx, msg,
					sizeof(msg)), 0);
	assert_int_equal(idx, 1);

	/* All references of a spec at once. */
	unsigned int k, m[VMSPEC_MAX_MODULES];
	ok("name=web,kernel=hello.elf,module=data.bin,module=0");
	assert_int_equal(vmspec_resolve_all(&s, mods, 5, &k, m, msg,
					    sizeof(msg)), -1);
	assert_string_equal(msg, "vm 'web': module=data.bin: no module is "
			    "named 'data.bin'");
	assert_int_equal(vmspec_resolve_all(&s, mods, 7, &k, m, msg,
					    sizeof(msg)), -1);
	assert_string_equal(msg, "vm 'web': kernel=hello.elf: modules 1 and 5 "
			    "are both named 'hello.elf'; use an index");
	ok("name=web,kernel=/boot/hello.elf,module=data.bin,module=0");
	assert_int_equal(vmspec_resolve_all(&s, mods, 7, &k, m, msg,
					    sizeof(msg)), 0);
	assert_int_equal(k, 1);
	assert_int_equal(m[0], 6);
	assert_int_equal(m[1], 0);
}

static void test_unique(void **state)
{
	struct vm_spec v[4];
	char msg[96];

	for (int i = 0; i < 4; i++)
		vmspec_defaults(&v[i]);
	strcpy(v[0].name, "a");
	strcpy(v[1].name, "b");
	strcpy(v[2].name, "A");
	strcpy(v[3].name, "ab");
	assert_int_equal(vmspec_check_unique(v, 4, msg, sizeof(msg)), 0);
	assert_int_equal(vmspec_check_unique(v, 0, msg, sizeof(msg)), 0);
	strcpy(v[3].name, "b");
	assert_int_equal(vmspec_check_unique(v, 4, msg, sizeof(msg)), -1);
	assert_string_equal(msg, "duplicate VM name 'b' (VMs 1 and 3)");
	assert_int_equal(vmspec_check_unique(v, 3, msg, sizeof(msg)), 0);
}

/* --- formatting ----------------------------------------------------------- */

static void roundtrip(const char *spec, const char *want)
{
	struct vm_spec again;
	char buf[700], msg[200];

	ok(spec);
	int n = vmspec_format(&s, buf, sizeof(buf));
	assert_int_equal(n, (int)strlen(buf));
	if (want)
		assert_string_equal(buf, want);
	if (vmspec_parse(buf, &again, msg, sizeof(msg)))
		fail_msg("'%s' -> '%s': %s", spec, buf, msg);
	assert_memory_equal(&again, &s, sizeof(s));
}

static void test_format(void **state)
{
	roundtrip("name=web,kernel=1,mem=32M,cpus=2,pin=0-1,weight=2,"
		  "cmdline=\"console=ttyS0 x=1\",module=2,module=3",
		  "name=web,kernel=1,mem=32M,cpus=2,pin=0-1,weight=2,"
		  "cmdline=\"console=ttyS0 x=1\",module=2,module=3");
	roundtrip("name=a,kernel=0",
		  "name=a,kernel=0,mem=16M,cpus=1,pin=any,weight=1,"
		  "cmdline=\"\"");
	roundtrip("name=a,kernel=\"x,y z\",mem=1G,pin=0,2-3,module=\"q\\\"\"",
		  "name=a,kernel=\"x,y z\",mem=1G,cpus=1,pin=0,2-3,weight=1,"
		  "cmdline=\"\",module=\"q\\\"\"");
	roundtrip("name=a,kernel=hello.elf,mem=2052K,"
		  "cmdline=\"a\\\\b \\\"c\\\"\"",
		  "name=a,kernel=hello.elf,mem=2052K,cpus=1,pin=any,weight=1,"
		  "cmdline=\"a\\\\b \\\"c\\\"\"");
	roundtrip("name=a,kernel=0,cmdline=a\\b", NULL);
	roundtrip("name=a,kernel=0,mem=0x200000,pin=63", NULL);
	roundtrip("name=a,kernel=0,module=1,break=x:0x101420,break=4096+8,"
		  "break=rw:0x2000/8,break=\"w:0/2\"",
		  "name=a,kernel=0,mem=16M,cpus=1,pin=any,weight=1,"
		  "cmdline=\"\",module=1,break=x:0x101420,break=w:0x1008/4,"
		  "break=rw:0x2000/8,break=w:0/2");

	/* A full cmdline of quotes still formats (escaped, 512+ characters)
	 * and the length reported is the full one when cut. */
	char spec[600], line[300];
	memset(line, '"', 127);
	line[127] = '\0';
	char *p = spec;
	p += sprintf(p, "name=a,kernel=0,cmdline=\"");
	for (int i = 0; i < 127; i++)
		p += sprintf(p, "\\\"");
	sprintf(p, "\"");
	roundtrip(spec, NULL);
	assert_string_equal(s.cmdline, line);
	char small[16];
	int n = vmspec_format(&s, small, sizeof(small));
	assert_string_equal(small, "name=a,kernel=0");
	char big[700];
	assert_int_equal(n, vmspec_format(&s, big, sizeof(big)));
	assert_int_equal(vmspec_format(&s, NULL, 0), n);
}

/* The spec from Tern's command line arrives through cmdline_parse(). */
static void test_through_cmdline(void **state)
{
	struct tern_options o;

	cmdline_defaults(&o);
	assert_int_equal(cmdline_parse("vm=name=web,kernel=1,cmdline=\"a b\","
				       "pin=0,2-3 "
				       "vm=\"name=x kernel=2 cpus=2\"",
				       &o, NULL, NULL), 0);
	assert_int_equal(o.nvms, 2);
	ok(o.vms[0]);
	assert_string_equal(s.name, "web");
	assert_string_equal(s.cmdline, "a b");
	assert_int_equal(s.pin_mask, 0xd);
	ok(o.vms[1]);
	assert_string_equal(s.name, "x");
	assert_int_equal(s.kernel.index, 2);
	assert_int_equal(s.ncpus, 2);
}

/* Every prefix of valid and invalid specs parses or fails cleanly (the
 * sanitizers catch any read past the end). */
static void test_truncations(void **state)
{
	static const char *const specs[] = {
		"name=web,kernel=1,mem=32M,cpus=2,pin=0,2-3,weight=2,"
		"cmdline=\"console=ttyS0 \\\"x\\\" \\\\y\",module=2,module=q",
		"vcpus=3 affinity=\"1-2\" name=\"q\" kernel=\"a b\" cmdline=\"",
		"=,\"\\=\"\",pin=,,-,1-,",
		"name=a,kernel=0,break=rw:0x2000+8/8 break=\"x:1\",break=w:",
	};
	char msg[256];
	struct vm_spec t;

	for (size_t i = 0; i < ARRAY_SIZE(specs); i++) {
		size_t len = strlen(specs[i]);
		for (size_t n = 0; n <= len; n++) {
			char *copy = malloc(n + 1);
			memcpy(copy, specs[i], n);
			copy[n] = '\0';
			int rc = vmspec_parse(copy, &t, msg, sizeof(msg));
			assert_true(rc == 0 || rc == -1);
			if (rc)
				assert_true(strlen(msg) > 0);
			free(copy);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_all_keys),
		cmocka_unit_test(test_separators),
		cmocka_unit_test(test_mem),
		cmocka_unit_test(test_cpus_weight),
		cmocka_unit_test(test_pin),
		cmocka_unit_test(test_cpuset),
		cmocka_unit_test(test_quoting),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_err_buffers),
		cmocka_unit_test(test_break),
		cmocka_unit_test(test_module_spec),
		cmocka_unit_test(test_module_form),
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_unique),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_through_cmdline),
		cmocka_unit_test(test_truncations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
