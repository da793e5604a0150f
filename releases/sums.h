/* sums.h — SHA256SUMS / SHA384SUMS in GNU coreutils format.
 *
 * One line per artifact: <lowercase hex digest><space><space><name>\n,
 * sorted by name bytewise (LC_ALL=C), nothing else (specs/signing.md §2(i)).
 * `sha256sum -c SHA256SUMS` and `sha384sum -c SHA384SUMS` check them.
 */
#ifndef UVM_SUMS_H
#define UVM_SUMS_H

#include <stddef.h>
#include <stdint.h>

#include "../common/error.h"
#include "manifest.h"

#define UVM_SUMS_MAX_SIZE (4u << 20)

enum uvm_sums_alg {
	UVM_SUMS_SHA256,
	UVM_SUMS_SHA384,
};

/* "SHA256SUMS" / "SHA384SUMS". */
const char *uvm_sums_file_name(enum uvm_sums_alg alg);

/* Format the SUMS text for sorted subjects. *ret is malloc'd; *ret_len its
 * length. 0 or -ENOMEM. */
int uvm_sums_format(const struct uvm_subject *s, size_t n, enum uvm_sums_alg alg,
		    char **ret, size_t *ret_len);

/* One parsed line. name is malloc'd. */
struct uvm_sums_entry {
	char *name;
	uint8_t digest[UVM_SHA384_LEN]; /* the first 32 bytes for SHA-256 */
};

/* Parse SUMS text strictly: every line exactly <hex of the algorithm's
 * length, lowercase><2 spaces><valid subject name>\n, names strictly
 * increasing. -EINVAL with the line number on anything else. */
int uvm_sums_parse(const void *buf, size_t len, enum uvm_sums_alg alg,
		   struct uvm_sums_entry **ret, size_t *ret_n,
		   struct uvm_error *err);

void uvm_sums_free(struct uvm_sums_entry *e, size_t n);

#endif
