/* amdcert.h — the AMD certificate chain behind an SEV-SNP report, and the
 * report signature: ARK (pinned) -> ASK -> VCEK or ARK -> ASVK -> VLEK,
 * RSASSA-PSS certificates and an ECDSA P-384 report signature, checked with
 * OpenSSL at a given time. Rules: shared/specs/snp-report.md §4, §5, §7.
 *
 * Certificates are collected into a set (files, PEM bundles, DER files,
 * GHCB certificate tables or directories of them; separate files in any
 * order, a PEM bundle holding one chain leaf first); roles are found from
 * the subject CN (ARK-<Gen>, SEV-<Gen>, SEV-VLEK-<Gen>, SEV-VCEK, SEV-VLEK)
 * and linked by issuer/subject name, as `openssl verify -untrusted` does. The set is
 * judged as a whole: a certificate that is not an AMD one, two different
 * VCEKs, or certificates of two product lines are errors (one line), not
 * failed checks.
 *
 * The trust anchor is the built-in ARK of the product line (amdroots.h), or
 * the one given explicitly; an ARK inside the chain is only compared with it.
 * A missing ASK/ASVK is taken from the built-in copies (they are checked
 * against the ARK like any other).
 *
 * Ownership: an amd_certset owns its X509 objects; free it with
 * amd_certset_free (or _cleanup_certset_).
 */
#ifndef UVM_MEASURE_AMDCERT_H
#define UVM_MEASURE_AMDCERT_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <openssl/x509.h>

#include "common/error.h"
#include "snpreport.h"

enum amd_cert_kind {
	AMD_CERT_ARK = 0,
	AMD_CERT_ASK,
	AMD_CERT_ASVK,
	AMD_CERT_VCEK,
	AMD_CERT_VLEK,
};

/* "ARK", "ASK", "ASVK", "VCEK", "VLEK". */
const char *amd_cert_kind_name(enum amd_cert_kind k);

struct amd_cert {
	X509 *x509;
	enum amd_cert_kind kind;
	enum snp_product product; /* from the CN; UNKNOWN for VCEK/VLEK */
	char cn[64];
	char source[256]; /* "file.pem" or "file.pem[2]" (1-based) */
};

#define AMD_CERTSET_MAX 16

struct amd_certset {
	size_t n;
	struct amd_cert c[AMD_CERTSET_MAX];
};

void amd_certset_free(struct amd_certset *s);
static inline void cleanup_certset(struct amd_certset *s)
{
	amd_certset_free(s);
}
#define _cleanup_certset_ _cleanup_(cleanup_certset)

/* Add the certificates in buf: one DER certificate, PEM text with one or
 * more CERTIFICATE blocks, or a GHCB certificate table (24-byte entries
 * GUID/offset/length ended by a zero entry, as SNP_GET_EXT_REPORT and the
 * configfs-tsm auxblob return; VCEK, VLEK, ASK and ARK GUIDs). name labels
 * them in messages. A byte-identical duplicate of a certificate already in
 * the set is dropped. Returns the number added (>= 0), or -EINVAL for
 * garbage, a certificate that is not an AMD SEV one, a chain bundle out of
 * order (not leaf first), or a full set, with a one-line message. */
int amd_certset_add_mem(struct amd_certset *s, const uint8_t *buf, size_t len,
			const char *name, struct uvm_error *err);

/* Add path: a certificate file (as above) or a directory, whose *.pem,
 * *.der, *.crt and *.cer files are added in name order (CRLs among them are
 * skipped). */
int amd_certset_add_path(struct amd_certset *s, const char *path,
			 struct uvm_error *err);

/* The AMD extensions of a VCEK/VLEK (1.3.6.1.4.1.3704.1.*), looked up by
 * OID. Absent fields have their has_* flag false. */
struct amd_vek_ext {
	bool has_struct_version;
	int64_t struct_version;
	char product_name[64]; /* "" when absent */
	bool has_bl, has_tee, has_snp, has_ucode, has_fmc;
	uint8_t bl, tee, snp, ucode, fmc;
	size_t hwid_len;	/* 0 when absent; 64 (Milan/Genoa) or 8 (Turin) */
	uint8_t hwid[64];
	bool hwid_octet_string; /* wrapped as DER OCTET STRING, not raw */
	char csp_id[128];	/* VLEK only, "" when absent */
};

/* Parse the extensions of x. Returns 0, or -EBADMSG for a malformed value
 * (an SPL that is not a small DER INTEGER, a hwID of another length, a
 * repeated extension). */
int amd_vek_ext_parse(X509 *x, struct amd_vek_ext *ret, struct uvm_error *err);

struct amd_verify_opts {
	time_t at;		  /* validity time */
	enum snp_product product; /* UNKNOWN: from the report and certificates */
	/* The trust anchor when not built-in: a set holding exactly one ARK
	 * (from --ark), or NULL. ark_source names it in the results. */
	const struct amd_certset *ark;
};

/* Verify the chain of certs and, when r is non-NULL, the report against it:
 * pinned ARK, ARK self-signature, ARK -> ASK/ASVK, ASK/ASVK -> VEK, validity
 * of each at o->at, OpenSSL's X509_verify_cert at o->at, SIGNING_KEY vs the
 * certificate type, the VEK's SPLs vs REPORTED_TCB and hwID vs CHIP_ID, the
 * report's ECDSA signature, and (Azure HCL) REPORT_DATA vs the runtime data.
 * Results are appended to out; *ret_product (may be NULL) gets the product
 * line. Returns 0 when the checks ran (some may have failed: see
 * snp_checks_failed), or a negative errno with a one-line message when the
 * inputs cannot be judged (no VEK, chain of another product line, report
 * generation different from the certificates', unknown product line). */
int amd_verify(const struct snp_report *r, const struct amd_certset *certs,
	       const struct amd_verify_opts *o, struct snp_checks *out,
	       enum snp_product *ret_product, struct uvm_error *err);

/* Verify the report signature alone with the public key of vek (EC P-384):
 * 1 valid, 0 invalid, negative errno if the key is unusable. */
int amd_report_signature_verify(const struct snp_report *r, X509 *vek,
				struct uvm_error *err);

#endif
