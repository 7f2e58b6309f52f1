/* Unit tests for common/creds.c's reading of a /proc/<tid>/status text
   (sb_parse_task_status): the ids, groups and capabilities the Sentry and
   the Gofer act with, the permitted set access() checks a real root with,
   one mask alone (sb_status_mask, the Sentry's sweep of blocking calls),
   and the refusals of a malformed or oversized text. */
#include "creds.h"
#include "check_run.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

/* A status text as the kernel writes it (the lines the parser reads). */
static const char *
status_text (const char *groups, const char *capprm)
{
  static char buf[2048];

  snprintf (buf, sizeof (buf),
            "Name:\tapp\nUmask:\t0027\nState:\tS (sleeping)\nTgid:\t42\nNgid:\t0\nPid:\t43\n"
            "PPid:\t1\nUid:\t1000\t0\t0\t0\nGid:\t1000\t33\t33\t33\nFDSize:\t64\nGroups:\t%s\n"
            "NStgid:\t42\t7\nNSpid:\t43\t8\n%sCapEff:\t0000000000000005\n",
            groups, capprm);
  return buf;
}

START_TEST (reads_ids_groups_and_capabilities)
{
  struct sb_task_status st;

  ck_assert_int_eq (sb_parse_task_status (status_text ("33 4 ", "CapPrm:\t00000000000000ff\n"), &st), 0);
  ck_assert_uint_eq (st.cred.uid, 1000);
  ck_assert_uint_eq (st.cred.euid, 0);
  ck_assert_uint_eq (st.cred.fsuid, 0);
  ck_assert_uint_eq (st.cred.gid, 1000);
  ck_assert_uint_eq (st.cred.fsgid, 33);
  ck_assert_uint_eq (st.cred.ngroups, 2);
  ck_assert_uint_eq (st.cred.groups[0], 33);
  ck_assert_uint_eq (st.cred.groups[1], 4);
  ck_assert_uint_eq (st.cred.cap_eff, 0x5);
  ck_assert_uint_eq (st.cap_prm, 0xff);
  ck_assert_uint_eq (st.umask, 027);
  ck_assert_int_eq (st.tgid, 42);
  ck_assert_int_eq (st.nspid, 7);
  ck_assert_int_eq (st.nstid, 8);
}
END_TEST

START_TEST (permitted_defaults_to_effective)
{
  struct sb_task_status st;

  ck_assert_int_eq (sb_parse_task_status (status_text ("", ""), &st), 0);
  ck_assert_uint_eq (st.cred.ngroups, 0);
  ck_assert_uint_eq (st.cap_prm, st.cred.cap_eff);
}
END_TEST

START_TEST (reads_one_mask)
{
  const char *text = "Name:\tapp\nSigPnd:\t0000000000000100\nShdPnd:\tzz\nSigBlk:\t0000000000002000\n";

  ck_assert_uint_eq (sb_status_mask (text, "SigPnd"), 0x100);
  ck_assert_uint_eq (sb_status_mask (text, "SigBlk"), 0x2000);
  ck_assert_uint_eq (sb_status_mask (text, "ShdPnd"), 0); /* malformed */
  ck_assert_uint_eq (sb_status_mask (text, "SigIgn"), 0); /* missing */
}
END_TEST

START_TEST (refuses_malformed_and_oversized)
{
  struct sb_task_status st;
  char groups[SB_CRED_MAX_GROUPS * 8 + 16] = "";
  int i;

  ck_assert_int_eq (sb_parse_task_status ("Name:\tapp\nUid:\t1\t2\n", &st), -EINVAL);
  for (i = 0; i <= SB_CRED_MAX_GROUPS; i++)
    snprintf (groups + strlen (groups), sizeof (groups) - strlen (groups), "%d ", 100 + i);
  ck_assert_int_eq (sb_parse_task_status (status_text (groups, ""), &st), -E2BIG);
}
END_TEST

SB_CHECK_MAIN ("creds", "task_status", reads_ids_groups_and_capabilities, permitted_defaults_to_effective, reads_one_mask, refuses_malformed_and_oversized)
