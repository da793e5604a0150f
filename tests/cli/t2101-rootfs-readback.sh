#!/bin/sh
# uvmkit rootfs: read every file back with debugfs (no mount, no root) and
# compare with the sources: content, mode, owner, link count, symlink
# target, device numbers, xattrs and ACLs, timestamps = epoch; archives
# (devices and owners as root never needs), layering of dir, tar, OCI
# (whiteouts) and .deb sources.
. "$(dirname "$0")/test-lib.sh"
test_require debugfs e2fsck python3 setfattr dpkg-deb

"$TOP/tests/cli/lib-rootfs-tree.py" src --times 1 || exit 1

test_expect_success 'directory source: every entry reads back the same (uid/gid from --uid/--gid)' '
	uvmkit rootfs --layout none --uid 1000 --gid 100 --epoch 1704067200 -o o1 src >/dev/null &&
	EPOCH=1704067200 "$TOP/tests/cli/lib-rootfs-check.py" o1/rootfs.img src 1000 100 >check.out &&
	test_grep "checked 730 entries, 0 mismatches" check.out &&
	e2fsck -fn o1/rootfs.img >fsck.out 2>&1
'
test_expect_success 'epoch past 2038 is stored with the extra epoch bits' '
	uvmkit rootfs --layout none --epoch 4294967295 -o o2 src >/dev/null &&
	EPOCH=4294967295 "$TOP/tests/cli/lib-rootfs-check.py" o2/rootfs.img src 0 0 >check.out &&
	test_grep "0 mismatches" check.out &&
	debugfs -R "stat /etc/motd" o2/rootfs.img 2>/dev/null | test_grep "mtime: 0xffffffff:00000001 -- Sun Feb  7 06:28:15 2106" -
'
test_expect_success 'all-zero blocks and source holes are holes; a hard link is one inode' '
	debugfs -R "stat /var/zeros" o1/rootfs.img 2>/dev/null >z &&
	test_grep "^(16):[0-9]*, (18):[0-9]*$" z &&
	debugfs -R "stat /var/sparse" o1/rootfs.img 2>/dev/null >s &&
	test_grep "^(1280-1282):[0-9]*-[0-9]*$" s &&
	debugfs -R "stat /etc/motd" o1/rootfs.img 2>/dev/null | test_grep "Links: 2" - &&
	test "$(debugfs -R "ls -l /etc" o1/rootfs.img 2>/dev/null | awk "/ motd/ {print \$1}" | sort -u | wc -l)" = 1
'
test_expect_success 'large directory has a hashed index; lost+found exists (16 KiB)' '
	debugfs -R "htree /big" o1/rootfs.img >h 2>/dev/null &&
	test_grep "Number of entries (count): [0-9]" h &&
	debugfs -R "stat /big" o1/rootfs.img 2>/dev/null | test_grep "Flags: 0x81000" - &&
	debugfs -R "stat /lost+found" o1/rootfs.img 2>/dev/null | test_grep "Size: 16384" -
'
cat >mktar.py <<\EOT
import io, sys, tarfile
t = tarfile.open(sys.argv[1], "w", format=tarfile.PAX_FORMAT)
def add(name, typ=tarfile.REGTYPE, data=b"", mode=0o644, uid=0, gid=0, **kw):
    i = tarfile.TarInfo(name); i.type = typ; i.mode = mode; i.uid = uid; i.gid = gid
    for k, v in kw.items(): setattr(i, k, v)
    if typ == tarfile.REGTYPE: i.size = len(data); t.addfile(i, io.BytesIO(data))
    else: t.addfile(i)
add("./", tarfile.DIRTYPE, mode=0o755)
add("dev/", tarfile.DIRTYPE, mode=0o755)
add("dev/null", tarfile.CHRTYPE, mode=0o666, devmajor=1, devminor=3)
add("dev/vdb", tarfile.BLKTYPE, mode=0o660, gid=6, devmajor=259, devminor=70000)
add("dev/big", tarfile.CHRTYPE, mode=0o600, devmajor=4095, devminor=1048575)
add("home/", tarfile.DIRTYPE, mode=0o750, uid=4000000000, gid=65534)
add("home/file", data=b"owned\n", mode=0o4750, uid=4000000000, gid=65534,
    pax_headers={"SCHILY.xattr.user.note": "from tar", "SCHILY.xattr.security.capability": "\x01\x00\x00\x02"})
add("home/link", tarfile.LNKTYPE, linkname="home/file", uid=4000000000, gid=65534)
add("etc/motd", data=b"tar wins\n", mode=0o600)
t.close()
EOT
test_expect_success 'tar source: devices (old and new encoding), 32-bit owners, xattrs, hard link' '
	python3 mktar.py dev.tar &&
	uvmkit rootfs --layout none -o o3 src dev.tar >/dev/null && e2fsck -fn o3/rootfs.img >fsck.out 2>&1 &&
	printf "%s\n" "stat /dev/null" "stat /dev/vdb" "stat /dev/big" "stat /home/file" "ea_list /home/file" "cat /etc/motd" >cmds &&
	debugfs -f cmds o3/rootfs.img >d.out 2>/dev/null &&
	test_grep "Type: character special    Mode:  0666" d.out &&
	test_grep "Device major/minor number: 01:03 (hex 01:03)" d.out &&
	test_grep "Type: block special    Mode:  0660" d.out &&
	test_grep "Device major/minor number: 259:70000" d.out &&
	test_grep "Device major/minor number: 4095:1048575" d.out &&
	test_grep "User: -294967296   Group: 65534" d.out && # 4000000000: debugfs prints it signed
	test_grep "Type: regular    Mode:  04750" d.out &&
	test_grep "Links: 2" d.out &&
	test_grep "user.note (8) = \"from tar\"" d.out &&
	test_grep "security.capability (4)" d.out &&
	test_grep "^tar wins$" d.out
'
cat >mkoci.py <<\EOT
import hashlib, io, json, os, sys, tarfile
out = sys.argv[1]; os.makedirs(out + "/blobs/sha256", exist_ok=True)
def blob(data, mt):
    h = hashlib.sha256(data).hexdigest(); open(f"{out}/blobs/sha256/{h}", "wb").write(data)
    return {"mediaType": mt, "digest": "sha256:" + h, "size": len(data)}
def layer(entries):
    b = io.BytesIO(); t = tarfile.open(fileobj=b, mode="w")
    for name, data in entries:
        i = tarfile.TarInfo(name); i.size = len(data); t.addfile(i, io.BytesIO(data))
    t.close(); return blob(b.getvalue(), "application/vnd.oci.image.layer.v1.tar")
ls = [layer([("opt/a", b"a\n"), ("opt/b", b"b\n")]), layer([("opt/.wh.a", b""), ("opt/c", b"c\n")])]
cfg = blob(b"{}", "application/vnd.oci.image.config.v1+json")
man = blob(json.dumps({"schemaVersion": 2, "config": cfg, "layers": ls}).encode(), "application/vnd.oci.image.manifest.v1+json")
open(out + "/index.json", "w").write(json.dumps({"schemaVersion": 2, "manifests": [man]}))
open(out + "/oci-layout", "w").write('{"imageLayoutVersion": "1.0.0"}')
EOT
test_expect_success 'layering dir, OCI (whiteout), .deb: later sources win' '
	python3 mkoci.py oci &&
	mkdir -p pkg/DEBIAN pkg/opt && printf "Package: t\nVersion: 1\nArchitecture: all\nMaintainer: x <x@y>\nDescription: t\n" >pkg/DEBIAN/control &&
	echo "from deb" >pkg/opt/b && dpkg-deb -Zxz --root-owner-group -b pkg t.deb >/dev/null &&
	uvmkit rootfs --layout none -o o4 src oci t.deb >/dev/null && e2fsck -fn o4/rootfs.img >fsck.out 2>&1 &&
	debugfs -R "ls /opt" o4/rootfs.img 2>/dev/null >ls.out &&
	! grep -q " a " ls.out && test_grep " c " ls.out &&
	test "$(debugfs -R "cat /opt/b" o4/rootfs.img 2>/dev/null)" = "from deb" &&
	test "$(debugfs -R "cat /etc/motd" o4/rootfs.img 2>/dev/null)" = "hello from uvmkit"
'
test_done
