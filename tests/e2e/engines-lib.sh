# shellcheck shell=bash
# engines-lib.sh - Docker, containerd and podman of a test's own, driving
# sandbox-runtime. Sourced after lib.sh, daemon-lib.sh and oci-lib.sh.
# Every daemon runs with its own state, sockets and pid file under
# $SB_TMP, is started here and stopped at exit by its pid.
#   engines_runtime_wrapper   $RT_WRAPPER: sandbox-runtime of the build with
#                             the test's libexec directory and configuration
#   containerd_start / dockerd_start   (DOCKER_HOST set for `dk`)
#   dk ARGS...                the docker client of docker.io
#   ctrx ARGS...              ctr on the test's containerd
#   pm ARGS...                podman with the test's storage and runtime
#   make_images               a busybox rootfs tarball
#   ENGINES_CTR_NS            the containerd namespace of the test's ctr runs
E2E=$SB_TMP/e2e
# The small files the engines bind (/etc/hosts, resolv.conf, docker-init)
# come from their directories here, which the runtime's file-roots name
# (oci_setup writes them).
OCI_FILE_ROOTS="\"$E2E/docker/containers\", \"$E2E/podman/run/overlay-containers\", \"/usr/bin/docker-init\""
# Where Docker and podman make a container's shm tmpfs.
OCI_SHM_ROOTS="\"$E2E/docker/containers\", \"$E2E/podman/root/overlay-containers\""
# And where Docker and podman mount a container's root (containerd's is
# in its bundle).
OCI_ROOTFS_ROOTS="\"$E2E/docker/overlay2\", \"$E2E/podman/root/overlay\""
RT_WRAPPER=$E2E/sandbox-runtime
CTRD_SOCK=$E2E/ctrd/containerd.sock
DOCKER_SOCK=$E2E/docker.sock
CTRD_PID=
DOCKERD_PID=

engines_need() {
  need_program /usr/sbin/dockerd docker.io
  need_program /usr/bin/docker docker.io
  need_program /usr/bin/containerd containerd
  need_program /usr/bin/ctr containerd
  need_program /usr/bin/containerd-shim-runc-v2 containerd
  need_program /usr/sbin/runc runc
  need_program /usr/bin/podman podman
}

engines_runtime_wrapper() {
  mkdir -p "$E2E"
  cat >"$RT_WRAPPER" <<WRAP
#!/bin/sh
# sandbox-runtime of the build, as Docker, containerd and podman call it.
export SANDBOX_LIBEXEC_DIR="$SANDBOX_LIBEXEC_DIR"
export SANDBOX_RUNTIME_CONFIG="$OCI_CONF"
echo "\$\$ \$*" >>"$E2E/rt-calls.log"
exec "$SANDBOX_RUNTIME" "\$@"
WRAP
  chmod 755 "$RT_WRAPPER"
}

# Paths outside $SB_TMP that containerd, its shims, dockerd and podman make
# whatever their configuration says (the shims' sockets under
# /run/containerd/s, the runc shim's --root /run/containerd/runc/NS,
# dockerd's plugin directory /run/docker/plugins, podman's blob cache and
# its shared-memory locks /dev/shm/libpod_lock, and the runtime's default
# state root /run/sandbox-runtime, where podman's calls keep their state):
# those that did not exist before are removed, children first.
ENGINES_SHARED_DIRS=(/run/containerd/runc /run/containerd/s /run/containerd/fifo /run/containerd
                     /run/docker/plugins /run/docker
                     /var/lib/containers/cache /var/lib/containers /dev/shm/libpod_lock
                     /run/sandbox-runtime)
# podman's cgroup for conmon (--cgroup-manager cgroupfs), in every hierarchy.
for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
  [[ -L ${h%/} ]] || ENGINES_SHARED_DIRS+=("${h}libpod_parent/conmon" "${h}libpod_parent")
done
ENGINES_NEW_DIRS=()
ENGINES_CTR_NS=sbe2e$$

containerd_start() {
  local i d
  for d in "${ENGINES_SHARED_DIRS[@]}"; do
    [[ -e $d ]] || ENGINES_NEW_DIRS+=("$d")
  done
  mkdir -p "$E2E/ctrd"
  cat >"$E2E/ctrd/config.toml" <<TOML
version = 2
root = "$E2E/ctrd/root"
state = "$E2E/ctrd/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$CTRD_SOCK"
[ttrpc]
  address = "$CTRD_SOCK.ttrpc"
[debug]
  address = ""
TOML
  /usr/bin/containerd --config "$E2E/ctrd/config.toml" >>"$E2E/containerd.log" 2>&1 &
  CTRD_PID=$!
  SB_BG_PIDS+=("$CTRD_PID")
  for i in $(seq 100); do
    [[ -S $CTRD_SOCK ]] && /usr/bin/ctr --address "$CTRD_SOCK" version >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  fail "containerd did not start: $(tail -n 5 "$E2E/containerd.log")"
}

dockerd_start() {
  local i
  mkdir -p "$E2E/docker" "$E2E/docker-exec"
  cat >"$E2E/daemon.json" <<JSON
{"iptables": false, "ip6tables": false, "bridge": "none",
 "default-ulimits": {"nofile": {"Name": "nofile", "Hard": 1024, "Soft": 1024},
                     "nproc": {"Name": "nproc", "Hard": 1024, "Soft": 1024}},
 "runtimes": {"sandbox": {"path": "$RT_WRAPPER"}${DOCKER_EXTRA_RUNTIMES:-}}}
JSON
  /usr/sbin/dockerd --config-file "$E2E/daemon.json" --data-root "$E2E/docker" --exec-root "$E2E/docker-exec" \
    -H "unix://$DOCKER_SOCK" --pidfile "$E2E/dockerd.pid" --containerd "$CTRD_SOCK" \
    >>"$E2E/dockerd.log" 2>&1 &
  DOCKERD_PID=$!
  SB_BG_PIDS+=("$DOCKERD_PID")
  for i in $(seq 200); do
    dk version >/dev/null 2>&1 && return 0
    kill -0 "$DOCKERD_PID" 2>/dev/null || break
    sleep 0.1
  done
  fail "dockerd did not start: $(tail -n 5 "$E2E/dockerd.log")"
}

dk() { DOCKER_HOST="unix://$DOCKER_SOCK" /usr/bin/docker "$@"; }
ctrx() { /usr/bin/ctr --address "$CTRD_SOCK" "$@"; }

engines_stop() {
  local c ns t f pid
  if [[ -n $DOCKERD_PID ]] && kill -0 "$DOCKERD_PID" 2>/dev/null; then
    for c in $(dk ps -aq 2>/dev/null); do dk rm -f "$c" >/dev/null 2>&1 || true; done
    kill -TERM "$DOCKERD_PID" 2>/dev/null || true
    wait "$DOCKERD_PID" 2>/dev/null || true
  fi
  DOCKERD_PID=
  if [[ -n $CTRD_PID ]] && kill -0 "$CTRD_PID" 2>/dev/null; then
    # Tasks still running (a client killed mid-test leaves its task): end them.
    for ns in $(ctrx namespaces ls -q 2>/dev/null); do
      for t in $(ctrx -n "$ns" task ls -q 2>/dev/null); do
        ctrx -n "$ns" task kill -s SIGKILL "$t" >/dev/null 2>&1 || true
        ctrx -n "$ns" task delete -f "$t" >/dev/null 2>&1 || true
      done
    done
    kill -TERM "$CTRD_PID" 2>/dev/null || true
    wait "$CTRD_PID" 2>/dev/null || true
  fi
  CTRD_PID=
  # Shims of our containerd outlive it (they are their containers' parents):
  # those whose command line names our socket are ours to end.
  for f in $(grep -lzF -- "$CTRD_SOCK" /proc/[0-9]*/cmdline 2>/dev/null || true); do
    pid=${f#/proc/}
    pid=${pid%/cmdline}
    [[ $pid == "$$" || $pid == "$BASHPID" ]] || kill -KILL "$pid" 2>/dev/null || true
  done
  # What the engines mounted under our directory (overlays, shm, netns).
  { grep -o " $E2E[^ ]*" /proc/self/mounts || true; } | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
  rm -rf "/run/containerd/runc/$ENGINES_CTR_NS"
  for d in "${ENGINES_NEW_DIRS[@]}"; do
    case $d in
    /var/lib/containers/cache) rm -f "$d/blob-info-cache-v1.boltdb" ;;
    /dev/shm/libpod_lock) rm -f "$d" ;;
    esac
    rmdir "$d" 2>/dev/null || true
  done
}
SB_CLEANUP_HOOKS+=(engines_stop)

# A busybox rootfs tarball ($E2E/busybox.tar) and a Debian one with python3
# ($E2E/python.tar: the host's python3 and the libraries it loads).
make_images() {
  oci_rootfs "$E2E/img-busybox"
  tar -C "$E2E/img-busybox" -cf "$E2E/busybox.tar" .
  make_python_image
}

# The host's python3 (Debian's), the libraries it and its extension modules
# load (per ldd), its standard library without the tests, tools and GUI,
# a busybox for sh, and the basics of /etc: a Debian image, made without
# network.
make_python_image() {
  local d=$E2E/img-python lib
  mkdir -p "$d"/{bin,usr/bin,usr/lib,etc,tmp,proc,sys,dev,root,vol}
  cp -L /usr/bin/python3 "$d/usr/bin/python3"
  cp /bin/busybox "$d/bin/busybox"
  ln -s busybox "$d/bin/sh"
  tar -C /usr/lib -cf - --exclude=test --exclude=tests --exclude=idlelib --exclude=tkinter --exclude=turtledemo \
    --exclude=ensurepip --exclude=lib2to3 --exclude=pydoc_data --exclude='config-3*' --exclude=site-packages \
    --exclude=dist-packages python3.11 | tar -C "$d/usr/lib" -xf -
  for lib in $(ldd /usr/bin/python3 /usr/lib/python3.11/lib-dynload/*.so 2>/dev/null |
               awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\/.*\.so/ && $2 ~ /^\(/ {print $1}' | sort -u); do
    cp -L --parents "$lib" "$d"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/sh\n' >"$d/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$d/etc/group"
  cp /etc/os-release /etc/debian_version "$d/etc/" 2>/dev/null || true
  printf 'passwd: files\ngroup: files\nhosts: files\n' >"$d/etc/nsswitch.conf"
  tar -C "$d" -cf "$E2E/python.tar" .
}
