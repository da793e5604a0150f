/* amdcert.c — AMD SEV-SNP certificate chains (ARK/ASK/ASVK/VCEK/VLEK) and
 * the report signature, with OpenSSL 3.
 *
 * Why both per-link checks and X509_verify_cert: an auditor wants to see
 * which link failed (the ASK's signature over the VCEK, or only the VLEK's
 * notAfter), while X509_verify_cert is the reference answer of `openssl
 * verify` (same result as the vectors' expectations). We never set
 * X509_V_FLAG_X509_STRICT: every real VCEK lacks an Authority Key
 * Identifier and would fail it (spec §4). */
#include "amdcert.h"

#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include "amdroots.h"
#include "common/fileio.h"
#include "common/hash.h"
#include "common/hex.h"

#define CERT_FILE_MAX (1u << 20)

DEFINE_PTR_CLEANUP(bio, BIO, BIO_free)
DEFINE_PTR_CLEANUP(x509, X509, X509_free)
DEFINE_PTR_CLEANUP(evp_pkey, EVP_PKEY, EVP_PKEY_free)
DEFINE_PTR_CLEANUP(md_ctx, EVP_MD_CTX, EVP_MD_CTX_free)
DEFINE_PTR_CLEANUP(ecdsa_sig, ECDSA_SIG, ECDSA_SIG_free)
DEFINE_PTR_CLEANUP(bignum, BIGNUM, BN_free)
DEFINE_PTR_CLEANUP(x509_store, X509_STORE, X509_STORE_free)
DEFINE_PTR_CLEANUP(x509_store_ctx, X509_STORE_CTX, X509_STORE_CTX_free)
DEFINE_PTR_CLEANUP(asn1_integer, ASN1_INTEGER, ASN1_INTEGER_free)
DEFINE_PTR_CLEANUP(asn1_ia5, ASN1_IA5STRING, ASN1_IA5STRING_free)
DEFINE_PTR_CLEANUP(asn1_octet, ASN1_OCTET_STRING, ASN1_OCTET_STRING_free)
DEFINE_PTR_CLEANUP(pss_params, RSA_PSS_PARAMS, RSA_PSS_PARAMS_free)

static inline void openssl_free_bytes(unsigned char *p)
{
	OPENSSL_free(p);
}
DEFINE_PTR_CLEANUP(osslfree, unsigned char, openssl_free_bytes)

static void sk_x509_free_shallow(STACK_OF(X509) **s)
{
	if (*s)
		sk_X509_free(*s);
}

const char *amd_cert_kind_name(enum amd_cert_kind k)
{
	static const char *const n[] = { "ARK", "ASK", "ASVK", "VCEK", "VLEK" };
	return (unsigned)k < ARRAY_SIZE(n) ? n[k] : "?";
}

void amd_certset_free(struct amd_certset *s)
{
	for (size_t i = 0; i < s->n; i++)
		X509_free(s->c[i].x509);
	s->n = 0;
}

/* The subject CN of x into out ("" if none); non-printable bytes become '?'. */
static void subject_cn(X509 *x, char *out, size_t size)
{
	out[0] = 0;
	X509_NAME *nm = X509_get_subject_name(x);
	int i = nm ? X509_NAME_get_index_by_NID(nm, NID_commonName, -1) : -1;
	if (i < 0)
		return;
	ASN1_STRING *d = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(nm, i));
	const unsigned char *p = ASN1_STRING_get0_data(d);
	size_t n = (size_t)ASN1_STRING_length(d), k = 0;
	for (size_t j = 0; j < n && k + 1 < size; j++)
		out[k++] = p[j] >= 0x20 && p[j] < 0x7f ? (char)p[j] : '?';
	out[k] = 0;
}

/* Role and product line from the CN. Returns 0 or -EINVAL. */
static int classify(const char *cn, enum amd_cert_kind *kind,
		    enum snp_product *product)
{
	int p;
	*product = SNP_PRODUCT_UNKNOWN;
	if (!strcmp(cn, "SEV-VCEK"))
		return *kind = AMD_CERT_VCEK, 0;
	if (!strcmp(cn, "SEV-VLEK"))
		return *kind = AMD_CERT_VLEK, 0;
	if (!strncmp(cn, "ARK-", 4) && (p = snp_product_parse(cn + 4)) > 0)
		*kind = AMD_CERT_ARK;
	else if (!strncmp(cn, "SEV-VLEK-", 9) &&
		 (p = snp_product_parse(cn + 9)) > 0)
		*kind = AMD_CERT_ASVK;
	else if (!strncmp(cn, "SEV-", 4) && (p = snp_product_parse(cn + 4)) > 0)
		*kind = AMD_CERT_ASK;
	else
		return -EINVAL;
	/* Only the exact product names (no stepping suffix) in CA CNs. */
	const char *tail = strrchr(cn, '-') + 1;
	if (strcmp(tail, snp_product_name((enum snp_product)p)))
		return -EINVAL;
	*product = (enum snp_product)p;
	return 0;
}

static bool same_der(X509 *a, X509 *b)
{
	return X509_cmp(a, b) == 0;
}

/* Take ownership of x and add it. */
static int set_add(struct amd_certset *s, X509 *x, const char *source,
		   enum amd_cert_kind *ret_kind, struct uvm_error *err)
{
	_cleanup_(cleanup_x509) X509 *own = x;
	struct amd_cert c = { .x509 = NULL };
	subject_cn(x, c.cn, sizeof(c.cn));
	if (classify(c.cn, &c.kind, &c.product) < 0)
		return uvm_errorf(err, -EINVAL,
				  "%s: CN=%s is not an AMD SEV-SNP certificate "
				  "(expected ARK-, SEV-, SEV-VLEK-<product>, "
				  "SEV-VCEK or SEV-VLEK)",
				  source, c.cn[0] ? c.cn : "(none)");
	if (ret_kind)
		*ret_kind = c.kind;
	for (size_t i = 0; i < s->n; i++)
		if (same_der(s->c[i].x509, x))
			return 0;
	if (s->n >= AMD_CERTSET_MAX)
		return uvm_errorf(err, -EINVAL, "%s: more than %d certificates",
				  source, AMD_CERTSET_MAX);
	snprintf(c.source, sizeof(c.source), "%s", source);
	c.x509 = TAKE_PTR(own);
	s->c[s->n++] = c;
	return 1;
}

static bool looks_pem(const uint8_t *buf, size_t len)
{
	return memmem(buf, len, "-----BEGIN", 10) != NULL;
}

/* GHCB certificate table GUIDs (spec §6), as text; a table stores them in
 * the little-endian (UEFI) layout, which is what we match first. */
static const char *const cert_table_guids[] = {
	"63da758d-e664-4564-adc5-f4b93be8accd", /* VCEK */
	"a8074bc2-a25a-483e-aae6-39c045a0b8a1", /* VLEK */
	"4ab7b379-bbac-4fe4-a02f-05aef327c782", /* ASK/ASVK */
	"c0b406a4-a803-4952-9743-3fb6014cd0ae", /* ARK */
};

/* Parse a GUID string into 16 bytes, little-endian (UEFI) or big-endian. */
static void guid_bytes(const char *g, bool le, uint8_t out[16])
{
	char hex[33];
	size_t k = 0;
	for (const char *p = g; *p && k < 32; p++)
		if (*p != '-')
			hex[k++] = *p;
	hex[k] = 0;
	uvm_hex_decode(hex, out, 16);
	if (le) {
		uint8_t t;
		t = out[0], out[0] = out[3], out[3] = t;
		t = out[1], out[1] = out[2], out[2] = t;
		t = out[4], out[4] = out[5], out[5] = t;
		t = out[6], out[6] = out[7], out[7] = t;
	}
}

/* Is p (16 bytes) one of the known certificate-table GUIDs? */
static bool known_guid(const uint8_t *p)
{
	uint8_t g[16];
	for (size_t i = 0; i < ARRAY_SIZE(cert_table_guids); i++)
		for (int le = 0; le < 2; le++) {
			guid_bytes(cert_table_guids[i], le, g);
			if (!memcmp(p, g, 16))
				return true;
		}
	return false;
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* A GHCB certificate table (SNP_GET_EXT_REPORT certificates, configfs-tsm
 * auxblob): 24-byte entries (GUID, u32 offset, u32 length) ended by an
 * all-zero entry, then DER certificates. Entries with other GUIDs are
 * skipped. */
static int add_cert_table(struct amd_certset *s, const uint8_t *buf,
			  size_t len, const char *name, struct uvm_error *err)
{
	static const uint8_t zero[24];
	char src[300];
	int added = 0;
	for (size_t e = 0;; e++) {
		size_t off = e * 24;
		if (off + 24 > len)
			return uvm_errorf(err, -EINVAL,
					  "%s: certificate table without its "
					  "terminating entry",
					  name);
		const uint8_t *ent = buf + off;
		if (!memcmp(ent, zero, 24))
			break;
		if (!known_guid(ent))
			continue;
		uint32_t o = rd32(ent + 16), l = rd32(ent + 20);
		if (o < off + 24 || (uint64_t)o + l > len || l == 0)
			return uvm_errorf(err, -EINVAL,
					  "%s: certificate table entry %zu: "
					  "offset %u length %u outside the table",
					  name, e + 1, o, l);
		const unsigned char *p = buf + o;
		X509 *x = d2i_X509(NULL, &p, (long)l);
		if (!x || p != buf + o + l) {
			X509_free(x);
			ERR_clear_error();
			return uvm_errorf(err, -EINVAL,
					  "%s: certificate table entry %zu: not "
					  "a DER certificate",
					  name, e + 1);
		}
		snprintf(src, sizeof(src), "%s[%zu]", name, e + 1);
		int r = set_add(s, x, src, NULL, err);
		if (r < 0)
			return r;
		added += r;
	}
	if (added == 0)
		return uvm_errorf(err, -EINVAL,
				  "%s: certificate table without certificates",
				  name);
	return added;
}

/* A PEM file holding one chain lists it leaf first, each certificate
 * followed by its issuer: VCEK/VLEK, then ASK/ASVK, then ARK (as AMD KDS
 * serves cert_chain: ASK then ARK). Any other order is refused as "out of
 * order". A CA bundle with both an ASK and an ASVK (trustee's
 * ask_ark_asvk.pem) holds two chains, admits no such order and is taken as
 * a set. */
static int check_bundle_order(const enum amd_cert_kind *k, int n,
			      const char *name, struct uvm_error *err)
{
	static const int rank[] = {
		[AMD_CERT_VCEK] = 0, [AMD_CERT_VLEK] = 0, [AMD_CERT_ASK] = 1,
		[AMD_CERT_ASVK] = 1, [AMD_CERT_ARK] = 2,
	};
	bool ask = false, asvk = false;
	for (int i = 0; i < n; i++) {
		ask |= k[i] == AMD_CERT_ASK;
		asvk |= k[i] == AMD_CERT_ASVK;
	}
	if (ask && asvk)
		return 0;
	for (int i = 1; i < n; i++)
		if (rank[k[i]] < rank[k[i - 1]])
			return uvm_errorf(err, -EINVAL,
					  "%s: certificates out of order: the %s "
					  "(certificate %d) comes after the %s; "
					  "list the chain leaf first (VCEK/VLEK, "
					  "then ASK/ASVK, then ARK)",
					  name, amd_cert_kind_name(k[i]), i + 1,
					  amd_cert_kind_name(k[i - 1]));
	return 0;
}

int amd_certset_add_mem(struct amd_certset *s, const uint8_t *buf, size_t len,
			const char *name, struct uvm_error *err)
{
	int added = 0, r;
	char src[300];
	if (len == 0)
		return uvm_errorf(err, -EINVAL, "%s: empty file", name);
	if (len > INT32_MAX)
		return uvm_errorf(err, -EINVAL, "%s: too large", name);
	ERR_clear_error();
	if (len >= 24 && known_guid(buf))
		return add_cert_table(s, buf, len, name, err);
	if (!looks_pem(buf, len)) {
		const unsigned char *p = buf;
		X509 *x = d2i_X509(NULL, &p, (long)len);
		if (!x || p != buf + len) {
			X509_free(x);
			ERR_clear_error();
			return uvm_errorf(err, -EINVAL,
					  "%s: not a PEM or DER X.509 certificate",
					  name);
		}
		return set_add(s, x, name, NULL, err);
	}
	_cleanup_(cleanup_bio) BIO *bio = BIO_new_mem_buf(buf, (int)len);
	if (!bio)
		return uvm_errorf(err, -ENOMEM, "%s: out of memory", name);
	enum amd_cert_kind kinds[AMD_CERTSET_MAX + 1];
	int n = 0;
	for (int i = 1;; i++) {
		X509 *x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
		if (!x) {
			unsigned long e = ERR_peek_last_error();
			ERR_clear_error();
			if (i > 1 && ERR_GET_LIB(e) == ERR_LIB_PEM &&
			    ERR_GET_REASON(e) == PEM_R_NO_START_LINE)
				break;
			return uvm_errorf(err, -EINVAL,
					  "%s: certificate %d: malformed PEM "
					  "or DER inside it",
					  name, i);
		}
		snprintf(src, sizeof(src), "%s[%d]", name, i);
		if (n > AMD_CERTSET_MAX)
			return uvm_errorf(err, -EINVAL, "%s: more than %d certificates",
					  name, AMD_CERTSET_MAX);
		r = set_add(s, x, src, &kinds[n++], err);
		if (r < 0)
			return r;
		added += r;
	}
	r = check_bundle_order(kinds, n, name, err);
	return r < 0 ? r : added;
}

static bool cert_suffix(const char *n)
{
	static const char *const sfx[] = { ".pem", ".der", ".crt", ".cer" };
	size_t l = strlen(n);
	for (size_t i = 0; i < ARRAY_SIZE(sfx); i++)
		if (l > 4 && !strcasecmp(n + l - 4, sfx[i]))
			return true;
	return false;
}

/* A CRL (PEM or DER): certificate directories often hold AMD's CRL too. */
static bool is_crl(const uint8_t *buf, size_t len)
{
	if (memmem(buf, len, "-----BEGIN X509 CRL-----", 24))
		return true;
	const unsigned char *p = buf;
	X509_CRL *c = len <= INT32_MAX ? d2i_X509_CRL(NULL, &p, (long)len) : NULL;
	X509_CRL_free(c);
	ERR_clear_error();
	return c != NULL;
}

static int add_file(struct amd_certset *s, const char *path, bool in_dir,
		    struct uvm_error *err)
{
	_cleanup_free_ uint8_t *buf = NULL;
	size_t len;
	int r = uvm_read_file(path, CERT_FILE_MAX, &buf, &len, err);
	if (r < 0)
		return r;
	if (in_dir && is_crl(buf, len))
		return 0;
	return amd_certset_add_mem(s, buf, len, path, err);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int amd_certset_add_path(struct amd_certset *s, const char *path,
			 struct uvm_error *err)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return uvm_errorf_errno(err, -errno, "%s", path);
	if (!S_ISDIR(st.st_mode))
		return add_file(s, path, false, err);

	DIR *d = opendir(path);
	if (!d)
		return uvm_errorf_errno(err, -errno, "%s", path);
	char *names[64];
	size_t n = 0;
	int r = 0;
	struct dirent *de;
	while ((de = readdir(d)) && n < ARRAY_SIZE(names))
		if (de->d_name[0] != '.' && cert_suffix(de->d_name) &&
		    (names[n] = strdup(de->d_name)))
			n++;
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_str);
	int added = 0;
	for (size_t i = 0; i < n; i++) {
		if (r >= 0) {
			_cleanup_free_ char *p = NULL;
			if (asprintf(&p, "%s/%s", path, names[i]) < 0) {
				r = uvm_errorf(err, -ENOMEM, "out of memory");
			} else {
				r = add_file(s, p, true, err);
				if (r > 0)
					added += r;
			}
		}
		free(names[i]);
	}
	if (r < 0)
		return r;
	if (n == 0)
		return uvm_errorf(err, -ENOENT,
				  "%s: no *.pem, *.der, *.crt or *.cer file",
				  path);
	return added;
}

/* ---- extensions ------------------------------------------------------- */

#define AMD_OID "1.3.6.1.4.1.3704.1."

static int ext_int(const char *what, const ASN1_OCTET_STRING *v, uint8_t *out,
		   struct uvm_error *err)
{
	const unsigned char *p = ASN1_STRING_get0_data(v);
	long len = ASN1_STRING_length(v);
	_cleanup_(cleanup_asn1_integer) ASN1_INTEGER *i =
		d2i_ASN1_INTEGER(NULL, &p, len);
	int64_t x;
	if (!i || p != ASN1_STRING_get0_data(v) + len ||
	    ASN1_INTEGER_get_int64(&x, i) != 1) {
		ERR_clear_error();
		return uvm_errorf(err, -EBADMSG,
				  "VEK extension %s is not a DER INTEGER", what);
	}
	if (x < 0 || x > 255)
		return uvm_errorf(err, -EBADMSG,
				  "VEK extension %s = %lld is out of range 0..255",
				  what, (long long)x);
	*out = (uint8_t)x;
	return 0;
}

static int ext_ia5(const char *what, const ASN1_OCTET_STRING *v, char *out,
		   size_t size, struct uvm_error *err)
{
	const unsigned char *p = ASN1_STRING_get0_data(v);
	long len = ASN1_STRING_length(v);
	_cleanup_(cleanup_asn1_ia5) ASN1_IA5STRING *s =
		d2i_ASN1_IA5STRING(NULL, &p, len);
	if (!s || p != ASN1_STRING_get0_data(v) + len) {
		ERR_clear_error();
		return uvm_errorf(err, -EBADMSG,
				  "VEK extension %s is not a DER IA5String", what);
	}
	const unsigned char *d = ASN1_STRING_get0_data(s);
	size_t n = (size_t)ASN1_STRING_length(s), k = 0;
	for (size_t j = 0; j < n && k + 1 < size; j++)
		out[k++] = d[j] >= 0x20 && d[j] < 0x7f ? (char)d[j] : '?';
	out[k] = 0;
	return 0;
}

static int ext_hwid(const ASN1_OCTET_STRING *v, struct amd_vek_ext *e,
		    struct uvm_error *err)
{
	const unsigned char *p = ASN1_STRING_get0_data(v);
	long len = ASN1_STRING_length(v);
	if (len == 64 || len == 8) { /* raw bytes, as AMD KDS issues them */
		memcpy(e->hwid, p, (size_t)len);
		e->hwid_len = (size_t)len;
		return 0;
	}
	const unsigned char *q = p;
	_cleanup_(cleanup_asn1_octet) ASN1_OCTET_STRING *o =
		d2i_ASN1_OCTET_STRING(NULL, &q, len);
	int n = o ? ASN1_STRING_length(o) : -1;
	if (!o || q != p + len || (n != 64 && n != 8)) {
		ERR_clear_error();
		return uvm_errorf(err, -EBADMSG,
				  "VEK extension hwID has %ld bytes (expected 64 "
				  "or 8 raw bytes, or an OCTET STRING of them)",
				  len);
	}
	memcpy(e->hwid, ASN1_STRING_get0_data(o), (size_t)n);
	e->hwid_len = (size_t)n;
	e->hwid_octet_string = true;
	return 0;
}

int amd_vek_ext_parse(X509 *x, struct amd_vek_ext *ret, struct uvm_error *err)
{
	struct amd_vek_ext e = {};
	uint32_t seen = 0;
	int n = X509_get_ext_count(x);
	for (int i = 0; i < n; i++) {
		X509_EXTENSION *ext = X509_get_ext(x, i);
		char oid[80];
		if (OBJ_obj2txt(oid, sizeof(oid), X509_EXTENSION_get_object(ext),
				1) <= 0 ||
		    strncmp(oid, AMD_OID, strlen(AMD_OID)))
			continue;
		const char *sub = oid + strlen(AMD_OID);
		const ASN1_OCTET_STRING *v = X509_EXTENSION_get_data(ext);
		static const char *const subs[] = {
			"1", "2", "3.1", "3.2", "3.3", "3.8", "3.9", "4", "5",
		};
		int which = -1;
		for (size_t k = 0; k < ARRAY_SIZE(subs); k++)
			if (!strcmp(sub, subs[k]))
				which = (int)k;
		if (which < 0)
			continue; /* spl4..spl7 (reserved, 0) and future ones */
		if (seen & (1u << which))
			return uvm_errorf(err, -EBADMSG,
					  "VEK extension %s appears twice", oid);
		seen |= 1u << which;
		int r = 0;
		uint8_t sv;
		switch (which) {
		case 0:
			r = ext_int("structVersion", v, &sv, err);
			e.has_struct_version = r == 0;
			e.struct_version = sv;
			break;
		case 1:
			r = ext_ia5("productName", v, e.product_name,
				    sizeof(e.product_name), err);
			break;
		case 2:
			r = ext_int("blSPL", v, &e.bl, err);
			e.has_bl = true;
			break;
		case 3:
			r = ext_int("teeSPL", v, &e.tee, err);
			e.has_tee = true;
			break;
		case 4:
			r = ext_int("snpSPL", v, &e.snp, err);
			e.has_snp = true;
			break;
		case 5:
			r = ext_int("ucodeSPL", v, &e.ucode, err);
			e.has_ucode = true;
			break;
		case 6:
			r = ext_int("fmcSPL", v, &e.fmc, err);
			e.has_fmc = true;
			break;
		case 7:
			r = ext_hwid(v, &e, err);
			break;
		case 8:
			r = ext_ia5("cspID", v, e.csp_id, sizeof(e.csp_id), err);
			break;
		}
		if (r < 0)
			return r;
	}
	*ret = e;
	return 0;
}

/* ---- signatures ------------------------------------------------------- */

int amd_report_signature_verify(const struct snp_report *r, X509 *vek,
				struct uvm_error *err)
{
	EVP_PKEY *pkey = X509_get0_pubkey(vek);
	if (!pkey || EVP_PKEY_get_base_id(pkey) != EVP_PKEY_EC)
		return uvm_errorf(err, -EINVAL, "VEK key is not an EC key");
	_cleanup_(cleanup_bignum) BIGNUM *br = BN_lebin2bn(r->sig_r, 72, NULL);
	_cleanup_(cleanup_bignum) BIGNUM *bs = BN_lebin2bn(r->sig_s, 72, NULL);
	_cleanup_(cleanup_ecdsa_sig) ECDSA_SIG *sig = ECDSA_SIG_new();
	if (!br || !bs || !sig || !ECDSA_SIG_set0(sig, br, bs))
		return uvm_errorf(err, -ENOMEM, "out of memory");
	br = bs = NULL; /* owned by sig now */
	_cleanup_(cleanup_osslfree) unsigned char *der = NULL;
	int derlen = i2d_ECDSA_SIG(sig, &der);
	if (derlen <= 0)
		return uvm_errorf(err, -ENOMEM, "out of memory");
	_cleanup_(cleanup_md_ctx) EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (!ctx ||
	    EVP_DigestVerifyInit(ctx, NULL, EVP_sha384(), NULL, pkey) != 1) {
		ERR_clear_error();
		return uvm_errorf(err, -EIO, "cannot use the VEK key");
	}
	int ok = EVP_DigestVerify(ctx, der, (size_t)derlen, r->raw,
				  SNP_REPORT_SIGNED_LEN);
	ERR_clear_error();
	return ok == 1;
}

/* Describe x's signature algorithm; true if it is the one AMD uses:
 * RSASSA-PSS, SHA-384, MGF1 with SHA-384, salt length 48. */
static bool pss_params_ok(X509 *x, char *desc, size_t size)
{
	const X509_ALGOR *alg;
	X509_get0_signature(NULL, &alg, x);
	const ASN1_OBJECT *obj;
	int ptype;
	const void *pval;
	X509_ALGOR_get0(&obj, &ptype, &pval, alg);
	if (OBJ_obj2nid(obj) != NID_rsassaPss || ptype != V_ASN1_SEQUENCE) {
		char n[80];
		OBJ_obj2txt(n, sizeof(n), obj, 0);
		snprintf(desc, size, "signature algorithm %s, not RSASSA-PSS", n);
		return false;
	}
	const ASN1_STRING *seq = pval;
	const unsigned char *p = ASN1_STRING_get0_data(seq);
	_cleanup_(cleanup_pss_params) RSA_PSS_PARAMS *pss =
		d2i_RSA_PSS_PARAMS(NULL, &p, ASN1_STRING_length(seq));
	int64_t salt = 20;
	int hash = NID_sha1, mgf = NID_sha1;
	if (!pss) {
		ERR_clear_error();
		snprintf(desc, size, "RSASSA-PSS with malformed parameters");
		return false;
	}
	if (pss->hashAlgorithm)
		hash = OBJ_obj2nid(pss->hashAlgorithm->algorithm);
	if (pss->maskHash)
		mgf = OBJ_obj2nid(pss->maskHash->algorithm);
	else if (pss->maskGenAlgorithm && pss->maskGenAlgorithm->parameter &&
		 pss->maskGenAlgorithm->parameter->type == V_ASN1_SEQUENCE) {
		const ASN1_STRING *m = pss->maskGenAlgorithm->parameter->value.sequence;
		const unsigned char *q = ASN1_STRING_get0_data(m);
		X509_ALGOR *mh = d2i_X509_ALGOR(NULL, &q, ASN1_STRING_length(m));
		if (mh)
			mgf = OBJ_obj2nid(mh->algorithm);
		X509_ALGOR_free(mh);
	}
	if (pss->saltLength)
		ASN1_INTEGER_get_int64(&salt, pss->saltLength);
	ERR_clear_error();
	snprintf(desc, size, "RSASSA-PSS %s MGF1-%s salt %lld",
		 OBJ_nid2sn(hash), OBJ_nid2sn(mgf), (long long)salt);
	return hash == NID_sha384 && mgf == NID_sha384 && salt == 48;
}

/* Check one signature link and record it as check name. */
static void check_link(struct snp_checks *out, const char *name, X509 *child,
		       const char *child_desc, X509 *parent,
		       const char *parent_desc)
{
	char alg[128];
	bool alg_ok = pss_params_ok(child, alg, sizeof(alg));
	EVP_PKEY *pk = X509_get0_pubkey(parent);
	int v = pk ? X509_verify(child, pk) : -1;
	ERR_clear_error();
	bool names = X509_NAME_cmp(X509_get_issuer_name(child),
				   X509_get_subject_name(parent)) == 0;
	snp_checks_add(out, name, v == 1 && alg_ok && names, "%s signed by %s: %s%s%s",
		       child_desc, parent_desc,
		       v == 1 ? "signature valid" : "signature INVALID",
		       names ? "" : ", issuer name differs", "");
	size_t i = out->n - 1;
	size_t l = strlen(out->c[i].detail);
	snprintf(out->c[i].detail + l, sizeof(out->c[i].detail) - l, " (%s%s)",
		 alg, alg_ok ? "" : ": not AMD's parameters");
}

/* ---- time ------------------------------------------------------------- */

static void fmt_asn1_date(const ASN1_TIME *t, char *out, size_t size)
{
	struct tm tm;
	if (!t || ASN1_TIME_to_tm(t, &tm) != 1)
		snprintf(out, size, "?");
	else
		strftime(out, size, "%Y-%m-%d", &tm);
}

static void fmt_time(time_t t, char *out, size_t size)
{
	struct tm tm;
	if (!gmtime_r(&t, &tm))
		snprintf(out, size, "?");
	else
		strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void check_validity(struct snp_checks *out, const char *name, X509 *x,
			   const char *desc, time_t at)
{
	char nb[32], na[32], ts[32];
	time_t t = at;
	fmt_asn1_date(X509_get0_notBefore(x), nb, sizeof(nb));
	fmt_asn1_date(X509_get0_notAfter(x), na, sizeof(na));
	fmt_time(at, ts, sizeof(ts));
	int before = X509_cmp_time(X509_get0_notBefore(x), &t);
	int after = X509_cmp_time(X509_get0_notAfter(x), &t);
	const char *state = before == 0 || after == 0 ? "bad validity field"
			    : before > 0		? "NOT YET VALID"
			    : after < 0			? "EXPIRED"
							: "valid";
	snp_checks_add(out, name, before < 0 && after > 0, "%s %s .. %s: %s at %s",
		       desc, nb, na, state, ts);
}

/* ---- verification ----------------------------------------------------- */

static X509 *load_builtin(enum snp_product p, enum amd_role role,
			  const struct amd_root **ret_root)
{
	for (size_t i = 0; i < amd_roots_count; i++) {
		const struct amd_root *a = &amd_roots[i];
		if (a->product != p || a->role != role)
			continue;
		_cleanup_(cleanup_bio) BIO *b = BIO_new_mem_buf(a->pem, -1);
		X509 *x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
		ERR_clear_error();
		*ret_root = a;
		return x;
	}
	return NULL;
}

static void der_sha256_hex(X509 *x, char out[65])
{
	unsigned char *der = NULL;
	int n = i2d_X509(x, &der);
	uint8_t h[32] = {};
	if (n > 0)
		uvm_sha256(der, (size_t)n, h);
	OPENSSL_free(der);
	uvm_hex_encode(h, 32, out);
}

static const struct amd_cert *find_kind(const struct amd_certset *s,
					enum amd_cert_kind k, size_t *count)
{
	const struct amd_cert *found = NULL;
	*count = 0;
	for (size_t i = 0; i < s->n; i++)
		if (s->c[i].kind == k) {
			if (!found)
				found = &s->c[i];
			(*count)++;
		}
	return found;
}

/* Note one product claim; fail on a second, different one. */
static int claim(enum snp_product *cur, char *who, size_t who_size,
		 enum snp_product p, const char *src, struct uvm_error *err)
{
	if (p == SNP_PRODUCT_UNKNOWN)
		return 0;
	if (*cur != SNP_PRODUCT_UNKNOWN && *cur != p)
		return uvm_errorf(err, -EXDEV,
				  "product mismatch: %s says %s but %s says %s "
				  "(report and certificates must be of one "
				  "product line)",
				  who, snp_product_name(*cur), src,
				  snp_product_name(p));
	if (*cur == SNP_PRODUCT_UNKNOWN) {
		*cur = p;
		snprintf(who, who_size, "%s", src);
	}
	return 0;
}

static bool is_p384(X509 *x)
{
	EVP_PKEY *pk = X509_get0_pubkey(x);
	char g[64];
	size_t gl;
	bool ok = pk && EVP_PKEY_get_base_id(pk) == EVP_PKEY_EC &&
		  EVP_PKEY_get_group_name(pk, g, sizeof(g), &gl) == 1 &&
		  !strcmp(g, "secp384r1");
	ERR_clear_error();
	return ok;
}

static void check_tcb(struct snp_checks *out, const struct snp_report *r,
		      const struct amd_vek_ext *e, enum snp_product product)
{
	struct snp_tcb t;
	snp_tcb_decode(r->reported_tcb, product, &t);
	char d[400];
	size_t l = 0;
	bool ok = true;
	struct {
		const char *name;
		bool has;
		uint8_t cert, rep;
		bool needed;
	} f[] = {
		{ "fmcSPL", e->has_fmc, e->fmc, t.fmc, t.has_fmc },
		{ "blSPL", e->has_bl, e->bl, t.bl, true },
		{ "teeSPL", e->has_tee, e->tee, t.tee, true },
		{ "snpSPL", e->has_snp, e->snp, t.snp, true },
		{ "ucodeSPL", e->has_ucode, e->ucode, t.ucode, true },
	};
	for (size_t i = 0; i < ARRAY_SIZE(f); i++) {
		if (!f[i].needed)
			continue;
		const char *sep = l ? ", " : "";
		if (!f[i].has) {
			ok = false;
			l += (size_t)snprintf(d + l, sizeof(d) - l,
					      "%s%s missing", sep, f[i].name);
		} else if (f[i].cert != f[i].rep) {
			ok = false;
			l += (size_t)snprintf(d + l, sizeof(d) - l,
					      "%s%s %u != reported %u", sep,
					      f[i].name, f[i].cert, f[i].rep);
		} else {
			l += (size_t)snprintf(d + l, sizeof(d) - l, "%s%s %u",
					      sep, f[i].name, f[i].cert);
		}
		if (l >= sizeof(d))
			break;
	}
	snp_checks_add(out, "vek-tcb", ok, "VEK SPLs vs REPORTED_TCB: %s", d);
}

static void check_hwid(struct snp_checks *out, const struct snp_report *r,
		       const struct amd_vek_ext *e, enum amd_cert_kind kind,
		       enum snp_product product)
{
	char h[129];
	if (kind == AMD_CERT_VLEK) {
		snp_checks_add(out, "vek-hwid", true,
			       "VLEK: no hwID binding (cspID %s)",
			       e->csp_id[0] ? e->csp_id : "absent");
		return;
	}
	size_t want = product == SNP_PRODUCT_TURIN ? 8 : 64;
	if (e->hwid_len == 0) {
		snp_checks_add(out, "vek-hwid", false, "VCEK has no hwID");
		return;
	}
	uvm_hex_encode(e->hwid, e->hwid_len, h);
	if (e->hwid_len != want) {
		snp_checks_add(out, "vek-hwid", false,
			       "hwID %s has %zu bytes, %s uses %zu", h,
			       e->hwid_len, snp_product_name(product), want);
		return;
	}
	static const uint8_t zero[64];
	if (!memcmp(r->chip_id, zero, 64)) {
		/* MaskChipId: the platform zeroes CHIP_ID; the binding to the
		 * chip then rests on the VCEK key (checked by report-signature). */
		snp_checks_add(out, "vek-hwid", true,
			       "CHIP_ID is zero (MaskChipId set): hwID %s not "
			       "comparable; the VCEK signature binds the chip", h);
		return;
	}
	bool eq = !memcmp(e->hwid, r->chip_id, want);
	bool rest0 = !memcmp(r->chip_id + want, zero, 64 - want);
	snp_checks_add(out, "vek-hwid", eq && rest0,
		       "hwID %s (%s) %s CHIP_ID%s%s", h,
		       e->hwid_octet_string ? "OCTET STRING" : "raw",
		       eq ? "equals" : "DIFFERS FROM",
		       want == 8 ? "[0:8]" : "",
		       want == 8 && !rest0 ? ", CHIP_ID[8:64] NOT ZERO" : "");
}

/* Step 1: the one VCEK or VLEK of the set, with an EC P-384 key, and its
 * extensions. */
static int pick_vek(const struct amd_certset *certs,
		    const struct amd_cert **ret, struct amd_vek_ext *ext,
		    struct uvm_error *err)
{
	size_t nc, nl;
	const struct amd_cert *vcek = find_kind(certs, AMD_CERT_VCEK, &nc);
	const struct amd_cert *vlek = find_kind(certs, AMD_CERT_VLEK, &nl);
	if (nc + nl == 0)
		return uvm_errorf(err, -ENOENT,
				  "no VCEK or VLEK certificate (CN=SEV-VCEK or "
				  "SEV-VLEK) among the certificates given");
	if (nc + nl > 1)
		return uvm_errorf(err, -EINVAL,
				  "%zu different VCEK/VLEK certificates given; "
				  "pass only the one for this report",
				  nc + nl);
	const struct amd_cert *vek = vcek ? vcek : vlek;
	if (!is_p384(vek->x509))
		return uvm_errorf(err, -EINVAL,
				  "%s: the %s key is not EC P-384 (secp384r1)",
				  vek->source, amd_cert_kind_name(vek->kind));
	int k = amd_vek_ext_parse(vek->x509, ext, err);
	if (k < 0)
		return uvm_error_prefix(err, k, "%s", vek->source);
	*ret = vek;
	return 0;
}

/* Step 2: the product line. Every source that names one must agree:
 * --product, the report's CPUID, the VEK's productName, the CNs of the CA
 * certificates given and of --ark. */
static int pick_product(const struct snp_report *r,
			const struct amd_certset *certs,
			const struct amd_verify_opts *o,
			const struct amd_cert *vek,
			const struct amd_vek_ext *ext, enum snp_product *ret,
			struct uvm_error *err)
{
	enum snp_product product = SNP_PRODUCT_UNKNOWN;
	char who[512] = "", src[512];
	int k;
	if ((k = claim(&product, who, sizeof(who), o->product, "--product",
		       err)) < 0)
		return k;
	if (r) {
		snprintf(src, sizeof(src),
			 "the report (CPUID family 0x%02x model 0x%02x)",
			 r->cpuid_fam, r->cpuid_mod);
		if ((k = claim(&product, who, sizeof(who),
			       snp_report_product(r), src, err)) < 0)
			return k;
	}
	if (ext->product_name[0]) {
		int p = snp_product_parse(ext->product_name);
		snprintf(src, sizeof(src), "%s (productName %s)", vek->source,
			 ext->product_name);
		if (p < 0 && product == SNP_PRODUCT_UNKNOWN)
			return uvm_errorf(err, -EINVAL,
					  "%s: unknown productName '%s'; use "
					  "--product",
					  vek->source, ext->product_name);
		if (p > 0 && (k = claim(&product, who, sizeof(who),
					(enum snp_product)p, src, err)) < 0)
			return k;
	}
	for (size_t i = 0; i < certs->n; i++) {
		snprintf(src, sizeof(src), "%s (CN=%s)", certs->c[i].source,
			 certs->c[i].cn);
		if ((k = claim(&product, who, sizeof(who), certs->c[i].product,
			       src, err)) < 0)
			return k;
	}
	if (o->ark && (k = claim(&product, who, sizeof(who),
				 o->ark->c[0].product, o->ark->c[0].source,
				 err)) < 0)
		return k;
	if (product == SNP_PRODUCT_UNKNOWN)
		return uvm_errorf(err, -EINVAL,
				  "cannot tell the product line (no CPUID in "
				  "the report, no productName in the VEK, no "
				  "ASK/ARK given): use --product");
	if (r && r->version >= 3 && snp_report_product(r) == SNP_PRODUCT_UNKNOWN &&
	    o->product == SNP_PRODUCT_UNKNOWN)
		return uvm_errorf(err, -EINVAL,
				  "the report's CPU (family 0x%02x model 0x%02x) "
				  "is not a known product line; use --product",
				  r->cpuid_fam, r->cpuid_mod);
	*ret = product;
	return 0;
}

/* The chain above the VEK, resolved: pointers into the set or --ark, or to
 * the built-in copies owned here. */
struct chain {
	const struct amd_cert *vek;
	enum amd_cert_kind ikind; /* ASK or ASVK */
	X509 *inter, *ark;
	X509 *own_inter, *own_ark; /* built-in copies, freed by chain_done */
	char idesc[400], adesc[400];
	char pin[400]; /* how the anchor was established */
	bool pin_ok;
};

static void chain_done(struct chain *c)
{
	X509_free(c->own_inter);
	X509_free(c->own_ark);
}

static void issuer_cn(X509 *x, char *out, size_t size)
{
	X509_NAME *in = X509_get_issuer_name(x);
	int j = X509_NAME_get_index_by_NID(in, NID_commonName, -1);
	snprintf(out, size, "?");
	if (j >= 0) {
		ASN1_STRING *d = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(in, j));
		snprintf(out, size, "%.*s", MIN(ASN1_STRING_length(d), 60),
			 (const char *)ASN1_STRING_get0_data(d));
	}
}

/* Steps 3 and 4: the ASK/ASVK (given or built in) that issued the VEK, and
 * the trust anchor (--ark or the built-in, pinned ARK) that issued it. */
static int resolve_chain(const struct amd_certset *certs,
			 const struct amd_verify_opts *o,
			 enum snp_product product, struct chain *c,
			 struct uvm_error *err)
{
	const struct amd_root *root = NULL;
	size_t n;
	char h[65], iss[64];
	c->ikind = c->vek->kind == AMD_CERT_VCEK ? AMD_CERT_ASK : AMD_CERT_ASVK;
	const struct amd_cert *given = find_kind(certs, c->ikind, &n);
	if (given) {
		c->inter = given->x509;
		snprintf(c->idesc, sizeof(c->idesc), "%s %s (%s)",
			 amd_cert_kind_name(c->ikind), given->cn, given->source);
	} else {
		c->inter = c->own_inter = load_builtin(
			product,
			c->ikind == AMD_CERT_ASK ? AMD_ROLE_ASK : AMD_ROLE_ASVK,
			&root);
		if (!c->inter)
			return uvm_errorf(err, -EIO, "built-in %s unreadable",
					  amd_cert_kind_name(c->ikind));
		snprintf(c->idesc, sizeof(c->idesc), "%s %s (built-in)",
			 amd_cert_kind_name(c->ikind), root->cn);
	}
	if (X509_NAME_cmp(X509_get_issuer_name(c->vek->x509),
			  X509_get_subject_name(c->inter))) {
		issuer_cn(c->vek->x509, iss, sizeof(iss));
		return uvm_errorf(err, -EINVAL,
				  "%s: the %s is issued by CN=%s, not by the %s "
				  "(chain out of order or for another product line)",
				  c->vek->source, amd_cert_kind_name(c->vek->kind),
				  iss, c->idesc);
	}

	if (o->ark) {
		const struct amd_cert *a = &o->ark->c[0];
		c->ark = a->x509;
		der_sha256_hex(c->ark, h);
		snprintf(c->adesc, sizeof(c->adesc), "ARK %s (%s)", a->cn, a->source);
		c->pin_ok = true;
		snprintf(c->pin, sizeof(c->pin),
			 "trust anchor %s given with --ark, sha256 %s", a->cn, h);
	} else {
		c->ark = c->own_ark = load_builtin(product, AMD_ROLE_ARK, &root);
		if (!c->ark)
			return uvm_errorf(err, -EIO, "built-in ARK unreadable");
		der_sha256_hex(c->ark, h);
		c->pin_ok = !strcmp(h, root->der_sha256);
		snprintf(c->adesc, sizeof(c->adesc), "ARK %s (built-in)", root->cn);
		snprintf(c->pin, sizeof(c->pin),
			 "trust anchor %s built in, sha256 %s %s", root->cn, h,
			 c->pin_ok ? "matches its pin" : "DIFFERS FROM its pin");
	}
	if (X509_NAME_cmp(X509_get_issuer_name(c->inter),
			  X509_get_subject_name(c->ark)))
		return uvm_errorf(err, -EINVAL,
				  "the %s is not issued by the trusted %s (chain "
				  "for another product line?)",
				  c->idesc, c->adesc);
	return 0;
}

/* Steps 5 and 6: the pin, every signature and validity period, and
 * OpenSSL's own path validation at o->at (the reference answer). */
static int check_chain(const struct amd_certset *certs, const struct chain *c,
		       time_t at, struct snp_checks *out, struct uvm_error *err)
{
	size_t n;
	const struct amd_cert *chain_ark = find_kind(certs, AMD_CERT_ARK, &n);
	bool same = !chain_ark || same_der(chain_ark->x509, c->ark);
	snp_checks_add(out, "ark-pinned", c->pin_ok && same, "%s%s%s%s", c->pin,
		       chain_ark ? "; the ARK in " : "",
		       chain_ark ? chain_ark->source : "",
		       !chain_ark ? "" : same ? " is identical" : " DIFFERS from it");

	enum amd_cert_kind vkind = c->vek->kind;
	char vdesc[300];
	snprintf(vdesc, sizeof(vdesc), "%s (%s)", amd_cert_kind_name(vkind),
		 c->vek->source);
	check_link(out, "ark-self-signed", c->ark, c->adesc, c->ark, "itself");
	check_link(out, "ark-signs-ask", c->inter, c->idesc, c->ark, "the ARK");
	check_link(out, "ask-signs-vek", c->vek->x509, vdesc, c->inter,
		   vkind == AMD_CERT_VCEK ? "the ASK" : "the ASVK");
	check_validity(out, "ark-validity", c->ark, "ARK", at);
	check_validity(out, "ask-validity", c->inter,
		       amd_cert_kind_name(c->ikind), at);
	check_validity(out, "vek-validity", c->vek->x509,
		       amd_cert_kind_name(vkind), at);

	_cleanup_(cleanup_x509_store) X509_STORE *st = X509_STORE_new();
	_cleanup_(cleanup_x509_store_ctx) X509_STORE_CTX *ctx =
		X509_STORE_CTX_new();
	_cleanup_(sk_x509_free_shallow) STACK_OF(X509) *untrusted =
		sk_X509_new_null();
	if (!st || !ctx || !untrusted || !X509_STORE_add_cert(st, c->ark) ||
	    !sk_X509_push(untrusted, c->inter) ||
	    !X509_STORE_CTX_init(ctx, st, c->vek->x509, untrusted))
		return uvm_errorf(err, -ENOMEM, "OpenSSL: out of memory");
	X509_STORE_CTX_set_time(ctx, 0, at);
	int ok = X509_verify_cert(ctx);
	int e = X509_STORE_CTX_get_error(ctx);
	char ts[32];
	fmt_time(at, ts, sizeof(ts));
	snp_checks_add(out, "chain-x509", ok == 1, "X509_verify_cert at %s: %s",
		       ts, ok == 1 ? "OK" : X509_verify_cert_error_string(e));
	ERR_clear_error();
	return 0;
}

/* Without a report: the VEK's extensions, for the record. */
static void describe_ext(const struct amd_vek_ext *e, struct snp_checks *out)
{
	char hw[160] = "absent", fmc[16] = "absent";
	if (e->hwid_len) {
		uvm_hex_encode(e->hwid, e->hwid_len, hw);
		strcat(hw, e->hwid_octet_string ? " (OCTET STRING)" : " (raw)");
	}
	if (e->has_fmc)
		snprintf(fmc, sizeof(fmc), "%u", e->fmc);
	snp_checks_add(out, "vek-extensions", true,
		       "structVersion %lld, productName %s, fmcSPL %s, "
		       "blSPL %d, teeSPL %d, snpSPL %d, ucodeSPL %d, hwID %s%s%s",
		       e->has_struct_version ? (long long)e->struct_version : -1LL,
		       e->product_name[0] ? e->product_name : "absent", fmc,
		       e->has_bl ? e->bl : -1, e->has_tee ? e->tee : -1,
		       e->has_snp ? e->snp : -1, e->has_ucode ? e->ucode : -1, hw,
		       e->csp_id[0] ? ", cspID " : "", e->csp_id);
}

/* Step 7: the report against its VEK. */
static int check_report(const struct snp_report *r, const struct chain *c,
			const struct amd_vek_ext *ext, enum snp_product product,
			struct snp_checks *out, struct uvm_error *err)
{
	enum amd_cert_kind vkind = c->vek->kind;
	unsigned sk = snp_report_signing_key(r);
	unsigned want = vkind == AMD_CERT_VCEK ? SNP_SIGNING_KEY_VCEK
					       : SNP_SIGNING_KEY_VLEK;
	snp_checks_add(out, "signing-key", sk == want,
		       "report SIGNING_KEY %u (%s), certificate %s", sk,
		       sk == 0	 ? "VCEK"
		       : sk == 1 ? "VLEK"
				 : "NONE: report is unsigned",
		       c->vek->cn);
	snp_checks_add(out, "product", true,
		       "%s (report %s, VEK productName %s, chain %s)",
		       snp_product_name(product),
		       r->has_cpuid ? snp_product_name(snp_report_product(r))
				    : "v2: no CPUID",
		       ext->product_name[0] ? ext->product_name : "absent",
		       c->idesc);
	check_tcb(out, r, ext, product);
	check_hwid(out, r, ext, vkind, product);
	int k = amd_report_signature_verify(r, c->vek->x509, err);
	if (k < 0)
		return k;
	snp_checks_add(out, "report-signature", k == 1,
		       "ECDSA P-384 SHA-384 over report bytes 0x000..0x29F "
		       "with the %s key: %s",
		       amd_cert_kind_name(vkind), k == 1 ? "valid" : "INVALID");
	if (r->wrapper == SNP_WRAPPER_AZURE_HCL && r->hcl_has_runtime) {
		static const uint8_t zero[32];
		char h[65];
		bool eq = !memcmp(r->report_data, r->hcl_runtime_sha256, 32) &&
			  !memcmp(r->report_data + 32, zero, 32);
		uvm_hex_encode(r->hcl_runtime_sha256, 32, h);
		snp_checks_add(out, "hcl-report-data", eq,
			       "REPORT_DATA %s SHA-256 of the HCL runtime data "
			       "(%u bytes, %s) + 32 zero bytes",
			       eq ? "=" : "!=", r->hcl_runtime_len, h);
	}
	return 0;
}

int amd_verify(const struct snp_report *r, const struct amd_certset *certs,
	       const struct amd_verify_opts *o, struct snp_checks *out,
	       enum snp_product *ret_product, struct uvm_error *err)
{
	_cleanup_(chain_done) struct chain c = {};
	struct amd_vek_ext ext;
	enum snp_product product = SNP_PRODUCT_UNKNOWN;
	int k;

	if (o->ark && (o->ark->n != 1 || o->ark->c[0].kind != AMD_CERT_ARK))
		return uvm_errorf(err, -EINVAL,
				  "%s: --ark must hold exactly one ARK "
				  "certificate (CN=ARK-<product>)",
				  o->ark->n ? o->ark->c[0].source : "(empty)");
	if ((k = pick_vek(certs, &c.vek, &ext, err)) < 0 ||
	    (k = pick_product(r, certs, o, c.vek, &ext, &product, err)) < 0 ||
	    (k = resolve_chain(certs, o, product, &c, err)) < 0 ||
	    (k = check_chain(certs, &c, o->at, out, err)) < 0)
		return k;
	if (ret_product)
		*ret_product = product;
	if (!r) {
		describe_ext(&ext, out);
		return 0;
	}
	return check_report(r, &c, &ext, product, out, err);
}
