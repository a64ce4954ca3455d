/* vsnprintf: the formatter behind the snprintf family. */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/*
 * The output sink counts every byte the format produces but stores only
 * those that fit, so truncation needs no second pass and a huge width costs
 * no more time than the buffer it fills. Lengths are size_t and checked
 * against INT_MAX after every conversion, which keeps the sum from wrapping
 * (no single conversion adds more than INT_MAX plus a few bytes, or the
 * length of one existing string).
 *
 * Where C leaves a combination undefined (the + flag on %p, say) the
 * behaviour copies glibc's, since portable code is tested against glibc.
 */

struct sink {
    char *buf;
    size_t cap; /* bytes that may be stored, excluding the NUL */
    size_t len; /* bytes produced so far, stored or not */
};

static void put(struct sink *o, const char *s, size_t n)
{
    if (o->len < o->cap) {
        size_t room = o->cap - o->len;
        memcpy(o->buf + o->len, s, n < room ? n : room);
    }
    o->len += n;
}

static void pad(struct sink *o, char c, size_t n)
{
    if (o->len < o->cap) {
        size_t room = o->cap - o->len;
        memset(o->buf + o->len, c, n < room ? n : room);
    }
    o->len += n;
}

enum {
    F_LEFT = 1,  /* - */
    F_PLUS = 2,  /* + */
    F_SPACE = 4, /* space */
    F_ALT = 8,   /* # */
    F_ZERO = 16, /* 0 */
};

struct spec {
    unsigned flags;
    size_t width;
    long prec; /* -1: none given */
};

/* Pads a field of len bytes to the width: spaces before unless F_LEFT. */
static void pad_before(struct sink *o, const struct spec *sp, size_t len)
{
    if (!(sp->flags & F_LEFT) && sp->width > len)
        pad(o, ' ', sp->width - len);
}

static void pad_after(struct sink *o, const struct spec *sp, size_t len)
{
    if ((sp->flags & F_LEFT) && sp->width > len)
        pad(o, ' ', sp->width - len);
}

static void fmt_str(struct sink *o, const struct spec *sp, const char *s)
{
    /* With a precision, s need not be terminated: never read past it. */
    size_t n = sp->prec >= 0 ? strnlen(s, (size_t)sp->prec) : strlen(s);

    pad_before(o, sp, n);
    put(o, s, n);
    pad_after(o, sp, n);
}

/*
 * One integer conversion. The field is laid out as
 *
 *     [spaces] [sign or 0x] [zeros] digits [spaces]
 *
 * where the zeros come from the precision, from # on octal (a leading 0),
 * or from the 0 flag when no precision is given.
 */
static void fmt_int(struct sink *o, const struct spec *sp, uintmax_t mag,
                    int neg, unsigned base, int upper)
{
    const char *xdigits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char digits[3 * sizeof(uintmax_t)]; /* 22 octal digits for 64 bits */
    size_t nd = 0;
    char prefix[3]; /* sign and 0x: %+p prints "+0x" */
    size_t np = 0;

    /* Digits, least significant first. Precision 0 prints no digit for 0. */
    if (!(mag == 0 && sp->prec == 0)) {
        do {
            digits[nd++] = xdigits[mag % base];
            mag /= base;
        } while (mag);
    }

    if (neg)
        prefix[np++] = '-';
    else if (sp->flags & F_PLUS)
        prefix[np++] = '+';
    else if (sp->flags & F_SPACE)
        prefix[np++] = ' ';
    if ((sp->flags & F_ALT) && base == 16 && nd && digits[nd - 1] != '0') {
        prefix[np++] = '0';
        prefix[np++] = upper ? 'X' : 'x';
    }

    size_t zeros = 0;
    if (sp->prec >= 0 && (size_t)sp->prec > nd)
        zeros = (size_t)sp->prec - nd;
    /* C11 7.21.6.1: # on o raises the precision just enough for the first
     * digit to be 0. */
    if ((sp->flags & F_ALT) && base == 8 && zeros == 0 &&
        (nd == 0 || digits[nd - 1] != '0'))
        zeros = 1;
    size_t len = np + zeros + nd;
    if ((sp->flags & (F_ZERO | F_LEFT)) == F_ZERO && sp->prec < 0 &&
        sp->width > len) {
        zeros += sp->width - len;
        len = sp->width;
    }

    pad_before(o, sp, len);
    put(o, prefix, np);
    pad(o, '0', zeros);
    while (nd)
        put(o, &digits[--nd], 1);
    pad_after(o, sp, len);
}

/* Length modifiers. */
enum len { L_NONE, L_HH, L_H, L_L, L_LL, L_J, L_Z, L_T, L_BIG_L };

_Static_assert(sizeof(size_t) == sizeof(ptrdiff_t),
               "%zd reads ptrdiff_t as the signed size_t");

static intmax_t arg_signed(va_list *ap, enum len lm)
{
    switch (lm) {
    case L_HH:
        return (signed char)va_arg(*ap, int);
    case L_H:
        return (short)va_arg(*ap, int);
    case L_L:
        return va_arg(*ap, long);
    case L_LL:
    case L_BIG_L:
        return va_arg(*ap, long long);
    case L_J:
        return va_arg(*ap, intmax_t);
    case L_Z:
    case L_T:
        return va_arg(*ap, ptrdiff_t);
    case L_NONE:
        break;
    }
    return va_arg(*ap, int);
}

static uintmax_t arg_unsigned(va_list *ap, enum len lm)
{
    switch (lm) {
    case L_HH:
        return (unsigned char)va_arg(*ap, unsigned);
    case L_H:
        return (unsigned short)va_arg(*ap, unsigned);
    case L_L:
        return va_arg(*ap, unsigned long);
    case L_LL:
    case L_BIG_L:
        return va_arg(*ap, unsigned long long);
    case L_J:
        return va_arg(*ap, uintmax_t);
    case L_Z:
    case L_T:
        return va_arg(*ap, size_t);
    case L_NONE:
        break;
    }
    return va_arg(*ap, unsigned);
}

/* Reads decimal digits; returns -1 (and leaves *pp anywhere) if the number
 * exceeds INT_MAX, which glibc reports as EOVERFLOW. */
static long read_num(const char **pp)
{
    const char *p = *pp;
    long v = 0;

    while ((unsigned)*p - '0' < 10) {
        v = v * 10 + (*p++ - '0');
        if (v > INT_MAX)
            return -1;
    }
    *pp = p;
    return v;
}

int vsnprintf(char *restrict s, size_t n, const char *restrict format,
              va_list arg)
{
    struct sink o = {s, n ? n - 1 : 0, 0};
    const char *p = format;
    va_list ap;
    int overflow = 0;

    /* va_copy so helpers can take a pointer to it: a va_list parameter may
     * be an array type, whose address is not a va_list *. */
    va_copy(ap, arg);
    while (*p) {
        if (*p != '%') {
            const char *q = p;
            while (*q && *q != '%')
                q++;
            put(&o, p, (size_t)(q - p));
            p = q;
            continue;
        }

        const char *start = p++;
        struct spec sp = {0, 0, -1};
        for (;; p++) {
            unsigned f = *p == '-'   ? F_LEFT
                         : *p == '+' ? F_PLUS
                         : *p == ' ' ? F_SPACE
                         : *p == '#' ? F_ALT
                         : *p == '0' ? F_ZERO
                                     : 0;
            if (!f)
                break;
            sp.flags |= f;
        }

        if (*p == '*') {
            p++;
            int w = va_arg(ap, int);
            if (w < 0) {
                /* A negative * width is the - flag; -INT_MIN would not
                 * fit, and the field could not be printed anyway. */
                if (w == INT_MIN) {
                    overflow = 1;
                    break;
                }
                sp.flags |= F_LEFT;
                w = -w;
            }
            sp.width = (size_t)w;
        } else {
            long w = read_num(&p);
            if (w < 0) {
                overflow = 1;
                break;
            }
            sp.width = (size_t)w;
        }

        if (*p == '.') {
            p++;
            if (*p == '*') {
                p++;
                int pr = va_arg(ap, int);
                sp.prec = pr < 0 ? -1 : pr;
            } else {
                sp.prec = read_num(&p);
                if (sp.prec < 0) {
                    overflow = 1;
                    break;
                }
            }
        }

        enum len lm = L_NONE;
        switch (*p) {
        case 'h':
            lm = p[1] == 'h' ? L_HH : L_H;
            p += lm == L_HH ? 2 : 1;
            break;
        case 'l':
            lm = p[1] == 'l' ? L_LL : L_L;
            p += lm == L_LL ? 2 : 1;
            break;
        case 'j':
            lm = L_J;
            p++;
            break;
        case 'z':
            lm = L_Z;
            p++;
            break;
        case 't':
            lm = L_T;
            p++;
            break;
        case 'L':
            lm = L_BIG_L;
            p++;
            break;
        }

        char conv = *p;
        if (conv)
            p++;
        switch (conv) {
        case 'd':
        case 'i': {
            intmax_t v = arg_signed(&ap, lm);
            /* The magnitude in the unsigned type: -INTMAX_MIN does not fit
             * in intmax_t. */
            uintmax_t mag = v < 0 ? -(uintmax_t)v : (uintmax_t)v;
            fmt_int(&o, &sp, mag, v < 0, 10, 0);
            break;
        }
        case 'u':
        case 'o':
        case 'x':
        case 'X':
            /* C11 7.21.6.1: + and space apply to signed conversions only;
             * glibc ignores them here. */
            sp.flags &= ~(unsigned)(F_PLUS | F_SPACE);
            fmt_int(&o, &sp, arg_unsigned(&ap, lm), 0,
                    conv == 'u'   ? 10
                    : conv == 'o' ? 8
                                  : 16,
                    conv == 'X');
            break;
        case 'p': {
            void *ptr = va_arg(ap, void *);
            if (ptr) {
                /* glibc prints a pointer as %#lx, keeping + and space. */
                sp.flags |= F_ALT;
                fmt_int(&o, &sp, (uintptr_t)ptr, 0, 16, 0);
            } else {
                /* glibc: "(nil)", never shortened by a precision. */
                if (sp.prec >= 0 && sp.prec < 5)
                    sp.prec = 5;
                fmt_str(&o, &sp, "(nil)");
            }
            break;
        }
        case 'c':
            if (lm == L_L) {
                (void)va_arg(ap, unsigned); /* wint_t: not supported */
                put(&o, start, (size_t)(p - start));
            } else {
                char c = (char)va_arg(ap, int);
                pad_before(&o, &sp, 1);
                put(&o, &c, 1);
                pad_after(&o, &sp, 1);
            }
            break;
        case 's': {
            const char *str = va_arg(ap, const char *);
            if (lm == L_L) {
                put(&o, start, (size_t)(p - start)); /* wide: unsupported */
            } else {
                /* glibc prints what fits of "(null)": all or nothing. */
                if (!str)
                    str = sp.prec < 0 || sp.prec >= 6 ? "(null)" : "";
                fmt_str(&o, &sp, str);
            }
            break;
        }
        case '%':
            put(&o, "%", 1);
            break;
        case 'n':
            /* Writing through a pointer taken from the argument list is
             * what turns format-string bugs into exploits: consume the
             * pointer and store nothing. */
            (void)va_arg(ap, void *);
            break;
        case 'f':
        case 'F':
        case 'e':
        case 'E':
        case 'g':
        case 'G':
        case 'a':
        case 'A':
            /* No floating point: consume the argument so the ones after it
             * stay in step, and show the conversion itself so the gap is
             * visible in the output. */
            if (lm == L_BIG_L)
                (void)va_arg(ap, long double);
            else
                (void)va_arg(ap, double);
            put(&o, start, (size_t)(p - start));
            break;
        default:
            /* Unknown (or %1$d): the argument's type is unknown, so consume
             * nothing and print the text as it stands. */
            put(&o, start, (size_t)(p - start));
            break;
        }
        if (o.len > INT_MAX) {
            overflow = 1;
            break;
        }
    }
    va_end(ap);

    if (n)
        s[o.len < o.cap ? o.len : o.cap] = '\0';
    if (overflow || o.len > INT_MAX) {
        errno = EOVERFLOW;
        return -1;
    }
    return (int)o.len;
}
