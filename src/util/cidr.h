/* Address ranges (CIDR) for admission lists: NET-2's ranges of the server
 * and a machine client's allow-list (SHR-6). */
#ifndef XY_UTIL_CIDR_H
#define XY_UTIL_CIDR_H

#include <stddef.h>
#include <stdint.h>

struct xy_cidr {
	int family; /* 4 or 6 */
	uint8_t addr[16];
	int bits;
};

/* Parses a comma-separated list of ranges ("10.0.0.0/8, ::1"; an address
 * alone is a single host): XY_EPARSE or XY_ELIMIT (more than max) naming
 * the bad entry in err. */
int xy_cidr_parse_list(const char *list, struct xy_cidr *out, int max, int *n, char *err,
		       size_t errlen);
/* 1 when the address (4 or 16 bytes) is inside one of the ranges; an
 * IPv4-mapped IPv6 address counts as IPv4. */
int xy_cidr_match(const struct xy_cidr *r, int n, int family, const uint8_t *addr);
/* The same for an address in text; 0 when it is not an address. */
int xy_cidr_match_text(const struct xy_cidr *r, int n, const char *addr);

#endif
