/* The memory a loaded policy keeps resident (issue 13, density): struct
   sb_policy is about 1 MiB, and every sandbox's runtime, Sentry and monitor
   hold one. Once loaded, only the pages that carry something may stay
   resident, and what was given back must still read as the same policy. */
#include "policy.h"
#include "check_run.h"

#include <check.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static const char policy_text[] = "tenant = \"acme\"\n"
                                   "limits {\n"
                                   "    memory = 512M\n"
                                   "    pids = 256\n"
                                   "}\n"
                                   "filesystem {\n"
                                   "    hidden = {\"/etc/shadow\", \"/root\"}\n"
                                   "    read-only = {\"/etc\"}\n"
                                   "    volume-roots = {\"/srv/tenants/acme\"}\n"
                                   "    volume data {\n"
                                   "        source = \"/srv/tenants/acme/data\"\n"
                                   "        target = \"/data\"\n"
                                   "    }\n"
                                   "}\n"
                                   "hostname = \"acme\"\n";

/* A policy in a fresh anonymous mapping of its own, as calloc gives one
   of this size; filled with `fill` first (0: untouched). */
static struct sb_policy *
map_policy (int fill)
{
  void *m = mmap (NULL, sizeof (struct sb_policy), PROT_READ | PROT_WRITE,
                  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ck_assert_ptr_ne (m, MAP_FAILED);
  if (fill)
    memset (m, fill, sizeof (struct sb_policy));
  return m;
}

/* Pages of the policy resident now, by mincore(2). */
static size_t
resident_pages (const struct sb_policy *p)
{
  size_t page = (size_t) sysconf (_SC_PAGESIZE), n = (sizeof (*p) + page - 1) / page, i, count = 0;
  unsigned char *vec = calloc (n, 1);

  ck_assert_ptr_nonnull (vec);
  ck_assert_int_eq (mincore ((void *) p, sizeof (*p), vec), 0);
  for (i = 0; i < n; i++)
    count += vec[i] & 1;
  free (vec);
  return count;
}

/* The whole struct equals a copy loaded the same way. (Reading it whole
   makes it resident again: the pages are counted before.) */
static void
assert_same (const struct sb_policy *p, const struct sb_policy *ref)
{
  ck_assert_msg (memcmp (p, ref, sizeof (*p)) == 0, "the policy changed when its pages were given back");
}

/* At most this many of its ~260 pages stay resident: the header fields, the
   few paths set, the volume, the strings at the end. Writing the struct
   whole would leave all of them. */
#define MAX_RESIDENT 24

START_TEST (test_loaded_policy_is_sparse)
{
  struct sb_policy *p = map_policy (0), *ref = malloc (sizeof (*ref));
  sb_error_t err = NULL;

  ck_assert_ptr_nonnull (ref);
  ck_assert_msg (sb_policy_load_buffer (p, "t.conf", policy_text, &err) == 0, "%s", err ? err->msg : "");
  ck_assert_uint_le (resident_pages (p), MAX_RESIDENT);
  /* Still the policy that was loaded. */
  ck_assert_str_eq (p->tenant, "acme");
  ck_assert_int_eq (p->nhidden, 2);
  ck_assert_str_eq (p->hidden[1], "/root");
  ck_assert_int_eq (p->nvolumes, 1);
  ck_assert_str_eq (p->volumes[0].target, "/data");
  ck_assert_str_eq (p->uname_release, "6.1.0");
  ck_assert_uint_eq (p->memory_bytes, 512ull << 20);
  ck_assert_msg (sb_policy_load_buffer (ref, "t.conf", policy_text, &err) == 0, "%s", err ? err->msg : "");
  assert_same (p, ref);
  free (ref);
  munmap (p, sizeof (*p));
}
END_TEST

/* Loading over memory that held something else (a reload) clears it all. */
START_TEST (test_load_over_garbage)
{
  struct sb_policy *p = map_policy (0xa5), *ref = map_policy (0);
  sb_error_t err = NULL;

  ck_assert_msg (sb_policy_load_buffer (p, "t.conf", policy_text, &err) == 0, "%s", err ? err->msg : "");
  ck_assert_uint_le (resident_pages (p), MAX_RESIDENT);
  ck_assert_msg (sb_policy_load_buffer (ref, "t.conf", policy_text, &err) == 0, "%s", err ? err->msg : "");
  assert_same (p, ref);
  ck_assert_int_eq (((unsigned char *) p)[sizeof (*p) / 2], 0);
  munmap (p, sizeof (*p));
  munmap (ref, sizeof (*ref));
}
END_TEST

START_TEST (test_defaults_are_sparse)
{
  struct sb_policy *p = map_policy (0x5a);

  sb_policy_defaults (p);
  ck_assert_uint_le (resident_pages (p), MAX_RESIDENT);
  ck_assert_str_eq (p->hostname_pattern, "*");
  ck_assert_int_eq (p->nhidden, 0);
  ck_assert_int_eq (p->hidden[SB_POLICY_MAX_PATHS - 1][0], 0);
  ck_assert_int_eq (p->volumes[SB_POLICY_MAX_VOLUMES - 1].source[100], 0);
  munmap (p, sizeof (*p));
}
END_TEST

/* A policy inside a larger heap block: its neighbours are left alone. */
START_TEST (test_neighbours_untouched)
{
  size_t size = sizeof (struct sb_policy) + 3 * 4096;
  unsigned char *block = malloc (size);
  struct sb_policy *p;
  size_t i;

  ck_assert_ptr_nonnull (block);
  memset (block, 0x77, size);
  p = (struct sb_policy *) (block + 100);
  sb_policy_defaults (p);
  for (i = 0; i < 100; i++)
    ck_assert_int_eq (block[i], 0x77);
  for (i = 100 + sizeof (*p); i < size; i++)
    ck_assert_int_eq (block[i], 0x77);
  free (block);
}
END_TEST

/* A policy of its own pages never touches those it does not use: no page
   fault, nothing to give back. The defaults are the same as
   sb_policy_defaults gives. */
START_TEST (test_new_policy_untouched)
{
  struct sb_policy *p = sb_policy_new (), *ref = malloc (sizeof (*ref));

  ck_assert_ptr_nonnull (p);
  ck_assert_ptr_nonnull (ref);
  ck_assert_uint_eq ((uintptr_t) p % 4096, 0);
  ck_assert_uint_le (resident_pages (p), 4);
  sb_policy_defaults (ref);
  assert_same (p, ref);
  free (ref);
  sb_policy_free (p);
}
END_TEST

START_TEST (test_load_new_untouched)
{
  struct sb_policy *p = NULL, *ref = malloc (sizeof (*ref));
  char path[] = "/tmp/test-policy-memory.XXXXXX";
  sb_error_t err = NULL;
  int fd = mkstemp (path);

  ck_assert_int_ge (fd, 0);
  ck_assert_int_eq (write (fd, policy_text, sizeof (policy_text) - 1), (int) sizeof (policy_text) - 1);
  close (fd);
  ck_assert_msg (sb_policy_load_new (&p, NULL, path, &err) == 0, "%s", err ? err->msg : "");
  ck_assert_uint_le (resident_pages (p), MAX_RESIDENT);
  ck_assert_str_eq (p->hidden[0], "/etc/shadow");
  ck_assert_msg (sb_policy_load (ref, NULL, path, &err) == 0, "%s", err ? err->msg : "");
  assert_same (p, ref);
  sb_policy_free (p);
  /* A bad file: an error, and *out left alone. */
  fd = open (path, O_WRONLY | O_TRUNC);
  ck_assert_int_ge (fd, 0);
  ck_assert_int_eq (write (fd, "limits { pids = x }\n", 20), 20);
  close (fd);
  p = NULL;
  ck_assert_int_lt (sb_policy_load_new (&p, NULL, path, &err), 0);
  ck_assert_ptr_null (p);
  unlink (path);
  free (ref);
}
END_TEST

SB_CHECK_MAIN ("policy-memory", "resident", test_loaded_policy_is_sparse, test_load_over_garbage, test_defaults_are_sparse, test_neighbours_untouched, test_new_policy_untouched, test_load_new_untouched)
