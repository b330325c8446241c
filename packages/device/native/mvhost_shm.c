/*
 * The device core's end of the shared-memory call channel to a host firmware build (the
 * firmware's end is packages/c-headers/host/src/mvhost_call.c). A Node-API addon, built by
 * scripts/build-native.mjs with the system C compiler; without it the bridge falls back to
 * the call socket alone.
 *
 * Why an addon: a system call is one request and one answer, and two process wake-ups per call
 * cost more than the call itself. Here both ends spin briefly on sequence numbers in one shared
 * mapping, and only sleep (the device core in its event loop, woken by a doorbell byte on the
 * call socket; the firmware on a futex) when the other end is slow. JavaScript reads and writes
 * the request and answer areas directly; the ordering-sensitive steps live here.
 *
 * The layout, the handshake and the spin/futex helpers are in mvhost_protocol.h, generated
 * from one table (generator/src/emit/host/protocol.ts) for both C ends and the TypeScript bridge.
 */
#define _GNU_SOURCE
#include <node_api.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "../src/host/generated/mvhost_protocol.h"

enum { REQUEST_AREA = MVHOST_SHM_REQUEST_AREA };

#define WORD(base, offset) mvhost_shm_word((base), MVHOST_SHM_##offset)

static napi_value fail(napi_env env, const char *what) {
  char message[160];
  snprintf(message, sizeof message, "%s: %s", what, strerror(errno));
  napi_throw_error(env, NULL, message);
  return NULL;
}

static void unmap(napi_env env, void *data, void *hint) {
  (void)env;
  munmap(data, (size_t)(uintptr_t)hint);
}

/* The mapping behind an ArrayBuffer argument (NULL and a pending exception when it is not one). */
static uint8_t *mapping(napi_env env, napi_value value) {
  void *data = NULL;
  size_t length = 0;
  if (napi_get_arraybuffer_info(env, value, &data, &length) != napi_ok || length < REQUEST_AREA) {
    napi_throw_type_error(env, NULL, "expected the call channel's ArrayBuffer");
    return NULL;
  }
  return data;
}

static int args(napi_env env, napi_callback_info info, size_t want, napi_value *argv) {
  size_t argc = want;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < want) {
    napi_throw_type_error(env, NULL, "missing argument");
    return 0;
  }
  return 1;
}

static uint32_t u32_arg(napi_env env, napi_value v) {
  uint32_t out = 0;
  napi_get_value_uint32(env, v, &out);
  return out;
}

static napi_value u32_value(napi_env env, uint32_t v) {
  napi_value out;
  napi_create_uint32(env, v, &out);
  return out;
}

/* create(capacity) → { fd, buffer }: a fresh memfd (close-on-exec; hand it to the child through spawn) and its mapping. */
static napi_value create(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!args(env, info, 1, argv)) return NULL;
  uint32_t capacity = u32_arg(env, argv[0]);
  size_t size = REQUEST_AREA + 2 * (size_t)capacity;
  int fd = (int)syscall(SYS_memfd_create, "mvhost-calls", 1u /* MFD_CLOEXEC */);
  if (fd < 0) return fail(env, "memfd_create");
  if (ftruncate(fd, (off_t)size) != 0) {
    close(fd);
    return fail(env, "ftruncate");
  }
  void *base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (base == MAP_FAILED) {
    close(fd);
    return fail(env, "mmap");
  }
  atomic_store(WORD(base, DEVICE_IDLE), 1u); /* nobody watches until the first doorbell */
  atomic_store(WORD(base, CAPACITY), capacity);
  atomic_store(WORD(base, PROTOCOL_ID), MVHOST_PROTOCOL_ID);
  napi_value buffer, result;
  if (napi_create_external_arraybuffer(env, base, size, unmap, (void *)(uintptr_t)size, &buffer) != napi_ok) {
    munmap(base, size);
    close(fd);
    napi_throw_error(env, NULL, "cannot wrap the call channel's mapping");
    return NULL;
  }
  napi_create_object(env, &result);
  napi_set_named_property(env, result, "fd", u32_value(env, (uint32_t)fd));
  napi_set_named_property(env, result, "buffer", buffer);
  return result;
}

/*
 * next(buffer, served, spinNs, eventsSent) → the request sequence once it differs from `served`
 * (a new request is complete), spinning up to spinNs; `served` when none came in that time; -1
 * (at once) when the firmware waits for an interrupt with every event sent so far applied: no
 * call can come before the next event.
 */
static napi_value next(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  if (!args(env, info, 4, argv)) return NULL;
  uint8_t *base = mapping(env, argv[0]);
  if (!base) return NULL;
  uint32_t served = u32_arg(env, argv[1]);
  uint32_t spin = u32_arg(env, argv[2]);
  uint32_t events_sent = u32_arg(env, argv[3]);
  atomic_store(WORD(base, DEVICE_CPU), (uint32_t)mvhost_current_cpu());
  uint32_t seq = atomic_load(WORD(base, REQUEST_SEQ));
  if (seq == served && spin) {
    // No sched_yield here: on a busy machine one can cost a whole time slice, and everything
    // the device does waits for this thread.
    uint64_t until = mvhost_monotonic_ns() + spin;
    for (unsigned i = 1; (seq = atomic_load(WORD(base, REQUEST_SEQ))) == served; i++) {
      if (atomic_load(WORD(base, FIRMWARE_IN_WFI)) && atomic_load(WORD(base, EVENTS_APPLIED)) == events_sent) {
        napi_value asleep;
        napi_create_int32(env, -1, &asleep);
        return asleep;
      }
      mvhost_spin_pause();
      if ((i & 31u) == 0 && mvhost_monotonic_ns() >= until) break;
    }
  }
  return u32_value(env, seq);
}

/*
 * idle(buffer, served) → true when the device core may sleep: it marks itself not watching, so
 * the firmware's next request rings the doorbell. False (and still watching) when a request
 * slipped in meanwhile. Both ends store, then load the other's word (sequentially consistent),
 * so a request is never left without a doorbell.
 */
static napi_value idle(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!args(env, info, 2, argv)) return NULL;
  uint8_t *base = mapping(env, argv[0]);
  if (!base) return NULL;
  uint32_t served = u32_arg(env, argv[1]);
  atomic_store(WORD(base, DEVICE_IDLE), 1u);
  int may_sleep = atomic_load(WORD(base, REQUEST_SEQ)) == served;
  if (!may_sleep) atomic_store(WORD(base, DEVICE_IDLE), 0u);
  napi_value out;
  napi_get_boolean(env, may_sleep, &out);
  return out;
}

/* watch(buffer): the device core watches the request word again (after a doorbell). */
static napi_value watch(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!args(env, info, 1, argv)) return NULL;
  uint8_t *base = mapping(env, argv[0]);
  if (!base) return NULL;
  atomic_store(WORD(base, DEVICE_IDLE), 0u);
  return NULL;
}

/* spinLimit(buffer, ns): how long the firmware may spin for an answer from now on. */
static napi_value spin_limit(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!args(env, info, 2, argv)) return NULL;
  uint8_t *base = mapping(env, argv[0]);
  if (!base) return NULL;
  atomic_store(WORD(base, ANSWER_SPIN_LIMIT), u32_arg(env, argv[1]));
  return NULL;
}

/* answer(buffer, seq): the answer area holds the answer to request `seq`; wake the firmware if it sleeps. */
static napi_value answer(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!args(env, info, 2, argv)) return NULL;
  uint8_t *base = mapping(env, argv[0]);
  if (!base) return NULL;
  atomic_store(WORD(base, DEVICE_CPU), (uint32_t)mvhost_current_cpu());
  atomic_store(WORD(base, ANSWER_SEQ), u32_arg(env, argv[1]));
  if (atomic_load(WORD(base, FIRMWARE_SLEEPING)))
    mvhost_futex_wake(WORD(base, ANSWER_SEQ));
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  const napi_property_descriptor functions[] = {
    { "create", NULL, create, NULL, NULL, NULL, napi_default, NULL },
    { "next", NULL, next, NULL, NULL, NULL, napi_default, NULL },
    { "idle", NULL, idle, NULL, NULL, NULL, napi_default, NULL },
    { "watch", NULL, watch, NULL, NULL, NULL, napi_default, NULL },
    { "answer", NULL, answer, NULL, NULL, NULL, napi_default, NULL },
    { "spinLimit", NULL, spin_limit, NULL, NULL, NULL, napi_default, NULL },
  };
  napi_define_properties(env, exports, sizeof functions / sizeof functions[0], functions);
  napi_set_named_property(env, exports, "PROTOCOL_ID", u32_value(env, MVHOST_PROTOCOL_ID));
  return exports;
}

NAPI_MODULE_INIT() { return init(env, exports); }
