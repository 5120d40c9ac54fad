// Strata commitment hashing (docs/protocol.md): batches of SHA-256 over 256-byte leaves and over
// pairs of tree nodes, computed with the OpenSSL that Node.js itself carries (and exports to
// addons), which uses the CPU's SHA extensions where present. One call hashes a whole buffer,
// so the per-hash cost of crossing from JavaScript disappears.
#define _GNU_SOURCE
#define OPENSSL_SUPPRESS_DEPRECATED
#include <node_api.h>
#include <openssl/sha.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#if defined(__x86_64__)
#include "sha256-x86.h"
#define HAVE_X86_SHA 1
#endif

#define LEAF_SIZE 256
#define MAX_LEAF_SIZE 4096
#define LEAF_PREFIX 0x00
#define NODE_PREFIX 0x01

static int use_sha_ni = 0;

#ifdef HAVE_X86_SHA
// Writes the SHA-256 padding of a `length`-byte message into `buffer` (which holds, or will
// hold, the message); returns the padded length.
static size_t sha256_pad(uint8_t* buffer, size_t length) {
  size_t padded = ((length + 8) / 64 + 1) * 64;
  memset(buffer + length, 0, padded - length);
  buffer[length] = 0x80;
  uint64_t bits = (uint64_t)length * 8;
  for (int i = 0; i < 8; i += 1) buffer[padded - 1 - i] = (uint8_t)(bits >> (8 * i));
  return padded;
}

static void store_digest(const uint32_t state[8], uint8_t* out) {
  for (int i = 0; i < 8; i += 1) {
    out[4 * i] = (uint8_t)(state[i] >> 24);
    out[4 * i + 1] = (uint8_t)(state[i] >> 16);
    out[4 * i + 2] = (uint8_t)(state[i] >> 8);
    out[4 * i + 3] = (uint8_t)state[i];
  }
}

// SHA-256 of the `length`-byte message in `buffer`, padded in place, with the SHA extensions.
static void sha256_padded(uint8_t* buffer, size_t length, uint8_t* out) {
  size_t padded = sha256_pad(buffer, length);
  uint32_t state[8];
  memcpy(state, SHA256_IV, sizeof state);
  sha256_blocks_x86(state, buffer, padded / 64);
  store_digest(state, out);
}

// SHA-256 of two padded messages of `padded` bytes each, side by side.
static void sha256_padded_x2(const uint8_t* a, const uint8_t* b, size_t padded, uint8_t* out_a, uint8_t* out_b) {
  uint32_t state_a[8], state_b[8];
  memcpy(state_a, SHA256_IV, sizeof state_a);
  memcpy(state_b, SHA256_IV, sizeof state_b);
  sha256_blocks_x86_x2(state_a, a, state_b, b, padded / 64);
  store_digest(state_a, out_a);
  store_digest(state_b, out_b);
}
#endif

static void hash_leaf(uint8_t* input, const uint8_t* leaf, size_t take, uint8_t* out) {
  memcpy(input + 1, leaf, take);
#ifdef HAVE_X86_SHA
  if (use_sha_ni) {
    sha256_padded(input, take + 1, out);
    return;
  }
#endif
  SHA256(input, take + 1, out);
}

static void hash_node(uint8_t* input, const uint8_t* pair, uint8_t* out) {
  memcpy(input + 1, pair, 64);
#ifdef HAVE_X86_SHA
  if (use_sha_ni) {
    sha256_padded(input, 65, out);
    return;
  }
#endif
  SHA256(input, 65, out);
}

static void hash_leaves(const uint8_t* data, size_t length, uint8_t* out, size_t leaf_size) {
  uint8_t input[MAX_LEAF_SIZE + 1 + 72];
  input[0] = LEAF_PREFIX;
  size_t offset = 0;
#ifdef HAVE_X86_SHA
  if (use_sha_ni) {
    // whole leaves two at a time, their prefix and padding written once
    uint8_t second[MAX_LEAF_SIZE + 1 + 72];
    second[0] = LEAF_PREFIX;
    size_t padded = sha256_pad(input, leaf_size + 1);
    sha256_pad(second, leaf_size + 1);
    for (; offset + 2 * leaf_size <= length; offset += 2 * leaf_size, out += 64) {
      memcpy(input + 1, data + offset, leaf_size);
      memcpy(second + 1, data + offset + leaf_size, leaf_size);
      sha256_padded_x2(input, second, padded, out, out + 32);
    }
  }
#endif
  for (; offset < length; offset += leaf_size, out += 32) {
    size_t take = length - offset < leaf_size ? length - offset : leaf_size;
    hash_leaf(input, data + offset, take, out);
  }
}

// One level up: pairs hashed, an odd last node carried up. `in` and `out` may alias (out <= in):
// every input is copied out before the outputs that may overwrite it are written.
static size_t hash_level(const uint8_t* in, size_t width, uint8_t* out) {
  uint8_t input[128];
  input[0] = NODE_PREFIX;
  size_t i = 0, o = 0;
#ifdef HAVE_X86_SHA
  if (use_sha_ni) {
    uint8_t second[128];
    second[0] = NODE_PREFIX;
    size_t padded = sha256_pad(input, 65);
    sha256_pad(second, 65);
    for (; i + 3 < width; i += 4, o += 2) {
      memcpy(input + 1, in + i * 32, 64);
      memcpy(second + 1, in + (i + 2) * 32, 64);
      sha256_padded_x2(input, second, padded, out + o * 32, out + (o + 1) * 32);
    }
  }
#endif
  for (; i + 1 < width; i += 2, o += 1) {
    hash_node(input, in + i * 32, out + o * 32);
  }
  if (width % 2 == 1) {
    memmove(out + o * 32, in + (width - 1) * 32, 32);
    o += 1;
  }
  return o;
}

static napi_status get_bytes(napi_env env, napi_value value, uint8_t** data, size_t* length) {
  napi_typedarray_type type;
  napi_value buffer;
  size_t offset;
  return napi_get_typedarray_info(env, value, &type, length, (void**)data, &buffer, &offset);
}

static napi_value throw_error(napi_env env, const char* message) {
  napi_throw_range_error(env, NULL, message);
  return NULL;
}

// hashLeaves(data: Uint8Array, out: Uint8Array, leafSize = 256): writes 32 bytes per leaf of
// `data` into `out`. Other leaf sizes exist only to measure the trade-off (bench/commitment).
static napi_value js_hash_leaves(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  uint8_t *data, *out;
  size_t length, out_length;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2) return throw_error(env, "hashLeaves(data, out)");
  if (get_bytes(env, argv[0], &data, &length) != napi_ok || get_bytes(env, argv[1], &out, &out_length) != napi_ok) {
    return throw_error(env, "hashLeaves takes two Uint8Arrays");
  }
  uint32_t leaf_size = LEAF_SIZE;
  if (argc >= 3 && napi_get_value_uint32(env, argv[2], &leaf_size) != napi_ok) leaf_size = LEAF_SIZE;
  if (leaf_size == 0 || leaf_size > MAX_LEAF_SIZE) return throw_error(env, "hashLeaves: leaf size out of range");
  size_t leaves = (length + leaf_size - 1) / leaf_size;
  if (out_length < leaves * 32) return throw_error(env, "hashLeaves: out is too small");
  hash_leaves(data, length, out, leaf_size);
  return NULL;
}

// hashLevel(level: Uint8Array, out: Uint8Array): one level up; returns the number of nodes written.
static napi_value js_hash_level(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  uint8_t *in, *out;
  size_t length, out_length;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2) return throw_error(env, "hashLevel(level, out)");
  if (get_bytes(env, argv[0], &in, &length) != napi_ok || get_bytes(env, argv[1], &out, &out_length) != napi_ok) {
    return throw_error(env, "hashLevel takes two Uint8Arrays");
  }
  if (length % 32 != 0) return throw_error(env, "hashLevel: level is not a whole number of hashes");
  size_t width = length / 32;
  if (out_length < ((width + 1) / 2) * 32) return throw_error(env, "hashLevel: out is too small");
  napi_value result;
  napi_create_uint32(env, (uint32_t)hash_level(in, width, out), &result);
  return result;
}

// treeRoot(data: Uint8Array, scratch: Uint8Array, out: Uint8Array): the commitment root of `data`
// (at least one byte) into `out`; `scratch` holds 32 bytes per leaf.
static napi_value js_tree_root(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  uint8_t *data, *scratch, *out;
  size_t length, scratch_length, out_length;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 3) return throw_error(env, "treeRoot(data, scratch, out)");
  if (get_bytes(env, argv[0], &data, &length) != napi_ok || get_bytes(env, argv[1], &scratch, &scratch_length) != napi_ok ||
      get_bytes(env, argv[2], &out, &out_length) != napi_ok) {
    return throw_error(env, "treeRoot takes three Uint8Arrays");
  }
  if (length == 0) return throw_error(env, "treeRoot: a commitment needs at least one byte");
  size_t width = (length + LEAF_SIZE - 1) / LEAF_SIZE;
  if (scratch_length < width * 32 || out_length < 32) return throw_error(env, "treeRoot: scratch or out is too small");
  hash_leaves(data, length, scratch, LEAF_SIZE);
  while (width > 1) width = hash_level(scratch, width, scratch);
  memcpy(out, scratch, 32);
  return NULL;
}

// ----- work off the JavaScript thread (libuv's pool): batch roots and filesystem syncs -----

typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  napi_ref data_ref;
  uint8_t* data;
  size_t length;
  uint8_t* scratch;
  uint8_t root[32];
  char* path;
  int error;
} async_job;

static void tree_root_execute(napi_env env, void* raw) {
  (void)env;
  async_job* job = raw;
  size_t width = (job->length + LEAF_SIZE - 1) / LEAF_SIZE;
  hash_leaves(job->data, job->length, job->scratch, LEAF_SIZE);
  while (width > 1) width = hash_level(job->scratch, width, job->scratch);
  memcpy(job->root, job->scratch, 32);
}

static void tree_root_complete(napi_env env, napi_status status, void* raw) {
  async_job* job = raw;
  napi_value result;
  void* out;
  if (status == napi_ok && napi_create_buffer_copy(env, 32, job->root, &out, &result) == napi_ok) {
    napi_resolve_deferred(env, job->deferred, result);
  } else {
    napi_value message, error;
    napi_create_string_utf8(env, "hashing on the pool failed", NAPI_AUTO_LENGTH, &message);
    napi_create_error(env, NULL, message, &error);
    napi_reject_deferred(env, job->deferred, error);
  }
  napi_delete_reference(env, job->data_ref);
  napi_delete_async_work(env, job->work);
  free(job->scratch);
  free(job);
}

static void sha256_execute(napi_env env, void* raw) {
  (void)env;
  async_job* job = raw;
  SHA256(job->data, job->length, job->root);
}

// Queues `execute` over the bytes of `value` on a pool thread; the promise resolves with the 32
// bytes it leaves in job->root. The bytes are referenced (not copied) until then.
static napi_value queue_digest(napi_env env, napi_value value, napi_async_execute_callback execute, const char* name,
                               int with_scratch) {
  napi_value promise, resource_name;
  async_job* job = calloc(1, sizeof(async_job));
  if (job == NULL) return throw_error(env, "out of memory");
  if (get_bytes(env, value, &job->data, &job->length) != napi_ok || (with_scratch && job->length == 0)) {
    free(job);
    return throw_error(env, with_scratch ? "treeRootAsync takes a non-empty Uint8Array" : "sha256Async takes a Uint8Array");
  }
  if (with_scratch) {
    job->scratch = malloc(((job->length + LEAF_SIZE - 1) / LEAF_SIZE) * 32);
    if (job->scratch == NULL) {
      free(job);
      return throw_error(env, "out of memory");
    }
  }
  napi_create_reference(env, value, 1, &job->data_ref);
  napi_create_promise(env, &job->deferred, &promise);
  napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &resource_name);
  napi_create_async_work(env, NULL, resource_name, execute, tree_root_complete, job, &job->work);
  napi_queue_async_work(env, job->work);
  return promise;
}

// treeRootAsync(data: Uint8Array): Promise<Buffer>, the commitment root of `data`, hashed on a
// pool thread. `data` must not change until the promise settles.
static napi_value js_tree_root_async(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1) return throw_error(env, "treeRootAsync(data)");
  return queue_digest(env, argv[0], tree_root_execute, "strata:treeRoot", 1);
}

// sha256Async(data: Uint8Array): Promise<Buffer>, the plain SHA-256 of `data` (a block's CID
// digest), on a pool thread. `data` must not change until the promise settles.
static napi_value js_sha256_async(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1) return throw_error(env, "sha256Async(data)");
  return queue_digest(env, argv[0], sha256_execute, "strata:sha256", 0);
}

static void syncfs_execute(napi_env env, void* raw) {
  (void)env;
  async_job* job = raw;
  int fd = open(job->path, O_RDONLY);
  if (fd < 0) {
    job->error = errno;
    return;
  }
#ifdef __linux__
  if (syncfs(fd) != 0) job->error = errno;
#else
  if (fsync(fd) != 0) job->error = errno;
#endif
  close(fd);
}

static void syncfs_complete(napi_env env, napi_status status, void* raw) {
  async_job* job = raw;
  if (status == napi_ok && job->error == 0) {
    napi_value undefined;
    napi_get_undefined(env, &undefined);
    napi_resolve_deferred(env, job->deferred, undefined);
  } else {
    napi_value message, error;
    char text[128];
    snprintf(text, sizeof text, "syncfs failed: %s", strerror(job->error));
    napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &message);
    napi_create_error(env, NULL, message, &error);
    napi_reject_deferred(env, job->deferred, error);
  }
  napi_delete_async_work(env, job->work);
  free(job->path);
  free(job);
}

// syncfs(path: string): Promise<void>, flushes every write of the filesystem holding `path` to
// stable storage (Linux syncfs(2); fsync of `path` elsewhere), on a pool thread.
static napi_value js_syncfs(napi_env env, napi_callback_info info) {
  size_t argc = 1, length;
  napi_value argv[1], promise, name;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1) return throw_error(env, "syncfs(path)");
  if (napi_get_value_string_utf8(env, argv[0], NULL, 0, &length) != napi_ok) return throw_error(env, "syncfs takes a path");
  async_job* job = calloc(1, sizeof(async_job));
  if (job == NULL) return throw_error(env, "syncfs: out of memory");
  job->path = malloc(length + 1);
  napi_get_value_string_utf8(env, argv[0], job->path, length + 1, &length);
  napi_create_promise(env, &job->deferred, &promise);
  napi_create_string_utf8(env, "strata:syncfs", NAPI_AUTO_LENGTH, &name);
  napi_create_async_work(env, NULL, name, syncfs_execute, syncfs_complete, job, &job->work);
  napi_queue_async_work(env, job->work);
  return promise;
}

// usesShaExtensions(): whether the CPU's SHA extensions are in use (else OpenSSL's SHA-256).
static napi_value js_uses_sha_extensions(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value result;
  napi_get_boolean(env, use_sha_ni, &result);
  return result;
}

static napi_value init(napi_env env, napi_value exports) {
#ifdef HAVE_X86_SHA
  __builtin_cpu_init();
  use_sha_ni = __builtin_cpu_supports("sha") && __builtin_cpu_supports("sse4.1") && getenv("STRATA_NO_SHA_NI") == NULL;
#endif
  napi_property_descriptor properties[] = {
    {"usesShaExtensions", NULL, js_uses_sha_extensions, NULL, NULL, NULL, napi_default, NULL},
    {"treeRootAsync", NULL, js_tree_root_async, NULL, NULL, NULL, napi_default, NULL},
    {"sha256Async", NULL, js_sha256_async, NULL, NULL, NULL, napi_default, NULL},
    {"syncfs", NULL, js_syncfs, NULL, NULL, NULL, napi_default, NULL},
    {"hashLeaves", NULL, js_hash_leaves, NULL, NULL, NULL, napi_default, NULL},
    {"hashLevel", NULL, js_hash_level, NULL, NULL, NULL, napi_default, NULL},
    {"treeRoot", NULL, js_tree_root, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof(properties) / sizeof(properties[0]), properties);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
