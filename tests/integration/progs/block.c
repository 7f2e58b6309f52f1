/* block.c - a system call that blocks in one thread must not stall the
   others (run in the sandbox by tests/integration/test-teardown.sh).

   Usage: block fifo DIR     one thread opens DIR/fifo for reading (no
                             writer yet: blocks) while the main thread keeps
                             making file calls; then the main thread opens
                             the FIFO for writing, which releases the reader,
                             and sends it a line.
          block fifo-pairs DIR
                             while one thread stays blocked in a FIFO open
                             (so the Sentry watches its workers), PAIRS
                             pairs of threads open FIFOs at both ends over
                             and over for PAIRS_MS: every open must return
                             the FIFO it named (a descriptor of something
                             else, such as stdin, is the failure).
          block connect      a loopback listener with backlog 0 is filled
                             up; one thread then makes a blocking connect to
                             it (blocks) while the main thread keeps making
                             file calls; then the queue is drained with
                             accept so the connect can finish.

   Run as sandbox-sentry (argv[0]), it waits for ever: a Sentry that
   never builds the sandbox, for test-oci-failures.sh.

   While the other thread is blocked the main thread makes file calls for
   about a second; the slowest of them must take less than SLOW_MS.  Prints
   "ok: ..." lines and exits 0 on success; prints "FAIL: ..." and exits 1
   when a call stalled or failed; "SETUP: ..." and exit 2 when the test could
   not be set up (the call did not block at all).  An alarm ends it (exit
   142) after 10 seconds whatever happens. */
#define _GNU_SOURCE 1
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SLOW_MS 500
#define BUSY_MS 1000

static atomic_int thread_done;
static char fifo_path[4096];
static struct sockaddr_in server_addr;
static long thread_result;
static int thread_errno;
static char thread_line[64];

static double
now_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void *
fifo_reader (void *arg)
{
  int fd;
  ssize_t n;

  (void) arg;
  fd = open (fifo_path, O_RDONLY | O_CLOEXEC); /* blocks until a writer opens */
  if (fd < 0)
    {
      thread_result = -1;
      thread_errno = errno;
    }
  else
    {
      n = read (fd, thread_line, sizeof (thread_line) - 1);
      thread_result = n;
      if (n < 0)
        thread_errno = errno;
      else
        thread_line[n] = '\0';
      close (fd);
    }
  atomic_store (&thread_done, 1);
  return NULL;
}

static void *
connector (void *arg)
{
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

  (void) arg;
  if (fd < 0)
    {
      thread_result = -1;
      thread_errno = errno;
    }
  else
    {
      thread_result = connect (fd, (struct sockaddr *) &server_addr, sizeof (server_addr));
      if (thread_result < 0)
        thread_errno = errno;
      close (fd);
    }
  atomic_store (&thread_done, 1);
  return NULL;
}

/* File calls for BUSY_MS; returns the slowest call in ms, -1 on an error. */
static double
busy_file_calls (const char *dir, int *count)
{
  char path[4096];
  double start = now_ms (), worst = 0;
  int i = 0;

  snprintf (path, sizeof (path), "%s/block-busy.txt", dir);
  while (now_ms () - start < BUSY_MS)
    {
      double t0 = now_ms (), dt;
      struct stat st;
      int fd;

      if (stat (dir, &st) < 0)
        {
          printf ("FAIL: stat %s while the other thread was blocked: %s\n", dir, strerror (errno));
          return -1;
        }
      fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (fd < 0 || write (fd, "x", 1) != 1 || close (fd) < 0)
        {
          printf ("FAIL: write %s while the other thread was blocked: %s\n", path, strerror (errno));
          return -1;
        }
      fd = open ("/etc/hostname", O_RDONLY | O_CLOEXEC);
      if (fd >= 0)
        close (fd);
      dt = now_ms () - t0;
      if (dt > worst)
        worst = dt;
      i++;
      if (atomic_load (&thread_done))
        break;
      usleep (2000);
    }
  unlink (path);
  *count = i;
  return worst;
}

static int
report_busy (const char *what, double worst, int count)
{
  if (worst < 0)
    return 1;
  if (atomic_load (&thread_done))
    {
      printf ("SETUP: the %s did not block (result %ld, %s)\n", what, thread_result,
              thread_result < 0 ? strerror (thread_errno) : "no error");
      return 2;
    }
  if (worst > SLOW_MS)
    {
      printf ("FAIL: while a %s blocked, a file call took %.0f ms (limit %d ms)\n", what, worst,
              SLOW_MS);
      return 1;
    }
  printf ("ok: %d rounds of file calls while a %s blocked, slowest %.1f ms\n", count, what, worst);
  return 0;
}

static int
join_within (pthread_t th, const char *what, double limit_ms)
{
  double start = now_ms ();

  while (!atomic_load (&thread_done))
    {
      if (now_ms () - start > limit_ms)
        {
          printf ("FAIL: the %s was not released %.0f ms after its peer arrived\n", what, limit_ms);
          return 1;
        }
      usleep (5000);
    }
  pthread_join (th, NULL);
  printf ("ok: the %s finished %.0f ms after its peer arrived\n", what, now_ms () - start);
  return 0;
}

static int
test_fifo (const char *dir)
{
  pthread_t th;
  double worst;
  int count = 0, fd, rc;

  snprintf (fifo_path, sizeof (fifo_path), "%s/block.fifo", dir);
  unlink (fifo_path);
  if (mkfifo (fifo_path, 0600) < 0)
    {
      printf ("FAIL: mkfifo %s: %s\n", fifo_path, strerror (errno));
      return 1;
    }
  if (pthread_create (&th, NULL, fifo_reader, NULL) != 0)
    {
      printf ("SETUP: pthread_create failed\n");
      return 2;
    }
  usleep (100000); /* let the reader reach its open */
  worst = busy_file_calls (dir, &count);
  rc = report_busy ("FIFO open for reading", worst, count);
  if (rc != 0)
    return rc;
  fd = open (fifo_path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    {
      printf ("FAIL: open %s for writing: %s\n", fifo_path, strerror (errno));
      return 1;
    }
  if (write (fd, "through the fifo\n", 17) != 17)
    {
      printf ("FAIL: write to the FIFO: %s\n", strerror (errno));
      return 1;
    }
  close (fd);
  if (join_within (th, "FIFO reader", 3000) != 0)
    return 1;
  if (thread_result != 17 || strcmp (thread_line, "through the fifo\n") != 0)
    {
      printf ("FAIL: the FIFO reader got %ld bytes (%s) instead of the line written\n",
              thread_result, thread_result < 0 ? strerror (thread_errno) : thread_line);
      return 1;
    }
  unlink (fifo_path);
  printf ("ok: the FIFO reader got the line\n");
  return 0;
}

#define PAIRS 3
#define PAIRS_MS 3000

struct pair_end
{
  char path[128];
  bool writer;
  atomic_int *stop;
  atomic_int done; /* its thread has returned */
  int rounds;
  char failure[512];
};

/* One end of a pair: opens its FIFO (blocking: the Sentry's worker waits
   for the peer) and checks the descriptor is that FIFO. */
static void *
pair_end_run (void *arg)
{
  struct pair_end *e = arg;
  struct stat want, got;

  if (stat (e->path, &want) < 0)
    {
      snprintf (e->failure, sizeof (e->failure), "stat %s: %s", e->path, strerror (errno));
      return NULL;
    }
  while (!atomic_load (e->stop))
    {
      int fd = open (e->path, (e->writer ? O_WRONLY : O_RDONLY) | O_CLOEXEC);

      if (fd < 0)
        {
          snprintf (e->failure, sizeof (e->failure), "open %s: %s", e->path, strerror (errno));
          break;
        }
      if (fstat (fd, &got) < 0 || !S_ISFIFO (got.st_mode) || got.st_ino != want.st_ino
          || got.st_dev != want.st_dev)
        {
          snprintf (e->failure, sizeof (e->failure),
                    "open %s for %s returned descriptor %d, which is not that FIFO (mode %o)",
                    e->path, e->writer ? "writing" : "reading", fd, (unsigned) got.st_mode);
          atomic_store (e->stop, 1);
          break;
        }
      close (fd);
      e->rounds++;
    }
  atomic_store (&e->done, 1);
  return NULL;
}

static int
test_fifo_pairs (const char *dir)
{
  static struct pair_end ends[2 * PAIRS];
  atomic_int stop = 0;
  pthread_t keeper, th[2 * PAIRS];
  int i, rounds = 0, fd, rc = 0;

  signal (SIGPIPE, SIG_IGN); /* a writer whose reader left at the stop */
  /* The keeper: a reader whose writer comes only at the end. */
  snprintf (fifo_path, sizeof (fifo_path), "%s/block.fifo", dir);
  unlink (fifo_path);
  if (mkfifo (fifo_path, 0600) < 0 || pthread_create (&keeper, NULL, fifo_reader, NULL) != 0)
    {
      printf ("SETUP: the blocked FIFO reader: %s\n", strerror (errno));
      return 2;
    }
  for (i = 0; i < 2 * PAIRS; i++)
    {
      struct pair_end *e = &ends[i];

      snprintf (e->path, sizeof (e->path), "%s/pair%d.fifo", dir, i / 2);
      e->writer = i % 2;
      e->stop = &stop;
      if (!e->writer)
        {
          unlink (e->path);
          if (mkfifo (e->path, 0600) < 0)
            {
              printf ("SETUP: mkfifo %s: %s\n", e->path, strerror (errno));
              return 2;
            }
        }
    }
  for (i = 0; i < 2 * PAIRS; i++)
    if (pthread_create (&th[i], NULL, pair_end_run, &ends[i]) != 0)
      {
        printf ("SETUP: pthread_create failed\n");
        return 2;
      }
  usleep (PAIRS_MS * 1000);
  atomic_store (&stop, 1);
  /* A reader or writer left waiting for its peer after the stop (one may
     start its open after any single pass): release them until every end
     has returned. */
  for (;;)
    {
      int waiting = 0;

      for (i = 0; i < 2 * PAIRS; i++)
        waiting += !atomic_load (&ends[i].done);
      if (waiting == 0)
        break;
      for (i = 0; i < 2 * PAIRS; i += 2)
        {
          int r = open (ends[i].path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
          int w = open (ends[i].path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
          if (w >= 0)
            close (w);
          if (r >= 0)
            close (r);
        }
      usleep (10000);
    }
  for (i = 0; i < 2 * PAIRS; i++)
    {
      pthread_join (th[i], NULL);
      rounds += ends[i].rounds;
      if (ends[i].failure[0] && rc == 0)
        {
          printf ("FAIL: %s\n", ends[i].failure);
          rc = 1;
        }
      unlink (ends[i].path);
    }
  fd = open (fifo_path, O_WRONLY | O_CLOEXEC);
  if (fd >= 0)
    {
      if (write (fd, "end\n", 4) != 4)
        (void) 0;
      close (fd);
    }
  pthread_join (keeper, NULL);
  unlink (fifo_path);
  if (rc == 0 && rounds < 2 * PAIRS)
    {
      printf ("FAIL: only %d FIFO opens in %d ms\n", rounds, PAIRS_MS);
      rc = 1;
    }
  if (rc == 0)
    printf ("ok: %d FIFO opens from %d threads, each gave the FIFO it named\n", rounds, 2 * PAIRS);
  return rc;
}

static int
test_connect (const char *dir)
{
  socklen_t len = sizeof (server_addr);
  int lfd, filler[16], nfill = 0, i, count = 0, rc;
  pthread_t th;
  double worst;

  lfd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  server_addr.sin_family = AF_INET;
  server_addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  server_addr.sin_port = 0;
  if (lfd < 0 || bind (lfd, (struct sockaddr *) &server_addr, sizeof (server_addr)) < 0
      || listen (lfd, 0) < 0 || getsockname (lfd, (struct sockaddr *) &server_addr, &len) < 0)
    {
      printf ("SETUP: loopback listener: %s\n", strerror (errno));
      return 2;
    }
  /* Fill the accept queue: non-blocking connects until one stays pending. */
  for (i = 0; i < 16; i++)
    {
      int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
      int r = connect (fd, (struct sockaddr *) &server_addr, sizeof (server_addr));
      filler[nfill++] = fd;
      if (r < 0 && errno != EINPROGRESS)
        {
          printf ("SETUP: connect to fill the queue: %s\n", strerror (errno));
          return 2;
        }
      if (r < 0)
        {
          /* Pending: is the queue full yet? wait a moment and look. */
          usleep (50000);
          int err = 0;
          socklen_t el = sizeof (err);
          char probe;
          getsockopt (fd, SOL_SOCKET, SO_ERROR, &err, &el);
          if (recv (fd, &probe, 1, MSG_DONTWAIT) < 0 && errno == EAGAIN)
            {
              /* connected or still pending: check with a zero-length send */
              if (send (fd, "", 0, MSG_DONTWAIT | MSG_NOSIGNAL) < 0 && errno == EAGAIN)
                break; /* still in SYN_SENT: the queue is full */
            }
        }
    }
  if (i == 16)
    {
      printf ("SETUP: 16 connects did not fill a backlog-0 accept queue\n");
      return 2;
    }
  printf ("ok: the accept queue is full after %d connects\n", nfill);
  if (pthread_create (&th, NULL, connector, NULL) != 0)
    {
      printf ("SETUP: pthread_create failed\n");
      return 2;
    }
  usleep (100000);
  worst = busy_file_calls (dir, &count);
  rc = report_busy ("loopback connect", worst, count);
  if (rc != 0)
    return rc;
  /* Drain the queue: the SYNs are retried (1 s, then 2 s later), the
     connect completes then. */
  fcntl (lfd, F_SETFL, O_NONBLOCK);
  {
    double start = now_ms ();
    while (!atomic_load (&thread_done) && now_ms () - start < 8000)
      {
        int a = accept4 (lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (a >= 0)
          close (a);
        usleep (10000);
      }
    if (!atomic_load (&thread_done))
      {
        printf ("FAIL: the blocked connect did not finish 8 s after the queue was drained\n");
        return 1;
      }
    pthread_join (th, NULL);
    printf ("ok: the blocked connect returned %.0f ms after the queue was drained\n",
            now_ms () - start);
  }
  if (thread_result != 0)
    {
      printf ("FAIL: the blocked connect failed: %s\n", strerror (thread_errno));
      return 1;
    }
  for (i = 0; i < nfill; i++)
    close (filler[i]);
  close (lfd);
  printf ("ok: the blocked connect completed\n");
  return 0;
}

int
main (int argc, char **argv)
{
  setvbuf (stdout, NULL, _IOLBF, 0);
  /* Installed as sandbox-sentry (test-oci-failures): a Sentry that never
     builds the sandbox, until its monitor ends it. */
  if (strcmp (argv[0], "sandbox-sentry") == 0)
    {
      alarm (120);
      for (;;)
        pause ();
    }
  alarm (10);
  if (argc == 3 && strcmp (argv[1], "fifo") == 0)
    return test_fifo (argv[2]);
  if (argc == 3 && strcmp (argv[1], "fifo-pairs") == 0)
    return test_fifo_pairs (argv[2]);
  if (argc >= 2 && strcmp (argv[1], "connect") == 0)
    return test_connect (argc > 2 ? argv[2] : "/tmp");
  fprintf (stderr, "usage: block fifo DIR | block fifo-pairs DIR | block connect [DIR]\n");
  return 2;
}
