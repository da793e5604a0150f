#!/bin/sh
# uvmkit initrd: usage, the three compressions read back by the standard
# tools (cpio, lsinitramfs, gzip, zstd), header fields, the epoch, content
# equal to the source after extraction with GNU cpio.
. "$(dirname "$0")/test-lib.sh"
test_require cpio lsinitramfs zstd gzip

test_expect_success 'setup: a small varied tree' '
	mkdir -p src/bin src/etc/conf.d src/empty &&
	printf "#!/bin/sh\necho hi\n" >src/bin/init && chmod 0755 src/bin/init &&
	echo "x=1" >src/etc/conf.d/x.conf &&
	head -c 300000 /dev/urandom >src/etc/blob &&
	: >src/etc/zero &&
	ln src/etc/conf.d/x.conf src/etc/x-hard &&
	ln -s ../bin/init src/etc/init-link &&
	mkfifo src/etc/fifo &&
	chmod 4750 src/bin && chmod 1777 src/empty && chmod 0755 src
'
test_expect_success 'no -o is a usage error' '
	test_expect_code 2 uvmkit initrd src 2>err &&
	test_grep "output is required" err
'
test_expect_success 'no SOURCE is a usage error' '
	test_expect_code 2 uvmkit initrd -o x.img 2>err &&
	test_grep "SOURCE is required" err
'
test_expect_success 'bad --compress and --epoch are usage errors' '
	test_expect_code 2 uvmkit initrd -o x.img --compress lz4 src 2>err &&
	test_grep "expected gzip, zstd or none" err &&
	test_expect_code 2 uvmkit initrd -o x.img --epoch 12x src 2>err &&
	test_grep "epoch" err &&
	test_expect_code 2 uvmkit initrd -o x.img --epoch 4294967296 src &&
	SOURCE_DATE_EPOCH=yesterday test_expect_code 2 uvmkit initrd -o x.img src 2>err &&
	test_grep SOURCE_DATE_EPOCH err &&
	test ! -e x.img
'
test_expect_success '--help' '
	uvmkit initrd --help >out && test_grep "Usage: uvmkit initrd" out
'
test_expect_success 'none: cpio -t lists every entry in canonical order' '
	uvmkit initrd -o plain.cpio --compress none src >out &&
	test_grep "^compress=none$" out && test_grep "^entries=12$" out &&
	cpio -it --quiet <plain.cpio >list &&
	cat >expect <<-\EOT &&
	.
	bin
	bin/init
	empty
	etc
	etc/blob
	etc/conf.d
	etc/conf.d/x.conf
	etc/fifo
	etc/init-link
	etc/x-hard
	etc/zero
	EOT
	test_cmp expect list &&
	test $(( $(stat -c %s plain.cpio) % 512 )) = 0
'
test_expect_success 'none: header fields (GNU cpio -tv): modes, owner 0:0, epoch 0, link' '
	cpio -itv --quiet <plain.cpio >long &&
	test_grep "^drwsr-x---  *2 root  *root  *0 Jan  1  1970 bin$" long &&
	test_grep "^drwxrwxrwt  *2 root  *root  *0 Jan  1  1970 empty$" long &&
	test_grep "^lrwxrwxrwx .* etc/init-link -> ../bin/init$" long &&
	test_grep "^prw-r--r-- .* etc/fifo$" long
'
test_expect_success 'newc hard links: same inode, data on the last name' '
	python3 - plain.cpio <<-\EOT
	import sys
	d = open(sys.argv[1], "rb").read()
	off, ents = 0, {}
	while True:
	    h = d[off:off+110]; assert h[:6] == b"070701", h[:6]
	    f = [int(h[6+8*i:14+8*i], 16) for i in range(13)]
	    ino, mode, uid, gid, nlink, mtime, size = f[0], f[1], f[2], f[3], f[4], f[5], f[6]
	    nsz = f[11]
	    name = d[off+110:off+110+nsz-1].decode()
	    off = (off + 110 + nsz + 3) & ~3
	    off = (off + size + 3) & ~3
	    if name == "TRAILER!!!": break
	    ents[name] = (ino, nlink, size, mtime, f[7], f[8])
	assert ents["etc/conf.d/x.conf"][0] == ents["etc/x-hard"][0]
	assert ents["etc/conf.d/x.conf"][1] == 2
	assert ents["etc/conf.d/x.conf"][2] == 0 and ents["etc/x-hard"][2] == 4
	inos = sorted(set(v[0] for v in ents.values()))
	assert inos == list(range(1, len(inos) + 1)), inos
	assert all(v[3] == 0 and v[4] == 0 and v[5] == 0 for v in ents.values())
	assert ents["."][1] == 5
	EOT
'
test_expect_success 'extracting with GNU cpio gives back the files' '
	mkdir x && (cd x && cpio -idm --quiet --no-absolute-filenames <../plain.cpio) &&
	cmp src/etc/blob x/etc/blob && cmp src/bin/init x/bin/init &&
	cmp src/etc/conf.d/x.conf x/etc/x-hard &&
	test "$(readlink x/etc/init-link)" = ../bin/init &&
	test "$(stat -c %i x/etc/x-hard)" = "$(stat -c %i x/etc/conf.d/x.conf)"
'
test_expect_success 'gzip: no timestamp, no name, max compression; lsinitramfs lists it' '
	uvmkit initrd -o initrd.gz src >out &&
	gzip -t initrd.gz &&
	od -An -tx1 -N10 initrd.gz | tr -d " \n" >hdr &&
	test "$(cat hdr)" = 1f8b0800000000000203 &&
	gzip -dc initrd.gz >un &&
	cpio -it --quiet <un >list2 && test_cmp list list2 &&
	lsinitramfs initrd.gz >ls && test_grep "^etc/conf.d/x.conf$" ls &&
	test_grep "^bin/init$" ls
'
test_expect_success 'zstd: valid frame, lsinitramfs lists it, same cpio inside' '
	uvmkit initrd -o initrd.zst --compress zstd src &&
	zstd -q -t initrd.zst &&
	zstd -q -dc initrd.zst >unz && cmp un unz &&
	lsinitramfs initrd.zst >lsz && test_cmp ls lsz
'
test_expect_success 'epoch: --epoch, then SOURCE_DATE_EPOCH, default 0' '
	uvmkit initrd -o e1.cpio -c none --epoch 1704067200 src &&
	SOURCE_DATE_EPOCH=1704067200 uvmkit initrd -o e2.cpio -c none src &&
	cmp e1.cpio e2.cpio &&
	SOURCE_DATE_EPOCH=5 uvmkit initrd -o e3.cpio -c none --epoch 1704067200 src &&
	cmp e1.cpio e3.cpio &&
	! cmp -s e1.cpio plain.cpio &&
	cpio -itv --quiet <e1.cpio >long1 && test_grep "Jan  1  2024 bin/init$" long1
'
test_expect_success '--uid/--gid set the owner of directory entries' '
	uvmkit initrd -o own.cpio -c none --uid 1000 --gid 100 src &&
	cpio -itv --numeric-uid-gid --quiet <own.cpio >long2 &&
	test_grep "^-rwxr-xr-x  *1 1000  *100 .* bin/init$" long2
'
test_expect_success '--json' '
	uvmkit initrd -o j.img --json=short src >j.json &&
	python3 -c "import json; d=json.load(open(\"j.json\")); assert d[\"entries\"]==12 and d[\"compress\"]==\"gzip\" and len(d[\"sha256\"])==64, d"
'
test_expect_success 'output is written atomically, mode 0644 whatever the umask' '
	(umask 077 && uvmkit initrd -o m.img src >/dev/null) &&
	test "$(stat -c %a m.img)" = 644 &&
	ls -a >files && ! grep -q "^\.m\.img" files
'
test_done
