/* The portal's page cache: what a page says depends only on the change set applied
 * (public.db does not change between change sets), the day (display periods) and the
 * request target, so a rendered answer is kept under (target, change set, day) and
 * served again until one of them moves.  Bounded: a fixed number of slots, one entry
 * each (a new entry takes its slot's place), and at most XY_PORTAL_CACHE_MB of bodies;
 * past that nothing more is kept until entries are replaced.  Safe from any thread. */
#ifndef XY_PORTAL_CACHE_H
#define XY_PORTAL_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

struct xy_pcache;

/* NULL when out of memory (the portal then runs without a cache). */
struct xy_pcache *xy_pcache_new(size_t bytes_max);
void xy_pcache_free(struct xy_pcache *c);

/* 1 and the body appended to out, *ctype its Content-Type (a static string), when key
 * is cached for (seq, day); else 0. */
int xy_pcache_get(struct xy_pcache *c, const char *key, long long seq, int32_t day,
		  struct xy_buf *out, const char **ctype);
/* Keeps a copy of body[0..n) under key for (seq, day); ctype must be a static string.
 * Does nothing when the page is too large or the cache full. */
void xy_pcache_put(struct xy_pcache *c, const char *key, long long seq, int32_t day,
		   const char *ctype, const char *body, size_t n);

#endif
