/* Mote: everything an application needs, and the conventions they share. */
#ifndef MOTE_MOTE_H
#define MOTE_MOTE_H

/*
 * Conventions (stated once; every header follows them):
 *
 * - Errors: functions return int, 0 on success or a negative MOTE_E* code
 *   from <mote/error.h>. MOTE_EAGAIN means "not yet", not failure. A
 *   function that failed has no effect the caller must undo.
 * - Blocking: a call documented as blocking suspends only the calling fiber;
 *   every such call returns MOTE_ECANCELED if the fiber is cancelled.
 * - Time: nanoseconds of the monotonic clock, as uint64_t; deadlines are
 *   absolute, MOTE_FOREVER for none.
 * - Ownership: each declaration says who owns what; it never depends on
 *   whether the call failed. Pointers passed in are borrowed for the call
 *   unless stated.
 * - Contract violations by the caller (NULL where not allowed, a double
 *   close) may abort the program; malformed input from outside never does.
 * - Names: mote_<object>_<verb>; _init/_release for embedded structs,
 *   _new/_free or _open/_close for allocated ones.
 */

#include <mote/error.h>
#include <mote/platform.h>
#include <mote/core.h>
#include <mote/buf.h>
#include <mote/log.h>
#include <mote/ipaddr.h>
#include <mote/flow.h>
#include <mote/stack.h>

#endif
