/* Unit tests for libsandbox/cgroup.c's BPF device program (cgroup v2):
   the program is run here by a small interpreter of the instructions it
   uses, on the devices a sandbox has and on host devices it must not
   open or make. A wrong jump offset or a rule out of order shows here
   without root or a cgroup2 mount (test-cgroups.sh runs it in the
   kernel). */
#include "cgroup.h"
#include "check_run.h"

#include <check.h>
#include <linux/bpf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define MAXPROG 128

/* Runs prog on ctx; -1 for what the kernel's verifier would refuse or
   this interpreter does not know: an unknown instruction, a register read
   before it is written (r0 at exit too), a jump out of the program, more
   steps than instructions (it has no loops). */
static long
run (const struct bpf_insn *prog, size_t n, const struct bpf_cgroup_dev_ctx *ctx)
{
  uint64_t reg[11] = { 0 };
  bool set[11] = { [BPF_REG_1] = true };
  size_t pc = 0, steps = 0;

  while (pc < n && steps++ <= n)
    {
      const struct bpf_insn *i = &prog[pc++];

      if (i->dst_reg > 10)
        return -1;
      switch (i->code)
        {
        case BPF_LDX | BPF_MEM | BPF_W:
          if (i->src_reg != BPF_REG_1 || i->off < 0 || (size_t) i->off + 4 > sizeof (*ctx) || i->off % 4)
            return -1;
          reg[i->dst_reg] = *(const uint32_t *) (const void *) ((const char *) ctx + i->off);
          set[i->dst_reg] = true;
          break;
        case BPF_ALU | BPF_AND | BPF_K:
          if (!set[i->dst_reg])
            return -1;
          reg[i->dst_reg] = (uint32_t) (reg[i->dst_reg] & (uint32_t) i->imm);
          break;
        case BPF_ALU64 | BPF_MOV | BPF_K:
          reg[i->dst_reg] = (uint64_t) (int64_t) i->imm;
          set[i->dst_reg] = true;
          break;
        case BPF_JMP | BPF_JNE | BPF_K:
          if (!set[i->dst_reg] || i->off < 0 || pc + (size_t) i->off >= n)
            return -1;
          if (reg[i->dst_reg] != (uint64_t) (int64_t) i->imm)
            pc += (size_t) i->off;
          break;
        case BPF_JMP | BPF_EXIT:
          return set[BPF_REG_0] ? (long) reg[BPF_REG_0] : -1;
        default:
          return -1;
        }
    }
  return -1;
}

static long
judge (char type, unsigned major, unsigned minor, unsigned access)
{
  struct bpf_insn prog[MAXPROG];
  size_t n = sb_cgroup_devices_program (prog, MAXPROG);
  struct bpf_cgroup_dev_ctx ctx = {
    .access_type = (uint32_t) ((type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR) | (access << 16)),
    .major = major,
    .minor = minor,
  };

  ck_assert_uint_gt (n, 0);
  return run (prog, n, &ctx);
}

START_TEST (allows_the_sandbox_devices)
{
  static const unsigned dev[][2] = { { 1, 3 }, { 1, 5 }, { 1, 7 }, { 1, 8 }, { 1, 9 },
                                     { 5, 0 }, { 5, 1 }, { 5, 2 }, { 136, 0 }, { 136, 4095 } };
  const unsigned rw = BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE;

  for (size_t k = 0; k < sizeof (dev) / sizeof (dev[0]); k++)
    {
      ck_assert_msg (judge ('c', dev[k][0], dev[k][1], rw) == 1, "c %u:%u refused", dev[k][0], dev[k][1]);
      ck_assert_msg (judge ('c', dev[k][0], dev[k][1], BPF_DEVCG_ACC_MKNOD) == 1, "mknod c %u:%u refused",
                     dev[k][0], dev[k][1]);
    }
}
END_TEST

START_TEST (refuses_host_devices)
{
  /* kmsg, mem, port, loop-control, tun, fuse, kvm, a disk, the same
     numbers as block devices, a pty master, a neighbour of an allowed one */
  static const struct
  {
    char type;
    unsigned major, minor;
  } dev[] = { { 'c', 1, 11 }, { 'c', 1, 1 },  { 'c', 1, 4 },   { 'c', 10, 237 }, { 'c', 10, 200 },
              { 'c', 10, 229 }, { 'c', 10, 232 }, { 'b', 254, 0 }, { 'b', 8, 0 },    { 'b', 1, 3 },
              { 'b', 136, 0 }, { 'c', 128, 0 }, { 'c', 1, 2 },   { 'c', 5, 3 },    { 'c', 4, 0 } };

  for (size_t k = 0; k < sizeof (dev) / sizeof (dev[0]); k++)
    ck_assert_msg (judge (dev[k].type, dev[k].major, dev[k].minor, BPF_DEVCG_ACC_READ) == 0, "%c %u:%u allowed",
                   dev[k].type, dev[k].major, dev[k].minor);
}
END_TEST

START_TEST (too_little_room)
{
  struct bpf_insn prog[8];

  ck_assert_uint_eq (sb_cgroup_devices_program (prog, 8), 0);
}
END_TEST

SB_CHECK_MAIN ("cgroup_devices", "program", allows_the_sandbox_devices, refuses_host_devices, too_little_room)
