/* cli.h — what every verb file in cli/ shares: the verb registry, logging
 * and exit codes. cli/ is the only place that prints or exits.
 *
 * A verb file defines `static int run(int argc, char **argv)` and registers
 * it with UVM_VERB(); main.c finds every registered verb through the linker
 * section, so adding a verb touches no shared file. argv[0] is the verb name;
 * parse options with getopt_long as usual. The return value is the process
 * exit code: 0 ok, 1 failure (including a verification that did not hold),
 * 2 usage error.
 */
#ifndef UVM_CLI_H
#define UVM_CLI_H

#include <stdio.h>

#include "../common/error.h"
#include "../common/json.h"

enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,
	EXIT_USAGE = 2,
};

struct uvm_verb {
	const char *name;    /* "measure" */
	const char *summary; /* one line for `uvmkit --help` */
	int (*run)(int argc, char **argv);
};

#define UVM_VERB(id, vname, vsummary, vrun)                                    \
	static const struct uvm_verb uvm_verb_##id                             \
		__attribute__((used, section("uvm_verbs"), aligned(8))) = {    \
			.name = vname,                                         \
			.summary = vsummary,                                   \
			.run = vrun,                                           \
	}


/* "uvmkit VERB: message" on stderr. */
void log_error(const char *fmt, ...) _printf_(1, 2);
/* Progress and notes on stderr, suppressed by --quiet where a verb has it. */
void log_info(const char *fmt, ...) _printf_(1, 2);
/* Print err->msg (or strerror(-r) if empty) prefixed with "what: ". Returns
 * EXIT_FAIL so a verb can `return log_lib_error(&err, r, "...")`. */
int log_lib_error(const struct uvm_error *err, int r, const char *what, ...)
	_printf_(3, 4);
/* Usage error: prints the message and a hint to --help. Returns EXIT_USAGE. */
int log_usage(const char *fmt, ...) _printf_(1, 2);

/* The verb currently running (for message prefixes). */
extern const char *cli_verb;

/* Parse a --json=MODE argument (NULL means "pretty"). On a bad value logs a
 * usage error and returns -EINVAL. */
int cli_parse_json(const char *optarg_value, enum uvm_json_mode *ret);

#endif
