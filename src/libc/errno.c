/* errno: the one global error number (guests are single-threaded). */
#include <errno.h>

int errno;
