/* sevhashes.h — the SEV hashes table QEMU places in guest memory for a
 * measured direct boot (kernel-hashes=on), and the 4 KiB page containing it
 * that the SNP launch digest measures (specs/snp-launch-digest.md §5.1).
 *
 * The table holds three SHA-256 values in the order cmdline, initrd,
 * kernel. The command line is hashed with one trailing NUL byte; a missing
 * initrd hashes as the empty string. The 168-byte table is padded with zeros
 * to 176 bytes; the padded form is what is measured (and what a QEMU
 * `-device loader` must inject, specs/firmware.md).
 */
#ifndef UVM_MEASURE_SEVHASHES_H
#define UVM_MEASURE_SEVHASHES_H

#include <stddef.h>
#include <stdint.h>

#include "../common/error.h"

#define UVM_SEV_HASHES_TABLE_LEN 168u	  /* counted in the table header */
#define UVM_SEV_HASHES_PADDED_LEN 176u	  /* measured / injected size */

struct uvm_sev_hashes {
	uint8_t cmdline[32];
	uint8_t initrd[32];
	uint8_t kernel[32];
};

/* SHA-256 of cmdline (UTF-8 bytes as given, NULL = "") with a NUL appended. */
int uvm_sev_hashes_cmdline(const char *cmdline, uint8_t out[32]);

/* Compute all three: kernel and initrd are file paths (initrd may be NULL),
 * cmdline may be NULL. Errors name the file. */
int uvm_sev_hashes_from_files(struct uvm_sev_hashes *h, const char *kernel,
			      const char *initrd, const char *cmdline,
			      struct uvm_error *err);

/* Write the 176-byte padded table. */
void uvm_sev_hashes_table(const struct uvm_sev_hashes *h,
			  uint8_t out[UVM_SEV_HASHES_PADDED_LEN]);

/* Build the 4096-byte page: zeros with the padded table at byte offset off.
 * -EINVAL (message on err) if off + 176 > 4096. */
int uvm_sev_hashes_page(const struct uvm_sev_hashes *h, uint32_t off,
			uint8_t page[4096], struct uvm_error *err);

#endif
