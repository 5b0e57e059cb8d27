/* Token-bucket request-rate limits per key (a client address, an account):
 * `rate` tokens a second up to `burst`.  A fixed table of XY_RATE_TABLE keys;
 * when it is full the least recently seen key in the probe window gives way,
 * so memory does not grow with the number of clients.  Thread-safe. */
#ifndef XY_HTTP_RATELIMIT_H
#define XY_HTTP_RATELIMIT_H

#include <stdint.h>

struct xy_rate;

/* rate > 0 tokens per second, burst >= 1.  XY_ENOMEM / XY_EINVAL. */
int xy_rate_new(double rate, double burst, struct xy_rate **out);
/* 1 when a token was taken, 0 when limited (*retry_s: whole seconds until
 * the next token, at least 1). */
int xy_rate_take(struct xy_rate *r, const char *key, int64_t now_us, int *retry_s);
void xy_rate_free(struct xy_rate *r);

#endif
