/* The image store from a shell, for the integration tests (sandboxd will
   be its real user):
     images_tool STORE import OWNER NAME [FILE]   (standard input without FILE)
     images_tool STORE list [OWNER]
     images_tool STORE inspect OWNER NAME
     images_tool STORE layers OWNER NAME          (one directory a line, bottom first)
     images_tool STORE remove OWNER NAME [BUSY]   (BUSY: say it is in use)
   OWNER "" is the provider. Prints JSON (or the layers); on an error, the
   message on standard error and exit status 1. */
#include "images.h"
#include "cleanup.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static bool
always_busy (const char *owner, const char *name, void *arg)
{
  (void) owner;
  (void) name;
  (void) arg;
  return true;
}

static int
print_json (json_t *j)
{
  char *text = json_dumps (j, JSON_INDENT (2) | JSON_SORT_KEYS);

  if (text)
    puts (text);
  free (text);
  json_decref (j);
  return text ? 0 : 1;
}

static int
usage (void)
{
  fprintf (stderr, "usage: images_tool STORE import|list|inspect|layers|remove ...\n");
  return 2;
}

int
main (int argc, char **argv)
{
  cleanup_error sb_error_t err = NULL;
  struct sb_images *s = NULL;
  const char *cmd;
  json_t *j = NULL;
  int ret = -1;

  if (argc < 3)
    return usage ();
  cmd = argv[2];
  if (sb_images_open (&s, argv[1], &err) < 0)
    {
      sb_error_print ("images_tool", &err);
      return 1;
    }
  if (strcmp (cmd, "import") == 0 && (argc == 5 || argc == 6))
    {
      int fd = argc == 6 ? open (argv[5], O_RDONLY | O_CLOEXEC) : 0;
      if (fd < 0)
        perror (argv[5]);
      else if ((ret = sb_images_import (s, fd, argv[3], argv[4], &j, &err)) == 0)
        print_json (j);
    }
  else if (strcmp (cmd, "list") == 0 && (argc == 3 || argc == 4))
    {
      if ((ret = sb_images_list (s, argc == 4 ? argv[3] : NULL, &j, &err)) == 0)
        print_json (j);
    }
  else if (strcmp (cmd, "inspect") == 0 && argc == 5)
    {
      if ((ret = sb_images_inspect (s, argv[3], argv[4], &j, &err)) == 0)
        print_json (j);
    }
  else if (strcmp (cmd, "layers") == 0 && argc == 5)
    {
      char **paths;
      int n;
      if ((ret = sb_images_layers (s, argv[3], argv[4], &paths, &n, &err)) == 0)
        {
          for (int i = 0; i < n; i++)
            puts (paths[i]);
          sb_images_free_layers (paths);
        }
    }
  else if (strcmp (cmd, "remove") == 0 && (argc == 5 || argc == 6))
    ret = sb_images_remove (s, argv[3], argv[4], argc == 6 ? always_busy : NULL, NULL, &err);
  else
    {
      sb_images_close (s);
      return usage ();
    }
  sb_images_close (s);
  if (ret < 0)
    {
      sb_error_print ("images_tool", &err);
      return 1;
    }
  return 0;
}
