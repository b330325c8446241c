/*
 * The firmware end of the system-call bridge. A call copies every byte the kernel would read
 * (following pointers as the generated tables describe) into one request, hands it to the
 * device core, waits for the answer and applies its writes. Application pointers are read and
 * checked with process_vm_readv/process_vm_writev on this very process (unless they lie in memory
 * known to be mapped: the executable's image, the live stack): a bad pointer becomes a region
 * the device core sees as invalid (so it answers PARAMETERFAULT, as the device does), never a
 * SIGSEGV here.
 *
 * Two transports, chosen by the runner:
 *  - shared memory (MVHOST_SHM_FD, the device core's mvhost_shm addon): the request and the
 *    answer are built in place in one mapping shared with the device core, and each end spins
 *    briefly on the other's sequence word before sleeping. The firmware sleeps on a futex; the
 *    device core sleeps in its event loop, and a request then rings it with one byte on the
 *    call socket. A call then costs no process wake-up while both ends are busy.
 *  - the call socket alone (no addon): the request is written to it and the answer read back.
 *
 * The wire format and the shared mapping's layout are in mvhost_protocol.h, generated from
 * one table for this runtime, the device core's addon and its TypeScript bridge:
 *   request  header, u64 arguments[], then regions { u64 address, u32 length, u32 flags, bytes }
 *   answer   header (status, events sent before it), then writes { u64 address, u32 length, u32 flags, bytes }
 *   event    header (type, irq), then writes (device → firmware, event socket)
 * A write flagged WRITE_KEPT lands in memory the application lent the kernel in an earlier call
 * (a notification ring, a channel buffer): an answer may write there besides its own regions.
 * Before a call returns, every event sent before its answer must have been applied (by the event
 * thread, a thread in WFI or the caller), so that the application never sees an answer ahead of
 * the memory it describes.
 */
#define _GNU_SOURCE
#include "mvhost_runtime.h"
#include "../generated/mvhost_protocol.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/resource.h>
#include <sys/uio.h>

enum {
  REGION_READABLE = MVHOST_REGION_READABLE,
  REGION_WRITABLE = MVHOST_REGION_WRITABLE,
  REGION_TOO_LARGE = MVHOST_REGION_TOO_LARGE,
  EVENT_IRQ = MVHOST_EVENT_IRQ,
  WRITE_KEPT = MVHOST_WRITE_KEPT,
  ANSWER_HEADER = MVHOST_ANSWER_HEADER,
  EVENT_HEADER = MVHOST_EVENT_HEADER,
  REQUEST_HEADER = MVHOST_REQUEST_HEADER,
};

/* One request at a time: no interrupt handler runs inside a call (see mvhost_call), and only one task runs at once. */
#define REQUEST_CAPACITY (8u << 20)
#define MAX_REGIONS 4096u

struct region {
  uint64_t address;
  uint32_t length;
  uint32_t flags;
};

/*
 * How long the firmware spins for an answer before sleeping on the futex, when the device core
 * was watching (after a doorbell it has to wake up first, which takes longer than any spin) on
 * another CPU (on this one it cannot answer while the firmware spins). The budget doubles after
 * a wait the spin covered; after one that ended on the futex it grows to 1.5 times that wait
 * when the wait was shorter than MAX (the spin just missed), and halves otherwise (the device
 * core was not running: spinning only burns a core), between MIN and MAX. (Halving on every
 * miss left it at MIN for good: an answer takes the device core longer than MIN to compute.)
 * It spins without sched_yield: on a busy machine a yield can give the core away for a whole
 * time slice, and the device core, spinning for the next call, then gives up.
 */
#define ANSWER_SPIN_MAX_NS 50000u
#define ANSWER_SPIN_MIN_NS 2000u

static uint8_t *shm;
static uint32_t shm_seq;
static uint32_t answer_spin_ns = ANSWER_SPIN_MAX_NS;
static uint32_t request_capacity = REQUEST_CAPACITY;
static uint8_t *request;
static uint8_t *answer_area; /* the shared answer area, or NULL: answers arrive on the call socket into `request` */
static uint32_t request_used;
static struct region regions[MAX_REGIONS];
static uint32_t region_count;
static int call_fd = -1;
static int event_fd = -1;
static pid_t self;
/* Events the event thread has finished (writes applied, IRQ pended). */
static _Atomic uint32_t events_applied;

static void die(const char *what) {
  static const char prefix[] = "mvhost: ";
  (void)!write(2, prefix, sizeof prefix - 1);
  (void)!write(2, what, strlen(what));
  (void)!write(2, "\n", 1);
  _exit(70);
}

static uint32_t align8(uint32_t n) { return (n + 7u) & ~7u; }

static void put_u32(uint32_t v) {
  memcpy(request + request_used, &v, 4);
  request_used += 4;
}

static void put_u64(uint64_t v) {
  memcpy(request + request_used, &v, 8);
  request_used += 8;
}

static uint64_t read_uint(const uint8_t *p, uint32_t size) {
  switch (size) {
    case 1: return *p;
    case 2: { uint16_t v; memcpy(&v, p, 2); return v; }
    case 4: { uint32_t v; memcpy(&v, p, 4); return v; }
    default: { uint64_t v; memcpy(&v, p, 8); return v; }
  }
}

/*
 * Memory known to be mapped, so that most pointers need no system call to check: the
 * executable's own image (its static data, constants and code, as mapped when the first call
 * is made, after the loader's relocations) and the live part of the calling thread's stack.
 * Anything else (the heap, mmap'd memory) is checked by process_vm_readv/writev.
 */
#define MAX_IMAGE_RANGES 16u
struct image_range {
  uintptr_t start, end;
  int writable;
};
static struct image_range image_ranges[MAX_IMAGE_RANGES];
static uint32_t image_range_count;
/* The main thread's stack: its top, and how far down it may grow (0, 0: unknown). */
static uintptr_t main_stack_low, main_stack_high;
static pthread_t main_thread;
/* Set (release) once the ranges are known; the event thread reads them too. */
static _Atomic int known_ranges_ready;
extern char __executable_start[] __attribute__((weak));
extern char _end[] __attribute__((weak));

static uintptr_t parse_hex(const char **p) {
  uintptr_t v = 0;
  for (;; (*p)++) {
    char c = **p;
    int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (d < 0) return v;
    v = v * 16u + (uintptr_t)d;
  }
}

/* Reads /proc/self/maps with plain system calls (no stdio, no malloc: a call may come from an interrupt handler). */
static void learn_known_ranges(void) {
  static char maps[1u << 16];
  int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  size_t used = 0;
  for (ssize_t n; used < sizeof maps - 1 && (n = read(fd, maps + used, sizeof maps - 1 - used)) != 0;)
    if (n > 0) used += (size_t)n;
    else if (errno != EINTR) break;
  close(fd);
  // A listing that did not fit is not trusted (its last line may be cut).
  if (used == sizeof maps - 1) return;
  maps[used] = 0;
  uintptr_t first = (uintptr_t)__executable_start, last = ((uintptr_t)_end + 4095u) & ~(uintptr_t)4095u;
  for (const char *line = maps; *line;) {
    const char *p = line;
    uintptr_t start = parse_hex(&p);
    p++;
    uintptr_t end = parse_hex(&p);
    p++;
    int readable = p[0] == 'r', writable = p[1] == 'w';
    const char *eol = strchr(p, '\n');
    if (!eol) eol = p + strlen(p);
    // The executable's image: its file mappings and the zero-filled end of its data (.bss).
    if (first && readable && start >= first && end <= last && image_range_count < MAX_IMAGE_RANGES)
      image_ranges[image_range_count++] = (struct image_range){ start, end, writable };
    if (eol - p >= 7 && memcmp(eol - 7, "[stack]", 7) == 0 && readable && writable) {
      struct rlimit limit;
      // Below the top, as far as the stack may grow, nothing else is ever mapped.
      if (getrlimit(RLIMIT_STACK, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < end) {
        main_stack_high = end;
        main_stack_low = end - limit.rlim_cur;
      }
    }
    line = *eol ? eol + 1 : eol;
  }
}

/*
 * From the current frame up to the top, the main thread's stack is in use, hence mapped and
 * writable. (Other threads' stacks are left to the slow check: finding their bounds may
 * allocate, and a call may come from an interrupt handler.)
 */
static int in_live_stack(uintptr_t address, uintptr_t end) {
  uintptr_t here = (uintptr_t)__builtin_frame_address(0);
  if (here < main_stack_low || here >= main_stack_high || !pthread_equal(pthread_self(), main_thread)) return 0;
  return address >= here && end <= main_stack_high;
}

static int known_mapped(uint64_t address, uint32_t length, int for_writing) {
  uintptr_t start = (uintptr_t)address, end = start + length;
  if (end <= start || !atomic_load_explicit(&known_ranges_ready, memory_order_acquire)) return 0;
  for (uint32_t i = 0; i < image_range_count; i++) {
    const struct image_range *r = &image_ranges[i];
    if (start >= r->start && end <= r->end) return !for_writing || r->writable;
  }
  return in_live_stack(start, end);
}

/* Our own memory, read as the kernel would: the copy fails instead of faulting. */
static int copy_from_app(void *dst, uint64_t address, uint32_t length) {
  if (length == 0) return 1;
  if (known_mapped(address, length, 0)) {
    memcpy(dst, (const void *)(uintptr_t)address, length);
    return 1;
  }
  struct iovec local = { dst, length }, remote = { (void *)(uintptr_t)address, length };
  return process_vm_readv(self, &local, 1, &remote, 1, 0) == (ssize_t)length;
}

static int copy_to_app(uint64_t address, const void *src, uint32_t length) {
  if (length == 0) return 1;
  if (known_mapped(address, length, 1)) {
    memmove((void *)(uintptr_t)address, src, length);
    return 1;
  }
  struct iovec local = { (void *)src, length }, remote = { (void *)(uintptr_t)address, length };
  return process_vm_writev(self, &local, 1, &remote, 1, 0) == (ssize_t)length;
}

/* A writable pointer is probed by writing back what was just read: known writable memory needs no probe. */
static int writable_app(uint64_t address, const void *bytes, uint32_t length) {
  return length == 0 || known_mapped(address, length, 1) || copy_to_app(address, bytes, length);
}

/*
 * Appends one region and returns its bytes in the request (NULL when unreadable). Writable
 * pointers are probed by writing back what was just read: only memory the application can
 * write is reported writable.
 */
static const uint8_t *add_region(uint64_t address, uint64_t length, int writable) {
  if (region_count == MAX_REGIONS) die("a system call names more than 4096 memory regions");
  uint32_t flags = 0;
  uint32_t len32 = length > 0xffffffffu ? 0xffffffffu : (uint32_t)length;
  uint32_t header_at = request_used;
  put_u64(address);
  put_u32(len32);
  put_u32(0);
  const uint8_t *bytes = NULL;
  if (length > request_capacity - request_used - 64) {
    flags = REGION_TOO_LARGE;
  } else if (copy_from_app(request + request_used, address, len32)) {
    flags = REGION_READABLE;
    bytes = request + request_used;
    if (writable && writable_app(address, bytes, len32)) flags |= REGION_WRITABLE;
    request_used += align8(len32);
  }
  memcpy(request + header_at + 12, &flags, 4);
  regions[region_count++] = (struct region){ address, len32, flags };
  return bytes;
}

static void walk_struct(uint32_t index, const uint8_t *bytes);

/* `count`: the pointer's length from an argument (parameters), or UINT64_MAX to read it from `owner`. */
static void walk_pointer(const struct mvhost_pointer *p, uint64_t address, const uint8_t *owner, uint64_t count) {
  if (address == 0) return;
  int counted = count != UINT64_MAX;
  if (!counted && p->count_size) {
    count = read_uint(owner + p->count_offset, p->count_size);
    counted = 1;
  }
  if (!counted) count = 1;
  uint64_t length = counted && p->count_in_bytes ? count : count * p->element_size;
  const uint8_t *bytes = add_region(address, length, p->writable);
  if (!bytes || p->kind != MVHOST_KIND_STRUCT) return;
  uint64_t elements = length / p->element_size;
  for (uint64_t i = 0; i < elements; i++) walk_struct((uint32_t)p->struct_index, bytes + i * p->element_size);
}

static void walk_struct(uint32_t index, const uint8_t *bytes) {
  const struct mvhost_struct *s = &mvhost_structs[index];
  for (uint32_t i = 0; i < s->field_count; i++) {
    const struct mvhost_field *f = &mvhost_struct_fields[s->first_field + i];
    if (f->guard_size && read_uint(bytes + f->guard_offset, f->guard_size) != f->guard_value) continue;
    if (f->is_pointer)
      walk_pointer(&f->pointer, read_uint(bytes + f->offset, sizeof(void *)), bytes, UINT64_MAX);
    else
      walk_struct((uint32_t)f->pointer.struct_index, bytes + f->offset);
  }
}

static void write_all(int fd, const void *data, size_t length) {
  const uint8_t *p = data;
  while (length) {
    ssize_t n = write(fd, p, length);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) die("the device core went away (write failed)");
    p += n;
    length -= (size_t)n;
  }
}

static int read_all(int fd, void *data, size_t length) {
  uint8_t *p = data;
  while (length) {
    ssize_t n = read(fd, p, length);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return 0;
    p += n;
    length -= (size_t)n;
  }
  return 1;
}

static int inside_writable_region(uint64_t address, uint32_t length) {
  for (uint32_t i = 0; i < region_count; i++) {
    const struct region *r = &regions[i];
    if ((r->flags & REGION_WRITABLE) && address >= r->address && address + length <= r->address + r->length) return 1;
  }
  return 0;
}

static void require_connection(void) {
  if (call_fd >= 0) return;
  die("not connected to a device core; start this firmware with `npx mvdevice run -- <firmware>`");
}

static _Atomic uint32_t *shm_word(uint32_t offset) { return mvhost_shm_word(shm, offset); }

/*
 * How long a thread woken in WFI waits for the event thread to pend its interrupt (when that
 * thread is the one reading the events), before sleeping until the signal. The event thread
 * takes a few microseconds on another CPU; on this one it cannot run until the spin ends (both
 * threads just woke, so neither preempts the other): counted in the QoS 1 fixture, 85-93 % of
 * the wake-ups ran a 200 us spin out.
 */
#define EVENT_PEND_SPIN_NS 20000u

static void take_events(void);
/*
 * Who waits for the event socket: a thread in WFI in `wfi_epoll`, the event thread in
 * `event_epoll`. Both watch it exclusively, the WFI one first, so that a write wakes one thread:
 * the one in WFI when there is one (it applies the events itself and takes its interrupt on the
 * way out: one wake-up per burst instead of two), else the event thread. `event_lock` keeps
 * reading and applying to one thread at a time. Only with signal delivery (bare metal): an RTOS
 * tick may park the woken thread in its handler before it reads, and the events would wait
 * for it; there, WFI wakes together with the event thread as before.
 */
static int wfi_epoll = -1, event_epoll = -1;
static pthread_mutex_t event_lock = PTHREAD_MUTEX_INITIALIZER;

/* After a wake-up in WFI: wait for the event thread's pend, sleeping until the signal if slow. */
static void await_pend(const sigset_t *mask, int (*woken)(void)) {
  uint64_t start = mvhost_monotonic_ns();
  for (unsigned i = 1; !woken(); i++) {
    mvhost_spin_pause();
    // Slow, or an event that pends nothing that wakes: sleep until the signal as before.
    if ((i & 63u) == 0 && mvhost_monotonic_ns() - start > EVENT_PEND_SPIN_NS) {
      sigsuspend(mask);
      return;
    }
  }
}

void mvhost_call_wait_for_event(const sigset_t *mask, int (*woken)(void)) {
  if (shm) atomic_store(shm_word(MVHOST_SHM_FIRMWARE_IN_WFI), 1u);
  struct pollfd event = { event_fd, POLLIN, 0 };
  struct epoll_event ready;
  if (event_fd < 0) {
    sigsuspend(mask);
  } else if (mvhost_irq_signal_delivery()) {
    if (epoll_pwait(wfi_epoll, &ready, 1, -1, mask) > 0) {
      // No signal while this thread holds the lock (a handler must never wait for it).
      sigset_t all, saved;
      sigfillset(&all);
      pthread_sigmask(SIG_BLOCK, &all, &saved);
      pthread_mutex_lock(&event_lock);
      take_events();
      pthread_mutex_unlock(&event_lock);
      pthread_sigmask(SIG_SETMASK, &saved, NULL);
      // Taken by the event thread first (woken by an earlier write): its pend is on the way.
      await_pend(mask, woken);
    }
  } else if (ppoll(&event, 1, NULL, mask) > 0) {
    // Woken by the device core's event together with the event thread (which reads and applies
    // it, then pends the interrupt), not by the event thread's signal after it woke.
    await_pend(mask, woken);
  }
  if (shm) atomic_store(shm_word(MVHOST_SHM_FIRMWARE_IN_WFI), 0u);
}

/* The device core last watched or answered on this CPU: it cannot answer while this thread spins here. */
static int device_core_on_this_cpu(void) {
  int32_t cpu = mvhost_current_cpu();
  return cpu >= 0 && atomic_load(shm_word(MVHOST_SHM_DEVICE_CPU)) == (uint32_t)cpu;
}

/*
 * Calls in a row that found the device core's thread last running on this very CPU (it cannot
 * answer until this thread sleeps: every call then costs a futex sleep, a wake-up and two
 * context switches; the kernel keeps two processes that wake each other on one CPU). After
 * AVOID_AFTER of them, this thread leaves that CPU for the others it was allowed at its first
 * call, so that the two ends run side by side and spin for each other. A nudge, not a pin: the
 * first mask comes back RELEASE_AFTER calls later (the device core may have moved, or the other
 * CPUs may be busier), and the scheduler places the thread again.
 */
#define AVOID_AFTER 32u
#define RELEASE_AFTER 4096u
/* MVHOST_CPU_NUDGE=0 (read once at start) leaves every thread's affinity as the user set it. */
static int cpu_nudge = 1;
static _Thread_local uint32_t same_cpu_calls;
static _Thread_local uint32_t calls_since_left;
static _Thread_local int allowed_known;
static _Thread_local cpu_set_t allowed;

static void leave_cpu(int32_t cpu) {
  if (!allowed_known) allowed_known = sched_getaffinity(0, sizeof allowed, &allowed) == 0 ? 1 : -1;
  if (allowed_known < 0 || cpu < 0 || cpu >= CPU_SETSIZE || CPU_COUNT(&allowed) < 2 || !CPU_ISSET(cpu, &allowed)) return;
  cpu_set_t mask = allowed;
  CPU_CLR(cpu, &mask);
  if (sched_setaffinity(0, sizeof mask, &mask) == 0) calls_since_left = 1;
}

static void count_call_away(void) {
  if (calls_since_left && ++calls_since_left > RELEASE_AFTER) {
    calls_since_left = 0;
    (void)sched_setaffinity(0, sizeof allowed, &allowed);
  }
}

/* Publishes the request in the shared area and waits for its answer there. */
static const uint8_t *exchange_shared(void) {
  uint32_t seq = ++shm_seq;
  count_call_away();
  atomic_store(shm_word(MVHOST_SHM_REQUEST_SEQ), seq);
  // The device core is back in its event loop: ring it. (It sets its flag, then looks at the
  // sequence; we set the sequence, then look at its flag: one of us always sees the other.)
  _Atomic uint32_t *answered = shm_word(MVHOST_SHM_ANSWER_SEQ);
  int spun = 0;
  uint64_t start = 0;
  if (atomic_load(shm_word(MVHOST_SHM_DEVICE_IDLE))) {
    static const uint8_t doorbell = 1;
    write_all(call_fd, &doorbell, 1);
  } else if (atomic_load(answered) != seq && device_core_on_this_cpu()) {
    if (cpu_nudge && ++same_cpu_calls >= AVOID_AFTER) {
      same_cpu_calls = 0;
      leave_cpu(mvhost_current_cpu());
    }
  } else if (atomic_load(answered) != seq) {
    same_cpu_calls = 0;
    // The device core may forbid spinning (it serves many firmware processes at once).
    uint32_t limit = atomic_load(shm_word(MVHOST_SHM_ANSWER_SPIN_LIMIT));
    uint32_t budget = answer_spin_ns < limit ? answer_spin_ns : limit;
    spun = budget != 0;
    start = mvhost_monotonic_ns();
    for (unsigned i = 1; budget && atomic_load(answered) != seq; i++) {
      mvhost_spin_pause();
      if ((i & 15u) == 0 && mvhost_monotonic_ns() - start >= budget) break;
    }
    if (atomic_load(answered) == seq && answer_spin_ns < ANSWER_SPIN_MAX_NS)
      answer_spin_ns = answer_spin_ns * 2 < ANSWER_SPIN_MAX_NS ? answer_spin_ns * 2 : ANSWER_SPIN_MAX_NS;
  }
  if (atomic_load(answered) == seq) return answer_area;
  while (atomic_load(answered) != seq) {
    atomic_store(shm_word(MVHOST_SHM_FIRMWARE_SLEEPING), 1u);
    uint32_t seen = atomic_load(answered);
    if (seen != seq) mvhost_futex_wait(answered, seen);
    atomic_store(shm_word(MVHOST_SHM_FIRMWARE_SLEEPING), 0u);
  }
  if (spun) {
    uint64_t waited = mvhost_monotonic_ns() - start;
    if (waited < ANSWER_SPIN_MAX_NS) {
      uint64_t want = waited + waited / 2;
      if (want > answer_spin_ns) answer_spin_ns = want > ANSWER_SPIN_MAX_NS ? ANSWER_SPIN_MAX_NS : (uint32_t)want;
    } else if (answer_spin_ns > ANSWER_SPIN_MIN_NS) {
      answer_spin_ns /= 2;
    }
  }
  return answer_area;
}

/* Writes the request to the call socket and reads the answer back into the request buffer. */
static const uint8_t *exchange_socket(void) {
  write_all(call_fd, request, request_used);
  if (!read_all(call_fd, request, ANSWER_HEADER)) die("the device core went away (no answer)");
  uint32_t length;
  memcpy(&length, request, 4);
  if (length < ANSWER_HEADER || length > request_capacity || !read_all(call_fd, request + ANSWER_HEADER, length - ANSWER_HEADER))
    die("malformed answer from the device core");
  return request;
}

int64_t mvhost_call(uint32_t function_id, const uint64_t *args) {
  // Atomic with respect to interrupts: on the thread they preempt (bare metal) they wait for the
  // call's end; elsewhere every signal is blocked for the call (an RTOS tick must not switch tasks).
  sigset_t all, saved;
  int deferring = mvhost_irq_call_begin();
  if (!deferring) {
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &saved);
  }
  require_connection();
  if (function_id >= mvhost_function_count) die("unknown system call");
  // Once, from the application (the loader has finished protecting the image by now).
  if (!atomic_load_explicit(&known_ranges_ready, memory_order_relaxed)) {
    learn_known_ranges();
    atomic_store_explicit(&known_ranges_ready, 1, memory_order_release);
  }
  const struct mvhost_function *fn = &mvhost_functions[function_id];

  request_used = REQUEST_HEADER;
  region_count = 0;
  for (uint32_t i = 0; i < fn->param_count; i++) put_u64(args[i]);
  for (uint32_t i = 0; i < fn->param_count; i++)
    if (fn->params[i].is_pointer)
      walk_pointer(&fn->params[i].pointer, args[i], NULL, fn->params[i].count_arg >= 0 ? args[fn->params[i].count_arg] : UINT64_MAX);
  uint32_t header[4] = { request_used, function_id, fn->param_count, region_count };
  memcpy(request, header, sizeof header);

  const uint8_t *answer = shm ? exchange_shared() : exchange_socket();
  uint32_t length, write_count, events_before;
  int64_t status;
  memcpy(&length, answer, 4);
  memcpy(&write_count, answer + 4, 4);
  memcpy(&status, answer + 8, 8);
  memcpy(&events_before, answer + 16, 4);
  if (length < ANSWER_HEADER || length > request_capacity) die("malformed answer from the device core");
  uint32_t at = ANSWER_HEADER;
  for (uint32_t i = 0; i < write_count; i++) {
    uint64_t address;
    uint32_t size, flags;
    if (at + MVHOST_REGION_HEADER > length) die("malformed write in an answer from the device core");
    memcpy(&address, answer + at, 8);
    memcpy(&size, answer + at + 8, 4);
    memcpy(&flags, answer + at + 12, 4);
    at += MVHOST_REGION_HEADER;
    if (size > length - at) die("malformed write in an answer from the device core");
    // The device core only writes where the application passed writable memory for this call,
    // or into memory it was lent earlier (checked by the copy, which fails instead of faulting).
    if (inside_writable_region(address, size)) memcpy((void *)(uintptr_t)address, answer + at, size);
    else if (flags & WRITE_KEPT) (void)copy_to_app(address, answer + at, size);
    at += align8(size);
  }
  // Those events are already in the event socket. Take them here when no other thread is at it
  // (no interrupt handler runs on this thread during the call, so it cannot be parked holding the
  // lock): a thread in WFI may have taken the wake-up for them and been parked by an RTOS tick
  // before reading them.
  while ((int32_t)(atomic_load(&events_applied) - events_before) < 0) {
    if (pthread_mutex_trylock(&event_lock) == 0) {
      take_events();
      pthread_mutex_unlock(&event_lock);
    } else {
      sched_yield();
    }
  }
  if (deferring) mvhost_irq_call_end();
  else pthread_sigmask(SIG_SETMASK, &saved, NULL);
  return status;
}

/* Events received and not applied yet: one read takes all the socket holds. */
static uint8_t event_input[(1u << 20) + EVENT_HEADER];
static uint32_t event_input_used;

/* Applies every complete event in event_input, keeps the rest for later. Under event_lock. */
static void apply_events(void) {
  uint32_t done = 0;
  while (event_input_used - done >= EVENT_HEADER) {
    uint32_t header[EVENT_HEADER / 4];
    memcpy(header, event_input + done, sizeof header);
    if (header[0] < EVENT_HEADER || header[0] > sizeof event_input) die("malformed event from the device core");
    if (event_input_used - done < header[0]) break;
    const uint8_t *buffer = event_input + done + EVENT_HEADER;
    uint32_t rest = header[0] - EVENT_HEADER;
    uint32_t at = 0;
    for (uint32_t i = 0; i < header[3]; i++) {
      uint64_t address;
      uint32_t length;
      if (at + MVHOST_REGION_HEADER > rest) die("malformed event write");
      memcpy(&address, buffer + at, 8);
      memcpy(&length, buffer + at + 8, 4);
      at += MVHOST_REGION_HEADER;
      if (length > rest - at) die("malformed event write");
      (void)copy_to_app(address, buffer + at, length);
      at += align8(length);
    }
    if (header[1] == EVENT_IRQ) {
      // The sleeper is about to wake and call: the device core may wait for that call.
      if (shm) atomic_store(shm_word(MVHOST_SHM_FIRMWARE_IN_WFI), 0u);
      mvhost_irq_pend(header[2]);
    }
    done += header[0];
    uint32_t applied = atomic_fetch_add(&events_applied, 1) + 1;
    if (shm) atomic_store(shm_word(MVHOST_SHM_EVENTS_APPLIED), applied);
  }
  event_input_used -= done;
  if (done && event_input_used) memmove(event_input, event_input + done, event_input_used);
}

/*
 * Reads what the event socket holds (without blocking: the other waiter may have taken it)
 * and applies the complete events. One read for a burst: the device core writes once per turn
 * of its event loop. Under event_lock.
 */
static void take_events(void) {
  for (;;) {
    ssize_t n = recv(event_fd, event_input + event_input_used, sizeof event_input - event_input_used, MSG_DONTWAIT);
    if (n > 0) {
      event_input_used += (uint32_t)n;
      apply_events();
      return;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (event_input_used < EVENT_HEADER) _exit(0); /* the device core closed: power off */
    die("malformed event from the device core");
  }
}

/* The device core's events while no thread waits in WFI: notification records to write, then one pend per record. */
static void *event_thread(void *unused) {
  (void)unused;
  for (;;) {
    struct epoll_event ready;
    if (epoll_wait(event_epoll, &ready, 1, -1) <= 0) continue;
    pthread_mutex_lock(&event_lock);
    take_events();
    pthread_mutex_unlock(&event_lock);
  }
  return NULL;
}

static int fd_from_env(const char *name) {
  const char *v = getenv(name);
  if (!v || !*v) return -1;
  char *end;
  long fd = strtol(v, &end, 10);
  return *end == 0 && fd >= 0 ? (int)fd : -1;
}

__attribute__((constructor)) static void mvhost_start(void) {
  self = getpid();
  main_thread = pthread_self();
  mvhost_irq_init();
  const char *nudge = getenv("MVHOST_CPU_NUDGE");
  cpu_nudge = !(nudge && strcmp(nudge, "0") == 0);
  call_fd = fd_from_env("MVHOST_CALL_FD");
  event_fd = fd_from_env("MVHOST_EVENT_FD");
  if (call_fd < 0 || event_fd < 0) {
    call_fd = event_fd = -1;
    return;
  }
  // Never outlive the runner, even if it is killed without a chance to clean up.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() == 1) _exit(0);
  int shm_fd = fd_from_env("MVHOST_SHM_FD");
  if (shm_fd >= 0) {
    // The device core sized the mapping; its header says how large each area is.
    uint32_t capacity = 0, protocol = 0;
    if (pread(shm_fd, &capacity, sizeof capacity, MVHOST_SHM_CAPACITY) != (ssize_t)sizeof capacity || capacity < 4096u) die("the call channel from the device core is unusable");
    if (pread(shm_fd, &protocol, sizeof protocol, MVHOST_SHM_PROTOCOL_ID) != (ssize_t)sizeof protocol || protocol != MVHOST_PROTOCOL_ID)
      die("the device core speaks another version of the host protocol: rebuild this firmware against the @mvmqtt/c-headers that matches @mvmqtt/device");
    void *base = mmap(NULL, MVHOST_SHM_REQUEST_AREA + 2 * (size_t)capacity, PROT_READ | PROT_WRITE, MAP_SHARED, shm_fd, 0);
    if (base == MAP_FAILED) die("cannot map the call channel from the device core");
    close(shm_fd);
    shm = base;
    request_capacity = capacity;
    request = shm + MVHOST_SHM_REQUEST_AREA;
    answer_area = request + capacity;
  } else {
    request = malloc(REQUEST_CAPACITY);
    if (!request) die("out of memory for the call buffer");
  }
  // The WFI waiter first: an exclusive wake-up goes to the first of them that is waiting.
  struct epoll_event in = { .events = EPOLLIN | EPOLLEXCLUSIVE };
  wfi_epoll = epoll_create1(EPOLL_CLOEXEC);
  event_epoll = epoll_create1(EPOLL_CLOEXEC);
  if (wfi_epoll < 0 || event_epoll < 0 || epoll_ctl(wfi_epoll, EPOLL_CTL_ADD, event_fd, &in) != 0 || epoll_ctl(event_epoll, EPOLL_CTL_ADD, event_fd, &in) != 0)
    die("cannot watch the event socket");
  pthread_t thread;
  pthread_attr_t attr;
  sigset_t all, saved;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  // The event thread never takes signals: they belong to the application's threads.
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &saved);
  if (pthread_create(&thread, &attr, event_thread, NULL) != 0) die("cannot start the event thread");
  pthread_sigmask(SIG_SETMASK, &saved, NULL);
  pthread_attr_destroy(&attr);
}
