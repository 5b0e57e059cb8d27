/* The records producer of the publisher (NET-1, POR-1): every record of a
 * public dataset that xy_pub_decide lets out today, masked as a viewer
 * without the right to clear values sees it (svc/recview.c, public mode:
 * fields marked "publish": false left out and never opened), and the
 * public identity of each subject that has one: a legal person's code,
 * name and region; a natural person (only from a dataset with
 * "publish_natural") under a keyed code and a masked name.  Every record it
 * passes over says why (its removal's reason, should the portal hold it). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/publish.h"
#include "core/row.h"
#include "crypto/seal.h"
#include "ferry/sfile.h"
#include "svc/publish.h"
#include "svc/recview.h"
#include "util/date.h"
#include "util/err.h"
#include "util/jw.h"
#include "util/limits.h"
#include "util/log.h"

/* The natural code's key: the first blind-index key, so the code stays the
 * same after a key rotation (docs/FORMATS.md, change sets). */
#define NATURAL_KEY_ID 1
#define NATURAL_DOMAIN "publish.subject"

/* A subject met while producing. */
struct subj {
	int64_t id; /* 0: empty slot */
	int natural, emitted;
	char code[XY_SUBJECT_CODE_MAX + 1]; /* as published ("P…" for natural persons) */
};

struct prod {
	struct xy_pub_run *run;
	const struct xy_publisher *p;
	const struct xy_dataset *ds;
	int date_field;
	struct xy_recview rv;
	struct xy_buf line;
	struct subj *subjects;
	size_t cap, count;
	struct xy_unit *units;
	size_t nunits, capunits;
	struct xy_region *regions;
	size_t nregions;
};

/* ---- subjects ---- */

static struct subj *subj_slot(struct prod *pr, int64_t id)
{
	size_t i = (size_t)((uint64_t)id * 11400714819323198485ull) & (pr->cap - 1);
	while (pr->subjects[i].id && pr->subjects[i].id != id)
		i = (i + 1) & (pr->cap - 1);
	return &pr->subjects[i];
}

static int subj_grow(struct prod *pr)
{
	struct subj *old = pr->subjects;
	size_t ocap = pr->cap, ncap = pr->cap ? pr->cap * 2 : 4096;
	if (!(pr->subjects = calloc(ncap, sizeof *pr->subjects))) {
		pr->subjects = old;
		return XY_ENOMEM;
	}
	pr->cap = ncap;
	for (size_t i = 0; i < ocap; i++)
		if (old[i].id)
			*subj_slot(pr, old[i].id) = old[i];
	free(old);
	return 0;
}

static void natural_code(struct prod *pr, int64_t id, char out[XY_SUBJECT_CODE_MAX + 1], int *rc)
{
	static const char hex[] = "0123456789abcdef";
	char v[24];
	uint8_t d[32];
	size_t n = xy_i64_str(id, v);
	if ((*rc = xy_blind_index_id(pr->p->sealer, NATURAL_KEY_ID, NATURAL_DOMAIN, v, n, d)))
		return;
	out[0] = 'P';
	for (int i = 0; i < 8; i++) {
		out[1 + 2 * i] = hex[d[i] >> 4];
		out[2 + 2 * i] = hex[d[i] & 15];
	}
	out[17] = '\0';
}

/* The subject of a record, from the cache or the store. */
static int subject_of(struct prod *pr, int64_t id, struct subj **out)
{
	struct xy_subject s;
	struct subj *e;
	int rc;

	if ((pr->count + 1) * 2 > pr->cap && (rc = subj_grow(pr)))
		return rc;
	e = subj_slot(pr, id);
	if (e->id) {
		*out = e;
		return 0;
	}
	if (pr->count >= XY_PUBLISH_OBJECTS_MAX)
		return XY_ELIMIT;
	if ((rc = xy_store_subject_get(pr->p->st, id, &s)))
		return rc;
	e->id = id;
	e->natural = s.natural;
	if (s.natural)
		natural_code(pr, id, e->code, &rc);
	else
		snprintf(e->code, sizeof e->code, "%s", s.code);
	if (rc) {
		e->id = 0;
		return rc;
	}
	pr->count++;
	*out = e;
	return 0;
}

static const char *region_name(const struct prod *pr, const char *code)
{
	for (size_t i = 0; i < pr->nregions; i++)
		if (!strcmp(pr->regions[i].code, code))
			return pr->regions[i].name;
	return NULL;
}

static int add_region(void *arg, const struct xy_region *r)
{
	struct prod *pr = arg;
	if (pr->nregions >= XY_REGIONS_MAX)
		return XY_ELIMIT;
	pr->regions[pr->nregions++] = *r;
	return 0;
}

/* The subject's line, once per subject: a legal person as stored, a
 * natural person under its keyed code with the record's masked name. */
static int emit_subject(struct prod *pr, struct subj *e, const struct xy_qfield *f, int n)
{
	struct xy_subject s;
	struct xy_jw w;
	const char *name = NULL;
	size_t name_len = 0;
	int rc;

	if ((rc = xy_store_subject_get(pr->p->st, e->id, &s)))
		return rc;
	if (e->natural) {
		for (int i = 0; i < n; i++)
			if (f[i].f == &pr->ds->fields[pr->ds->subject.name] && f[i].masked &&
			    f[i].v) {
				name = f[i].v;
				name_len = f[i].n;
			}
		if (!name)
			return 0; /* no masked name to show (the catalog makes this rare): later */
	} else {
		name = s.name;
		name_len = strlen(s.name);
	}
	xy_buf_reset(&pr->line);
	xy_jw_init(&w, &pr->line);
	xy_jw_obj(&w);
	xy_jw_kstr(&w, "op", "subject");
	xy_jw_kstr(&w, "code", e->code);
	xy_jw_kstr(&w, "kind", e->natural ? "natural" : "legal");
	xy_jw_key(&w, "name");
	xy_jw_strn(&w, name, name_len);
	/* A natural person's region is that of the identity number's area: not
	 * published, since the masked number shows no more than it must. */
	xy_jw_kstr(&w, "region", e->natural || !s.region[0] ? NULL : s.region);
	xy_jw_kstr(&w, "region_name",
		   e->natural || !s.region[0] ? NULL : region_name(pr, s.region));
	xy_jw_obj_end(&w);
	if ((rc = xy_jw_end(&w)) ||
	    (rc = xy_pub_emit(pr->run, XY_PUB_SUBJECT, e->code, pr->line.p, pr->line.len, NULL)))
		return rc;
	e->emitted = 1;
	return 0;
}

/* ---- records ---- */

static const struct xy_unit *unit_of(struct prod *pr, int64_t id)
{
	for (size_t i = 0; i < pr->nunits; i++)
		if (pr->units[i].id == id)
			return &pr->units[i];
	if (pr->nunits == pr->capunits) {
		size_t nc = pr->capunits ? pr->capunits * 2 : 32;
		struct xy_unit *u = realloc(pr->units, nc * sizeof *u);
		if (!u)
			return NULL;
		pr->units = u;
		pr->capunits = nc;
	}
	if (xy_store_unit_by_id(pr->p->st, id, &pr->units[pr->nunits]))
		return NULL;
	return &pr->units[pr->nunits++];
}

static void put_day(struct xy_jw *w, const char *key, int32_t day)
{
	xy_jw_key(w, key);
	if (day == XY_NOT_DISPLAYED || day == XY_NO_END)
		xy_jw_null(w);
	else
		xy_jw_date(w, day);
}

/* The decision date as YYYY-MM-DD, or null (none, or not shown in full). */
static void put_date(struct prod *pr, struct xy_jw *w, const struct xy_qfield *f, int n)
{
	int32_t day;
	xy_jw_key(w, "date");
	for (int i = 0; pr->date_field >= 0 && i < n; i++)
		if (f[i].f == &pr->ds->fields[pr->date_field] && !f[i].masked && f[i].v &&
		    xy_date_parse(f[i].v, f[i].n, &day) == 0) {
			xy_jw_date(w, day);
			return;
		}
	xy_jw_null(w);
}

static int record_line(struct prod *pr, const struct xy_store_rec_view *v, const char *id,
		       const struct subj *e, const struct xy_unit *u, const struct xy_qfield *f,
		       int n)
{
	struct xy_jw w;
	int objection = 0, rc;
	/* POR-3: marked 异议 while an objection about it is open. */
	if ((rc = xy_store_case_open_objection(pr->p->st, v->id, &objection)))
		return rc;
	xy_buf_reset(&pr->line);
	xy_jw_init(&w, &pr->line);
	xy_jw_obj(&w);
	xy_jw_kstr(&w, "op", "record");
	xy_jw_kstr(&w, "id", id);
	xy_jw_kstr(&w, "dataset", pr->ds->code);
	xy_jw_kstr(&w, "subject", e->code);
	xy_jw_kstr(&w, "unit", u->name);
	xy_jw_kstr(&w, "unit_code", u->code);
	put_date(pr, &w, f, n);
	put_day(&w, "valid_until", v->valid_until);
	put_day(&w, "display_until", v->display_until);
	xy_jw_kbool(&w, "objection", objection);
	xy_jw_key(&w, "fields");
	xy_jw_obj(&w);
	for (int i = 0; i < n; i++)
		if (f[i].v) {
			xy_jw_key(&w, f[i].f->code);
			xy_jw_strn(&w, f[i].v, f[i].n);
		}
	xy_jw_obj_end(&w);
	xy_jw_key(&w, "masked");
	xy_jw_arr(&w);
	for (int i = 0; i < n; i++)
		if (f[i].v && f[i].masked)
			xy_jw_str(&w, f[i].f->code);
	xy_jw_arr_end(&w);
	xy_jw_obj_end(&w);
	return xy_jw_end(&w);
}

static int one_record(void *arg, const struct xy_store_rec_view *v)
{
	struct prod *pr = arg;
	const struct xy_qfield *f;
	const struct xy_unit *u = NULL;
	struct subj *e;
	enum xy_pub_reason why;
	char id[24];
	int n, rc;

	id[xy_i64_str(v->id, id)] = '\0';
	if ((rc = subject_of(pr, v->subject_id, &e)))
		return rc;
	why = xy_pub_decide(pr->ds, v->status, e->natural, v->display_until, xy_pub_today(pr->run));
	if (why == XY_PUB_SHOWN && !(u = unit_of(pr, v->unit_id)))
		why = XY_PUB_WITHDRAWN; /* its providing unit is gone */
	if (why != XY_PUB_SHOWN) {
		xy_pub_gone(pr->run, XY_PUB_RECORD, id, why);
		return 0;
	}
	if ((rc = xy_recview_build(&pr->rv, pr->ds, v, 0, XY_RECVIEW_PUBLIC, &f, &n)))
		return rc;
	if (!e->emitted && (rc = emit_subject(pr, e, f, n)))
		return rc;
	if (!e->emitted) {
		xy_pub_gone(pr->run, XY_PUB_RECORD, id, XY_PUB_WITHDRAWN);
		return 0; /* no public identity for its subject: the record waits */
	}
	if ((rc = record_line(pr, v, id, e, u, f, n)))
		return rc;
	return xy_pub_emit(pr->run, XY_PUB_RECORD, id, pr->line.p, pr->line.len, NULL);
}

int xy_pub_produce_records(struct xy_pub_run *run)
{
	const struct xy_publisher *p = xy_pub_env(run);
	struct prod pr;
	int rc = 0;

	memset(&pr, 0, sizeof pr);
	pr.run = run;
	pr.p = p;
	xy_recview_init(&pr.rv, p->sealer);
	xy_buf_init(&pr.line, XY_SFILE_LINE_MAX - 1);
	if (!(pr.regions = calloc(XY_REGIONS_MAX, sizeof *pr.regions)))
		rc = XY_ENOMEM;
	if (!rc)
		rc = xy_store_region_each(p->st, add_region, &pr);
	for (int i = 0; i < p->cat->ndatasets && !rc; i++) {
		pr.ds = &p->cat->datasets[i];
		/* NET-1: only public datasets are read at all; the records of
		 * any other leave the portal as "withdrawn". */
		if (pr.ds->sharing != XY_SHARE_PUBLIC)
			continue;
		pr.date_field = xy_pub_date_field(pr.ds);
		rc = xy_store_publish_records(p->st, pr.ds->code, one_record, &pr);
		if (rc)
			xy_log_error("publish: dataset %s: %s", pr.ds->code, xy_strerror(rc));
	}
	xy_recview_cleanup(&pr.rv);
	xy_buf_cleanup(&pr.line);
	free(pr.subjects);
	free(pr.units);
	free(pr.regions);
	return rc;
}
