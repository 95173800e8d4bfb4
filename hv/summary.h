/* The end-of-run summary: a table for people and "result" lines for
 * programs (format documented in README.md, "The run summary"). */
#ifndef TERN_SUMMARY_H
#define TERN_SUMMARY_H

#include "hv/types.h"

void summary_print(void);
/* Running statistics ("stats" lines), printed every stats= interval. */
void summary_stats_tick(uint64_t now);
void summary_stats_init(uint32_t interval_ms);

#endif
