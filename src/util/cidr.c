/* Address ranges: see cidr.h. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "util/cidr.h"
#include "util/err.h"

int xy_cidr_parse_list(const char *list, struct xy_cidr *out, int max, int *n, char *err,
		       size_t errlen)
{
	const char *p = list;
	*n = 0;
	while (p && *p) {
		char item[80], *slash;
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		struct xy_cidr c = {0};
		int bits;

		while (len && (*p == ' ' || *p == '\t')) {
			p++;
			len--;
		}
		while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len == 0 || len >= sizeof item) {
			snprintf(err, errlen, "allow: empty or overlong entry");
			return XY_EPARSE;
		}
		memcpy(item, p, len);
		item[len] = 0;
		slash = strchr(item, '/');
		if (slash)
			*slash++ = 0;
		if (inet_pton(AF_INET, item, c.addr) == 1) {
			c.family = 4;
			bits = 32;
		} else if (inet_pton(AF_INET6, item, c.addr) == 1) {
			c.family = 6;
			bits = 128;
		} else {
			snprintf(err, errlen, "allow: \"%s\" is not an IPv4 or IPv6 address", item);
			return XY_EPARSE;
		}
		if (slash) {
			char *e;
			long b = strtol(slash, &e, 10);
			if (*slash == 0 || *e || b < 0 || b > bits) {
				snprintf(err, errlen, "allow: bad prefix length in \"%s/%s\"", item,
					 slash);
				return XY_EPARSE;
			}
			bits = (int)b;
		}
		c.bits = bits;
		if (*n >= max) {
			snprintf(err, errlen, "allow: more than %d ranges", max);
			return XY_ELIMIT;
		}
		out[(*n)++] = c;
		p = end ? end + 1 : NULL;
	}
	return 0;
}

static int prefix_eq(const uint8_t *a, const uint8_t *b, int bits)
{
	int full = bits / 8, rest = bits % 8;
	if (memcmp(a, b, (size_t)full) != 0)
		return 0;
	if (rest) {
		uint8_t mask = (uint8_t)(0xff << (8 - rest));
		return (a[full] & mask) == (b[full] & mask);
	}
	return 1;
}

int xy_cidr_match(const struct xy_cidr *r, int n, int family, const uint8_t *addr)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	if (family == 6 && !memcmp(addr, mapped, 12)) {
		family = 4; /* ::ffff:a.b.c.d is an IPv4 client */
		addr += 12;
	}
	for (int i = 0; i < n; i++)
		if (r[i].family == family && prefix_eq(r[i].addr, addr, r[i].bits))
			return 1;
	return 0;
}

int xy_cidr_match_text(const struct xy_cidr *r, int n, const char *addr)
{
	uint8_t b[16];
	if (inet_pton(AF_INET, addr, b) == 1)
		return xy_cidr_match(r, n, 4, b);
	if (inet_pton(AF_INET6, addr, b) == 1)
		return xy_cidr_match(r, n, 6, b);
	return 0;
}
