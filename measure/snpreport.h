/* snpreport.h — AMD SEV-SNP attestation reports: parsing, decoding, and the
 * list of named check results that `uvmkit report verify` prints.
 *
 * Layout and rules: shared/specs/snp-report.md (AMD SEV-SNP Firmware ABI,
 * document 56860, ATTESTATION_REPORT, VERSION 2, 3 and 5). A report is
 * 0x4A0 = 1184 little-endian bytes; the signature covers 0x000..0x29F.
 *
 * Parsing is strict: a report is accepted only if it is complete, its
 * VERSION is 2..5, SIGNATURE_ALGO is 1, the SIGNING_KEY field is not a
 * reserved value and every must-be-zero range of its version is zero. A
 * report that fails any of these never reaches the verifier.
 *
 * Ownership: struct snp_report is a plain value (it holds a copy of the
 * 1184 bytes and of every field); it may be copied, nothing needs freeing.
 * The verifier hashes raw and reads the signature from sig_r/sig_s, so a
 * caller that edits a parsed report must parse it again.
 */
#ifndef UVM_MEASURE_SNPREPORT_H
#define UVM_MEASURE_SNPREPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "common/error.h"

#define SNP_REPORT_SIZE 0x4A0	    /* 1184 */
#define SNP_REPORT_SIGNED_LEN 0x2A0 /* bytes covered by the signature */
#define SNP_HCL_REPORT_OFFSET 0x20  /* Azure HCL wrapper: report position */

/* CPU product line (the AMD KDS product segment). */
enum snp_product {
	SNP_PRODUCT_UNKNOWN = 0,
	SNP_PRODUCT_MILAN,
	SNP_PRODUCT_GENOA,
	SNP_PRODUCT_TURIN,
};

/* "Milan", "Genoa", "Turin" or "unknown". */
const char *snp_product_name(enum snp_product p);
/* Parse a product line name, case-insensitive; a stepping suffix as in
 * "Milan-B0" is ignored, and "Bergamo"/"Siena" mean Genoa (their KDS
 * product). Returns the product or -EINVAL. */
int snp_product_parse(const char *s);

/* SIGNING_KEY values of the key-info word (bits 4:2). */
enum snp_signing_key {
	SNP_SIGNING_KEY_VCEK = 0,
	SNP_SIGNING_KEY_VLEK = 1,
	SNP_SIGNING_KEY_NONE = 7,
};

/* A TCB_VERSION decoded with the layout of a CPU generation: Milan/Genoa
 * (bl, tee, snp, ucode at bytes 0, 1, 6, 7) or Turin (fmc, bl, tee, snp,
 * ucode at bytes 0, 1, 2, 3, 7). has_fmc tells which. */
struct snp_tcb {
	uint64_t raw; /* the 8 bytes read as a little-endian u64 */
	bool has_fmc; /* Turin layout */
	uint8_t fmc, bl, tee, snp, ucode;
};

/* Decode raw with the layout of product (UNKNOWN uses the Milan/Genoa
 * layout, the one every VERSION 2 report has). */
void snp_tcb_decode(uint64_t raw, enum snp_product product,
		    struct snp_tcb *ret);

/* Where the report was found in the input. */
enum snp_wrapper {
	SNP_WRAPPER_NONE = 0,
	SNP_WRAPPER_AZURE_HCL, /* "HCLA" header, report at 0x20 */
	SNP_WRAPPER_HEX,       /* the 1184 bytes as hex text */
};

struct snp_report {
	uint8_t raw[SNP_REPORT_SIZE]; /* the report bytes as found */
	enum snp_wrapper wrapper;
	size_t offset;	       /* position of raw in the input */
	size_t trailing;       /* input bytes after the report (not signed) */
	/* Azure HCL only: the runtime-data JSON, kept as its length and
	 * SHA-256 (which REPORT_DATA[0:32] must equal). */
	bool hcl_has_runtime;
	uint8_t hcl_runtime_sha256[32];
	uint32_t hcl_runtime_len;

	uint32_t version, guest_svn, vmpl, sig_algo, key_info;
	uint64_t policy, platform_info;
	uint64_t current_tcb, reported_tcb, committed_tcb, launch_tcb;
	uint64_t launch_mit_vector, current_mit_vector; /* v5 only, else 0 */
	bool has_cpuid;					/* VERSION >= 3 */
	uint8_t cpuid_fam, cpuid_mod, cpuid_step;
	uint8_t current_fw[3], committed_fw[3]; /* major, minor, build */
	/* Copies of the byte-string fields (raw stays the signed original). */
	uint8_t family_id[16], image_id[16];
	uint8_t report_data[64];
	uint8_t measurement[48];
	uint8_t host_data[32];
	uint8_t id_key_digest[48], author_key_digest[48];
	uint8_t report_id[32], report_id_ma[32];
	uint8_t chip_id[64];
	uint8_t sig_r[72], sig_s[72]; /* little-endian, as stored */
};

/* Policy bits (u64 at 0x08). */
#define SNP_POLICY_SMT (1ULL << 16)
#define SNP_POLICY_RESERVED_1 (1ULL << 17)
#define SNP_POLICY_MIGRATE_MA (1ULL << 18)
#define SNP_POLICY_DEBUG (1ULL << 19)
#define SNP_PLATFORM_SMT_EN (1ULL << 0)

/* Parse a report out of buf (len bytes). offset is the report's position,
 * or SIZE_MAX to recognise it: an Azure HCL header ("HCLA") puts it at 0x20,
 * hex text (2368 hex digits, whitespace ignored) is decoded, anything else
 * starts at 0. Bytes after the report are allowed (Constellation appends
 * 20) and counted in ->trailing. On failure returns -EINVAL (malformed) or
 * -EBADMSG (well-formed but not acceptable: version, reserved fields) with
 * a one-line message; ret is untouched. */
int snp_report_parse(const uint8_t *buf, size_t len, size_t offset,
		     struct snp_report *ret, struct uvm_error *err);

/* The product line the report itself states: from CPUID_FAM_ID/MOD_ID on
 * VERSION >= 3 (family 0x19 model 0x00-0x0F Milan, 0x10-0x1F or 0xA0-0xAF
 * Genoa; family 0x1A model 0x00-0x11 Turin), UNKNOWN on VERSION 2 or an
 * unlisted CPU. */
enum snp_product snp_report_product(const struct snp_report *r);

/* SIGNING_KEY (bits 4:2 of the key-info word). */
static inline unsigned snp_report_signing_key(const struct snp_report *r)
{
	return (r->key_info >> 2) & 7;
}

/* The report decoded as JSON (every field, policy/platform/key-info bits by
 * name, TCBs with the layout of product; pass SNP_PRODUCT_UNKNOWN to use the
 * report's own CPUID: an unlisted CPU of family 0x1A or later gets the Turin
 * layout, a VERSION 2 report the Milan/Genoa one). Keys are in a fixed
 * order. Returns a new reference or NULL on allocation failure. */
json_t *snp_report_to_json(const struct snp_report *r, enum snp_product product);

/* ---- check results ---------------------------------------------------
 * What a verification produced: an ordered list of named checks, each
 * passed or failed with a one-line detail. Filled by amdcert.h and
 * reportcheck.h, printed by the CLI. */
#define SNP_CHECKS_MAX 48

struct snp_check {
	char name[32];
	bool pass;
	char detail[480];
};

struct snp_checks {
	size_t n;
	struct snp_check c[SNP_CHECKS_MAX];
};

/* Append a check (silently dropped past SNP_CHECKS_MAX, which no caller
 * reaches). Returns pass. */
bool snp_checks_add(struct snp_checks *l, const char *name, bool pass,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Number of failed checks. */
size_t snp_checks_failed(const struct snp_checks *l);
/* The first check named name, or NULL. */
const struct snp_check *snp_checks_find(const struct snp_checks *l,
					const char *name);
/* [{"name":..,"pass":..,"detail":..},...]; NULL on allocation failure. */
json_t *snp_checks_to_json(const struct snp_checks *l);

#endif
