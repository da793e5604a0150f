/* test-pyparse.c — common/pyparse: a table of what Python's int(s, 0),
 * int(s, 10) and bytes.fromhex(s) accept and return. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <errno.h>

#include "common/macro.h"
#include "common/pyparse.h"

static void test_pyint(void **state)
{
	static const struct {
		const char *s;
		int base;
		int r;
		int64_t v;
	} v[] = {
		{ "0x21", 0, 0, 33 },	  { "0X21", 0, 0, 33 },	   { "33", 0, 0, 33 },
		{ " 33\n", 0, 0, 33 },	  { "+33", 0, 0, 33 },	   { "-1", 0, 0, -1 },
		{ "-0", 0, 0, 0 },	  { "0", 0, 0, 0 },	   { "00", 0, 0, 0 },
		{ "0_0", 0, 0, 0 },	  { "1_000", 0, 0, 1000 }, { "0x_ff", 0, 0, 255 },
		{ "0b101", 0, 0, 5 },	  { "0o17", 0, 0, 15 },	   { "0xA00F11", 0, 0, 0xa00f11 },
		{ "010", 0, -EINVAL, 0 }, { "1__0", 0, -EINVAL, 0 }, { "_1", 0, -EINVAL, 0 },
		{ "1_", 0, -EINVAL, 0 },  { "0x", 0, -EINVAL, 0 },  { "", 0, -EINVAL, 0 },
		{ " ", 0, -EINVAL, 0 },	  { "abc", 0, -EINVAL, 0 }, { "0xg", 0, -EINVAL, 0 },
		{ "1e3", 0, -EINVAL, 0 }, { "- 1", 0, -EINVAL, 0 }, { "+-1", 0, -EINVAL, 0 },
		{ "0b2", 0, -EINVAL, 0 }, { "0o8", 0, -EINVAL, 0 },
		{ "010", 10, 0, 10 },	  { "1_0", 10, 0, 10 },	   { "0x1", 10, -EINVAL, 0 },
		{ "4", 10, 0, 4 },	  { "-4", 10, 0, -4 },
		{ "9223372036854775807", 10, 0, INT64_MAX },
		{ "9223372036854775808", 10, -ERANGE, 0 },
		{ "-9223372036854775808", 10, 0, INT64_MIN },
		{ "99999999999999999999", 10, -ERANGE, 0 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		int64_t got = 0;
		int r = uvm_pyint_s64(v[i].s, v[i].base, &got);
		if (r != v[i].r || (r == 0 && got != v[i].v))
			fail_msg("int('%s', %d): r=%d v=%lld, want r=%d v=%lld", v[i].s, v[i].base, r,
				 (long long)got, v[i].r, (long long)v[i].v);
	}
	uint64_t u;
	assert_int_equal(uvm_pyint_u64("0xffffffffffffffff", 0, &u), 0);
	assert_true(u == UINT64_MAX);
	assert_int_equal(uvm_pyint_u64("0x8000000000000021", 0, &u), 0);
	assert_true(u == 0x8000000000000021ull);
	assert_int_equal(uvm_pyint_u64("0x10000000000000000", 0, &u), -ERANGE);
	assert_int_equal(uvm_pyint_u64("-1", 0, &u), -ERANGE);
	assert_int_equal(uvm_pyint_u64("-0", 0, &u), 0);
}

static void test_pyhex(void **state)
{
	uint8_t b[2];
	assert_int_equal(uvm_pyhex_decode("0a0B", b, 2), 0);
	assert_int_equal(b[0], 0x0a);
	assert_int_equal(b[1], 0x0b);
	assert_int_equal(uvm_pyhex_decode(" 0a\t0b\n", b, 2), 0);
	assert_int_equal(uvm_pyhex_decode("0 a0b", b, 2), -EINVAL);
	assert_int_equal(uvm_pyhex_decode("0a0", b, 2), -EINVAL);
	assert_int_equal(uvm_pyhex_decode("0a", b, 2), -EINVAL);
	assert_int_equal(uvm_pyhex_decode("0a0b0c", b, 2), -EINVAL);
	assert_int_equal(uvm_pyhex_decode("0x0a", b, 2), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pyint),
		cmocka_unit_test(test_pyhex),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
