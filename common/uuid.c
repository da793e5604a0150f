/* uuid.c — UUID text parsing and GPT byte order. */
#include "uuid.h"

#include <errno.h>
#include <string.h>

#include "hex.h"

int uvm_uuid_parse(const char *s, uint8_t out[16])
{
	static const int group[5] = { 8, 4, 4, 4, 12 };
	char hex[33];
	size_t n = 0;

	if (strlen(s) != 36)
		return -EINVAL;
	for (int g = 0; g < 5; g++) {
		for (int i = 0; i < group[g]; i++)
			hex[n++] = *s++;
		if (g < 4 && *s++ != '-')
			return -EINVAL;
	}
	hex[n] = 0;
	return uvm_hex_decode(hex, out, 16);
}

void uvm_uuid_to_gpt(const uint8_t in[16], uint8_t out[16])
{
	uint8_t t[16];
	memcpy(t, in, 16);
	out[0] = t[3], out[1] = t[2], out[2] = t[1], out[3] = t[0];
	out[4] = t[5], out[5] = t[4];
	out[6] = t[7], out[7] = t[6];
	memcpy(out + 8, t + 8, 8);
}
