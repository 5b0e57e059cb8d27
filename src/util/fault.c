#include "util/fault.h"

#include <stdlib.h>
#include <string.h>

int xy_fault(const char *point)
{
	const char *list = getenv("XY_FAULT");
	size_t n = strlen(point);

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
