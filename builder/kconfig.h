/* kconfig.h — kernel configuration fragments: parse, merge in order with
 * attribution, and check that what was asked for survived `olddefconfig`.
 *
 * A fragment (and a full .config) is a sequence of lines:
 *   CONFIG_NAME=VALUE           VALUE: y, m, n, a number (decimal or 0x hex)
 *                               or a "double-quoted string" with \" and \\
 *   # CONFIG_NAME is not set    same as CONFIG_NAME=n
 *   # any other comment, or an empty line
 * Anything else is an error naming FILE:LINE. "=n" and "is not set" are
 * stored as "not set" (value NULL): Kconfig writes them the same way.
 *
 * Why the check matters: merging fragments and running olddefconfig silently
 * drops an option whose dependencies are not met (or which does not exist on
 * this architecture or kernel version). uvm_kconfig_check() names every
 * requested option whose resolved value differs, with the fragment line
 * that asked for it.
 *
 * Ownership: a struct uvm_kconfig owns its entries and their strings;
 * uvm_kconfig_done() releases them. Entries keep their first-seen order;
 * a later assignment to the same name replaces value and origin in place.
 */
#ifndef UVM_KCONFIG_H
#define UVM_KCONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"

struct uvm_kconfig_entry {
	char *name;  /* "CONFIG_EXT4_FS" */
	char *value; /* "y", "m", "0x1000", "\"text\"" (quotes kept), or NULL
		      * for "not set" */
	char *file;  /* the fragment that set it (as given), NULL for a base */
	unsigned line;
};

struct uvm_kconfig {
	struct uvm_kconfig_entry *v;
	size_t n, cap;
};

void uvm_kconfig_done(struct uvm_kconfig *c);

/* Parse text (len bytes, need not be NUL-terminated) and apply it to c in
 * order. origin is the file name used in messages and attribution; NULL
 * marks the entries as coming from a base config (no attribution). Returns
 * the number of assignments applied, or -EINVAL with "FILE:LINE: ..." on
 * a malformed line. On failure c may hold the lines before the bad one. */
int uvm_kconfig_parse(struct uvm_kconfig *c, const char *text, size_t len,
		      const char *origin, struct uvm_error *err);

/* uvm_kconfig_parse() of a file (at most 16 MiB). as_base: do not record
 * the file as origin (a base or resolved .config). */
int uvm_kconfig_load(struct uvm_kconfig *c, const char *path, bool as_base,
		     struct uvm_error *err);

/* The entry for name ("CONFIG_X"), or NULL when c never mentions it. */
const struct uvm_kconfig_entry *uvm_kconfig_get(const struct uvm_kconfig *c,
						const char *name);

/* Set name to value (NULL: not set) with the given origin; copies strings.
 * Returns 0 or -ENOMEM. */
int uvm_kconfig_set(struct uvm_kconfig *c, const char *name,
		    const char *value, const char *file, unsigned line);

/* Write c as a .config (one line per entry, in order; not-set entries as
 * "# CONFIG_X is not set") to path atomically. */
int uvm_kconfig_write(const struct uvm_kconfig *c, const char *path,
		      struct uvm_error *err);

/* Compare every entry of requested that has an origin (a fragment line)
 * with resolved. Returns the number of requested options that did not
 * survive (0: all did); when > 0 and ret_msg is non-NULL, *ret_msg is a
 * malloc'd one-line message naming each, e.g.
 *   "CONFIG_FOO=y (x.conf:3) is not set (unknown option or unmet
 *    dependency); CONFIG_BAR not set (y.conf:7) is y"
 * Returns -ENOMEM on allocation failure. */
int uvm_kconfig_check(const struct uvm_kconfig *requested,
		      const struct uvm_kconfig *resolved, char **ret_msg);

/* The attribution text for a resolved config, one line per resolved
 * option in resolved's order:
 *   CONFIG_X=VALUE<TAB>SOURCE        (or "# CONFIG_X is not set<TAB>SOURCE")
 * SOURCE is "FRAGMENT:LINE" (the fragment's base name) when a fragment
 * of merged requested that value, base_name (e.g. "tinyconfig") when the
 * value comes unchanged from merged's base entries (origin NULL), and
 * "olddefconfig" otherwise (a default, or selected by another option). A
 * header comment explains the columns. *ret is malloc'd and NUL-terminated.
 * Returns its length or -ENOMEM. */
int uvm_kconfig_attribution(const struct uvm_kconfig *merged,
			    const struct uvm_kconfig *resolved,
			    const char *base_name, char **ret);

#endif
