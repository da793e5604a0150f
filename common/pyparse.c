/* pyparse.c — Python-compatible int() and bytes.fromhex() (see pyparse.h). */
#include "pyparse.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>

static int digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	return 99;
}

int uvm_pyint_parse(const char *s, int base, bool *ret_neg, uint64_t *ret_mag)
{
	if (base != 0 && base != 10)
		return -EINVAL;
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	bool neg = false;
	size_t i = 0;
	if (i < n && (s[i] == '+' || s[i] == '-'))
		neg = s[i++] == '-';
	int b = 10;
	bool prefixed = false;
	if (base == 0 && i + 1 < n && s[i] == '0' && s[i + 1] && strchr("xXoObB", s[i + 1])) {
		b = strchr("xX", s[i + 1]) ? 16 : strchr("oO", s[i + 1]) ? 8 : 2;
		i += 2;
		prefixed = true;
		if (i < n && s[i] == '_')
			i++;
	}
	if (i >= n)
		return -EINVAL;
	uint64_t v = 0;
	bool nonzero = false, leading_zero = s[i] == '0' && !prefixed;
	char prev = 0;
	for (; i < n; i++) {
		char c = s[i];
		if (c == '_') {
			if (prev == '_' || prev == 0 || i + 1 == n)
				return -EINVAL;
			prev = c;
			continue;
		}
		int d = digit(c);
		if (d >= b)
			return -EINVAL;
		nonzero |= d != 0;
		if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)b)
			return -ERANGE;
		v = v * (uint64_t)b + (uint64_t)d;
		prev = c;
	}
	if (base == 0 && leading_zero && nonzero)
		return -EINVAL;
	*ret_neg = neg && v;
	*ret_mag = v;
	return 0;
}

int uvm_pyint_s64(const char *s, int base, int64_t *ret)
{
	bool neg;
	uint64_t v;
	int r = uvm_pyint_parse(s, base, &neg, &v);
	if (r < 0)
		return r;
	if (neg ? v > (uint64_t)INT64_MAX + 1 : v > (uint64_t)INT64_MAX)
		return -ERANGE;
	*ret = neg ? (int64_t)(0 - v) : (int64_t)v;
	return 0;
}

int uvm_pyint_u64(const char *s, int base, uint64_t *ret)
{
	bool neg;
	uint64_t v;
	int r = uvm_pyint_parse(s, base, &neg, &v);
	if (r < 0)
		return r;
	if (neg)
		return -ERANGE;
	*ret = v;
	return 0;
}

int uvm_pyhex_decode(const char *s, uint8_t *out, size_t out_len)
{
	size_t n = 0;
	while (*s) {
		if (isspace((unsigned char)*s)) {
			s++;
			continue;
		}
		if (!isxdigit((unsigned char)s[0]) || !isxdigit((unsigned char)s[1]) || n == out_len)
			return -EINVAL;
		out[n++] = (uint8_t)(digit(s[0]) << 4 | digit(s[1]));
		s += 2;
	}
	return n == out_len ? 0 : -EINVAL;
}
