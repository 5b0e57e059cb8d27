#include "support/testdata.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The file whose presence marks the repository root. */
#define MARKER "catalog/default.json"

static int has_marker(const char *dir)
{
	char path[PATH_MAX];
	int n = snprintf(path, sizeof path, "%s/%s", dir, MARKER);

	return n > 0 && (size_t)n < sizeof path && access(path, R_OK) == 0;
}

/* Walks up from the current directory to "/"; the result stays in dir. */
static int find_upwards(char *dir, size_t cap)
{
	if (!getcwd(dir, cap))
		return -1;
	for (;;) {
		if (has_marker(dir))
			return 0;
		char *slash = strrchr(dir, '/');
		if (!slash || (slash == dir && dir[1] == '\0'))
			return -1;
		slash[slash == dir] = '\0'; /* "/work" becomes "/", "/a/b" becomes "/a" */
	}
}

const char *xy_testdata_root(void)
{
	static char root[PATH_MAX];
	const char *env = getenv("XY_ROOT");
	size_t n;

	if (root[0])
		return root;
	if (env && env[0]) {
		n = strlen(env);
		if (n >= sizeof root) {
			fprintf(stderr, "testdata: XY_ROOT is too long\n");
			return NULL;
		}
		memcpy(root, env, n + 1);
		while (n > 1 && root[n - 1] == '/')
			root[--n] = '\0';
		return root;
	}
	if (find_upwards(root, sizeof root) == 0)
		return root;
	root[0] = '\0';
	fprintf(stderr, "testdata: no %s here or above; set XY_ROOT to the repository\n", MARKER);
	return NULL;
}

/* Reads exactly size bytes from fd into a new NUL-terminated buffer. */
static char *read_all(int fd, size_t size)
{
	char *buf = malloc(size + 1);
	size_t got = 0;

	if (!buf)
		return NULL;
	while (got < size) {
		ssize_t r = read(fd, buf + got, size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			free(buf);
			return NULL;
		}
		got += (size_t)r;
	}
	buf[size] = '\0';
	return buf;
}

char *xy_testdata_read(const char *rel, size_t *len)
{
	const char *root = xy_testdata_root();
	char path[PATH_MAX];
	struct stat st;
	char *buf = NULL;
	int fd = -1, n;

	if (len)
		*len = 0;
	if (!root)
		return NULL;
	n = snprintf(path, sizeof path, "%s/%s", root, rel);
	if (n < 0 || (size_t)n >= sizeof path) {
		fprintf(stderr, "testdata: path too long for %s\n", rel);
		return NULL;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0) {
		fprintf(stderr, "testdata: cannot read %s: %s\n", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		fprintf(stderr, "testdata: %s is not a regular file\n", path);
		goto out;
	}
	if (st.st_size > XY_TESTDATA_FILE_MAX) {
		fprintf(stderr, "testdata: %s is larger than %d bytes\n", path,
			XY_TESTDATA_FILE_MAX);
		goto out;
	}
	buf = read_all(fd, (size_t)st.st_size);
	if (!buf)
		fprintf(stderr, "testdata: reading %s failed\n", path);
	else if (len)
		*len = (size_t)st.st_size;
out:
	if (fd >= 0)
		close(fd);
	return buf;
}
