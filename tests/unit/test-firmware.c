/* test-firmware.c — builder/firmware: the compiled-in pin parses to the
 * values of specs/firmware.md, and a table of malformed pins with the
 * message each gives. (The build itself is tested through the CLI:
 * tests/cli/t410*-firmware-*.sh, tests/repro/firmware-repro.sh.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "builder/firmware.h"
#include "common/hex.h"

static void test_default_pin(void **state)
{
	struct uvm_firmware_pin p = { 0 };
	struct uvm_error err = { 0 };
	assert_int_equal(uvm_firmware_pin_parse(uvm_firmware_default_pin,
						"built-in", &p, &err),
			 0);
	assert_string_equal(p.package, "edk2");
	assert_string_equal(p.version, "2025.02-8+deb13u1");
	assert_string_equal(p.suite, "trixie");
	assert_string_equal(p.orig_name, "edk2_2025.02.orig.tar.xz");
	assert_string_equal(p.debian_name,
			    "edk2_2025.02-8+deb13u1.debian.tar.xz");
	char hex[65];
	uvm_hex_encode(p.orig_sha256, 32, hex);
	assert_string_equal(hex, "b63b6053d6d89c74d9291f9e96fde1584be99e6f"
				 "b9c169ba9511505129d6b049");
	uvm_hex_encode(p.debian_sha256, 32, hex);
	assert_string_equal(hex, "e2a7f6fc58640818416a028d6d5e9dfc255697a7"
				 "cdc60c14566c236df6bd9b08");
	uvm_firmware_pin_done(&p);
	uvm_firmware_pin_done(&p); /* idempotent */
}

#define SHA "0000000000000000000000000000000000000000000000000000000000000000"
#define GOOD_TAIL "orig o.tar.xz " SHA "\ndebian d.tar.xz " SHA "\n"

static void test_bad_pins(void **state)
{
	static const struct {
		const char *text;
		const char *msg;
	} v[] = {
		{ "", "p: no 'package' line" },
		{ "package edk2\nversion 1\nsuite s\n" GOOD_TAIL "package x\n",
		  "p:6: 'package' given twice" },
		{ "package edk2 extra\n", "p:1: expected 'package VALUE'" },
		{ "package\n", "p:1: expected 'package VALUE'" },
		{ "\n# c\nflavour x\n", "p:3: unknown key 'flavour'" },
		{ "orig o.tar.xz 00\n", "p:1: bad sha256 '00' (64 hex digits)" },
		{ "orig o.tar.xz " SHA " x\n", "p:1: expected 'orig NAME SHA256'" },
		{ "orig a/o.tar.xz " SHA "\n", "p:1: bad orig 'a/o.tar.xz'" },
		{ "debian .. " SHA "\n", "p:1: bad debian '..'" },
		{ "orig o " SHA "\n" "debian d " SHA "\n" "package p\nversion v\n",
		  "p: no 'suite' line" },
		{ "orig o.tar.xz zz00000000000000000000000000000000000000000000000000000000000000\n",
		  "p:1: bad sha256" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		struct uvm_firmware_pin p = { 0 };
		struct uvm_error err = { 0 };
		assert_int_equal(uvm_firmware_pin_parse(v[i].text, "p", &p, &err),
				 -EINVAL);
		if (strncmp(err.msg, v[i].msg, strlen(v[i].msg)))
			fail_msg("pin %zu: got '%s', want '%s'", i, err.msg,
				 v[i].msg);
		assert_null(p.package); /* untouched on failure */
	}
}

static void test_good_pin_comments(void **state)
{
	struct uvm_firmware_pin p = { 0 };
	assert_int_equal(uvm_firmware_pin_parse(
				 "# top\n  package  edk2\n\n\tversion 1\nsuite s\n" GOOD_TAIL,
				 "p", &p, NULL),
			 0);
	assert_string_equal(p.package, "edk2");
	assert_string_equal(p.version, "1");
	uvm_firmware_pin_done(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_pin),
		cmocka_unit_test(test_bad_pins),
		cmocka_unit_test(test_good_pin_comments),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
