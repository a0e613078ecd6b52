/* crease_rt.c - the C runtime of Crease guests: output, printing, panics, and the helpers
 * clang expects on rv32im (64-bit division and the mem* functions), since Debian ships no
 * RV32 compiler-rt. */
#include "crease.h"

/* ---- public output ---------------------------------------------------------------- */

void crease_commit(const void *buf, size_t len) {
  volatile uint32_t *len_word = (volatile uint32_t *)(uintptr_t)CREASE_PUBLIC_OUTPUT;
  uint32_t old = *len_word;
  if (len > CREASE_REGION_SIZE - 4 || old > CREASE_REGION_SIZE - 4 - len)
    crease_panic("public output overflows its region");
  uint8_t *dst = (uint8_t *)(uintptr_t)(CREASE_PUBLIC_OUTPUT + 4 + old);
  const uint8_t *src = (const uint8_t *)buf;
  for (size_t i = 0; i < len; i++) dst[i] = src[i];
  *len_word = old + (uint32_t)len;
}

/* ---- printing --------------------------------------------------------------------- */

static size_t crease__strlen(const char *s) {
  size_t n = 0;
  while (s[n]) n++;
  return n;
}

void crease_print(const char *s) { crease_write(1, s, crease__strlen(s)); }

void crease_eprint(const char *s) { crease_write(2, s, crease__strlen(s)); }

/* Output is gathered in a small buffer so that one printf is a few write calls. */
struct crease__out {
  int fd;
  size_t used;
  int total;
  char buf[128];
};

static void crease__flush(struct crease__out *o) {
  if (o->used) crease_write(o->fd, o->buf, o->used);
  o->used = 0;
}

static void crease__putc(struct crease__out *o, char c) {
  if (o->used == sizeof o->buf) crease__flush(o);
  o->buf[o->used++] = c;
  o->total++;
}

static void crease__pad(struct crease__out *o, const char *digits, size_t n, int width,
                        char fill, int negative) {
  int len = (int)n + negative;
  if (negative && fill == '0') crease__putc(o, '-');
  for (; len < width; len++) crease__putc(o, fill);
  if (negative && fill != '0') crease__putc(o, '-');
  while (n) crease__putc(o, digits[--n]);
}

static void crease__number(struct crease__out *o, unsigned long long v, unsigned base,
                           int upper, int negative, int width, char fill) {
  const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  char digits[24];
  size_t n = 0;
  do {
    digits[n++] = set[v % base];
    v /= base;
  } while (v);
  crease__pad(o, digits, n, width, fill, negative);
}

int crease_vfprintf(int fd, const char *fmt, va_list ap) {
  struct crease__out o = {fd, 0, 0, {0}};
  for (; *fmt; fmt++) {
    if (*fmt != '%') {
      crease__putc(&o, *fmt);
      continue;
    }
    fmt++;
    char fill = ' ';
    int width = 0, longs = 0;
    if (*fmt == '0') {
      fill = '0';
      fmt++;
    }
    while (*fmt >= '0' && *fmt <= '9') width = width * 10 + (*fmt++ - '0');
    while (*fmt == 'l') {
      longs++;
      fmt++;
    }
    if (*fmt == 'z') fmt++; /* size_t is unsigned int on ilp32 */
    switch (*fmt) {
    case 'd':
    case 'i': {
      long long v = longs >= 2 ? va_arg(ap, long long) : longs ? va_arg(ap, long) : va_arg(ap, int);
      unsigned long long mag = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
      crease__number(&o, mag, 10, 0, v < 0, width, fill);
      break;
    }
    case 'u':
    case 'x':
    case 'X': {
      unsigned long long v = longs >= 2 ? va_arg(ap, unsigned long long)
                             : longs  ? va_arg(ap, unsigned long)
                                      : va_arg(ap, unsigned int);
      crease__number(&o, v, *fmt == 'u' ? 10 : 16, *fmt == 'X', 0, width, fill);
      break;
    }
    case 'p':
      crease__putc(&o, '0');
      crease__putc(&o, 'x');
      crease__number(&o, (uintptr_t)va_arg(ap, void *), 16, 0, 0, 8, '0');
      break;
    case 'c':
      crease__putc(&o, (char)va_arg(ap, int));
      break;
    case 's': {
      const char *s = va_arg(ap, const char *);
      if (!s) s = "(null)";
      size_t n = crease__strlen(s);
      for (int pad = width - (int)n; pad > 0; pad--) crease__putc(&o, ' ');
      while (*s) crease__putc(&o, *s++);
      break;
    }
    case '%':
      crease__putc(&o, '%');
      break;
    case '\0':
      fmt--;
      break;
    default:
      crease__putc(&o, '%');
      crease__putc(&o, *fmt);
    }
  }
  crease__flush(&o);
  return o.total;
}

int crease_printf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = crease_vfprintf(1, fmt, ap);
  va_end(ap);
  return n;
}

int crease_eprintf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = crease_vfprintf(2, fmt, ap);
  va_end(ap);
  return n;
}

void crease_panic(const char *msg) {
  crease_eprint("panicked: ");
  crease_eprint(msg);
  crease_eprint("\n");
  crease_exit(CREASE_PANIC_EXIT_CODE);
}

void *crease_alloc(size_t size) {
  static uint32_t next = CREASE_RAM_START;
  uint32_t start = (next + 7u) & ~7u;
  if (size > CREASE_HEAP_END - start) crease_panic("out of memory");
  next = start + (uint32_t)size;
  return (void *)(uintptr_t)start;
}

/* ---- 64-bit division (rv32im divides 32-bit words only) ---------------------------- */

/* Restoring shift-and-subtract division; uses no 64-bit division itself. */
static unsigned long long crease__udivmod(unsigned long long n, unsigned long long d,
                                          unsigned long long *rem) {
  if (d == 0) { /* as RISC-V DIVU/REMU: all ones, remainder n */
    if (rem) *rem = n;
    return ~0ull;
  }
  if ((n >> 32) == 0 && (d >> 32) == 0) {
    uint32_t n32 = (uint32_t)n, d32 = (uint32_t)d;
    if (rem) *rem = n32 % d32;
    return n32 / d32;
  }
  unsigned long long q = 0, r = 0;
  for (int i = 63; i >= 0; i--) {
    r = (r << 1) | ((n >> i) & 1);
    if (r >= d) {
      r -= d;
      q |= 1ull << i;
    }
  }
  if (rem) *rem = r;
  return q;
}

unsigned long long __udivdi3(unsigned long long n, unsigned long long d) {
  return crease__udivmod(n, d, 0);
}

unsigned long long __umoddi3(unsigned long long n, unsigned long long d) {
  unsigned long long r;
  crease__udivmod(n, d, &r);
  return r;
}

long long __divdi3(long long n, long long d) {
  unsigned long long un = n < 0 ? 0ull - (unsigned long long)n : (unsigned long long)n;
  unsigned long long ud = d < 0 ? 0ull - (unsigned long long)d : (unsigned long long)d;
  unsigned long long q = crease__udivmod(un, ud, 0);
  return (long long)((n < 0) != (d < 0) ? 0ull - q : q);
}

long long __moddi3(long long n, long long d) {
  unsigned long long un = n < 0 ? 0ull - (unsigned long long)n : (unsigned long long)n;
  unsigned long long ud = d < 0 ? 0ull - (unsigned long long)d : (unsigned long long)d;
  unsigned long long r;
  crease__udivmod(un, ud, &r);
  return (long long)(n < 0 ? 0ull - r : r);
}

/* ---- memory functions the compiler may call ------------------------------------------ */

void *memcpy(void *dst, const void *src, size_t n) {
  uint8_t *d = (uint8_t *)dst;
  const uint8_t *s = (const uint8_t *)src;
  if ((((uintptr_t)d | (uintptr_t)s) & 3) == 0) {
    for (; n >= 4; n -= 4, d += 4, s += 4) *(uint32_t *)d = *(const uint32_t *)s;
  }
  while (n--) *d++ = *s++;
  return dst;
}

void *memmove(void *dst, const void *src, size_t n) {
  uint8_t *d = (uint8_t *)dst;
  const uint8_t *s = (const uint8_t *)src;
  if (d == s || n == 0) return dst;
  if (d < s || d >= s + n) return memcpy(dst, src, n);
  while (n--) d[n] = s[n];
  return dst;
}

void *memset(void *dst, int c, size_t n) {
  uint8_t *d = (uint8_t *)dst;
  uint32_t word = (uint8_t)c * 0x01010101u;
  while (n && ((uintptr_t)d & 3)) {
    *d++ = (uint8_t)c;
    n--;
  }
  for (; n >= 4; n -= 4, d += 4) *(uint32_t *)d = word;
  while (n--) *d++ = (uint8_t)c;
  return dst;
}

int memcmp(const void *a, const void *b, size_t n) {
  const uint8_t *x = (const uint8_t *)a, *y = (const uint8_t *)b;
  for (size_t i = 0; i < n; i++)
    if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
  return 0;
}

size_t strlen(const char *s) { return crease__strlen(s); }
