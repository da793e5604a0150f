/* reportcheck.h — an SEV-SNP report against what a release promises: the
 * launch digest(s) of a signed uvmkit release (verified first with the
 * release's public keys, releases/verify.h), or of an unverified
 * measurements.json, an expected
 * HOST_DATA (or the SHA-256 of a policy file, as Kata/AKS compute it), the
 * guest POLICY bits (debug, SMT, minimum ABI), a minimum TCB and firmware
 * version, REPORT_DATA and VMPL. Spec: shared/specs/snp-report.md §7 step 6.
 *
 * These checks read only the report's fields; they mean something only once
 * amdcert.h has verified the report's signature and chain.
 */
#ifndef UVM_MEASURE_REPORTCHECK_H
#define UVM_MEASURE_REPORTCHECK_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "snpreport.h"

/* A minimum TCB: either raw TCB_VERSION bytes (decoded with the report's
 * layout) or named components; -1 = not constrained. */
struct snp_min_tcb {
	bool is_raw;
	uint64_t raw;
	int fmc, bl, tee, snp, ucode;
};

/* Parse "bl=3,tee=0,snp=8,ucode=115[,fmc=0]" (any subset, any order) or 16
 * hex digits (the 8 bytes as stored in the report, as cases.json's
 * reported_tcb_hex). Returns 0 or -EINVAL with a message. */
int snp_min_tcb_parse(const char *s, struct snp_min_tcb *ret,
		      struct uvm_error *err);

struct snp_release_opts {
	/* A signed uvmkit release directory. It is verified as `uvmkit verify
	 * --pub keydir DIR` does (DSSE envelope and Sigstore bundle, SUMS and
	 * their minisign signatures, every artifact's sha256/sha384, every
	 * launch digest re-derived from the artifacts): check "release". Then
	 * MEASUREMENT is looked up among the launch_digests of the verified
	 * manifest.intoto.json: check "manifest-measurement". Needs keydir
	 * (dsse.pub, minisign.pub). NULL: none. */
	const char *release_dir;
	const char *keydir;
	/* An unverified file with launch digests: measurements.json
	 * ("measurements") or a manifest ("launch_digests", also under
	 * "predicate"), or a directory holding one of those two names; check
	 * "measurements-file". Nothing vouches for its content. NULL: none. */
	const char *measurements;
	bool has_measurement;
	uint8_t measurement[48];
	bool has_host_data;
	uint8_t host_data[32];
	const char *policy_file; /* HOST_DATA = SHA-256(file); NULL: none */
	bool allow_debug;	 /* otherwise POLICY.DEBUG must be 0 */
	bool no_smt;		 /* PLATFORM_INFO.SMT_EN must be 0 */
	bool has_min_abi;
	uint8_t min_abi_major, min_abi_minor;
	bool has_min_fw;
	uint8_t min_fw[3]; /* major, minor, build */
	bool has_min_tcb;
	struct snp_min_tcb min_tcb;
	size_t report_data_len; /* 0: not checked; else 1..64, zero-padded */
	uint8_t report_data[64];
	int vmpl; /* -1: not checked */
};

/* Append the release checks to out. The POLICY.DEBUG check always runs;
 * the others run when their option is set. product selects the TCB layout.
 * A release that does not verify is a failed check, not an error. Returns
 * 0, or a negative errno with a message when an input cannot be read
 * (release_dir without keydir, a public key missing or unreadable, the
 * measurements file missing or malformed, policy file unreadable). */
int snp_release_check(const struct snp_report *r, enum snp_product product,
		      const struct snp_release_opts *o, struct snp_checks *out,
		      struct uvm_error *err);

#endif
