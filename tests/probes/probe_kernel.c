/* probe_kernel: calls that expose the host kernel's attack surface must be
   denied: bpf, perf_event_open, userfaultfd, io_uring_setup, keyctl,
   add_key, kexec_load, kexec_file_load, init_module, finit_module,
   delete_module; and every way of setting the host's clock
   (settimeofday, clock_settime, adjtimex, clock_adjtime).

   Harmless when they reach the kernel: the bpf program is a two-instruction
   socket filter attached to nothing, the perf event is a disabled software
   counter on this process, every fd is closed at once, the key goes to the
   process keyring (gone when the probe exits); kexec_load asks for more
   segments than the kernel accepts and for a foreign architecture (and
   never for zero segments, which would unload a loaded kernel),
   kexec_file_load gets bad fds and an invalid flag (and never
   KEXEC_FILE_UNLOAD or KEXEC_FILE_ON_CRASH), init_module gets a buffer that
   is not an ELF file, finit_module a bad fd and an invalid flag, and
   delete_module a name no module has; the clock calls set the time it
   already is, the frequency it already has, or a zero offset. */
#include "probe.h"

#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/io_uring.h>
#include <linux/keyctl.h>
#include <linux/perf_event.h>
#include <stdint.h>
#include <sys/time.h>
#include <sys/timex.h>
#include <time.h>

#ifndef __NR_io_uring_setup
#define __NR_io_uring_setup 425
#endif
#ifndef __NR_kexec_file_load
#define __NR_kexec_file_load 320
#endif
#ifndef __NR_userfaultfd
#define __NR_userfaultfd 323
#endif

/* Report a denied-class call that returns an fd, and close the fd. */
static void
denied_fd (const char *what, long rc, int err)
{
  probe_denied (what, rc, err);
  if (rc >= 0)
    close ((int) rc);
}

static void
probe_bpf (void)
{
  struct bpf_insn insns[2];
  memset (insns, 0, sizeof insns);
  insns[0].code = BPF_ALU64 | BPF_MOV | BPF_K; /* r0 = 0 */
  insns[0].dst_reg = BPF_REG_0;
  insns[0].imm = 0;
  insns[1].code = BPF_JMP | BPF_EXIT;
  static const char license[] = "GPL";

  union bpf_attr attr;
  memset (&attr, 0, sizeof attr);
  attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
  attr.insns = (uint64_t) (uintptr_t) insns;
  attr.insn_cnt = 2;
  attr.license = (uint64_t) (uintptr_t) license;
  errno = 0;
  long rc = syscall (SYS_bpf, BPF_PROG_LOAD, &attr, sizeof attr);
  denied_fd ("bpf(BPF_PROG_LOAD, 2-insn socket filter)", rc, errno);

  memset (&attr, 0, sizeof attr);
  attr.map_type = BPF_MAP_TYPE_ARRAY;
  attr.key_size = 4;
  attr.value_size = 4;
  attr.max_entries = 1;
  errno = 0;
  rc = syscall (SYS_bpf, BPF_MAP_CREATE, &attr, sizeof attr);
  denied_fd ("bpf(BPF_MAP_CREATE, 1-entry array)", rc, errno);
}

static void
probe_perf (void)
{
  struct perf_event_attr pe;
  memset (&pe, 0, sizeof pe);
  pe.type = PERF_TYPE_SOFTWARE;
  pe.size = sizeof pe;
  pe.config = PERF_COUNT_SW_CPU_CLOCK;
  pe.disabled = 1;
  pe.exclude_kernel = 1;
  pe.exclude_hv = 1;
  errno = 0;
  long rc = syscall (SYS_perf_event_open, &pe, 0, -1, -1,
                     PERF_FLAG_FD_CLOEXEC);
  denied_fd ("perf_event_open(software cpu-clock, this process)", rc, errno);
}

static void
probe_userfaultfd (void)
{
  errno = 0;
  long rc = syscall (__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);
  denied_fd ("userfaultfd()", rc, errno);

  /* The same object through the device node (Linux 6.1+). */
  int fd = open ("/dev/userfaultfd", O_RDWR | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT)
    probe_absent ("open(/dev/userfaultfd)");
  else if (fd < 0)
    probe_refused ("open(/dev/userfaultfd)", true, errno);
  else
    {
      probe_refused ("open(/dev/userfaultfd)", false, 0);
      close (fd);
    }
}

static void
probe_io_uring (void)
{
  struct io_uring_params p;
  memset (&p, 0, sizeof p);
  errno = 0;
  long rc = syscall (__NR_io_uring_setup, 1U, &p);
  denied_fd ("io_uring_setup(1 entry)", rc, errno);
}

static void
probe_keys (void)
{
  errno = 0;
  long rc = syscall (SYS_keyctl, KEYCTL_GET_KEYRING_ID,
                     KEY_SPEC_USER_KEYRING, 0);
  probe_denied ("keyctl(KEYCTL_GET_KEYRING_ID, user keyring)", rc, errno);

  errno = 0;
  rc = syscall (SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL);
  probe_denied ("keyctl(KEYCTL_JOIN_SESSION_KEYRING, new anonymous)", rc,
                errno);

  static const char payload[] = "x";
  errno = 0;
  rc = syscall (SYS_add_key, "user", "sbprobe-key", payload,
                sizeof payload - 1, KEY_SPEC_PROCESS_KEYRING);
  int err = errno;
  probe_denied ("add_key(user, process keyring)", rc, err);
  if (rc > 0)
    syscall (SYS_keyctl, KEYCTL_INVALIDATE, rc);
}

static void
probe_kexec (void)
{
  /* 17 > KEXEC_SEGMENT_MAX and KEXEC_ARCH_ARM on x86-64: EINVAL before
     anything is read or changed. */
  struct
  {
    const void *buf;
    size_t bufsz;
    const void *mem;
    size_t memsz;
  } seg[17];
  memset (seg, 0, sizeof seg);
  errno = 0;
  long rc = syscall (SYS_kexec_load, 0UL, 17UL, seg, 40UL << 16);
  probe_denied ("kexec_load(garbage segments)", rc, errno);

  errno = 0;
  rc = syscall (__NR_kexec_file_load, -1, -1, 0UL, NULL, 0x80000000UL);
  probe_denied ("kexec_file_load(bad fds, invalid flags)", rc, errno);
}

static void
probe_modules (void)
{
  static const char not_elf[64] = "this is not an ELF kernel module";
  errno = 0;
  long rc = syscall (SYS_init_module, not_elf, sizeof not_elf, "");
  probe_denied ("init_module(garbage image)", rc, errno);

  errno = 0;
  rc = syscall (SYS_finit_module, -1, "", 0x80000000U);
  probe_denied ("finit_module(bad fd, invalid flags)", rc, errno);

  errno = 0;
  rc = syscall (SYS_delete_module, "sbprobe_no_such_module",
                O_NONBLOCK);
  probe_denied ("delete_module(sbprobe_no_such_module)", rc, errno);
}

static void
probe_clock (void)
{
  struct timeval tv;
  struct timespec ts;
  struct timex tx;
  long rc;

  gettimeofday (&tv, NULL);
  rc = syscall (SYS_settimeofday, &tv, NULL);
  probe_denied ("settimeofday(now)", rc, errno);
  clock_gettime (CLOCK_REALTIME, &ts);
  rc = syscall (SYS_clock_settime, CLOCK_REALTIME, &ts);
  probe_denied ("clock_settime(CLOCK_REALTIME, now)", rc, errno);
  memset (&tx, 0, sizeof tx);
  if (syscall (SYS_adjtimex, &tx) < 0)
    tx.freq = 0;
  tx.modes = ADJ_FREQUENCY; /* the frequency it has */
  rc = syscall (SYS_adjtimex, &tx);
  probe_denied ("adjtimex(ADJ_FREQUENCY, unchanged)", rc, errno);
  memset (&tx, 0, sizeof tx);
  tx.modes = 0x8001; /* ADJ_OFFSET_SINGLESHOT: slew by 0 */
  rc = syscall (SYS_clock_adjtime, CLOCK_REALTIME, &tx);
  probe_denied ("clock_adjtime(CLOCK_REALTIME, single-shot offset 0)", rc, errno);
  memset (&tx, 0, sizeof tx);
  tx.modes = ADJ_SETOFFSET; /* step by 0 */
  rc = syscall (SYS_adjtimex, &tx);
  probe_denied ("adjtimex(ADJ_SETOFFSET, 0)", rc, errno);
}

int
main (void)
{
  probe_init ();
  probe_bpf ();
  probe_perf ();
  probe_userfaultfd ();
  probe_io_uring ();
  probe_keys ();
  probe_kexec ();
  probe_modules ();
  probe_clock ();
  return probe_status ();
}
