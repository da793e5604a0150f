#!/usr/bin/env python3
"""lib-rootfs-check.py IMAGE SRCDIR UID GID — read every entry of SRCDIR back
from the ext4 IMAGE with debugfs (one run, no mount, no root) and compare:
type, permission bits (incl. setuid/sticky), owner (UID:GID, as given to
`uvmkit rootfs --uid/--gid`), link count, size, content (dump + compare),
symlink target (fast: stat, slow: dump), device numbers, and every xattr
(names from ea_list, values from ea_get; POSIX ACLs compared in the
kernel's format with the ids of non-named entries normalised, as libext2fs
returns them). Timestamps must all be the epoch given as EPOCH env.
Prints one line per mismatch and exits 1 if there is any."""
import os
import re
import stat
import subprocess
import sys
import tempfile

img, src, uid, gid = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
epoch = int(os.environ.get("EPOCH", "0"))

entries = []
for root, dirs, files in os.walk(src):
    dirs.sort()
    for n in sorted(dirs + files):
        p = os.path.join(root, n)
        entries.append((os.path.relpath(p, src), os.lstat(p)))

tmp = tempfile.mkdtemp(prefix="rootfs-check.")
cmds = []
for i, (rel, st) in enumerate(entries):
    q = '"/%s"' % rel
    cmds.append("stat %s" % q)
    cmds.append("ea_list %s" % q)
    if stat.S_ISREG(st.st_mode) or stat.S_ISLNK(st.st_mode):
        cmds.append('dump %s "%s/c%d"' % (q, tmp, i))
    for j, name in enumerate(os.listxattr(os.path.join(src, rel), follow_symlinks=False)):
        cmds.append('ea_get -f "%s/x%d_%d" %s %s' % (tmp, i, j, q, name))
with open(tmp + "/cmds", "w") as f:
    f.write("\n".join(cmds) + "\n")
out = subprocess.run(["debugfs", "-f", tmp + "/cmds", img], capture_output=True,
                     text=True, errors="replace").stdout
blocks = {}
for chunk in out.split("debugfs: ")[1:]:
    line, _, body = chunk.partition("\n")
    blocks[line.strip()] = body

bad = []


def fail(rel, what):
    bad.append("/%s: %s" % (rel, what))


TYPES = {stat.S_IFREG: "regular", stat.S_IFDIR: "directory", stat.S_IFLNK: "symlink",
         stat.S_IFCHR: "character special", stat.S_IFBLK: "block special",
         stat.S_IFIFO: "FIFO"}


def acl_norm(v):
    if len(v) < 4 or v[:4] != b"\x02\x00\x00\x00":
        return v
    out = bytearray(v[:4])
    for k in range(4, len(v), 8):
        tag = int.from_bytes(v[k:k + 2], "little")
        ent = bytearray(v[k:k + 8])
        if tag not in (2, 8):  # ACL_USER, ACL_GROUP carry an id
            ent[4:8] = b"\0\0\0\0"
        out += ent
    return bytes(out)


for i, (rel, st) in enumerate(entries):
    q = '"/%s"' % rel
    s = blocks.get("stat %s" % q, "")
    m = re.search(r"Type: (.*?)\s+Mode:\s+(\d+)", s)
    if not m:
        fail(rel, "missing in the image")
        continue
    if m.group(1) != TYPES[stat.S_IFMT(st.st_mode)]:
        fail(rel, "type %s, want %s" % (m.group(1), TYPES[stat.S_IFMT(st.st_mode)]))
    if int(m.group(2), 8) != stat.S_IMODE(st.st_mode):
        fail(rel, "mode %s, want %o" % (m.group(2), stat.S_IMODE(st.st_mode)))
    m = re.search(r"User:\s+(\d+)\s+Group:\s+(\d+).*Size: (\d+)", s)
    if (int(m.group(1)), int(m.group(2))) != (uid, gid):
        fail(rel, "owner %s:%s, want %d:%d" % (m.group(1), m.group(2), uid, gid))
    if not stat.S_ISDIR(st.st_mode) and int(m.group(3)) != st.st_size:
        fail(rel, "size %s, want %d" % (m.group(3), st.st_size))
    links = int(re.search(r"Links: (\d+)", s).group(1))
    want = st.st_nlink
    if stat.S_ISDIR(st.st_mode):
        d = os.path.join(src, rel)
        want = 2 + sum(1 for n in os.listdir(d)
                       if stat.S_ISDIR(os.lstat(os.path.join(d, n)).st_mode))
    if links != want:
        fail(rel, "links %d, want %d" % (links, want))
    for t in re.findall(r"^\s*(?:c|a|m|cr)time: 0x([0-9a-f]+):([0-9a-f]+)", s, re.M):
        if int(t[0], 16) != epoch & 0xffffffff or int(t[1], 16) != (1 if epoch > 0x7fffffff else 0):
            fail(rel, "timestamp 0x%s:%s, want epoch %d" % (t[0], t[1], epoch))
    if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode):
        m = re.search(r"Device major/minor number: (\d+):(\d+)", s)
        got = (int(m.group(1)), int(m.group(2))) if m else None
        if got != (os.major(st.st_rdev), os.minor(st.st_rdev)):
            fail(rel, "device %s, want %d:%d" % (got, os.major(st.st_rdev), os.minor(st.st_rdev)))
    p = os.path.join(src, rel)
    if stat.S_ISREG(st.st_mode):
        with open(p, "rb") as a, open("%s/c%d" % (tmp, i), "rb") as b:
            while True:
                x, y = a.read(1 << 20), b.read(1 << 20)
                if x != y:
                    fail(rel, "content differs")
                    break
                if not x:
                    break
    elif stat.S_ISLNK(st.st_mode):
        target = os.readlink(p)
        m = re.search(r'Fast link dest: "(.*)"', s)
        if m:
            got = m.group(1)
        else:
            with open("%s/c%d" % (tmp, i), "rb") as b:
                got = b.read().decode(errors="replace")
        if got != target:
            fail(rel, "symlink -> %r, want %r" % (got, target))
    names = sorted(os.listxattr(p, follow_symlinks=False))
    got_names = sorted(re.findall(r"^  (\S+) \(\d+\)", blocks.get("ea_list %s" % q, ""), re.M))
    if got_names != names:
        fail(rel, "xattrs %s, want %s" % (got_names, names))
        continue
    for j, name in enumerate(os.listxattr(p, follow_symlinks=False)):
        want = os.getxattr(p, name, follow_symlinks=False)
        try:
            with open("%s/x%d_%d" % (tmp, i, j), "rb") as b:
                got = b.read()
        except OSError:
            got = None
        if name.startswith("system.posix_acl_"):
            want, got = acl_norm(want), acl_norm(got or b"")
        if got != want:
            fail(rel, "xattr %s = %r, want %r" % (name, got, want))

subprocess.run(["rm", "-rf", tmp])
for b in bad:
    print(b)
print("checked %d entries, %d mismatches" % (len(entries), len(bad)))
sys.exit(1 if bad else 0)
