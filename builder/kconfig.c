/* kconfig.c — kernel config fragments (kconfig.h): a strict line parser,
 * an ordered map with the fragment line behind each value, the survival
 * check after olddefconfig and the attribution file.
 *
 * The map is a plain array searched linearly: a resolved tiny config has
 * about 1500 lines, so the quadratic cost is a few milliseconds and the
 * first-seen order (which is Kconfig's menu order for a .config) is kept
 * for free. */
#include "kconfig.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/fileio.h"

#define KCONFIG_MAX_FILE (16u << 20)

void uvm_kconfig_done(struct uvm_kconfig *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].name);
		free(c->v[i].value);
		free(c->v[i].file);
	}
	free(c->v);
	*c = (struct uvm_kconfig){ 0 };
}

static struct uvm_kconfig_entry *find(const struct uvm_kconfig *c,
				      const char *name, size_t len)
{
	for (size_t i = 0; i < c->n; i++)
		if (strncmp(c->v[i].name, name, len) == 0 &&
		    c->v[i].name[len] == '\0')
			return &c->v[i];
	return NULL;
}

const struct uvm_kconfig_entry *uvm_kconfig_get(const struct uvm_kconfig *c,
						const char *name)
{
	return find(c, name, strlen(name));
}

static int set_n(struct uvm_kconfig *c, const char *name, size_t name_len,
		 const char *value, size_t value_len, const char *file,
		 unsigned line)
{
	_cleanup_free_ char *v = NULL, *f = NULL;
	if (value && !(v = strndup(value, value_len)))
		return -ENOMEM;
	if (file && !(f = strdup(file)))
		return -ENOMEM;
	struct uvm_kconfig_entry *e = find(c, name, name_len);
	if (!e) {
		if (c->n == c->cap) {
			size_t cap = c->cap ? c->cap * 2 : 256;
			void *nv = reallocarray(c->v, cap, sizeof(*c->v));
			if (!nv)
				return -ENOMEM;
			c->v = nv;
			c->cap = cap;
		}
		char *nm = strndup(name, name_len);
		if (!nm)
			return -ENOMEM;
		e = &c->v[c->n++];
		*e = (struct uvm_kconfig_entry){ .name = nm };
	}
	free(e->value);
	free(e->file);
	e->value = TAKE_PTR(v);
	e->file = TAKE_PTR(f);
	e->line = line;
	return 0;
}

int uvm_kconfig_set(struct uvm_kconfig *c, const char *name,
		    const char *value, const char *file, unsigned line)
{
	return set_n(c, name, strlen(name), value, value ? strlen(value) : 0,
		     file, line);
}

/* Length of a symbol name "CONFIG_[A-Za-z0-9_]+" at s, 0 if none. */
static size_t name_len(const char *s, size_t len)
{
	if (len < 8 || memcmp(s, "CONFIG_", 7) != 0)
		return 0;
	size_t i = 7;
	while (i < len && (s[i] == '_' || (s[i] >= '0' && s[i] <= '9') ||
			   (s[i] >= 'A' && s[i] <= 'Z') ||
			   (s[i] >= 'a' && s[i] <= 'z')))
		i++;
	return i > 7 ? i : 0;
}

/* Is s[0..len) a value Kconfig writes: y/m/n, a number, a quoted string? */
static bool valid_value(const char *s, size_t len)
{
	if (len == 0)
		return false;
	if (s[0] == '"') {
		size_t i = 1;
		while (i < len && s[i] != '"') {
			if (s[i] == '\\' && i + 1 < len)
				i++;
			i++;
		}
		return i == len - 1 && len >= 2;
	}
	size_t i = s[0] == '-' ? 1 : 0;
	if (i == len)
		return false;
	if (len - i > 2 && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X'))
		return strspn(s + i + 2, "0123456789abcdefABCDEF") >= len - i - 2;
	if (len == 1 && (s[0] == 'y' || s[0] == 'm' || s[0] == 'n'))
		return true;
	for (; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

int uvm_kconfig_parse(struct uvm_kconfig *c, const char *text, size_t len,
		      const char *origin, struct uvm_error *err)
{
	const char *where = origin ? origin : "config";
	unsigned lineno = 0;
	int count = 0;
	for (size_t off = 0; off < len;) {
		const char *l = text + off;
		const char *nl = memchr(l, '\n', len - off);
		size_t ll = nl ? (size_t)(nl - l) : len - off;
		off += ll + (nl ? 1 : 0);
		lineno++;
		while (ll > 0 && (l[ll - 1] == ' ' || l[ll - 1] == '\t' ||
				  l[ll - 1] == '\r'))
			ll--;
		if (ll == 0)
			continue;
		if (memchr(l, '\0', ll))
			return uvm_errorf(err, -EINVAL, "%s:%u: NUL byte", where,
					  lineno);
		int r;
		if (l[0] == '#') {
			static const char tail[] = " is not set";
			size_t tl = sizeof(tail) - 1;
			size_t nlen = ll > 2 ? name_len(l + 2, ll - 2) : 0;
			if (ll < 2 || l[1] != ' ' || nlen == 0 ||
			    ll != 2 + nlen + tl || memcmp(l + 2 + nlen, tail, tl))
				continue; /* an ordinary comment */
			r = set_n(c, l + 2, nlen, NULL, 0, origin, lineno);
		} else {
			size_t nlen = name_len(l, ll);
			if (nlen == 0 || nlen >= ll || l[nlen] != '=')
				return uvm_errorf(
					err, -EINVAL,
					"%s:%u: expected CONFIG_NAME=VALUE or "
					"'# CONFIG_NAME is not set', got '%.*s'",
					where, lineno, (int)MIN(ll, 80), l);
			const char *v = l + nlen + 1;
			size_t vl = ll - nlen - 1;
			if (!valid_value(v, vl))
				return uvm_errorf(
					err, -EINVAL,
					"%s:%u: %.*s: bad value '%.*s' (expected "
					"y, m, n, a number or a \"string\")",
					where, lineno, (int)nlen, l,
					(int)MIN(vl, 80), v);
			bool unset = vl == 1 && v[0] == 'n';
			r = set_n(c, l, nlen, unset ? NULL : v, unset ? 0 : vl,
				  origin, lineno);
		}
		if (r < 0)
			return uvm_errorf(err, r, "%s: out of memory", where);
		count++;
	}
	return count;
}

int uvm_kconfig_load(struct uvm_kconfig *c, const char *path, bool as_base,
		     struct uvm_error *err)
{
	_cleanup_free_ uint8_t *buf = NULL;
	size_t len;
	int r = uvm_read_file(path, KCONFIG_MAX_FILE, &buf, &len, err);
	if (r < 0)
		return r;
	r = uvm_kconfig_parse(c, (const char *)buf, len, as_base ? NULL : path,
			      err);
	if (r < 0 && as_base)
		uvm_error_prefix(err, r, "%s", path);
	return r;
}

/* A growing string (NUL-terminated); on allocation failure it sets oom and
 * stops growing. */
struct sbuf {
	char *s;
	size_t len, cap;
	bool oom;
};

_printf_(2, 3) static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	if (b->oom)
		return;
	for (;;) {
		va_list ap;
		va_start(ap, fmt);
		int n = vsnprintf(b->s ? b->s + b->len : NULL,
				  b->s ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->oom = true;
			return;
		}
		if (b->s && b->len + (size_t)n < b->cap) {
			b->len += (size_t)n;
			return;
		}
		size_t cap = MAX(b->cap * 2, b->len + (size_t)n + 256);
		char *ns = realloc(b->s, cap);
		if (!ns) {
			b->oom = true;
			return;
		}
		b->s = ns;
		b->cap = cap;
	}
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

static void sb_line(struct sbuf *b, const struct uvm_kconfig_entry *e)
{
	if (e->value)
		sb_printf(b, "%s=%s", e->name, e->value);
	else
		sb_printf(b, "# %s is not set", e->name);
}

int uvm_kconfig_write(const struct uvm_kconfig *c, const char *path,
		      struct uvm_error *err)
{
	struct sbuf b = { 0 };
	sb_printf(&b, "%s", "");
	for (size_t i = 0; i < c->n; i++) {
		sb_line(&b, &c->v[i]);
		sb_printf(&b, "\n");
	}
	if (b.oom) {
		free(b.s);
		return uvm_errorf(err, -ENOMEM, "%s: out of memory", path);
	}
	int r = uvm_write_file_atomic(path, b.s, b.len, 0644, err);
	free(b.s);
	return r;
}

static bool same_value(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

int uvm_kconfig_check(const struct uvm_kconfig *requested,
		      const struct uvm_kconfig *resolved, char **ret_msg)
{
	struct sbuf b = { 0 };
	int bad = 0;
	for (size_t i = 0; i < requested->n; i++) {
		const struct uvm_kconfig_entry *q = &requested->v[i];
		if (!q->file)
			continue;
		const struct uvm_kconfig_entry *e = uvm_kconfig_get(resolved,
								    q->name);
		const char *got = e ? e->value : NULL;
		if (same_value(q->value, got))
			continue;
		sb_printf(&b, "%s", bad ? "; " : "");
		bad++;
		if (q->value)
			sb_printf(&b, "%s=%s (%s:%u) ", q->name, q->value,
				  q->file, q->line);
		else
			sb_printf(&b, "%s not set (%s:%u) ", q->name, q->file,
				  q->line);
		if (!e)
			sb_printf(&b, "is gone (unknown option, or its "
				      "dependencies are not met)");
		else if (!got)
			sb_printf(&b, "became not set (its dependencies are "
				      "not met)");
		else if (!q->value)
			sb_printf(&b, "became %s (selected or forced by another "
				      "option)",
				  got);
		else
			sb_printf(&b, "became %s", got);
	}
	if (b.oom) {
		free(b.s);
		return -ENOMEM;
	}
	if (bad && ret_msg)
		*ret_msg = b.s;
	else
		free(b.s);
	return bad;
}

int uvm_kconfig_attribution(const struct uvm_kconfig *merged,
			    const struct uvm_kconfig *resolved,
			    const char *base, char **ret)
{
	struct sbuf b = { 0 };
	sb_printf(&b,
		  "# Where each option of the resolved kernel config came "
		  "from (uvmkit kernel config).\n"
		  "# OPTION<TAB>SOURCE: FRAGMENT:LINE that requested it, '%s' "
		  "(the base config, untouched),\n"
		  "# or 'olddefconfig' (a default, or selected by another "
		  "option).\n",
		  base);
	for (size_t i = 0; i < resolved->n; i++) {
		const struct uvm_kconfig_entry *e = &resolved->v[i];
		const struct uvm_kconfig_entry *m = uvm_kconfig_get(merged,
								    e->name);
		sb_line(&b, e);
		if (m && same_value(m->value, e->value) && m->file)
			sb_printf(&b, "\t%s:%u\n", base_name(m->file), m->line);
		else if (m && same_value(m->value, e->value))
			sb_printf(&b, "\t%s\n", base);
		else
			sb_printf(&b, "\tolddefconfig\n");
	}
	if (b.oom) {
		free(b.s);
		return -ENOMEM;
	}
	*ret = b.s;
	return (int)MIN(b.len, (size_t)INT32_MAX);
}
