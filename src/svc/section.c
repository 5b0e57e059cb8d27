/* Portal sections (POR-5): see section.h. */
#include <stdio.h>
#include <string.h>

#include "core/policy.h"
#include "svc/section.h"
#include "util/date.h"
#include "util/err.h"
#include "util/jw.h"
#include "util/limits.h"
#include "util/utf8.h"

#define DAY_US	 (86400LL * 1000000)
#define CHINA_US (8 * 3600LL * 1000000)

/* The path of the overdue report: never a section's id. */
static const char reserved_id[] = "overdue";

/* ---- validation (pure) ---- */

static int id_ok(const char *id)
{
	size_t n = id ? strlen(id) : 0;
	if (n == 0 || n > XY_SECTION_ID_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((id[i] >= 'a' && id[i] <= 'z') || (id[i] >= '0' && id[i] <= '9') ||
		      id[i] == '-'))
			return 0;
	return 1;
}

static int fault(struct xy_section_fault *f, const char *field, const char *why)
{
	f->field = field;
	f->why = why;
	return XY_EINVAL;
}

/* Text a person typed: valid UTF-8; no control character (C0, DEL, C1)
 * but, when multiline, the line feed; something besides blanks.  NULL when
 * it is fine, else why not. */
static const char *text_fault(const char *s, size_t n, int multiline)
{
	int visible = 0;
	if (!xy_utf8_valid(s, n))
		return "not valid UTF-8";
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c < 0x20 && !(multiline && c == '\n')) || c == 0x7f ||
		    (c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] < 0xa0))
			return multiline ? "control character (only line feeds \\n are allowed)"
					 : "control character (a title is one line)";
		if (c != ' ' && c != '\n')
			visible = 1;
	}
	return visible ? NULL : "blank";
}

int xy_section_check(const struct xy_section_in *in, int creating, struct xy_section_fault *f)
{
	const char *why;
	size_t n;

	f->field = f->why = NULL;
	if (in->wrong)
		return fault(f, in->wrong, "not a string");
	if (creating) {
		if (!in->id)
			return fault(f, "id", "missing");
		if (!id_ok(in->id))
			return fault(f, "id", "1 to 64 of the characters a-z, 0-9 and -");
		if (!strcmp(in->id, reserved_id))
			return fault(f, "id", "reserved (the overdue report's path)");
	}
	if (!in->kind)
		return fault(f, "kind", "missing");
	if (strcmp(in->kind, "notice") != 0 && strcmp(in->kind, "policy") != 0)
		return fault(f, "kind", "one of notice (通知公告), policy (政策法规)");
	if (!in->title || !*in->title)
		return fault(f, "title", "missing");
	n = strlen(in->title);
	if (n > XY_SECTION_TITLE_MAX || xy_utf8_len(in->title, n) > XY_SECTION_TITLE_CHARS)
		return fault(f, "title", "longer than 200 characters");
	if ((why = text_fault(in->title, n, 0)))
		return fault(f, "title", why);
	if (!in->body || !*in->body)
		return fault(f, "body", "missing");
	n = strlen(in->body);
	if (n > XY_SECTION_BODY_MAX)
		return fault(f, "body", "longer than 65536 bytes");
	if ((why = text_fault(in->body, n, 1)))
		return fault(f, "body", why);
	if (in->period_bad)
		return fault(f, "period_days", "missing or not a whole number of days");
	if (in->period_days < 1 || in->period_days > XY_SECTION_PERIOD_MAX)
		return fault(f, "period_days", "not within 1..3650 days");
	if (!in->unit)
		return fault(f, "unit", "missing");
	return 0;
}

/* The China calendar day of a time. */
static int32_t china_day(int64_t us)
{
	int64_t t = us + CHINA_US;
	return (int32_t)(t >= 0 ? t / DAY_US : (t - DAY_US + 1) / DAY_US);
}

int32_t xy_section_due_day(int64_t updated_us, int period_days)
{
	return china_day(updated_us) + period_days;
}

/* ---- audit ---- */

/* The object of a create, update or remove event: the id and unit code
 * when they are possible ones (both are plain ASCII then), else null. */
static void object(char *out, size_t cap, const char *id, const char *unit)
{
	int unit_ok = unit && *unit && strlen(unit) <= XY_UNIT_CODE_MAX;
	for (const char *p = unit; unit_ok && *p; p++)
		unit_ok = (*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'Z');
	snprintf(out, cap, "{\"section\":%s%s%s,\"unit\":%s%s%s}", id_ok(id) ? "\"" : "",
		 id_ok(id) ? id : "null", id_ok(id) ? "\"" : "", unit_ok ? "\"" : "",
		 unit_ok ? unit : "null", unit_ok ? "\"" : "");
}

/* A refusal that is not the policy's: its event (reason), then rc. */
static int refuse(struct xy_ctx *cx, const char *action, const char *obj, const char *reason,
		  int rc)
{
	int arc = xy_svc_audit(cx, action, obj, "refused", reason);
	return arc ? arc : rc;
}

/* The reasons of wrong input, one per field (FORMATS "Audit events"). */
static const char *invalid_reason(const char *field)
{
	static const char *const names[][2] = {
		{"id", "invalid_id"},	    {"kind", "invalid_kind"},
		{"title", "invalid_title"}, {"body", "invalid_body"},
		{"unit", "invalid_unit"},   {"period_days", "invalid_period_days"},
	};
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if (field && !strcmp(field, names[i][0]))
			return names[i][1];
	return "invalid_input";
}

/* Validation of in, and the responsible unit it names (in *u). */
static int validate(struct xy_ctx *cx, const char *action, const char *id,
		    const struct xy_section_in *in, int creating, struct xy_unit *u,
		    struct xy_section_fault *f)
{
	char obj[192];
	int rc = xy_section_check(in, creating, f);
	if (!rc && (strlen(in->unit) > XY_UNIT_CODE_MAX ||
		    (rc = xy_store_unit_by_code(cx->st, in->unit, u)) == XY_ENOTFOUND))
		rc = fault(f, "unit", "no such unit");
	if (rc != XY_EINVAL)
		return rc;
	object(obj, sizeof obj, id, NULL);
	return refuse(cx, action, obj, invalid_reason(f->field), XY_EINVAL);
}

/* XY_ACT_SECTION_MANAGE over unit u: 0, or the refusal (audited; its
 * reason in f->why). */
static int may_manage(struct xy_ctx *cx, const char *action, const char *obj,
		      const struct xy_unit *u, struct xy_section_fault *f)
{
	struct xy_resource r;
	struct xy_decision d;
	xy_svc_unit_resource(u, &r);
	xy_policy_decide(&cx->actor, XY_ACT_SECTION_MANAGE, &r, xy_now_us(), &d);
	if (d.allow)
		return 0;
	f->field = NULL;
	f->why = d.reason;
	return xy_svc_refuse(cx, action, obj, d.reason);
}

static void fill(struct xy_section *s, const char *id, const struct xy_section_in *in,
		 const struct xy_unit *u, int64_t by, int64_t now)
{
	memset(s, 0, sizeof *s);
	snprintf(s->id, sizeof s->id, "%s", id);
	snprintf(s->kind, sizeof s->kind, "%s", in->kind);
	snprintf(s->title, sizeof s->title, "%s", in->title);
	s->body = in->body;
	s->body_len = strlen(in->body);
	s->unit_id = u->id;
	s->period_days = (int)in->period_days;
	s->updated_at = now;
	s->updated_by = by;
}

/* The change and its event in one transaction (AUD-2). */
static int commit_change(struct xy_ctx *cx, int (*op)(struct xy_store *, const void *),
			 const void *arg, const char *action, const char *obj)
{
	int rc;
	if ((rc = xy_store_begin(cx->st)))
		return rc;
	rc = op(cx->st, arg);
	if (!rc)
		rc = xy_svc_audit_tx(cx, action, obj, "ok", NULL);
	if (!rc)
		rc = xy_store_commit(cx->st);
	if (rc)
		xy_store_rollback(cx->st);
	return rc;
}

static int op_add(struct xy_store *st, const void *s)
{
	return xy_store_section_add(st, s);
}

static int op_update(struct xy_store *st, const void *s)
{
	return xy_store_section_update(st, s);
}

struct removal {
	const char *id;
	int64_t by, at;
};

static int op_remove(struct xy_store *st, const void *arg)
{
	const struct removal *r = arg;
	return xy_store_section_remove(st, r->id, r->by, r->at);
}

/* ---- the acts ---- */

int xy_section_create(struct xy_ctx *cx, const struct xy_section_in *in, struct xy_section_fault *f)
{
	static const char action[] = "section.create";
	struct xy_section s;
	struct xy_unit u;
	char obj[192];
	int rc;

	if ((rc = validate(cx, action, in->id, in, 1, &u, f)))
		return rc;
	object(obj, sizeof obj, in->id, u.code);
	if ((rc = may_manage(cx, action, obj, &u, f)))
		return rc;
	fill(&s, in->id, in, &u, cx->who.account_id, xy_now_us());
	rc = commit_change(cx, op_add, &s, action, obj);
	return rc == XY_EEXISTS ? refuse(cx, action, obj, "id_taken", XY_EEXISTS) : rc;
}

/* The section in place (its unit in *u), or the refusal no_such_section. */
static int current(struct xy_ctx *cx, const char *action, const char *id, struct xy_section *s,
		   struct xy_unit *u)
{
	char obj[192];
	int rc = id_ok(id) ? xy_store_section_get(cx->st, id, s, NULL) : XY_ENOTFOUND;
	if (!rc)
		rc = xy_store_unit_by_id(cx->st, s->unit_id, u);
	if (rc != XY_ENOTFOUND)
		return rc;
	object(obj, sizeof obj, id, NULL);
	return refuse(cx, action, obj, "no_such_section", XY_ENOTFOUND);
}

int xy_section_update(struct xy_ctx *cx, const char *id, const struct xy_section_in *in,
		      struct xy_section_fault *f)
{
	static const char action[] = "section.update";
	struct xy_section s, old;
	struct xy_unit u, old_u;
	char obj[192];
	int rc;

	if ((rc = validate(cx, action, id, in, 0, &u, f)) ||
	    (rc = current(cx, action, id, &old, &old_u)))
		return rc;
	/* Both the unit it had and the one it gets must be the actor's to
	 * manage: a county office neither takes a section from the city nor
	 * hands one to another county. */
	object(obj, sizeof obj, id, old_u.code);
	if ((rc = may_manage(cx, action, obj, &old_u, f)))
		return rc;
	object(obj, sizeof obj, id, u.code);
	if (u.id != old_u.id && (rc = may_manage(cx, action, obj, &u, f)))
		return rc;
	fill(&s, id, in, &u, cx->who.account_id, xy_now_us());
	rc = commit_change(cx, op_update, &s, action, obj);
	return rc == XY_ENOTFOUND ? refuse(cx, action, obj, "no_such_section", rc) : rc;
}

int xy_section_remove(struct xy_ctx *cx, const char *id, struct xy_section_fault *f)
{
	static const char action[] = "section.remove";
	struct xy_section old;
	struct xy_unit u;
	struct removal r;
	char obj[192];
	int rc;

	if ((rc = current(cx, action, id, &old, &u)))
		return rc;
	object(obj, sizeof obj, id, u.code);
	if ((rc = may_manage(cx, action, obj, &u, f)))
		return rc;
	r = (struct removal){id, cx->who.account_id, xy_now_us()};
	rc = commit_change(cx, op_remove, &r, action, obj);
	return rc == XY_ENOTFOUND ? refuse(cx, action, obj, "no_such_section", rc) : rc;
}

/* XY_ACT_SECTION_READ: 0, or the refusal (audited). */
static int may_read(struct xy_ctx *cx, const char *action, const char *obj)
{
	struct xy_decision d;
	xy_policy_decide(&cx->actor, XY_ACT_SECTION_READ, NULL, xy_now_us(), &d);
	return d.allow ? 0 : xy_svc_refuse(cx, action, obj, d.reason);
}

int xy_section_get(struct xy_ctx *cx, const char *id, struct xy_section *out, struct xy_buf *body)
{
	static const char action[] = "section.read";
	char obj[192];
	int rc;

	snprintf(obj, sizeof obj, "{\"section\":%s%s%s}", id_ok(id) ? "\"" : "",
		 id_ok(id) ? id : "null", id_ok(id) ? "\"" : "");
	if ((rc = may_read(cx, action, obj)))
		return rc;
	rc = id_ok(id) ? xy_store_section_get(cx->st, id, out, body) : XY_ENOTFOUND;
	if (rc == XY_ENOTFOUND)
		return refuse(cx, action, obj, "no_such_section", rc);
	return rc ? rc : xy_svc_audit_read(cx, action, obj, "ok", NULL);
}

struct counting {
	int (*fn)(void *arg, const struct xy_section *s);
	void *arg;
	int n;
};

static int count_one(void *arg, const struct xy_section *s)
{
	struct counting *c = arg;
	c->n++;
	return c->fn(c->arg, s);
}

int xy_section_list(struct xy_ctx *cx, const char *after, int limit,
		    int (*fn)(void *arg, const struct xy_section *s), void *arg, int *n)
{
	static const char action[] = "section.list";
	struct counting c = {fn, arg, 0};
	char obj[64];
	int rc;

	*n = 0;
	if ((rc = may_read(cx, action, NULL)))
		return rc;
	if ((rc = xy_store_section_each(cx->st, after ? after : "", limit, 0, count_one, &c)))
		return rc;
	*n = c.n;
	snprintf(obj, sizeof obj, "{\"returned\":%d}", c.n);
	return xy_svc_audit_read(cx, action, obj, "ok", NULL);
}

struct late_walk {
	int (*fn)(void *arg, const struct xy_section_late *l);
	void *arg;
	int32_t today;
	int n, more;
};

static int late_one(void *arg, const struct xy_section *s)
{
	struct late_walk *w = arg;
	struct xy_section_late l = {s, xy_section_due_day(s->updated_at, s->period_days), 0};
	if (w->n == XY_SECTION_OVERDUE_MAX) {
		w->more = 1; /* the one asked for beyond the limit */
		return 0;
	}
	l.days_overdue = (int)(w->today - l.due);
	w->n++;
	return w->fn(w->arg, &l);
}

int xy_section_overdue(struct xy_ctx *cx, int (*fn)(void *arg, const struct xy_section_late *l),
		       void *arg, int32_t *today, int *n, int *truncated)
{
	static const char action[] = "section.overdue";
	struct late_walk w = {fn, arg, xy_today(), 0, 0};
	char obj[96];
	int rc;

	*today = w.today;
	*n = *truncated = 0;
	if ((rc = may_read(cx, action, NULL)))
		return rc;
	/* Overdue: the last day of the period is before today, i.e. the
	 * period ended before today began (China time). */
	rc = xy_store_section_due_before(cx->st, (int64_t)w.today * DAY_US - CHINA_US,
					 XY_SECTION_OVERDUE_MAX + 1, late_one, &w);
	if (rc)
		return rc;
	*n = w.n;
	*truncated = w.more;
	snprintf(obj, sizeof obj, "{\"overdue\":%d,\"truncated\":%s}", w.n,
		 w.more ? "true" : "false");
	return xy_svc_audit_read(cx, action, obj, "ok", NULL);
}

/* ---- publishing ---- */

int xy_section_line(const struct xy_section *s, struct xy_buf *out)
{
	struct xy_jw w;
	xy_buf_reset(out);
	xy_jw_init(&w, out);
	xy_jw_obj(&w);
	xy_jw_kstr(&w, "op", "section");
	xy_jw_kstr(&w, "id", s->id);
	xy_jw_kstr(&w, "kind", s->kind);
	xy_jw_kstr(&w, "title", s->title);
	xy_jw_key(&w, "body");
	xy_jw_strn(&w, s->body ? s->body : "", s->body ? s->body_len : 0);
	xy_jw_kstr(&w, "unit", s->unit_name);
	xy_jw_key(&w, "updated");
	xy_jw_date(&w, china_day(s->updated_at));
	xy_jw_kint(&w, "period_days", s->period_days);
	xy_jw_obj_end(&w);
	return xy_jw_end(&w);
}
