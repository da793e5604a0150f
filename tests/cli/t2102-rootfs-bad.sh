#!/bin/sh
# uvmkit rootfs, bad input: each gives one line on stderr, exit 1, and no
# output left behind (no output directory when it did not exist, no file and
# no temporary in it when it did; an existing file keeps its content).
. "$(dirname "$0")/test-lib.sh"
test_require python3 gzip ar

mkdir -p good && echo hello >good/hello && head -c 3000000 /dev/urandom >good/blob || exit 1
# fails MESSAGE-REGEX ARGS...: rootfs -o out must fail with one matching line
fails() {
	pat=$1 && shift &&
	test_expect_code 1 uvmkit rootfs -o out "$@" 2>err &&
	test_grep "$pat" err &&
	test "$(wc -l <err)" = 1 &&
	test ! -e out
}
# mktar OUT NAME...: a tar of small files with exactly these member names
mktar() {
	python3 - "$@" <<-\EOT
	import sys, tarfile, io
	t = tarfile.open(sys.argv[1], "w", format=tarfile.PAX_FORMAT)
	for n in sys.argv[2:]:
	    i = tarfile.TarInfo(n); i.size = 5; t.addfile(i, io.BytesIO(b"data\n"))
	t.close()
	EOT
}

test_expect_success 'tar entry with a .. component' '
	mktar dotdot.tar ok ../escape && fails "dotdot.tar: entry: ../escape: path has a .\.\.. component" dotdot.tar
'
test_expect_success 'tar entry with an absolute path' '
	mktar abs.tar ok /etc/passwd && fails "abs.tar: entry ./etc/passwd.: absolute path" abs.tar
'
test_expect_success 'duplicate entries in one tar (also after normalization)' '
	mktar dup.tar a b a && fails "dup.tar: entry .a.: duplicate entry" dup.tar &&
	mktar dup2.tar x/y x//y && fails "dup2.tar: entry .x//y.: duplicate entry" dup2.tar
'
test_expect_success 'the same path in two SOURCEs is layering, not a duplicate' '
	mktar a.tar etc/x && mktar b.tar etc/x && uvmkit rootfs --layout none -o layered a.tar b.tar >/dev/null
'
test_expect_success 'truncated and corrupt archives' '
	tar -cf good.tar good && head -c 100000 good.tar >trunc.tar &&
	fails "trunc.tar: entry .good/blob.: truncated or corrupt archive" trunc.tar &&
	seq 1 300000 >text && tar -cf text.tar text && gzip -n -c text.tar >bad.tgz &&
	printf "XXXXXXXXXXXXXXXX" | dd of=bad.tgz bs=1 seek=3000 conv=notrunc status=none &&
	fails "bad.tgz: .*truncated or corrupt archive" bad.tgz
'
test_expect_success 'a SOURCE that is a symlink loop' '
	ln -s loop2 loop1 && ln -s loop1 loop2 && fails "loop1: Too many levels of symbolic links" loop1
'
test_expect_success 'a symlink loop inside a source directory is stored, never followed' '
	mkdir -p withloop && ln -s b withloop/a && ln -s a withloop/b &&
	uvmkit rootfs --layout none -o loopok withloop >/dev/null &&
	debugfs -R "stat /a" loopok/rootfs.img 2>/dev/null | test_grep "Fast link dest: \"b\"" -
'
test_expect_success 'unreadable file in a source directory' '
	mkdir -p src && echo ok >src/a && echo secret >src/secret && chmod 000 src/secret &&
	test_expect_code 1 test_noperm "$UVMKIT" rootfs -o out src 2>err &&
	test_grep "src/secret: cannot read: Permission denied" err &&
	test "$(wc -l <err)" = 1 && test ! -e out && chmod 644 src/secret
'
test_expect_success 'image too small for the content (ENOSPC)' '
	fails "image too small for the content" --layout none --size 1M good &&
	fails "image too small for the content (out of space at ./blob.)" --layout none --size 2M good
'
test_expect_success 'OCI blob digest mismatch' '
	python3 - <<-\EOT &&
	import hashlib, io, json, os, tarfile
	os.makedirs("oci/blobs/sha256")
	def blob(d, mt):
	    h = hashlib.sha256(d).hexdigest(); open("oci/blobs/sha256/" + h, "wb").write(d)
	    return {"mediaType": mt, "digest": "sha256:" + h, "size": len(d)}
	b = io.BytesIO(); t = tarfile.open(fileobj=b, mode="w")
	i = tarfile.TarInfo("f"); i.size = 2; t.addfile(i, io.BytesIO(b"ok")); t.close()
	layer = blob(b.getvalue(), "application/vnd.oci.image.layer.v1.tar")
	cfg = blob(b"{}", "application/vnd.oci.image.config.v1+json")
	man = blob(json.dumps({"schemaVersion": 2, "config": cfg, "layers": [layer]}).encode(),
	           "application/vnd.oci.image.manifest.v1+json")
	open("oci/index.json", "w").write(json.dumps({"schemaVersion": 2, "manifests": [man]}))
	open("oci/oci-layout", "w").write("{\"imageLayoutVersion\": \"1.0.0\"}")
	p = "oci/blobs/sha256/" + layer["digest"][7:]
	d = bytearray(open(p, "rb").read()); d[600] ^= 1; open(p, "wb").write(d)
	EOT
	fails "oci: blob sha256:[0-9a-f]*: digest mismatch" oci
'
test_expect_success '.deb without data.tar' '
	echo 2.0 >debian-binary && tar -czf control.tar.gz debian-binary &&
	ar rc nodata.deb debian-binary control.tar.gz &&
	fails "nodata.deb: Debian package without a data.tar member" nodata.deb
'
test_expect_success 'a failed run into an existing directory leaves it as it was' '
	mkdir -p out2 && echo precious >out2/rootfs.img &&
	test_expect_code 1 uvmkit rootfs --layout none -o out2 --size 1M good 2>err &&
	test "$(cat out2/rootfs.img)" = precious && test "$(ls -A out2)" = rootfs.img
'
test_done
