/* Sorting: reads little-endian u32 words from the public input (at most 65536), sorts them
 * with a heap sort, and commits the sorted words; prints their count, min and max. */
#include "crease.h"

#define MAX_WORDS 65536

static void sift_down(uint32_t *v, size_t root, size_t n) {
  for (;;) {
    size_t child = 2 * root + 1;
    if (child >= n) return;
    if (child + 1 < n && v[child + 1] > v[child]) child++;
    if (v[root] >= v[child]) return;
    uint32_t t = v[root];
    v[root] = v[child];
    v[child] = t;
    root = child;
  }
}

static void heap_sort(uint32_t *v, size_t n) {
  for (size_t i = n / 2; i-- > 0;) sift_down(v, i, n);
  for (size_t end = n; end-- > 1;) {
    uint32_t t = v[0];
    v[0] = v[end];
    v[end] = t;
    sift_down(v, 0, end);
  }
}

int main(void) {
  size_t len;
  const uint8_t *in = crease_public_input(&len);
  size_t n = len / 4;
  if (n > MAX_WORDS) crease_panic("too many words");
  /* Zeroed RAM, sized to the input (see crease_alloc on static arrays). */
  uint32_t *words = crease_alloc(n * sizeof *words);
  for (size_t i = 0; i < n; i++)
    words[i] = in[4 * i] | in[4 * i + 1] << 8 | in[4 * i + 2] << 16 | (uint32_t)in[4 * i + 3] << 24;
  heap_sort(words, n);
  for (size_t i = 1; i < n; i++)
    if (words[i - 1] > words[i]) crease_panic("not sorted");
  if (n)
    crease_printf("sorted %u words, min %u, max %u\n", (unsigned)n, words[0], words[n - 1]);
  else
    crease_printf("sorted 0 words\n");
  crease_commit(words, n * 4);
  return 0;
}
