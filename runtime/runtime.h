/* sandbox-runtime: the runc-compatible front end. Each subcommand in its own file. */
#ifndef SB_RUNTIME_H
#define SB_RUNTIME_H

#define SB_EXIT_USAGE 2
#define SB_EXIT_SANDBOX 125 /* the sandbox could not be made or died */

int sb_runtime_do (int argc, char **argv);

#endif
