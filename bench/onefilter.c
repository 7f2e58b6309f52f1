/*
 * onefilter: runs a command under the smallest useful seccomp filter.
 *
 *     onefilter [--] CMD [ARG...]
 *
 * Loads a libseccomp filter whose default action is ALLOW with exactly one
 * rule (acct(2) fails with EPERM: a call no benchmark makes), then execs CMD.
 * It is the "one-rule filter" column of bench/run.sh: what any seccomp
 * filter costs a system call, the floor under the sandbox's host-class calls
 * (issue 13: host-class calls within 5% of this column).
 *
 * Built statically (bench/Makefile.inc) like microbench, so it also runs in
 * a minimal root. The filter is inherited across execve and by every child.
 * libseccomp sets no_new_privs before loading it (SCMP_FLTATR_CTL_NNP), so
 * no privilege is needed. Exit status: CMD's (it is exec'ed), 127 when CMD
 * cannot be exec'ed, 2 on bad usage, 1 when the filter cannot be loaded.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fprintf(f,
		"usage: onefilter [--] CMD [ARG...]\n"
		"Execs CMD under a seccomp filter: default ALLOW, one rule (acct -> EPERM).\n");
}

int main(int argc, char **argv)
{
	scmp_filter_ctx ctx;
	int i = 1;
	int rc;

	if (i < argc && (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)) {
		usage(stdout);
		return 0;
	}
	if (i < argc && strcmp(argv[i], "--") == 0)
		i++;
	if (i >= argc) {
		usage(stderr);
		return 2;
	}

	ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx) {
		fprintf(stderr, "onefilter: seccomp_init failed\n");
		return 1;
	}
	rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(acct), 0);
	if (rc < 0) {
		fprintf(stderr, "onefilter: seccomp_rule_add: %s\n", strerror(-rc));
		seccomp_release(ctx);
		return 1;
	}
	rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc < 0) {
		fprintf(stderr, "onefilter: seccomp_load: %s\n", strerror(-rc));
		return 1;
	}
	execvp(argv[i], argv + i);
	fprintf(stderr, "onefilter: %s: %s\n", argv[i], strerror(errno));
	return 127;
}
