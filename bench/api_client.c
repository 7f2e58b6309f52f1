/*
 * api_client: the load side of bench/daemon.sh. A small HTTP/1.1 client of
 * sandboxd's API that keeps its connection open (mutual TLS, or the local
 * Unix socket), so that what is timed is the daemon's work and not a new
 * handshake or a new interpreter per request.
 *
 *   api_client [TRANSPORT...] lifecycle RUNS RUNTIME
 *       RUNS rounds of: create+start+wait+delete of /bin/true over each
 *       transport given, `RUNTIME do -- /bin/true`, and /bin/true itself,
 *       interleaved so that the host's noise falls on all of them alike.
 *       RUNTIME "-" leaves `do` out. Prints per kind:
 *         <kind> runs N median MS p90 MS min MS max MS
 *   api_client [TRANSPORT] start PREFIX COUNT PARALLEL CMD...
 *       creates and starts COUNT containers PREFIX-0..COUNT-1 running CMD
 *       over PARALLEL connections; prints
 *         start count N failed F seconds S median MS p90 MS max MS
 *   api_client [TRANSPORT] delete PREFIX COUNT
 *       deletes them (force=1); a missing one is not an error.
 *   api_client [TRANSPORT] load CLIENTS SECONDS PATH
 *       CLIENTS connections, each a thread sending GET PATH back to back for
 *       SECONDS; prints
 *         load clients N requests R errors E seconds S rps X p50 MS p90 MS p99 MS max MS
 *
 * TRANSPORT: --tls PORT --ca FILE --cert FILE --key FILE (to 127.0.0.1,
 * the server's certificate checked for IP 127.0.0.1) and/or --unix PATH.
 * --tenant NAME adds "tenant": NAME to create requests (needed as the
 * administrator, which root on the Unix socket is; ignored for a tenant).
 *
 * Measured, never asserted: exits non-zero only on bad usage or when the
 * daemon cannot be reached at all; failed requests are counted and printed.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define MAX_RESPONSE (16u << 20)

static int tls_port;
static const char *ca_file, *cert_file, *key_file, *unix_path, *tenant;
static SSL_CTX *ssl_ctx;

struct conn {
	bool use_tls;
	int fd;
	SSL *ssl;
	char *buf;      /* bytes received and not yet consumed */
	size_t len, cap;
};

struct response {
	int status;
	size_t body_len;
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void die(const char *what)
{
	fprintf(stderr, "api_client: %s\n", what);
	exit(1);
}

static void tls_init(void)
{
	ssl_ctx = SSL_CTX_new(TLS_client_method());
	if (ssl_ctx == NULL)
		die("SSL_CTX_new");
	SSL_CTX_set_min_proto_version(ssl_ctx, TLS1_2_VERSION);
	if (SSL_CTX_load_verify_locations(ssl_ctx, ca_file, NULL) != 1 ||
	    SSL_CTX_use_certificate_chain_file(ssl_ctx, cert_file) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ssl_ctx, key_file, SSL_FILETYPE_PEM) != 1) {
		ERR_print_errors_fp(stderr);
		die("cannot load the CA, certificate or key");
	}
	SSL_CTX_set_verify(ssl_ctx, SSL_VERIFY_PEER, NULL);
}

static void conn_close(struct conn *c)
{
	if (c->ssl) {
		SSL_shutdown(c->ssl);
		SSL_free(c->ssl);
		c->ssl = NULL;
	}
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->len = 0;
}

static int conn_open(struct conn *c)
{
	int one = 1;

	c->fd = -1;
	c->len = 0;
	if (!c->use_tls) {
		struct sockaddr_un sun = { .sun_family = AF_UNIX };

		snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", unix_path);
		c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
			goto fail;
		return 0;
	}
	{
		struct sockaddr_in sin = { .sin_family = AF_INET,
					   .sin_port = htons((uint16_t)tls_port),
					   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };

		c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&sin, sizeof(sin)) < 0)
			goto fail;
	}
	/* Requests are small and written whole: no Nagle delay. */
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	c->ssl = SSL_new(ssl_ctx);
	if (c->ssl == NULL)
		goto fail;
	X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(c->ssl), "127.0.0.1");
	SSL_set_fd(c->ssl, c->fd);
	if (SSL_connect(c->ssl) != 1) {
		ERR_print_errors_fp(stderr);
		goto fail;
	}
	return 0;
fail:
	conn_close(c);
	return -1;
}

static int conn_write(struct conn *c, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = c->use_tls ? SSL_write(c->ssl, p, (int)n) : write(c->fd, p, n);

		if (w <= 0) {
			if (!c->use_tls && w < 0 && errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Reads more bytes into c->buf; 0 at the end of the stream, -1 on error. */
static ssize_t conn_fill(struct conn *c)
{
	ssize_t r;

	if (c->cap - c->len < 16384) {
		size_t cap = c->cap ? c->cap * 2 : 65536;
		char *p;

		if (cap > MAX_RESPONSE)
			return -1;
		p = realloc(c->buf, cap);
		if (p == NULL)
			return -1;
		c->buf = p;
		c->cap = cap;
	}
	do
		r = c->use_tls ? SSL_read(c->ssl, c->buf + c->len, (int)(c->cap - c->len))
			       : read(c->fd, c->buf + c->len, c->cap - c->len);
	while (r < 0 && !c->use_tls && errno == EINTR);
	if (r < 0 && c->use_tls)
		r = SSL_get_error(c->ssl, (int)r) == SSL_ERROR_ZERO_RETURN ? 0 : -1;
	if (r > 0)
		c->len += (size_t)r;
	return r;
}

/* One response: status line, headers, a Content-Length body (the API's
   answers to the verbs used here have one, or none for 204/304). */
static int read_response(struct conn *c, struct response *out)
{
	char *end, *p;
	size_t head, body = 0;
	bool closing = false;

	while ((end = memmem(c->buf, c->len, "\r\n\r\n", 4)) == NULL)
		if (conn_fill(c) <= 0)
			return -1;
	head = (size_t)(end - c->buf) + 4;
	*end = '\0';
	if (sscanf(c->buf, "HTTP/1.%*d %d", &out->status) != 1)
		return -1;
	for (p = strstr(c->buf, "\r\n"); p; p = strstr(p + 2, "\r\n")) {
		if (strncasecmp(p + 2, "Content-Length:", 15) == 0)
			body = strtoul(p + 17, NULL, 10);
		else if (strncasecmp(p + 2, "Connection: close", 17) == 0)
			closing = true;
		else if (strncasecmp(p + 2, "Transfer-Encoding:", 18) == 0)
			return -1; /* not used by the verbs this client sends */
	}
	if (body > MAX_RESPONSE)
		return -1;
	while (c->len < head + body)
		if (conn_fill(c) <= 0)
			return -1;
	out->body_len = body;
	memmove(c->buf, c->buf + head + body, c->len - head - body);
	c->len -= head + body;
	if (closing)
		conn_close(c);
	return 0;
}

/* One request on the kept connection, reconnecting once if the server
   closed it meanwhile. Returns the status, or -1. */
static int request(struct conn *c, const char *method, const char *path, const char *body)
{
	char head[1024];
	struct response r;
	size_t blen = body ? strlen(body) : 0;
	int n;

	n = snprintf(head, sizeof(head),
		     "%s %s HTTP/1.1\r\nHost: sandboxd\r\n%sContent-Length: %zu\r\n\r\n", method,
		     path, body ? "Content-Type: application/json\r\n" : "", blen);
	if (n < 0 || (size_t)n >= sizeof(head))
		return -1;
	for (int attempt = 0; attempt < 2; attempt++) {
		if (c->fd < 0 && conn_open(c) < 0)
			return -1;
		if (conn_write(c, head, (size_t)n) == 0 && conn_write(c, body ? body : "", blen) == 0 &&
		    read_response(c, &r) == 0)
			return r.status;
		conn_close(c);
	}
	return -1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The value at fraction q of sorted v (nearest rank). */
static double quantile(const double *v, size_t n, double q)
{
	size_t k;

	if (n == 0)
		return 0;
	k = (size_t)(q * (double)n + 0.999999);
	if (k < 1)
		k = 1;
	if (k > n)
		k = n;
	return v[k - 1];
}

/* ---- lifecycle ----------------------------------------------------------- */

/* create + start + wait + delete of one /bin/true; its time in ms, or -1.
   step[] gets the time of each of the four requests. */
static double api_true(struct conn *c, const char *name, double step[4])
{
	char body[512], path[256];
	double t0 = now_ms(), t = t0, t1;
	int st;

	snprintf(body, sizeof(body), "{\"name\":\"%s\",\"cmd\":[\"/bin/true\"]%s%s%s}", name,
		 tenant ? ",\"tenant\":\"" : "", tenant ? tenant : "", tenant ? "\"" : "");
	if ((st = request(c, "POST", "/v1/containers", body)) != 201)
		goto fail;
	step[0] = (t1 = now_ms()) - t;
	t = t1;
	snprintf(path, sizeof(path), "/v1/containers/%s/start", name);
	if ((st = request(c, "POST", path, NULL)) != 204)
		goto fail;
	step[1] = (t1 = now_ms()) - t;
	t = t1;
	snprintf(path, sizeof(path), "/v1/containers/%s/wait", name);
	if ((st = request(c, "POST", path, NULL)) != 200)
		goto fail;
	step[2] = (t1 = now_ms()) - t;
	t = t1;
	snprintf(path, sizeof(path), "/v1/containers/%s", name);
	if ((st = request(c, "DELETE", path, NULL)) != 204)
		goto fail;
	step[3] = (t1 = now_ms()) - t;
	return t1 - t0;
fail:
	fprintf(stderr, "api_client: %s: a request answered %d\n", name, st);
	snprintf(path, sizeof(path), "/v1/containers/%s?force=1", name);
	request(c, "DELETE", path, NULL);
	return -1;
}

/* argv run to its end, stdio on /dev/null; its time in ms, or -1. */
static double spawn_ms(char *const argv[])
{
	posix_spawn_file_actions_t fa;
	double t0, t;
	pid_t pid;
	int status;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	t0 = now_ms();
	if (posix_spawn(&pid, argv[0], &fa, NULL, argv, environ) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		return -1;
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	t = now_ms() - t0;
	posix_spawn_file_actions_destroy(&fa);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? t : -1;
}

enum { K_TLS, K_UNIX, K_DO, K_NATIVE, NKINDS };
static const char *const kind_name[NKINDS] = { "api-tls", "api-unix", "do", "native" };
static const char *const step_name[4] = { "create", "start", "wait", "delete" };

static int lifecycle(int runs, const char *runtime)
{
	struct conn tls = { .use_tls = true, .fd = -1 }, local = { .use_tls = false, .fd = -1 };
	double *v[NKINDS], *steps[NKINDS][4];
	size_t n[NKINDS] = { 0 };
	int failed[NKINDS] = { 0 };
	bool on[NKINDS] = { tls_port > 0, unix_path != NULL, strcmp(runtime, "-") != 0, true };
	char *do_argv[] = { (char *)runtime, "do", "--", "/bin/true", NULL };
	char *true_argv[] = { "/bin/true", NULL };
	char name[128];

	for (int k = 0; k < NKINDS; k++) {
		if ((v[k] = calloc((size_t)runs + 3, sizeof(double))) == NULL)
			die("out of memory");
		for (int s = 0; s < 4; s++)
			if ((steps[k][s] = calloc((size_t)runs + 3, sizeof(double))) == NULL)
				die("out of memory");
	}
	/* Three warm-up rounds (page cache, first connections), not counted. */
	for (int i = -3; i < runs; i++) {
		for (int k = 0; k < NKINDS; k++) {
			double t = -1, step[4] = { 0 };

			if (!on[k])
				continue;
			switch (k) {
			case K_TLS:
			case K_UNIX:
				snprintf(name, sizeof(name), "dbench-lc-%d-%s-%d", (int)getpid(),
					 k == K_TLS ? "t" : "u", i + 3);
				t = api_true(k == K_TLS ? &tls : &local, name, step);
				break;
			case K_DO:
				t = spawn_ms(do_argv);
				break;
			case K_NATIVE:
				t = spawn_ms(true_argv);
				break;
			}
			if (i < 0)
				continue;
			if (t < 0) {
				failed[k]++;
				continue;
			}
			for (int s = 0; s < 4; s++)
				steps[k][s][n[k]] = step[s];
			v[k][n[k]++] = t;
		}
	}
	for (int k = 0; k < NKINDS; k++) {
		if (!on[k])
			continue;
		qsort(v[k], n[k], sizeof(double), cmp_double);
		printf("%s runs %zu failed %d median %.2f p90 %.2f min %.2f max %.2f\n", kind_name[k],
		       n[k], failed[k], quantile(v[k], n[k], 0.5), quantile(v[k], n[k], 0.9),
		       n[k] ? v[k][0] : 0, n[k] ? v[k][n[k] - 1] : 0);
		if (k == K_TLS || k == K_UNIX) {
			/* Where the time goes: the median of each request. */
			printf("%s-steps", kind_name[k]);
			for (int s = 0; s < 4; s++) {
				qsort(steps[k][s], n[k], sizeof(double), cmp_double);
				printf(" %s %.2f", step_name[s], quantile(steps[k][s], n[k], 0.5));
			}
			printf("\n");
		}
		for (int s = 0; s < 4; s++)
			free(steps[k][s]);
		free(v[k]);
	}
	conn_close(&tls);
	conn_close(&local);
	return 0;
}

/* ---- many containers ------------------------------------------------------- */

struct start_job {
	const char *prefix;
	char *cmd_json;
	int first, step, count;
	double *lat;        /* shared array, slot per container */
	int failed;
};

static void *start_worker(void *arg)
{
	struct start_job *j = arg;
	struct conn c = { .use_tls = tls_port > 0, .fd = -1 };
	char body[4096], path[256];

	for (int i = j->first; i < j->count; i += j->step) {
		double t0 = now_ms();
		int st;

		snprintf(body, sizeof(body), "{\"name\":\"%s-%d\",\"cmd\":%s%s%s%s}", j->prefix, i,
			 j->cmd_json, tenant ? ",\"tenant\":\"" : "", tenant ? tenant : "",
			 tenant ? "\"" : "");
		st = request(&c, "POST", "/v1/containers", body);
		if (st == 201) {
			snprintf(path, sizeof(path), "/v1/containers/%s-%d/start", j->prefix, i);
			st = request(&c, "POST", path, NULL);
		}
		if (st != 204) {
			fprintf(stderr, "api_client: %s-%d: answered %d\n", j->prefix, i, st);
			j->failed++;
			j->lat[i] = -1;
			continue;
		}
		j->lat[i] = now_ms() - t0;
	}
	conn_close(&c);
	return NULL;
}

static char *json_string_array(int argc, char **argv)
{
	size_t cap = 16;
	char *s;

	for (int i = 0; i < argc; i++)
		cap += 2 * strlen(argv[i]) + 4;
	s = malloc(cap);
	if (s == NULL)
		die("out of memory");
	strcpy(s, "[");
	for (int i = 0; i < argc; i++) {
		char *p = s + strlen(s);

		if (i)
			*p++ = ',';
		*p++ = '"';
		for (const char *q = argv[i]; *q; q++) {
			if (*q == '"' || *q == '\\')
				*p++ = '\\';
			*p++ = *q;
		}
		*p++ = '"';
		*p = '\0';
	}
	strcat(s, "]");
	return s;
}

static int start_many(const char *prefix, int count, int parallel, int argc, char **argv)
{
	struct start_job *jobs = calloc((size_t)parallel, sizeof(*jobs));
	pthread_t *th = calloc((size_t)parallel, sizeof(*th));
	double *lat = calloc((size_t)count, sizeof(double)), *ok = calloc((size_t)count, sizeof(double));
	char *cmd = json_string_array(argc, argv);
	size_t n = 0;
	int failed = 0;
	double t0;

	if (jobs == NULL || th == NULL || lat == NULL || ok == NULL)
		die("out of memory");
	t0 = now_ms();
	for (int i = 0; i < parallel; i++) {
		jobs[i] = (struct start_job){ prefix, cmd, i, parallel, count, lat, 0 };
		if (pthread_create(&th[i], NULL, start_worker, &jobs[i]) != 0)
			die("pthread_create");
	}
	for (int i = 0; i < parallel; i++) {
		pthread_join(th[i], NULL);
		failed += jobs[i].failed;
	}
	t0 = now_ms() - t0;
	for (int i = 0; i < count; i++)
		if (lat[i] >= 0)
			ok[n++] = lat[i];
	qsort(ok, n, sizeof(double), cmp_double);
	printf("start count %d failed %d seconds %.2f median %.2f p90 %.2f max %.2f\n", count, failed,
	       t0 / 1e3, quantile(ok, n, 0.5), quantile(ok, n, 0.9), n ? ok[n - 1] : 0);
	free(jobs);
	free(th);
	free(lat);
	free(ok);
	free(cmd);
	return 0;
}

static int delete_many(const char *prefix, int count)
{
	struct conn c = { .use_tls = tls_port > 0, .fd = -1 };
	char path[256];
	int failed = 0;

	for (int i = 0; i < count; i++) {
		int st;

		snprintf(path, sizeof(path), "/v1/containers/%s-%d?force=1", prefix, i);
		st = request(&c, "DELETE", path, NULL);
		if (st != 204 && st != 404)
			failed++;
	}
	conn_close(&c);
	printf("delete count %d failed %d\n", count, failed);
	return failed ? 1 : 0;
}

/* ---- concurrent clients ------------------------------------------------------ */

struct load_job {
	const char *path;
	pthread_barrier_t *ready;
	double *lat;
	size_t n, cap;
	int errors;
	bool connected;
};

/* Set by the main thread between the two barriers: read only after them. */
static double load_deadline;

static void *load_worker(void *arg)
{
	struct load_job *j = arg;
	struct conn c = { .use_tls = tls_port > 0, .fd = -1 };

	/* The handshakes are not part of what is measured: connect first. */
	j->connected = conn_open(&c) == 0;
	pthread_barrier_wait(j->ready);
	pthread_barrier_wait(j->ready); /* the main thread has set the deadline */
	while (j->connected) {
		double t0 = now_ms(), t;
		int st = request(&c, "GET", j->path, NULL);

		t = now_ms();
		if (t > load_deadline)
			break;
		if (st != 200) {
			j->errors++;
			continue;
		}
		if (j->n == j->cap) {
			size_t cap = j->cap ? j->cap * 2 : 4096;
			double *p = realloc(j->lat, cap * sizeof(double));

			if (p == NULL)
				break;
			j->lat = p;
			j->cap = cap;
		}
		j->lat[j->n++] = t - t0;
	}
	conn_close(&c);
	return NULL;
}

static int load(int clients, double seconds, const char *path)
{
	struct load_job *jobs = calloc((size_t)clients, sizeof(*jobs));
	pthread_t *th = calloc((size_t)clients, sizeof(*th));
	pthread_barrier_t ready;
	double *all, t0;
	size_t n = 0, k = 0;
	int errors = 0, unconnected = 0;

	if (jobs == NULL || th == NULL)
		die("out of memory");
	pthread_barrier_init(&ready, NULL, (unsigned)clients + 1);
	for (int i = 0; i < clients; i++) {
		jobs[i].path = path;
		jobs[i].ready = &ready;
		if (pthread_create(&th[i], NULL, load_worker, &jobs[i]) != 0)
			die("pthread_create");
	}
	pthread_barrier_wait(&ready);
	t0 = now_ms();
	load_deadline = t0 + seconds * 1e3;
	pthread_barrier_wait(&ready);
	for (int i = 0; i < clients; i++) {
		pthread_join(th[i], NULL);
		n += jobs[i].n;
		errors += jobs[i].errors;
		unconnected += !jobs[i].connected;
	}
	all = calloc(n + 1, sizeof(double));
	if (all == NULL)
		die("out of memory");
	for (int i = 0; i < clients; i++) {
		memcpy(all + k, jobs[i].lat, jobs[i].n * sizeof(double));
		k += jobs[i].n;
		free(jobs[i].lat);
	}
	qsort(all, n, sizeof(double), cmp_double);
	printf("load clients %d unconnected %d requests %zu errors %d seconds %.2f rps %.0f "
	       "p50 %.2f p90 %.2f p99 %.2f max %.2f\n",
	       clients, unconnected, n, errors, seconds, n / seconds, quantile(all, n, 0.5),
	       quantile(all, n, 0.9), quantile(all, n, 0.99), n ? all[n - 1] : 0);
	free(all);
	free(jobs);
	free(th);
	pthread_barrier_destroy(&ready);
	return 0;
}

/* ---- main ------------------------------------------------------------------ */

static void usage(void)
{
	fputs("usage: api_client [--tls PORT --ca F --cert F --key F] [--unix PATH] [--tenant NAME]\n"
	      "         lifecycle RUNS RUNTIME | start PREFIX COUNT PARALLEL CMD... |\n"
	      "         delete PREFIX COUNT | load CLIENTS SECONDS PATH\n",
	      stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	int i = 1;

	signal(SIGPIPE, SIG_IGN);
	for (; i + 1 < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
		if (strcmp(argv[i], "--tls") == 0)
			tls_port = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--ca") == 0)
			ca_file = argv[i + 1];
		else if (strcmp(argv[i], "--cert") == 0)
			cert_file = argv[i + 1];
		else if (strcmp(argv[i], "--key") == 0)
			key_file = argv[i + 1];
		else if (strcmp(argv[i], "--unix") == 0)
			unix_path = argv[i + 1];
		else if (strcmp(argv[i], "--tenant") == 0)
			tenant = argv[i + 1];
		else
			usage();
	}
	if (i >= argc || (tls_port <= 0 && unix_path == NULL))
		usage();
	if (tls_port > 0) {
		if (!ca_file || !cert_file || !key_file)
			usage();
		tls_init();
	}
	if (strcmp(argv[i], "lifecycle") == 0 && argc - i == 3)
		return lifecycle(atoi(argv[i + 1]), argv[i + 2]);
	if (strcmp(argv[i], "start") == 0 && argc - i >= 5)
		return start_many(argv[i + 1], atoi(argv[i + 2]),
				  atoi(argv[i + 3]) > 0 ? atoi(argv[i + 3]) : 1, argc - i - 4,
				  argv + i + 4);
	if (strcmp(argv[i], "delete") == 0 && argc - i == 3)
		return delete_many(argv[i + 1], atoi(argv[i + 2]));
	if (strcmp(argv[i], "load") == 0 && argc - i == 4)
		return load(atoi(argv[i + 1]), atof(argv[i + 2]), argv[i + 3]);
	usage();
	return 2;
}
