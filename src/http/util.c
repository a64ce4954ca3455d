/* HTTP helpers: reason phrases, percent-decoding, HTTP dates, MIME types. */
#include <stdio.h>
#include <string.h>

#include <mote/error.h>
#include <mote/http.h>

#include "http_int.h"

const char *mote_http_reason(int status)
{
    switch (status) {
    case 100:
        return "Continue";
    case 101:
        return "Switching Protocols";
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 202:
        return "Accepted";
    case 204:
        return "No Content";
    case 206:
        return "Partial Content";
    case 301:
        return "Moved Permanently";
    case 302:
        return "Found";
    case 303:
        return "See Other";
    case 304:
        return "Not Modified";
    case 307:
        return "Temporary Redirect";
    case 308:
        return "Permanent Redirect";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 406:
        return "Not Acceptable";
    case 408:
        return "Request Timeout";
    case 409:
        return "Conflict";
    case 411:
        return "Length Required";
    case 412:
        return "Precondition Failed";
    case 413:
        return "Content Too Large";
    case 414:
        return "URI Too Long";
    case 415:
        return "Unsupported Media Type";
    case 416:
        return "Range Not Satisfiable";
    case 417:
        return "Expectation Failed";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    case 505:
        return "HTTP Version Not Supported";
    default:
        return "";
    }
}

static int unhex(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int mote_http_pct_decode(const char *src, size_t srclen, char *dst,
                         size_t dstsize, size_t *outlen, bool plus_space)
{
    size_t o = 0;
    for (size_t i = 0; i < srclen; i++) {
        char c = src[i];
        if (c == '%') {
            if (srclen - i < 3)
                return MOTE_EINVAL;
            int h = unhex(src[i + 1]), l = unhex(src[i + 2]);
            if (h < 0 || l < 0)
                return MOTE_EINVAL;
            c = (char)(h << 4 | l);
            i += 2;
        } else if (c == '+' && plus_space) {
            c = ' ';
        }
        if (c == 0)
            return MOTE_EINVAL;
        if (o == dstsize)
            return MOTE_ENOSPC;
        dst[o++] = c;
    }
    *outlen = o;
    return 0;
}

static const char wdays[7][4] = {"Thu", "Fri", "Sat", "Sun",
                                 "Mon", "Tue", "Wed"};
static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* Days since 1970-01-01 to civil date (Howard Hinnant's algorithm). */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t yy = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yy + (*m <= 2);
}

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

void mote_http_date_format(uint64_t secs, char *buf)
{
    int64_t days = (int64_t)(secs / 86400);
    unsigned rem = (unsigned)(secs % 86400);
    int64_t y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    if (y > 9999)
        y = 9999;
    /* "Sun, 06 Nov 1994 08:49:37 GMT", by hand: no printf on the
     * per-response path. */
    unsigned yy = (unsigned)y, hh = rem / 3600, mi = rem / 60 % 60,
             ss = rem % 60;
    memcpy(buf, wdays[days % 7], 3);
    memcpy(buf + 3, ", ", 2);
    buf[5] = (char)('0' + d / 10);
    buf[6] = (char)('0' + d % 10);
    buf[7] = ' ';
    memcpy(buf + 8, months[m - 1], 3);
    buf[11] = ' ';
    buf[12] = (char)('0' + yy / 1000);
    buf[13] = (char)('0' + yy / 100 % 10);
    buf[14] = (char)('0' + yy / 10 % 10);
    buf[15] = (char)('0' + yy % 10);
    buf[16] = ' ';
    buf[17] = (char)('0' + hh / 10);
    buf[18] = (char)('0' + hh % 10);
    buf[19] = ':';
    buf[20] = (char)('0' + mi / 10);
    buf[21] = (char)('0' + mi % 10);
    buf[22] = ':';
    buf[23] = (char)('0' + ss / 10);
    buf[24] = (char)('0' + ss % 10);
    memcpy(buf + 25, " GMT", 5); /* with the NUL */
}

static int digits(const char *s, int n, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    *out = v;
    return 0;
}

int mote_http_date_parse(const char *s, size_t len, uint64_t *secs)
{
    /* "Sun, 06 Nov 1994 08:49:37 GMT" */
    if (len != 29 || s[3] != ',' || s[4] != ' ' || s[7] != ' ' ||
        s[11] != ' ' || s[16] != ' ' || s[19] != ':' || s[22] != ':' ||
        memcmp(s + 25, " GMT", 4) != 0)
        return MOTE_EINVAL;
    unsigned d, y, hh, mm, ss, m = 0;
    if (digits(s + 5, 2, &d) || digits(s + 12, 4, &y) ||
        digits(s + 17, 2, &hh) || digits(s + 20, 2, &mm) ||
        digits(s + 23, 2, &ss))
        return MOTE_EINVAL;
    while (m < 12 && memcmp(s + 8, months[m], 3) != 0)
        m++;
    if (m == 12 || d < 1 || d > 31 || y < 1970 || hh > 23 || mm > 59 || ss > 60)
        return MOTE_EINVAL;
    int64_t days = days_from_civil(y, m + 1, d);
    *secs = (uint64_t)days * 86400 + hh * 3600 + mm * 60 + ss;
    return 0;
}

static const struct {
    const char *ext, *type;
} mime[] = {
    {"html", "text/html; charset=utf-8"},
    {"htm", "text/html; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},
    {"js", "text/javascript; charset=utf-8"},
    {"mjs", "text/javascript; charset=utf-8"},
    {"json", "application/json"},
    {"txt", "text/plain; charset=utf-8"},
    {"md", "text/markdown; charset=utf-8"},
    {"xml", "application/xml"},
    {"svg", "image/svg+xml"},
    {"png", "image/png"},
    {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"},
    {"gif", "image/gif"},
    {"webp", "image/webp"},
    {"ico", "image/vnd.microsoft.icon"},
    {"avif", "image/avif"},
    {"woff", "font/woff"},
    {"woff2", "font/woff2"},
    {"ttf", "font/ttf"},
    {"otf", "font/otf"},
    {"pdf", "application/pdf"},
    {"wasm", "application/wasm"},
    {"mp4", "video/mp4"},
    {"webm", "video/webm"},
    {"mp3", "audio/mpeg"},
    {"ogg", "audio/ogg"},
    {"wav", "audio/wav"},
    {"zip", "application/zip"},
    {"gz", "application/gzip"},
    {"tar", "application/x-tar"},
};

const char *mote_http_mime_type(const char *name, size_t len)
{
    size_t dot = len;
    while (dot > 0 && name[dot - 1] != '.' && name[dot - 1] != '/')
        dot--;
    if (dot == 0 || name[dot - 1] != '.')
        return "application/octet-stream";
    struct mote_slice ext = {(const uint8_t *)name + dot, len - dot};
    for (size_t i = 0; i < sizeof(mime) / sizeof(mime[0]); i++)
        if (http__ieq(ext, mime[i].ext))
            return mime[i].type;
    return "application/octet-stream";
}
