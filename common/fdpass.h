/* One message, with up to SB_FDPASS_MAX file descriptors, over a Unix socket. */
#ifndef SB_FDPASS_H
#define SB_FDPASS_H

#include <stddef.h>
#include <sys/types.h>

/* 8: the Gofer's hello carries two and the channels of up to 6 more lanes */
#define SB_FDPASS_MAX 8

/* Sends len bytes and nfds descriptors in one sendmsg. Returns 0 or -errno. */
int sb_send_msg (int sock, const void *buf, size_t len, const int *fds, int nfds);
/* Receives one message; *nfds in: capacity of fds, out: how many arrived
   (each with O_CLOEXEC). Returns the byte count, 0 on EOF, or -errno.
   A truncated message is an error (-EMSGSIZE); its descriptors are closed. */
ssize_t sb_recv_msg (int sock, void *buf, size_t len, int *fds, int *nfds);
/* The same, but first polls without blocking for up to spin_ns: a peer that
   answers within microseconds is read without a sleep and a cross-CPU
   wake-up (tens of microseconds on some virtual machines). spin_ns <= 0:
   blocks at once, as sb_recv_msg does. */
ssize_t sb_recv_msg_spin (int sock, void *buf, size_t len, int *fds, int *nfds, long spin_ns);
/* The spinning part of sb_recv_msg_spin alone: -EAGAIN if nothing came
   within spin_ns (at once if spin_ns is 0). */
ssize_t sb_recv_msg_try (int sock, void *buf, size_t len, int *fds, int *nfds, long spin_ns);

#endif
