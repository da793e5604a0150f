/* json.h — the one JSON output path shared by every verb (jansson).
 *
 * Library code builds json_t values and returns them; the CLI decides
 * whether and how to print them. Output is deterministic: object keys keep
 * insertion order (JSON_PRESERVE_ORDER), so library code must insert keys
 * in a fixed order.
 */
#ifndef UVM_JSON_H
#define UVM_JSON_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "macro.h"

enum uvm_json_mode {
	UVM_JSON_OFF = 0,
	UVM_JSON_PRETTY,
	UVM_JSON_SHORT,
};

/* Parse "pretty", "short" or "off". Returns the mode or -EINVAL. */
int uvm_json_mode_parse(const char *s);

/* Serialize v to f followed by a newline. Returns 0 or -EIO. */
int uvm_json_dump(json_t *v, FILE *f, enum uvm_json_mode mode);

/* Serialize v to a malloc'd string with the canonical flags (compact, key
 * order preserved, no trailing newline). NULL on allocation failure. */
char *uvm_json_compact(const json_t *v);

/* json_object_set_new(obj, key, json_string(hex(buf, len))). 0 or -ENOMEM. */
int uvm_json_set_hex(json_t *obj, const char *key, const uint8_t *buf,
		     size_t len);

DEFINE_PTR_CLEANUP(json, json_t, json_decref)
#define _cleanup_json_ _cleanup_(cleanup_json)

#endif
