/* report.c: drtest's output format, one line per check and a summary:
 *   drtest: PASS <name>[: details]
 *   drtest: FAIL <name>: <details with hex values>
 *   drtest: SKIP <name>: <why>
 *   drtest: N passed, M failed
 * Test scripts grep these lines; keep them stable. */
#include "drtest.h"

static unsigned n_pass, n_fail, n_skip;

static void line(const char *verdict, const char *name, const char *fmt,
		 va_list ap)
{
	gprintf("drtest: %s %s", verdict, name);
	if (fmt && *fmt) {
		gprintf(": ");
		gvprintf(fmt, ap);
	}
	gprintf("\n");
}

void pass(const char *name, const char *fmt, ...)
{
	va_list ap;

	n_pass++;
	va_start(ap, fmt);
	line("PASS", name, fmt, ap);
	va_end(ap);
}

void fail(const char *name, const char *fmt, ...)
{
	va_list ap;

	n_fail++;
	va_start(ap, fmt);
	line("FAIL", name, fmt, ap);
	va_end(ap);
}

void skip(const char *name, const char *why)
{
	n_skip++;
	gprintf("drtest: SKIP %s: %s\n", name, why);
}

int report_summary(void)
{
	if (n_skip)
		gprintf("drtest: %u skipped\n", n_skip);
	gprintf("drtest: %u passed, %u failed\n", n_pass, n_fail);
	return n_fail ? 1 : 0;
}
