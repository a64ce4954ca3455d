/* Character classification in the "C" locale. */
#include <ctype.h>

/*
 * Range tests on the value instead of a table: EOF and bytes 128-255 fall
 * outside every range, and no argument can index out of bounds. The
 * unsigned subtraction folds each two-sided range test into one compare.
 */

int isdigit(int c)
{
    return (unsigned)c - '0' < 10;
}

int islower(int c)
{
    return (unsigned)c - 'a' < 26;
}

int isupper(int c)
{
    return (unsigned)c - 'A' < 26;
}

int isalpha(int c)
{
    return islower(c) || isupper(c);
}

int isalnum(int c)
{
    return isalpha(c) || isdigit(c);
}

int isxdigit(int c)
{
    return isdigit(c) || (unsigned)c - 'a' < 6 || (unsigned)c - 'A' < 6;
}

int isblank(int c)
{
    return c == ' ' || c == '\t';
}

int isspace(int c)
{
    return c == ' ' || (unsigned)c - '\t' < 5; /* \t \n \v \f \r */
}

int iscntrl(int c)
{
    return (unsigned)c < 0x20 || c == 0x7f;
}

int isprint(int c)
{
    return (unsigned)c - 0x20 < 0x5f; /* ' ' through '~' */
}

int isgraph(int c)
{
    return (unsigned)c - 0x21 < 0x5e; /* '!' through '~' */
}

int ispunct(int c)
{
    return isgraph(c) && !isalnum(c);
}

int tolower(int c)
{
    return isupper(c) ? c + ('a' - 'A') : c;
}

int toupper(int c)
{
    return islower(c) ? c - ('a' - 'A') : c;
}
