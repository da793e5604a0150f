/* json.c — deterministic JSON serialization helpers over jansson. */
#include "json.h"

#include <errno.h>
#include <string.h>

#include "hex.h"

int uvm_json_mode_parse(const char *s)
{
	if (!s || !strcmp(s, "pretty"))
		return UVM_JSON_PRETTY;
	if (!strcmp(s, "short"))
		return UVM_JSON_SHORT;
	if (!strcmp(s, "off"))
		return UVM_JSON_OFF;
	return -EINVAL;
}

int uvm_json_dump(json_t *v, FILE *f, enum uvm_json_mode mode)
{
	size_t flags = JSON_PRESERVE_ORDER;
	flags |= mode == UVM_JSON_SHORT ? JSON_COMPACT : JSON_INDENT(2);
	if (json_dumpf(v, f, flags) < 0 || fputc('\n', f) == EOF)
		return -EIO;
	return 0;
}

char *uvm_json_compact(const json_t *v)
{
	return json_dumps(v, JSON_PRESERVE_ORDER | JSON_COMPACT);
}

int uvm_json_set_hex(json_t *obj, const char *key, const uint8_t *buf,
		     size_t len)
{
	char *s = malloc(2 * len + 1);
	if (!s)
		return -ENOMEM;
	uvm_hex_encode(buf, len, s);
	int r = json_object_set_new(obj, key, json_string(s));
	free(s);
	return r < 0 ? -ENOMEM : 0;
}
