/* Fibonacci: reads n (a little-endian u32, default 10) from the public input, prints F(n)
 * modulo 2^64 and commits it as a little-endian u64. */
#include "crease.h"

static uint64_t fib(uint32_t n) {
  uint64_t a = 0, b = 1;
  for (uint32_t i = 0; i < n; i++) {
    uint64_t next = a + b;
    a = b;
    b = next;
  }
  return a;
}

int main(void) {
  size_t len;
  const uint8_t *in = crease_public_input(&len);
  uint32_t n = 10;
  if (len >= 4) n = in[0] | in[1] << 8 | in[2] << 16 | (uint32_t)in[3] << 24;
  uint64_t f = fib(n);
  crease_printf("fib(%u) = %llu\n", n, (unsigned long long)f);
  crease_commit_u32((uint32_t)f);
  crease_commit_u32((uint32_t)(f >> 32));
  return 0;
}
