/* error.h — how library code reports failure.
 *
 * Every library function returns int: a negative errno on failure, >= 0 on
 * success (possibly a count). It never prints or exits. When it fails it may
 * also leave a one-line human message on a struct uvm_error supplied by the
 * caller (which may be NULL when the caller does not want one). The CLI
 * prints that message once, prefixed with the verb.
 *
 * The message describes the problem in the user's terms ("OVMF.fd: size
 * 12345 is not a multiple of 4096"); it has no trailing newline.
 */
#ifndef UVM_ERROR_H
#define UVM_ERROR_H

#include "macro.h"

struct uvm_error {
	int code;	/* the negative errno last set, 0 if none */
	char msg[1024]; /* NUL-terminated message, "" if none */
};

/* Format a message into err (if non-NULL) and return r (a negative errno).
 * Use as: return uvm_errorf(err, -EINVAL, "bad thing %d", x); */
int uvm_errorf(struct uvm_error *err, int r, const char *fmt, ...)
	_printf_(3, 4);

/* Like uvm_errorf, appending ": <strerror(-r)>". */
int uvm_errorf_errno(struct uvm_error *err, int r, const char *fmt, ...)
	_printf_(3, 4);

/* Prefix an existing message with "prefix: " (for context added by a caller
 * higher up). Returns r unchanged. */
int uvm_error_prefix(struct uvm_error *err, int r, const char *fmt, ...)
	_printf_(3, 4);

/* Clear err. */
void uvm_error_clear(struct uvm_error *err);

#endif
