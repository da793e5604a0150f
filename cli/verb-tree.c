/* verb-tree.c — `uvmkit tree`: layer SOURCEs exactly as `uvmkit initrd` and
 * `uvmkit rootfs` do and list the resulting tree (canonical order) with its
 * digest: what a source contributes, without building an image. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "builder/source.h"
#include "builder/tree-digest.h"
#include "cli.h"
#include "common/hex.h"

struct list_state {
	struct uvm_tree *t;
	struct uvm_error *err;
	uint8_t *seen;
};

static int list_cb(struct uvm_node *n, const char *path, void *ud)
{
	struct list_state *s = ud;
	const struct uvm_inode *i = n->inode;
	char size[48], hx[65] = "-";
	if (S_ISCHR(i->mode) || S_ISBLK(i->mode))
		snprintf(size, sizeof(size), "%u,%u", i->rdev_major,
			 i->rdev_minor);
	else
		snprintf(size, sizeof(size), "%llu",
			 (unsigned long long)i->size);
	if (S_ISREG(i->mode)) {
		uint8_t h[32];
		int r = uvm_inode_content_sha256(s->t, i, h, s->err);
		if (r < 0)
			return r;
		uvm_hex_encode(h, 32, hx);
	}
	printf("%07o %u:%u %u %u %s %s %s%s%s\n", i->mode, i->uid, i->gid,
	       i->ino, i->nlink, size, hx, path[0] ? path : ".",
	       i->symlink ? " -> " : "", i->symlink ? i->symlink : "");
	for (size_t k = 0; k < i->n_xattrs; k++) {
		_cleanup_free_ char *v = malloc(2 * i->xattrs[k].size + 1);
		if (!v)
			return -ENOMEM;
		uvm_hex_encode(i->xattrs[k].value, i->xattrs[k].size, v);
		printf("  xattr %s=%s\n", i->xattrs[k].name, v);
	}
	return 0;
}

static int run(int argc, char **argv)
{
	struct uvm_source_opts so = { 0 };
	bool digest_only = false;
	enum { OPT_UID = 256, OPT_GID, OPT_FORCE };
	static const struct option opts[] = {
		{ "uid", required_argument, NULL, OPT_UID },
		{ "gid", required_argument, NULL, OPT_GID },
		{ "force-owner", no_argument, NULL, OPT_FORCE },
		{ "digest", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int c;
	while ((c = getopt_long(argc, argv, "dh", opts, NULL)) >= 0) {
		switch (c) {
		case OPT_UID:
		case OPT_GID: {
			char *end;
			errno = 0;
			unsigned long v = strtoul(optarg, &end, 10);
			if (errno || *end || !*optarg || v >= UINT32_MAX)
				return log_usage("--%s: expected a number, got '%s'",
						 c == OPT_UID ? "uid" : "gid",
						 optarg);
			if (c == OPT_UID)
				so.uid = (uint32_t)v;
			else
				so.gid = (uint32_t)v;
			break;
		}
		case OPT_FORCE:
			so.set_owner = true;
			break;
		case 'd':
			digest_only = true;
			break;
		case 'h':
			puts("Usage: uvmkit tree [--uid N] [--gid N] [--force-owner] [--digest] SOURCE...\n"
			     "Layer the SOURCEs as `uvmkit initrd`/`rootfs` do and list the tree:\n"
			     "  MODE UID:GID INO NLINK SIZE|MAJOR,MINOR SHA256|- PATH[ -> TARGET]\n"
			     "  followed by '  xattr NAME=HEX' lines, then tree_digest=HEX.\n"
			     "--digest prints only the tree_digest line.");
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return log_usage("at least one SOURCE is required");
	struct uvm_error err = { 0 };
	const char *tmp = getenv("TMPDIR");
	_cleanup_(cleanup_tree) struct uvm_tree *t = NULL;
	int r = uvm_tree_new(tmp && *tmp ? tmp : NULL, &t, &err);
	if (r < 0)
		return log_lib_error(&err, r, NULL);
	for (int i = optind; i < argc; i++) {
		enum uvm_source_kind kind;
		const char *path;
		uvm_source_parse_arg(argv[i], &kind, &path);
		r = uvm_source_add(t, path, kind, &so, &err);
		if (r < 0)
			return log_lib_error(&err, r, NULL);
	}
	uint8_t d[32];
	r = uvm_tree_digest(t, d, &err);
	if (r < 0)
		return log_lib_error(&err, r, NULL);
	if (!digest_only) {
		struct list_state s = { .t = t, .err = &err };
		r = uvm_tree_walk(t, list_cb, &s);
		if (r < 0)
			return log_lib_error(&err, r, NULL);
	}
	char hx[65];
	uvm_hex_encode(d, 32, hx);
	printf("tree_digest=%s\n", hx);
	return EXIT_OK;
}

UVM_VERB(tree, "tree", "list the tree built from SOURCEs and its digest", run);
