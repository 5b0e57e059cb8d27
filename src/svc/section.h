/* Portal sections (POR-5): notices (通知公告) and policy pages (政策法规),
 * managed on the government side, each naming its responsible unit and the
 * period within which it must be updated; published to the portal through
 * the change sets (`section` lines, docs/FORMATS.md); a report lists those
 * not updated within their period.
 *
 * Every act follows validate → policy (XY_ACT_SECTION_MANAGE over the
 * responsible unit, XY_ACT_SECTION_READ) → store → audit; every change and
 * every refusal (wrong input included) leaves its event. */
#ifndef XY_SVC_SECTION_H
#define XY_SVC_SECTION_H

#include <stdint.h>

#include "store/store.h"
#include "svc/service.h"
#include "util/buf.h"

/* What a caller sends to create or replace a section. */
struct xy_section_in {
	const char *id;	  /* create: 1..64 of a-z 0-9 - ("overdue" is the report) */
	const char *kind; /* "notice" or "policy" */
	const char *title, *body;
	const char *unit;      /* the responsible unit's code */
	long long period_days; /* 1..XY_SECTION_PERIOD_MAX */
	int period_bad;	       /* period_days was absent or not a whole number */
	const char *wrong;     /* a field sent as another JSON type than text, or NULL */
};

/* Which field was refused and why (static English text). */
struct xy_section_fault {
	const char *field;
	const char *why;
};

/* Checks every field but the unit's existence (pure): 0, or XY_EINVAL with
 * f naming the first field at fault.  `creating`: the id is checked too. */
int xy_section_check(const struct xy_section_in *in, int creating, struct xy_section_fault *f);

/* XY_EINVAL (f: field and why), XY_EDENIED (policy; f->why its reason),
 * XY_EEXISTS (create: a section with this id is in place), XY_ENOTFOUND
 * (update, remove: none); each audited. */
XY_WUR int xy_section_create(struct xy_ctx *cx, const struct xy_section_in *in,
			     struct xy_section_fault *f);
/* Replaces every field of section id (in->id is not used). */
XY_WUR int xy_section_update(struct xy_ctx *cx, const char *id, const struct xy_section_in *in,
			     struct xy_section_fault *f);
XY_WUR int xy_section_remove(struct xy_ctx *cx, const char *id, struct xy_section_fault *f);
/* One section with its body (in body, whose max must allow
 * XY_SECTION_BODY_MAX); XY_ENOTFOUND, XY_EDENIED. */
XY_WUR int xy_section_get(struct xy_ctx *cx, const char *id, struct xy_section *out,
			  struct xy_buf *body);
/* The sections in place after `after` ("" or NULL: from the first), in id
 * order, at most limit, without bodies; *n how many. */
XY_WUR int xy_section_list(struct xy_ctx *cx, const char *after, int limit,
			   int (*fn)(void *arg, const struct xy_section *s), void *arg, int *n);

/* One line of the overdue report. */
struct xy_section_late {
	const struct xy_section *s;
	int32_t due;	  /* the last China day of its period */
	int days_overdue; /* today - due, at least 1 */
};
/* POR-5: the sections in place not updated within their period as of today
 * (China), the longest overdue first, at most XY_SECTION_OVERDUE_MAX
 * (*truncated set when there were more); *today the day it is as of. */
XY_WUR int xy_section_overdue(struct xy_ctx *cx,
			      int (*fn)(void *arg, const struct xy_section_late *l), void *arg,
			      int32_t *today, int *n, int *truncated);

/* The last China day of the period of a section updated at updated_us: it
 * is overdue from the day after. */
int32_t xy_section_due_day(int64_t updated_us, int period_days);

/* ---- publishing (docs/FORMATS.md "Change sets") ---- */

/* Writes s (read with its body) as its change-set line into out (reset
 * first), without a newline:
 * {"op":"section","id":…,"kind":…,"title":…,"body":…,"unit":NAME,
 *  "updated":"YYYY-MM-DD","period_days":N}; `unit` is the responsible
 * unit's name, `updated` the China day of its last update. */
XY_WUR int xy_section_line(const struct xy_section *s, struct xy_buf *out);

#endif
