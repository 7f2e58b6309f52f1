/*
 * notif_roundtrip: cost of one bare seccomp user-notification round trip.
 *
 * The measuring process installs a filter that turns getppid into
 * SECCOMP_RET_USER_NOTIF; a supervisor (a forked process by default, or a
 * thread) receives each notification and answers it at once, either with a
 * value or with SECCOMP_USER_NOTIF_FLAG_CONTINUE. The mean time of one
 * getppid call is then one full round trip: trap, wake the supervisor,
 * RECV, SEND, wake the caller, return. By default the supervisor asks for
 * SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (Linux >= 6.6), which keeps the
 * ping-pong on one CPU, as a tuned sandbox supervisor would.
 *
 * Output: "notif_roundtrip <mean microseconds with 2 decimals>".
 * It is the yardstick for the sandbox's path-based calls (stat, open+close),
 * which need at least one such round trip each. Measured, never asserted.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* also set by AM_CPPFLAGS; this keeps a bare gcc build working */
#endif
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Linux 6.6: the supervisor can ask for synchronous (same-CPU) wake-ups. */
#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif

#define TARGET_NS 300000000.0
#define CALIBRATE_NS 20000000.0
#define MIN_ITERS 100
#define MAX_ITERS 100000000L
#define ANSWER_VALUE 4242

static int answer_continue; /* 0: answer with ANSWER_VALUE */
static int sync_wakeup = 1; /* --no-sync-wakeup clears it */

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int install_filter(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_getppid, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(f) / sizeof(f[0]), .filter = f };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		perror("notif_roundtrip: PR_SET_NO_NEW_PRIVS");
		return -1;
	}
	int fd = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
			      SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
	if (fd < 0)
		perror("notif_roundtrip: seccomp(SECCOMP_FILTER_FLAG_NEW_LISTENER)");
	return fd;
}

/* Answers notifications until the listener fails (target gone). */
static void supervise(int listener)
{
	struct seccomp_notif_sizes sizes;

	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0) {
		perror("notif_roundtrip: SECCOMP_GET_NOTIF_SIZES");
		return;
	}
	size_t req_size = sizes.seccomp_notif > sizeof(struct seccomp_notif)
				  ? sizes.seccomp_notif : sizeof(struct seccomp_notif);
	size_t resp_size = sizes.seccomp_notif_resp > sizeof(struct seccomp_notif_resp)
				   ? sizes.seccomp_notif_resp : sizeof(struct seccomp_notif_resp);
	struct seccomp_notif *req = calloc(1, req_size);
	struct seccomp_notif_resp *resp = calloc(1, resp_size);

	if (!req || !resp) {
		fprintf(stderr, "notif_roundtrip: out of memory\n");
		free(req);
		free(resp);
		return;
	}
	if (sync_wakeup &&
	    ioctl(listener, SECCOMP_IOCTL_NOTIF_SET_FLAGS, SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP) < 0)
		fprintf(stderr, "notif_roundtrip: SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP: %s: "
			"measuring plain wake-ups\n", strerror(errno));
	for (;;) {
		memset(req, 0, req_size);
		if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, req) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		memset(resp, 0, resp_size);
		resp->id = req->id;
		if (answer_continue)
			resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		else
			resp->val = ANSWER_VALUE;
		if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, resp) < 0 && errno != ENOENT)
			break;
	}
	free(req);
	free(resp);
}

static void *supervise_thread(void *arg)
{
	int rfd = *(int *)arg;
	int listener;

	if (read(rfd, &listener, sizeof(listener)) != (ssize_t)sizeof(listener))
		return NULL;
	supervise(listener);
	return NULL;
}

static int send_fd(int sock, int fd)
{
	char byte = 0;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *cm;

	memset(&u, 0, sizeof(u));
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -1;
}

static int recv_fd(int sock)
{
	char byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *cm;
	int fd;

	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != 1)
		return -1;
	cm = CMSG_FIRSTHDR(&msg);
	if (!cm || cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

/* n notified getppid calls; returns elapsed ns or -1. */
static double timed(long n)
{
	double t0 = now_ns();

	for (long i = 0; i < n; i++)
		if (syscall(SYS_getppid) < 0)
			return -1.0;
	return now_ns() - t0;
}

static double measure(long iterations)
{
	long n = iterations;
	double el;

	if (n > 0) {
		if (timed(n / 10 > 0 ? n / 10 : 1) < 0)
			return -1.0;
	} else {
		long batch = 16, done = 0;
		double total = 0.0;

		while (total < CALIBRATE_NS) {
			el = timed(batch);
			if (el < 0)
				return -1.0;
			total += el;
			done += batch;
			if (batch < MAX_ITERS / 2)
				batch *= 2;
		}
		double per = total / (double)done;
		double want = TARGET_NS / (per > 1.0 ? per : 1.0);

		n = want < MIN_ITERS ? MIN_ITERS : want > MAX_ITERS ? MAX_ITERS : (long)want;
	}
	el = timed(n);
	return el < 0 ? -1.0 : el / (double)n / 1000.0;
}

static void usage(FILE *f, const char *prog)
{
	fprintf(f,
		"usage: %s [--iterations N] [--supervisor process|thread]\n"
		"          [--answer value|continue] [--no-sync-wakeup]\n"
		"Prints \"notif_roundtrip <mean microseconds>\": one getppid call sent to a\n"
		"seccomp user-notification listener and answered at once.\n"
		"--iterations N   measured calls after a warm-up of N/10 (default: auto, ~0.3 s)\n"
		"--supervisor     who answers: a forked process (default) or a thread\n"
		"--answer         reply with a value (default) or FLAG_CONTINUE\n"
		"--no-sync-wakeup do not ask for SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (Linux >= 6.6;\n"
		"                 asked for by default, with a warning on stderr where missing);\n"
		"                 plain wake-ups cross CPUs and cost far more on small VMs\n",
		prog);
}

int main(int argc, char **argv)
{
	const char *prog = argc > 0 && argv[0] ? argv[0] : "notif_roundtrip";
	long iterations = 0;
	int use_thread = 0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout, prog);
			return 0;
		} else if (strcmp(a, "--sync-wakeup") == 0) {
			sync_wakeup = 1;
		} else if (strcmp(a, "--no-sync-wakeup") == 0) {
			sync_wakeup = 0;
		} else if (strcmp(a, "--iterations") == 0 && v) {
			char *end;

			errno = 0;
			iterations = strtol(v, &end, 10);
			if (strcmp(v, "auto") == 0) {
				iterations = 0;
			} else if (errno || *end || iterations <= 0 || iterations > MAX_ITERS) {
				fprintf(stderr, "notif_roundtrip: bad --iterations '%s'\n", v);
				return 2;
			}
			i++;
		} else if (strcmp(a, "--supervisor") == 0 && v &&
			   (strcmp(v, "process") == 0 || strcmp(v, "thread") == 0)) {
			use_thread = strcmp(v, "thread") == 0;
			i++;
		} else if (strcmp(a, "--answer") == 0 && v &&
			   (strcmp(v, "value") == 0 || strcmp(v, "continue") == 0)) {
			answer_continue = strcmp(v, "continue") == 0;
			i++;
		} else {
			fprintf(stderr, "notif_roundtrip: bad argument '%s'\n", a);
			usage(stderr, prog);
			return 2;
		}
	}

	pid_t child = -1;
	pthread_t thr;
	int chan[2];
	int listener;

	if (use_thread) {
		/* The thread exists before the filter, so it is not filtered. */
		if (pipe2(chan, O_CLOEXEC) < 0) {
			perror("notif_roundtrip: pipe");
			return 1;
		}
		int err = pthread_create(&thr, NULL, supervise_thread, &chan[0]);

		if (err) {
			fprintf(stderr, "notif_roundtrip: pthread_create: %s\n", strerror(err));
			return 1;
		}
		listener = install_filter();
		if (listener < 0)
			return 1;
		if (write(chan[1], &listener, sizeof(listener)) != (ssize_t)sizeof(listener)) {
			perror("notif_roundtrip: write");
			return 1;
		}
	} else {
		pid_t parent = getpid();

		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, chan) < 0) {
			perror("notif_roundtrip: socketpair");
			return 1;
		}
		child = fork();
		if (child < 0) {
			perror("notif_roundtrip: fork");
			return 1;
		}
		if (child == 0) {
			close(chan[0]);
			if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid() != parent)
				_exit(1);
			listener = recv_fd(chan[1]);
			if (listener < 0)
				_exit(1);
			supervise(listener);
			_exit(0);
		}
		close(chan[1]);
		listener = install_filter();
		if (listener < 0 || send_fd(chan[0], listener) < 0) {
			if (listener >= 0)
				perror("notif_roundtrip: sendmsg");
			kill(child, SIGKILL);
			waitpid(child, NULL, 0);
			return 1;
		}
		/* Only the supervisor holds the listener now. */
		close(listener);
		close(chan[0]);
	}

	double us = measure(iterations);
	int saved = errno;

	if (child > 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
	}
	if (us < 0) {
		fprintf(stderr, "notif_roundtrip: notified getppid failed: %s\n", strerror(saved));
		return 1;
	}
	printf("notif_roundtrip %.2f\n", us);
	fflush(stdout);
	/* A thread supervisor is still blocked in RECV: leave without joining. */
	_exit(0);
}
