/* hello.c - the smallest real program run in the sandbox by
   tests/integration/test-c-programs.sh, built twice: hello_static
   (-all-static, runs alone in an empty rootfs) and hello_dynamic (needs the
   loader and libc).

   Usage: hello [DIR [KEEP]]
   Prints, one per line:
     hello, world
     pid=<getpid()>
     ppid=<getppid()>
     uname=<sysname> <nodename> <release> <machine>
     fileio=ok            after writing, reading back, renaming, listing and
                          removing files in DIR (default /tmp)
   With KEEP, it then leaves the file DIR/KEEP holding "kept\n" behind.
   Exits 0 when all of that worked, 1 (with a message on stderr naming the
   step) otherwise. */
#define _GNU_SOURCE 1
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

static int
die (const char *what)
{
  fprintf (stderr, "hello: %s: %s\n", what, strerror (errno));
  return 1;
}

int
main (int argc, char **argv)
{
  const char *dir = argc > 1 ? argv[1] : "/tmp";
  char path[4096], path2[4096], sub[4096], buf[256];
  static const char payload[] = "The quick brown fox jumps over the lazy dog\n";
  struct utsname u;
  struct stat st;
  struct dirent *de;
  DIR *d;
  int fd, found = 0;
  ssize_t n;

  printf ("hello, world\n");
  printf ("pid=%ld\n", (long) getpid ());
  printf ("ppid=%ld\n", (long) getppid ());
  if (uname (&u) < 0)
    return die ("uname");
  printf ("uname=%s %s %s %s\n", u.sysname, u.nodename, u.release, u.machine);
  fflush (stdout);

  snprintf (path, sizeof (path), "%s/hello-%ld.txt", dir, (long) getpid ());
  snprintf (path2, sizeof (path2), "%s/hello-%ld.renamed", dir, (long) getpid ());
  snprintf (sub, sizeof (sub), "%s/hello-%ld.d", dir, (long) getpid ());

  fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0)
    return die ("create the test file");
  if (write (fd, payload, sizeof (payload) - 1) != (ssize_t) sizeof (payload) - 1)
    return die ("write");
  if (fsync (fd) < 0)
    return die ("fsync");
  if (close (fd) < 0)
    return die ("close");
  if (stat (path, &st) < 0)
    return die ("stat");
  if (st.st_size != (off_t) sizeof (payload) - 1 || !S_ISREG (st.st_mode))
    {
      fprintf (stderr, "hello: stat: size %lld, expected %zu\n", (long long) st.st_size,
               sizeof (payload) - 1);
      return 1;
    }
  if (rename (path, path2) < 0)
    return die ("rename");
  fd = open (path2, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return die ("reopen the renamed file");
  n = read (fd, buf, sizeof (buf));
  if (n < 0)
    return die ("read");
  close (fd);
  if (n != (ssize_t) sizeof (payload) - 1 || memcmp (buf, payload, (size_t) n) != 0)
    {
      fprintf (stderr, "hello: read back %zd bytes that differ from what was written\n", n);
      return 1;
    }
  if (mkdir (sub, 0755) < 0)
    return die ("mkdir");
  d = opendir (dir);
  if (d == NULL)
    return die ("opendir");
  while ((de = readdir (d)) != NULL)
    if (strcmp (de->d_name, strrchr (path2, '/') + 1) == 0
        || strcmp (de->d_name, strrchr (sub, '/') + 1) == 0)
      found++;
  closedir (d);
  if (found != 2)
    {
      fprintf (stderr, "hello: readdir of %s listed %d of the 2 new entries\n", dir, found);
      return 1;
    }
  if (unlink (path2) < 0)
    return die ("unlink");
  if (rmdir (sub) < 0)
    return die ("rmdir");
  if (access (path2, F_OK) == 0 || errno != ENOENT)
    {
      fprintf (stderr, "hello: the unlinked file is still there\n");
      return 1;
    }
  printf ("fileio=ok\n");
  if (argc > 2)
    {
      snprintf (path, sizeof (path), "%s/%s", dir, argv[2]);
      fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (fd < 0 || write (fd, "kept\n", 5) != 5 || close (fd) < 0)
        return die ("write the file to keep");
      printf ("kept=%s\n", path);
    }
  return 0;
}
