/* sevhashes.c — SEV hashes table and page (see sevhashes.h). The layout is
 * QEMU's (target/i386/sev.c, struct SevHashTable): GUID-tagged entries of
 * u16 length 50 each, preceded by the table GUID and total length 168. */
#include "sevhashes.h"

#include <errno.h>
#include <string.h>

#include "../common/hash.h"
#include "ovmf.h"

static const uint8_t guid_table[16] =
	UVM_GUID(0x9438d606, 0x4f22, 0x4cc9, 0xb4, 0x79, 0xa7, 0x93, 0xd4, 0x11, 0xfd, 0x21);
static const uint8_t guid_cmdline[16] =
	UVM_GUID(0x97d02dd8, 0xbd20, 0x4c94, 0xaa, 0x78, 0xe7, 0x71, 0x4d, 0x36, 0xab, 0x2a);
static const uint8_t guid_initrd[16] =
	UVM_GUID(0x44baf731, 0x3a2f, 0x4bd7, 0x9a, 0xf1, 0x41, 0xe2, 0x91, 0x69, 0x78, 0x1d);
static const uint8_t guid_kernel[16] =
	UVM_GUID(0x4de79437, 0xabd2, 0x427f, 0xb8, 0x35, 0xd5, 0xb1, 0x72, 0xd2, 0x04, 0x5b);

#define ENTRY_LEN 50u /* GUID + u16 + SHA-256 */

int uvm_sev_hashes_cmdline(const char *cmdline, uint8_t out[32])
{
	if (!cmdline)
		cmdline = "";
	/* The string's own terminating NUL is the appended byte. */
	return uvm_sha256(cmdline, strlen(cmdline) + 1, out);
}

int uvm_sev_hashes_from_files(struct uvm_sev_hashes *h, const char *kernel,
			      const char *initrd, const char *cmdline,
			      struct uvm_error *err)
{
	int r = uvm_file_digests(kernel, h->kernel, NULL, err);
	if (r < 0)
		return r;
	if (initrd)
		r = uvm_file_digests(initrd, h->initrd, NULL, err);
	else
		r = uvm_sha256("", 0, h->initrd);
	if (r < 0)
		return r;
	r = uvm_sev_hashes_cmdline(cmdline, h->cmdline);
	if (r < 0)
		return uvm_errorf(err, r, "SHA-256 failed");
	return 0;
}

static uint8_t *entry(uint8_t *p, const uint8_t guid[16], const uint8_t hash[32])
{
	memcpy(p, guid, 16);
	p[16] = ENTRY_LEN & 0xff;
	p[17] = ENTRY_LEN >> 8;
	memcpy(p + 18, hash, 32);
	return p + ENTRY_LEN;
}

void uvm_sev_hashes_table(const struct uvm_sev_hashes *h,
			  uint8_t out[UVM_SEV_HASHES_PADDED_LEN])
{
	memset(out, 0, UVM_SEV_HASHES_PADDED_LEN);
	memcpy(out, guid_table, 16);
	out[16] = UVM_SEV_HASHES_TABLE_LEN & 0xff;
	out[17] = UVM_SEV_HASHES_TABLE_LEN >> 8;
	uint8_t *p = out + 18;
	p = entry(p, guid_cmdline, h->cmdline);
	p = entry(p, guid_initrd, h->initrd);
	entry(p, guid_kernel, h->kernel);
}

int uvm_sev_hashes_page(const struct uvm_sev_hashes *h, uint32_t off,
			uint8_t page[4096], struct uvm_error *err)
{
	if ((uint64_t)off + UVM_SEV_HASHES_PADDED_LEN > 4096)
		return uvm_errorf(err, -EINVAL,
				  "SEV hashes table at page offset 0x%x crosses its page (0x%x + %u > 4096)",
				  off, off, UVM_SEV_HASHES_PADDED_LEN);
	memset(page, 0, 4096);
	uvm_sev_hashes_table(h, page + off);
	return 0;
}
