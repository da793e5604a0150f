#!/usr/bin/env python3
"""lib-rootfs-tree.py DIR [--reverse] [--times N] — create the varied source
tree of the rootfs tests (no root needed): regular files of several sizes
(empty, unaligned, all-zero blocks, sparse), a 700-entry directory (htree),
hard links, fast and slow symlinks, a fifo, user.* xattrs, POSIX access and
default ACLs, setuid/setgid/sticky bits. Content and modes are fixed;
--reverse creates everything in the opposite order (other inode numbers and
directory order on the host), --times N sets pseudo-random atimes/mtimes
from N. Modes are set explicitly, so the umask does not change them."""
import hashlib
import os
import random
import sys

root = sys.argv[1]
reverse = "--reverse" in sys.argv
times = int(sys.argv[sys.argv.index("--times") + 1]) if "--times" in sys.argv else None


def data(name, n):
    out, k = bytearray(), 0
    while len(out) < n:
        out += hashlib.sha256(("%s/%d" % (name, k)).encode()).digest()
        k += 1
    return bytes(out[:n])


def acl(entries):
    """Kernel posix_acl_xattr: version 2, (tag, perm, id) sorted."""
    b = (2).to_bytes(4, "little")
    for tag, perm, ident in entries:
        b += tag.to_bytes(2, "little") + perm.to_bytes(2, "little") + \
            (ident & 0xffffffff).to_bytes(4, "little")
    return b


U = 0xffffffff
ACL_FILE = acl([(1, 7, U), (2, 6, 1234), (4, 5, U), (8, 4, 4321), (0x10, 7, U), (0x20, 1, U)])
ACL_DIR = acl([(1, 7, U), (2, 5, 1000), (4, 5, U), (0x10, 5, U), (0x20, 5, U)])

dirs = [("etc", 0o755), ("bin", 0o755), ("tmp", 0o1777), ("var", 0o755),
        ("var/lib", 0o2750), ("big", 0o755), ("deep", 0o700), ("deep/a", 0o755),
        ("deep/a/b", 0o755), ("shared", 0o775)]
files = [("etc/motd", b"hello from uvmkit\n", 0o644),
         ("etc/empty", b"", 0o600),
         ("etc/unaligned", data("u", 1048581), 0o644),
         ("bin/tool", data("tool", 300000), 0o4755),
         ("bin/sgid", data("sgid", 5000), 0o2711),
         ("var/zeros", b"\0" * 65536 + b"x" + b"\0" * 8191 + data("z", 100), 0o644),
         ("deep/a/b/leaf", b"leaf\n", 0o444),
         ("shared/acl-file", b"acl\n", 0o664),
         ("name with spaces", b"spaces\n", 0o644),
         ("caf\u00e9", b"utf-8 name\n", 0o644)]
files += [("big/entry-%04d-%s" % (i, "x" * (i % 40)), ("%d\n" % i).encode(), 0o644)
          for i in range(700)]
links = [("etc/motd-hardlink", "etc/motd"), ("bin/tool-again", "bin/tool")]
symlinks = [("etc/short", "motd"), ("etc/long", "../" + "long-target/" * 9 + "x"),
            ("bin/sh", "tool"), ("dangling", "does/not/exist"), ("loop1", "loop2"),
            ("loop2", "loop1")]
xattrs = [("etc/motd", "user.color", b"blue"), ("bin/tool", "user.bin", b"\x00\x01\xff"),
          ("shared/acl-file", "system.posix_acl_access", ACL_FILE),
          ("shared", "system.posix_acl_default", ACL_DIR),
          ("deep", "user.long", data("xl", 3000))]

order = (lambda l: list(reversed(l))) if reverse else (lambda l: list(l))
os.makedirs(root, exist_ok=True)
for d, _ in order(dirs):
    os.makedirs(os.path.join(root, d), exist_ok=True)
for name, content, mode in order(files):
    with open(os.path.join(root, name), "wb") as f:
        f.write(content)
with open(os.path.join(root, "var/sparse"), "wb") as f:
    f.truncate(12 << 20)
    f.seek(5 << 20)
    f.write(data("sparse", 10000))
os.mkfifo(os.path.join(root, "var/fifo"))
for new, old in order(links):
    os.link(os.path.join(root, old), os.path.join(root, new))
for name, target in order(symlinks):
    os.symlink(target, os.path.join(root, name))
for name, content, mode in files:
    os.chmod(os.path.join(root, name), mode)
os.chmod(os.path.join(root, "var/sparse"), 0o640)
os.chmod(os.path.join(root, "var/fifo"), 0o620)
for d, mode in dirs:
    os.chmod(os.path.join(root, d), mode)
os.chmod(root, 0o755)
for name, key, value in order(xattrs):
    os.setxattr(os.path.join(root, name), key, value, follow_symlinks=False)
if times is not None:
    rnd = random.Random(times)
    for dp, dn, fn in os.walk(root):
        for n in dn + fn:
            p = os.path.join(dp, n)
            t = rnd.randrange(0, 2 ** 31)
            os.utime(p, (t + rnd.randrange(1000), t), follow_symlinks=False)
