/* test-recipe.c — unit tests for builder/recipe.c: vCPU lists, the
 * canonical form (a fixed point: parsing it gives the same text), error
 * lines, the seed's dependence on the recipe and on every input digest. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "builder/recipe.h"

static void test_vcpus(void **state)
{
	static const struct {
		const char *in;
		const char *out; /* space-separated, NULL = error */
	} v[] = {
		{ "1", "1" },	  { "1-3", "1 2 3" },   { "4,1-2", "1 2 4" },
		{ "2 2 1", "1 2" }, { "512", "512" }, { "0", NULL },
		{ "513", NULL },  { "3-1", NULL },	{ "x", NULL },
		{ "", NULL },	  { "1-", NULL },	{ "-1", NULL },
	};
	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		unsigned *a = NULL;
		size_t n = 0;
		char buf[64] = "";
		int r = uvm_recipe_parse_vcpus(v[i].in, &a, &n);

		if (!v[i].out) {
			assert_int_equal(r, -EINVAL);
			continue;
		}
		assert_int_equal(r, 0);
		for (size_t j = 0; j < n; j++)
			snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%u", j ? " " : "", a[j]);
		assert_string_equal(buf, v[i].out);
		free(a);
	}
}

static const char base[] =
	"[Recipe]\nEpoch=5\n"
	"[Kernel]\nFile=k\nSha256=" "0000000000000000000000000000000000000000000000000000000000000001\n"
	"[Rootfs]\nSource=dir:overlay\nSource=t.tar sha256:0000000000000000000000000000000000000000000000000000000000000002\n"
	"[Cmdline]\nExtra=a b\n  c\n"
	"[Firmware]\nFile=fw\nSha256=0000000000000000000000000000000000000000000000000000000000000003\n"
	"[Measure]\nVCPUs=4,1-2\nCPUTypes=EPYC-Milan\n";

static void test_canonical_fixed_point(void **state)
{
	struct uvm_recipe *r = NULL, *r2 = NULL;
	struct uvm_error err = { 0 };
	char *c1 = NULL, *c2 = NULL;

	assert_int_equal(uvm_recipe_parse_text(base, strlen(base), "b.ini", "/x", NULL, &r, &err), 0);
	assert_string_equal(r->rootfs.v[0].resolved, "/x/overlay");
	assert_int_equal(r->rootfs.v[0].kind, UVM_SOURCE_DIR);
	assert_string_equal(r->cmdline_extra, "a b c");
	assert_int_equal(uvm_recipe_canonical(r, &c1, &err), 0);
	assert_non_null(strstr(c1, "\nVCPUs=1-2,4\n"));
	assert_non_null(strstr(c1, "\nExtra=a\nExtra=b\nExtra=c\n"));
	assert_non_null(strstr(c1, "\nGuestFeatures=0x1\nPolicy=0x30000\n"));
	assert_non_null(strstr(c1, "\nLayout=kata\nAlignMiB=128\n"));
	assert_int_equal(uvm_recipe_parse_text(c1, strlen(c1), "c.ini", "/x", NULL, &r2, &err), 0);
	assert_int_equal(uvm_recipe_canonical(r2, &c2, &err), 0);
	assert_string_equal(c1, c2);
	free(c1);
	free(c2);
	uvm_recipe_free(r);
	uvm_recipe_free(r2);
}

static void test_errors(void **state)
{
	static const struct {
		const char *text, *msg;
	} v[] = {
		{ "[Recipe]\nName=a b\n", "e.ini:2: Name: expected a word without spaces or '/'" },
		{ "[Recipe]\n[Nope]\n", "e.ini:2: unknown section [Nope]" },
		{ "[Recipe]\nname=x\n", "e.ini:2: unknown key 'name' in [Recipe]" },
		{ "[Kernel]\nFile=a\nSource=b\n", "e.ini:3: [Kernel] has both File= and Source=" },
		{ "[Kernel]\nFile=a b\n", "e.ini:2: File: expected one PATH (the pin goes in its own Sha256= key)" },
		{ "[Rootfs]\nPackage=a 1 amd64\n", "e.ini:2: Package: expected NAME VERSION ARCH sha256:HEX, got 'a 1 amd64'" },
		{ "[Rootfs]\nSize=1000\n", "e.ini:2: Size: expected 'auto' or a multiple of 4096 bytes (N, NK, NM, NG)" },
		{ "[Cmdline]\nExtra=a=\"b c\"\n", "e.ini:2: Extra: quotes are not supported in kernel parameters" },
		{ "[Recipe]\nName=x\0", "e.ini: not a text file (NUL byte)" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		struct uvm_recipe *r = NULL;
		struct uvm_error err = { 0 };
		size_t len = strlen(v[i].text) + (i == ARRAY_SIZE(v) - 1);

		assert_int_equal(uvm_recipe_parse_text(v[i].text, len, "e.ini", ".", NULL, &r, &err), -EINVAL);
		assert_null(r);
		assert_string_equal(err.msg, v[i].msg);
	}
}

static void test_seed(void **state)
{
	struct uvm_recipe_digest d[2] = {
		{ .kind = "recipe", .name = "recipe.ini" },
		{ .kind = "package", .name = "busybox-static" },
	};
	struct uvm_recipe_digests ds = { .v = d, .n = 2 };
	uint8_t s1[32], s2[32], s3[32];

	assert_int_equal(uvm_recipe_seed("[Recipe]\n", &ds, s1), 0);
	d[1].sha256[31] = 1;
	assert_int_equal(uvm_recipe_seed("[Recipe]\n", &ds, s2), 0);
	assert_memory_not_equal(s1, s2, 32);
	assert_int_equal(uvm_recipe_seed("[Recipe]\n\n", &ds, s3), 0);
	assert_memory_not_equal(s2, s3, 32);
	assert_int_equal(uvm_recipe_seed("[Recipe]\n", &ds, s3), 0);
	assert_memory_equal(s2, s3, 32);
}

static void test_default_recipe(void **state)
{
	struct uvm_recipe *r = NULL;
	struct uvm_error err = { 0 };

	assert_int_equal(uvm_recipe_parse_text(uvm_recipe_default_text,
					       strlen(uvm_recipe_default_text), "<default>",
					       "/src", "/dl", &r, &err), 0);
	assert_int_equal(r->n_vcpus, 8);
	assert_int_equal(r->n_cpu_types, 3);
	assert_int_equal(r->kernel_mode, UVM_RECIPE_BUILD);
	assert_int_equal(r->firmware_mode, UVM_RECIPE_BUILD);
	assert_string_equal(r->rootfs.v[0].resolved,
			    "/dl/busybox-static_1.35.0-4+deb12u1+b1_amd64.deb");
	assert_string_equal(r->rootfs.v[1].resolved, "/src/rootfs/minimal/overlay");
	uvm_recipe_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vcpus),
		cmocka_unit_test(test_canonical_fixed_point),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_seed),
		cmocka_unit_test(test_default_recipe),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
