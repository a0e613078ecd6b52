/* crt0.S - entry point of C guests: set gp, call main(0, 0), exit with its return value.
 * The NVM sets sp before the first instruction (docs/ABI.md), as qemu-user does. The
 * global pointer stays zero when the linker script does not define __global_pointer$. */
    .section .text._start, "ax", @progbits
    .globl _start
    .type _start, @function
    .weak __global_pointer$
_start:
    .option push
    .option norelax
    la gp, __global_pointer$
    .option pop
    li a0, 0
    li a1, 0
    call main
    li a7, 93
    ecall
    ebreak
    .size _start, . - _start
