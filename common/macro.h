/* macro.h — small GNU C helpers shared by every module: scoped cleanup
 * (systemd's _cleanup_ idiom), ownership transfer, array sizes and
 * overflow-checked arithmetic.
 *
 * Ownership rule: a variable declared with one of the _cleanup_*_ attributes
 * owns what it points to; TAKE_PTR() hands that ownership to the caller and
 * leaves NULL behind so the cleanup becomes a no-op.
 */
#ifndef UVM_MACRO_H
#define UVM_MACRO_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _unused_ __attribute__((unused))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _warn_unused_ __attribute__((warn_unused_result))

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define ALIGN_UP(x, a) ((((x) + (a) - 1) / (a)) * (a))

/* Return the pointer and leave NULL in its place. */
#define TAKE_PTR(p)                                                            \
	({                                                                     \
		__typeof__(p) _p_ = (p);                                       \
		(p) = NULL;                                                    \
		_p_;                                                           \
	})
#define TAKE_FD(fd)                                                            \
	({                                                                     \
		int _fd_ = (fd);                                               \
		(fd) = -1;                                                     \
		_fd_;                                                          \
	})

/* Define cleanup_<name>(T **p) calling func(*p) when *p is non-NULL. */
#define DEFINE_PTR_CLEANUP(name, type, func)                                   \
	static inline void cleanup_##name(type **p)                            \
	{                                                                      \
		if (*p)                                                        \
			func(*p);                                              \
	}

static inline void cleanup_freep(void *p)
{
	free(*(void **)p);
}
static inline void cleanup_closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}
static inline void cleanup_fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}

#define _cleanup_free_ _cleanup_(cleanup_freep)
#define _cleanup_close_ _cleanup_(cleanup_closep)
#define _cleanup_fclose_ _cleanup_(cleanup_fclosep)

/* Checked arithmetic: return true on overflow. */
#define ADD_OVERFLOW(a, b, r) __builtin_add_overflow(a, b, r)
#define MUL_OVERFLOW(a, b, r) __builtin_mul_overflow(a, b, r)

#endif
