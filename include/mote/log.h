/* Leveled logging by source. */
#ifndef MOTE_LOG_H
#define MOTE_LOG_H

#include <stdarg.h>
#include <stdbool.h>

/*
 * Every log line has a source (a short name such as "tcp" or "echo") and a
 * level. Which lines are written is set by a spec of comma-separated
 * SOURCE:LEVEL pairs, '*' matching every source not named:
 *
 *     MOTE_LOG=tcp:debug,*:info      (environment, unix)
 *     --log=tcp:debug,*:info         (command line, any platform)
 *
 * The default is *:info. Lines go to the platform console as
 * "LEVEL source: message\n". Logging is for operators; libraries still
 * return errors rather than log them.
 */

enum mote_log_level {
    MOTE_LOG_NONE = 0, /* as a threshold: log nothing */
    MOTE_LOG_ERROR,
    MOTE_LOG_WARN,
    MOTE_LOG_INFO,
    MOTE_LOG_DEBUG,
    MOTE_LOG_TRACE,
};

/* Parse and apply spec. Returns 0, or MOTE_EINVAL (with *bad, if bad is not
 * NULL, pointing at the offending pair) leaving the old setting in force.
 * Level names: none error warn info debug trace. At most 32 named sources. */
int mote_log_configure(const char *spec, const char **bad);

/* True if a line of level from src would be written. */
bool mote_log_enabled(const char *src, enum mote_log_level level);

__attribute__((format(printf, 3, 4))) void
mote_log(const char *src, enum mote_log_level level, const char *fmt, ...);
void mote_logv(const char *src, enum mote_log_level level, const char *fmt,
               va_list ap);

/* Where lines go; the default writes to mote_platform_console_write. Tests
 * capture lines this way. NULL restores the default. */
typedef void (*mote_log_sink)(const char *line, unsigned long len);
void mote_log_set_sink(mote_log_sink sink);

#define MOTE_LOG_ERR(src, ...)  mote_log(src, MOTE_LOG_ERROR, __VA_ARGS__)
#define MOTE_LOG_WARN(src, ...) mote_log(src, MOTE_LOG_WARN, __VA_ARGS__)
#define MOTE_LOG_INFO(src, ...) mote_log(src, MOTE_LOG_INFO, __VA_ARGS__)
#define MOTE_LOG_DEBUG(src, ...)                                               \
    do {                                                                       \
        if (mote_log_enabled(src, MOTE_LOG_DEBUG))                             \
            mote_log(src, MOTE_LOG_DEBUG, __VA_ARGS__);                        \
    } while (0)

#endif
