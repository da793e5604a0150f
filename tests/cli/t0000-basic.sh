#!/bin/sh
# The command itself: verb table, help, version, usage errors, stdout checks.
. "$(dirname "$0")/test-lib.sh"

test_expect_success 'no verb is a usage error' '
	test_expect_code 2 uvmkit 2>err &&
	test_grep "Usage: uvmkit VERB" err
'
test_expect_success '--help lists verbs on stdout' '
	uvmkit --help >out &&
	test_grep "^  version " out
'
test_expect_success '--version prints the version' '
	uvmkit --version >out &&
	test_grep "^uvmkit [0-9]" out
'
test_expect_success 'unknown verb suggests a close one' '
	test_expect_code 2 uvmkit versoin 2>err &&
	test_grep "Did you mean .version." err
'
test_expect_success 'version --json is valid JSON' '
	uvmkit version --json=short >out &&
	python3 -c "import json,sys; d=json.load(open(\"out\")); assert d[\"uvmkit\"]" 
'
test_expect_success 'bad --json value is a usage error' '
	test_expect_code 2 uvmkit version --json=xml 2>err &&
	test_grep "expected pretty, short or off" err
'
test_expect_success 'a full stdout is an error, not a silent truncation' '
	if [ -w /dev/full ]; then test_expect_code 1 uvmkit version >/dev/full 2>err &&
	test_grep "error writing standard output" err; fi
'
test_done
