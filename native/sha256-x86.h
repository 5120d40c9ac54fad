// SHA-256 block compression with the x86 SHA extensions, after Intel's published sequence
// ("Intel SHA Extensions", 2013) as popularised by Jeffrey Walton's public-domain SHA-Intrinsics.
// The caller checks for the extensions at run time (__builtin_cpu_supports("sha")).
#ifndef STRATA_SHA256_X86_H
#define STRATA_SHA256_X86_H

#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>

static const uint32_t SHA256_K[64] = {
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static const uint32_t SHA256_IV[8] = {
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

// Four rounds: STATE1/STATE0 advance by the message words in `w` plus their round constants.
#define SHA_ROUNDS4(w, k)                                            \
  do {                                                               \
    __m128i m = _mm_add_epi32((w), _mm_loadu_si128((const __m128i*)(k))); \
    state1 = _mm_sha256rnds2_epu32(state1, state0, m);               \
    m = _mm_shuffle_epi32(m, 0x0E);                                  \
    state0 = _mm_sha256rnds2_epu32(state0, state1, m);               \
  } while (0)

// Compresses `blocks` 64-byte blocks of `data` into `state` (eight words, A..H).
__attribute__((target("sha,sse4.1,ssse3"))) static void sha256_blocks_x86(uint32_t state[8], const uint8_t* data,
                                                                            size_t blocks) {
  const __m128i mask = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
  __m128i tmp = _mm_loadu_si128((const __m128i*)&state[0]);
  __m128i state1 = _mm_loadu_si128((const __m128i*)&state[4]);
  tmp = _mm_shuffle_epi32(tmp, 0xB1);          // CDAB
  state1 = _mm_shuffle_epi32(state1, 0x1B);    // EFGH
  __m128i state0 = _mm_alignr_epi8(tmp, state1, 8);  // ABEF
  state1 = _mm_blend_epi16(state1, tmp, 0xF0);        // CDGH

  for (; blocks > 0; blocks -= 1, data += 64) {
    const __m128i abef = state0;
    const __m128i cdgh = state1;
    __m128i w0 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i*)(data + 0)), mask);
    __m128i w1 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i*)(data + 16)), mask);
    __m128i w2 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i*)(data + 32)), mask);
    __m128i w3 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i*)(data + 48)), mask);

    SHA_ROUNDS4(w0, &SHA256_K[0]);
    SHA_ROUNDS4(w1, &SHA256_K[4]);
    w0 = _mm_sha256msg1_epu32(w0, w1);
    SHA_ROUNDS4(w2, &SHA256_K[8]);
    w1 = _mm_sha256msg1_epu32(w1, w2);
    SHA_ROUNDS4(w3, &SHA256_K[12]);
    // rounds 16-63: each group of four extends the schedule by four words
    for (int r = 16; r < 64; r += 16) {
      w0 = _mm_sha256msg2_epu32(_mm_add_epi32(w0, _mm_alignr_epi8(w3, w2, 4)), w3);
      w2 = _mm_sha256msg1_epu32(w2, w3);
      SHA_ROUNDS4(w0, &SHA256_K[r]);
      w1 = _mm_sha256msg2_epu32(_mm_add_epi32(w1, _mm_alignr_epi8(w0, w3, 4)), w0);
      w3 = _mm_sha256msg1_epu32(w3, w0);
      SHA_ROUNDS4(w1, &SHA256_K[r + 4]);
      w2 = _mm_sha256msg2_epu32(_mm_add_epi32(w2, _mm_alignr_epi8(w1, w0, 4)), w1);
      w0 = _mm_sha256msg1_epu32(w0, w1);
      SHA_ROUNDS4(w2, &SHA256_K[r + 8]);
      w3 = _mm_sha256msg2_epu32(_mm_add_epi32(w3, _mm_alignr_epi8(w2, w1, 4)), w2);
      w1 = _mm_sha256msg1_epu32(w1, w2);
      SHA_ROUNDS4(w3, &SHA256_K[r + 12]);
    }
    state0 = _mm_add_epi32(state0, abef);
    state1 = _mm_add_epi32(state1, cdgh);
  }

  tmp = _mm_shuffle_epi32(state0, 0x1B);        // FEBA
  state1 = _mm_shuffle_epi32(state1, 0xB1);     // DCHG
  state0 = _mm_blend_epi16(tmp, state1, 0xF0);  // DCBA
  state1 = _mm_alignr_epi8(state1, tmp, 8);     // ABEF
  _mm_storeu_si128((__m128i*)&state[0], state0);
  _mm_storeu_si128((__m128i*)&state[4], state1);
}

// Two independent messages of `blocks` 64-byte blocks each, compressed side by side: the SHA
// round instruction has several cycles of latency but can issue more often, so interleaving two
// dependency chains keeps the unit busy (as Linux's sha256_ni_x2 does for dm-verity). Commitment
// leaves and tree nodes come in many equal-length messages, exactly this shape.
#define SHA_ROUNDS4_X2(wa, wb, k)                                       \
  do {                                                                  \
    const __m128i kk = _mm_loadu_si128((const __m128i*)(k));            \
    __m128i ma = _mm_add_epi32((wa), kk);                               \
    __m128i mb = _mm_add_epi32((wb), kk);                               \
    a1 = _mm_sha256rnds2_epu32(a1, a0, ma);                             \
    b1 = _mm_sha256rnds2_epu32(b1, b0, mb);                             \
    ma = _mm_shuffle_epi32(ma, 0x0E);                                   \
    mb = _mm_shuffle_epi32(mb, 0x0E);                                   \
    a0 = _mm_sha256rnds2_epu32(a0, a1, ma);                             \
    b0 = _mm_sha256rnds2_epu32(b0, b1, mb);                             \
  } while (0)

#define SHA_SCHEDULE(w0, w1, w2, w3) \
  w0 = _mm_sha256msg2_epu32(_mm_add_epi32(w0, _mm_alignr_epi8(w3, w2, 4)), w3)

__attribute__((target("sha,sse4.1,ssse3"))) static void sha256_blocks_x86_x2(uint32_t state_a[8], const uint8_t* data_a,
                                                                               uint32_t state_b[8], const uint8_t* data_b,
                                                                               size_t blocks) {
  const __m128i mask = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
  __m128i tmp = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i*)&state_a[0]), 0xB1);
  __m128i a1 = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i*)&state_a[4]), 0x1B);
  __m128i a0 = _mm_alignr_epi8(tmp, a1, 8);
  a1 = _mm_blend_epi16(a1, tmp, 0xF0);
  tmp = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i*)&state_b[0]), 0xB1);
  __m128i b1 = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i*)&state_b[4]), 0x1B);
  __m128i b0 = _mm_alignr_epi8(tmp, b1, 8);
  b1 = _mm_blend_epi16(b1, tmp, 0xF0);

  for (; blocks > 0; blocks -= 1, data_a += 64, data_b += 64) {
    const __m128i a_abef = a0, a_cdgh = a1, b_abef = b0, b_cdgh = b1;
    __m128i x0 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i*)(data_a + 0)), mask);
    __m128i x1 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i*)(data_a + 16)), mask);
    __m128i x2 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i*)(data_a + 32)), mask);
    __m128i x3 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i*)(data_a + 48)), mask);
    __m128i y0 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i*)(data_b + 0)), mask);
    __m128i y1 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i*)(data_b + 16)), mask);
    __m128i y2 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i*)(data_b + 32)), mask);
    __m128i y3 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i*)(data_b + 48)), mask);

    SHA_ROUNDS4_X2(x0, y0, &SHA256_K[0]);
    SHA_ROUNDS4_X2(x1, y1, &SHA256_K[4]);
    x0 = _mm_sha256msg1_epu32(x0, x1);
    y0 = _mm_sha256msg1_epu32(y0, y1);
    SHA_ROUNDS4_X2(x2, y2, &SHA256_K[8]);
    x1 = _mm_sha256msg1_epu32(x1, x2);
    y1 = _mm_sha256msg1_epu32(y1, y2);
    SHA_ROUNDS4_X2(x3, y3, &SHA256_K[12]);
    for (int r = 16; r < 64; r += 16) {
      SHA_SCHEDULE(x0, x1, x2, x3);
      SHA_SCHEDULE(y0, y1, y2, y3);
      x2 = _mm_sha256msg1_epu32(x2, x3);
      y2 = _mm_sha256msg1_epu32(y2, y3);
      SHA_ROUNDS4_X2(x0, y0, &SHA256_K[r]);
      SHA_SCHEDULE(x1, x2, x3, x0);
      SHA_SCHEDULE(y1, y2, y3, y0);
      x3 = _mm_sha256msg1_epu32(x3, x0);
      y3 = _mm_sha256msg1_epu32(y3, y0);
      SHA_ROUNDS4_X2(x1, y1, &SHA256_K[r + 4]);
      SHA_SCHEDULE(x2, x3, x0, x1);
      SHA_SCHEDULE(y2, y3, y0, y1);
      x0 = _mm_sha256msg1_epu32(x0, x1);
      y0 = _mm_sha256msg1_epu32(y0, y1);
      SHA_ROUNDS4_X2(x2, y2, &SHA256_K[r + 8]);
      SHA_SCHEDULE(x3, x0, x1, x2);
      SHA_SCHEDULE(y3, y0, y1, y2);
      x1 = _mm_sha256msg1_epu32(x1, x2);
      y1 = _mm_sha256msg1_epu32(y1, y2);
      SHA_ROUNDS4_X2(x3, y3, &SHA256_K[r + 12]);
    }
    a0 = _mm_add_epi32(a0, a_abef);
    a1 = _mm_add_epi32(a1, a_cdgh);
    b0 = _mm_add_epi32(b0, b_abef);
    b1 = _mm_add_epi32(b1, b_cdgh);
  }

  tmp = _mm_shuffle_epi32(a0, 0x1B);
  a1 = _mm_shuffle_epi32(a1, 0xB1);
  _mm_storeu_si128((__m128i*)&state_a[0], _mm_blend_epi16(tmp, a1, 0xF0));
  _mm_storeu_si128((__m128i*)&state_a[4], _mm_alignr_epi8(a1, tmp, 8));
  tmp = _mm_shuffle_epi32(b0, 0x1B);
  b1 = _mm_shuffle_epi32(b1, 0xB1);
  _mm_storeu_si128((__m128i*)&state_b[0], _mm_blend_epi16(tmp, b1, 0xF0));
  _mm_storeu_si128((__m128i*)&state_b[4], _mm_alignr_epi8(b1, tmp, 8));
}

#endif
