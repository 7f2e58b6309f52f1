/* sandboxctl: the command-line client. main() (sandboxctl.c) only picks the
   command; each command group lives in its own file. */
#ifndef SB_CLIENT_H
#define SB_CLIENT_H

#include <stdio.h>

/* Exit statuses of every command. */
#define SB_EXIT_OK 0      /* done; for `policy check`: every file is valid */
#define SB_EXIT_FAIL 1    /* the command ran and found a problem */
#define SB_EXIT_USAGE 2   /* bad command line */

/* `sandboxctl policy ...`: argv[0] is "policy". */
int sb_cmd_policy (const char *prog, int argc, char **argv);
void sb_policy_usage (FILE *out, const char *prog);

#endif
