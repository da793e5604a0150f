/* fuzz-tar.c — libFuzzer harness for the archive sources read from memory.
 * The first input byte picks the parser, the rest is its input:
 *   0 tar (any compression) -> tree, then the tree digest (reads back
 *     every spooled member, when the spool is small)
 *   1 .deb (ar + data.tar.*) -> tree
 *   2 OCI image index JSON,  3 OCI image manifest JSON.
 * Any crash, leak or sanitizer report is a bug; errors are expected. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "builder/source-archive.h"
#include "builder/source.h"
#include "builder/tree-digest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t mode = data[0] % 4;
	data++;
	size--;
	struct uvm_error err = { 0 };
	if (mode <= 1) {
		struct uvm_tree *t = NULL;
		if (uvm_tree_new(NULL, &t, &err) < 0)
			abort();
		int r = uvm_source_add_memory(t, "fuzz", data, size,
					      mode == 0 ? UVM_SOURCE_TAR
							: UVM_SOURCE_DEB,
					      NULL, &err);
		/* Sparse members may declare terabytes of holes: digest
		 * only what reads back quickly. */
		if (r == 0 && t->spool_size < (16u << 20)) {
			uint8_t d[32];
			(void)uvm_tree_digest(t, d, &err);
		}
		uvm_tree_free(t);
	} else if (mode == 2) {
		struct uvm_oci_desc d;
		(void)uvm_oci_parse_index(data, size, "fuzz", &d, &err);
	} else {
		struct uvm_oci_desc *l = NULL;
		size_t n = 0;
		if (uvm_oci_parse_manifest(data, size, "fuzz", &l, &n, &err) == 0)
			free(l);
	}
	return 0;
}
