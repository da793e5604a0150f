/* spawn.c — fork/exec of build tools with an explicit environment and a
 * log file (see spawn.h for why nothing is inherited). */
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *env_get(const char *const *envp, const char *key)
{
	size_t n = strlen(key);
	for (; envp && *envp; envp++)
		if (strncmp(*envp, key, n) == 0 && (*envp)[n] == '=')
			return *envp + n + 1;
	return NULL;
}

/* Resolve prog against envp's PATH into buf (as execvp would, but with the
 * child's PATH). Returns 0 or -ENOENT. */
static int find_program(const char *prog, const char *const *envp, char *buf,
			size_t size)
{
	if (strchr(prog, '/')) {
		if ((size_t)snprintf(buf, size, "%s", prog) >= size)
			return -ENAMETOOLONG;
		return access(buf, X_OK) == 0 ? 0 : -ENOENT;
	}
	const char *path = env_get(envp, "PATH");
	if (!path)
		path = "/usr/bin:/bin";
	while (*path) {
		size_t len = strcspn(path, ":");
		if (len > 0 &&
		    (size_t)snprintf(buf, size, "%.*s/%s", (int)len, path,
				     prog) < size &&
		    access(buf, X_OK) == 0)
			return 0;
		path += len;
		if (*path == ':')
			path++;
	}
	return -ENOENT;
}

int uvm_spawn_run(const struct uvm_spawn *s, int *ret_status,
		  struct uvm_error *err)
{
	static const char *const empty_env[] = { NULL };
	const char *const *envp = s->envp ? s->envp : empty_env;
	const char *prog = s->argv[0];
	char exe[4096];

	int r = find_program(prog, envp, exe, sizeof(exe));
	if (r < 0)
		return uvm_errorf(err, r, "%s: program not found", prog);

	/* Everything the child needs is prepared before fork: after it only
	 * async-signal-safe calls. */
	int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (devnull < 0)
		return uvm_errorf_errno(err, -errno, "/dev/null");
	int out = s->log_fd >= 0 ? s->log_fd : devnull;

	pid_t pid = fork();
	if (pid < 0) {
		r = -errno;
		close(devnull);
		return uvm_errorf_errno(err, r, "%s: fork", prog);
	}
	if (pid == 0) {
		sigset_t all;
		sigemptyset(&all);
		sigprocmask(SIG_SETMASK, &all, NULL);
		signal(SIGPIPE, SIG_DFL);
		if (dup2(devnull, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
			_exit(127);
		umask(s->umask);
		if (s->cwd && chdir(s->cwd) < 0)
			_exit(127);
		execve(exe, (char *const *)s->argv, (char *const *)envp);
		_exit(127);
	}
	close(devnull);

	int status;
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return uvm_errorf_errno(err, -errno, "%s: waitpid", prog);
	}
	if (ret_status)
		*ret_status = status;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status))
		return uvm_errorf(err, -EPROTO, "%s exited with status %d", prog,
				  WEXITSTATUS(status));
	if (WIFSIGNALED(status))
		return uvm_errorf(err, -EPROTO, "%s killed by signal %d", prog,
				  WTERMSIG(status));
	return uvm_errorf(err, -EPROTO, "%s ended abnormally", prog);
}

int uvm_env_set(char ***env, const char *key, const char *value)
{
	size_t klen = strlen(key), n = 0;
	char *entry = malloc(klen + strlen(value) + 2);
	if (!entry)
		return -ENOMEM;
	sprintf(entry, "%s=%s", key, value);
	for (char **e = *env; e && *e; e++, n++) {
		if (strncmp(*e, key, klen) == 0 && (*e)[klen] == '=') {
			free(*e);
			*e = entry;
			return 0;
		}
	}
	char **nenv = realloc(*env, (n + 2) * sizeof(char *));
	if (!nenv) {
		free(entry);
		return -ENOMEM;
	}
	nenv[n] = entry;
	nenv[n + 1] = NULL;
	*env = nenv;
	return 0;
}

void uvm_env_free(char **env)
{
	for (char **e = env; e && *e; e++)
		free(*e);
	free(env);
}

int uvm_log_tail(const char *path, unsigned max_lines, char **ret)
{
	enum { TAIL_MAX = 4096 };
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	struct stat st;
	if (fstat(fd, &st) < 0)
		return -errno;
	off_t off = st.st_size > TAIL_MAX ? st.st_size - TAIL_MAX : 0;
	char *buf = calloc(1, TAIL_MAX + 1);
	if (!buf)
		return -ENOMEM;
	ssize_t k = pread(fd, buf, TAIL_MAX, off);
	if (k < 0) {
		int r = -errno;
		free(buf);
		return r;
	}
	size_t len = (size_t)k;
	while (len > 0 && buf[len - 1] == '\n')
		len--;
	buf[len] = '\0';
	/* Walk back max_lines newlines. */
	size_t start = len;
	unsigned lines = 0;
	while (start > 0) {
		if (buf[start - 1] == '\n' && ++lines == max_lines)
			break;
		start--;
	}
	memmove(buf, buf + start, len - start + 1);
	*ret = buf;
	return 0;
}
