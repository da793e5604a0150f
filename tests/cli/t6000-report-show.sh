#!/bin/sh
# uvmkit report show: every report of vectors/snp-reports decoded, compared
# field by field with cases.json (JSON and key=value output); golden output
# for a v2 (Azure HCL), a v3 and a v5 report.
. "$(dirname "$0")/test-lib.sh"
# A sanitizer report must not pass for the "exit 1" the tests expect.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}exitcode=99" UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}exitcode=99"
test_require python3
test_require_shared vectors/snp-reports
V=$SHARED/vectors/snp-reports
G=$TOP/tests/cli/t6000-report-show.golden

test_expect_success 'every case decodes as cases.json records it' '
	UVMKIT=$UVMKIT SHARED=$SHARED python3 "$TOP/tests/cli/lib-report-cases.py" show
'
for c in azure-milan-v2-hcl/hcl-report.bin mstav-genoa-v3/report.bin routex-turin-v5/report.bin; do
	name=${c%%/*}
	test_expect_success "golden show output: $name" '
		uvmkit report show "$V/$c" >"$name.out" &&
		test_cmp_golden "$G/$name.stdout.exact" "$name.out"
	'
done
test_expect_success 'show --json=pretty is valid JSON with the same fields' '
	uvmkit report show --json "$V/routex-turin-v5/report.bin" >pretty.json &&
	uvmkit report show --json=short "$V/routex-turin-v5/report.bin" >short.json &&
	python3 -c "import json,sys; a=json.load(open(\"pretty.json\")); b=json.load(open(\"short.json\")); assert a==b and a[\"version\"]==5 and a[\"reported_tcb\"][\"fmc\"]==0" &&
	test $(wc -l <short.json) = 1
'
test_expect_success 'HCL report: auto-detected, same as --offset 0x20 and --offset 32' '
	uvmkit report show "$V/azure-milan-v2-hcl/hcl-report.bin" >auto &&
	uvmkit report show --offset 0x20 "$V/azure-milan-v2-hcl/hcl-report.bin" >hex &&
	uvmkit report show --offset 32 "$V/azure-milan-v2-hcl/hcl-report.bin" >dec &&
	test_cmp auto hex && test_cmp auto dec &&
	test_grep "^wrapper=azure-hcl$" auto &&
	test_grep "^hcl.runtime_data_len=1110$" auto
'
test_expect_success 'the report inside the HCL wrapper, cut out, is the same report' '
	dd if="$V/azure-milan-v2-hcl/hcl-report.bin" of=raw.bin bs=32 skip=1 count=37 status=none &&
	uvmkit report show raw.bin >raw.out &&
	grep -v -e ^wrapper= -e ^offset= -e ^hcl. auto >a && grep -v -e ^wrapper= -e ^offset= raw.out >b &&
	test_cmp a b
'
test_expect_success 'hex text of a report decodes like the binary' '
	uvmkit report show "$V/virtee-milan-v2/report.bin" >bin.out &&
	uvmkit report show "$V/virtee-milan-v2/report_milan.hex" >hex.out &&
	grep -v ^wrapper= bin.out >a && grep -v ^wrapper= hex.out >b && test_cmp a b &&
	test_grep "^wrapper=hex$" hex.out
'
test_expect_success 'trailing bytes after a raw report are reported, not fatal' '
	cat "$V/mstav-milan-v3/report.bin" >t.bin && head -c 20 /dev/zero >>t.bin &&
	uvmkit report show t.bin >t.out &&
	test_grep "^trailing_bytes=20$" t.out
'
test_expect_success 'v2 generation: unknown without --product, Turin layout with it' '
	uvmkit report show "$V/gosev-milan-v2/report.bin" >g.out &&
	test_grep "^generation=unknown$" g.out &&
	test_grep "^tcb_layout=milan-genoa$" g.out &&
	uvmkit report show --product turin "$V/gosev-milan-v2/report.bin" >t.out &&
	test_grep "^reported_tcb.fmc=" t.out
'
test_expect_success 'show --help, missing file, usage errors' '
	uvmkit report show --help >h && test_grep "uvmkit report show" h &&
	test_expect_code 1 uvmkit report show nonexistent.bin 2>e && test $(wc -l <e) = 1 &&
	test_grep "nonexistent.bin" e &&
	test_expect_code 2 uvmkit report show 2>e &&
	test_expect_code 2 uvmkit report 2>e &&
	test_expect_code 2 uvmkit report frobnicate x 2>e &&
	test_expect_code 2 uvmkit report show --offset -1 x 2>e &&
	test_expect_code 2 uvmkit report show --product venice x 2>e &&
	test_expect_code 2 uvmkit report show a b 2>e
'
test_done
