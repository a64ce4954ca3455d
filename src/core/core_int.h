/* Core internals shared between the files of src/core. */
#ifndef MOTE_CORE_INT_H
#define MOTE_CORE_INT_H

#include <stddef.h>
#include <stdint.h>

/*
 * IMPLEMENTATION NOTES
 *
 * Context switch (ctx_x86_64.c). A suspended context is just its stack
 * pointer; the stack holds, from the saved sp upwards:
 *
 *   OFFSET SIZE MEANING
 *   0      4    MXCSR (SSE control/status: rounding mode, exception masks)
 *   4      2    x87 control word
 *   6      2    padding
 *   8      48   r15 r14 r13 r12 rbx rbp (callee-saved, SysV ABI)
 *   56     8    return address
 *
 * A new fiber's stack is built to look like that, with the return address
 * pointing at an entry trampoline and r12/r13 holding its argument and entry
 * function; everything caller-saved needs no saving because the switch is
 * an ordinary call.
 */

/* Save the current context's sp into *save and resume the context whose
 * sp is next. Returns when something switches back to *save. */
void core__ctx_switch(void **save, void *next);

/* Build the initial context for fn(arg) at the top of [stack, stack+size);
 * returns the sp to pass to core__ctx_switch. fn MUST NOT return. */
void *core__ctx_make(void *stack, size_t size, void (*fn)(void *), void *arg);

/* Spawn the main fiber running mote_main(argc, argv) and run the scheduler
 * until it returns; returns its status. */
int core__boot_run(int argc, char **argv);

#endif
