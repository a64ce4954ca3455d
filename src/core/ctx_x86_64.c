/* Fiber context switch for x86_64 (System V ABI). */
#include <stdint.h>

#include "core_int.h"

#if !defined(__x86_64__)
#error "NEEDSWORK: context switch for this architecture (aarch64 next)"
#endif

/* See the layout table in core_int.h. MXCSR and the x87 control word are
 * callee-saved by the ABI, so a fiber that changes its rounding mode must
 * not change it for the others. */
__asm__(".text\n"
        ".globl core__ctx_switch\n"
        ".type core__ctx_switch,@function\n"
        "core__ctx_switch:\n"
        "    pushq %rbp\n"
        "    pushq %rbx\n"
        "    pushq %r12\n"
        "    pushq %r13\n"
        "    pushq %r14\n"
        "    pushq %r15\n"
        "    subq $8, %rsp\n"
        "    stmxcsr (%rsp)\n"
        "    fnstcw 4(%rsp)\n"
        "    movq %rsp, (%rdi)\n"
        "    movq %rsi, %rsp\n"
        "    ldmxcsr (%rsp)\n"
        "    fldcw 4(%rsp)\n"
        "    addq $8, %rsp\n"
        "    popq %r15\n"
        "    popq %r14\n"
        "    popq %r13\n"
        "    popq %r12\n"
        "    popq %rbx\n"
        "    popq %rbp\n"
        "    ret\n"
        ".size core__ctx_switch, .-core__ctx_switch\n"
        "\n"
        /* First instruction of every fiber: rsp is 16-byte aligned here (see
         * core__ctx_make), as the ABI wants just before a call. */
        ".globl core__ctx_entry\n"
        ".type core__ctx_entry,@function\n"
        "core__ctx_entry:\n"
        "    movq %r12, %rdi\n"
        "    xorl %ebp, %ebp\n" /* end of the frame chain for debuggers */
        "    callq *%r13\n"
        "    ud2\n" /* fn must not return */
        ".size core__ctx_entry, .-core__ctx_entry\n");

void core__ctx_entry(void);

void *core__ctx_make(void *stack, size_t size, void (*fn)(void *), void *arg)
{
    uintptr_t top = ((uintptr_t)stack + size) & ~(uintptr_t)15;
    /* After the switch returns into core__ctx_entry, sp (one slot above the
     * return address) must be 16-byte aligned, so the return address sits
     * at top - 24, leaving 16 bytes of padding above. */
    uint64_t *sp = (uint64_t *)(top - 24);
    uint32_t mxcsr = 0x1f80; /* the ABI's initial value: all masked, RNE */
    uint16_t fpucw = 0x037f; /* likewise for x87 */
    sp[0] = (uint64_t)(uintptr_t)core__ctx_entry;
    sp -= 6;
    sp[5] = 0;                        /* rbp */
    sp[4] = 0;                        /* rbx */
    sp[3] = (uint64_t)(uintptr_t)arg; /* r12 */
    sp[2] = (uint64_t)(uintptr_t)fn;  /* r13 */
    sp[1] = 0;                        /* r14 */
    sp[0] = 0;                        /* r15 */
    sp -= 1;
    sp[0] = (uint64_t)mxcsr | ((uint64_t)fpucw << 32);
    return sp;
}
