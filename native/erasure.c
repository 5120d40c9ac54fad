// Strata erasure code kernel (docs/protocol.md, "Cold tier"): products of a small coefficient
// matrix over GF(2^8) (polynomial 0x11d) with equally long byte buffers, the one operation that
// Reed-Solomon encoding, decoding and repair are made of. Where the CPU has AVX2 each product
// uses the split-nibble method (two 16-entry tables per coefficient, looked up 32 bytes at a time
// with vpshufb); elsewhere a 256-entry table per coefficient. The matrix algebra (Cauchy matrix,
// inversion) stays in TypeScript: it is tiny and runs once per stripe shape.
#define _GNU_SOURCE
#include <node_api.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>
#define HAVE_X86 1
#endif

#define MAX_ROWS 32
#define MAX_COLS 32
// Bytes of each output row produced per pass over the inputs: small enough for the outputs'
// accumulators to stay in L1 while the inputs stream through.
#define BLOCK 4096

static uint8_t gf_mul_table[256][256];
static int use_avx2 = 0;

static void init_tables(void) {
  uint8_t exp[512];
  uint8_t log[256];
  int x = 1;
  for (int i = 0; i < 255; i += 1) {
    exp[i] = (uint8_t)x;
    log[x] = (uint8_t)i;
    x <<= 1;
    if (x & 0x100) x ^= 0x11d;
  }
  for (int i = 255; i < 512; i += 1) exp[i] = exp[i - 255];
  for (int a = 0; a < 256; a += 1) {
    for (int b = 0; b < 256; b += 1) {
      gf_mul_table[a][b] = (a == 0 || b == 0) ? 0 : exp[log[a] + log[b]];
    }
  }
}

// out ^= coef * in over `length` bytes (out = coef * in when `first`), one table per coefficient.
static void mul_add_scalar(uint8_t coef, const uint8_t* in, uint8_t* out, size_t length, int first) {
  const uint8_t* table = gf_mul_table[coef];
  if (first) {
    for (size_t i = 0; i < length; i += 1) out[i] = table[in[i]];
  } else {
    for (size_t i = 0; i < length; i += 1) out[i] ^= table[in[i]];
  }
}

#ifdef HAVE_X86
__attribute__((target("avx2"))) static void mul_add_avx2(uint8_t coef, const uint8_t* in, uint8_t* out,
                                                          size_t length, int first) {
  uint8_t lo[16], hi[16];
  for (int i = 0; i < 16; i += 1) {
    lo[i] = gf_mul_table[coef][i];
    hi[i] = gf_mul_table[coef][i << 4];
  }
  __m256i tlo = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i*)lo));
  __m256i thi = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i*)hi));
  __m256i mask = _mm256_set1_epi8(0x0f);
  size_t i = 0;
  for (; i + 64 <= length; i += 64) {
    __m256i a = _mm256_loadu_si256((const __m256i*)(in + i));
    __m256i b = _mm256_loadu_si256((const __m256i*)(in + i + 32));
    __m256i pa = _mm256_xor_si256(_mm256_shuffle_epi8(tlo, _mm256_and_si256(a, mask)),
                                  _mm256_shuffle_epi8(thi, _mm256_and_si256(_mm256_srli_epi64(a, 4), mask)));
    __m256i pb = _mm256_xor_si256(_mm256_shuffle_epi8(tlo, _mm256_and_si256(b, mask)),
                                  _mm256_shuffle_epi8(thi, _mm256_and_si256(_mm256_srli_epi64(b, 4), mask)));
    if (!first) {
      pa = _mm256_xor_si256(pa, _mm256_loadu_si256((const __m256i*)(out + i)));
      pb = _mm256_xor_si256(pb, _mm256_loadu_si256((const __m256i*)(out + i + 32)));
    }
    _mm256_storeu_si256((__m256i*)(out + i), pa);
    _mm256_storeu_si256((__m256i*)(out + i + 32), pb);
  }
  if (i < length) mul_add_scalar(coef, in + i, out + i, length - i, first);
}
#endif

static void mul_add(uint8_t coef, const uint8_t* in, uint8_t* out, size_t length, int first) {
#ifdef HAVE_X86
  if (use_avx2) {
    mul_add_avx2(coef, in, out, length, first);
    return;
  }
#endif
  mul_add_scalar(coef, in, out, length, first);
}

static napi_value throw_error(napi_env env, const char* message) {
  napi_throw_error(env, "STRATA_ERR_ERASURE", message);
  return NULL;
}

static int buffer_of(napi_env env, napi_value value, uint8_t** data, size_t* length) {
  napi_typedarray_type type;
  napi_value arraybuffer;
  size_t offset;
  void* raw;
  if (napi_get_typedarray_info(env, value, &type, length, &raw, &arraybuffer, &offset) != napi_ok) return 0;
  if (type != napi_uint8_array) return 0;
  *data = (uint8_t*)raw;
  return 1;
}

// Reads `count` Uint8Arrays of equal length from the JavaScript array `list`.
static int buffers_of(napi_env env, napi_value list, uint8_t** buffers, uint32_t count, size_t* length) {
  for (uint32_t i = 0; i < count; i += 1) {
    napi_value item;
    size_t item_length;
    if (napi_get_element(env, list, i, &item) != napi_ok || !buffer_of(env, item, &buffers[i], &item_length)) return 0;
    if (i == 0) *length = item_length;
    else if (item_length != *length) return 0;
  }
  return 1;
}

// matMul(coefficients: Uint8Array, inputs: Uint8Array[], outputs: Uint8Array[]): for every row r,
// outputs[r] = sum over c of coefficients[r * inputs.length + c] * inputs[c], in GF(2^8). Every
// buffer has the same length.
static napi_value js_mat_mul(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  uint32_t rows, cols;
  uint8_t *coefficients, *inputs[MAX_COLS], *outputs[MAX_ROWS];
  size_t coefficient_count, in_length = 0, out_length = 0;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 3) {
    return throw_error(env, "matMul(coefficients, inputs, outputs)");
  }
  if (!buffer_of(env, argv[0], &coefficients, &coefficient_count)) return throw_error(env, "coefficients must be a Uint8Array");
  if (napi_get_array_length(env, argv[1], &cols) != napi_ok || napi_get_array_length(env, argv[2], &rows) != napi_ok) {
    return throw_error(env, "inputs and outputs must be arrays");
  }
  if (cols == 0 || rows == 0 || cols > MAX_COLS || rows > MAX_ROWS) return throw_error(env, "1 to 32 inputs and outputs");
  if (coefficient_count != (size_t)rows * cols) return throw_error(env, "coefficients must be rows x inputs");
  if (!buffers_of(env, argv[1], inputs, cols, &in_length) || !buffers_of(env, argv[2], outputs, rows, &out_length) ||
      in_length != out_length) {
    return throw_error(env, "inputs and outputs must be Uint8Arrays of one length");
  }
  for (size_t start = 0; start < in_length; start += BLOCK) {
    size_t length = in_length - start < BLOCK ? in_length - start : BLOCK;
    for (uint32_t r = 0; r < rows; r += 1) {
      const uint8_t* row = coefficients + (size_t)r * cols;
      for (uint32_t c = 0; c < cols; c += 1) mul_add(row[c], inputs[c] + start, outputs[r] + start, length, c == 0);
    }
  }
  return NULL;
}

// usesAvx2(): whether products run on AVX2 (else a table per coefficient).
static napi_value js_uses_avx2(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value result;
  napi_get_boolean(env, use_avx2, &result);
  return result;
}

static napi_value init(napi_env env, napi_value exports) {
  init_tables();
#ifdef HAVE_X86
  __builtin_cpu_init();
  use_avx2 = __builtin_cpu_supports("avx2") && getenv("STRATA_NO_AVX2") == NULL;
#endif
  napi_property_descriptor properties[] = {
    {"matMul", NULL, js_mat_mul, NULL, NULL, NULL, napi_default, NULL},
    {"usesAvx2", NULL, js_uses_avx2, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof(properties) / sizeof(properties[0]), properties);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
