/* source-args.c — shared option handling of the SOURCE verbs (see
 * source-args.h). */
#include "source-args.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cli_parse_u64(const char *s, uint64_t max, uint64_t *ret)
{
	if (!s || !*s || strspn(s, "0123456789") != strlen(s))
		return -EINVAL;
	errno = 0;
	unsigned long long v = strtoull(s, NULL, 10);
	if (errno || v > max)
		return -ERANGE;
	*ret = v;
	return 0;
}

int cli_source_option(int c, const char *arg, struct cli_source_args *a)
{
	uint64_t v;
	switch (c) {
	case CLI_OPT_EPOCH:
		if (cli_parse_u64(arg, UINT32_MAX, &a->epoch) < 0) {
			log_usage("--epoch: expected seconds 0..4294967295, got '%s'",
				  arg);
			return -EINVAL;
		}
		a->have_epoch = true;
		return 1;
	case CLI_OPT_UID:
	case CLI_OPT_GID:
		if (cli_parse_u64(arg, UINT32_MAX - 1, &v) < 0) {
			log_usage("--%s: expected a number, got '%s'",
				  c == CLI_OPT_UID ? "uid" : "gid", arg);
			return -EINVAL;
		}
		*(c == CLI_OPT_UID ? &a->so.uid : &a->so.gid) = (uint32_t)v;
		return 1;
	case CLI_OPT_FORCE_OWNER:
		a->so.set_owner = true;
		return 1;
	}
	return 0;
}

int cli_source_finish(const char *out, int n_sources, struct cli_source_args *a)
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	if (!out) {
		log_usage("-o/--output is required");
		return -EINVAL;
	}
	if (n_sources < 1) {
		log_usage("at least one SOURCE is required");
		return -EINVAL;
	}
	if (a->have_epoch || !sde)
		return 0;
	if (cli_parse_u64(sde, UINT32_MAX, &a->epoch) < 0) {
		log_usage("SOURCE_DATE_EPOCH: expected seconds 0..4294967295, got '%s'",
			  sde);
		return -EINVAL;
	}
	return 0;
}
