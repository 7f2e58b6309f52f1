#!/usr/bin/env bash
# test-compat.sh - what Linux programs expect of sockets, credentials,
# O_PATH, /proc and errors (docs/COMPAT.md). tests/integration/progs/
# compat_probe.c runs each case twice: on the host kernel as a container's
# root would (its own user, pid and mount namespaces, Docker's
# capabilities), and in a sandbox. Every case must answer in the sandbox
# what the kernel answered, or be a difference docs/COMPAT.md lists (with
# the answer it gives instead).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need_prog compat_probe
PROBE=$SB_PROGS/compat_probe

# The host kernel's answers. The probe's root is host id 300000 there: its
# scratch directory must be writable by it.
native_tmp=$SB_TMP/native
mkdir -p "$native_tmp"
chmod 1777 "$native_tmp"
if ! TMPDIR=$native_tmp COMPAT_NOFILE=$(ulimit -n) "$PROBE" --native 300000 >"$SB_TMP/native.out" 2>"$SB_TMP/native.err"; then
  fail "compat_probe on the host kernel failed: $(head -c 500 "$SB_TMP/native.err")"
fi
total=$(grep -c . "$SB_TMP/native.out")
if ((total < 50)); then
  fail "compat_probe on the host kernel printed only $total cases"
fi

# The same in a sandbox (the caller's open-files limit carries over).
SB_LAST_CMD=
sb_run -- /usr/bin/env COMPAT_NOFILE="$(ulimit -n)" "$PROBE"
if [[ $SB_RC != 0 ]]; then
  fail "compat_probe in a sandbox: exit status $SB_RC"
fi
printf '%s\n' "$SB_OUT" >"$SB_TMP/sandbox.out"

# The differences docs/COMPAT.md lists, as "| `case` | `sandbox answer` |"
# rows of its table: a case that answers exactly what is listed there is
# known (it does not fail the test, but it does not count as agreeing); a
# listed case that agrees now, or answers something else, fails, so the
# table stays true.
declare -A listed=()
while IFS=$'\t' read -r name answer; do
  listed[$name]=$answer
done < <(sed -n 's/^| `\([a-z0-9-]*\)` | `\([^`]*\)` |.*/\1\t\2/p' "$TESTS_SRCDIR/docs/COMPAT.md")

agree=0 known=0
while read -r name want; do
  got=$(awk -v n="$name" '$1 == n { $1 = ""; sub(/^ /, ""); print; exit }' "$SB_TMP/sandbox.out")
  if [[ $got == "$want" ]]; then
    agree=$((agree + 1))
    if [[ -n ${listed[$name]:-} ]]; then
      soft_fail "$name: answers as the host kernel ($want) but docs/COMPAT.md still lists it as a difference"
    else
      pass "$name: $want, as on the host kernel"
    fi
  elif [[ -n ${listed[$name]:-} && $got == "${listed[$name]}" ]]; then
    known=$((known + 1))
    say "known difference: $name: the sandbox answers '$got', the host kernel '$want' (docs/COMPAT.md)"
  else
    SB_LAST_CMD=
    soft_fail "$name: the sandbox answers '${got:-nothing}', the host kernel '$want'"
  fi
done <"$SB_TMP/native.out"
say "$agree of $total cases answer as the host kernel does; $known differ as docs/COMPAT.md says"

# /proc/self/mountinfo and mounts show the mounts as the app sees them,
# without host facts: not the Sentry's stage (/tmp/lower0, upperdir,
# workdir), nor a volume's host path (the mount's root field), nor host ids
# in a superblock's options (tmpfs and devpts uid=, gid=). Read every way a
# program does: its own, another process's, /proc/mounts, /etc/mtab. Nor
# the masks of the tenant's hidden paths (a directory and a file here) or
# of the masked /proc and /sys entries: a mount point the app is told does
# not exist would name what the policy hides, and lsof and findmnt stat
# every mount point. Every mount point listed must stat.
mkdir -p "$SB_TMP/vols/data"
chown 310000:310000 "$SB_TMP/vols/data"
printf 'tenant = "t-compat"\nid-range = "310000-375535"\nfilesystem {\n  hidden = {"/opt", "/etc/shadow"}\n  volume-roots = {"%s"}\n  volume data { source = "%s"  target = "/data" }\n}\n' \
  "$SB_TMP/vols" "$SB_TMP/vols/data" >"$SB_TMP/mounts.conf"
: >"$SB_TMP/base.conf"
sb_run --policy "$SB_TMP/mounts.conf" --policy-base "$SB_TMP/base.conf" -- /bin/sh -c \
  'for f in /proc/self/mountinfo /proc/self/mounts /proc/mounts /etc/mtab /proc/1/mountinfo /proc/thread-self/mountinfo; do echo "== $f"; cat "$f"; done
   echo "== unstatable"; for m in $(cut -d" " -f5 /proc/self/mountinfo); do stat "$m" >/dev/null 2>&1 || echo "unstatable $m"; done'
printf '%s\n' "$SB_OUT" >"$SB_TMP/mounts.out"
if [[ $SB_RC != 0 ]] || ! grep -q '^== /proc/thread-self/mountinfo' "$SB_TMP/mounts.out"; then
  fail "mountinfo: reading the mount tables failed (exit $SB_RC): $(head -c 300 <<<"$SB_ERR")"
fi
# A provider whose volume-roots is "/" lets any volume in, as the policy's
# own check does: the sandbox starts with it (the check made at the start
# on where the source now is took "/" as holding nothing).
printf 'tenant = "t-compat"\nid-range = "310000-375535"\nfilesystem {\n  volume-roots = {"/"}\n  volume data { source = "%s"  target = "/data" }\n}\n' \
  "$SB_TMP/vols/data" >"$SB_TMP/rootroots.conf"
sb_run --policy "$SB_TMP/rootroots.conf" --policy-base "$SB_TMP/base.conf" -- /bin/sh -c 'echo v >/data/rootroots && cat /data/rootroots'
[[ $SB_RC == 0 && $SB_OUT == v && $(cat "$SB_TMP/vols/data/rootroots" 2>/dev/null) == v ]] &&
  pass "volume-roots \"/\": the volume is mounted and written" ||
  soft_fail "volume-roots \"/\": exit $SB_RC, out $SB_OUT, err $(head -c 300 <<<"$SB_ERR")"
expect_mounts() { # what, extended regex that must (1) or must not (0) match
  if grep -Eq -- "$3" "$SB_TMP/mounts.out"; then
    if (($2)); then pass "mount tables: $1"; else soft_fail "mount tables: $1: $(grep -Em1 -- "$3" "$SB_TMP/mounts.out")"; fi
  else
    if (($2)); then soft_fail "mount tables: $1: no line matches '$3'"; else pass "mount tables: $1"; fi
  fi
}
expect_mounts "no stage paths of the Sentry" 0 'lowerdir=|upperdir=|workdir=|/tmp/lower|/tmp/upper|/tmp/work'
expect_mounts "no host path of the volume" 0 "$SB_TMP"
expect_mounts "no host ids in options" 0 '[ug]id=(31[0-9]{4}|[0-9]{6,})'
expect_mounts "no stage directory as a mount root" 0 '^[0-9]+ [0-9]+ [0-9]+:[0-9]+ /masked '
expect_mounts "the root as the app sees it (mountinfo)" 1 '^[0-9]+ [0-9]+ [0-9]+:[0-9]+ / / .* - overlay '
expect_mounts "the root as the app sees it (mounts)" 1 '^overlay / overlay '
expect_mounts "the volume at its target" 1 '^[0-9]+ [0-9]+ [0-9]+:[0-9]+ / /data '
expect_mounts "devpts keeps the container's tty group" 1 ' /dev/pts devpts .*gid=5,'
expect_mounts "/proc subtrees keep their roots" 1 ' /sys /proc/sys '
expect_mounts "no hidden path of the tenant's" 0 ' /opt |/etc/shadow'
expect_mounts "no masked /proc or /sys entry" 0 ' /proc/kallsyms | /proc/kcore | /proc/sys/kernel/core_pattern | /sys/devices/system/cpu/vulnerabilities '
expect_mounts "every mount point listed stats" 0 '^unstatable '

# GNU tar as root extracts an archive whole: modes (it chmods every file
# with fchmodat(AT_SYMLINK_NOFOLLOW), which glibc makes a chmod of
# /proc/self/fd/N), owners, symlinks, hard links, a FIFO.
need_program /usr/bin/tar tar
{
  src=$SB_TMP/tar-src
  mkdir -p "$src/d/private" "$src/d/shared"
  echo data >"$src/d/file" && chmod 640 "$src/d/file"
  echo run >"$src/d/tool" && chmod 755 "$src/d/tool"
  ln "$src/d/file" "$src/d/hard"
  ln -s file "$src/d/link"
  mkfifo -m 600 "$src/d/fifo"
  chmod 700 "$src/d/private"
  chmod 2775 "$src/d/shared"
  chown -R 1000:1000 "$src/d/shared"
  tar -C "$src" --numeric-owner -cf "$SB_TMP/t.tar" d
  listing='find d -printf "%p %M %U:%G %l\n" | sort'
  want=$(cd "$src" && eval "$listing")
  sb_run -- /bin/sh -c "cd \"\$(mktemp -d)\" && tar xf '$SB_TMP/t.tar' && $listing"
  if [[ $SB_RC == 0 && $SB_OUT == "$want" ]]; then
    pass "tar xf as root: modes, owners, links and a FIFO as archived"
  else
    soft_fail "tar xf as root: exit $SB_RC, $(head -c 300 <<<"$SB_ERR"), got: $SB_OUT"
  fi
}

# PAM programs that change ids (they try the audit netlink socket, which is
# refused, and go on as Linux lets them).
need_program /usr/bin/su login
need_program /usr/sbin/runuser util-linux
sb_run -- /bin/sh -c '/usr/sbin/runuser -u nobody -- id -un; /usr/bin/su -s /bin/sh nobody -c "id -un"'
expect_out "runuser and su become nobody" "nobody
nobody"

# The sandbox's hostname resolves, as under Docker (sudo, hostname -f and
# Java's InetAddress.getLocalHost need it): /etc/hosts inside names it,
# through a copy bound over the root's own, which stays as it was (here the
# host's, which must not change). A name the file has already, or an
# /etc/hosts of the tenant's own (a volume), is left alone.
hosts_before=$(stat -c '%i %s %Y' /etc/hosts; sha256sum /etc/hosts)
sb_run --hostname web-7.example -- /bin/sh -c 'hostname -f; getent hosts web-7.example | awk "{print \$1}"
  echo "10.0.0.9 extra" >>/etc/hosts && getent hosts extra | awk "{print \$1}"'
expect_out "the hostname resolves inside, and /etc/hosts is the sandbox's to change" "web-7.example
127.0.1.1
10.0.0.9"
hosts_after=$(stat -c '%i %s %Y' /etc/hosts; sha256sum /etc/hosts)
[[ $hosts_before == "$hosts_after" ]] && pass "the host's /etc/hosts is unchanged" ||
  soft_fail "the host's /etc/hosts changed: $hosts_before -> $hosts_after"
sb_run --hostname localhost -- /bin/sh -c 'grep -c "127.0.1.1" /etc/hosts; grep -c " /etc/hosts " /proc/self/mountinfo; true'
expect_out "a hostname /etc/hosts names already: the root's file as it is" "0
0"
mkdir -p "$SB_TMP/vols/h"
printf '127.0.0.1 localhost\n192.0.2.1 own\n' >"$SB_TMP/vols/h/hosts"
printf 'tenant = "t-compat"\nid-range = "310000-375535"\nfilesystem {\n  volume-roots = {"%s"}\n  volume h { source = "%s"  target = "/etc/hosts"  read-only = true }\n}\n' \
  "$SB_TMP/vols" "$SB_TMP/vols/h/hosts" >"$SB_TMP/hosts.conf"
sb_run --policy "$SB_TMP/hosts.conf" --policy-base "$SB_TMP/base.conf" --hostname web-7 -- /bin/cat /etc/hosts
expect_out "an /etc/hosts volume of the tenant's is what the app reads" "127.0.0.1 localhost
192.0.2.1 own"

finish
