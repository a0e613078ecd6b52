/* Knowledge of a factorization: the public input is n (a little-endian u64), the private
 * input holds p and q (little-endian u64s). Checks 1 < p <= q and p * q = n without
 * overflow, then commits n. Exits with 1 if the hint is wrong, 2 if an input is short. */
#include "crease.h"

static uint64_t read_u64(const uint8_t *b) {
  uint64_t x = 0;
  for (int i = 7; i >= 0; i--) x = x << 8 | b[i];
  return x;
}

int main(void) {
  size_t pub_len, priv_len;
  const uint8_t *pub = crease_public_input(&pub_len);
  const uint8_t *priv = crease_private_input(&priv_len);
  if (pub_len < 8) {
    crease_eprintf("public input must hold n as a u64\n");
    return 2;
  }
  if (priv_len < 16) {
    crease_eprintf("private input must hold p and q as u64s\n");
    return 2;
  }
  uint64_t n = read_u64(pub), p = read_u64(priv), q = read_u64(priv + 8);
  /* p * q fits in 64 bits when q <= UINT64_MAX / p. */
  if (p > 1 && p <= q && q <= UINT64_MAX / p && p * q == n) {
    crease_printf("%llu has a non-trivial factorization\n", (unsigned long long)n);
    crease_commit(pub, 8);
    return 0;
  }
  crease_eprintf("the hint is not a factorization of %llu\n", (unsigned long long)n);
  return 1;
}
