#!/bin/bash
# Seeds for images_fuzz (`make fuzz-images`): small tarballs of each format
# and of each rule, written to the directory $1. Needs tar, gzip, xz,
# zstd (if present) and sha256sum.
set -euo pipefail
out=$1
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

# A small rootfs: files, a link, a hard link, set-id bits, owners.
mkdir -p root/bin root/etc root/data
printf '#!/bin/sh\necho hi\n' >root/bin/tool
chmod 4755 root/bin/tool
ln -s tool root/bin/sh
echo x >root/etc/owned
chown 1000:1000 root/etc/owned
ln root/etc/owned root/etc/same
echo old >root/data/old
tar --numeric-owner -C root -cf "$out/rootfs.tar" .
gzip -9c "$out/rootfs.tar" >"$out/rootfs.tar.gz"
xz -c "$out/rootfs.tar" >"$out/rootfs.tar.xz"
if command -v zstd >/dev/null; then zstd -qc "$out/rootfs.tar" >"$out/rootfs.tar.zst"; fi

# A layer with whiteouts.
mkdir -p top/etc top/data
: >top/etc/.wh.owned
: >top/data/.wh..wh..opq
echo new >top/data/new
tar --numeric-owner -C top -cf top.tar .

# docker save: two layers, config, manifest.json.
d1=$(sha256sum <"$out/rootfs.tar" | cut -d' ' -f1)
d2=$(sha256sum <top.tar | cut -d' ' -f1)
mkdir -p docker/"$d1" docker/"$d2"
cp "$out/rootfs.tar" docker/"$d1"/layer.tar
cp top.tar docker/"$d2"/layer.tar
printf '{"config":{"Cmd":["/bin/sh"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s","sha256:%s"]}}' "$d1" "$d2" >cfg
c=$(sha256sum <cfg | cut -d' ' -f1)
cp cfg docker/"$c".json
printf '[{"Config":"%s.json","Layers":["%s/layer.tar","%s/layer.tar"]}]' "$c" "$d1" "$d2" >docker/manifest.json
tar -C docker -cf "$out/docker.tar" .

# OCI layout: gzip layers by digest, config, manifest, index.json.
mkdir -p oci/blobs/sha256
gzip -9c "$out/rootfs.tar" >l1.gz
gzip -9c top.tar >l2.gz
g1=$(sha256sum <l1.gz | cut -d' ' -f1)
g2=$(sha256sum <l2.gz | cut -d' ' -f1)
cp l1.gz oci/blobs/sha256/"$g1"
cp l2.gz oci/blobs/sha256/"$g2"
cp cfg oci/blobs/sha256/"$c"
printf '{"schemaVersion":2,"config":{"digest":"sha256:%s"},"layers":[{"digest":"sha256:%s"},{"digest":"sha256:%s"}]}' "$c" "$g1" "$g2" >man
m=$(sha256sum <man | cut -d' ' -f1)
cp man oci/blobs/sha256/"$m"
printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s"}]}' "$m" >oci/index.json
printf '{"imageLayoutVersion":"1.0.0"}' >oci/oci-layout
tar -C oci -cf "$out/oci.tar" .

# What must be refused: a link towards the victim directory, then an entry
# through it; a hard link out of the layer; `..`; a device; a tar bomb.
python3 - "$out" <<'PY'
import io, sys, tarfile
out = sys.argv[1]
def tar(name, members):
    with tarfile.open(f"{out}/{name}", "w", format=tarfile.PAX_FORMAT) as t:
        for info, data in members:
            t.addfile(info, io.BytesIO(data) if data else None)
def entry(name, type=tarfile.REGTYPE, data=b"", link="", mode=0o644):
    i = tarfile.TarInfo(name); i.type = type; i.size = len(data); i.linkname = link; i.mode = mode
    return (i, data)
V = "/tmp/sb-images-fuzz/victim"
tar("symlink.tar", [entry("link", tarfile.SYMTYPE, link=V), entry("link/x", data=b"x")])
tar("symlink-rel.tar", [entry("a/up", tarfile.SYMTYPE, link="../../../../../.."), entry("a/up/tmp/sb-images-fuzz/victim/x", data=b"x")])
tar("dotdot.tar", [entry("../victim/x", data=b"x"), entry("a/../../x", data=b"x")])
tar("absolute.tar", [entry(V + "/x", data=b"x")])
tar("hardlink.tar", [entry("h", tarfile.LNKTYPE, link="../victim/canary"), entry("g", tarfile.LNKTYPE, link=V + "/canary")])
tar("devices.tar", [entry("dev/null", tarfile.CHRTYPE), entry("bin/su", data=b"x", mode=0o4755)])
tar("whiteouts.tar", [entry("d/.wh.x"), entry("d/.wh..wh..opq"), entry(".wh..wh.plnk/1")])
PY
