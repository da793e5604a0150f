/* test-spawn-cache.c — unit tests for common/spawn (explicit environment,
 * exit statuses, log tail) and common/cache (lookup/begin/commit, races,
 * bad keys, atomic copy). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cache.h"
#include "common/fileio.h"
#include "common/spawn.h"

static char scratch[] = "/tmp/uvmkit-test-spawn.XXXXXX";

static void test_spawn_env_and_status(void **state)
{
	char log[4096];
	snprintf(log, sizeof(log), "%s/log", scratch);
	int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	_cleanup_(uvm_env_freep) char **env = NULL;
	assert_int_equal(uvm_env_set(&env, "PATH", "/usr/bin:/bin"), 0);
	assert_int_equal(uvm_env_set(&env, "FOO", "one"), 0);
	assert_int_equal(uvm_env_set(&env, "FOO", "two"), 0); /* later wins */
	const char *argv[] = { "sh", "-c",
			       "echo foo=$FOO home=${HOME-unset}; pwd; umask",
			       NULL };
	struct uvm_spawn s = { .argv = argv, .envp = (const char *const *)env,
			       .cwd = "/", .log_fd = fd, .umask = 027 };
	struct uvm_error err = { 0 };
	assert_int_equal(uvm_spawn_run(&s, NULL, &err), 0);
	close(fd);
	_cleanup_free_ char *tail = NULL;
	assert_int_equal(uvm_log_tail(log, 10, &tail), 0);
	assert_string_equal(tail, "foo=two home=unset\n/\n0027");
	free(tail);
	tail = NULL;
	assert_int_equal(uvm_log_tail(log, 1, &tail), 0);
	assert_string_equal(tail, "0027");

	const char *fail[] = { "sh", "-c", "exit 3", NULL };
	s.argv = fail;
	s.log_fd = -1;
	int status = 0;
	assert_int_equal(uvm_spawn_run(&s, &status, &err), -EPROTO);
	assert_string_equal(err.msg, "sh exited with status 3");

	const char *kill[] = { "sh", "-c", "kill -9 $$", NULL };
	s.argv = kill;
	assert_int_equal(uvm_spawn_run(&s, &status, &err), -EPROTO);
	assert_string_equal(err.msg, "sh killed by signal 9");

	/* The program is looked up in the child's PATH, not ours. */
	const char *none[] = { "sh", "-c", "true", NULL };
	const char *empty_path[] = { "PATH=/nonexistent", NULL };
	s.argv = none;
	s.envp = empty_path;
	assert_int_equal(uvm_spawn_run(&s, NULL, &err), -ENOENT);
	assert_string_equal(err.msg, "sh: program not found");
}

static void test_cache(void **state)
{
	char cache[4096];
	snprintf(cache, sizeof(cache), "%s/cache", scratch);
	const char *key =
		"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
	struct uvm_error err = { 0 };
	char *dir = NULL, *tmp = NULL, *tmp2 = NULL;

	assert_int_equal(uvm_cache_lookup(cache, "kernel", key, &dir, &err), 0);
	assert_null(dir);
	assert_int_equal(uvm_cache_lookup(cache, "kernel", "abc", &dir, &err),
			 -EINVAL);
	assert_int_equal(uvm_cache_lookup(cache, "../x", key, &dir, &err),
			 -EINVAL);

	assert_int_equal(uvm_cache_begin(cache, "kernel", key, &tmp, &err), 0);
	assert_int_equal(uvm_cache_begin(cache, "kernel", key, &tmp2, &err), 0);
	char f[4200];
	snprintf(f, sizeof(f), "%s/vmlinuz", tmp);
	assert_int_equal(uvm_write_file_atomic(f, "one", 3, 0644, &err), 0);
	snprintf(f, sizeof(f), "%s/vmlinuz", tmp2);
	assert_int_equal(uvm_write_file_atomic(f, "two", 3, 0644, &err), 0);
	/* Not visible until committed. */
	assert_int_equal(uvm_cache_lookup(cache, "kernel", key, &dir, &err), 0);
	assert_int_equal(uvm_cache_commit(tmp, cache, "kernel", key, NULL, &err),
			 0);
	/* A second builder of the same key loses quietly: the first stays. */
	assert_int_equal(uvm_cache_commit(tmp2, cache, "kernel", key, NULL, &err),
			 0);
	assert_int_equal(access(tmp2, F_OK), -1);
	assert_int_equal(uvm_cache_lookup(cache, "kernel", key, &dir, &err), 1);
	snprintf(f, sizeof(f), "%s/vmlinuz", dir);
	uint8_t *buf;
	size_t len;
	assert_int_equal(uvm_read_file(f, 100, &buf, &len, &err), 0);
	assert_int_equal(len, 3);
	assert_memory_equal(buf, "one", 3);
	free(buf);

	char out[4200];
	snprintf(out, sizeof(out), "%s/copy", scratch);
	assert_int_equal(uvm_copy_file_atomic(f, out, 0600, &err), 0);
	struct stat st;
	assert_int_equal(stat(out, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_size, 3);
	assert_int_equal(uvm_copy_file_atomic("/nonexistent", out, 0600, &err),
			 -ENOENT);
	assert_int_equal(stat(out, &st), 0); /* kept */
	free(dir);
	free(tmp);
	free(tmp2);
}

static int setup(void **state)
{
	return mkdtemp(scratch) ? 0 : -1;
}

static int teardown(void **state)
{
	return uvm_rm_rf(scratch);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spawn_env_and_status),
		cmocka_unit_test(test_cache),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
