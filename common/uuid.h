/* uuid.h — parse the 36-character text form of a UUID (formatting is
 * uvm_uuid_format() in hash.h). Pure functions, no allocation. */
#ifndef UVM_UUID_H
#define UVM_UUID_H

#include <stdint.h>

/* Parse "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (either case) into 16 bytes in
 * text order. Returns 0 or -EINVAL. */
int uvm_uuid_parse(const char *s, uint8_t out[16]);

/* Convert between text order and GPT's mixed-endian storage (first three
 * groups little-endian). The operation is its own inverse. */
void uvm_uuid_to_gpt(const uint8_t in[16], uint8_t out[16]);

#endif
