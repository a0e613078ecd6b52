/* crease.h - the runtime for C guest programs of the Crease zkVM.
 *
 * The same calls as the Rust runtime (crease-rt): public and private input, public output,
 * printing through the write system call, exit, and co-processor instructions. The memory
 * map and system calls are those of docs/ABI.md. Link with crt0.S, crease_rt.c and link.ld
 * (`crease build` does this; see docs/GUESTS.md). */
#ifndef CREASE_H
#define CREASE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Memory-mapped I/O regions: a little-endian u32 byte length, then the bytes. */
#define CREASE_PUBLIC_INPUT 0xF0000000u
#define CREASE_PRIVATE_INPUT 0xF4000000u
#define CREASE_PUBLIC_OUTPUT 0xF8000000u
#define CREASE_REGION_SIZE 0x04000000u

#define CREASE_SYS_WRITE 64
#define CREASE_SYS_EXIT 93

/* RAM (docs/ABI.md): zero-filled at start; crease_alloc hands it out from the bottom, the
 * stack grows down from its top. */
#define CREASE_RAM_START 0xC0000000u
#define CREASE_HEAP_END 0xE0000000u

/* The exit code of a guest that calls crease_panic. */
#define CREASE_PANIC_EXIT_CODE 101

/* write(fd, buf, len): fd 1 is stdout, 2 is stderr. Returns len, or a negative errno. */
static inline long crease_write(int fd, const void *buf, size_t len) {
  register long a0 __asm__("a0") = fd;
  register const void *a1 __asm__("a1") = buf;
  register size_t a2 __asm__("a2") = len;
  register long a7 __asm__("a7") = CREASE_SYS_WRITE;
  __asm__ volatile("ecall" : "+r"(a0) : "r"(a1), "r"(a2), "r"(a7) : "memory");
  return a0;
}

/* exit(code): stops the machine. */
static inline __attribute__((noreturn)) void crease_exit(int code) {
  register long a0 __asm__("a0") = code;
  register long a7 __asm__("a7") = CREASE_SYS_EXIT;
  __asm__ volatile("ecall" : : "r"(a0), "r"(a7) : "memory");
  __builtin_unreachable();
}

static inline const uint8_t *crease__region(uint32_t base, size_t *len) {
  uint32_t n = *(const volatile uint32_t *)(uintptr_t)base;
  if (n > CREASE_REGION_SIZE - 4) n = CREASE_REGION_SIZE - 4;
  if (len) *len = n;
  return (const uint8_t *)(uintptr_t)(base + 4);
}

/* The public input (known to the verifier); its length goes to *len. */
static inline const uint8_t *crease_public_input(size_t *len) {
  return crease__region(CREASE_PUBLIC_INPUT, len);
}

/* The private input (hints, known only to the prover); its length goes to *len. */
static inline const uint8_t *crease_private_input(size_t *len) {
  return crease__region(CREASE_PRIVATE_INPUT, len);
}

/* The number of bytes committed to the public output so far. */
static inline size_t crease_output_len(void) {
  return *(const volatile uint32_t *)(uintptr_t)CREASE_PUBLIC_OUTPUT;
}

/* Appends len bytes to the public output and updates its length word. Panics if the output
 * region would overflow. */
void crease_commit(const void *buf, size_t len);

/* Appends a u32, little-endian, to the public output. */
static inline void crease_commit_u32(uint32_t x) {
  uint8_t b[4] = {(uint8_t)x, (uint8_t)(x >> 8), (uint8_t)(x >> 16), (uint8_t)(x >> 24)};
  crease_commit(b, 4);
}

/* Prints a NUL-terminated string to stdout / stderr. */
void crease_print(const char *s);
void crease_eprint(const char *s);

/* A small printf to stdout / stderr: %d %i %u %x %X %c %s %p %%, the length modifiers l and
 * ll, a field width and the 0 flag (e.g. %08x). Returns the number of bytes written. */
int crease_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int crease_eprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int crease_vfprintf(int fd, const char *fmt, va_list ap);

/* Prints "panicked: <msg>" to stderr and exits with CREASE_PANIC_EXIT_CODE. */
__attribute__((noreturn)) void crease_panic(const char *msg);

/* `size` bytes of zeroed RAM, 8-byte aligned, never freed; panics when the heap (RAM up to
 * CREASE_HEAP_END) is exhausted. Prefer it to large zero-initialized static arrays: those
 * belong to the program image, and the prover finalizes every word of the image whether the
 * run touches it or not, while it pays only for the RAM words a run touches. */
void *crease_alloc(size_t size);

/* The memory functions crease_rt.c provides (no C library is linked). */
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);

/* Co-processor instructions: R-type in custom-0 (opcode 0x0b) or custom-1 (0x2b), selected
 * by funct3 (0..7) and funct7 (0..127), which must be integer constants. Evaluates to what
 * the instruction writes to rd:  uint32_t r = CREASE_CUSTOM0(0, 1, a, b);  */
#define CREASE_CUSTOM0(funct3, funct7, rs1, rs2) CREASE__INSN_R(0x0b, funct3, funct7, rs1, rs2)
#define CREASE_CUSTOM1(funct3, funct7, rs1, rs2) CREASE__INSN_R(0x2b, funct3, funct7, rs1, rs2)

#define CREASE__INSN_R(opcode, funct3, funct7, rs1, rs2)                                \
  __extension__({                                                                      \
    uint32_t crease__rd;                                                               \
    __asm__ volatile(".insn r %1, %2, %3, %0, %4, %5"                                  \
                     : "=r"(crease__rd)                                                \
                     : "i"(opcode), "i"(funct3), "i"(funct7), "r"((uint32_t)(rs1)),    \
                       "r"((uint32_t)(rs2))                                            \
                     : "memory");                                                      \
    crease__rd;                                                                        \
  })

/* The same with rs2 = x0, for instructions that read one register. */
#define CREASE_CUSTOM0_UNARY(funct3, funct7, rs1) CREASE__INSN_R1(0x0b, funct3, funct7, rs1)
#define CREASE_CUSTOM1_UNARY(funct3, funct7, rs1) CREASE__INSN_R1(0x2b, funct3, funct7, rs1)

#define CREASE__INSN_R1(opcode, funct3, funct7, rs1)                                    \
  __extension__({                                                                      \
    uint32_t crease__rd;                                                               \
    __asm__ volatile(".insn r %1, %2, %3, %0, %4, x0"                                  \
                     : "=r"(crease__rd)                                                \
                     : "i"(opcode), "i"(funct3), "i"(funct7), "r"((uint32_t)(rs1))     \
                     : "memory");                                                      \
    crease__rd;                                                                        \
  })

/* The example co-processor of examples/coprocessor: the SHA-256 sigma functions (custom-0,
 * funct7 = 1, funct3 selects the function of rs1). Run such a program with the co-processor
 * in the instruction set (`crease run --coprocessor sha256_sigma`). */
static inline uint32_t crease_sha256_big_sigma0(uint32_t x) { return CREASE_CUSTOM0_UNARY(0, 1, x); }
static inline uint32_t crease_sha256_big_sigma1(uint32_t x) { return CREASE_CUSTOM0_UNARY(1, 1, x); }
static inline uint32_t crease_sha256_small_sigma0(uint32_t x) { return CREASE_CUSTOM0_UNARY(2, 1, x); }
static inline uint32_t crease_sha256_small_sigma1(uint32_t x) { return CREASE_CUSTOM0_UNARY(3, 1, x); }

#ifdef __cplusplus
}
#endif

#endif /* CREASE_H */
