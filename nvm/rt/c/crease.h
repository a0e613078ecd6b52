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

/* ---- hash co-processors ------------------------------------------------------------
 *
 * SHA-256 on `sha256_compress` (custom-1, funct3 = 0: one 64-byte block per instruction,
 * two cycles) and Ethereum's Keccak-256 (padding 0x01 ... 0x80, rate 136) on `keccak_f1600`
 * (custom-1, funct3 = 1: one permutation per instruction, four cycles). Run a program that
 * uses them with the co-processors in the instruction set (`crease run --coprocessor
 * sha256_compress --coprocessor keccak_f1600`).
 *
 * They are static inline here rather than in crease_rt.c: every guest links crease_rt.c
 * whole, and the prover pays for every word of a program's image, used or not. */

/* The eight-word SHA-256 state: one compression with a 64-byte block in message order
 * (word i is bytes 4i..4i+4, big-endian: pass input bytes as they are). A block that is
 * not 4-byte aligned is first copied to an aligned buffer. */
static inline void crease_sha256_compress(uint32_t state[8], const uint8_t block[64]) {
  uint32_t aligned[16];
  if ((uintptr_t)block & 3) {
    for (int i = 0; i < 16; i++) /* the bytes in memory order: little-endian words */
      aligned[i] = (uint32_t)block[4 * i] | (uint32_t)block[4 * i + 1] << 8 |
                   (uint32_t)block[4 * i + 2] << 16 | (uint32_t)block[4 * i + 3] << 24;
    block = (const uint8_t *)aligned;
  }
  __asm__ volatile(".insn r 0x2b, 0, 0, x0, %0, %1" : : "r"(state), "r"(block) : "memory");
}

/* Keccak-f[1600] of 25 lanes (lane x + 5y at index x + 5y), in place. */
static inline void crease_keccak_f1600(uint64_t state[25]) {
  __asm__ volatile(".insn r 0x2b, 1, 0, x0, %0, x0" : : "r"(state) : "memory");
}

/* Word access to bytes of any type (the compiler may not assume they are not aliased). */
typedef uint32_t crease__word __attribute__((may_alias));

/* Streaming SHA-256: init, update as often as needed, final. */
typedef struct {
  uint32_t state[8];
  uint32_t block[16]; /* the partial block's bytes, in memory order */
  uint64_t len;       /* bytes hashed so far */
} crease_sha256_ctx;

static inline void crease_sha256_init(crease_sha256_ctx *c) {
  static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  for (int i = 0; i < 8; i++) c->state[i] = iv[i];
  c->len = 0;
}

static inline void crease_sha256_update(crease_sha256_ctx *c, const void *data, size_t len) {
  const uint8_t *p = (const uint8_t *)data;
  uint8_t *buf = (uint8_t *)c->block;
  size_t pos = (size_t)(c->len & 63);
  c->len += len;
  if (pos) {
    while (len && pos < 64) {
      buf[pos++] = *p++;
      len--;
    }
    if (pos < 64) return;
    crease_sha256_compress(c->state, buf);
  }
  for (; len >= 64; p += 64, len -= 64) crease_sha256_compress(c->state, p);
  for (size_t i = 0; i < len; i++) buf[i] = p[i];
}

static inline void crease_sha256_final(crease_sha256_ctx *c, uint8_t out[32]) {
  uint8_t *buf = (uint8_t *)c->block;
  size_t pos = (size_t)(c->len & 63);
  uint64_t bits = c->len << 3;
  buf[pos++] = 0x80;
  if (pos > 56) {
    while (pos < 64) buf[pos++] = 0;
    crease_sha256_compress(c->state, buf);
    pos = 0;
  }
  while (pos < 56) buf[pos++] = 0;
  for (int i = 0; i < 8; i++) buf[56 + i] = (uint8_t)(bits >> (56 - 8 * i));
  crease_sha256_compress(c->state, buf);
  for (int i = 0; i < 32; i++) out[i] = (uint8_t)(c->state[i / 4] >> (24 - 8 * (i % 4)));
}

/* SHA-256 of len bytes at data, into out. */
static inline void crease_sha256(const void *data, size_t len, uint8_t out[32]) {
  crease_sha256_ctx c;
  crease_sha256_init(&c);
  crease_sha256_update(&c, data, len);
  crease_sha256_final(&c, out);
}

/* Streaming Keccak-256: the message is XORed into the state's bytes (lanes little-endian),
 * a permutation after every 136. */
#define CREASE_KECCAK256_RATE 136

typedef struct {
  uint64_t state[25];
  size_t pos; /* bytes absorbed into the current block */
} crease_keccak256_ctx;

static inline void crease_keccak256_init(crease_keccak256_ctx *c) {
  for (int i = 0; i < 25; i++) c->state[i] = 0;
  c->pos = 0;
}

static inline void crease_keccak256_update(crease_keccak256_ctx *c, const void *data, size_t len) {
  const uint8_t *p = (const uint8_t *)data;
  uint8_t *s = (uint8_t *)c->state;
  size_t pos = c->pos;
  while (len) {
    if (pos == 0 && len >= CREASE_KECCAK256_RATE && !((uintptr_t)p & 3)) {
      /* a whole aligned block: a word at a time */
      crease__word *w = (crease__word *)c->state;
      const crease__word *q = (const crease__word *)p;
      for (int i = 0; i < CREASE_KECCAK256_RATE / 4; i++) w[i] ^= q[i];
      pos = CREASE_KECCAK256_RATE;
      p += CREASE_KECCAK256_RATE;
      len -= CREASE_KECCAK256_RATE;
    } else {
      s[pos++] ^= *p++;
      len--;
    }
    if (pos == CREASE_KECCAK256_RATE) {
      crease_keccak_f1600(c->state);
      pos = 0;
    }
  }
  c->pos = pos;
}

static inline void crease_keccak256_final(crease_keccak256_ctx *c, uint8_t out[32]) {
  uint8_t *s = (uint8_t *)c->state;
  s[c->pos] ^= 0x01;
  s[CREASE_KECCAK256_RATE - 1] ^= 0x80;
  crease_keccak_f1600(c->state);
  for (int i = 0; i < 32; i++) out[i] = s[i];
}

/* Keccak-256 of len bytes at data, into out. */
static inline void crease_keccak256(const void *data, size_t len, uint8_t out[32]) {
  crease_keccak256_ctx c;
  crease_keccak256_init(&c);
  crease_keccak256_update(&c, data, len);
  crease_keccak256_final(&c, out);
}

#ifdef __cplusplus
}
#endif

#endif /* CREASE_H */
