#include "util/fault.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

/* The list from XY_FAULT_FILE, read afresh at each call (tests switch
 * faults on and off in a running server). */
static int from_file(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;
	if (fd < 0)
		return 0;
	n = read(fd, buf, cap - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	buf[strcspn(buf, "\r\n")] = 0;
	return 1;
}

int xy_fault(const char *point)
{
	const char *list = getenv("XY_FAULT");
	const char *file = getenv("XY_FAULT_FILE");
	char buf[256];
	size_t n = strlen(point);

	if (!list && file && from_file(file, buf, sizeof buf))
		list = buf;
	if (!list)
		return 0;
	for (const char *p = list; *p;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len == n && memcmp(p, point, n) == 0)
			return 1;
		if (!end)
			break;
		p = end + 1;
	}
	return 0;
}
