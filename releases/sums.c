/* sums.c — GNU-format checksum lists (sums.h). */
#include "sums.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "../common/hex.h"
#include "../common/macro.h"

const char *uvm_sums_file_name(enum uvm_sums_alg alg)
{
	return alg == UVM_SUMS_SHA256 ? "SHA256SUMS" : "SHA384SUMS";
}

static size_t digest_len(enum uvm_sums_alg alg)
{
	return alg == UVM_SUMS_SHA256 ? UVM_SHA256_LEN : UVM_SHA384_LEN;
}

int uvm_sums_format(const struct uvm_subject *s, size_t n, enum uvm_sums_alg alg,
		    char **ret, size_t *ret_len)
{
	size_t dl = digest_len(alg), total = 0;
	for (size_t i = 0; i < n; i++)
		total += 2 * dl + 2 + strlen(s[i].name) + 1;
	char *out = malloc(total + 1), *p = out;
	if (!out)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		uvm_hex_encode(alg == UVM_SUMS_SHA256 ? s[i].sha256 : s[i].sha384,
			       dl, p);
		p += 2 * dl;
		*p++ = ' ';
		*p++ = ' ';
		size_t nl = strlen(s[i].name);
		memcpy(p, s[i].name, nl);
		p += nl;
		*p++ = '\n';
	}
	*p = 0;
	*ret = out;
	*ret_len = total;
	return 0;
}

void uvm_sums_free(struct uvm_sums_entry *e, size_t n)
{
	if (!e)
		return;
	for (size_t i = 0; i < n; i++)
		free(e[i].name);
	free(e);
}

int uvm_sums_parse(const void *buf, size_t len, enum uvm_sums_alg alg,
		   struct uvm_sums_entry **ret, size_t *ret_n,
		   struct uvm_error *err)
{
	const char *p = buf, *end = p + len;
	const char *file = uvm_sums_file_name(alg);
	size_t dl = digest_len(alg), n = 0, cap = 0;
	struct uvm_sums_entry *e = NULL;
	int r = 0;

	if (len > UVM_SUMS_MAX_SIZE)
		return uvm_errorf(err, -EFBIG, "%s: larger than %u bytes", file,
				  UVM_SUMS_MAX_SIZE);
	if (memchr(buf, 0, len))
		return uvm_errorf(err, -EINVAL, "%s: contains a NUL byte", file);
	for (size_t line = 1; p < end && r == 0; line++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl) {
			r = uvm_errorf(err, -EINVAL, "%s:%zu: no final newline",
				       file, line);
			break;
		}
		size_t ll = (size_t)(nl - p);
		char hex[2 * UVM_SHA384_LEN + 1];
		if (ll < 2 * dl + 3 || p[2 * dl] != ' ' || p[2 * dl + 1] != ' ') {
			r = uvm_errorf(err, -EINVAL,
				       "%s:%zu: not '<%zu hex digits>  <name>'",
				       file, line, 2 * dl);
			break;
		}
		memcpy(hex, p, 2 * dl);
		hex[2 * dl] = 0;
		bool lower = true;
		for (size_t i = 0; i < 2 * dl; i++)
			if (hex[i] >= 'A' && hex[i] <= 'F')
				lower = false;
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			struct uvm_sums_entry *ne = realloc(e, cap * sizeof(*e));
			if (!ne) {
				r = uvm_errorf(err, -ENOMEM, "out of memory");
				break;
			}
			e = ne;
		}
		memset(&e[n], 0, sizeof(e[n]));
		e[n].name = strndup(p + 2 * dl + 2, ll - 2 * dl - 2);
		if (!e[n].name) {
			r = uvm_errorf(err, -ENOMEM, "out of memory");
			break;
		}
		n++;
		if (!lower || uvm_hex_decode(hex, e[n - 1].digest, dl) < 0)
			r = uvm_errorf(err, -EINVAL,
				       "%s:%zu: digest is not %zu lowercase hex digits",
				       file, line, 2 * dl);
		else if (!uvm_subject_name_valid(e[n - 1].name))
			r = uvm_errorf(err, -EINVAL,
				       "%s:%zu: '%s' is not a plain file name", file,
				       line, e[n - 1].name);
		else if (n > 1 && strcmp(e[n - 2].name, e[n - 1].name) >= 0)
			r = uvm_errorf(err, -EINVAL,
				       "%s:%zu: names not sorted or duplicated at '%s'",
				       file, line, e[n - 1].name);
		else if (n > UVM_MANIFEST_MAX_SUBJECTS)
			r = uvm_errorf(err, -E2BIG, "%s: more than %u lines", file,
				       UVM_MANIFEST_MAX_SUBJECTS);
		p = nl + 1;
	}
	if (r < 0) {
		uvm_sums_free(e, n);
		return r;
	}
	*ret = e;
	*ret_n = n;
	return 0;
}
