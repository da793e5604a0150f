#!/usr/bin/env python3
# lib-report-cases.py MODE — used by tests/cli/t600*-report-*.sh: runs the
# real `uvmkit report` on every case of vectors/snp-reports/cases.json and
# compares its output with the results recorded there. Prints one line per
# case and exits 1 on the first mismatch (with what differed).
#   show    every decoded field, JSON and key=value output
#   verify  every check result at 2026-11-28, exit codes, the VLEK at 2025-06-01
import json
import os
import subprocess
import sys

U = os.environ["UVMKIT"]
V = os.path.join(os.environ["SHARED"], "vectors", "snp-reports")
AT = "2026-11-28"  # the date of cases.json's openssl_verify_at_2026_11_28
cases = json.load(open(os.path.join(V, "cases.json")))


def run(*args):
    p = subprocess.run([U, "report", *args], cwd=V, capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def fail(case, msg):
    print(f"FAIL {case['name']}: {msg}")
    sys.exit(1)


def show(c):
    rc, out, err = run("show", c["report"], "--json=short")
    if rc != 0:
        fail(c, f"show exited {rc}: {err}")
    j = json.loads(out)
    want = {
        "version": c["version"], "vmpl": c["vmpl"], "guest_svn": c["guest_svn"],
        "measurement": c["measurement"], "report_data": c["report_data"],
        "host_data": c["host_data"], "chip_id": c["chip_id"],
        "id_key_digest": c["id_key_digest"],
        "author_key_digest": c["author_key_digest"],
        "current_fw": c["current_fw"], "committed_fw": c["committed_fw"],
        "offset": c["report_offset"],
    }
    for k, v in want.items():
        if j[k] != v:
            fail(c, f"{k}: got {j[k]!r}, want {v!r}")
    if j["policy"]["value"] != c["policy"]:
        fail(c, f"policy {j['policy']['value']} != {c['policy']}")
    if j["platform_info"]["value"] != c["platform_info"]:
        fail(c, "platform_info")
    if j["key_info"]["signing_key"] != c["signing_key"]:
        fail(c, "signing_key")
    pol = int(c["policy"], 16)
    if j["policy"]["debug"] != bool(pol >> 19 & 1) or j["policy"]["smt"] != bool(pol >> 16 & 1):
        fail(c, "policy bits")
    if j["policy"]["abi_minor"] != pol & 0xFF or j["policy"]["abi_major"] != pol >> 8 & 0xFF:
        fail(c, "policy ABI")
    # v2 reports carry no CPUID: the generation comes from --product then.
    gen_args = [] if c["version"] >= 3 else ["--product", c["generation"]]
    rc, out, err = run("show", c["report"], "--json=short", *gen_args)
    j = json.loads(out)
    if j["generation"] != c["generation"]:
        fail(c, f"generation {j['generation']} != {c['generation']}")
    tcb = dict(j["reported_tcb"])
    if tcb.pop("raw") != c["reported_tcb_hex"]:
        fail(c, "reported_tcb raw")
    if tcb != c["reported_tcb"]:
        fail(c, f"reported_tcb {tcb} != {c['reported_tcb']}")
    if c["version"] >= 3 and j["cpuid"]["product"] != c["generation"]:
        fail(c, "cpuid product")
    # Human output: the same values as key=value lines.
    rc, out, err = run("show", c["report"], *gen_args)
    lines = set(out.splitlines())
    for line in (f"measurement={c['measurement']}", f"version={c['version']}",
                 f"chip_id={c['chip_id']}", f"policy.value={c['policy']}",
                 f"reported_tcb.raw={c['reported_tcb_hex']}",
                 f"reported_tcb.ucode={c['reported_tcb']['ucode']}",
                 f"generation={c['generation']}"):
        if line not in lines:
            fail(c, f"no line {line!r} in show output")
    print(f"ok {c['name']}: show")


def cert_args(c):
    a = ["--certs", c["vek"]]
    for f in c["chain"]:
        if f != c["vek"]:
            a += ["--certs", f]
    return a


def checks_of(out):
    j = json.loads(out)
    return j, {k["name"]: k["pass"] for k in j["checks"]}


def verify(c):
    e = c["expect"]
    if c["report"] is None:
        rc, out, err = run("chain", *cert_args(c), "--at", AT, "--json=short")
    else:
        rc, out, err = run("verify", c["report"], *cert_args(c), "--at", AT,
                           "--allow-debug", "--json=short")
    if err:
        fail(c, f"stderr: {err}")
    j, ch = checks_of(out)
    want = {
        "ark-pinned": True,
        "ark-self-signed": e["ark_self_signed_valid"],
        "ark-signs-ask": e["ark_signs_ask_valid"],
        "ask-signs-vek": e["ask_signs_vek_valid"],
        "chain-x509": e["openssl_verify_at_2026_11_28"],
    }
    if c["report"] is not None:
        want["report-signature"] = e["report_signature_valid"]
        want["signing-key"] = True
        if (ch["vek-tcb"] and ch["vek-hwid"]) != e["vek_ext_matches_report"]:
            fail(c, f"vek-tcb/vek-hwid {ch['vek-tcb']}/{ch['vek-hwid']}")
    for k, v in want.items():
        if ch.get(k) != v:
            fail(c, f"check {k}: got {ch.get(k)}, want {v}")
    vv = [k["detail"] for k in j["checks"] if k["name"] == "vek-validity"][0]
    if e["vek_validity"] not in vv:
        fail(c, f"vek-validity {vv!r} lacks {e['vek_validity']!r}")
    all_ok = all(ch.values())
    if rc != (0 if all_ok else 1) or j["result"] != ("pass" if all_ok else "fail"):
        fail(c, f"exit {rc}, result {j['result']} with checks {ch}")
    if j["generation"] != c["generation"]:
        fail(c, "generation")
    if c.get("negative") and all_ok:
        fail(c, "negative case passed")
    expected_ok = not c.get("negative") and e["openssl_verify_at_2026_11_28"]
    if all_ok != expected_ok:
        fail(c, f"overall {all_ok}, expected {expected_ok}")
    if c["report"] is None:
        ext = [k["detail"] for k in j["checks"] if k["name"] == "vek-extensions"][0]
        x = e["vek_ext"]
        for part in (f"productName {x['productName']}", f"ucodeSPL {x['ucodeSPL']}",
                     f"fmcSPL {x['fmcSPL']}", f"hwID {x['hwID']} (raw)",
                     f"structVersion {x['structVersion']}"):
            if part not in ext:
                fail(c, f"vek-extensions {ext!r} lacks {part!r}")
    # The expired VLEK verifies at a time when it was valid.
    if c["name"] == "trustee-milan-v3-vlek":
        if ch["vek-validity"] or ch["chain-x509"]:
            fail(c, "expired VLEK accepted")
        rc, out, err = run("verify", c["report"], *cert_args(c), "--at",
                           "2025-06-01", "--json=short")
        j, ch = checks_of(out)
        if rc != 0 or not all(ch.values()):
            fail(c, f"VLEK at 2025-06-01: exit {rc} {ch}")
    # Debug policy: refused without --allow-debug.
    if c["report"] is not None and int(c["policy"], 16) >> 19 & 1:
        rc, out, err = run("verify", c["report"], *cert_args(c), "--at", AT,
                           "--json=short")
        j, ch = checks_of(out)
        bad = [k for k, v in ch.items() if not v]
        if rc != 1 or bad != ["policy-debug"]:
            fail(c, f"debug policy: exit {rc}, failed {bad}")
    print(f"ok {c['name']}: verify ({sum(ch.values())}/{len(ch)} checks pass, exit {rc})")


mode = sys.argv[1]
n = 0
for c in cases:
    if mode == "show" and c["report"] is not None:
        show(c)
        n += 1
    elif mode == "verify":
        verify(c)
        n += 1
print(f"{n} cases")
sys.exit(0 if n >= 10 else 1)
