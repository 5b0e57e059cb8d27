/* Token buckets: see ratelimit.h. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "http/ratelimit.h"
#include "util/err.h"
#include "util/limits.h"

#define KEY_MAX 64
#define PROBE	8
#define STRIPES 16

struct bucket {
	char key[KEY_MAX];
	double tokens;
	int64_t last_us;
};

struct xy_rate {
	double rate, burst;
	struct bucket *b;
	pthread_mutex_t mu[STRIPES];
};

int xy_rate_new(double rate, double burst, struct xy_rate **out)
{
	struct xy_rate *r;
	*out = NULL;
	if (!(rate > 0) || !(burst >= 1))
		return XY_EINVAL;
	r = calloc(1, sizeof *r);
	if (!r)
		return XY_ENOMEM;
	r->b = calloc(XY_RATE_TABLE, sizeof *r->b);
	if (!r->b) {
		free(r);
		return XY_ENOMEM;
	}
	r->rate = rate;
	r->burst = burst;
	for (int i = 0; i < STRIPES; i++)
		pthread_mutex_init(&r->mu[i], NULL);
	*out = r;
	return 0;
}

static uint32_t hash(const char *s)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	while (*s)
		h = (h ^ (uint8_t)*s++) * 16777619u;
	return h;
}

int xy_rate_take(struct xy_rate *r, const char *key, int64_t now_us, int *retry_s)
{
	uint32_t h = hash(key);
	/* A probe window never crosses a stripe: the window starts at a multiple
	 * of PROBE and the stripe is chosen by the window. */
	size_t win = (h % (XY_RATE_TABLE / PROBE)) * PROBE;
	pthread_mutex_t *mu = &r->mu[(win / PROBE) % STRIPES];
	struct bucket *b = NULL, *oldest = NULL;
	int ok;

	pthread_mutex_lock(mu);
	for (size_t i = 0; i < PROBE; i++) {
		struct bucket *c = &r->b[win + i];
		if (c->key[0] && !strncmp(c->key, key, KEY_MAX - 1)) {
			b = c;
			break;
		}
		if (!oldest || !c->key[0] || (oldest->key[0] && c->last_us < oldest->last_us))
			oldest = c;
	}
	if (!b) {
		b = oldest;
		strncpy(b->key, key, KEY_MAX - 1);
		b->key[KEY_MAX - 1] = 0;
		b->tokens = r->burst;
		b->last_us = now_us;
	}
	if (now_us > b->last_us) {
		b->tokens += (double)(now_us - b->last_us) / 1e6 * r->rate;
		if (b->tokens > r->burst)
			b->tokens = r->burst;
	}
	b->last_us = now_us;
	ok = b->tokens >= 1.0;
	if (ok) {
		b->tokens -= 1.0;
	} else if (retry_s) {
		double s = ceil((1.0 - b->tokens) / r->rate);
		*retry_s = s < 1 ? 1 : s > 3600 ? 3600 : (int)s;
	}
	pthread_mutex_unlock(mu);
	return ok;
}

void xy_rate_free(struct xy_rate *r)
{
	if (!r)
		return;
	for (int i = 0; i < STRIPES; i++)
		pthread_mutex_destroy(&r->mu[i]);
	free(r->b);
	free(r);
}
