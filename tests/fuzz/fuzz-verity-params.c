/* fuzz-verity-params.c — Kata's kernel_verity_params / root_hash.txt parser
 * (uvm_kata_verity_parse), uvmkit's strict conversion, and the strings
 * rendered from what it accepts. Invariants: a parse either fails with a
 * message or yields non-zero, 512-multiple values and a non-empty salt; a
 * converted parameter set renders a root_hash.txt line that parses back to
 * the same values, and a command line whose sector count is 8·N for 4 KiB. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "builder/verity.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uvm_kata_verity k, k2;
	struct uvm_verity_params p;
	struct uvm_error err = {};
	char *s = malloc(size + 1), *line = NULL, *cmd = NULL;
	int r;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = 0;
	r = uvm_kata_verity_parse(s, &k, &err);
	if (r < 0 && !err.msg[0])
		abort();
	if (r == 1) {
		if (!k.root_hash || !k.salt || !*k.salt || !k.data_blocks ||
		    !k.data_block_size || k.data_block_size % 512 ||
		    !k.hash_block_size || k.hash_block_size % 512)
			abort();
		if (uvm_kata_verity_to_params(&k, &p, &err) == 0) {
			if (uvm_verity_kata_root_hash_line(&p, &line) != 0)
				abort();
			if (uvm_kata_verity_parse(line, &k2, &err) != 1 ||
			    strcasecmp(k2.root_hash, k.root_hash) ||
			    strcasecmp(k2.salt, k.salt) ||
			    k2.data_blocks != k.data_blocks ||
			    k2.data_block_size != k.data_block_size ||
			    k2.hash_block_size != k.hash_block_size)
				abort();
			uvm_kata_verity_done(&k2);
			if (uvm_verity_kata_cmdline(&p, &cmd) == 0 &&
			    strncmp(cmd, "dm-mod.create=\"dm-verity,,,ro,0 ", 31))
				abort();
			free(cmd);
			free(line);
		}
	}
	uvm_kata_verity_done(&k);
	free(s);
	return 0;
}
