/* pyparse.h — parse numbers and hex strings exactly as Python does, for
 * options that must accept what a Python tool's argparse accepted (the
 * drop-in `uvmkit measure` for sev-snp-measure):
 *
 *   int(s, 10) / int(s, 0): surrounding whitespace, one sign, for base 0 the
 *     0x/0o/0b prefixes (either case), single underscores between digits
 *     (and after a prefix), no leading zeros on a non-zero base-0 decimal;
 *   bytes.fromhex(s): pairs of hex digits, ASCII whitespace between pairs.
 *
 * Pure functions; no allocation.
 */
#ifndef UVM_PYPARSE_H
#define UVM_PYPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* int(s, base) for base 0 or 10 as sign and magnitude. Returns 0, -EINVAL
 * (Python would raise ValueError), or -ERANGE (magnitude above 2^64-1).
 * "-0" gives neg = false. */
int uvm_pyint_parse(const char *s, int base, bool *ret_neg, uint64_t *ret_mag);

/* The same, into int64_t (-ERANGE outside its range). */
int uvm_pyint_s64(const char *s, int base, int64_t *ret);

/* The same, into uint64_t (-ERANGE if negative). */
int uvm_pyint_u64(const char *s, int base, uint64_t *ret);

/* bytes.fromhex(s) into exactly out_len bytes: -EINVAL on a bad character,
 * an odd digit, or any other decoded length. */
int uvm_pyhex_decode(const char *s, uint8_t *out, size_t out_len);

#endif
