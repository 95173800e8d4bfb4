/* user.h: running a function at CPL 3 and getting back to ring 0. */
#ifndef GUEST_USER_H
#define GUEST_USER_H

#include <stdint.h>

struct trap_frame;

/* Run fn at CPL 3 (USER_CS/USER_DS, IOPL 0, interrupts off) on a private
 * stack. fn must not return: it comes back with `int 0x80` (EAX is then the
 * result), or a trap handler ends it with user_abort(). Returns that value. */
uint32_t user_call(void (*fn)(void));

/* From a trap handler whose frame came from CPL 3: make the IRET land back
 * in user_call()'s caller at ring 0, which then returns `value`. */
void user_abort(struct trap_frame *f, uint32_t value);

/* The default handler of vector 0x80. */
void user_return_handler(struct trap_frame *f);

#endif
