/* abort: end the program abnormally. */
#include <stdlib.h>

#include <mote/platform.h>

_Noreturn void abort(void)
{
    mote_platform_abort();
}
