/* Host tests for hv/fmt.c: its output and return value must match the host
 * C library's snprintf for every format the two have in common, including
 * truncation into small buffers. Where C leaves behaviour undefined (NULL
 * for %s or %p, '0' with %s or %c) Tern's own choice is checked instead. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hv/fmt.h"

static unsigned long checks;

/* Formats with both implementations into every interesting buffer size
 * and compares text and return value. */
static void vcheck(const char *where, const char *fmt, va_list ap)
{
	char want[1024], got[1024];
	va_list a1, a2;

	va_copy(a1, ap);
	int wn = vsnprintf(want, sizeof(want), fmt, a1);
	va_end(a1);
	assert_true(wn >= 0 && (size_t)wn < sizeof(want));

	size_t sizes[] = { sizeof(got), 0, 1, 2, 3, (size_t)wn / 2,
			   (size_t)wn, (size_t)wn + 1 };
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		size_t size = sizes[i];
		memset(got, '#', sizeof(got));
		va_copy(a2, ap);
		int gn = fmt_vsnprintf(got, size, fmt, a2);
		va_end(a2);
		checks++;
		if (gn != wn)
			fail_msg("%s: format \"%s\" size %zu: returned %d, "
				 "libc %d (\"%s\")", where, fmt, size, gn, wn,
				 want);
		if (size == 0) {
			if (got[0] != '#')
				fail_msg("%s: format \"%s\" wrote into a "
					 "zero-size buffer", where, fmt);
			continue;
		}
		size_t keep = (size_t)wn < size ? (size_t)wn : size - 1;
		if (memcmp(got, want, keep) != 0 || got[keep] != '\0')
			fail_msg("%s: format \"%s\" size %zu: got \"%s\", "
				 "libc \"%.*s\"", where, fmt, size, got,
				 (int)keep, want);
		if (keep + 1 < sizeof(got) && got[keep + 1] != '#')
			fail_msg("%s: format \"%s\" size %zu: wrote past the "
				 "terminator", where, fmt, size);
	}
}

static void __printf(2, 3) check_at(const char *where, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vcheck(where, fmt, ap);
	va_end(ap);
}

#define STR2(x) #x
#define STR(x) STR2(x)
#define CHECK(...) check_at(__FILE__ ":" STR(__LINE__), __VA_ARGS__)
/* For formats the compilers flag although C defines them ("'0' flag
 * ignored with '-'", an int for %hhd): hide the literal from -Wformat. */
static const char *unchecked(const char *fmt)
{
	return fmt;
}
#define CHECK_U(fmt, ...) CHECK(unchecked(fmt), __VA_ARGS__)

static void test_plain(void **state)
{
	CHECK("%s", "");
	CHECK_U("", 0); /* no conversions: the argument is ignored */
	CHECK("hello, world");
	CHECK("100%%");
	CHECK("%%%d%%", 5);
	CHECK("a%cb", 'x');
	CHECK("%s and %s", "one", "two");
}

static void test_signed(void **state)
{
	CHECK("%d %d %d", 0, 1, -1);
	CHECK("%d %d", INT32_MAX, INT32_MIN);
	CHECK("%i", -12345);
	CHECK("%ld %ld", (long)INT64_MAX, (long)INT64_MIN);
	CHECK("%lld %lld", (long long)INT64_MAX, (long long)INT64_MIN);
	CHECK_U("%hd %hd", 70000, -70000);
	CHECK_U("%hhd %hhd %hhd", 300, -129, 127);
	CHECK("%zd", (ssize_t)-5);
	CHECK("%td", (ptrdiff_t)-123456789012);
	CHECK("%jd", (intmax_t)INT64_MIN);
	CHECK_U("%+d %+d % d % d %+ d", 5, -5, 5, -5, 5);
	CHECK_U("[%5d] [%-5d] [%05d] [%-05d] [%+05d]", -42, -42, -42, -42, 42);
	CHECK("[%.3d] [%.0d] [%5.0d] [%.0d]", 7, 0, 0, 1);
	CHECK_U("[%08.3d] [%-8.3d] [%+.5d]", -7, -7, 7);
	CHECK("[%*d] [%-*d] [%*d]", 6, 12, 6, 12, -6, 12);
	CHECK("[%.*d] [%.*d] [%0*d]", 4, 3, -1, 3, 5, -3);
	CHECK("[%20lld] [%-25lld]", (long long)INT64_MIN, (long long)INT64_MIN);
}

static void test_unsigned(void **state)
{
	CHECK("%u %u", 0u, UINT32_MAX);
	CHECK("%lu %llu", (unsigned long)UINT64_MAX,
	      (unsigned long long)UINT64_MAX);
	CHECK_U("%hu %hhu", 70000, 300);
	CHECK("%zu %zx", (size_t)SIZE_MAX, (size_t)0x1234);
	CHECK("%x %X %#x %#X", 0xbeefu, 0xbeefu, 0xbeefu, 0xbeefu);
	CHECK("%#x %#o %o", 0u, 0u, 0u);
	CHECK("%#.0o %#.0x %.0x", 0u, 0u, 0u);
	CHECK("%o %#o %#5o %#.5o", 8u, 8u, 8u, 8u);
	CHECK("%llx %llX %#llx", (unsigned long long)UINT64_MAX,
	      0xabcdef0123456789ull, 0xabcdef0123456789ull);
	CHECK("%#018llx", 0x1234ull);
	CHECK("%#-18llx|", 0x1234ull);
	CHECK("%08x %-8x| %8.4x", 0xabcu, 0xabcu, 0xabcu);
	CHECK_U("%hhx %hx %jx %tx", 0x1ff, 0x1ffff, (uintmax_t)UINT64_MAX,
	      (ptrdiff_t)0x7fff);
}

static void test_strings_and_chars(void **state)
{
	CHECK("[%s] [%10s] [%-10s] [%.2s] [%10.2s] [%-10.2s]", "abc", "abc",
	      "abc", "abc", "abc", "abc");
	CHECK("[%s] [%5s] [%.0s]", "", "", "abc");
	CHECK("[%*s] [%-*s] [%.*s]", 8, "x", 8, "x", 3, "abcdef");
	CHECK("[%.*s]", -1, "negative precision means none");
	CHECK("[%c] [%3c] [%-3c]", 'a', 'b', 'c');
	CHECK("%c%c%c", 'T', 'e', 'r');
	CHECK("%s", "a long string that will be truncated in the smaller "
	      "buffers used by the checker");
}

static void test_pointer(void **state)
{
	int x;
	CHECK("%p", (void *)&x);
	CHECK("%p", (void *)0x1000);
	CHECK("[%20p] [%-20p]", (void *)0xdeadbeef, (void *)0xdeadbeef);
}

/* Where C leaves the result open, Tern prints something visible. */
static void test_tern_choices(void **state)
{
	char buf[64];
	const char *volatile nul = NULL;

	assert_int_equal(fmt_snprintf(buf, sizeof(buf), "%s", nul), 6);
	assert_string_equal(buf, "(null)");
	assert_int_equal(fmt_snprintf(buf, sizeof(buf), "[%8s]", nul), 10);
	assert_string_equal(buf, "[  (null)]");
	fmt_snprintf(buf, sizeof(buf), "%p", (void *)0);
	assert_string_equal(buf, "0x0");
	/* A NULL buffer with size 0 only measures. */
	assert_int_equal(fmt_snprintf(NULL, 0, "%d-%s", 12345, "abc"), 9);
}

/* Every combination of flags, width, precision and length modifier with
 * a set of edge values, for each integer conversion. */
static void test_combinations(void **state)
{
	static const char *const flagsets[] = {
		"", "-", "0", "+", " ", "#", "-0", "+ ", "-+", "0#", "0+",
		"- #", "-0+ #",
	};
	static const char *const widths[] = { "", "1", "5", "22" };
	static const char *const precs[] = { "", ".", ".0", ".1", ".5",
					     ".21" };
	static const char *const lens[] = { "hh", "h", "", "l", "ll", "z",
					    "j", "t" };
	static const char convs[] = "diuxXo";
	static const int64_t values[] = {
		0, 1, -1, 7, -7, 42, 127, -128, 255, 256, 32767, -32768,
		65535, 0x7fffffff, INT32_MIN, 0xffffffffll,
		1234567890123ll, -1234567890123ll, INT64_MAX, INT64_MIN,
	};
	char f[32];
	unsigned long before = checks;

	for (size_t fi = 0; fi < ARRAY_SIZE(flagsets); fi++)
	for (size_t wi = 0; wi < ARRAY_SIZE(widths); wi++)
	for (size_t pi = 0; pi < ARRAY_SIZE(precs); pi++)
	for (size_t li = 0; li < ARRAY_SIZE(lens); li++)
	for (size_t ci = 0; ci < sizeof(convs) - 1; ci++) {
		char c = convs[ci];
		bool sign = c == 'd' || c == 'i';
		snprintf(f, sizeof(f), "<%%%s%s%s%s%c>", flagsets[fi],
			 widths[wi], precs[pi], lens[li], c);
		for (size_t vi = 0; vi < ARRAY_SIZE(values); vi++) {
			int64_t v = values[vi];
			/* Arguments of exactly the type the modifier names
			 * (hh and h are passed as int, as promoted). */
			switch (lens[li][0] == 'l' && lens[li][1] == 'l' ? 'L'
				: lens[li][0]) {
			case 'l':
				if (sign)
					check_at(f, f, (long)v);
				else
					check_at(f, f, (unsigned long)v);
				break;
			case 'L':
				if (sign)
					check_at(f, f, (long long)v);
				else
					check_at(f, f, (unsigned long long)v);
				break;
			case 'z':
				if (sign)
					check_at(f, f, (ssize_t)v);
				else
					check_at(f, f, (size_t)v);
				break;
			case 'j':
				if (sign)
					check_at(f, f, (intmax_t)v);
				else
					check_at(f, f, (uintmax_t)v);
				break;
			case 't':
				check_at(f, f, (ptrdiff_t)v);
				break;
			default:
				if (sign)
					check_at(f, f, (int)v);
				else
					check_at(f, f, (unsigned int)v);
				break;
			}
		}
	}

	/* Strings: '-', width and precision (the others are undefined). */
	static const char *const strs[] = { "", "a", "tern", "hypervisor" };
	for (size_t fi = 0; fi < 2; fi++)
	for (size_t wi = 0; wi < ARRAY_SIZE(widths); wi++)
	for (size_t pi = 0; pi < ARRAY_SIZE(precs); pi++)
	for (size_t si = 0; si < ARRAY_SIZE(strs); si++) {
		snprintf(f, sizeof(f), "<%%%s%s%ss>", fi ? "-" : "",
			 widths[wi], precs[pi]);
		check_at(f, f, strs[si]);
	}
	print_message("%lu comparisons\n", checks - before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_signed),
		cmocka_unit_test(test_unsigned),
		cmocka_unit_test(test_strings_and_chars),
		cmocka_unit_test(test_pointer),
		cmocka_unit_test(test_tern_choices),
		cmocka_unit_test(test_combinations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
