/* Machine clients of the data API (SHR-6, JJ art.17): another government
 * system queries the platform with its own credentials instead of a
 * person's session.
 *
 * The credit office creates a client for a using unit, bound to some of
 * that unit's agreements, with an address allow-list, a rate (requests a
 * second) and a daily quota (requests a China day), until a last day; the
 * secret is shown once and kept only as its SM3 digest (256 random bits:
 * the digest is as good as a keyed one).  The client sends
 * `Authorization: Basic base64(client_id:secret)` on the query endpoints
 * and gets the same answers, through the same policy decision, as a using
 * unit's person holding those agreements.  Revocation takes effect on the
 * next request.
 *
 * Rates and usage are counted in memory and written to client_usage every
 * minute and at shutdown, so a restart keeps the day's quota (less at most
 * a minute of requests if the process dies). */
#ifndef XY_SVC_CLIENT_H
#define XY_SVC_CLIENT_H

#include "store/store.h"
#include "svc/service.h"

#define XY_CLIENT_SECRET_LEN	68	   /* "xys_" and 64 hex digits */
#define XY_CLIENT_RANGES_MAX	16	   /* address ranges of one client */
#define XY_CLIENT_RATE_MAX	1000	   /* requests a second */
#define XY_CLIENT_QUOTA_MAX	10000000LL /* requests a day */
#define XY_CLIENTS_LIVE_MAX	1024	   /* clients counted in memory at once */
#define XY_CLIENT_NAME_MAX	200	   /* bytes */
#define XY_CLIENT_RATE_DEFAULT	10
#define XY_CLIENT_QUOTA_DEFAULT 10000

struct xy_client_req {
	const char *unit;  /* the using unit's code */
	const char *name;  /* the system, e.g. "市公共资源交易平台" */
	const char *allow; /* comma-separated address ranges */
	const int64_t *agreements;
	int nagreements;
	long long rate, daily_quota; /* 0: the defaults */
	const char *valid_to;	     /* YYYY-MM-DD; NULL: the last day of its agreements */
};

/* Creates a client; out gets it, secret the secret (shown once).
 * XY_EINVAL with *why naming the field; XY_EDENIED (policy, audited). */
int xy_client_create(struct xy_ctx *cx, const struct xy_client_req *in,
		     struct xy_machine_client *out, char secret[XY_CLIENT_SECRET_LEN + 1],
		     const char **why);
/* Revokes a client in force (XY_ECONFLICT "already_revoked"). */
int xy_client_revoke(struct xy_ctx *cx, int64_t id, const char *reason, const char **why);
/* One client, with its unit's code and today's usage. */
int xy_client_get(struct xy_ctx *cx, int64_t id, struct xy_machine_client *out, char *unit_code,
		  size_t ucap, int64_t *used_today);
/* The clients the caller may see (unit NULL: every unit). */
int xy_client_list(struct xy_ctx *cx, const char *unit, int64_t after, int limit,
		   int (*fn)(void *arg, const struct xy_machine_client *c, const char *unit_code,
			     int64_t used_today),
		   void *arg, const char **why);

/* Authenticates a request from address addr: fills cx->who and cx->actor.
 * XY_EDENIED with *why ("unknown_client", "bad_secret", "client_revoked",
 * "client_expired", "address_not_allowed"); XY_ELIMIT with *why
 * ("client_rate_limited", "client_quota_exceeded") and *retry_s. */
int xy_client_resolve(struct xy_ctx *cx, const char *client_id, const char *secret,
		      const char *addr, const char **why, int *retry_s);
/* Writes the day's counts to the store (maintenance and shutdown). */
int xy_clients_flush(struct xy_service *svc);

int xy_clients_new(struct xy_clients **out);
void xy_clients_free(struct xy_clients *c);

#endif
