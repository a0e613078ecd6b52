/* Prime sieve: reads a limit (a little-endian u32, default 1000, at most 2^20) from the
 * public input, counts the primes up to it with the sieve of Eratosthenes, prints the count
 * and the largest, and commits both as little-endian u32s. */
#include "crease.h"

#define MAX_LIMIT (1u << 20)

int main(void) {
  size_t len;
  const uint8_t *in = crease_public_input(&len);
  uint32_t limit = 1000;
  if (len >= 4) limit = in[0] | in[1] << 8 | in[2] << 16 | (uint32_t)in[3] << 24;
  if (limit > MAX_LIMIT) crease_panic("limit too large");
  /* Zeroed RAM, sized to the limit (see crease_alloc on static arrays). */
  uint8_t *composite = crease_alloc(limit + 1);
  uint32_t count = 0, largest = 0;
  for (uint32_t i = 2; i <= limit; i++) {
    if (composite[i]) continue;
    count++;
    largest = i;
    for (uint64_t j = (uint64_t)i * i; j <= limit; j += i) composite[j] = 1;
  }
  crease_printf("%u primes up to %u, the largest is %u\n", count, limit, largest);
  crease_commit_u32(count);
  crease_commit_u32(largest);
  return 0;
}
