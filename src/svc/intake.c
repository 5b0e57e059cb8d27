/* Submissions from the portal and the cases they open (POR-3).  See intake.h. */
#include "svc/intake.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "audit/audit.h"
#include "core/catalog.h"
#include "core/policy.h"
#include "crypto/seal.h"
#include "crypto/sm.h"
#include "crypto/sm2.h"
#include "ferry/sfile.h"
#include "svc/instance.h"
#include "svc/publish.h"
#include "svc/service.h"
#include "util/date.h"
#include "util/err.h"
#include "util/jw.h"
#include "util/log.h"
#include "util/utf8.h"

#define CASE_TABLE "cases"
#define SUBMITTER  "submitter"

/* Field limits of a submission line (bytes; the portal's forms are stricter). */
#define NAME_MAX_B    200
#define CONTACT_MAX_B 200
#define REASON_MAX_B  8000

static int valid_portal_name(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > XY_PORTAL_NAME_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return 0;
	return 1;
}

int xy_ticket_valid(const char *s, size_t n)
{
	if (n != 16 || s[0] != 'Y' || s[1] != 'Y')
		return 0;
	for (size_t i = 2; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static int valid_hex64(const char *s)
{
	if (!s || strlen(s) != 64)
		return 0;
	for (int i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

/* ---- registering a portal ---- */

int xy_intake_register(struct xy_instance *inst, const char *name, const char *pem, size_t n,
		       const char **why)
{
	struct xy_sm2key *k = NULL;
	struct xy_portal_reg p;
	struct xy_audit_event ev;
	uint8_t id[XY_SM3_LEN];
	char obj[256];
	int rc;

	if (!valid_portal_name(name)) {
		*why = "name";
		return XY_EINVAL;
	}
	if (n > XY_PORTAL_PEM_MAX || xy_sm2_load_public_pem(pem, n, &k) || xy_sm2_key_id(k, id)) {
		xy_sm2_free(k);
		*why = "key";
		return XY_EINVAL;
	}
	xy_sm2_free(k);
	memset(&p, 0, sizeof p);
	xy_hex(id, sizeof id, p.key_id);
	snprintf(p.name, sizeof p.name, "%s", name);
	memcpy(p.pem, pem, n);
	p.pem[n] = '\0';
	p.registered_at = xy_now_us();
	snprintf(obj, sizeof obj, "{\"portal\":\"%s\",\"key_id\":\"%s\"}", p.name, p.key_id);
	memset(&ev, 0, sizeof ev);
	xy_audit_local(&ev);
	ev.action = "portal.register";
	ev.object = obj;
	ev.result = "ok";
	if ((rc = xy_store_begin(inst->store)))
		return rc;
	rc = xy_store_portal_add(inst->store, &p);
	if (!rc && xy_audit_append(inst->store, &ev))
		rc = XY_EAUDIT;
	if (!rc)
		rc = xy_store_commit(inst->store);
	if (rc)
		xy_store_rollback(inst->store);
	if (rc == XY_EEXISTS)
		*why = "exists";
	return rc;
}

/* ---- one pass ---- */

struct run {
	struct xy_ctx *cx;
	struct xy_intake_result *r;
	const struct xy_portal_reg *p;
	struct xy_sm2key *key;
	long long seq;
	char file[XY_SFILE_NAME_MAX + 1];
	struct xy_buf seal, plain;
};

/* DIR/sub, created when missing; out gets the path. */
static int folder(const struct xy_instance *inst, const char *a, const char *b, char *out,
		  size_t cap)
{
	if ((size_t)snprintf(out, cap, "%s/%s", inst->dir, a) >= cap)
		return XY_ELIMIT;
	if (mkdir(out, 0700) && errno != EEXIST)
		return XY_EIO;
	if (!b)
		return 0;
	if ((size_t)snprintf(out, cap, "%s/%s/%s", inst->dir, a, b) >= cap)
		return XY_ELIMIT;
	if (mkdir(out, 0700) && errno != EEXIST)
		return XY_EIO;
	return 0;
}

/* Moves inbox/NAME/file to where/NAME/file (where: "quarantine", "received"). */
static void move_file(struct run *u, const char *where)
{
	const struct xy_instance *inst = u->cx->svc->inst;
	char from[PATH_MAX], dir[PATH_MAX], to[PATH_MAX + XY_SFILE_NAME_MAX + 2];
	snprintf(from, sizeof from, "%s/inbox/%s/%s", inst->dir, u->p->name, u->file);
	if (folder(inst, where, u->p->name, dir, sizeof dir)) {
		xy_log_error("intake: folder %s/%s cannot be made", where, u->p->name);
		return;
	}
	snprintf(to, sizeof to, "%s/%s", dir, u->file);
	if (rename(from, to))
		xy_log_error("intake: %s cannot be moved to %s: %s", from, where, strerror(errno));
}

/* The whole file is refused: quarantined, audited, alarmed. */
static int quarantine(struct run *u, const char *reason, const char *detail)
{
	struct xy_buf ob;
	struct xy_jw w;
	int rc;
	xy_buf_init(&ob, 4096);
	xy_jw_init(&w, &ob);
	xy_jw_obj(&w);
	xy_jw_kstr(&w, "portal", u->p->name);
	xy_jw_kstr(&w, "file", u->file);
	xy_jw_kint(&w, "seq", u->seq);
	xy_jw_kstr(&w, "error", detail);
	xy_jw_obj_end(&w);
	rc = xy_jw_end(&w);
	xy_log_error("ALARM intake: portal %s file %s refused (%s): %s", u->p->name, u->file,
		     reason, detail);
	if (!rc)
		rc = xy_svc_audit(u->cx, "submission.receive", ob.p, "refused", reason);
	xy_buf_cleanup(&ob);
	if (!rc) {
		move_file(u, "quarantine");
		u->r->quarantined++;
	}
	return rc;
}

static const char *str(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static int text_ok(const char *s, size_t max, int multiline)
{
	return s && xy_svc_valid_text(s, max, multiline);
}

/* The schema of one line; NULL when it holds, else which field is wrong. */
static const char *line_problem(json_t *o, int *repair)
{
	static const char *const keys[] = {"kind", "ticket",  "check",	"record",    "subject",
					   "name", "contact", "reason", "submitted", "commitment"};
	const char *k, *kind, *rec;
	json_t *v;

	if (!json_is_object(o))
		return "line";
	json_object_foreach (o, k, v) {
		size_t i = 0;
		while (i < sizeof keys / sizeof *keys && strcmp(keys[i], k) != 0)
			i++;
		if (i == sizeof keys / sizeof *keys)
			return "unknown key";
	}
	kind = str(o, "kind");
	if (!kind || (strcmp(kind, "objection") != 0 && strcmp(kind, "repair") != 0))
		return "kind";
	*repair = !strcmp(kind, "repair");
	k = str(o, "ticket");
	if (!k || !xy_ticket_valid(k, strlen(k)))
		return "ticket";
	if (!valid_hex64(str(o, "check")))
		return "check";
	rec = str(o, "record");
	if (!rec || !*rec || strlen(rec) > 18 || strspn(rec, "0123456789") != strlen(rec))
		return "record";
	if (!text_ok(str(o, "subject"), XY_SUBJECT_CODE_MAX, 0))
		return "subject";
	if (!text_ok(str(o, "name"), NAME_MAX_B, 0))
		return "name";
	if (!text_ok(str(o, "contact"), CONTACT_MAX_B, 0))
		return "contact";
	if (!text_ok(str(o, "reason"), REASON_MAX_B, 1))
		return "reason";
	if (!text_ok(str(o, "submitted"), 39, 0))
		return "submitted";
	v = json_object_get(o, "commitment");
	if (*repair ? !json_is_true(v) : v != NULL)
		return "commitment";
	return NULL;
}

/* The record the line names, when it is one of a public dataset: its providing unit
 * (0 when it is not). */
static int64_t public_record_unit(struct xy_ctx *cx, int64_t id)
{
	char ds[XY_CODE_MAX + 1], status[16];
	const struct xy_dataset *d;
	int64_t unit = 0;
	if (xy_store_record_owner(cx->st, id, ds, sizeof ds, &unit, status, sizeof status))
		return 0;
	d = xy_catalog_dataset(cx->svc->inst->catalog, ds);
	if (!d || d->sharing != XY_SHARE_PUBLIC || strcmp(status, "active") != 0)
		return 0;
	return unit;
}

/* Seals the submitter's details for the case row. */
static int seal_submitter(struct run *u, json_t *o, int64_t id)
{
	json_t *s = json_pack("{s:s, s:s, s:s}", "name", str(o, "name"), "contact",
			      str(o, "contact"), "reason", str(o, "reason"));
	char *text = s ? json_dumps(s, JSON_COMPACT) : NULL;
	int rc;
	json_decref(s);
	if (!text)
		return XY_ENOMEM;
	xy_buf_reset(&u->seal);
	rc = xy_seal(u->cx->sealer, CASE_TABLE, SUBMITTER, id, text, strlen(text), &u->seal);
	xy_wipe(text, strlen(text));
	free(text);
	if (!rc)
		rc = xy_store_case_seal(u->cx->st, id, u->seal.p, u->seal.len);
	return rc;
}

/* One line inside the file's transaction: a case opened, or the line refused (its
 * event written in the transaction too, so the file's outcome is one commit). */
static int take_line(struct run *u, const char *line, size_t n, long line_no)
{
	json_error_t jerr;
	json_t *o = json_loadb(line, n, JSON_REJECT_DUPLICATES, &jerr);
	struct xy_case c;
	char obj[512];
	const char *bad;
	int repair = 0, rc;

	bad = o ? line_problem(o, &repair) : "line";
	if (bad) {
		snprintf(obj, sizeof obj,
			 "{\"portal\":\"%s\",\"seq\":%lld,\"line\":%ld,\"field\":\"%s\"}",
			 u->p->name, u->seq, line_no, bad);
		json_decref(o);
		u->r->refused++;
		xy_log_warn("intake: portal %s file %s line %ld refused: %s", u->p->name, u->file,
			    line_no, bad);
		return xy_svc_audit_tx(u->cx, "case.open", obj, "refused", "malformed");
	}
	memset(&c, 0, sizeof c);
	snprintf(c.ticket, sizeof c.ticket, "%s", str(o, "ticket"));
	snprintf(c.check, sizeof c.check, "%s", str(o, "check"));
	snprintf(c.kind, sizeof c.kind, "%s", repair ? "repair" : "objection");
	c.record_id = strtoll(str(o, "record"), NULL, 10);
	snprintf(c.subject, sizeof c.subject, "%s", str(o, "subject"));
	snprintf(c.portal, sizeof c.portal, "%s", u->p->name);
	snprintf(c.submitted, sizeof c.submitted, "%s", str(o, "submitted"));
	c.file_seq = u->seq;
	c.received_at = c.updated_at = xy_now_us();
	c.unit_id = public_record_unit(u->cx, c.record_id);
	if (c.unit_id) {
		snprintf(c.status, sizeof c.status, "received");
	} else {
		/* The ticket still answers: the submitter learns why. */
		snprintf(c.status, sizeof c.status, "refused");
		snprintf(c.reply, sizeof c.reply,
			 "所指记录不存在或已不再公示。The record is not (or no longer) published.");
	}
	rc = xy_store_case_insert(u->cx->st, &c);
	if (rc == XY_EEXISTS) {
		snprintf(obj, sizeof obj,
			 "{\"portal\":\"%s\",\"seq\":%lld,\"line\":%ld,\"ticket\":\"%s\"}",
			 u->p->name, u->seq, line_no, c.ticket);
		json_decref(o);
		u->r->refused++;
		return xy_svc_audit_tx(u->cx, "case.open", obj, "refused", "duplicate_ticket");
	}
	if (!rc)
		rc = seal_submitter(u, o, c.id);
	json_decref(o);
	if (rc)
		return rc;
	snprintf(obj, sizeof obj,
		 "{\"ticket\":\"%s\",\"kind\":\"%s\",\"record\":\"%lld\",\"subject\":\"%s\","
		 "\"status\":\"%s\",\"portal\":\"%s\",\"seq\":%lld}",
		 c.ticket, c.kind, (long long)c.record_id, c.subject, c.status, c.portal, u->seq);
	u->r->cases++;
	return xy_svc_audit_tx(u->cx, "case.open", obj, "ok", NULL);
}

/* Takes the file with the next sequence number.  0 (taken or quarantined) or an
 * error that stops the pass (the file stays for the next one). */
static int take_file(struct run *u, const char *path)
{
	struct xy_sfile f;
	char err[256], obj[256];
	const char *line;
	size_t n;
	long before_cases = u->r->cases, before_refused = u->r->refused;
	int rc;

	rc = xy_sfile_load(path, XY_SFILE_MAX, u->key, XY_SFILE_SUBMISSIONS, &f, err, sizeof err);
	if (rc == XY_ENOMEM || rc == XY_EIO)
		return rc;
	if (rc)
		return quarantine(u,
				  rc == XY_ETAMPER  ? "bad_signature"
				  : rc == XY_ELIMIT ? "too_large"
						    : "malformed",
				  err);
	if (f.seq != u->seq) {
		xy_sfile_free(&f);
		return quarantine(u, "malformed", "the header's seq is not the file name's");
	}
	if ((rc = xy_store_begin(u->cx->st))) {
		xy_sfile_free(&f);
		return rc;
	}
	while (!rc && xy_sfile_next(&f, &line, &n))
		rc = take_line(u, line, n, f.line_no);
	if (!rc)
		rc = xy_store_portal_advance(u->cx->st, u->p->key_id, u->seq - 1, u->seq);
	if (!rc) {
		snprintf(obj, sizeof obj,
			 "{\"portal\":\"%s\",\"file\":\"%s\",\"seq\":%lld,\"cases\":%ld,"
			 "\"refused\":%ld}",
			 u->p->name, u->file, u->seq, u->r->cases - before_cases,
			 u->r->refused - before_refused);
		rc = xy_svc_audit_tx(u->cx, "submission.receive", obj, "ok", NULL);
	}
	if (!rc)
		rc = xy_store_commit(u->cx->st);
	xy_sfile_free(&f);
	if (rc) {
		xy_store_rollback(u->cx->st);
		u->r->cases = before_cases;
		u->r->refused = before_refused;
		return rc;
	}
	u->r->files++;
	move_file(u, "received");
	xy_log_info("intake: portal %s file %s: %ld cases opened, %ld lines refused", u->p->name,
		    u->file, u->r->cases - before_cases, u->r->refused - before_refused);
	return 0;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;
	return (x > y) - (x < y);
}

/* Every file of one portal's folder, in sequence order. */
static int take_portal(struct run *u)
{
	const struct xy_instance *inst = u->cx->svc->inst;
	char dir[PATH_MAX], path[PATH_MAX + XY_SFILE_NAME_MAX + 2];
	long long seqs[XY_INTAKE_FILES_MAX];
	size_t nseq = 0;
	struct dirent *e;
	DIR *d;
	int rc = 0;

	if (folder(inst, "inbox", u->p->name, dir, sizeof dir))
		return XY_EIO;
	if (!(d = opendir(dir)))
		return XY_EIO;
	while ((e = readdir(d)) && nseq < XY_INTAKE_FILES_MAX) {
		long long s = xy_sfile_name_seq(e->d_name, "sub-", ".xysub");
		if (s > 0)
			seqs[nseq++] = s;
	}
	closedir(d);
	qsort(seqs, nseq, sizeof *seqs, cmp_ll);
	for (size_t i = 0; i < nseq && !rc; i++) {
		struct xy_portal_reg now;
		u->seq = seqs[i];
		snprintf(u->file, sizeof u->file, XY_SFILE_SUB_FMT, u->seq);
		snprintf(path, sizeof path, "%s/%s", dir, u->file);
		/* last_seq as it is now (another pass may have moved it) */
		if ((rc = xy_store_portal_get(u->cx->st, u->p->key_id, &now)))
			break;
		if (u->seq <= now.last_seq) {
			rc = quarantine(u, "replayed", "this sequence number was taken before");
		} else if (u->seq > now.last_seq + 1) {
			xy_log_warn("ALARM intake: portal %s: file %lld is missing (%s waits)",
				    u->p->name, (long long)now.last_seq + 1, u->file);
			u->r->waiting++;
			break;
		} else {
			rc = take_file(u, path);
		}
	}
	return rc;
}

struct plist {
	struct xy_portal_reg *p;
	int n, cap;
};

static int collect(void *arg, const struct xy_portal_reg *p)
{
	struct plist *l = arg;
	if (l->n == l->cap) {
		int cap = l->cap ? 2 * l->cap : 4;
		struct xy_portal_reg *q = realloc(l->p, (size_t)cap * sizeof *q);
		if (!q)
			return XY_ENOMEM;
		l->p = q;
		l->cap = cap;
	}
	l->p[l->n++] = *p;
	return 0;
}

int xy_intake_run(struct xy_service *svc, struct xy_intake_result *r)
{
	struct xy_ctx cx;
	struct plist l = {0};
	struct run u;
	int rc;

	memset(r, 0, sizeof *r);
	if ((rc = xy_ctx_init(&cx, svc, "local", "intake")))
		return rc;
	cx.claimed = "system:intake";
	if ((rc = xy_store_portal_each(cx.st, collect, &l))) {
		free(l.p);
		return rc;
	}
	memset(&u, 0, sizeof u);
	u.cx = &cx;
	u.r = r;
	xy_buf_init(&u.seal, 64 * 1024);
	for (int i = 0; i < l.n && !rc; i++) {
		u.p = &l.p[i];
		u.key = NULL;
		if (xy_sm2_load_public_pem(u.p->pem, strlen(u.p->pem), &u.key)) {
			xy_log_error("intake: portal %s: its registered key does not load",
				     u.p->name);
			continue;
		}
		rc = take_portal(&u);
		xy_sm2_free(u.key);
	}
	xy_buf_cleanup(&u.seal);
	free(l.p);
	return rc;
}

/* ---- reading cases ---- */

/* The policy's resource for a case: the record's providing unit, or the credit office's
 * city when the record is unknown. */
static int case_resource(struct xy_ctx *cx, const struct xy_case *c, struct xy_unit *u,
			 struct xy_resource *r)
{
	if (c->unit_id && !xy_store_unit_by_id(cx->st, c->unit_id, u)) {
		xy_svc_unit_resource(u, r);
		return 0;
	}
	memset(u, 0, sizeof *u);
	memset(r, 0, sizeof *r);
	r->region = cx->svc->inst->city_code;
	r->level = XY_LEVEL_CITY;
	r->role = -1;
	return 0;
}

static int may_read(struct xy_ctx *cx, const struct xy_case *c, struct xy_unit *u)
{
	struct xy_resource r;
	struct xy_decision d;
	case_resource(cx, c, u, &r);
	xy_policy_decide(&cx->actor, XY_ACT_CASE_READ, &r, xy_now_us(), &d);
	return d.allow;
}

struct lctx {
	struct xy_ctx *cx;
	int (*fn)(void *arg, const struct xy_case_view *v);
	void *arg;
	long shown;
};

static int list_one(void *arg, const struct xy_case *c)
{
	struct lctx *l = arg;
	struct xy_case_view v = {0};
	struct xy_unit u;
	if (!may_read(l->cx, c, &u))
		return 0;
	v.c = c;
	v.unit_code = u.id ? u.code : "";
	v.unit_name = u.id ? u.name : "";
	l->shown++;
	return l->fn(l->arg, &v);
}

static int known(const char *s, const char *const *set)
{
	for (; *set; set++)
		if (!strcmp(s, *set))
			return 1;
	return 0;
}

int xy_case_list(struct xy_ctx *cx, const char *kind, const char *status, int64_t after, int limit,
		 int (*fn)(void *arg, const struct xy_case_view *v), void *arg, const char **why)
{
	static const char *const kinds[] = {"objection", "repair", NULL};
	static const char *const states[] = {"received",  "accepted", "refused", "verifying",
					     "corrected", "upheld",   "revoked", "approved",
					     "rejected",  "closed",   NULL};
	struct lctx l = {cx, fn, arg, 0};
	struct xy_resource r = {0};
	struct xy_decision d;
	char obj[128];
	int rc;

	if (kind && !known(kind, kinds)) {
		*why = "kind";
		return XY_EINVAL;
	}
	if (status && !known(status, states)) {
		*why = "status";
		return XY_EINVAL;
	}
	snprintf(obj, sizeof obj, "{\"kind\":\"%s\",\"status\":\"%s\"}", kind ? kind : "",
		 status ? status : "");
	/* Whoever may read no case at all is refused outright (and audited). */
	r.region = cx->who.region;
	r.level = cx->who.level;
	r.role = -1;
	xy_policy_decide(&cx->actor, XY_ACT_CASE_READ, &r, xy_now_us(), &d);
	if (!d.allow)
		return xy_svc_refuse(cx, "case.list", obj, d.reason);
	rc = xy_store_case_list(cx->st, kind, status, after, limit, list_one, &l);
	if (rc)
		return rc;
	snprintf(obj, sizeof obj, "{\"kind\":\"%s\",\"status\":\"%s\",\"shown\":%ld}",
		 kind ? kind : "", status ? status : "", l.shown);
	return xy_svc_audit_read(cx, "case.list", obj, "ok", NULL);
}

int xy_case_get(struct xy_ctx *cx, const char *ticket,
		int (*fn)(void *arg, const struct xy_case_view *v), void *arg)
{
	struct xy_case c;
	struct xy_case_view v = {0};
	struct xy_unit u;
	struct xy_buf plain;
	json_t *o = NULL;
	char obj[96];
	int rc;

	if (!ticket || !xy_ticket_valid(ticket, strlen(ticket)))
		return XY_ENOTFOUND;
	snprintf(obj, sizeof obj, "{\"ticket\":\"%s\"}", ticket);
	if ((rc = xy_store_case_get(cx->st, ticket, &c)))
		return rc;
	if (!may_read(cx, &c, &u))
		return xy_svc_refuse(cx, "case.read", obj, "outside_jurisdiction");
	xy_buf_init(&plain, 64 * 1024);
	rc = c.sealed_len ? xy_unseal(cx->sealer, CASE_TABLE, SUBMITTER, c.id, c.sealed,
				      c.sealed_len, &plain)
			  : XY_ETAMPER;
	if (rc) {
		xy_log_error("case %lld: the submitter's details cannot be opened: %s",
			     (long long)c.id, xy_strerror(rc));
		xy_buf_cleanup(&plain);
		return rc == XY_ELIMIT ? XY_ETAMPER : rc;
	}
	o = json_loadb(plain.p, plain.len, 0, NULL);
	xy_buf_wipe(&plain);
	xy_buf_cleanup(&plain);
	v.c = &c;
	v.unit_code = u.id ? u.code : "";
	v.unit_name = u.id ? u.name : "";
	v.name = str(o, "name");
	v.contact = str(o, "contact");
	v.reason = str(o, "reason");
	rc = xy_svc_audit_read(cx, "case.read", obj, "ok", NULL);
	if (!rc)
		rc = fn(arg, &v);
	json_decref(o);
	return rc;
}

/* ---- what the portal shows a ticket holder (POR-3) ---- */

struct tprod {
	struct xy_pub_run *run;
	struct xy_buf line;
	int64_t last;
	int n;
};

static int ticket_line(void *arg, const struct xy_case *c)
{
	struct tprod *t = arg;
	struct xy_jw w;
	char when[32];
	time_t secs = (time_t)(c->updated_at / 1000000);
	struct tm tm;
	int rc;

	t->last = c->id;
	t->n++;
	gmtime_r(&secs, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	xy_buf_reset(&t->line);
	xy_jw_init(&w, &t->line);
	xy_jw_obj(&w);
	xy_jw_kstr(&w, "op", "ticket");
	xy_jw_kstr(&w, "ticket", c->ticket);
	xy_jw_kstr(&w, "check", c->check);
	xy_jw_kstr(&w, "kind", c->kind);
	xy_jw_kstr(&w, "status", c->status);
	xy_jw_kstr(&w, "updated", when);
	xy_jw_key(&w, "reply");
	if (c->reply[0])
		xy_jw_str(&w, c->reply);
	else
		xy_jw_null(&w);
	xy_jw_obj_end(&w);
	if ((rc = xy_jw_end(&w)))
		return rc;
	return xy_pub_emit(t->run, XY_PUB_TICKET, c->ticket, t->line.p, t->line.len, NULL);
}

int xy_pub_produce_tickets(struct xy_pub_run *run)
{
	const struct xy_publisher *p = xy_pub_env(run);
	struct tprod t = {run, {0}, 0, 0};
	int rc = 0;
	xy_buf_init(&t.line, 16 * 1024);
	do {
		t.n = 0;
		rc = xy_store_case_list(p->st, NULL, NULL, t.last, XY_PAGE_MAX, ticket_line, &t);
	} while (!rc && t.n == XY_PAGE_MAX);
	xy_buf_cleanup(&t.line);
	return rc;
}
