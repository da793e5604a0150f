/* builddirs.c — cache and downloads directories, --jobs (builddirs.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builddirs.h"
#include "cli.h"

char *cli_user_cache(const char *sub)
{
	const char *x = getenv("XDG_CACHE_HOME"), *h = getenv("HOME");
	char *s = NULL;
	int k;

	if (x && *x)
		k = asprintf(&s, "%s/uvmkit%s%s", x, sub ? "/" : "", sub ? sub : "");
	else
		k = asprintf(&s, "%s/.cache/uvmkit%s%s", h && *h ? h : "/tmp",
			     sub ? "/" : "", sub ? sub : "");
	return k < 0 ? NULL : s;
}

int cli_builddirs_init(struct cli_builddirs *d, const char *cache_opt, const char *downloads_opt)
{
	int k;

	memset(d, 0, sizeof(*d));
	d->cache = cache_opt ? strdup(cache_opt) : cli_user_cache(NULL);
	if (!d->cache)
		return -ENOMEM;
	if (downloads_opt)
		k = (d->downloads = strdup(downloads_opt)) ? 0 : -1;
	else
		k = asprintf(&d->downloads, "%s/downloads", d->cache);
	if (k < 0) {
		d->downloads = NULL;
		cli_builddirs_done(d);
		return -ENOMEM;
	}
	return 0;
}

void cli_builddirs_done(struct cli_builddirs *d)
{
	free(d->cache);
	free(d->downloads);
	d->cache = d->downloads = NULL;
}

int cli_parse_jobs(const char *s, unsigned *ret)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (!*s || *end || v < 1 || v > 256) {
		log_usage("--jobs: expected 1..256, got '%s'", s);
		return -EINVAL;
	}
	*ret = (unsigned)v;
	return 0;
}
