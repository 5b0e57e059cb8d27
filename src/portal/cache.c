/* The page cache: see cache.h.  Four-way set-associative (the key's hash picks a set of
 * four slots; a new entry takes an empty or outdated slot, else the one least recently
 * used), sets guarded by striped locks, bodies copied in and out (a page is a few KiB:
 * a copy costs far less than a render). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "portal/cache.h"
#include "util/limits.h"

#define SETS	  8192 /* power of two */
#define WAYS	  4
#define SLOTS	  (SETS * WAYS)
#define STRIPES	  64
#define PAGE_MAX  (256 * 1024) /* a larger answer is not kept */
#define KEY_BYTES 480

struct entry {
	char *key; /* NULL: empty */
	char *body;
	size_t n;
	long long seq;
	int32_t day;
	const char *ctype;
	unsigned long long used; /* the set's clock when last read or written */
};

struct xy_pcache {
	pthread_mutex_t mu[STRIPES];
	pthread_mutex_t bytes_mu;
	size_t bytes, bytes_max;
	unsigned long long clock[SETS];
	struct entry slot[SLOTS];
};

static uint32_t hash(const char *s)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

struct xy_pcache *xy_pcache_new(size_t bytes_max)
{
	struct xy_pcache *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	for (int i = 0; i < STRIPES; i++)
		pthread_mutex_init(&c->mu[i], NULL);
	pthread_mutex_init(&c->bytes_mu, NULL);
	c->bytes_max = bytes_max;
	return c;
}

void xy_pcache_free(struct xy_pcache *c)
{
	if (!c)
		return;
	for (int i = 0; i < SLOTS; i++) {
		free(c->slot[i].key);
		free(c->slot[i].body);
	}
	for (int i = 0; i < STRIPES; i++)
		pthread_mutex_destroy(&c->mu[i]);
	pthread_mutex_destroy(&c->bytes_mu);
	free(c);
}

int xy_pcache_get(struct xy_pcache *c, const char *key, long long seq, int32_t day,
		  struct xy_buf *out, const char **ctype)
{
	uint32_t h = hash(key), set = h & (SETS - 1);
	pthread_mutex_t *mu = &c->mu[set % STRIPES];
	int hit = 0;
	pthread_mutex_lock(mu);
	for (int w = 0; w < WAYS; w++) {
		struct entry *e = &c->slot[set * WAYS + w];
		if (e->key && e->seq == seq && e->day == day && !strcmp(e->key, key)) {
			if (xy_buf_add(out, e->body, e->n) == 0) {
				*ctype = e->ctype;
				e->used = ++c->clock[set];
				hit = 1;
			}
			break;
		}
	}
	pthread_mutex_unlock(mu);
	return hit;
}

/* Takes n more bytes (after giving back `freed`) when the budget allows. */
static int budget(struct xy_pcache *c, size_t freed, size_t n)
{
	int ok;
	pthread_mutex_lock(&c->bytes_mu);
	ok = c->bytes - freed + n <= c->bytes_max;
	if (ok)
		c->bytes = c->bytes - freed + n;
	pthread_mutex_unlock(&c->bytes_mu);
	return ok;
}

/* The slot of set for key: the same key, else an empty or outdated one, else the least
 * recently used. */
static struct entry *victim(struct xy_pcache *c, uint32_t set, const char *key, long long seq,
			    int32_t day)
{
	struct entry *v = &c->slot[set * WAYS];
	for (int w = 0; w < WAYS; w++) {
		struct entry *e = &c->slot[set * WAYS + w];
		if (!e->key || !strcmp(e->key, key) || e->seq != seq || e->day != day)
			return e;
		if (e->used < v->used)
			v = e;
	}
	return v;
}

void xy_pcache_put(struct xy_pcache *c, const char *key, long long seq, int32_t day,
		   const char *ctype, const char *body, size_t n)
{
	uint32_t h = hash(key), set = h & (SETS - 1);
	pthread_mutex_t *mu = &c->mu[set % STRIPES];
	size_t klen = strlen(key);
	struct entry *e;
	char *k, *b;
	if (n > PAGE_MAX || klen >= KEY_BYTES)
		return;
	k = malloc(klen + 1);
	b = malloc(n ? n : 1);
	if (!k || !b) {
		free(k);
		free(b);
		return;
	}
	memcpy(k, key, klen + 1);
	memcpy(b, body, n);
	pthread_mutex_lock(mu);
	e = victim(c, set, key, seq, day);
	if (!budget(c, e->key ? e->n : 0, n)) {
		pthread_mutex_unlock(mu);
		free(k);
		free(b);
		return;
	}
	free(e->key);
	free(e->body);
	*e = (struct entry){k, b, n, seq, day, ctype, ++c->clock[set]};
	pthread_mutex_unlock(mu);
}
