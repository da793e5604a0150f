/* canonjson.c — canonical JSON serializer (see canonjson.h). A small
 * growable buffer and a recursive walk; keys are sorted with memcmp on their
 * UTF-8 bytes, which is RFC 8785's order for the ASCII keys we emit and a
 * total, locale-free order for any other key. */
#include "canonjson.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"

#define CANON_MAX_DEPTH 64

struct buf {
	char *p;
	size_t len, cap;
};

static int buf_put(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = MAX(b->cap * 2, b->len + n + 1);
		cap = MAX(cap, (size_t)256);
		char *p = realloc(b->p, cap);
		if (!p)
			return -ENOMEM;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = 0;
	return 0;
}

static int put_string(struct buf *b, const char *s, size_t n)
{
	int r = buf_put(b, "\"", 1);
	size_t run = 0; /* bytes copied verbatim, flushed before an escape */
	for (size_t i = 0; r == 0 && i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[8];
		const char *e = NULL;
		switch (c) {
		case '"': e = "\\\""; break;
		case '\\': e = "\\\\"; break;
		case '\b': e = "\\b"; break;
		case '\f': e = "\\f"; break;
		case '\n': e = "\\n"; break;
		case '\r': e = "\\r"; break;
		case '\t': e = "\\t"; break;
		default:
			if (c < 0x20) {
				snprintf(esc, sizeof(esc), "\\u%04x", c);
				e = esc;
			}
		}
		if (!e) {
			run++;
			continue;
		}
		r = buf_put(b, s + i - run, run);
		run = 0;
		if (r == 0)
			r = buf_put(b, e, strlen(e));
	}
	if (r == 0)
		r = buf_put(b, s + n - run, run);
	return r < 0 ? r : buf_put(b, "\"", 1);
}

struct member {
	const char *key;
	size_t key_len;
	json_t *value;
};

static int member_cmp(const void *a, const void *b)
{
	const struct member *x = a, *y = b;
	int c = memcmp(x->key, y->key, MIN(x->key_len, y->key_len));
	if (c)
		return c;
	return (x->key_len > y->key_len) - (x->key_len < y->key_len);
}

static int put_value(struct buf *b, const json_t *v, int depth,
		     struct uvm_error *err)
{
	char num[32];
	int r;

	if (depth > CANON_MAX_DEPTH)
		return uvm_errorf(err, -ELOOP, "JSON nested deeper than %d",
				  CANON_MAX_DEPTH);
	switch (json_typeof(v)) {
	case JSON_NULL:
		return buf_put(b, "null", 4);
	case JSON_TRUE:
		return buf_put(b, "true", 4);
	case JSON_FALSE:
		return buf_put(b, "false", 5);
	case JSON_REAL:
		return uvm_errorf(err, -EINVAL,
				  "JSON real numbers are not allowed in canonical JSON");
	case JSON_INTEGER: {
		json_int_t i = json_integer_value(v);
		if (i > UVM_CANON_INT_MAX || i < -UVM_CANON_INT_MAX)
			return uvm_errorf(err, -EINVAL,
					  "JSON integer %" JSON_INTEGER_FORMAT
					  " is beyond 2^53-1", i);
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, i);
		return buf_put(b, num, strlen(num));
	}
	case JSON_STRING:
		return put_string(b, json_string_value(v), json_string_length(v));
	case JSON_ARRAY: {
		r = buf_put(b, "[", 1);
		for (size_t i = 0; r == 0 && i < json_array_size(v); i++) {
			if (i)
				r = buf_put(b, ",", 1);
			if (r == 0)
				r = put_value(b, json_array_get(v, i), depth + 1, err);
		}
		return r < 0 ? r : buf_put(b, "]", 1);
	}
	case JSON_OBJECT: {
		size_t n = json_object_size(v), k = 0;
		_cleanup_free_ struct member *m = calloc(n ? n : 1, sizeof(*m));
		if (!m)
			return -ENOMEM;
		const char *key;
		json_t *val;
		json_object_foreach((json_t *)v, key, val) {
			if (k == n)
				break;
			m[k++] = (struct member){ key, strlen(key), val };
		}
		qsort(m, k, sizeof(*m), member_cmp);
		r = buf_put(b, "{", 1);
		for (size_t i = 0; r == 0 && i < k; i++) {
			if (i)
				r = buf_put(b, ",", 1);
			if (r == 0)
				r = put_string(b, m[i].key, m[i].key_len);
			if (r == 0)
				r = buf_put(b, ":", 1);
			if (r == 0)
				r = put_value(b, m[i].value, depth + 1, err);
		}
		return r < 0 ? r : buf_put(b, "}", 1);
	}
	}
	return uvm_errorf(err, -EINVAL, "unknown JSON type");
}

int uvm_canon_json(const json_t *v, char **ret, size_t *ret_len,
		   struct uvm_error *err)
{
	struct buf b = {};
	if (!v)
		return uvm_errorf(err, -EINVAL, "no JSON value");
	int r = put_value(&b, v, 0, err);
	if (r == 0 && !b.p)
		r = buf_put(&b, "", 0);
	if (r < 0) {
		free(b.p);
		if (r == -ENOMEM)
			uvm_errorf(err, r, "out of memory");
		return r;
	}
	*ret = b.p;
	*ret_len = b.len;
	return 0;
}
