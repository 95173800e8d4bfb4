/* The end-of-run summary: a table for people and "result" lines for
 * programs (format documented in README.md, "The run summary"). */
#ifndef TERN_SUMMARY_H
#define TERN_SUMMARY_H

void summary_print(void);

#endif
