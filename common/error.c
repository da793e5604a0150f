/* error.c — formatted error messages kept on a caller's struct uvm_error. */
#include "error.h"

#include <stdarg.h>
#include <string.h>

static int vset(struct uvm_error *err, int r, int with_errno, const char *fmt,
		va_list ap)
{
	if (!err)
		return r;
	err->code = r;
	int n = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	if (with_errno && n >= 0 && (size_t)n < sizeof(err->msg))
		snprintf(err->msg + n, sizeof(err->msg) - (size_t)n, ": %s",
			 strerror(r < 0 ? -r : r));
	return r;
}

int uvm_errorf(struct uvm_error *err, int r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vset(err, r, 0, fmt, ap);
	va_end(ap);
	return r;
}

int uvm_errorf_errno(struct uvm_error *err, int r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vset(err, r, 1, fmt, ap);
	va_end(ap);
	return r;
}

int uvm_error_prefix(struct uvm_error *err, int r, const char *fmt, ...)
{
	if (!err)
		return r;
	char prefix[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	char old[sizeof(err->msg)];
	memcpy(old, err->msg, sizeof(old));
	if (old[0])
		snprintf(err->msg, sizeof(err->msg), "%.255s: %.760s", prefix, old);
	else
		snprintf(err->msg, sizeof(err->msg), "%.255s: %s", prefix,
			 strerror(r < 0 ? -r : r));
	err->code = r;
	return r;
}

void uvm_error_clear(struct uvm_error *err)
{
	if (!err)
		return;
	err->code = 0;
	err->msg[0] = 0;
}
