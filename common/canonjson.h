/* canonjson.h — canonical JSON bytes for signed documents.
 *
 * The subset of RFC 8785 (JCS) that specs/signing.md §3 prescribes for the
 * DSSE payload, so that the same data always gives the same bytes (and so
 * the same statement digest): UTF-8, no insignificant whitespace, no
 * trailing newline, object keys sorted bytewise, only strings, integers,
 * booleans, null, arrays and objects (no reals), strings escaped minimally
 * (\" \\ \b \f \n \r \t, other U+0000..U+001F as lowercase \u00xx, nothing
 * else: not '/', not non-ASCII). Python's
 *   json.dumps(o, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
 * gives the same bytes for such data.
 *
 * jansson's own dumper is not used because it escapes with uppercase hex
 * and sorts keys by NUL-terminated strcmp.
 */
#ifndef UVM_CANONJSON_H
#define UVM_CANONJSON_H

#include <stddef.h>

#include <jansson.h>

#include "error.h"

/* Largest integer magnitude accepted (2^53 - 1): beyond it, readers that
 * use IEEE doubles (JavaScript, JCS) would change the value. */
#define UVM_CANON_INT_MAX 9007199254740991LL

/* Serialize v into a malloc'd buffer (NUL-terminated, the NUL not counted
 * in *ret_len). Returns 0, -EINVAL for a value outside the subset (a real,
 * an integer beyond UVM_CANON_INT_MAX), -ENOMEM, or -ELOOP when nested
 * deeper than 64 levels. */
int uvm_canon_json(const json_t *v, char **ret, size_t *ret_len,
		   struct uvm_error *err);

#endif
