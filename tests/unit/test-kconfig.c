/* test-kconfig.c — unit tests for builder/kconfig.c and the small pure
 * parts of builder/kbuild.c: fragment parsing (values, "is not set",
 * comments, malformed lines with FILE:LINE), merge order with
 * attribution, the dropped/changed-option check and its message, the
 * attribution file, the pin file and KBUILD_BUILD_TIMESTAMP formatting.
 * No kernel source needed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "builder/kbuild.h"
#include "builder/kconfig.h"
#include "common/fileio.h"

static int parse(struct uvm_kconfig *c, const char *text, const char *origin,
		 struct uvm_error *err)
{
	return uvm_kconfig_parse(c, text, strlen(text), origin, err);
}

static void test_parse_values(void **state)
{
	struct uvm_kconfig c = { 0 };
	struct uvm_error err = { 0 };
	const char *text = "# a comment\n"
			   "\n"
			   "CONFIG_A=y\n"
			   "CONFIG_B=m\r\n"
			   "CONFIG_C=n\n"
			   "# CONFIG_D is not set\n"
			   "CONFIG_E=\"a \\\"quoted\\\" string\"  \n"
			   "CONFIG_F=0x1000\n"
			   "CONFIG_G=-17\n"
			   "#CONFIG_H is not set\n"
			   "# CONFIG_I is not set, really\n";
	assert_int_equal(parse(&c, text, "x.conf", &err), 7);
	assert_int_equal(c.n, 7);
	assert_string_equal(uvm_kconfig_get(&c, "CONFIG_A")->value, "y");
	assert_string_equal(uvm_kconfig_get(&c, "CONFIG_B")->value, "m");
	assert_null(uvm_kconfig_get(&c, "CONFIG_C")->value);
	assert_null(uvm_kconfig_get(&c, "CONFIG_D")->value);
	assert_int_equal(uvm_kconfig_get(&c, "CONFIG_D")->line, 6);
	assert_string_equal(uvm_kconfig_get(&c, "CONFIG_E")->value,
			    "\"a \\\"quoted\\\" string\"");
	assert_string_equal(uvm_kconfig_get(&c, "CONFIG_F")->value, "0x1000");
	assert_string_equal(uvm_kconfig_get(&c, "CONFIG_G")->value, "-17");
	/* comments that only look like assignments are comments */
	assert_null(uvm_kconfig_get(&c, "CONFIG_H"));
	assert_null(uvm_kconfig_get(&c, "CONFIG_I"));
	assert_null(uvm_kconfig_get(&c, "CONFIG_"));
	assert_string_equal(uvm_kconfig_get(&c, "CONFIG_A")->file, "x.conf");
	uvm_kconfig_done(&c);
}

static void test_parse_errors(void **state)
{
	static const struct {
		const char *text, *msg;
	} v[] = {
		{ "CONFIG_A=y\nfoo\n", "bad.conf:2: expected CONFIG_NAME=VALUE" },
		{ "CONFIG_A\n", "bad.conf:1: expected" },
		{ "CONFIG_=y\n", "bad.conf:1: expected" },
		{ "OPTION_A=y\n", "bad.conf:1: expected" },
		{ "CONFIG_A=\n", "bad.conf:1: CONFIG_A: bad value ''" },
		{ "CONFIG_A=yes\n", "bad.conf:1: CONFIG_A: bad value 'yes'" },
		{ "CONFIG_A=\"open\n", "bad.conf:1: CONFIG_A: bad value" },
		{ "CONFIG_A=\"a\"b\"\n", "bad.conf:1: CONFIG_A: bad value" },
		{ "CONFIG_A=0xg\n", "bad.conf:1: CONFIG_A: bad value" },
		{ "CONFIG_A = y\n", "bad.conf:1: expected" },
		{ " CONFIG_A=y\n", "bad.conf:1: expected" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		struct uvm_kconfig c = { 0 };
		struct uvm_error err = { 0 };
		assert_int_equal(parse(&c, v[i].text, "bad.conf", &err),
				 -EINVAL);
		if (!strstr(err.msg, v[i].msg))
			fail_msg("case %zu: '%s' not in '%s'", i, v[i].msg,
				 err.msg);
		uvm_kconfig_done(&c);
	}
	struct uvm_kconfig c = { 0 };
	struct uvm_error err = { 0 };
	assert_int_equal(uvm_kconfig_parse(&c, "CONFIG_A=y\0x", 12, "nul.conf",
					   &err),
			 -EINVAL);
	assert_string_equal(err.msg, "nul.conf:1: NUL byte");
	uvm_kconfig_done(&c);
}

/* Later fragments win; the first-seen order is kept; attribution follows
 * the last assignment. */
static void test_merge_order(void **state)
{
	struct uvm_kconfig c = { 0 };
	struct uvm_error err = { 0 };
	assert_int_equal(parse(&c, "CONFIG_A=y\nCONFIG_B=y\n", NULL, &err), 2);
	assert_int_equal(parse(&c, "CONFIG_C=y\n# CONFIG_A is not set\n",
			       "dir/one.conf", &err),
			 2);
	assert_int_equal(parse(&c, "\nCONFIG_A=m\n", "two.conf", &err), 1);
	assert_int_equal(c.n, 3);
	assert_string_equal(c.v[0].name, "CONFIG_A");
	assert_string_equal(c.v[0].value, "m");
	assert_string_equal(c.v[0].file, "two.conf");
	assert_int_equal(c.v[0].line, 2);
	assert_null(c.v[1].file); /* CONFIG_B from the base */
	assert_string_equal(c.v[2].file, "dir/one.conf");
	uvm_kconfig_done(&c);
}

static void test_check(void **state)
{
	struct uvm_kconfig want = { 0 }, got = { 0 };
	struct uvm_error err = { 0 };
	/* base entries (no origin) are not checked */
	assert_int_equal(parse(&want, "CONFIG_BASE=y\n", NULL, &err), 1);
	assert_int_equal(parse(&want,
			       "CONFIG_OK=y\n"
			       "CONFIG_GONE=y\n"
			       "CONFIG_OFF=y\n"
			       "# CONFIG_FORCED is not set\n"
			       "CONFIG_TRI=m\n"
			       "# CONFIG_HIDDEN is not set\n"
			       "CONFIG_S=\"x\"\n",
			       "f.conf", &err),
			 7);
	assert_int_equal(parse(&got,
			       "CONFIG_OK=y\n"
			       "# CONFIG_OFF is not set\n"
			       "CONFIG_FORCED=y\n"
			       "CONFIG_TRI=y\n"
			       "CONFIG_S=\"x\"\n",
			       NULL, &err),
			 5);
	char *msg = NULL;
	assert_int_equal(uvm_kconfig_check(&want, &got, &msg), 4);
	assert_string_equal(
		msg, "CONFIG_GONE=y (f.conf:2) is gone (unknown option, or its "
		     "dependencies are not met); "
		     "CONFIG_OFF=y (f.conf:3) became not set (its dependencies "
		     "are not met); "
		     "CONFIG_FORCED not set (f.conf:4) became y (selected or "
		     "forced by another option); "
		     "CONFIG_TRI=m (f.conf:5) became y");
	free(msg);

	/* all survived */
	struct uvm_kconfig ok = { 0 };
	assert_int_equal(parse(&ok, "CONFIG_OK=y\n# CONFIG_X is not set\n",
			       "g.conf", &err),
			 2);
	msg = NULL;
	assert_int_equal(uvm_kconfig_check(&ok, &got, &msg), 0);
	assert_null(msg);
	uvm_kconfig_done(&ok);
	uvm_kconfig_done(&want);
	uvm_kconfig_done(&got);
}

static void test_attribution(void **state)
{
	struct uvm_kconfig merged = { 0 }, resolved = { 0 };
	struct uvm_error err = { 0 };
	assert_int_equal(parse(&merged, "CONFIG_A=y\n# CONFIG_B is not set\n",
			       NULL, &err),
			 2);
	assert_int_equal(parse(&merged, "CONFIG_C=y\n", "/x/frags/10-c.conf",
			       &err),
			 1);
	assert_int_equal(parse(&resolved,
			       "CONFIG_A=y\n# CONFIG_B is not set\n"
			       "CONFIG_C=y\nCONFIG_D=y\n",
			       NULL, &err),
			 4);
	char *text = NULL;
	int n = uvm_kconfig_attribution(&merged, &resolved, "tinyconfig", &text);
	assert_true(n > 0);
	assert_int_equal((size_t)n, strlen(text));
	const char *body = strstr(text, "CONFIG_A=y");
	assert_non_null(body);
	assert_string_equal(body, "CONFIG_A=y\ttinyconfig\n"
				  "# CONFIG_B is not set\ttinyconfig\n"
				  "CONFIG_C=y\t10-c.conf:1\n"
				  "CONFIG_D=y\tolddefconfig\n");
	assert_int_equal(text[0], '#');
	free(text);
	uvm_kconfig_done(&merged);
	uvm_kconfig_done(&resolved);
}

/* A fresh directory /tmp/test-kconfig.XXXXXX (in dir) and dir/name in path. */
static void scratch(char dir[32], char path[64], const char *name)
{
	strcpy(dir, "/tmp/test-kconfig.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, 64, "%s/%s", dir, name);
}

/* write then parse back gives the same entries */
static void test_write_roundtrip(void **state)
{
	char dir[32], path[64];
	scratch(dir, path, ".config");
	struct uvm_kconfig a = { 0 }, b = { 0 };
	struct uvm_error err = { 0 };
	const char *text = "CONFIG_A=y\n# CONFIG_B is not set\nCONFIG_C=\"s\"\n";
	assert_int_equal(parse(&a, text, "a.conf", &err), 3);
	assert_int_equal(uvm_kconfig_write(&a, path, &err), 0);
	uint8_t *buf;
	size_t len;
	assert_int_equal(uvm_read_file(path, 1 << 20, &buf, &len, &err), 0);
	assert_string_equal((char *)buf, text);
	free(buf);
	assert_int_equal(uvm_kconfig_load(&b, path, true, &err), 3);
	assert_null(b.v[0].file);
	char *msg = NULL;
	assert_int_equal(uvm_kconfig_check(&a, &b, &msg), 0);
	assert_int_equal(uvm_kconfig_load(&b, "/nonexistent/x", true, &err),
			 -ENOENT);
	unlink(path);
	rmdir(dir);
	uvm_kconfig_done(&a);
	uvm_kconfig_done(&b);
}

static void test_pin(void **state)
{
	char dir[32], path[64];
	scratch(dir, path, "pin");
	struct uvm_error err = { 0 };
	static const char good[] =
		"# comment\npackage=linux-source-6.1\nversion=6.1.192-3\n"
		"file=/usr/src/linux-source-6.1.tar.xz\nsha256="
		"cacdc3830989309d042083be3307969e55600ed7f908cf00df544c5ff50759a1\n";
	assert_int_equal(uvm_write_file_atomic(path, good, strlen(good), 0644,
					       &err),
			 0);
	struct uvm_kernel_pin pin;
	assert_int_equal(uvm_kernel_pin_load(path, &pin, &err), 0);
	assert_string_equal(pin.package, "linux-source-6.1");
	assert_string_equal(pin.version, "6.1.192-3");
	assert_int_equal(pin.sha256[0], 0xca);
	assert_int_equal(pin.sha256[31], 0xa1);
	uvm_kernel_pin_done(&pin);

	static const struct {
		const char *text, *msg;
	} bad[] = {
		{ "package=x\nversion=1\nfile=f\n", "are all required" },
		{ "package=x\nversion=1\nfile=f\nsha256=abc\n",
		  ":4: sha256 is not 64 hex digits" },
		{ "package=x\nurl=y\n", ":2: unknown key 'url'" },
		{ "package x\n", ":1: expected key=value" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(uvm_write_file_atomic(path, bad[i].text,
						       strlen(bad[i].text),
						       0644, &err),
				 0);
		assert_int_equal(uvm_kernel_pin_load(path, &pin, &err),
				 -EINVAL);
		if (!strstr(err.msg, bad[i].msg))
			fail_msg("case %zu: '%s' not in '%s'", i, bad[i].msg,
				 err.msg);
	}
	unlink(path);
	rmdir(dir);
}

static void test_timestamp(void **state)
{
	char buf[32];
	assert_int_equal(uvm_kernel_timestamp(1704067200, buf), 0);
	assert_string_equal(buf, "Mon Jan  1 00:00:00 UTC 2024");
	assert_int_equal(uvm_kernel_timestamp(0, buf), 0);
	assert_string_equal(buf, "Thu Jan  1 00:00:00 UTC 1970");
	assert_int_equal(uvm_kernel_timestamp(1733318119, buf), 0);
	assert_string_equal(buf, "Wed Dec  4 13:15:19 UTC 2024");
	assert_int_equal(uvm_kernel_timestamp(253402300800ull, buf), -ERANGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_values),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_merge_order),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_attribution),
		cmocka_unit_test(test_write_roundtrip),
		cmocka_unit_test(test_pin),
		cmocka_unit_test(test_timestamp),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
