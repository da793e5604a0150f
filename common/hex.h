/* hex.h — hex and base64 encoding/decoding of byte strings.
 *
 * All functions are pure (no allocation unless stated) and bounds-checked.
 */
#ifndef UVM_HEX_H
#define UVM_HEX_H

#include <stddef.h>
#include <stdint.h>

/* Write 2*len lowercase hex digits and a NUL into out (size >= 2*len+1). */
void uvm_hex_encode(const uint8_t *in, size_t len, char *out);

/* Decode exactly 2*out_len hex digits (either case) from the NUL-terminated
 * string hex into out. Returns 0, or -EINVAL when hex has another length or a
 * non-hex character. An optional "0x" prefix is NOT accepted here. */
int uvm_hex_decode(const char *hex, uint8_t *out, size_t out_len);

/* Decode any even-length hex string into a malloc'd buffer; *ret_len gets its
 * length. Returns 0, -EINVAL or -ENOMEM. */
int uvm_hex_decode_alloc(const char *hex, uint8_t **ret, size_t *ret_len);

/* Standard base64 (RFC 4648, with padding). The encoder returns a malloc'd
 * NUL-terminated string or NULL on allocation failure. */
char *uvm_base64_encode(const uint8_t *in, size_t len);

/* Decode standard base64 (padding required, no whitespace) into a malloc'd
 * buffer. Returns 0, -EINVAL on malformed input, -ENOMEM. */
int uvm_base64_decode(const char *in, uint8_t **ret, size_t *ret_len);

#endif
