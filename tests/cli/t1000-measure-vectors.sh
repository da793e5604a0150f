#!/bin/sh
# uvmkit measure on every vector of vectors/snp/public.json: each input is
# regenerated from its recipe and its sha256 checked first, then the vector's
# reference argv is run and stdout + exit status compared (pub-edge-001,
# --vcpus 0, is a deliberate usage error in uvmkit: spec section 9).
. "$(dirname "$0")/test-lib.sh"
test_require_shared vectors/snp
test_require python3
V="$SHARED/vectors/snp/public.json"

test_expect_success 'every input regenerates with its recorded sha256' '
	python3 "$TOP/tests/snp-vectors.py" materialize "$V" inputs >out &&
	cat out &&
	test_grep "materialized 21 vectors, 0 problems" out
'
test_expect_success 'all 21 vectors: same stdout and exit status as the reference' '
	python3 "$TOP/tests/snp-vectors.py" run "$V" inputs "$UVMKIT" >out 2>&1;
	rc=$?; cat out; test $rc = 0 &&
	test_grep "^# 21 vectors, 0 failed" out
'
test_expect_success 'pub-edge-001: --vcpus 0 is a usage error with no digest' '
	test_expect_code 2 uvmkit measure --mode snp --vcpus 0 --vcpu-type EPYC-v4 \
		--ovmf inputs/pub-edge-001.FIRMWARE >out 2>err &&
	test ! -s out && test_grep "vCPU count must be" err
'
test_done
