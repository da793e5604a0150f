/* source-args.h — the options every verb that layers SOURCEs shares
 * (initrd, rootfs): --epoch, --uid, --gid, --force-owner, and the
 * SOURCE_DATE_EPOCH default. Put CLI_SOURCE_OPTIONS into the getopt table
 * and hand every option to cli_source_option() first. */
#ifndef UVM_CLI_SOURCE_ARGS_H
#define UVM_CLI_SOURCE_ARGS_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>

#include "../builder/source.h"

enum {
	CLI_OPT_EPOCH = 0x200,
	CLI_OPT_UID,
	CLI_OPT_GID,
	CLI_OPT_FORCE_OWNER,
};

#define CLI_SOURCE_OPTIONS                                                     \
	{ "epoch", required_argument, NULL, CLI_OPT_EPOCH },                   \
	{ "uid", required_argument, NULL, CLI_OPT_UID },                       \
	{ "gid", required_argument, NULL, CLI_OPT_GID },                       \
	{ "force-owner", no_argument, NULL, CLI_OPT_FORCE_OWNER }

struct cli_source_args {
	struct uvm_source_opts so;
	uint64_t epoch;
	bool have_epoch;
};

/* A decimal number 0..max (digits only). 0, -EINVAL or -ERANGE. */
int cli_parse_u64(const char *s, uint64_t max, uint64_t *ret);

/* Handle option c if it is one of CLI_OPT_*: returns 1 when handled, 0 when
 * c is another option, -EINVAL after logging a usage error. */
int cli_source_option(int c, const char *arg, struct cli_source_args *a);

/* After parsing: -o given (out non-NULL), at least one SOURCE, and without
 * --epoch the epoch is $SOURCE_DATE_EPOCH, else 0. 0 or -EINVAL (usage
 * error logged). */
int cli_source_finish(const char *out, int n_sources, struct cli_source_args *a);

#endif
