#!/bin/sh
# build-summary.sh DIR SUMMARY.json — what `make image` prints after
# `uvmkit build --json`: where the outputs are and the time of each step.
set -eu
dir=$1 json=$2
echo "image: $(cd "$dir" && pwd)"
python3 - "$json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
for st in s["steps"]:
    print("  %-9s %7.1f s%s" % (st["step"], st["seconds"], "  (cached)" if st.get("cached") else ""))
print("  %-9s %7.1f s" % ("total", s["seconds"]))
for a in s["artifacts"]:
    print("  %-22s %12d  %s" % (a["name"], a["size"], a["sha256"]))
print("  launch digests: %d in measurements.json; seed %s" % (s["launch_digests"], s["seed"]))
PY
