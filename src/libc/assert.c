/* The failure path of assert(): say where, then abort. */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>

#include <mote/platform.h>

_Noreturn void mote_assert_fail(const char *expr, const char *file, int line,
                                const char *func)
{
    /* A fixed buffer, not the heap: the heap may be what failed. Long
     * expressions are cut, which is better than not reporting. */
    char msg[256];
    int n = snprintf(msg, sizeof(msg), "%s:%d: %s: assertion failed: %s\n",
                     file, line, func, expr);

    if (n < 0)
        n = 0;
    if ((size_t)n >= sizeof(msg)) {
        n = sizeof(msg) - 1;
        msg[n - 1] = '\n';
    }
    mote_platform_console_write(msg, (size_t)n);
    abort();
}
