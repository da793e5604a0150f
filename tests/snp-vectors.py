#!/usr/bin/python3
"""snp-vectors.py — materialise the inputs of ../shared/vectors/snp/public.json
from their recipes and run `uvmkit measure` with each vector's argv.

  snp-vectors.py materialize VECTORS.json DIR
      write every firmware and payload into DIR, checking each file's sha256
      against the recorded one (exit 1 on any mismatch or missing file)
  snp-vectors.py synth RECIPE-JSON OUT
      write one synthetic-ovmf firmware (README recipe) to OUT; test-only
      extras: metadata.size_field / metadata.num_items override the header
      fields, a table entry's "len" overrides its length field, and
      "footer_total" the footer's total length (to build malformed images)
  snp-vectors.py run VECTORS.json DIR UVMKIT
      run `UVMKIT measure ARGV` for every vector (placeholders replaced by the
      files in DIR) and compare stdout and exit status; prints TAP-ish lines.

Recipes are those of vectors/snp/README.md. Real firmware files (Debian's
OVMF) are taken from /usr/share (the `ovmf` package, deps/check-measure.txt)
or from $SNP_FIRMWARE_DIR, and must match the recorded sha256.

pub-edge-001 (--vcpus 0) is the one vector where uvmkit deliberately differs
from the reference tool (spec §9: a usage error, exit 2, no digest); its
reference digest is checked at the library level by test-measure-vectors.
"""
import hashlib
import json
import os
import struct
import subprocess
import sys
import uuid

REAL_FILES = {
    "debian12-OVMF.fd": ["/usr/share/ovmf/OVMF.fd"],
    "debian12-OVMF_CODE.fd": ["/usr/share/OVMF/OVMF_CODE.fd"],
}
# Vectors whose expected behaviour differs on purpose: id -> (exit, stdout).
UVMKIT_DIFFERS = {"pub-edge-001": (2, "")}


def payload(r):
    kind = r["recipe"]
    if kind == "empty":
        return b""
    if kind == "fill":
        return bytes([r["byte"]]) * r["size"]
    if kind == "mod251":
        return bytes(i % 251 for i in range(r["size"]))
    if kind == "sha256ctr":
        out = bytearray()
        i = 0
        seed = r["seed"].encode()
        while len(out) < r["size"]:
            out += hashlib.sha256(seed + struct.pack("<I", i)).digest()
            i += 1
        return bytes(out[: r["size"]])
    raise ValueError("unknown payload recipe " + kind)


def guid_bytes(text):
    return uuid.UUID(text).bytes_le


def firmware(r, vectors_dir, shared_fw):
    kind = r["recipe"]
    if kind == "file":
        name = r["name"]
        cands = list(REAL_FILES.get(name, []))
        if os.environ.get("SNP_FIRMWARE_DIR"):
            cands.insert(0, os.path.join(os.environ["SNP_FIRMWARE_DIR"], name))
        if name.startswith("upstream-"):
            cands = [os.path.join(vectors_dir, "upstream", name[len("upstream-"):])]
        for c in cands:
            if os.path.exists(c):
                return open(c, "rb").read()
        raise FileNotFoundError("%s: none of %s exists (install the Debian 12 'ovmf' "
                                "package 2022.11-6+deb12u2)" % (name, cands))
    if kind == "synthetic-ovmf":
        size = r["size"]
        b = bytearray(i % 251 for i in range(size))
        md = r.get("metadata")
        if md:
            secs = md["sections"]
            blob = md["signature"].encode() + struct.pack(
                "<III", md.get("size_field", 16 + 12 * len(secs)), md["version"],
                md.get("num_items", len(secs)))
            for s in secs:
                blob += struct.pack("<III", s["gpa"], s["size"], s["type"])
            b[md["offset"]:md["offset"] + len(blob)] = blob
        table = b""
        for e in r["table"]:
            data = bytes.fromhex(e["data_hex"])
            table += data + struct.pack("<H", e.get("len", len(data) + 18)) + guid_bytes(e["guid"])
        table += struct.pack("<H", r.get("footer_total", len(table) + 18)) + guid_bytes(
            "96b582de-1fb2-45f7-baea-a366c55a082d")
        end = size - 32
        b[end - len(table):end] = table
        return bytes(b)
    if kind == "truncate":
        return shared_fw(r["of"]["name"])[: r["keep_bytes"]]
    if kind == "zero-tail":
        base = shared_fw(r["of"]["name"])
        n = r["zeroed_tail_bytes"]
        return base[: len(base) - n] + b"\0" * n
    if kind == "payload":
        return payload(r["payload"])
    raise ValueError("unknown firmware recipe " + kind)


def materialize(vfile, out):
    d = json.load(open(vfile))
    vdir = os.path.dirname(os.path.abspath(vfile))
    os.makedirs(out, exist_ok=True)
    cache = {}

    def named(name):
        if name not in cache:
            cache[name] = firmware(d["firmwares"][name], vdir, named)
        return cache[name]

    bad = 0
    for v in d["vectors"]:
        inp = v["inputs"]
        files = {"FIRMWARE": (inp["firmware"], True)}
        for k in ("kernel", "initrd"):
            if inp.get(k):
                files[k.upper()] = (inp[k], False)
        for ph, (recipe, is_fw) in files.items():
            try:
                data = firmware(recipe, vdir, named) if is_fw else payload(recipe)
            except (OSError, ValueError) as e:
                print("FAIL %s %s: %s" % (v["id"], ph, e))
                bad += 1
                continue
            got = hashlib.sha256(data).hexdigest()
            if got != recipe["sha256"]:
                print("FAIL %s %s: sha256 %s, recorded %s" % (v["id"], ph, got,
                                                              recipe["sha256"]))
                bad += 1
                continue
            with open(os.path.join(out, "%s.%s" % (v["id"], ph)), "wb") as f:
                f.write(data)
    print("materialized %d vectors, %d problems" % (len(d["vectors"]), bad))
    return 1 if bad else 0


def run(vfile, out, uvmkit):
    d = json.load(open(vfile))
    fails = 0
    for n, v in enumerate(d["vectors"], 1):
        argv = []
        for a in v["reference_argv"]:
            for ph in ("FIRMWARE", "KERNEL", "INITRD"):
                a = a.replace("{%s}" % ph, os.path.join(out, "%s.%s" % (v["id"], ph)))
            argv.append(a)
        p = subprocess.run([uvmkit, "measure"] + argv, capture_output=True)
        want_rc, want_out = v["expected"]["exit_code"], v["expected"].get("stdout", "")
        if v["id"] in UVMKIT_DIFFERS:
            want_rc, want_out = UVMKIT_DIFFERS[v["id"]]
        out_s = p.stdout.decode("utf-8", "replace")
        err_lines = p.stderr.decode("utf-8", "replace").strip().splitlines()
        ok = p.returncode == want_rc and out_s == want_out
        if want_rc != 0:
            # one clear line on stderr, never a digest on stdout
            ok = ok and len(err_lines) >= 1 and out_s == ""
        print("%s %d - %s (exit %d)" % ("ok" if ok else "not ok", n, v["id"], p.returncode))
        if not ok:
            fails += 1
            print("#   want exit %d stdout %r" % (want_rc, want_out))
            print("#   got  exit %d stdout %r stderr %r" % (p.returncode, out_s, err_lines))
    print("# %d vectors, %d failed" % (len(d["vectors"]), fails))
    return 1 if fails else 0


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "materialize":
        return materialize(sys.argv[2], sys.argv[3])
    if len(sys.argv) == 4 and sys.argv[1] == "synth":
        r = json.loads(sys.argv[2])
        r.setdefault("recipe", "synthetic-ovmf")
        with open(sys.argv[3], "wb") as f:
            f.write(firmware(r, ".", None))
        return 0
    if len(sys.argv) == 5 and sys.argv[1] == "run":
        return run(sys.argv[2], sys.argv[3], sys.argv[4])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
