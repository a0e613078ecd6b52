/* SHA-256 and Keccak-256 (Ethereum's) of the public input on the hash co-processors
 * (sha256_compress, keccak_f1600): prints both digests in hex and commits their 64 bytes,
 * SHA-256's first, like examples/guests/hash. Run it with both co-processors in the
 * instruction set. */
#include "crease.h"

static void print_hex(const char *label, size_t len, const uint8_t digest[32]) {
  crease_printf("%s of %u bytes: ", label, (unsigned)len);
  for (int i = 0; i < 32; i++) crease_printf("%02x", digest[i]);
  crease_print("\n");
}

int main(void) {
  size_t len;
  const uint8_t *in = crease_public_input(&len);
  uint8_t sha[32], keccak[32];
  crease_sha256(in, len, sha);
  crease_keccak256(in, len, keccak);
  print_hex("sha256", len, sha);
  print_hex("keccak256", len, keccak);
  crease_commit(sha, 32);
  crease_commit(keccak, 32);
  return 0;
}
