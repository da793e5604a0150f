#!/bin/sh
# OCI image layouts (written by a small script: blobs by sha256, index ->
# manifest -> layers) with whiteouts and opaque directories, nested indexes,
# platform choice; Debian packages built by dpkg-deb in every compression.
. "$(dirname "$0")/test-lib.sh"
test_require python3 dpkg-deb ar zstd

cat >mkoci.py <<\EOT
# mkoci.py OUT SPEC.json — write an OCI image layout. SPEC: {"layers": [
# {"compress": "none|gzip|zstd", "entries": [[name, kind, data_or_target, mode]]}],
# "platforms": optional list of [os, arch] making a multi-manifest index,
# "nested": optional bool (index -> index -> manifest)}
import hashlib, io, json, os, subprocess, sys, tarfile, gzip
out, spec = sys.argv[1], json.load(open(sys.argv[2]))
os.makedirs(out + "/blobs/sha256", exist_ok=True)
def blob(data, mt):
    h = hashlib.sha256(data).hexdigest()
    open(f"{out}/blobs/sha256/{h}", "wb").write(data)
    return {"mediaType": mt, "digest": "sha256:" + h, "size": len(data)}
layers = []
for l in spec["layers"]:
    b = io.BytesIO()
    t = tarfile.open(fileobj=b, mode="w", format=tarfile.PAX_FORMAT)
    for name, kind, data, mode in l["entries"]:
        i = tarfile.TarInfo(name); i.mode = mode
        if kind == "dir": i.type = tarfile.DIRTYPE; t.addfile(i)
        elif kind == "sym": i.type = tarfile.SYMTYPE; i.linkname = data; t.addfile(i)
        elif kind == "link": i.type = tarfile.LNKTYPE; i.linkname = data; t.addfile(i)
        else: d = data.encode(); i.size = len(d); t.addfile(i, io.BytesIO(d))
    t.close()
    raw, c = b.getvalue(), l.get("compress", "none")
    mt = "application/vnd.oci.image.layer.v1.tar"
    if c == "gzip": raw = gzip.compress(raw, mtime=0); mt += "+gzip"
    if c == "zstd": raw = subprocess.run(["zstd", "-q", "-c"], input=raw, capture_output=True, check=True).stdout; mt += "+zstd"
    layers.append(blob(raw, mt))
cfg = blob(b'{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}', "application/vnd.oci.image.config.v1+json")
man = blob(json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json", "config": cfg, "layers": layers}).encode(), "application/vnd.oci.image.manifest.v1+json")
mans = [man]
if "platforms" in spec:
    other = blob(json.dumps({"schemaVersion": 2, "config": cfg, "layers": []}).encode(), "application/vnd.oci.image.manifest.v1+json")
    mans = []
    for os_, arch in spec["platforms"]:
        d = dict(man if (os_, arch) == ("linux", "amd64") else other)
        d["platform"] = {"os": os_, "architecture": arch}; mans.append(d)
if spec.get("nested"):
    inner = blob(json.dumps({"schemaVersion": 2, "manifests": mans}).encode(), "application/vnd.oci.image.index.v1+json")
    mans = [inner]
open(out + "/index.json", "w").write(json.dumps({"schemaVersion": 2, "manifests": mans}))
open(out + "/oci-layout", "w").write('{"imageLayoutVersion": "1.0.0"}')
print(man["digest"])
for l in layers: print(l["digest"])
EOT

cat >spec.json <<\EOT
{"layers": [
 {"compress": "none", "entries": [
   ["etc", "dir", "", 493], ["etc/a", "file", "a0", 420], ["etc/b", "file", "b0", 420],
   ["etc/sub", "dir", "", 493], ["etc/sub/c", "file", "c0", 420],
   ["opq", "dir", "", 493], ["opq/x", "file", "x0", 420], ["opq/y", "dir", "", 493],
   ["opq/y/z", "file", "z0", 420], ["gone", "file", "g", 420], ["keep", "file", "k", 384],
   ["l", "sym", "etc/a", 511]]},
 {"compress": "gzip", "entries": [
   ["etc/.wh.a", "file", "", 0], ["etc/.wh.sub", "file", "", 0],
   ["opq/new", "file", "n1", 420], ["opq/y", "dir", "", 448], ["opq/y/w", "file", "w1", 420],
   ["opq/.wh..wh..opq", "file", "", 0], [".wh.gone", "file", "", 0],
   ["etc/a2", "file", "a2", 420], ["keep2", "link", "keep", 0]]},
 {"compress": "zstd", "entries": [["etc/a", "file", "a3", 384], [".wh.nothing", "file", "", 0]]}
]}
EOT

test_expect_success 'setup: OCI layout with three layers' '
	python3 mkoci.py img spec.json >digests &&
	test -f img/index.json && test -f img/oci-layout
'
test_expect_success 'layers applied in order with whiteouts and opaque dirs' '
	uvmkit tree img >out &&
	sed -n "s/^[0-9]* [0-9:]* [0-9]* [0-9]* [0-9,]* [-0-9a-f]* //p" out >names &&
	cat >expect <<-\EOT &&
	.
	etc
	etc/a
	etc/a2
	etc/b
	keep
	keep2
	l -> etc/a
	opq
	opq/new
	opq/y
	opq/y/w
	EOT
	test_cmp expect names &&
	test_grep "^0100600 0:0 [0-9]* 1 2 $(printf a3 | sha256sum | cut -d" " -f1) etc/a$" out &&
	test_grep "^0040700 .* opq/y$" out &&
	k=$(grep " keep$" out | cut -d" " -f3) && test_grep "^0100600 0:0 $k 2 .* keep2$" out
'
test_expect_success 'the same layout via oci: prefix and AUTO give the same digest' '
	uvmkit tree --digest img >d1 && uvmkit tree --digest oci:img >d2 && test_cmp d1 d2
'
test_expect_success 'multi-platform index: the linux/amd64 manifest is chosen; nested index followed' '
	python3 -c "import json; s=json.load(open(\"spec.json\")); s[\"platforms\"]=[[\"linux\",\"arm64\"],[\"linux\",\"amd64\"]]; s[\"nested\"]=True; json.dump(s, open(\"spec2.json\",\"w\"))" &&
	python3 mkoci.py img2 spec2.json >/dev/null &&
	uvmkit tree img2 >out2 && test_cmp out out2
'
test_expect_success 'OCI: a layer blob whose content does not match its digest' '
	cp -r img bad && l=$(sed -n 3p digests | cut -d: -f2) &&
	printf X | dd of=bad/blobs/sha256/$l bs=1 seek=20 conv=notrunc status=none &&
	test_expect_code 1 uvmkit initrd -o bad.img bad 2>err &&
	test_grep "blob sha256:$l: digest mismatch (content is sha256:" err &&
	test "$(wc -l <err)" = 1 && test ! -e bad.img
'
test_expect_success 'OCI: a truncated blob (size differs from the descriptor)' '
	rm -rf bad && cp -r img bad && l=$(sed -n 2p digests | cut -d: -f2) &&
	truncate -s 100 bad/blobs/sha256/$l &&
	test_expect_code 1 uvmkit tree bad 2>err &&
	test_grep "blob sha256:$l: size 100, descriptor says" err
'
test_expect_success 'OCI: a manifest that does not match its digest' '
	rm -rf bad && cp -r img bad && m=$(sed -n 1p digests | cut -d: -f2) &&
	sed -i "s/schemaVersion/schemaversion/" bad/blobs/sha256/$m &&
	test_expect_code 1 uvmkit tree bad 2>err && test_grep "digest mismatch" err
'
test_expect_success 'OCI: a digest that would escape blobs/ is refused' '
	rm -rf bad && cp -r img bad &&
	python3 -c "
import json; p=\"bad/index.json\"; j=json.load(open(p))
j[\"manifests\"][0][\"digest\"]=\"sha256:../../../etc/passwd\"; json.dump(j, open(p,\"w\"))" &&
	test_expect_code 1 uvmkit tree bad 2>err && test_grep "malformed digest" err
'
test_expect_success 'OCI: a missing blob is named' '
	rm -rf bad && cp -r img bad && l=$(sed -n 4p digests | cut -d: -f2) &&
	rm bad/blobs/sha256/$l &&
	test_expect_code 1 uvmkit tree bad 2>err && test_grep "blob sha256:$l: No such file" err
'

mkdeb() { # mkdeb DIR COMPRESS OUT
	mkdir -p "$1/DEBIAN" && printf "Package: t\nVersion: 1\nArchitecture: all\nMaintainer: x <x@y>\nDescription: t\n" >"$1/DEBIAN/control" &&
	dpkg-deb --root-owner-group -Z"$2" --build "$1" "$3" >/dev/null
}
test_expect_success 'setup: package tree' '
	mkdir -p pkg/usr/bin pkg/usr/share/doc/t && echo tool >pkg/usr/bin/t &&
	chmod 755 pkg/usr/bin/t && echo doc >pkg/usr/share/doc/t/README &&
	ln -s t pkg/usr/bin/t-link
'
for z in xz gzip zstd none; do
	test_expect_success ".deb with data.tar ($z): its files, root-owned, no DEBIAN/" '
		mkdeb pkg '$z' t-'$z'.deb &&
		ar t t-'$z'.deb >members && test_grep "^data.tar" members &&
		uvmkit tree t-'$z'.deb >out &&
		test_grep "^0100755 0:0 .* $(sha256sum <pkg/usr/bin/t | cut -d" " -f1) usr/bin/t$" out &&
		test_grep " usr/bin/t-link -> t$" out &&
		test_grep " usr/share/doc/t/README$" out && ! grep -q DEBIAN out &&
		uvmkit tree --digest t-'$z'.deb >d-'$z' && uvmkit tree --digest deb:t-'$z'.deb >dd &&
		test_cmp d-'$z' dd
	'
done
test_expect_success 'all .deb compressions give the same tree' '
	test_cmp d-xz d-gzip && test_cmp d-xz d-zstd && test_cmp d-xz d-none
'
test_expect_success 'a .deb layered over a directory in an initrd' '
	mkdir base && echo base >base/file &&
	uvmkit initrd -c none -o deb.cpio base t-xz.deb >/dev/null &&
	cpio -it --quiet <deb.cpio >list && test_grep "^file$" list && test_grep "^usr/bin/t$" list
'
test_expect_success '.deb without data.tar: one clear error, nothing written' '
	echo 2.0 >debian-binary && tar -czf control.tar.gz -C pkg/DEBIAN . &&
	ar rc nodata.deb debian-binary control.tar.gz &&
	test_expect_code 1 uvmkit initrd -o nd.img nodata.deb 2>err &&
	test_grep "nodata.deb: Debian package without a data.tar member" err &&
	test "$(wc -l <err)" = 1 && test ! -e nd.img
'
test_expect_success 'ar archive that is not a package' '
	echo x >other && ar rc notdeb.a other &&
	test_expect_code 1 uvmkit tree deb:notdeb.a 2>err &&
	test_grep "not a Debian package" err
'
test_done
