/* amdroots.h — the AMD certificates uvmkit trusts without being told: the
 * ARK (root, pinned) of each product line, and its ASK (VCEK intermediate)
 * and ASVK (VLEK intermediate), used when a chain arrives without them.
 *
 * Data only (PEM text in static storage, never freed). Origins are recorded
 * in amdroots.c. The ARKs are the trust anchors of `uvmkit report verify`;
 * an ARK that arrives with the evidence is compared with these, never
 * trusted on its own.
 */
#ifndef UVM_MEASURE_AMDROOTS_H
#define UVM_MEASURE_AMDROOTS_H

#include <stddef.h>

#include "snpreport.h"

enum amd_role {
	AMD_ROLE_ARK = 0, /* AMD Root Key, self-signed */
	AMD_ROLE_ASK,	  /* AMD SEV Key, signs VCEKs */
	AMD_ROLE_ASVK,	  /* AMD SEV VLEK Key, signs VLEKs */
};

struct amd_root {
	enum snp_product product;
	enum amd_role role;
	const char *cn;		 /* subject CN, e.g. "ARK-Milan" */
	const char *pem;	 /* one PEM certificate */
	const char *der_sha256;	 /* lowercase hex SHA-256 of its DER: the pin */
};

extern const struct amd_root amd_roots[];
extern const size_t amd_roots_count;

#endif
