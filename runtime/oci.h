/* sandbox-runtime's OCI commands (runc's command line): the shared parts.
   See docs/OCI.md for the design: create asks sandboxd to admit the
   container under the tenant's policy, then starts the container's
   monitor as our own child (the pid of --pid-file); the other commands
   talk to that monitor's socket and to sandboxd. */
#ifndef SB_OCI_H
#define SB_OCI_H

#include <stdbool.h>
#include <jansson.h>
#include "error.h"

#define OCI_VERSION "1.1.0"
#define OCI_DEFAULT_ROOT "/run/sandbox-runtime"

/* Global options (runc's, plus ours) and the runtime's configuration file. */
struct oci_globals
{
  const char *root;          /* --root: our records, one directory per container */
  const char *log;           /* --log: errors for the caller (the shim reads them) */
  bool log_json;             /* --log-format json */
  bool debug;
  bool systemd_cgroup;       /* accepted; the sandbox's cgroup is its own (docs/OCI.md) */
  const char *config;        /* --config, default SYSCONFDIR/sandbox-runtime.conf */
  char *tenant;              /* --tenant, or the file's tenant */
  char *socket;              /* --sandboxd-socket, or the file's sandboxd-socket */
  bool hooks;                /* the file's hooks (default true): run the config's hooks */
  char **cgroup_parents;     /* the file's cgroup-parents: where a config's cgroupsPath is
                                followed (none: never, the sandbox's cgroup is sandboxd's) */
  int ncgroup_parents;
  char **file_roots;         /* the file's file-roots: where the small files an engine
                                binds (/etc/hosts, resolv.conf, docker-init) may come
                                from; a file elsewhere is a volume, within the policy's
                                volume-roots */
  int nfile_roots;
  char **rootfs_roots;       /* the file's rootfs-roots: where a root.path outside the bundle
                                may be (the engines' storage of merged layers) */
  int nrootfs_roots;
  char **shm_roots;          /* the file's shm-roots: where an engine's shm tmpfs (a mount
                                named shm) bound at /dev/shm is the sandbox's, a pod's */
  int nshm_roots;
  enum { OCI_QUOTA_OFF, OCI_QUOTA_IF_SUPPORTED, OCI_QUOTA_REQUIRED } disk_quota;
                             /* the file's disk-quota: a writable layer on the host's disk
                                bounded by the tenant's disk limit (a project quota) never,
                                where its filesystem enforces one (default), or always */
};
extern struct oci_globals oci_g;

/* Where the engines keep the small files they bind into a container:
   Docker's container directories and its docker-init, containerd's CRI
   sandboxes, podman's storage and catatonit, the kubelet's pod files. */
#define OCI_DEFAULT_FILE_ROOTS                                                                                       \
  "{/var/lib/docker/containers, /usr/bin/docker-init, /usr/libexec/docker/docker-init, "                             \
  "/var/lib/containerd/io.containerd.grpc.v1.cri/sandboxes, /run/containerd/io.containerd.grpc.v1.cri/sandboxes, "  \
  "/var/lib/containers/storage/overlay-containers, /run/containers/storage/overlay-containers, "                    \
  "/usr/libexec/podman/catatonit, /var/lib/kubelet/pods}"

/* Where the engines mount a container's root when it is not in the bundle:
   Docker's overlay2 and podman's overlay storage, in their default places. */
#define OCI_DEFAULT_ROOTFS_ROOTS "{/var/lib/docker/overlay2, /var/lib/containers/storage/overlay}"

/* Where the engines make a container's or a pod's shm tmpfs: Docker's
   containers/ID/mounts/shm, containerd's CRI sandboxes/ID/shm, podman's
   overlay-containers/ID/userdata/shm. Not the kubelet's pods: a pod's
   memory-backed emptyDir is a tmpfs there, the pod's own data. */
#define OCI_DEFAULT_SHM_ROOTS                                                                                        \
  "{/var/lib/docker/containers, /var/lib/containerd/io.containerd.grpc.v1.cri/sandboxes, "                           \
  "/run/containerd/io.containerd.grpc.v1.cri/sandboxes, /var/lib/containers/storage/overlay-containers, "             \
  "/run/containers/storage/overlay-containers}"

/* oci_common.c */
int oci_parse_globals (int *argc, char ***argv);
/* An absolute path without empty, "." or ".." components. */
bool oci_clean_path (const char *p);
/* Whether p (clean) is one of roots or below one. */
bool oci_path_under (const char *p, char *const *roots, int nroots);
/* The one of roots that p (clean, absolute) is or lies under, or NULL. */
const char *oci_root_of (const char *p, char *const *roots, int nroots);
int oci_load_config (sb_error_t *err);
/* Reports err (with the command's name) on stderr and in --log. */
void oci_report (const char *cmd, sb_error_t *err);
void oci_debug (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));
/* A warning in --log only: create's stderr is the container's. */
void oci_warn (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));
/* One request to sandboxd's local API: *status the HTTP status, *answer the
   JSON body (or NULL). */
int oci_sbd_request (const char *method, const char *path, json_t *body, int *status, json_t **answer,
                     sb_error_t *err);
/* The message of an error answer. */
const char *oci_sbd_message (json_t *answer);
/* One request to a monitor's socket, one JSON line back. */
int oci_monitor_request (const char *socket, json_t *req, json_t **answer, sb_error_t *err);
/* Our record of a container: {id, sbd_id, dir, socket, bundle, pid, created, tenant, annotations}. */
int oci_record_load (const char *id, json_t **rec, sb_error_t *err);
int oci_record_save (const char *id, json_t *rec, sb_error_t *err);
void oci_record_remove (const char *id);
bool oci_valid_id (const char *id);
/* runc's state: {ociVersion, id, pid, status, bundle, rootfs, created, owner, annotations}. */
json_t *oci_state_of (json_t *rec);
/* The cgroup directories of the sandbox (v1: one per controller; v2: one). */
/* The name of a container's cgroup (libsandbox/cgroup.h): its sandboxd id,
   or the path its config's cgroupsPath gave. */
const char *oci_cgroup_name (json_t *rec);
int oci_cgroup_dirs (json_t *rec, char dirs[][4200], int max);
/* A file as JSON. */
json_t *oci_load_json (const char *path, sb_error_t *err);
/* Reads the OCI config of a bundle. */
json_t *oci_bundle_config (const char *bundle, sb_error_t *err);

/* oci_spec.c: linux.resources (memory limit, reservation, swap and
   swappiness; cpu quota/period, shares, cpus and mems; pids.limit; block
   I/O throttles; values <= 0 ignored) as sandboxd's limits; NULL, with err
   set, for a value no kernel takes. */
json_t *oci_spec_limits (json_t *resources, sb_error_t *err);
/* oci_spec.c: the OCI config as a request of POST /v1/oci/containers. The
   mounts that became volumes are listed in *volume_mounts (their index
   in the config's mounts), to name them in sandboxd's refusals. */
int oci_spec_request (json_t *config, const char *bundle, const char *id, json_t **request,
                      json_t **volume_mounts, sb_error_t *err);
/* sandboxd's refusal, in the OCI config's terms. */
void oci_spec_refusal (const char *message, json_t *volume_mounts, json_t *config, char *out, size_t len);
/* Runs the config's hooks of one kind (prestart, createRuntime,
   createContainer, poststart, poststop) with the state on their stdin, as
   the caller; with join > 0, in the network, ipc and uts namespaces of
   that process (the monitor's: the container's); with cgroup (the
   container's cgroup name, oci_cgroup_name), in its app part. */
int oci_run_hooks (json_t *config, const char *kind, json_t *state, pid_t join, const char *cgroup, sb_error_t *err);

/* The commands. */
int oci_cmd_create (int argc, char **argv);
int oci_cmd_start (int argc, char **argv);
int oci_cmd_run (int argc, char **argv);
int oci_cmd_state (int argc, char **argv);
int oci_cmd_kill (int argc, char **argv);
int oci_cmd_delete (int argc, char **argv);
int oci_cmd_list (int argc, char **argv);
int oci_cmd_ps (int argc, char **argv);
int oci_cmd_pause (int argc, char **argv);
int oci_cmd_resume (int argc, char **argv);
int oci_cmd_features (int argc, char **argv);
int oci_cmd_spec (int argc, char **argv);
int oci_cmd_events (int argc, char **argv);
int oci_cmd_update (int argc, char **argv);
int oci_cmd_exec (int argc, char **argv);
int oci_cmd_install (int argc, char **argv);

/* oci_exec.c: relays a stream of frames (sandboxd's exec) to our stdio;
   returns the exit code. */
int oci_relay_frames (int fd, bool tty, int in, int out, int err);
/* A host pty: the master goes over the console socket, the slave is returned. */
int oci_console (const char *console_socket, json_t *size, sb_error_t *err);

#endif
