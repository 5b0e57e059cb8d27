/* Sign-in and sessions (ACC-2..6): see service.h.
 *
 * Sessions live in memory only, as the SM3 digest of their token (a token
 * is 256 random bits, so its digest is as good as a keyed one): a server
 * restart signs everyone out.  One process serves an instance (serve holds
 * a lock), so this table is the whole truth. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/codes.h"
#include "crypto/password.h"
#include "crypto/seal.h"
#include "crypto/sm.h"
#include "crypto/sm2.h"
#include "crypto/totp.h"
#include "svc/instance.h"
#include "svc/service.h"
#include "util/date.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/log.h"
#include "util/qr.h"
#include "util/utf8.h"

#define NBUCKETS	 16384 /* power of two */
#define CHALLENGE_TTL_US (120 * 1000000LL)
#define CHALLENGE_ID_LEN 32 /* hex characters */
#define TOKEN_PREFIX	 "xy_"
#define IDNUM_DOMAIN	 "account.id_number"

struct sess {
	int32_t next; /* chain, or free list */
	int used;
	uint8_t th[XY_SM3_LEN]; /* digest of the token */
	uint8_t ch[XY_SM3_LEN]; /* digest of the CSRF token */
	int64_t id, account_id, created_us, last_us;
	unsigned gen; /* who is valid while gen == the table's gen */
	struct xy_who who;
};

struct challenge {
	char id[CHALLENGE_ID_LEN + 1];
	char account[XY_ACCOUNT_NAME_MAX];
	uint8_t nonce[32];
	int64_t expires_us;
	int for_enrol; /* made by sm2 enrolment (then the pending key verifies) */
};

struct xy_sessions {
	pthread_mutex_t mu;
	struct sess *e;
	int32_t bucket[NBUCKETS];
	int32_t free_head;
	int64_t next_id;
	unsigned gen;
	long count;
	struct challenge ch[XY_CHALLENGES_MAX];
	int ch_next;
};

int xy_sessions_new(struct xy_sessions **out)
{
	struct xy_sessions *s = calloc(1, sizeof *s);
	*out = NULL;
	if (!s)
		return XY_ENOMEM;
	s->e = calloc(XY_SESSIONS_MAX, sizeof *s->e);
	if (!s->e) {
		free(s);
		return XY_ENOMEM;
	}
	for (int i = 0; i < NBUCKETS; i++)
		s->bucket[i] = -1;
	for (int i = 0; i < XY_SESSIONS_MAX; i++)
		s->e[i].next = i + 1 < XY_SESSIONS_MAX ? i + 1 : -1;
	s->free_head = 0;
	s->next_id = 1;
	pthread_mutex_init(&s->mu, NULL);
	*out = s;
	return 0;
}

void xy_sessions_free(struct xy_sessions *s)
{
	if (!s)
		return;
	xy_wipe(s->e, sizeof *s->e * XY_SESSIONS_MAX);
	free(s->e);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

static uint32_t bucket_of(const uint8_t th[XY_SM3_LEN])
{
	return ((uint32_t)th[0] | (uint32_t)th[1] << 8 | (uint32_t)th[2] << 16) & (NBUCKETS - 1);
}

/* Unlinks entry i (lock held). */
static void drop(struct xy_sessions *s, int32_t i)
{
	int32_t *pp = &s->bucket[bucket_of(s->e[i].th)];
	while (*pp != -1 && *pp != i)
		pp = &s->e[*pp].next;
	if (*pp == i)
		*pp = s->e[i].next;
	memset(&s->e[i], 0, sizeof s->e[i]);
	s->e[i].next = s->free_head;
	s->free_head = i;
	s->count--;
}

static int32_t find(struct xy_sessions *s, const uint8_t th[XY_SM3_LEN])
{
	for (int32_t i = s->bucket[bucket_of(th)]; i != -1; i = s->e[i].next)
		if (xy_ct_equal(s->e[i].th, th, XY_SM3_LEN))
			return i;
	return -1;
}

static void b64url(const uint8_t *in, size_t n, char *out)
{
	static const char al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t k = 0, i;
	for (i = 0; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		out[k++] = al[v >> 18];
		out[k++] = al[(v >> 12) & 63];
		out[k++] = al[(v >> 6) & 63];
		out[k++] = al[v & 63];
	}
	if (n - i == 1) {
		uint32_t v = (uint32_t)in[i] << 16;
		out[k++] = al[v >> 18];
		out[k++] = al[(v >> 12) & 63];
	} else if (n - i == 2) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
		out[k++] = al[v >> 18];
		out[k++] = al[(v >> 12) & 63];
		out[k++] = al[(v >> 6) & 63];
	}
	out[k] = 0;
}

/* ---- who is signed in ---- */

static int pw_expired(const struct xy_service *svc, const struct xy_account *a, int64_t now)
{
	return now - a->pw_changed_at > (int64_t)svc->cfg.pw.max_age_days * 86400LL * 1000000LL;
}

/* Loads the account's view (unit, roles, flags). */
static int load_who(struct xy_ctx *cx, const struct xy_account *a, struct xy_who *w)
{
	struct xy_unit u;
	uint32_t roles;
	int64_t now = xy_now_us();
	int rc;

	if ((rc = xy_store_unit_by_id(cx->st, a->unit_id, &u)) ||
	    (rc = xy_svc_roles(cx->st, a->id, &roles)))
		return rc;
	w->account_id = a->id;
	snprintf(w->account, sizeof w->account, "%s", a->name);
	snprintf(w->real_name, sizeof w->real_name, "%s", a->real_name);
	w->unit_id = u.id;
	snprintf(w->unit_code, sizeof w->unit_code, "%s", u.code);
	snprintf(w->unit_name, sizeof w->unit_name, "%s", u.name);
	snprintf(w->region, sizeof w->region, "%s", u.region);
	w->level = u.level;
	w->credit_office = !strcmp(u.kind, "credit_office");
	w->roles = roles;
	snprintf(w->status, sizeof w->status, "%s",
		 a->locked_until > now && !strcmp(a->status, "active") ? "locked" : a->status);
	w->must_change = a->must_change || pw_expired(cx->svc, a, now);
	w->must_enroll = a->totp_sealed_len == 0 && !a->sm2_pub[0];
	w->needs_identity = !a->has_idnum || !a->real_name[0];
	return 0;
}

static void set_actor(struct xy_ctx *cx)
{
	struct xy_actor *ac = &cx->actor;
	memset(ac, 0, sizeof *ac);
	ac->account_id = cx->who.account_id;
	ac->roles = cx->who.roles;
	ac->active = !strcmp(cx->who.status, "active");
	/* A session still being set up (ACC-3, ACC-5, ACC-1) acts as nobody. */
	ac->setup_pending = cx->who.must_change || cx->who.must_enroll || cx->who.needs_identity;
	ac->unit_id = cx->who.unit_id;
	ac->region = cx->who.region;
	ac->level = cx->who.level;
	ac->credit_office = cx->who.credit_office;
}

int xy_session_resolve(struct xy_ctx *cx, const char *token, int cookie, const char **why)
{
	struct xy_sessions *s = cx->svc->sessions;
	uint8_t th[XY_SM3_LEN];
	int64_t now = xy_now_us();
	int32_t i;
	int64_t account_id, sid;
	unsigned gen;
	uint8_t csrf[XY_SM3_LEN];

	*why = "unknown_token";
	if (strncmp(token, TOKEN_PREFIX, strlen(TOKEN_PREFIX)) != 0)
		return XY_EDENIED;
	xy_sm3(token, strlen(token), th);
	pthread_mutex_lock(&s->mu);
	i = find(s, th);
	if (i < 0) {
		pthread_mutex_unlock(&s->mu);
		return XY_EDENIED;
	}
	if (now - s->e[i].last_us > cx->svc->cfg.idle_us) {
		*why = "idle_timeout";
		drop(s, i);
		pthread_mutex_unlock(&s->mu);
		return XY_EDENIED;
	}
	if (now - s->e[i].created_us > cx->svc->cfg.absolute_us) {
		*why = "expired";
		drop(s, i);
		pthread_mutex_unlock(&s->mu);
		return XY_EDENIED;
	}
	s->e[i].last_us = now;
	memcpy(csrf, s->e[i].ch, sizeof csrf);
	if (s->e[i].gen == s->gen) {
		cx->who = s->e[i].who;
		pthread_mutex_unlock(&s->mu);
		goto have;
	}
	account_id = s->e[i].account_id;
	sid = s->e[i].id;
	gen = s->gen;
	pthread_mutex_unlock(&s->mu);
	{ /* the cached view is stale: reload it outside the lock */
		struct xy_account a;
		struct xy_who w = {0};
		int rc = xy_store_account_by_id(cx->st, account_id, &a);
		if (!rc)
			rc = load_who(cx, &a, &w);
		xy_wipe(a.pw_hash, sizeof a.pw_hash);
		if (rc)
			return rc;
		w.session_id = sid;
		pthread_mutex_lock(&s->mu);
		i = find(s, th);
		if (i >= 0) {
			w.created_us = s->e[i].created_us;
			if (s->e[i].gen != s->gen || gen == s->gen) {
				s->e[i].who = w;
				s->e[i].gen = gen;
			}
		}
		pthread_mutex_unlock(&s->mu);
		if (i < 0)
			return XY_EDENIED;
		cx->who = w;
	}
have:
	if (strcmp(cx->who.status, "active") != 0) {
		*why = "account_ended";
		return XY_EDENIED;
	}
	cx->who.cookie = cookie;
	memcpy(cx->who.csrf_hash, csrf, sizeof csrf);
	cx->who.idle_until_us = now + cx->svc->cfg.idle_us;
	cx->who.expires_us = cx->who.created_us + cx->svc->cfg.absolute_us;
	if (cx->who.idle_until_us > cx->who.expires_us)
		cx->who.idle_until_us = cx->who.expires_us;
	cx->authed = 1;
	set_actor(cx);
	return 0;
}

int xy_session_csrf_ok(struct xy_ctx *cx, const char *csrf)
{
	uint8_t h[XY_SM3_LEN];
	if (!csrf || !*csrf || strlen(csrf) > XY_TOKEN_MAX)
		return 0;
	xy_sm3(csrf, strlen(csrf), h);
	return xy_ct_equal(cx->who.csrf_hash, h, XY_SM3_LEN);
}

static int session_create(struct xy_ctx *cx, const struct xy_who *w, struct xy_signin_result *out)
{
	struct xy_sessions *s = cx->svc->sessions;
	uint8_t raw[32], craw[24];
	int64_t now = xy_now_us();
	int32_t i;
	int rc;

	if ((rc = xy_random(raw, sizeof raw)) || (rc = xy_random(craw, sizeof craw)))
		return rc;
	memcpy(out->token, TOKEN_PREFIX, strlen(TOKEN_PREFIX));
	b64url(raw, sizeof raw, out->token + strlen(TOKEN_PREFIX));
	b64url(craw, sizeof craw, out->csrf);
	xy_wipe(raw, sizeof raw);
	xy_wipe(craw, sizeof craw);
	pthread_mutex_lock(&s->mu);
	if (s->free_head < 0) { /* full: the least recently used session ends */
		int32_t old = 0;
		for (int32_t j = 1; j < XY_SESSIONS_MAX; j++)
			if (s->e[j].last_us < s->e[old].last_us)
				old = j;
		drop(s, old);
	}
	i = s->free_head;
	s->free_head = s->e[i].next;
	memset(&s->e[i], 0, sizeof s->e[i]);
	s->e[i].used = 1;
	xy_sm3(out->token, strlen(out->token), s->e[i].th);
	xy_sm3(out->csrf, strlen(out->csrf), s->e[i].ch);
	s->e[i].id = s->next_id++;
	s->e[i].account_id = w->account_id;
	s->e[i].created_us = s->e[i].last_us = now;
	s->e[i].who = *w;
	s->e[i].who.session_id = s->e[i].id;
	s->e[i].who.created_us = now;
	s->e[i].gen = s->gen;
	{
		uint32_t b = bucket_of(s->e[i].th);
		s->e[i].next = s->bucket[b];
		s->bucket[b] = i;
	}
	s->count++;
	pthread_mutex_unlock(&s->mu);
	out->expires_us = now + cx->svc->cfg.absolute_us;
	return 0;
}

void xy_sessions_end_account(struct xy_service *svc, int64_t account_id)
{
	struct xy_sessions *s = svc->sessions;
	pthread_mutex_lock(&s->mu);
	for (int32_t i = 0; i < XY_SESSIONS_MAX; i++)
		if (s->e[i].used && s->e[i].account_id == account_id)
			drop(s, i);
	s->gen++;
	pthread_mutex_unlock(&s->mu);
}

/* Ends the account's other sessions (after its password changed). */
static void end_other_sessions(struct xy_service *svc, int64_t account_id, int64_t keep)
{
	struct xy_sessions *s = svc->sessions;
	pthread_mutex_lock(&s->mu);
	for (int32_t i = 0; i < XY_SESSIONS_MAX; i++)
		if (s->e[i].used && s->e[i].account_id == account_id && s->e[i].id != keep)
			drop(s, i);
	pthread_mutex_unlock(&s->mu);
}

void xy_sessions_invalidate(struct xy_service *svc)
{
	pthread_mutex_lock(&svc->sessions->mu);
	svc->sessions->gen++;
	pthread_mutex_unlock(&svc->sessions->mu);
}

void xy_sessions_sweep(struct xy_service *svc, int64_t now)
{
	struct xy_sessions *s = svc->sessions;
	pthread_mutex_lock(&s->mu);
	for (int32_t i = 0; i < XY_SESSIONS_MAX; i++)
		if (s->e[i].used && (now - s->e[i].last_us > svc->cfg.idle_us ||
				     now - s->e[i].created_us > svc->cfg.absolute_us))
			drop(s, i);
	for (int i = 0; i < XY_CHALLENGES_MAX; i++)
		if (s->ch[i].id[0] && s->ch[i].expires_us < now)
			memset(&s->ch[i], 0, sizeof s->ch[i]);
	pthread_mutex_unlock(&s->mu);
}

long xy_sessions_count(struct xy_service *svc)
{
	long n;
	pthread_mutex_lock(&svc->sessions->mu);
	n = svc->sessions->count;
	pthread_mutex_unlock(&svc->sessions->mu);
	return n;
}

int xy_session_signout(struct xy_ctx *cx)
{
	struct xy_sessions *s = cx->svc->sessions;
	pthread_mutex_lock(&s->mu);
	for (int32_t i = 0; i < XY_SESSIONS_MAX; i++)
		if (s->e[i].used && s->e[i].id == cx->who.session_id) {
			drop(s, i);
			break;
		}
	pthread_mutex_unlock(&s->mu);
	return xy_svc_audit(cx, "session.delete", NULL, "ok", NULL);
}

/* ---- challenges (ACC-5, SM2) ---- */

static int challenge_message(const struct challenge *c, char *msg, size_t cap)
{
	char hex[65];
	xy_hex(c->nonce, sizeof c->nonce, hex);
	if ((size_t)snprintf(msg, cap, "xinyong sign-in\n%s\n%s", c->account, hex) >= cap)
		return XY_ELIMIT;
	return 0;
}

static int challenge_new(struct xy_service *svc, const char *account, int for_enrol, char *id,
			 size_t idcap, char *msg, size_t mcap)
{
	struct xy_sessions *s = svc->sessions;
	struct challenge c = {0};
	uint8_t idraw[CHALLENGE_ID_LEN / 2];
	int rc;

	if (idcap < CHALLENGE_ID_LEN + 1)
		return XY_ELIMIT;
	if ((rc = xy_random(idraw, sizeof idraw)) || (rc = xy_random(c.nonce, sizeof c.nonce)))
		return rc;
	xy_hex(idraw, sizeof idraw, c.id);
	snprintf(c.account, sizeof c.account, "%s", account);
	c.expires_us = xy_now_us() + CHALLENGE_TTL_US;
	c.for_enrol = for_enrol;
	if ((rc = challenge_message(&c, msg, mcap)))
		return rc;
	memcpy(id, c.id, CHALLENGE_ID_LEN + 1);
	pthread_mutex_lock(&s->mu);
	s->ch[s->ch_next] = c; /* a ring: the oldest outstanding one gives way */
	s->ch_next = (s->ch_next + 1) % XY_CHALLENGES_MAX;
	pthread_mutex_unlock(&s->mu);
	return 0;
}

/* Takes (uses up) a challenge for account: 0 and its message, or XY_EDENIED. */
static int challenge_take(struct xy_service *svc, const char *id, const char *account,
			  int for_enrol, char *msg, size_t mcap)
{
	struct xy_sessions *s = svc->sessions;
	struct challenge c = {0};
	int found = 0;
	int64_t now = xy_now_us();
	if (!id || strlen(id) != CHALLENGE_ID_LEN)
		return XY_EDENIED;
	pthread_mutex_lock(&s->mu);
	for (int i = 0; i < XY_CHALLENGES_MAX; i++)
		if (s->ch[i].id[0] && !strcmp(s->ch[i].id, id)) {
			c = s->ch[i];
			memset(&s->ch[i], 0, sizeof s->ch[i]); /* once only */
			found = 1;
			break;
		}
	pthread_mutex_unlock(&s->mu);
	if (!found || c.expires_us < now || strcmp(c.account, account) != 0 ||
	    c.for_enrol != for_enrol)
		return XY_EDENIED;
	return challenge_message(&c, msg, mcap);
}

static int sm2_check(const char *pem, const char *msg, const char *sig_hex)
{
	struct xy_sm2key *k = NULL;
	uint8_t sig[XY_SM2_SIG_MAX];
	size_t n = sig_hex ? strlen(sig_hex) : 0;
	int rc;
	if (n == 0 || n % 2 || n / 2 > sizeof sig || xy_unhex(sig_hex, n, sig, n / 2))
		return XY_EDENIED;
	if (xy_sm2_load_public_pem(pem, strlen(pem), &k))
		return XY_EDENIED;
	rc = xy_sm2_verify(k, msg, strlen(msg), sig, n / 2);
	xy_sm2_free(k);
	return rc ? XY_EDENIED : 0;
}

int xy_session_challenge(struct xy_ctx *cx, const char *account, char *id, size_t idcap, char *msg,
			 size_t mcap)
{
	/* Answered the same whether or not the account exists. */
	int rc = challenge_new(cx->svc, account, 0, id, idcap, msg, mcap);
	if (rc)
		return rc;
	return xy_svc_audit(cx, "session.challenge", NULL, "ok", NULL);
}

/* ---- sign-in ---- */

static int valid_name(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	return n > 0 && n < XY_ACCOUNT_NAME_MAX;
}

/* Records a failure (ACC-6) with its real reason, in one transaction. */
static int record_failure(struct xy_ctx *cx, int64_t account_id, const char *reason)
{
	struct xy_service *svc = cx->svc;
	struct xy_account a;
	int64_t now = xy_now_us();
	int locked = 0, rc;

	if ((rc = xy_store_begin(cx->st)))
		return rc;
	if ((rc = xy_store_account_by_id(cx->st, account_id, &a)))
		goto out;
	if (!a.fail_first_at || now - a.fail_first_at > svc->cfg.lock_window_us) {
		a.fail_count = 0;
		a.fail_first_at = now;
	}
	if (++a.fail_count >= svc->cfg.lock_failures && a.locked_until <= now) {
		a.locked_until = now + svc->cfg.lock_us;
		a.fail_count = 0;
		a.fail_first_at = 0;
		locked = 1;
	}
	if ((rc = xy_store_account_update(cx->st, &a)) ||
	    (rc = xy_svc_audit_tx(cx, "session.create", NULL, "refused", reason)))
		goto out;
	if (locked && (rc = xy_svc_audit_tx(cx, "account.lock", "{\"rule\":\"ACC-6\"}", "ok",
					    "too_many_failures")))
		goto out;
	rc = xy_store_commit(cx->st);
out:
	if (rc)
		xy_store_rollback(cx->st);
	xy_wipe(a.pw_hash, sizeof a.pw_hash);
	return rc ? XY_EAUDIT : 0;
}

/* The second factor: 0 (and *step for TOTP), XY_EDENIED wrong,
 * XY_ENOTFOUND none given. */
static int second_factor(struct xy_ctx *cx, const struct xy_account *a, const struct xy_signin *in,
			 uint64_t *step)
{
	*step = 0;
	if (in->otp && a->totp_sealed_len) {
		uint8_t key[64];
		size_t klen;
		int rc = xy_svc_unseal_account(cx, "totp_secret", a->id, a->totp_sealed,
					       a->totp_sealed_len, key, sizeof key, &klen);
		if (rc) {
			xy_log_error("account %lld: TOTP secret does not unseal: %s",
				     (long long)a->id, xy_strerror(rc));
			return XY_EDENIED;
		}
		rc = xy_totp_check(key, klen, xy_now_us() / 1000000, in->otp,
				   cx->svc->cfg.totp_window, (uint64_t)a->totp_last_step, step);
		xy_wipe(key, sizeof key);
		return rc ? XY_EDENIED : 0;
	}
	if (in->challenge_id && in->signature && a->sm2_pub[0]) {
		char msg[256];
		if (challenge_take(cx->svc, in->challenge_id, a->name, 0, msg, sizeof msg))
			return XY_EDENIED;
		return sm2_check(a->sm2_pub, msg, in->signature);
	}
	if (in->otp || in->challenge_id || in->signature)
		return XY_EDENIED; /* a factor the account has not enrolled */
	return XY_ENOTFOUND;
}

int xy_session_signin(struct xy_ctx *cx, const struct xy_signin *in, struct xy_signin_result *out)
{
	struct xy_service *svc = cx->svc;
	struct xy_account a;
	struct xy_who w = {0};
	int64_t now = xy_now_us();
	const char *reason = NULL;
	uint64_t step = 0;
	int rc, pw_ok, enrolled;

	memset(out, 0, sizeof *out);
	out->refusal = "invalid_credentials";
	cx->claimed = valid_name(in->account) ? in->account : "(invalid)";
	rc = valid_name(in->account) ? xy_store_account_by_name(cx->st, in->account, &a)
				     : XY_ENOTFOUND;
	if (rc == XY_ENOTFOUND) {
		/* Same work as for a real account, then the same answer. */
		size_t n = in->password ? strlen(in->password) : 0;
		int same = xy_password_verify(svc->dummy_hash, in->password ? in->password : "",
					      n > XY_PASSWORD_MAX ? XY_PASSWORD_MAX : n);
		(void)same;
		rc = xy_svc_audit(cx, "session.create", NULL, "refused", "unknown_account");
		return rc ? rc : XY_EDENIED;
	}
	if (rc)
		return rc;
	{
		/* An overlong password is wrong, but costs the same hashing as any other
		 * (and as an unknown account's), so its answer reveals nothing. */
		size_t pn = in->password ? strlen(in->password) : 0;
		int same = xy_password_verify(a.pw_hash, in->password ? in->password : "",
					      pn > XY_PASSWORD_MAX ? XY_PASSWORD_MAX : pn);
		pw_ok = in->password && pn <= XY_PASSWORD_MAX && same == 0;
	}
	xy_wipe(a.pw_hash, sizeof a.pw_hash);
	if (a.locked_until > now)
		reason = "locked"; /* ACC-6: looks like a wrong password */
	else if (strcmp(a.status, "active") != 0)
		reason = !strcmp(a.status, "pending") ? "account_pending"
			 : !strcmp(a.status, "left")  ? "account_left"
						      : "account_disabled";
	else if (!pw_ok)
		reason = "wrong_password";
	else if (a.end_date != XY_NO_DATE && a.end_date < xy_today())
		reason = "account_expired";
	if (reason) {
		if (!strcmp(reason, "wrong_password"))
			rc = record_failure(cx, a.id, reason);
		else
			rc = xy_svc_audit(cx, "session.create", NULL, "refused", reason);
		return rc ? rc : XY_EDENIED;
	}
	enrolled = a.totp_sealed_len || a.sm2_pub[0];
	if (enrolled) {
		rc = second_factor(cx, &a, in, &step);
		if (rc == XY_ENOTFOUND) {
			/* The password was right: say a factor is needed (not a failure). */
			out->refusal = "second_factor_required";
			rc = xy_svc_audit(cx, "session.create", NULL, "refused",
					  "second_factor_missing");
			return rc ? rc : XY_EDENIED;
		}
		if (rc) {
			rc = record_failure(cx, a.id, "wrong_second_factor");
			return rc ? rc : XY_EDENIED;
		}
	}
	/* Success: reset the failure count, note the sign-in, audit, all at once. */
	if ((rc = xy_store_begin(cx->st)))
		return rc;
	if ((rc = xy_store_account_by_id(cx->st, a.id, &a)))
		goto fail;
	if (step && step <= (uint64_t)a.totp_last_step) {
		/* The same code, used at the same moment by another: refused and
		 * audited like any wrong factor (AUD-1, ACC-6). */
		int64_t id = a.id;
		xy_store_rollback(cx->st);
		xy_wipe(a.pw_hash, sizeof a.pw_hash);
		cx->authed = 0;
		rc = record_failure(cx, id, "second_factor_replayed");
		return rc ? rc : XY_EDENIED;
	}
	if (step)
		a.totp_last_step = (int64_t)step;
	a.fail_count = 0;
	a.fail_first_at = 0;
	a.last_login_at = now;
	if ((rc = xy_store_account_update(cx->st, &a)) || (rc = load_who(cx, &a, &w)))
		goto fail;
	cx->who = w;
	cx->authed = 1;
	if ((rc = xy_svc_audit_tx(cx, "session.create", NULL, "ok",
				  enrolled ? (step ? "password+totp" : "password+sm2")
					   : "password")) ||
	    (rc = xy_store_commit(cx->st)))
		goto fail;
	xy_wipe(a.pw_hash, sizeof a.pw_hash);
	if ((rc = session_create(cx, &w, out)))
		return rc;
	out->must_change = w.must_change;
	out->must_enroll = w.must_enroll;
	out->needs_identity = w.needs_identity;
	cx->who.session_id = 0;
	return 0;
fail:
	xy_store_rollback(cx->st);
	xy_wipe(a.pw_hash, sizeof a.pw_hash);
	cx->authed = 0;
	return rc == XY_EDENIED ? rc : XY_EAUDIT;
}

/* ---- the signed-in person's own changes ---- */

struct hist_check {
	const char *pw;
	size_t n;
	int reused;
};

static int check_hist(void *arg, const char *hash)
{
	struct hist_check *h = arg;
	if (xy_password_verify(hash, h->pw, h->n) == 0) {
		h->reused = 1;
		return 1;
	}
	return 0;
}

/* Reads the signed-in account inside a write transaction. */
static int begin_own(struct xy_ctx *cx, struct xy_account *a)
{
	int rc = xy_store_begin(cx->st);
	if (!rc && (rc = xy_store_account_by_id(cx->st, cx->who.account_id, a)))
		xy_store_rollback(cx->st);
	return rc;
}

static int commit_own(struct xy_ctx *cx, struct xy_account *a, const char *action,
		      const char *object)
{
	int rc;
	if ((rc = xy_store_account_update(cx->st, a)) ||
	    (rc = xy_svc_audit_tx(cx, action, object, "ok", NULL)) ||
	    (rc = xy_store_commit(cx->st))) {
		xy_store_rollback(cx->st);
		xy_wipe(a->pw_hash, sizeof a->pw_hash);
		return rc == XY_EEXISTS ? rc : XY_EAUDIT;
	}
	xy_wipe(a->pw_hash, sizeof a->pw_hash);
	xy_sessions_invalidate(cx->svc);
	return 0;
}

int xy_session_change_password(struct xy_ctx *cx, const char *old_pw, const char *new_pw,
			       const char **rule)
{
	struct xy_account a;
	struct hist_check h = {new_pw, new_pw ? strlen(new_pw) : 0, 0};
	char hash[XY_PASSWORD_HASH_MAX];
	int rc;

	*rule = NULL;
	if ((rc = xy_store_account_by_id(cx->st, cx->who.account_id, &a)))
		return rc;
	if (!old_pw || strlen(old_pw) > XY_PASSWORD_MAX ||
	    xy_password_verify(a.pw_hash, old_pw, strlen(old_pw)) != 0) {
		xy_wipe(a.pw_hash, sizeof a.pw_hash);
		rc = xy_svc_audit(cx, "session.password", NULL, "refused", "wrong_old_password");
		return rc ? rc : XY_EDENIED;
	}
	if (xy_pwpolicy_check(&cx->svc->cfg.pw, new_pw, h.n, a.name, rule)) {
		xy_wipe(a.pw_hash, sizeof a.pw_hash);
		rc = xy_svc_audit(cx, "session.password", NULL, "refused", *rule);
		return rc ? rc : XY_EINVAL;
	}
	/* ACC-4: not the current one nor one of the last `history`. */
	check_hist(&h, a.pw_hash);
	xy_wipe(a.pw_hash, sizeof a.pw_hash);
	if (!h.reused && (rc = xy_store_pwhist_each(cx->st, a.id, cx->svc->cfg.pw.history - 1,
						    check_hist, &h)) < 0)
		return rc;
	if (h.reused) {
		*rule = "password_reused";
		rc = xy_svc_audit(cx, "session.password", NULL, "refused", *rule);
		return rc ? rc : XY_EINVAL;
	}
	if ((rc = xy_password_hash(new_pw, h.n, hash)))
		return rc;
	if ((rc = begin_own(cx, &a))) {
		xy_wipe(hash, sizeof hash);
		return rc;
	}
	if ((rc = xy_store_pwhist_add(cx->st, a.id, a.pw_hash, xy_now_us()))) {
		xy_store_rollback(cx->st);
		xy_wipe(hash, sizeof hash);
		xy_wipe(a.pw_hash, sizeof a.pw_hash);
		return rc;
	}
	memcpy(a.pw_hash, hash, sizeof a.pw_hash);
	xy_wipe(hash, sizeof hash);
	a.must_change = 0;
	a.pw_changed_at = xy_now_us();
	if ((rc = commit_own(cx, &a, "session.password", NULL)))
		return rc;
	/* Whoever held the old password is signed out everywhere else. */
	end_other_sessions(cx->svc, a.id, cx->who.session_id);
	return 0;
}

int xy_session_totp_begin(struct xy_ctx *cx, char *secret_b32, size_t scap, char *uri, size_t ucap,
			  struct xy_buf *svg)
{
	struct xy_account a;
	uint8_t key[XY_TOTP_SECRET_LEN];
	int rc;

	if ((rc = xy_random(key, sizeof key)) ||
	    (rc = xy_base32_encode(key, sizeof key, secret_b32, scap)) ||
	    (rc = xy_totp_uri(cx->svc->cfg.issuer, cx->who.account, secret_b32, uri, ucap)) ||
	    (rc = xy_qr_svg(uri, svg)))
		goto out;
	if ((rc = begin_own(cx, &a)))
		goto out;
	if (a.totp_sealed_len) {
		xy_store_rollback(cx->st);
		xy_wipe(a.pw_hash, sizeof a.pw_hash);
		rc = XY_ECONFLICT; /* enrolled already: an administrator resets it */
		goto out;
	}
	if ((rc = xy_svc_seal_account(cx, "totp_pending", a.id, key, sizeof key, a.totp_pending,
				      sizeof a.totp_pending, &a.totp_pending_len))) {
		xy_store_rollback(cx->st);
		goto out;
	}
	rc = commit_own(cx, &a, "session.totp.begin", NULL);
out:
	xy_wipe(key, sizeof key);
	return rc;
}

int xy_session_totp_confirm(struct xy_ctx *cx, const char *code)
{
	struct xy_account a;
	uint8_t key[64];
	size_t klen = 0;
	uint64_t step = 0;
	int rc;

	if ((rc = begin_own(cx, &a)))
		return rc;
	if (!a.totp_pending_len) {
		xy_store_rollback(cx->st);
		xy_wipe(a.pw_hash, sizeof a.pw_hash);
		return XY_ENOTFOUND;
	}
	rc = xy_svc_unseal_account(cx, "totp_pending", a.id, a.totp_pending, a.totp_pending_len,
				   key, sizeof key, &klen);
	if (!rc)
		rc = xy_totp_check(key, klen, xy_now_us() / 1000000, code, cx->svc->cfg.totp_window,
				   0, &step);
	if (rc) {
		xy_store_rollback(cx->st);
		xy_wipe(key, sizeof key);
		xy_wipe(a.pw_hash, sizeof a.pw_hash);
		rc = xy_svc_audit(cx, "session.totp.confirm", NULL, "refused", "wrong_code");
		return rc ? rc : XY_EDENIED;
	}
	rc = xy_svc_seal_account(cx, "totp_secret", a.id, key, klen, a.totp_sealed,
				 sizeof a.totp_sealed, &a.totp_sealed_len);
	xy_wipe(key, sizeof key);
	if (rc) {
		xy_store_rollback(cx->st);
		return rc;
	}
	a.totp_pending_len = 0;
	a.totp_last_step = (int64_t)step; /* the confirming code is used up */
	return commit_own(cx, &a, "session.totp.confirm", NULL);
}

int xy_session_sm2_begin(struct xy_ctx *cx, const char *pem, char *id, size_t idcap, char *msg,
			 size_t mcap)
{
	struct xy_account a;
	struct xy_sm2key *k = NULL;
	int rc;
	if (!pem || strlen(pem) >= sizeof a.sm2_pending ||
	    xy_sm2_load_public_pem(pem, strlen(pem), &k)) {
		rc = xy_svc_audit(cx, "session.sm2.begin", NULL, "refused", "bad_public_key");
		return rc ? rc : XY_EINVAL;
	}
	xy_sm2_free(k);
	if ((rc = begin_own(cx, &a)))
		return rc;
	snprintf(a.sm2_pending, sizeof a.sm2_pending, "%s", pem);
	if ((rc = commit_own(cx, &a, "session.sm2.begin", NULL)))
		return rc;
	return challenge_new(cx->svc, cx->who.account, 1, id, idcap, msg, mcap);
}

int xy_session_sm2_confirm(struct xy_ctx *cx, const char *challenge_id, const char *signature_hex)
{
	struct xy_account a;
	char msg[256];
	int rc;
	if ((rc = xy_store_account_by_id(cx->st, cx->who.account_id, &a)))
		return rc;
	xy_wipe(a.pw_hash, sizeof a.pw_hash);
	if (!a.sm2_pending[0])
		return XY_ENOTFOUND;
	if (challenge_take(cx->svc, challenge_id, cx->who.account, 1, msg, sizeof msg) ||
	    sm2_check(a.sm2_pending, msg, signature_hex)) {
		rc = xy_svc_audit(cx, "session.sm2.confirm", NULL, "refused", "bad_signature");
		return rc ? rc : XY_EDENIED;
	}
	if ((rc = begin_own(cx, &a)))
		return rc;
	snprintf(a.sm2_pub, sizeof a.sm2_pub, "%s", a.sm2_pending);
	a.sm2_pending[0] = 0;
	return commit_own(cx, &a, "session.sm2.confirm", NULL);
}

int xy_session_identity(struct xy_ctx *cx, const char *real_name, const char *id_number,
			const char **why)
{
	struct xy_account a, other;
	uint8_t bidx[XY_SM3_LEN];
	size_t n = id_number ? strlen(id_number) : 0;
	int rc;

	*why = NULL;
	if (!real_name || !*real_name || strlen(real_name) > 96 ||
	    !xy_utf8_valid(real_name, strlen(real_name))) {
		*why = "real_name";
		return XY_EINVAL;
	}
	for (const char *p = real_name; *p; p++)
		if ((unsigned char)*p < 0x20) {
			*why = "real_name";
			return XY_EINVAL;
		}
	if (!id_number ||
	    xy_idnum_check(id_number, n, xy_date_yyyymmdd(xy_today())) != XY_CODE_OK) {
		*why = "id_number";
		return XY_EINVAL;
	}
	xy_blind_index(cx->sealer, IDNUM_DOMAIN, id_number, n, bidx);
	if ((rc = begin_own(cx, &a)))
		return rc;
	if (a.has_idnum) {
		xy_store_rollback(cx->st);
		xy_wipe(a.pw_hash, sizeof a.pw_hash);
		*why = "already_recorded";
		return XY_ECONFLICT;
	}
	rc = xy_store_account_by_idnum(cx->st, bidx, &other);
	xy_wipe(other.pw_hash, sizeof other.pw_hash);
	if (rc == 0) {
		xy_store_rollback(cx->st);
		xy_wipe(a.pw_hash, sizeof a.pw_hash);
		*why = "identity_taken"; /* ACC-1: one account per person */
		(void)xy_svc_audit(cx, "session.identity", NULL, "refused", *why);
		return XY_EEXISTS;
	}
	snprintf(a.real_name, sizeof a.real_name, "%s", real_name);
	memcpy(a.idnum_bidx, bidx, sizeof bidx);
	a.has_idnum = 1;
	if ((rc = xy_svc_seal_account(cx, "id_number", a.id, id_number, n, a.idnum_sealed,
				      sizeof a.idnum_sealed, &a.idnum_sealed_len))) {
		xy_store_rollback(cx->st);
		return rc;
	}
	return commit_own(cx, &a, "session.identity", NULL);
}
