/* assert() for guests: report on the console, then abort(). */

/* No include guard: C11 7.2 lets <assert.h> be included again after NDEBUG
 * changes, redefining assert each time. */
#undef assert
#ifdef NDEBUG
#define assert(ignore) ((void)0)
#else
#define assert(expr)                                                           \
    ((expr) ? (void)0 : mote_assert_fail(#expr, __FILE__, __LINE__, __func__))
#endif

#ifndef MOTE_LIBC_ASSERT_H
#define MOTE_LIBC_ASSERT_H

#define static_assert _Static_assert

/* Writes "FILE:LINE: FUNC: assertion failed: EXPR" and a newline with
 * mote_platform_console_write(), then calls abort(). */
_Noreturn void mote_assert_fail(const char *expr, const char *file, int line,
                                const char *func);

#endif
