#!/bin/sh
# uvm_tree_digest against an independent implementation of its definition
# (builder/tree-digest.h) in Python over the same directory; and the
# listing of `uvmkit tree`.
. "$(dirname "$0")/test-lib.sh"
test_require python3

cat >digest.py <<\EOT
# digest.py DIR [UID GID] — the tree digest of a directory source, computed
# from the definition in builder/tree-digest.h.
import hashlib, os, stat, struct, sys
root = sys.argv[1]
uid, gid = (int(sys.argv[2]), int(sys.argv[3])) if len(sys.argv) > 3 else (0, 0)
ALLOW = ("user.", "security.", "trusted.")
def xattrs(p):
    try: names = os.listxattr(p, follow_symlinks=False)
    except OSError: return []
    out = []
    for n in names:
        if n.startswith(ALLOW) or n in ("system.posix_acl_access", "system.posix_acl_default"):
            out.append((n.encode(), os.getxattr(p, n, follow_symlinks=False)))
    return sorted(out)
entries = []  # (relpath, host path, stat), canonical order
def walk(rel, host):
    for name in sorted(os.listdir(host), key=os.fsencode):
        h = os.path.join(host, name); r = (rel + "/" if rel else "") + name
        st = os.lstat(h)
        if stat.S_ISSOCK(st.st_mode): continue
        entries.append((r, h, st))
        if stat.S_ISDIR(st.st_mode): walk(r, h)
entries.append(("", root, os.lstat(root))); walk("", root)
# inode numbers in walk order; hard links keyed on (dev, ino)
num, nums = {}, []
for r, h, st in entries:
    key = (st.st_dev, st.st_ino) if not stat.S_ISDIR(st.st_mode) else ("d", r)
    if key not in num: num[key] = len(num) + 1
    nums.append(num[key])
m = hashlib.sha256(b"uvmkit-tree-digest-v1\0")
u32 = lambda v: struct.pack("<I", v)
seen = set()
for (r, h, st), ino in zip(entries, nums):
    mode = st.st_mode & 0o177777
    tgt = os.readlink(h).encode() if stat.S_ISLNK(mode) else b""
    size = len(tgt) if stat.S_ISLNK(mode) else (st.st_size if stat.S_ISREG(mode) else 0)
    dev = (os.major(st.st_rdev), os.minor(st.st_rdev)) if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else (0, 0)
    rb = r.encode()
    m.update(u32(len(rb)) + rb + u32(mode) + u32(uid) + u32(gid) + u32(ino) +
             u32(dev[0]) + u32(dev[1]) + struct.pack("<Q", size) + u32(len(tgt)) + tgt)
    xs = xattrs(h)
    m.update(u32(len(xs)))
    for n, v in xs: m.update(u32(len(n)) + n + u32(len(v)) + v)
    if stat.S_ISREG(mode) and ino not in seen:
        seen.add(ino); m.update(hashlib.sha256(open(h, "rb").read()).digest())
    else:
        m.update(bytes(32))
print("tree_digest=" + m.hexdigest())
EOT

test_expect_success 'setup: a varied tree' '
	mkdir -p src/d/e src/empty && echo one >src/d/e/f && ln src/d/e/f src/d/link &&
	ln -s d/e/f src/sym && mkfifo src/fifo && : >src/zero &&
	head -c 3000000 /dev/urandom >src/big && chmod 4711 src/big && chmod 0700 src/empty &&
	python3 -c "import socket; s=socket.socket(socket.AF_UNIX); s.bind(\"src/sock\")" &&
	{ setfattr -n user.k -v val src/d/e/f 2>/dev/null || true; } &&
	{ setfacl -m u:4242:rx src/d 2>/dev/null || true; }
'
test_expect_success 'uvmkit tree --digest equals the Python implementation' '
	uvmkit tree --digest src >got && python3 digest.py src >want && test_cmp want got
'
test_expect_success '... with --uid/--gid' '
	uvmkit tree --digest --uid 1000 --gid 50 src >got && python3 digest.py src 1000 50 >want &&
	test_cmp want got
'
test_expect_success 'uvmkit initrd reports the same tree digest' '
	python3 digest.py src >want0 && uvmkit initrd -o i.img src >out &&
	grep "^tree_digest=" out >got0 && test_cmp want0 got0
'
test_expect_success 'the listing: one line per entry, socket skipped, xattrs shown' '
	uvmkit tree src >list &&
	test "$(grep -c -v -e "^  xattr " -e "^tree_digest=" list)" = 10 && ! grep -q " sock$" list &&
	test_grep "^0104711 0:0 [0-9]* 1 3000000 $(sha256sum <src/big | cut -d" " -f1) big$" list &&
	test_grep "^0010644 0:0 [0-9]* 1 0 - fifo$" list
'
test_done
