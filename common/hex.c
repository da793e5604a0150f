/* hex.c — hex and base64 codecs. Base64 uses OpenSSL's EVP block coder and
 * adds the strictness it lacks (padding accounting, no whitespace). */
#include "hex.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

void uvm_hex_encode(const uint8_t *in, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * len] = 0;
}

static int nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int uvm_hex_decode(const char *hex, uint8_t *out, size_t out_len)
{
	if (strlen(hex) != 2 * out_len)
		return -EINVAL;
	for (size_t i = 0; i < out_len; i++) {
		int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

int uvm_hex_decode_alloc(const char *hex, uint8_t **ret, size_t *ret_len)
{
	size_t n = strlen(hex);
	if (n % 2)
		return -EINVAL;
	uint8_t *buf = malloc(n / 2 + 1);
	if (!buf)
		return -ENOMEM;
	int r = uvm_hex_decode(hex, buf, n / 2);
	if (r < 0) {
		free(buf);
		return r;
	}
	*ret = buf;
	*ret_len = n / 2;
	return 0;
}

char *uvm_base64_encode(const uint8_t *in, size_t len)
{
	if (len > (size_t)INT32_MAX / 2)
		return NULL;
	char *out = malloc(4 * ((len + 2) / 3) + 1);
	if (!out)
		return NULL;
	EVP_EncodeBlock((unsigned char *)out, in, (int)len);
	return out;
}

int uvm_base64_decode(const char *in, uint8_t **ret, size_t *ret_len)
{
	size_t n = strlen(in);
	if (n % 4 || n > (size_t)INT32_MAX / 2)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		char c = in[i];
		int ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			 (c >= '0' && c <= '9') || c == '+' || c == '/' ||
			 (c == '=' && i >= n - 2 && (i == n - 1 || in[n - 1] == '='));
		if (!ok)
			return -EINVAL;
	}
	uint8_t *buf = malloc(n / 4 * 3 + 1);
	if (!buf)
		return -ENOMEM;
	int m = EVP_DecodeBlock(buf, (const unsigned char *)in, (int)n);
	if (m < 0) {
		free(buf);
		return -EINVAL;
	}
	if (n >= 1 && in[n - 1] == '=')
		m--;
	if (n >= 2 && in[n - 2] == '=')
		m--;
	*ret = buf;
	*ret_len = (size_t)m;
	return 0;
}
