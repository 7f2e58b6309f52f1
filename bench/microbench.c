/*
 * microbench: mean cost of a few system calls, in microseconds.
 *
 * Built statically (see bench/Makefile.inc) so the same binary runs natively,
 * under `sandbox-runtime do`, in a runc bundle and under `runsc do`.
 *
 * Output: one line per op, "<op> <microseconds with 2 decimals>", e.g.
 *     getppid 0.19
 * Ops: getppid, stat, stat-missing, access, open+close, read4k, write4k (see usage()).
 *
 * With --threads LIST (e.g. 1,2,4) it measures throughput instead: for each
 * count N in LIST, N threads run the op (stat, or --only OP) back to back for
 * --seconds S (default 1) and it prints the calls per second of all of them
 * together, one line per count: "stat-t2 812345". Issue 13: stat from 1, 2
 * and 4 app threads.
 *
 * Invoked as "true" (argv[0] basename) or with --true it exits 0 at once:
 * the runc bundle uses a copy of this binary as its static /bin/true.
 *
 * The numbers are measured, never asserted: exit status is non-zero only when
 * an op could not be run at all (its line is then missing from the output).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* also set by AM_CPPFLAGS; this keeps a bare gcc build working */
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define BUF_SIZE 4096
#define TARGET_NS 300000000.0 /* --iterations auto: ~0.3 s per op */
#define CALIBRATE_NS 20000000.0 /* warm-up / calibration: ~20 ms */
#define MIN_ITERS 100
#define MAX_ITERS 100000000L
#define MAX_THREADS 64
#define THREAD_BATCH 8 /* calls between two looks at the stop flag */

struct ctx {
	const char *file;   /* stat / open+close target */
	char missing[4200]; /* a name beside it that does not exist */
	int read_fd;        /* >= 4 KiB file, read with pread at offset 0 */
	int null_fd;        /* /dev/null, written to */
	char buf[BUF_SIZE];
};

/* Each op runs its syscall n times; returns 0 or -1 with errno set. */
typedef int (*op_fn)(struct ctx *c, long n);

static int op_getppid(struct ctx *c, long n)
{
	(void)c;
	for (long i = 0; i < n; i++)
		(void)syscall(SYS_getppid);
	return 0;
}

static int op_stat(struct ctx *c, long n)
{
	struct stat st;

	for (long i = 0; i < n; i++)
		if (stat(c->file, &st) < 0)
			return -1;
	return 0;
}

/* stat() of a name that does not exist beside --file: the lookups of a
 * web server (.htaccess in every directory) and of an interpreter's
 * import path are mostly these. */
static int op_stat_missing(struct ctx *c, long n)
{
	struct stat st;

	for (long i = 0; i < n; i++)
		if (stat(c->missing, &st) == 0 || errno != ENOENT) {
			errno = errno ? errno : EEXIST;
			return -1;
		}
	return 0;
}

static int op_access(struct ctx *c, long n)
{
	for (long i = 0; i < n; i++)
		if (access(c->file, R_OK) < 0)
			return -1;
	return 0;
}

static int op_open_close(struct ctx *c, long n)
{
	for (long i = 0; i < n; i++) {
		int fd = open(c->file, O_RDONLY | O_CLOEXEC);

		if (fd < 0)
			return -1;
		if (close(fd) < 0)
			return -1;
	}
	return 0;
}

static int op_read4k(struct ctx *c, long n)
{
	for (long i = 0; i < n; i++) {
		ssize_t r = pread(c->read_fd, c->buf, BUF_SIZE, 0);

		if (r != BUF_SIZE) {
			if (r >= 0)
				errno = EIO; /* short read */
			return -1;
		}
	}
	return 0;
}

static int op_write4k(struct ctx *c, long n)
{
	for (long i = 0; i < n; i++) {
		ssize_t r = write(c->null_fd, c->buf, BUF_SIZE);

		if (r != BUF_SIZE) {
			if (r >= 0)
				errno = EIO;
			return -1;
		}
	}
	return 0;
}

struct op {
	const char *name;
	op_fn fn;
	const char *what;
};

static const struct op ops[] = {
	{ "getppid", op_getppid, "raw getppid syscall" },
	{ "stat", op_stat, "stat() of --file" },
	{ "stat-missing", op_stat_missing, "stat() of a missing name beside --file (ENOENT)" },
	{ "access", op_access, "access(R_OK) of --file" },
	{ "open+close", op_open_close, "open(O_RDONLY)+close of --file" },
	{ "read4k", op_read4k, "pread 4 KiB at offset 0 of a 4 KiB temp file" },
	{ "write4k", op_write4k, "write 4 KiB to /dev/null" },
};
#define N_OPS (sizeof(ops) / sizeof(ops[0]))

static double now_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0) {
		perror("microbench: clock_gettime");
		exit(2);
	}
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Runs fn n times; returns elapsed ns, or a negative value on failure. */
static double timed(const struct op *op, struct ctx *c, long n)
{
	double t0 = now_ns();

	if (op->fn(c, n) < 0)
		return -1.0;
	return now_ns() - t0;
}

/*
 * Warm-up, then the measured run. iterations > 0: warm up with a tenth of it.
 * iterations == 0 (auto): warm up for ~20 ms (doubling batches), which also
 * calibrates the count that makes the measured run last ~0.3 s.
 * Returns mean microseconds per call, or a negative value on failure.
 */
static double measure(const struct op *op, struct ctx *c, long iterations)
{
	long n = iterations;
	double el;

	if (n > 0) {
		long warm = n / 10 > 0 ? n / 10 : 1;

		if (timed(op, c, warm) < 0)
			return -1.0;
	} else {
		long batch = 16;
		long done = 0;
		double total = 0.0;

		while (total < CALIBRATE_NS) {
			el = timed(op, c, batch);
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
	el = timed(op, c, n);
	if (el < 0)
		return -1.0;
	return el / (double)n / 1000.0;
}

/* --threads: N threads run one op back to back until told to stop. */
struct worker {
	pthread_t tid;
	const struct op *op;
	struct ctx c;              /* a copy each: the buffer is not shared */
	atomic_int *go, *stop;
	long calls;
	int failed;                /* errno of a failed call, or 0 */
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	while (!atomic_load(w->go))
		sched_yield(); /* only while the other threads are being created */
	while (!atomic_load_explicit(w->stop, memory_order_relaxed)) {
		if (w->op->fn(&w->c, THREAD_BATCH) < 0) {
			w->failed = errno ? errno : EIO;
			break;
		}
		w->calls += THREAD_BATCH;
	}
	return NULL;
}

/*
 * Runs op from n threads for `seconds`; returns the calls per second of all
 * of them together, or a negative value (errno set) on failure. The clock
 * runs from the start to the last join, so the batch each thread finishes
 * after the stop counts in both the calls and the time.
 */
static double throughput(const struct op *op, const struct ctx *c, int n, double seconds)
{
	struct worker w[MAX_THREADS];
	atomic_int go = 0, stop = 0;
	struct timespec ts;
	double t0, el;
	long total = 0;
	int started = 0, err = 0;

	for (int i = 0; i < n; i++) {
		w[i] = (struct worker){ .op = op, .c = *c, .go = &go, .stop = &stop };
		err = pthread_create(&w[i].tid, NULL, worker_main, &w[i]);
		if (err)
			break;
		started++;
	}
	if (err)
		atomic_store(&stop, 1);
	t0 = now_ns();
	atomic_store(&go, 1);
	if (!err) {
		ts.tv_sec = (time_t)seconds;
		ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			;
		atomic_store(&stop, 1);
	}
	for (int i = 0; i < started; i++)
		pthread_join(w[i].tid, NULL);
	el = now_ns() - t0;
	if (err) {
		errno = err;
		return -1.0;
	}
	for (int i = 0; i < n; i++) {
		if (w[i].failed) {
			errno = w[i].failed;
			return -1.0;
		}
		total += w[i].calls;
	}
	return (double)total / (el / 1e9);
}

/* Parses "1,2,4" into counts[]; returns how many, or -1. */
static int parse_threads(const char *v, int *counts, int max)
{
	int n = 0;
	const char *p = v;

	while (*p) {
		char *end;
		long k;

		errno = 0;
		k = strtol(p, &end, 10);
		if (errno || end == p || k < 1 || k > MAX_THREADS || n == max)
			return -1;
		counts[n++] = (int)k;
		if (*end == ',')
			end++;
		else if (*end)
			return -1;
		p = end;
	}
	return n;
}

/* Creates the >= 4 KiB file read by read4k; it is unlinked at once.
 * /dev/shm first: a tmpfs under every runtime, so that the row measures
 * the call, not the file system under /tmp (the host's disk natively, a
 * directory of runc's bundle, the sandbox's overlay root). */
static int make_read_file(const char *tmpdir)
{
	const char *cands[] = { tmpdir, getenv("TMPDIR"), "/dev/shm", "/tmp", "/var/tmp", "." };
	char path[PATH_MAX];
	char block[BUF_SIZE];
	int saved = 0;

	memset(block, 'x', sizeof(block));
	for (size_t i = 0; i < sizeof(cands) / sizeof(cands[0]); i++) {
		if (!cands[i] || !*cands[i])
			continue;
		int len = snprintf(path, sizeof(path), "%s/microbench.XXXXXX", cands[i]);

		if (len < 0 || (size_t)len >= sizeof(path))
			continue;
		int fd = mkstemp(path);

		if (fd < 0) {
			saved = errno;
			if (tmpdir)
				break; /* an explicit --tmpdir must work */
			continue;
		}
		(void)unlink(path);
		if (write(fd, block, sizeof(block)) != (ssize_t)sizeof(block)) {
			saved = errno ? errno : EIO;
			close(fd);
			continue;
		}
		return fd;
	}
	errno = saved ? saved : ENOENT;
	return -1;
}

static void usage(FILE *f, const char *prog)
{
	fprintf(f,
		"usage: %s [--iterations N] [--only OP] [--file PATH] [--tmpdir DIR]\n"
		"          [--decimals D] [--threads LIST [--seconds S]]\n"
		"       %s --true   (exit 0 at once; also when invoked as \"true\")\n"
		"Prints \"<op> <mean microseconds>\" for each op:\n",
		prog, prog);
	for (size_t i = 0; i < N_OPS; i++)
		fprintf(f, "  %-12s %s\n", ops[i].name, ops[i].what);
	fprintf(f,
		"--iterations N  measured calls per op after a warm-up of N/10\n"
		"                (default: auto, ~0.3 s per op after a ~20 ms warm-up)\n"
		"--only OP       run only OP\n"
		"--file PATH     file for stat and open+close (default /etc/hostname)\n"
		"--tmpdir DIR    where the 4 KiB file for read4k is created\n"
		"                (default: $TMPDIR, /dev/shm, /tmp, /var/tmp, .)\n"
		"--decimals D    digits after the point (default 2; run.sh asks for 4)\n"
		"--threads LIST  throughput instead of latency: for each count N in LIST\n"
		"                (e.g. 1,2,4; at most 64), N threads run the op (stat\n"
		"                unless --only) for --seconds S (default 1); prints\n"
		"                \"<op>-t<N> <calls per second, all threads together>\"\n");
}

int main(int argc, char **argv)
{
	const char *prog = argc > 0 && argv[0] ? argv[0] : "microbench";
	const char *base = strrchr(prog, '/');
	const char *only = NULL;
	const char *tmpdir = NULL;
	long iterations = 0;
	int decimals = 2;
	int counts[16];
	int n_counts = 0;
	double seconds = 1.0;
	struct ctx c = { .file = "/etc/hostname", .read_fd = -1, .null_fd = -1 };
	int rc = 0;

	base = base ? base + 1 : prog;
	if (strcmp(base, "true") == 0)
		return 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--true") == 0)
			return 0;
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout, prog);
			return 0;
		}
		if (strcmp(a, "--iterations") != 0 && strcmp(a, "--only") != 0 &&
		    strcmp(a, "--file") != 0 && strcmp(a, "--tmpdir") != 0 &&
		    strcmp(a, "--decimals") != 0 && strcmp(a, "--threads") != 0 &&
		    strcmp(a, "--seconds") != 0) {
			fprintf(stderr, "microbench: unknown argument '%s'\n", a);
			usage(stderr, prog);
			return 2;
		}
		if (!v) {
			fprintf(stderr, "microbench: %s needs a value\n", a);
			return 2;
		}
		i++;
		if (strcmp(a, "--iterations") == 0) {
			char *end;

			errno = 0;
			iterations = strtol(v, &end, 10);
			if (strcmp(v, "auto") == 0) {
				iterations = 0;
			} else if (errno || *end || iterations <= 0 || iterations > MAX_ITERS) {
				fprintf(stderr, "microbench: bad --iterations '%s' (1..%ld or auto)\n",
					v, MAX_ITERS);
				return 2;
			}
		} else if (strcmp(a, "--decimals") == 0) {
			if (strlen(v) != 1 || v[0] < '0' || v[0] > '6') {
				fprintf(stderr, "microbench: bad --decimals '%s' (0..6)\n", v);
				return 2;
			}
			decimals = v[0] - '0';
		} else if (strcmp(a, "--threads") == 0) {
			n_counts = parse_threads(v, counts, (int)(sizeof(counts) / sizeof(counts[0])));
			if (n_counts < 0) {
				fprintf(stderr, "microbench: bad --threads '%s' (e.g. 1,2,4; 1..%d each)\n",
					v, MAX_THREADS);
				return 2;
			}
		} else if (strcmp(a, "--seconds") == 0) {
			char *end;

			errno = 0;
			seconds = strtod(v, &end);
			if (errno || *end || !(seconds >= 0.01 && seconds <= 3600)) {
				fprintf(stderr, "microbench: bad --seconds '%s' (0.01..3600)\n", v);
				return 2;
			}
		} else if (strcmp(a, "--only") == 0) {
			only = v;
		} else if (strcmp(a, "--file") == 0) {
			c.file = v;
		} else {
			tmpdir = v;
		}
	}
	if (only) {
		size_t i;

		for (i = 0; i < N_OPS && strcmp(ops[i].name, only) != 0; i++)
			;
		if (i == N_OPS) {
			fprintf(stderr, "microbench: unknown op '%s'\n", only);
			usage(stderr, prog);
			return 2;
		}
	}

	if (n_counts > 0 && !only)
		only = "stat";
	snprintf(c.missing, sizeof(c.missing), "%s.no-such-name", c.file);
	memset(c.buf, 'y', sizeof(c.buf));
	if (!only || strcmp(only, "read4k") == 0) {
		c.read_fd = make_read_file(tmpdir);
		if (c.read_fd < 0)
			fprintf(stderr, "microbench: read4k: cannot create a 4 KiB temp file: %s\n",
				strerror(errno));
	}
	if (!only || strcmp(only, "write4k") == 0) {
		c.null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
		if (c.null_fd < 0)
			fprintf(stderr, "microbench: write4k: open /dev/null: %s\n", strerror(errno));
	}

	for (size_t i = 0; i < N_OPS; i++) {
		const struct op *op = &ops[i];

		if (only && strcmp(op->name, only) != 0)
			continue;
		if ((op->fn == op_read4k && c.read_fd < 0) ||
		    (op->fn == op_write4k && c.null_fd < 0)) {
			rc = 1;
			continue;
		}
		if (n_counts > 0) {
			/* Warm-up (caches, the sandbox's first lookups), then each count. */
			if (timed(op, &c, 1000) < 0) {
				fprintf(stderr, "microbench: %s: %s\n", op->name, strerror(errno));
				rc = 1;
				continue;
			}
			for (int k = 0; k < n_counts; k++) {
				double cps = throughput(op, &c, counts[k], seconds);

				if (cps < 0) {
					fprintf(stderr, "microbench: %s-t%d: %s\n", op->name, counts[k],
						strerror(errno));
					rc = 1;
					continue;
				}
				printf("%s-t%d %.0f\n", op->name, counts[k], cps);
				fflush(stdout);
			}
			continue;
		}
		double us = measure(op, &c, iterations);

		if (us < 0) {
			fprintf(stderr, "microbench: %s: %s%s%s\n", op->name, strerror(errno),
				op->fn == op_stat || op->fn == op_access || op->fn == op_open_close ? ": " : "",
				op->fn == op_stat || op->fn == op_access || op->fn == op_open_close ? c.file : "");
			rc = 1;
			continue;
		}
		printf("%s %.*f\n", op->name, decimals, us);
		fflush(stdout);
	}
	if (c.read_fd >= 0)
		close(c.read_fd);
	if (c.null_fd >= 0)
		close(c.null_fd);
	return rc;
}
