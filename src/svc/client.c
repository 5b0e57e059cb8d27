/* Machine clients of the data API: see client.h. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/policy.h"
#include "crypto/sm.h"
#include "svc/client.h"
#include "util/cidr.h"
#include "util/date.h"
#include "util/err.h"
#include "util/log.h"

#define CID_PREFIX    "xyc_"
#define SECRET_PREFIX "xys_"

/* A client's rate bucket and today's count, in memory. */
struct live {
	int64_t id;
	double tokens;
	int64_t last_us;
	int32_t day;
	int64_t used, flushed;
};

struct xy_clients {
	pthread_mutex_t mu;
	struct live e[XY_CLIENTS_LIVE_MAX];
	int n;
};

int xy_clients_new(struct xy_clients **out)
{
	struct xy_clients *c = calloc(1, sizeof *c);
	*out = NULL;
	if (!c)
		return XY_ENOMEM;
	pthread_mutex_init(&c->mu, NULL);
	*out = c;
	return 0;
}

void xy_clients_free(struct xy_clients *c)
{
	if (!c)
		return;
	pthread_mutex_destroy(&c->mu);
	free(c);
}

static int hexstr(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s[n] == 0;
}

static int valid_cid(const char *s)
{
	return s && strlen(s) == XY_CLIENT_ID_LEN && !strncmp(s, CID_PREFIX, 4) &&
	       hexstr(s + 4, XY_CLIENT_ID_LEN - 4);
}

static int valid_secret(const char *s)
{
	return s && strlen(s) == XY_CLIENT_SECRET_LEN && !strncmp(s, SECRET_PREFIX, 4) &&
	       hexstr(s + 4, XY_CLIENT_SECRET_LEN - 4);
}

/* ---- administration ---- */

static int parse_day(const char *s, int32_t *day)
{
	return s && strlen(s) == 10 && xy_date_parse(s, 10, day) == 0;
}

/* The allow-list: 1..XY_CLIENT_RANGES_MAX ranges, none wider than /8
 * (IPv4) or /32 (IPv6): a list that admits everyone is no list. */
static int check_allow(const char *allow)
{
	struct xy_cidr r[XY_CLIENT_RANGES_MAX];
	char err[160];
	int n = 0;
	if (!allow || strlen(allow) >= XY_CLIENT_ALLOW_MAX ||
	    xy_cidr_parse_list(allow, r, XY_CLIENT_RANGES_MAX, &n, err, sizeof err) || n < 1)
		return 0;
	for (int i = 0; i < n; i++)
		if (r[i].bits < (r[i].family == 4 ? 8 : 32))
			return 0;
	return 1;
}

/* Each agreement must be the unit's and in force; *last gets the latest
 * last day among them. */
static int check_agreements(struct xy_ctx *cx, const struct xy_client_req *in, int64_t unit_id,
			    int32_t *last)
{
	int32_t today = xy_today();
	*last = 0;
	if (in->nagreements < 1 || in->nagreements > XY_CLIENT_AGREEMENTS_MAX)
		return 0;
	for (int i = 0; i < in->nagreements; i++) {
		struct xy_agreement a;
		for (int j = 0; j < i; j++)
			if (in->agreements[j] == in->agreements[i])
				return 0;
		if (xy_store_agreement_get(cx->st, in->agreements[i], &a) || a.unit_id != unit_id ||
		    a.ended_at || a.valid_to < today)
			return 0;
		if (a.valid_to > *last)
			*last = a.valid_to;
	}
	return 1;
}

int xy_client_create(struct xy_ctx *cx, const struct xy_client_req *in,
		     struct xy_machine_client *out, char secret[XY_CLIENT_SECRET_LEN + 1],
		     const char **why)
{
	struct xy_machine_client *c = out;
	struct xy_unit u;
	struct xy_resource r;
	struct xy_decision d;
	uint8_t raw[32];
	char obj[160];
	int32_t last;
	int rc;

	memset(c, 0, sizeof *c);
	secret[0] = 0;
	if (!in->unit || strlen(in->unit) > XY_UNIT_CODE_MAX ||
	    xy_store_unit_by_code(cx->st, in->unit, &u)) {
		*why = "unit";
		return XY_EINVAL;
	}
	xy_svc_unit_resource(&u, &r);
	snprintf(obj, sizeof obj, "{\"unit\":\"%s\"}", u.code);
	xy_policy_decide(&cx->actor, XY_ACT_CLIENT_MANAGE, &r, xy_now_us(), &d);
	if (!d.allow)
		return xy_svc_refuse(cx, "client.create", obj, d.reason);
	if (r.credit_office) {
		*why = "unit"; /* a client queries under agreements; the office holds none */
		return XY_EINVAL;
	}
	if (!xy_svc_valid_text(in->name, XY_CLIENT_NAME_MAX, 0)) {
		*why = "name";
		return XY_EINVAL;
	}
	if (!check_allow(in->allow)) {
		*why = "allow";
		return XY_EINVAL;
	}
	if (!check_agreements(cx, in, u.id, &last)) {
		*why = "agreements";
		return XY_EINVAL;
	}
	c->rate = in->rate ? (int)in->rate : XY_CLIENT_RATE_DEFAULT;
	if (in->rate < 0 || in->rate > XY_CLIENT_RATE_MAX) {
		*why = "rate";
		return XY_EINVAL;
	}
	c->daily_quota = in->daily_quota ? in->daily_quota : XY_CLIENT_QUOTA_DEFAULT;
	if (in->daily_quota < 0 || in->daily_quota > XY_CLIENT_QUOTA_MAX) {
		*why = "daily_quota";
		return XY_EINVAL;
	}
	c->valid_to = last;
	if (in->valid_to && (!parse_day(in->valid_to, &c->valid_to) || c->valid_to < xy_today() ||
			     c->valid_to > last)) {
		*why = "valid_to"; /* from today to the last day of its agreements */
		return XY_EINVAL;
	}
	memcpy(c->agreements, in->agreements, (size_t)in->nagreements * sizeof *c->agreements);
	c->nagreements = in->nagreements;
	c->unit_id = u.id;
	snprintf(c->name, sizeof c->name, "%s", in->name);
	snprintf(c->allow, sizeof c->allow, "%s", in->allow);
	c->created_by = cx->who.account_id;
	c->created_at = xy_now_us();

	if (xy_random(raw, 8)) {
		*why = "random";
		return XY_ECRYPTO;
	}
	memcpy(c->client_id, CID_PREFIX, 4);
	xy_hex(raw, 8, c->client_id + 4);
	if (xy_random(raw, sizeof raw)) {
		*why = "random";
		return XY_ECRYPTO;
	}
	memcpy(secret, SECRET_PREFIX, 4);
	xy_hex(raw, sizeof raw, secret + 4);
	xy_wipe(raw, sizeof raw);
	xy_sm3(secret, XY_CLIENT_SECRET_LEN, c->secret_hash);

	if ((rc = xy_store_begin(cx->st)))
		goto fail;
	rc = xy_store_client_add(cx->st, c);
	if (!rc) {
		snprintf(obj, sizeof obj, "{\"client\":%lld,\"client_id\":\"%s\",\"unit\":\"%s\"}",
			 (long long)c->id, c->client_id, u.code);
		rc = xy_svc_audit_tx(cx, "client.create", obj, "ok", NULL);
	}
	if (!rc)
		rc = xy_store_commit(cx->st);
	if (rc) {
		xy_store_rollback(cx->st);
		goto fail;
	}
	return 0;
fail:
	xy_wipe(secret, XY_CLIENT_SECRET_LEN + 1);
	return rc;
}

static void forget(struct xy_clients *t, int64_t id)
{
	pthread_mutex_lock(&t->mu);
	for (int i = 0; i < t->n; i++)
		if (t->e[i].id == id) {
			t->e[i] = t->e[--t->n];
			break;
		}
	pthread_mutex_unlock(&t->mu);
}

int xy_client_revoke(struct xy_ctx *cx, int64_t id, const char *reason, const char **why)
{
	struct xy_machine_client c;
	struct xy_unit u;
	struct xy_resource r;
	struct xy_decision d;
	char obj[96];
	int rc;

	if (!xy_svc_valid_text(reason, 500, 0)) {
		*why = "reason";
		return XY_EINVAL;
	}
	if ((rc = xy_store_client_get(cx->st, id, &c)) ||
	    (rc = xy_store_unit_by_id(cx->st, c.unit_id, &u))) {
		*why = "client";
		return rc;
	}
	xy_svc_unit_resource(&u, &r);
	snprintf(obj, sizeof obj, "{\"client\":%lld,\"client_id\":\"%s\"}", (long long)id,
		 c.client_id);
	xy_policy_decide(&cx->actor, XY_ACT_CLIENT_MANAGE, &r, xy_now_us(), &d);
	if (!d.allow)
		return xy_svc_refuse(cx, "client.revoke", obj, d.reason);
	if ((rc = xy_store_begin(cx->st)))
		return rc;
	rc = xy_store_client_revoke(cx->st, id, cx->who.account_id, xy_now_us(), reason);
	if (rc == XY_ENOTFOUND) {
		*why = "already_revoked";
		rc = XY_ECONFLICT;
	}
	if (!rc)
		rc = xy_svc_audit_tx(cx, "client.revoke", obj, "ok", NULL);
	if (!rc)
		rc = xy_store_commit(cx->st);
	if (rc) {
		xy_store_rollback(cx->st);
		return rc;
	}
	forget(cx->svc->clients, id);
	return 0;
}

static int64_t used_today(struct xy_ctx *cx, int64_t id)
{
	struct xy_clients *t = cx->svc->clients;
	int32_t today = xy_today();
	int64_t used = -1;
	pthread_mutex_lock(&t->mu);
	for (int i = 0; i < t->n; i++)
		if (t->e[i].id == id && t->e[i].day == today)
			used = t->e[i].used;
	pthread_mutex_unlock(&t->mu);
	if (used < 0 && xy_store_client_usage(cx->st, id, today, &used))
		used = 0;
	return used;
}

static int may_read(struct xy_ctx *cx, const struct xy_unit *u)
{
	struct xy_resource r;
	struct xy_decision d;
	xy_svc_unit_resource(u, &r);
	xy_policy_decide(&cx->actor, XY_ACT_CLIENT_READ, &r, xy_now_us(), &d);
	return d.allow;
}

int xy_client_get(struct xy_ctx *cx, int64_t id, struct xy_machine_client *out, char *unit_code,
		  size_t ucap, int64_t *used)
{
	struct xy_unit u;
	char obj[64];
	int rc;
	snprintf(obj, sizeof obj, "{\"client\":%lld}", (long long)id);
	if ((rc = xy_store_client_get(cx->st, id, out)) ||
	    (rc = xy_store_unit_by_id(cx->st, out->unit_id, &u)))
		return rc;
	if (!may_read(cx, &u)) /* not told apart from a client that does not exist */
		return xy_svc_audit_read(cx, "client.read", obj, "refused", "not_allowed")
			       ? XY_EAUDIT
			       : XY_ENOTFOUND;
	snprintf(unit_code, ucap, "%s", u.code);
	*used = used_today(cx, id);
	return xy_svc_audit_read(cx, "client.read", obj, "ok", NULL);
}

struct list_ctx {
	struct xy_ctx *cx;
	int (*fn)(void *arg, const struct xy_machine_client *c, const char *unit_code,
		  int64_t used);
	void *arg;
};

static int list_one(void *arg, const struct xy_machine_client *c)
{
	struct list_ctx *l = arg;
	struct xy_unit u;
	if (xy_store_unit_by_id(l->cx->st, c->unit_id, &u) || !may_read(l->cx, &u))
		return 0; /* not shown, not mentioned */
	return l->fn(l->arg, c, u.code, used_today(l->cx, c->id));
}

int xy_client_list(struct xy_ctx *cx, const char *unit, int64_t after, int limit,
		   int (*fn)(void *arg, const struct xy_machine_client *c, const char *unit_code,
			     int64_t used_today),
		   void *arg, const char **why)
{
	struct list_ctx l = {cx, fn, arg};
	struct xy_unit u = {0};
	int rc;
	if (unit && (strlen(unit) > XY_UNIT_CODE_MAX || xy_store_unit_by_code(cx->st, unit, &u))) {
		*why = "unit";
		return XY_EINVAL;
	}
	rc = xy_store_client_each(cx->st, u.id, after, limit, list_one, &l);
	return rc ? rc : xy_svc_audit_read(cx, "client.list", NULL, "ok", NULL);
}

/* ---- authentication, rate and quota ---- */

static int seconds_to_midnight(int64_t now_us)
{
	int64_t s = now_us / 1000000 + 8 * 3600; /* China time */
	return (int)(86400 - s % 86400);
}

/* The client's live entry (loading today's count from the store the
 * first time); -1 when the table is full of unflushed counts. */
static int live_find(struct xy_ctx *cx, const struct xy_machine_client *c, int32_t today,
		     int64_t now)
{
	struct xy_clients *t = cx->svc->clients;
	int64_t stored = 0;
	int i, old = -1;
	for (i = 0; i < t->n; i++)
		if (t->e[i].id == c->id)
			break;
	if (i < t->n && t->e[i].day == today)
		return i;
	/* New to this process, or a new day: today's count as stored. */
	pthread_mutex_unlock(&t->mu);
	if (xy_store_client_usage(cx->st, c->id, today, &stored))
		stored = 0; /* logged by the store; counting starts afresh */
	pthread_mutex_lock(&t->mu);
	for (i = 0; i < t->n; i++)
		if (t->e[i].id == c->id)
			break;
	if (i < t->n) {
		if (t->e[i].day != today)
			t->e[i] = (struct live){c->id, c->rate, now, today, stored, stored};
		return i;
	}
	if (t->n == XY_CLIENTS_LIVE_MAX) {
		for (i = 0; i < t->n; i++) /* the least recent entry with nothing to write */
			if (t->e[i].used == t->e[i].flushed &&
			    (old < 0 || t->e[i].last_us < t->e[old].last_us))
				old = i;
		if (old < 0)
			return -1;
		i = old;
	} else {
		i = t->n++;
	}
	t->e[i] = (struct live){c->id, c->rate, now, today, stored, stored};
	return i;
}

/* One request's token and count: 0, or XY_ELIMIT with *why and *retry_s. */
static int take(struct xy_ctx *cx, const struct xy_machine_client *c, const char **why,
		int *retry_s)
{
	struct xy_clients *t = cx->svc->clients;
	int64_t now = xy_now_us();
	int32_t today = xy_today();
	struct live *e;
	int i, rc = 0;

	pthread_mutex_lock(&t->mu);
	if ((i = live_find(cx, c, today, now)) < 0) {
		pthread_mutex_unlock(&t->mu);
		*why = "client_rate_limited";
		*retry_s = 60; /* until the next flush makes room */
		return XY_ELIMIT;
	}
	e = &t->e[i];
	e->tokens += (double)(now - e->last_us) / 1e6 * c->rate;
	if (e->tokens > c->rate)
		e->tokens = c->rate; /* a burst of one second's worth */
	e->last_us = now;
	if (e->used >= c->daily_quota) {
		*why = "client_quota_exceeded";
		*retry_s = seconds_to_midnight(now);
		rc = XY_ELIMIT;
	} else if (e->tokens < 1.0) {
		*why = "client_rate_limited";
		*retry_s = 1;
		rc = XY_ELIMIT;
	} else {
		e->tokens -= 1.0;
		e->used++;
	}
	pthread_mutex_unlock(&t->mu);
	return rc;
}

int xy_client_resolve(struct xy_ctx *cx, const char *client_id, const char *secret,
		      const char *addr, const char **why, int *retry_s)
{
	struct xy_machine_client c;
	struct xy_unit u;
	struct xy_cidr ranges[XY_CLIENT_RANGES_MAX];
	uint8_t h[XY_SM3_LEN];
	char err[160];
	int n = 0, rc;
	struct xy_who *w = &cx->who;
	struct xy_actor *ac = &cx->actor;

	*why = "unknown_client";
	*retry_s = 0;
	if (!valid_cid(client_id))
		return XY_EDENIED;
	cx->claimed = client_id; /* the refusals' events name what was claimed */
	rc = xy_store_client_by_cid(cx->st, client_id, &c);
	if (rc)
		return rc == XY_ENOTFOUND ? XY_EDENIED : rc;
	if (!valid_secret(secret)) {
		*why = "bad_secret";
		return XY_EDENIED;
	}
	xy_sm3(secret, strlen(secret), h);
	if (!xy_ct_equal(h, c.secret_hash, sizeof h)) {
		*why = "bad_secret";
		return XY_EDENIED;
	}
	if (c.revoked_at) {
		*why = "client_revoked";
		return XY_EDENIED;
	}
	if (c.valid_to < xy_today()) {
		*why = "client_expired";
		return XY_EDENIED;
	}
	if (xy_cidr_parse_list(c.allow, ranges, XY_CLIENT_RANGES_MAX, &n, err, sizeof err) ||
	    !xy_cidr_match_text(ranges, n, addr)) {
		*why = "address_not_allowed";
		return XY_EDENIED;
	}
	if ((rc = xy_store_unit_by_id(cx->st, c.unit_id, &u)))
		return rc;

	memset(w, 0, sizeof *w);
	w->client_id = c.id;
	memcpy(w->client_agreements, c.agreements, sizeof c.agreements);
	w->nclient_agreements = c.nagreements;
	snprintf(w->account, sizeof w->account, "%s", c.client_id);
	snprintf(w->real_name, sizeof w->real_name, "%s", c.name);
	w->unit_id = u.id;
	snprintf(w->unit_code, sizeof w->unit_code, "%s", u.code);
	snprintf(w->unit_name, sizeof w->unit_name, "%s", u.name);
	snprintf(w->region, sizeof w->region, "%s", u.region);
	w->level = u.level;
	w->credit_office = !strcmp(u.kind, "credit_office");
	w->roles = XY_ROLE_BIT(XY_ROLE_UNIT_USER);
	snprintf(w->status, sizeof w->status, "active");
	cx->authed = 1; /* from here on, events name the client */

	memset(ac, 0, sizeof *ac);
	ac->client_id = c.id;
	ac->roles = w->roles;
	ac->active = 1;
	ac->unit_id = w->unit_id;
	ac->region = w->region;
	ac->level = w->level;
	ac->credit_office = w->credit_office;

	return take(cx, &c, why, retry_s);
}

int xy_clients_flush(struct xy_service *svc)
{
	struct xy_clients *t = svc->clients;
	struct xy_ctx cx;
	struct live snap[64];
	int rc, n, start = 0;

	if ((rc = xy_ctx_init(&cx, svc, "local", "maintenance")))
		return rc;
	do { /* in slices, so that requests never wait on the store for long */
		n = 0;
		pthread_mutex_lock(&t->mu);
		for (; start < t->n && n < (int)(sizeof snap / sizeof *snap); start++)
			if (t->e[start].used != t->e[start].flushed)
				snap[n++] = t->e[start];
		pthread_mutex_unlock(&t->mu);
		for (int i = 0; i < n; i++) {
			if ((rc = xy_store_client_usage_set(cx.st, snap[i].id, snap[i].day,
							    snap[i].used)))
				return rc;
			pthread_mutex_lock(&t->mu);
			for (int j = 0; j < t->n; j++)
				if (t->e[j].id == snap[i].id && t->e[j].day == snap[i].day &&
				    t->e[j].flushed < snap[i].used)
					t->e[j].flushed = snap[i].used;
			pthread_mutex_unlock(&t->mu);
		}
	} while (n > 0);
	return 0;
}
