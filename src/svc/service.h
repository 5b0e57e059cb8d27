/* The government-zone service: what `xinyong serve` runs behind the HTTP
 * layer.  One xy_service per process; one xy_ctx per request.
 *
 * Every use case here follows validate → policy → store → audit, in that
 * order (DESIGN §3): access is asked of xy_policy_decide, never decided
 * here; a change and its audit event commit in one transaction; a read or
 * a refusal writes its event through the group-commit writer and fails
 * closed (XY_EAUDIT → 503 audit_unavailable). */
#ifndef XY_SVC_SERVICE_H
#define XY_SVC_SERVICE_H

#include <pthread.h>
#include <stdint.h>

#include "audit/writer.h"
#include "core/passpol.h"
#include "core/policy.h"
#include "crypto/password.h"
#include "store/store.h"
#include "util/buf.h"

struct xy_instance;
struct xy_auditw;
struct xy_sessions;
struct xy_clients;
struct xy_sealer;

struct xy_service_config {
	struct xy_pwpolicy pw;
	int64_t idle_us, absolute_us;	 /* ACC-6: 30 min, 8 h */
	int lock_failures;		 /* 5 */
	int64_t lock_window_us, lock_us; /* 15 min, 30 min */
	int dormant_days;		 /* ACC-10: 90 */
	int totp_window;		 /* steps either side: 1 */
	int secure_cookies;		 /* TLS in front: cookies get Secure */
	char issuer[64];		 /* TOTP issuer label */
};

struct xy_service {
	struct xy_instance *inst;
	struct xy_auditw *auditw;
	struct xy_sessions *sessions;
	struct xy_clients *clients; /* machine clients' rate and quota (svc/client.c) */
	struct xy_service_config cfg;
	char db_path[4096];
	char dummy_hash[XY_PASSWORD_HASH_MAX]; /* equal-time answers (ACC-2) */
	pthread_mutex_t threads_mu;
	struct xy_thread_res *threads; /* every thread's store and sealer */
};

/* The signed-in person, as a request sees them. */
struct xy_who {
	int64_t session_id;
	int64_t account_id;
	char account[XY_ACCOUNT_NAME_MAX];
	char real_name[XY_NAME_MAX];
	int64_t unit_id;
	char unit_code[XY_UNIT_CODE_MAX + 1];
	char unit_name[XY_NAME_MAX];
	char region[XY_REGION_CODE_MAX + 1];
	int level, credit_office;
	uint32_t roles;
	char status[12];
	int must_change;       /* ACC-3 / ACC-4 maximum age */
	int must_enroll;       /* ACC-5: no second factor yet */
	int needs_identity;    /* ACC-1: a first administrator without a name yet */
	int cookie;	       /* authenticated by cookie (needs the CSRF token) */
	uint8_t csrf_hash[32]; /* SM3 of the session's CSRF token */
	int64_t created_us, expires_us, idle_until_us;
	/* A machine client of the data API (SHR-6) instead of a person:
	 * account is its client id, real_name its registered name, and it
	 * holds only these agreements of its unit. */
	int64_t client_id;
	int64_t client_agreements[XY_CLIENT_AGREEMENTS_MAX];
	int nclient_agreements;
};

/* One request's context. */
struct xy_ctx {
	struct xy_service *svc;
	struct xy_store *st;	  /* this thread's connection */
	struct xy_sealer *sealer; /* this thread's sealer */
	const char *client, *agent;
	const char *claimed; /* the account name a sign-in claims (audit only) */
	/* A query's purpose and the agreements or grants it relied on: the
	 * audit events of the request carry them (AUD-1). */
	const char *purpose, *grant_ref;
	int audited; /* an event for this request was written */
	/* Set by a caller that can answer later (the API): the event of a read
	 * may then become durable after the service returns (xy_svc_audit_read),
	 * and defer_done(defer_arg, 0 or XY_EAUDIT) says how it went. */
	xy_auditw_done_fn defer_done;
	void *defer_arg;
	int deferred; /* such an event is on its way */
	int authed;
	struct xy_who who;
	struct xy_actor actor; /* from who, for the policy decision */
};

/* AUD-3: offers the committed audit head to the instance's checkpointer,
 * which signs a checkpoint when one is due (the maintenance tick calls it,
 * so events of change transactions are covered within the interval). */
int xy_svc_audit_checkpoint(struct xy_service *svc);

/* AUD-4: the retention job (xy_audit_retain) on this service's store, as
 * "system:retention". */
struct xy_retain_result;
int xy_svc_audit_retain(struct xy_service *svc, struct xy_retain_result *r);

/* Reads [security], [session], [password] from the instance configuration. */
int xy_service_open(struct xy_service *svc, struct xy_instance *inst, char *err, size_t errlen);
void xy_service_close(struct xy_service *svc);

/* Fills cx for a request on the calling thread (opens the thread's store
 * connection and sealer the first time). */
int xy_ctx_init(struct xy_ctx *cx, struct xy_service *svc, const char *client, const char *agent);

/* ---- audit helpers ---- */

/* A read or refusal event through the group-commit writer: 0 or XY_EAUDIT. */
int xy_svc_audit(struct xy_ctx *cx, const char *action, const char *object, const char *result,
		 const char *reason);
/* The same for the last act of a request that changes nothing (a read, a
 * refusal): with cx->defer_done set, it is queued and the caller answers
 * once it is durable, so that every waiting request shares one commit;
 * otherwise it waits like xy_svc_audit.  Nothing may follow it that
 * depends on its success. */
int xy_svc_audit_read(struct xy_ctx *cx, const char *action, const char *object, const char *result,
		      const char *reason);
/* A change's event inside the open transaction. */
int xy_svc_audit_tx(struct xy_ctx *cx, const char *action, const char *object, const char *result,
		    const char *reason);

/* CRY-2: when this request's reads met rows whose tag fails (the store
 * noted them), rolls back what is open and writes one `integrity.alarm`
 * event per row (table, id, what is wrong; never the row's content), then
 * returns XY_ETAMPER (XY_EAUDIT when an alarm could not be written); 0
 * when there were none. */
int xy_svc_integrity(struct xy_ctx *cx);

/* ---- shared by the services ---- */

/* A refusal: its audit event, then XY_EDENIED (or XY_EAUDIT). */
int xy_svc_refuse(struct xy_ctx *cx, const char *action, const char *object, const char *reason);
/* Text a person typed: 1..max bytes of UTF-8 without control characters
 * (newlines allowed when multiline). */
int xy_svc_valid_text(const char *s, size_t max, int multiline);
struct xy_unit;
/* The policy's view of a unit (account_id 0, role -1). */
void xy_svc_unit_resource(const struct xy_unit *u, struct xy_resource *r);

/* The role set (XY_ROLE_BIT) an account holds. */
int xy_svc_roles(struct xy_store *st, int64_t account_id, uint32_t *roles);
/* Seals pt for accounts.column of row id into out[0..cap) (*len), and back. */
int xy_svc_seal_account(struct xy_ctx *cx, const char *column, int64_t id, const void *pt, size_t n,
			uint8_t *out, size_t cap, size_t *len);
int xy_svc_unseal_account(struct xy_ctx *cx, const char *column, int64_t id, const uint8_t *p,
			  size_t n, uint8_t *out, size_t cap, size_t *len);

/* ---- sessions (svc/session.c) ---- */

struct xy_signin {
	const char *account, *password, *otp, *challenge_id, *signature;
};

struct xy_signin_result {
	char token[64];
	char csrf[64];
	int64_t expires_us;
	int must_change, must_enroll, needs_identity;
	const char *refusal; /* XY_EDENIED: "invalid_credentials" or "second_factor_required" */
};

/* ACC-2..6.  XY_EDENIED (invalid credentials; the real reason is audited),
 * XY_EAUDIT, XY_ESTORE… */
int xy_session_signin(struct xy_ctx *cx, const struct xy_signin *in, struct xy_signin_result *out);
/* Resolves a token (bearer or cookie) into cx->who and cx->actor: 0, or
 * XY_EDENIED with *why ("unknown_token", "idle_timeout", "expired",
 * "account_ended"). */
int xy_session_resolve(struct xy_ctx *cx, const char *token, int cookie, const char **why);
/* 1 when the CSRF token matches the session's. */
int xy_session_csrf_ok(struct xy_ctx *cx, const char *csrf);
int xy_session_signout(struct xy_ctx *cx);
/* ACC-3/ACC-4: old and new password; XY_EDENIED wrong old password,
 * XY_EINVAL with *rule for the policy. */
int xy_session_change_password(struct xy_ctx *cx, const char *old_pw, const char *new_pw,
			       const char **rule);
/* ACC-5 TOTP enrolment: a new secret (base32), its otpauth URI and QR SVG. */
int xy_session_totp_begin(struct xy_ctx *cx, char *secret_b32, size_t scap, char *uri, size_t ucap,
			  struct xy_buf *svg);
int xy_session_totp_confirm(struct xy_ctx *cx, const char *code);
/* ACC-5 SM2: register a public key (PEM); the challenge to sign follows. */
int xy_session_sm2_begin(struct xy_ctx *cx, const char *pem, char *challenge_id, size_t idcap,
			 char *message, size_t mcap);
int xy_session_sm2_confirm(struct xy_ctx *cx, const char *challenge_id, const char *signature_hex);
/* A sign-in challenge for an account (answered the same for unknown ones). */
int xy_session_challenge(struct xy_ctx *cx, const char *account, char *challenge_id, size_t idcap,
			 char *message, size_t mcap);
/* ACC-1: a first administrator records their own name and identity number. */
int xy_session_identity(struct xy_ctx *cx, const char *real_name, const char *id_number,
			const char **why);
/* Ends every session of an account (leaving, leak, disable). */
void xy_sessions_end_account(struct xy_service *svc, int64_t account_id);
/* Drops every cached view of accounts (after any account or unit change). */
void xy_sessions_invalidate(struct xy_service *svc);
/* Idle and expired sessions out; called by the maintenance thread. */
void xy_sessions_sweep(struct xy_service *svc, int64_t now_us);
long xy_sessions_count(struct xy_service *svc);

int xy_sessions_new(struct xy_sessions **out);
void xy_sessions_free(struct xy_sessions *s);

#endif
