#!/usr/bin/env bash
# test-images.sh - images of the store, run as layers: a busybox rootfs
# tarball and a `docker save` tarball made from it (two layers: the second
# deletes a file and empties a directory with whiteouts, and adds files)
# are imported (tests/integration/progs/images_tool, through
# libsandbox/images.c), then run with `sandbox-runtime do --layer ...`:
# what was deleted is gone, what was added is there, owners are the
# tarball's, set-id bits are gone, and writes stay in the in-memory layer
# (the layers on the host are the same afterwards, checksum for checksum).
# Needs /bin/busybox (Debian package busybox-static).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BB=/bin/busybox
need_program "$BB" busybox-static
need_program /usr/bin/python3 python3
need_prog images_tool
TOOL=$SB_PROGS/images_tool
STORE=$SB_TMP/store

# --- the tarballs ----------------------------------------------------------------
root=$SB_TMP/rootfs
mkdir -p "$root/bin" "$root/etc" "$root/data" "$root/home/user"
cp "$BB" "$root/bin/busybox"
for c in sh ls cat stat id rm echo test mkdir find sha256sum; do ln -s busybox "$root/bin/$c"; done
echo hello >"$root/etc/greeting"
chown 1000:1000 "$root/etc/greeting"
chmod 640 "$root/etc/greeting"
echo doomed >"$root/etc/doomed"
echo old >"$root/data/old"
chown 1234:5678 "$root/home/user"
printf '#!/bin/sh\necho suid\n' >"$root/bin/suid"
chmod 4755 "$root/bin/suid"
printf '#!/bin/sh\necho sgid\n' >"$root/bin/sgid"
chmod 2755 "$root/bin/sgid"
tar -C "$root" --numeric-owner -cf "$SB_TMP/rootfs.tar" .

l2=$SB_TMP/layer2
mkdir -p "$l2/etc" "$l2/data"
: >"$l2/etc/.wh.doomed"
: >"$l2/data/.wh..wh..opq"
echo new >"$l2/data/new"
echo added >"$l2/etc/added"
chown 2000:2000 "$l2/etc/added"
tar -C "$l2" --numeric-owner -cf "$SB_TMP/layer2.tar" .

# A `docker save` layout: <id>/layer.tar, a config named by its digest,
# manifest.json last (docker writes it last too).
dk=$SB_TMP/docker
mkdir -p "$dk"
d1=$(sha256sum <"$SB_TMP/rootfs.tar" | cut -d' ' -f1)
d2=$(sha256sum <"$SB_TMP/layer2.tar" | cut -d' ' -f1)
mkdir -p "$dk/$d1" "$dk/$d2"
cp "$SB_TMP/rootfs.tar" "$dk/$d1/layer.tar"
cp "$SB_TMP/layer2.tar" "$dk/$d2/layer.tar"
printf '{"architecture":"amd64","os":"linux","config":{"Cmd":["/bin/sh"],"Env":["PATH=/bin"],"WorkingDir":"/home/user"},"rootfs":{"type":"layers","diff_ids":["sha256:%s","sha256:%s"]}}' \
  "$d1" "$d2" >"$SB_TMP/config.json"
cfg=$(sha256sum <"$SB_TMP/config.json" | cut -d' ' -f1)
cp "$SB_TMP/config.json" "$dk/$cfg.json"
printf '[{"Config":"%s.json","RepoTags":["bb:2"],"Layers":["%s/layer.tar","%s/layer.tar"]}]' \
  "$cfg" "$d1" "$d2" >"$dk/manifest.json"
tar -C "$dk" -cf "$SB_TMP/docker.tar" "$d1" "$d2" "$cfg.json" manifest.json

# --- import ----------------------------------------------------------------------
if "$TOOL" "$STORE" import "" busybox "$SB_TMP/rootfs.tar" >"$SB_TMP/busybox.json"; then
  pass "the rootfs tarball is imported as the provider's busybox"
else
  fail "import of the rootfs tarball failed"
fi
jq_get() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(eval(sys.argv[2], {"r": r}))' "$@"; }
[[ $(jq_get "$SB_TMP/busybox.json" 'r["format"], len(r["layers"]), r["refused"]["setid"]') == "('rootfs', 1, 2)" ]] &&
  pass "its record: format rootfs, one layer, 2 set-id bits stripped" ||
  soft_fail "its record: $(cat "$SB_TMP/busybox.json")"
[[ $(jq_get "$SB_TMP/busybox.json" 'r["layers"][0]["digest"]') == "sha256:$d1" ]] &&
  pass "the layer is named by the sha256 of its tar" || soft_fail "layer digest is not sha256:$d1"

gzip -c "$SB_TMP/docker.tar" | "$TOOL" "$STORE" import acme bb:2 >"$SB_TMP/bb2.json" ||
  fail "import of the docker save tarball (gzip, through a pipe) failed"
pass "a gzip'ed docker save tarball is imported from a pipe as acme's bb:2"
[[ $(jq_get "$SB_TMP/bb2.json" 'r["format"], [l["digest"][7:] for l in r["layers"]], r["config"]["Cmd"], r["config"]["WorkingDir"], r["id"]') == \
  "('docker', ['$d1', '$d2'], ['/bin/sh'], '/home/user', 'sha256:$cfg')" ]] &&
  pass "its record: two layers bottom first, the config's Cmd and WorkingDir, the config digest as id" ||
  soft_fail "its record: $(cat "$SB_TMP/bb2.json")"
[[ $(jq_get "$SB_TMP/bb2.json" 'r["layers"][1]["whiteouts"]') == 2 ]] &&
  pass "the second layer's two whiteouts were converted" || soft_fail "whiteouts: $(cat "$SB_TMP/bb2.json")"
n=$(find "$STORE/layers" -mindepth 1 -maxdepth 1 | wc -l)
[[ $n == 2 ]] && pass "the shared bottom layer is stored once (2 layers for 3 references)" ||
  soft_fail "$n layers in the store, expected 2"

mapfile -t layers < <("$TOOL" "$STORE" layers acme bb:2)
[[ ${#layers[@]} == 2 ]] || fail "images_tool layers: ${layers[*]}"
args=(--layer "${layers[0]}" --layer "${layers[1]}")
wh=${layers[1]}
[[ $(stat -c '%F %t:%T' "$wh/etc/doomed") == "character special file 0:0" ]] &&
  pass ".wh.doomed became an overlayfs whiteout (a 0/0 character device)" ||
  soft_fail ".wh.doomed: $(stat -c '%F %t:%T' "$wh/etc/doomed" 2>&1)"
[[ $(python3 -c 'import os,sys; print(os.getxattr(sys.argv[1], "trusted.overlay.opaque").decode())' "$wh/data") == y ]] &&
  pass ".wh..wh..opq made its directory opaque (trusted.overlay.opaque=y)" ||
  soft_fail "data/ is not opaque"

# Everything about the layers' files, to compare after the sandboxes ran.
listing() {
  (cd "$STORE/layers" && find . -printf '%p %M %U:%G %s %l\n' | LC_ALL=C sort &&
    find . -type f -exec sha256sum {} + | LC_ALL=C sort)
}
listing >"$SB_TMP/before"

# --- run ---------------------------------------------------------------------------
sb_run "${args[@]}" -- /bin/busybox sh -c '
test -e /etc/doomed && echo doomed-there || echo doomed-gone
cat /etc/added
ls /data
stat -c "%n %u:%g %a" /etc/greeting /etc/added /home/user /bin/suid /bin/sgid
id -u'
expect_line "the file the second layer whited out is gone" "doomed-gone"
expect_line "the file it added is there" "added"
expect_line "the opaque directory shows only the second layer's entry" "new"
expect_line "owners are the tarball's: /etc/greeting 1000:1000, mode 640" "/etc/greeting 1000:1000 640"
expect_line "... /etc/added 2000:2000" "/etc/added 2000:2000 644"
expect_line "... /home/user 1234:5678" "/home/user 1234:5678 755"
expect_line "the setuid file has lost its bit" "/bin/suid 0:0 755"
expect_line "the setgid file has lost its bit" "/bin/sgid 0:0 755"
expect_line "the command is root inside" "0"

sb_run "${args[@]}" -- /bin/busybox sh -c '
echo changed > /etc/greeting && rm /etc/added /bin/suid && mkdir /data/more && echo x > /data/new &&
chown 7:7 /home/user && chmod 700 /bin/busybox && echo wrote
cat /etc/greeting; ls /data'
expect_out "the sandbox writes over, deletes and adds files in its in-memory layer" "wrote
changed
more
new"
sb_run "${args[@]}" -- /bin/busybox sh -c 'cat /etc/greeting; test -e /etc/added && echo added-back'
expect_out "the next sandbox sees the image as it was" "hello
added-back"
listing >"$SB_TMP/after"
if cmp -s "$SB_TMP/before" "$SB_TMP/after"; then
  pass "the layers on the host are unchanged (owners, modes, sizes, checksums)"
else
  soft_fail "the layers changed on the host: $(diff "$SB_TMP/before" "$SB_TMP/after" | head -n 20)"
fi

mapfile -t one < <("$TOOL" "$STORE" layers "" busybox)
sb_run --layer "${one[0]}" -- /bin/busybox sh -c 'cat /etc/doomed; ls /data'
expect_out "the rootfs image alone, one layer" "doomed
old"

# --- refused -----------------------------------------------------------------------
sb_run --rootfs "$root" --layer "${one[0]}" -- /bin/true
[[ $SB_RC == 2 ]] && grep -q 'cannot be combined' <<<"$SB_ERR" &&
  pass "--rootfs and --layer together are a usage error" || soft_fail "--rootfs with --layer: $SB_RC $SB_ERR"
ln -s "${one[0]}" "$SB_TMP/link"
sb_run --layer "$SB_TMP/link" -- /bin/true
[[ $SB_RC == 2 ]] && grep -q 'symbolic link' <<<"$SB_ERR" &&
  pass "a --layer reached through a symbolic link is refused" || soft_fail "--layer via a link: $SB_RC $SB_ERR"

# --- remove ------------------------------------------------------------------------
"$TOOL" "$STORE" remove acme bb:2 BUSY 2>"$SB_TMP/err" && soft_fail "removing an image in use worked" ||
  { grep -q 'in use' "$SB_TMP/err" && pass "an image in use is not removed: $(cat "$SB_TMP/err")"; }
"$TOOL" "$STORE" remove acme busybox 2>/dev/null && soft_fail "a tenant removed the provider's image" ||
  pass "a tenant cannot remove the provider's image"
"$TOOL" "$STORE" remove acme bb:2 || fail "remove acme's bb:2"
[[ $(ls "$STORE/layers") == "$d1" ]] && pass "removing bb:2 dropped its own layer, kept the shared one" ||
  soft_fail "layers left: $(ls "$STORE/layers")"
"$TOOL" "$STORE" remove "" busybox || fail "remove busybox"
[[ -z $(ls "$STORE/layers") && -z $(ls -A "$STORE/tmp") ]] && pass "removing the last image left no layer" ||
  soft_fail "left: $(ls "$STORE/layers" "$STORE/tmp")"

finish
