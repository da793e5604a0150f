#!/bin/sh
# uvmkit build end to end on a small recipe: the real kernel (kernel-config/
# fragments and the pinned linux-source-6.1, through the shared kernel
# cache), rootfs/minimal (pinned busybox-static + overlay), an initrd, the
# upstream AmdSev OVMF vector as pinned firmware File=, a 2x2 matrix; then
# verify, the measurements against `uvmkit measure`, reproduce from another
# directory, reproduce refusing a changed input, --compare naming the
# changed file, and a failed build leaving the previous output untouched.
. "$(dirname "$0")/test-lib.sh"
test_require python3 sha256sum
test_require_shared vectors/snp/upstream
deb=$UVMKIT_TEST_CACHE/downloads/busybox-static_1.35.0-4+deb12u1+b1_amd64.deb
[ -r "$deb" ] || { echo "skip: $deb missing (make check-deps fetches it)"; exit 77; }
ksrc=$(sed -n 's/^file=//p' "$TOP/kernel-config/linux-source.pin")
[ -r "$ksrc" ] || { echo "skip: $ksrc missing (linux-source-6.1, deps/check-kernel.txt)"; exit 77; }
fw=$SHARED/vectors/snp/upstream/ovmf_AmdSev_suffix.bin

test_expect_success 'setup: a small recipe' '
	mkdir -p src && cp -R "$TOP/rootfs/minimal/overlay" src/overlay &&
	{
	echo "[Recipe]"
	echo "Name=t7001"
	echo "Epoch=1704067200"
	echo "[Kernel]"
	echo "Source=$TOP/kernel-config/linux-source.pin"
	for f in "$TOP"/kernel-config/*.conf; do echo "Fragment=$f"; done
	echo "[Rootfs]"
	echo "Package=busybox-static 1:1.35.0-4+deb12u1+b1 amd64 sha256:$(sha256sum <"$deb" | cut -d" " -f1)"
	echo "Source=src/overlay"
	echo "[Initrd]"
	echo "Package=busybox-static 1:1.35.0-4+deb12u1+b1 amd64 sha256:$(sha256sum <"$deb" | cut -d" " -f1)"
	echo "Source=src/overlay"
	echo "Compress=zstd"
	echo "[Cmdline]"
	echo "Extra=console=ttyS0"
	echo "  panic=-1"
	echo "[Firmware]"
	echo "File=$fw"
	echo "Sha256=$(sha256sum <"$fw" | cut -d" " -f1)"
	echo "[Measure]"
	echo "VCPUs=1,4"
	echo "CPUTypes=EPYC-Milan EPYC-Genoa"
	} >small.ini &&
	uvmkit keygen -o keys >/dev/null
'
test_expect_success 'build with --key: the outputs of DESIGN.md, signed' '
	uvmkit build -c small.ini -o rel --key keys -j2 --json \
		--cache-dir "$UVMKIT_TEST_CACHE" --downloads-dir "$UVMKIT_TEST_CACHE/downloads" >summary.json 2>progress &&
	for f in vmlinuz initrd.img rootfs.img OVMF.fd root_hash.txt cmdline.txt kernel.config \
		measurements.json recipe.ini manifest.intoto.json manifest.dsse.json \
		manifest.sigstore.json SHA256SUMS SHA384SUMS SHA256SUMS.minisig; do
		test -s rel/$f || { echo "missing rel/$f"; exit 1; }
	done &&
	! ls -A . | grep -q "^\.rel\.build" &&
	! test -e rel/.work &&
	(cd rel && sha256sum -c --quiet SHA256SUMS) &&
	python3 -c "
import json, sys
s = json.load(open(\"summary.json\"))
steps = [x[\"step\"] for x in s[\"steps\"]]
assert steps == [\"inputs\", \"kernel\", \"rootfs\", \"initrd\", \"cmdline\", \"firmware\", \"measure\", \"manifest\", \"sign\"], steps
assert s[\"launch_digests\"] == 4 and s[\"signed\"] is True
"
'
test_expect_success 'uvmkit verify accepts it and re-derives every launch digest' '
	uvmkit verify --pub keys rel >out &&
	test "$(grep -c "^ok   launch-digest" out)" = 4 &&
	! grep -q "^FAIL" out
'
test_expect_success 'measurements.json: the contract fields, digests as uvmkit measure gives them' '
	python3 - "$fw" >cases <<-PY &&
	import hashlib, json, sys
	m = json.load(open("rel/measurements.json"))
	h = lambda p: hashlib.sha256(open(p, "rb").read()).hexdigest()
	assert m["firmware_sha256"] == h("rel/OVMF.fd") == h(sys.argv[1])
	assert m["kernel_sha256"] == h("rel/vmlinuz")
	assert m["initrd_sha256"] == h("rel/initrd.img")
	assert m["cmdline"] == open("rel/cmdline.txt").read().rstrip("\n")
	assert m["cmdline"].startswith("dm-mod.create=") and m["cmdline"].endswith(" console=ttyS0 panic=-1")
	rows = [(r["vcpus"], r["vcpu_type"]) for r in m["measurements"]]
	assert sorted(rows) == sorted([(1, "EPYC-Milan"), (1, "EPYC-Genoa"), (4, "EPYC-Milan"), (4, "EPYC-Genoa")]), rows
	for r in m["measurements"]:
	    assert r["vmm_type"] == "QEMU" and r["guest_features"] == "0x1" and len(r["launch_digest"]) == 96
	    print(r["vcpus"], r["vcpu_type"], r["launch_digest"])
	PY
	while read n t d; do
		uvmkit measure --mode snp --vcpus $n --vcpu-type $t --ovmf rel/OVMF.fd \
			--kernel rel/vmlinuz --initrd rel/initrd.img \
			--append "$(cat rel/cmdline.txt)" >got &&
		test "$(cat got)" = "$d" || { echo "$n $t: measure says $(cat got), build $d"; exit 1; }
	done <cases &&
	test "$(wc -l <cases)" = 4
'
test_expect_success 'the manifest records inputs, seed, recipe, config and every digest' '
	python3 - <<-PY
	import json
	st = json.load(open("rel/manifest.intoto.json"))
	p = st["predicate"]
	names = sorted(s["name"] for s in st["subject"])
	assert "rootfs.img" in names and "vmlinuz" in names and "OVMF.fd" in names, names
	kinds = [i["kind"] for i in p["inputs"]]
	for k in ("recipe", "kernel-source", "kernel-fragment", "package", "rootfs-source", "initrd-source", "firmware"):
	    assert k in kinds, (k, kinds)
	assert p["recipe"] == open("rel/recipe.ini").read()
	assert len(p["seed"]) == 64 and p["epoch"] == 1704067200
	assert p["cmdline"] == open("rel/cmdline.txt").read().rstrip("\n")
	assert len(p["kernel_config_sha256"]) == 64
	assert p["verity"]["root_hash"] in open("rel/root_hash.txt").read()
	assert len(p["launch_digests"]) == 4
	for e in p["launch_digests"]:
	    assert e["policy"] == "0x30000" and e["kernel"] == "vmlinuz" and e["initrd"] == "initrd.img"
	PY
'
if command -v qemu-system-x86_64 >/dev/null 2>&1; then
test_expect_success 'the built kernel boots the verity disk: rootfs/minimal reports dm-verity' '
	timeout 300 qemu-system-x86_64 -accel tcg -m 256 -nographic -no-reboot \
		-kernel rel/vmlinuz -append "$(cat rel/cmdline.txt)" \
		-drive file=rel/rootfs.img,if=virtio,format=raw,readonly=on >boot.log 2>&1 </dev/null;
	tr -d "\r" <boot.log >boot.txt &&
	test_grep "^UVMKIT-MINIMAL-OK root=/dev/dm-0 dm=dm-verity verity=yes mount=ro" boot.txt
'
test_expect_success 'the initrd boots too (rootfs/minimal from the initramfs)' '
	timeout 300 qemu-system-x86_64 -accel tcg -m 256 -nographic -no-reboot \
		-kernel rel/vmlinuz -initrd rel/initrd.img -append "console=ttyS0 panic=-1" \
		>boot2.log 2>&1 </dev/null;
	tr -d "\r" <boot2.log >boot2.txt &&
	test_grep "^UVMKIT-MINIMAL-OK root=none dm=- verity=no mount=rw" boot2.txt
'
fi
test_expect_success 'reproduce from another directory, umask, locale and time zone: every artifact the same' '
	mkdir -p elsewhere/deep &&
	(cd elsewhere/deep && umask 077 && TZ=Asia/Tokyo LC_ALL=C.UTF-8 SOURCE_DATE_EPOCH=1 \
		uvmkit reproduce -q --base-dir "$TRASH" ../../rel/manifest.intoto.json -o ../new \
		--cache-dir "$UVMKIT_TEST_CACHE" --downloads-dir "$UVMKIT_TEST_CACHE/downloads" -j2 >../out) &&
	test_grep "^reproduced=yes" elsewhere/out &&
	! grep -q "^DIFFERS\|^MISSING" elsewhere/out &&
	for f in rootfs.img initrd.img vmlinuz measurements.json manifest.intoto.json; do
		cmp rel/$f elsewhere/new/$f || exit 1
	done
'
test_expect_success 'reproduce refuses an input that differs from the record, before building' '
	echo changed >>src/overlay/init &&
	test_expect_code 1 uvmkit reproduce -q --base-dir "$TRASH" rel -o new2 \
		--downloads-dir "$UVMKIT_TEST_CACHE/downloads" 2>err &&
	test_grep "inputs: input rootfs-source src/overlay: tree digest [0-9a-f]* here, the manifest records" err &&
	! test -e new2
'
test_expect_success 'compare names the file that differs inside the ext4 and the initrd' '
	uvmkit build -q -c small.ini -o rel2 --cache-dir "$UVMKIT_TEST_CACHE" \
		--downloads-dir "$UVMKIT_TEST_CACHE/downloads" -j2 >/dev/null &&
	test_expect_code 1 uvmkit reproduce --compare rel rel2 >out &&
	test_grep "^DIFFERS  rootfs.img" out &&
	test_grep "rootfs.img p1 (ext4): init: size [0-9]*/[0-9]* differs" out &&
	test_grep "initrd.img: init: size [0-9]*/[0-9]* differs" out &&
	test_grep "^same     vmlinuz" out &&
	test_grep "^reproduced=no" out
'
test_expect_success 'a failing build leaves the previous output as it was and no temporary' '
	sed -e "s/^\[Rootfs\]/[Rootfs]\nSize=4096/" -e "s/^\[Firmware\]/[Disk]\nLayout=none\n[Firmware]/" \
		small.ini >tiny.ini &&
	(cd rel2 && sha256sum * >../before) &&
	test_expect_code 1 uvmkit build -q -c tiny.ini -o rel2 --cache-dir "$UVMKIT_TEST_CACHE" \
		--downloads-dir "$UVMKIT_TEST_CACHE/downloads" -j2 2>err &&
	test_grep "^uvmkit build: rootfs: image too small for the content" err &&
	(cd rel2 && sha256sum * >../after) &&
	test_cmp before after &&
	! ls -A . | grep -q "^\.rel2\.build"
'
test_done
