# shellcheck shell=bash
# oci-lib.sh - sandbox-runtime as an OCI runtime, for a test. Sourced after
# lib.sh and daemon-lib.sh. Gives:
#   oci_setup TENANT      the runtime's configuration (tenant, the test
#                         daemon's socket, file-roots: $SB_TMP/engine-files
#                         and $OCI_FILE_ROOTS, quoted and comma-separated;
#                         rootfs-roots: $OCI_ROOTFS_ROOTS, or none;
#                         shm-roots: $SB_TMP/engine-shm and $OCI_SHM_ROOTS)
#                         and its --root, under $SB_TMP
#   rt ARGS...            sandbox-runtime with them (global options first)
#   oci_bundle DIR ARGS...  a bundle: a busybox rootfs and a config.json
#                         running ARGS (edit it with oci_config)
#   oci_config DIR PYTHON   changes DIR/config.json: `c` is the config
#   oci_exit_hook         at exit: containers of this test's --root killed
OCI_ROOT=$SB_TMP/oci-root
OCI_CONF=$SB_TMP/sandbox-runtime.conf
export OCI_ROOT OCI_CONF

oci_setup() {
  mkdir -p "$SB_TMP/engine-files" "$SB_TMP/engine-shm"
  cat >"$OCI_CONF" <<CONF
tenant = "$1"
sandboxd-socket = "$SBD/run/sandboxd.sock"
file-roots = {"$SB_TMP/engine-files"${OCI_FILE_ROOTS:+, $OCI_FILE_ROOTS}}
rootfs-roots = {${OCI_ROOTFS_ROOTS:-}}
shm-roots = {"$SB_TMP/engine-shm"${OCI_SHM_ROOTS:+, $OCI_SHM_ROOTS}}
CONF
}

rt() {
  "$SANDBOX_RUNTIME" --root "$OCI_ROOT" --config "$OCI_CONF" "$@"
}

oci_rootfs() { # DIR: a busybox rootfs owned by root, as a caller prepares one
  local d=$1 t
  mkdir -p "$d"/{bin,etc,tmp,proc,sys,dev,root,data}
  cp /bin/busybox "$d/bin/busybox"
  for t in sh echo cat sleep ls id true false wc head grep env hostname mkdir touch kill ps; do
    ln -sf busybox "$d/bin/$t"
  done
  echo 'root:x:0:0:root:/root:/bin/sh' >"$d/etc/passwd"
  echo 'root:x:0:' >"$d/etc/group"
}

oci_bundle() { # DIR ARGS...
  local d=$1
  shift
  oci_rootfs "$d/rootfs"
  /usr/bin/python3 - "$d/config.json" "$@" <<'PY'
import json, sys
path, args = sys.argv[1], sys.argv[2:]
caps = ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW",
        "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
        "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE"]
c = {
  "ociVersion": "1.0.2",
  "process": {"terminal": False, "user": {"uid": 0, "gid": 0}, "args": args,
              "env": ["PATH=/bin", "TERM=xterm"], "cwd": "/",
              "capabilities": {k: caps for k in ("bounding", "effective", "permitted")},
              "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}],
              "noNewPrivileges": True},
  "root": {"path": "rootfs", "readonly": False},
  "hostname": "ocibox",
  "mounts": [{"destination": "/proc", "type": "proc", "source": "proc"},
             {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "mode=755"]},
             {"destination": "/dev/pts", "type": "devpts", "source": "devpts"},
             {"destination": "/dev/shm", "type": "tmpfs", "source": "shm"},
             {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["ro"]}],
  "linux": {"namespaces": [{"type": t} for t in ("pid", "network", "ipc", "uts", "mount")],
            "maskedPaths": ["/proc/kcore", "/proc/keys"], "readonlyPaths": ["/proc/sys"]},
}
json.dump(c, open(path, "w"), indent=1)
PY
}

oci_config() { # DIR PYTHON
  /usr/bin/python3 - "$1/config.json" "$2" <<'PY'
import json, sys
path, code = sys.argv[1], sys.argv[2]
c = json.load(open(path))
exec(code)
json.dump(c, open(path, "w"), indent=1)
PY
}

oci_exit_hook() {
  local d pid
  [[ -d $OCI_ROOT ]] || return 0
  for d in "$OCI_ROOT"/*/; do
    [[ -f $d/state.json ]] || continue
    pid=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("pid", 0))' "$d/state.json" 2>/dev/null || echo 0)
    [[ $pid -gt 0 ]] && kill -KILL "$pid" 2>/dev/null || true
  done
}
SB_CLEANUP_HOOKS+=(oci_exit_hook)
