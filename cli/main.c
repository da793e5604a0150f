/* main.c — the uvmkit command: finds the registered verbs (one file each in
 * cli/), dispatches to one, and checks that stdout was written completely
 * before exiting (a full disk must not turn into a silent truncation). */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#ifndef UVMKIT_VERSION
#define UVMKIT_VERSION "unknown"
#endif

extern const struct uvm_verb __start_uvm_verbs[], __stop_uvm_verbs[];

const char *cli_verb;

static void vlog(const char *fmt, va_list ap)
{
	if (cli_verb)
		fprintf(stderr, "uvmkit %s: ", cli_verb);
	else
		fputs("uvmkit: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void log_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

void log_info(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

int log_lib_error(const struct uvm_error *err, int r, const char *what, ...)
{
	char prefix[512] = "";
	if (what) {
		va_list ap;
		va_start(ap, what);
		vsnprintf(prefix, sizeof(prefix), what, ap);
		va_end(ap);
	}
	const char *msg = err && err->msg[0] ? err->msg : strerror(r < 0 ? -r : r);
	if (prefix[0])
		log_error("%s: %s", prefix, msg);
	else
		log_error("%s", msg);
	return EXIT_FAIL;
}

int log_usage(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try 'uvmkit %s%s--help' for more information.\n",
		cli_verb ? cli_verb : "", cli_verb ? " " : "");
	return EXIT_USAGE;
}

int cli_parse_json(const char *v, enum uvm_json_mode *ret)
{
	int m = uvm_json_mode_parse(v);
	if (m < 0) {
		log_usage("--json: expected pretty, short or off, got '%s'", v);
		return -EINVAL;
	}
	*ret = (enum uvm_json_mode)m;
	return 0;
}

static int verb_cmp(const void *a, const void *b)
{
	return strcmp(((const struct uvm_verb *)a)->name,
		      ((const struct uvm_verb *)b)->name);
}

static size_t sorted_verbs(const struct uvm_verb **ret)
{
	static struct uvm_verb sorted[64];
	size_t n = (size_t)(__stop_uvm_verbs - __start_uvm_verbs);
	if (n > ARRAY_SIZE(sorted))
		n = ARRAY_SIZE(sorted);
	memcpy(sorted, __start_uvm_verbs, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), verb_cmp);
	*ret = sorted;
	return n;
}

static void help(FILE *f)
{
	const struct uvm_verb *v;
	size_t n = sorted_verbs(&v);
	fputs("Usage: uvmkit VERB [OPTIONS]\n"
	      "       uvmkit --version | --help\n\n"
	      "Build, measure and sign the guest image of a confidential "
	      "container sandbox.\n\nVerbs:\n",
	      f);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "  %-10s %s\n", v[i].name, v[i].summary);
	fputs("\nRun 'uvmkit VERB --help' for a verb's options.\n"
	      "Exit status: 0 ok, 1 failure, 2 usage error.\n",
	      f);
}

static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 32 || lb > 32)
		return 99;
	size_t d[33][33];
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			size_t c = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			c = MIN(c, d[i - 1][j] + 1);
			d[i][j] = MIN(c, d[i][j - 1] + 1);
		}
	return d[la][lb];
}

static int finish(int code)
{
	/* Data went to stdout: make sure all of it got there. */
	if (fflush(stdout) != 0 || ferror(stdout) || fclose(stdout) != 0) {
		if (errno != EPIPE) {
			fprintf(stderr, "uvmkit: error writing standard output: %s\n",
				strerror(errno));
			return EXIT_FAIL;
		}
	}
	return code;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return help(stderr), EXIT_USAGE;
	const char *name = argv[1];
	if (!strcmp(name, "--help") || !strcmp(name, "-h") ||
	    !strcmp(name, "help")) {
		help(stdout);
		return finish(EXIT_OK);
	}
	if (!strcmp(name, "--version")) {
		printf("uvmkit %s\n", UVMKIT_VERSION);
		return finish(EXIT_OK);
	}
	const struct uvm_verb *v;
	size_t n = sorted_verbs(&v);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].name, name)) {
			cli_verb = v[i].name;
			return finish(v[i].run(argc - 1, argv + 1));
		}
	fprintf(stderr, "uvmkit: '%s' is not a uvmkit verb.", name);
	for (size_t i = 0; i < n; i++)
		if (edit_distance(name, v[i].name) <= 2) {
			fprintf(stderr, " Did you mean '%s'?", v[i].name);
			break;
		}
	fputs(" See 'uvmkit --help'.\n", stderr);
	return EXIT_USAGE;
}
