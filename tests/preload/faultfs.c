/* faultfs: storage faults for the fail-closed tests (AUD-2), preloaded into
 * a server under test with LD_PRELOAD; never built into the product.
 *
 * The file named by XY_FAULTFS holds at most one line, read again at each
 * call (a test switches a fault on and off while the server runs):
 *
 *     write ENOSPC core.db     pwrite/write to a file whose path contains
 *                              "core.db" fail with ENOSPC (the disk is full)
 *     write EROFS core.db      ... with EROFS (the file system went read-only)
 *     sync EIO core.db         fsync/fdatasync of such a file fail with EIO
 *
 * No file, an empty file or another path: every call goes through.  The
 * calls are SQLite's own (it reaches pwrite64 and fdatasync through the
 * dynamic linker), so the product sees the errno a real disk would give. */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

enum op { OP_WRITE, OP_SYNC };

/* The errno to fail this call on fd with, or 0 to let it through. */
static int fault_for(enum op op, int fd)
{
	const char *ctl = getenv("XY_FAULTFS");
	char line[256], what[16], err[16], match[200], self[64], path[512];
	ssize_t n;
	int cfd, saved = errno;

	if (!ctl)
		return 0;
	cfd = open(ctl, O_RDONLY | O_CLOEXEC);
	if (cfd < 0) {
		errno = saved;
		return 0;
	}
	n = read(cfd, line, sizeof line - 1);
	close(cfd);
	errno = saved;
	if (n <= 0)
		return 0;
	line[n] = 0;
	if (sscanf(line, "%15s %15s %199s", what, err, match) != 3 ||
	    strcmp(what, op == OP_WRITE ? "write" : "sync") != 0)
		return 0;
	snprintf(self, sizeof self, "/proc/self/fd/%d", fd);
	n = readlink(self, path, sizeof path - 1);
	errno = saved;
	if (n <= 0)
		return 0;
	path[n] = 0;
	if (!strstr(path, match))
		return 0;
	if (!strcmp(err, "ENOSPC"))
		return ENOSPC;
	if (!strcmp(err, "EROFS"))
		return EROFS;
	if (!strcmp(err, "EIO"))
		return EIO;
	return 0;
}

typedef ssize_t (*pwrite_fn)(int, const void *, size_t, off_t);
typedef ssize_t (*write_fn)(int, const void *, size_t);
typedef int (*sync_fn)(int);

/* The next definition of name (libc's), looked up once. */
#define NEXT(name, type)         \
	static type next_##name; \
	if (!next_##name)        \
	*(void **)(&next_##name) = dlsym(RTLD_NEXT, #name)

ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off)
{
	int e = fault_for(OP_WRITE, fd);
	NEXT(pwrite64, pwrite_fn);
	if (e) {
		errno = e;
		return -1;
	}
	return next_pwrite64(fd, buf, n, off);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
	int e = fault_for(OP_WRITE, fd);
	NEXT(pwrite, pwrite_fn);
	if (e) {
		errno = e;
		return -1;
	}
	return next_pwrite(fd, buf, n, off);
}

ssize_t write(int fd, const void *buf, size_t n)
{
	int e = fd > 2 ? fault_for(OP_WRITE, fd) : 0;
	NEXT(write, write_fn);
	if (e) {
		errno = e;
		return -1;
	}
	return next_write(fd, buf, n);
}

int fsync(int fd)
{
	int e = fault_for(OP_SYNC, fd);
	NEXT(fsync, sync_fn);
	if (e) {
		errno = e;
		return -1;
	}
	return next_fsync(fd);
}

int fdatasync(int fd)
{
	int e = fault_for(OP_SYNC, fd);
	NEXT(fdatasync, sync_fn);
	if (e) {
		errno = e;
		return -1;
	}
	return next_fdatasync(fd);
}
