/* The government-zone service: configuration, per-thread resources and
 * the audit helpers every use case calls.  See service.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "audit/checkpoint.h"
#include "audit/retain.h"
#include "crypto/keyring.h"
#include "audit/writer.h"
#include "crypto/password.h"
#include "crypto/seal.h"
#include "svc/instance.h"
#include "svc/client.h"
#include "svc/service.h"
#include "util/date.h"
#include "util/err.h"
#include "util/utf8.h"
#include "util/ini.h"
#include "util/log.h"

struct xy_thread_res {
	struct xy_thread_res *next;
	struct xy_service *svc;
	struct xy_store *st;
	struct xy_sealer *sealer;
};

static __thread struct xy_thread_res *tl_res;

static int cfg_long(const struct xy_ini *ini, const char *sec, const char *key, long def, long min,
		    long max, long *out, char *err, size_t errlen)
{
	int rc = xy_ini_get_long(ini, sec, key, def, min, max, out);
	if (rc)
		snprintf(err, errlen, "config.ini [%s] %s: a whole number from %ld to %ld", sec,
			 key, min, max);
	return rc;
}

int xy_service_open(struct xy_service *svc, struct xy_instance *inst, char *err, size_t errlen)
{
	struct xy_service_config *c = &svc->cfg;
	const struct xy_ini *ini = inst->config;
	long v;
	int rc;
	char dummy[XY_OTP_LEN + 1];

	memset(svc, 0, sizeof *svc);
	svc->inst = inst;
	pthread_mutex_init(&svc->threads_mu, NULL);
	xy_pwpolicy_default(&c->pw);
	/* ACC-4: configurable only towards stricter values. */
	if ((rc = cfg_long(ini, "password", "min_length", 12, 12, 64, &v, err, errlen)))
		return rc;
	c->pw.min_length = (int)v;
	if ((rc = cfg_long(ini, "password", "min_classes", 3, 3, 4, &v, err, errlen)))
		return rc;
	c->pw.min_classes = (int)v;
	if ((rc = cfg_long(ini, "password", "history", 5, 5, 24, &v, err, errlen)))
		return rc;
	c->pw.history = (int)v;
	if ((rc = cfg_long(ini, "password", "max_age_days", 90, 1, 90, &v, err, errlen)))
		return rc;
	c->pw.max_age_days = (int)v;
	/* ACC-6 */
	if ((rc = cfg_long(ini, "session", "idle_minutes", 30, 1, 30, &v, err, errlen)))
		return rc;
	c->idle_us = v * 60 * 1000000LL;
	if ((rc = cfg_long(ini, "session", "absolute_minutes", 480, 5, 480, &v, err, errlen)))
		return rc;
	c->absolute_us = v * 60 * 1000000LL;
	if ((rc = cfg_long(ini, "session", "lock_failures", 5, 3, 5, &v, err, errlen)))
		return rc;
	c->lock_failures = (int)v;
	if ((rc = cfg_long(ini, "session", "lock_window_minutes", 15, 15, 1440, &v, err, errlen)))
		return rc;
	c->lock_window_us = v * 60 * 1000000LL;
	if ((rc = cfg_long(ini, "session", "lock_minutes", 30, 30, 1440, &v, err, errlen)))
		return rc;
	c->lock_us = v * 60 * 1000000LL;
	if ((rc = cfg_long(ini, "session", "dormant_days", 90, 1, 90, &v, err, errlen)))
		return rc;
	c->dormant_days = (int)v;
	if ((rc = cfg_long(ini, "http", "secure_cookies", 0, 0, 1, &v, err, errlen)))
		return rc;
	c->secure_cookies = (int)v;
	c->totp_window = 1;
	snprintf(c->issuer, sizeof c->issuer, "xinyong %s", inst->city_name);

	snprintf(svc->db_path, sizeof svc->db_path, "%s/core.db", inst->dir);
	/* A hash to verify against when the account does not exist, so that the
	 * answer takes the same time (no account enumeration). */
	if ((rc = xy_password_generate(dummy)) ||
	    (rc = xy_password_hash(dummy, strlen(dummy), svc->dummy_hash))) {
		snprintf(err, errlen, "cannot prepare password hashing: %s", xy_strerror(rc));
		return rc;
	}
	xy_wipe(dummy, sizeof dummy);
	if ((rc = xy_sessions_new(&svc->sessions)) || (rc = xy_clients_new(&svc->clients))) {
		snprintf(err, errlen, "out of memory");
		xy_sessions_free(svc->sessions);
		return rc;
	}
	if ((rc = xy_auditw_start(svc->db_path, inst->auditcp, &svc->auditw))) {
		snprintf(err, errlen, "cannot start the audit writer: %s", xy_strerror(rc));
		xy_sessions_free(svc->sessions);
		xy_clients_free(svc->clients);
		return rc;
	}
	return 0;
}

void xy_service_close(struct xy_service *svc)
{
	struct xy_thread_res *t, *n;
	xy_auditw_stop(svc->auditw);
	xy_sessions_free(svc->sessions);
	xy_clients_free(svc->clients);
	for (t = svc->threads; t; t = n) {
		n = t->next;
		xy_sealer_free(t->sealer);
		xy_store_close(t->st);
		free(t);
	}
	pthread_mutex_destroy(&svc->threads_mu);
	memset(svc, 0, sizeof *svc);
}

int xy_ctx_init(struct xy_ctx *cx, struct xy_service *svc, const char *client, const char *agent)
{
	struct xy_thread_res *t = tl_res;
	int rc;

	memset(cx, 0, sizeof *cx);
	cx->svc = svc;
	cx->client = client;
	cx->agent = agent;
	if (!t || t->svc != svc) {
		t = calloc(1, sizeof *t);
		if (!t)
			return XY_ENOMEM;
		t->svc = svc;
		if ((rc = xy_store_open(svc->db_path, 0, &t->st)) ||
		    (rc = xy_sealer_new(&t->sealer, svc->inst->keys))) {
			xy_store_close(t->st);
			free(t);
			return rc;
		}
		xy_store_set_tagger(t->st, t->sealer); /* CRY-2 */
		pthread_mutex_lock(&svc->threads_mu);
		t->next = svc->threads;
		svc->threads = t;
		pthread_mutex_unlock(&svc->threads_mu);
		tl_res = t;
	}
	cx->st = t->st;
	cx->sealer = t->sealer;
	return 0;
}

int xy_svc_audit_checkpoint(struct xy_service *svc)
{
	struct xy_ctx cx;
	int rc = xy_ctx_init(&cx, svc, "local", "maintenance");
	return rc ? rc : xy_auditcp_sync(svc->inst->auditcp, cx.st, 0);
}

int xy_svc_audit_retain(struct xy_service *svc, struct xy_retain_result *r)
{
	struct xy_instance *inst = svc->inst;
	struct xy_audit_event who = {0};
	struct xy_ctx cx;
	int rc = xy_ctx_init(&cx, svc, "local", "maintenance");

	if (rc)
		return rc;
	who.zone = XY_ZONE_GOV;
	who.client = "local";
	who.agent = "maintenance";
	who.account = "system:retention";
	return xy_audit_retain(cx.st, inst->auditcp, xy_keyring_sm2(inst->keys), inst->auditcp_path,
			       inst->retention_months, xy_now_us(), &who, r);
}

static void fill_event(struct xy_ctx *cx, struct xy_audit_event *ev, const char *action,
		       const char *object, const char *result, const char *reason)
{
	memset(ev, 0, sizeof *ev);
	ev->zone = XY_ZONE_GOV;
	ev->client = cx->client;
	ev->agent = cx->agent;
	if (cx->authed) {
		ev->account = cx->who.account;
		ev->real_name = cx->who.real_name[0] ? cx->who.real_name : NULL;
		ev->unit = cx->who.unit_code;
	} else {
		ev->account = cx->claimed;
	}
	ev->action = action;
	ev->object = object;
	ev->purpose = cx->purpose;
	ev->grant_ref = cx->grant_ref;
	ev->result = result;
	ev->reason = reason;
}

int xy_svc_audit(struct xy_ctx *cx, const char *action, const char *object, const char *result,
		 const char *reason)
{
	struct xy_audit_event ev;
	fill_event(cx, &ev, action, object, result, reason);
	if (xy_auditw_write(cx->svc->auditw, &ev))
		return XY_EAUDIT;
	cx->audited = 1;
	return 0;
}

int xy_svc_audit_read(struct xy_ctx *cx, const char *action, const char *object, const char *result,
		      const char *reason)
{
	struct xy_audit_event ev;
	if (!cx->defer_done || cx->deferred)
		return xy_svc_audit(cx, action, object, result, reason);
	fill_event(cx, &ev, action, object, result, reason);
	if (xy_auditw_submit(cx->svc->auditw, &ev, cx->defer_done, cx->defer_arg))
		return XY_EAUDIT;
	cx->deferred = 1;
	cx->audited = 1;
	return 0;
}

int xy_svc_audit_tx(struct xy_ctx *cx, const char *action, const char *object, const char *result,
		    const char *reason)
{
	struct xy_audit_event ev;
	fill_event(cx, &ev, action, object, result, reason);
	if (xy_audit_append(cx->st, &ev))
		return XY_EAUDIT;
	cx->audited = 1; /* (rolled back with its change if that fails) */
	return 0;
}

/* ---- CRY-2: rows changed behind the application's back ---- */

int xy_svc_integrity(struct xy_ctx *cx)
{
	struct xy_store_tamper t[XY_STORE_TAMPER_MAX];
	char obj[160];
	int n, rc = 0;

	if (!cx->st || !xy_store_tamper_pending(cx->st))
		return 0;
	/* Whatever the service left open is undone first: the alarm commits on
	 * the writer's connection, which needs the write lock. */
	xy_store_rollback(cx->st);
	n = xy_store_tamper_take(cx->st, t, XY_STORE_TAMPER_MAX);
	for (int i = 0; i < n && i < XY_STORE_TAMPER_MAX; i++) {
		snprintf(obj, sizeof obj, "{\"table\":\"%s\",\"id\":%lld,\"what\":\"%s\"}",
			 t[i].table, (long long)t[i].id, t[i].what);
		if (xy_svc_audit(cx, "integrity.alarm", obj, "failed", "row_tag_mismatch"))
			rc = XY_EAUDIT;
	}
	return rc ? rc : XY_ETAMPER;
}

/* ---- shared by the services ---- */

int xy_svc_refuse(struct xy_ctx *cx, const char *action, const char *object, const char *reason)
{
	int rc = xy_svc_audit(cx, action, object, "refused", reason);
	return rc ? rc : XY_EDENIED;
}

int xy_svc_valid_text(const char *s, size_t max, int multiline)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > max || !xy_utf8_valid(s, n))
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c < 0x20 && !(multiline && (c == '\n' || c == '\r'))) || c == 0x7f)
			return 0;
	}
	return 1;
}

void xy_svc_unit_resource(const struct xy_unit *u, struct xy_resource *r)
{
	memset(r, 0, sizeof *r);
	r->unit_id = u->id;
	r->region = u->region;
	r->level = u->level;
	r->credit_office = !strcmp(u->kind, "credit_office");
	r->role = -1;
}

static int add_role(void *arg, const char *role, const char *scope)
{
	uint32_t *roles = arg;
	int id = xy_role_parse(role);
	(void)scope;
	if (id >= 0)
		*roles |= XY_ROLE_BIT(id);
	return 0;
}

int xy_svc_roles(struct xy_store *st, int64_t account_id, uint32_t *roles)
{
	*roles = 0;
	return xy_store_role_each(st, account_id, add_role, roles);
}

int xy_svc_unseal_account(struct xy_ctx *cx, const char *column, int64_t id, const uint8_t *p,
			  size_t n, uint8_t *out, size_t cap, size_t *len)
{
	struct xy_buf b;
	int rc;
	xy_buf_init(&b, 4096);
	rc = xy_unseal(cx->sealer, "accounts", column, id, p, n, &b);
	if (!rc && b.len > cap)
		rc = XY_ELIMIT;
	if (!rc) {
		memcpy(out, b.p, b.len);
		*len = b.len;
	}
	xy_buf_wipe(&b);
	xy_buf_cleanup(&b);
	return rc;
}

int xy_svc_seal_account(struct xy_ctx *cx, const char *column, int64_t id, const void *pt, size_t n,
			uint8_t *out, size_t cap, size_t *len)
{
	struct xy_buf b;
	int rc;
	xy_buf_init(&b, 4096);
	rc = xy_seal(cx->sealer, "accounts", column, id, pt, n, &b);
	if (!rc && b.len > cap)
		rc = XY_ELIMIT;
	if (!rc) {
		memcpy(out, b.p, b.len);
		*len = b.len;
	}
	xy_buf_cleanup(&b);
	return rc;
}
