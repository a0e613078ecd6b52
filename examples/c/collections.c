/* Collections in an arena (the C counterpart of the Rust guest's Vec): for each start
 * value up to n (a little-endian u32 from the public input, default 30) it stores the Collatz
 * sequence in arena-allocated growable arrays, keeps the longest, and commits its start
 * value, its length and the sum of all lengths, as little-endian u32s. */
#include "crease.h"

/* The arena is RAM from crease_alloc: a static array would be part of the program image,
 * which the prover finalizes word by word whether the run touches it or not. */
static void *arena_alloc(size_t size) { return crease_alloc(size); }

/* A growable array of u64, doubling into fresh arena space. */
struct vec {
  uint64_t *items;
  size_t len, cap;
};

static void vec_push(struct vec *v, uint64_t x) {
  if (v->len == v->cap) {
    size_t cap = v->cap ? 2 * v->cap : 4;
    uint64_t *items = arena_alloc(cap * sizeof *items);
    memcpy(items, v->items, v->len * sizeof *items);
    v->items = items;
    v->cap = cap;
  }
  v->items[v->len++] = x;
}

static struct vec collatz(uint64_t x) {
  struct vec seq = {0, 0, 0};
  vec_push(&seq, x);
  while (x != 1) {
    x = x % 2 == 0 ? x / 2 : 3 * x + 1;
    vec_push(&seq, x);
  }
  return seq;
}

int main(void) {
  size_t len;
  const uint8_t *in = crease_public_input(&len);
  uint32_t n = 30;
  if (len >= 4) n = in[0] | in[1] << 8 | in[2] << 16 | (uint32_t)in[3] << 24;
  if (n == 0) n = 1;
  struct vec *all = arena_alloc(n * sizeof *all);
  size_t total = 0, best = 0;
  for (uint32_t i = 0; i < n; i++) {
    all[i] = collatz(i + 1);
    total += all[i].len;
    if (all[i].len > all[best].len) best = i;
  }
  uint64_t peak = 0;
  for (size_t i = 0; i < all[best].len; i++)
    if (all[best].items[i] > peak) peak = all[best].items[i];
  crease_printf("longest Collatz sequence up to %u starts at %llu (%u terms, peak %llu)\n", n,
                (unsigned long long)all[best].items[0], (unsigned)all[best].len,
                (unsigned long long)peak);
  crease_commit_u32((uint32_t)all[best].items[0]);
  crease_commit_u32((uint32_t)all[best].len);
  crease_commit_u32((uint32_t)total);
  return 0;
}
