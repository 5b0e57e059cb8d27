/* The apply loop (POR-2): change sets from PDIR/inbox, in order, each verified against
 * the platform key, its sequence, its header and every line before one transaction
 * applies it whole.  A bad file goes to PDIR/quarantine, an alarm is logged and noted
 * in the store, and the portal keeps serving what it had. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ferry/sfile.h"
#include "portal/portal_int.h"
#include "util/date.h"
#include "util/err.h"
#include "util/log.h"

struct entry {
	long long seq;
	char name[XY_SFILE_NAME_MAX];
};

static int by_seq(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static struct xy_pstore *writer(struct xy_portal *p)
{
	char path[PORTAL_DIR_MAX + 16], err[256];
	if (p->writer)
		return p->writer;
	snprintf(path, sizeof path, "%s/public.db", p->dir);
	if (xy_pstore_open(path, 0, &p->writer, err, sizeof err))
		xy_log_error("%s", err);
	return p->writer;
}

/* POR-2: the file leaves the inbox for quarantine/, the alarm is logged and kept. */
static void quarantine(struct xy_portal *p, struct xy_pstore *s, const char *name, const char *why)
{
	char from[PORTAL_DIR_MAX + 96], to[PORTAL_DIR_MAX + 128];
	snprintf(from, sizeof from, "%s/inbox/%s", p->dir, name);
	snprintf(to, sizeof to, "%s/quarantine/%s", p->dir, name);
	if (access(to, F_OK) == 0) /* the same name refused before: keep both */
		snprintf(to, sizeof to, "%s/quarantine/%s.%lld", p->dir, name,
			 (long long)xy_now_us());
	if (rename(from, to))
		xy_log_error("POR-2: %s could not be moved to quarantine: %s", name,
			     strerror(errno));
	xy_log_error("POR-2 alarm: change set %s refused and quarantined: %s", name, why);
	if (xy_pstore_alarm(s, name, why))
		xy_log_error("POR-2: the alarm for %s could not be noted in public.db", name);
	xy_portal_state_refresh(p, s);
}

/* Every line checked and applied inside one transaction; err names the line. */
static int apply_lines(struct xy_pstore *s, struct xy_sfile *f, long *lines, char *err,
		       size_t errlen)
{
	const char *line;
	size_t n;
	char why[200];
	int rc;
	*lines = 0;
	while (xy_sfile_next(f, &line, &n) == 1) {
		struct xy_csline l;
		if ((rc = xy_csline_parse(line, n, &l, why, sizeof why))) {
			snprintf(err, errlen, "line %ld: %s", f->line_no, why);
			return rc;
		}
		rc = xy_pstore_apply_line(s, &l, line, n);
		xy_csline_cleanup(&l);
		if (rc) {
			snprintf(err, errlen, "line %ld: the store refused it", f->line_no);
			return rc;
		}
		(*lines)++;
	}
	return 0;
}

/* One file: 1 applied, 0 refused (quarantined), negative: stop the pass (store). */
static int apply_one(struct xy_portal *p, struct xy_pstore *s, const struct entry *e)
{
	char path[PORTAL_DIR_MAX + 96], err[512], why[600];
	struct xy_sfile f;
	struct xy_pstate st;
	int snapshot = 0, rc;
	long lines = 0;
	int64_t t0 = xy_now_us(), t_read = 0, t_lines = 0;

	xy_portal_state(p, &st);
	snprintf(path, sizeof path, "%s/inbox/%s", p->dir, e->name);
	err[0] = 0;
	rc = xy_sfile_load(path, p->changeset_max, p->platform, XY_SFILE_CHANGESET, &f, err,
			   sizeof err);
	if (rc == XY_EIO) {
		xy_log_error("inbox: %s cannot be read (%s); left for the next pass", e->name,
			     err[0] ? err : xy_strerror(rc));
		return 0;
	}
	if (rc) {
		snprintf(why, sizeof why, "%s: %s",
			 rc == XY_ETAMPER  ? "bad signature"
			 : rc == XY_ELIMIT ? "too large"
					   : "not a change set",
			 err[0] ? err : xy_strerror(rc));
		quarantine(p, s, e->name, why);
		return 0;
	}
	t_read = xy_now_us();
	if (f.seq != e->seq) {
		snprintf(why, sizeof why, "the file is named %lld but its header says %lld", e->seq,
			 f.seq);
		goto refuse;
	}
	if (xy_csheader_check(f.header, &snapshot, err, sizeof err)) {
		snprintf(why, sizeof why, "line 1: %s", err);
		goto refuse;
	}
	if (f.seq <= st.seq) {
		snprintf(why, sizeof why, "replay: change set %lld is already applied (last %lld)",
			 f.seq, st.seq);
		goto refuse;
	}
	if (!snapshot && st.seq == 0) {
		snprintf(why, sizeof why, "the first change set taken must be a snapshot");
		goto refuse;
	}
	if (!snapshot && f.seq != st.seq + 1) {
		snprintf(why, sizeof why, "gap: change set %lld follows %lld", f.seq, st.seq);
		goto refuse;
	}
	if ((rc = xy_pstore_apply_begin(s, snapshot))) {
		xy_sfile_free(&f);
		return rc;
	}
	if ((rc = apply_lines(s, &f, &lines, err, sizeof err))) {
		xy_pstore_rollback(s);
		if (rc == XY_ESTORE) {
			xy_sfile_free(&f);
			return rc;
		}
		snprintf(why, sizeof why, "%s", err);
		goto refuse;
	}
	t_lines = xy_now_us();
	rc = xy_pstore_apply_commit(
		s, f.seq, snapshot, json_string_value(json_object_get(f.header, "created")),
		json_string_value(json_object_get(f.header, "platform")), lines, e->name);
	xy_sfile_free(&f);
	if (rc)
		return rc;
	if (unlink(path))
		xy_log_warn("inbox: %s applied but not removed: %s", e->name, strerror(errno));
	xy_portal_state_refresh(p, s);
	/* the three parts, for bench/portal.sh: read and signature, lines, commit */
	xy_log_info("change set %lld (%s) applied: %ld lines in %lld ms (read and verify %lld ms,"
		    " lines %lld ms, commit %lld ms)",
		    e->seq, snapshot ? "snapshot" : "delta", lines,
		    (long long)((xy_now_us() - t0) / 1000), (long long)((t_read - t0) / 1000),
		    (long long)((t_lines - t_read) / 1000),
		    (long long)((xy_now_us() - t_lines) / 1000));
	return 1;
refuse:
	xy_sfile_free(&f);
	quarantine(p, s, e->name, why);
	return 0;
}

static int list_inbox(struct xy_portal *p, struct entry **out, size_t *n)
{
	char path[PORTAL_DIR_MAX + 16];
	struct entry *v;
	struct dirent *d;
	DIR *dir;
	size_t cap = 64;
	*n = 0;
	*out = NULL;
	snprintf(path, sizeof path, "%s/inbox", p->dir);
	dir = opendir(path);
	if (!dir) {
		int e = errno;
		if (e != p->inbox_errno)
			xy_log_error("inbox: cannot read %s: %s", path, strerror(e));
		p->inbox_errno = e;
		return XY_EIO;
	}
	if (p->inbox_errno)
		xy_log_info("inbox: %s readable again", path);
	p->inbox_errno = 0;
	v = malloc(cap * sizeof *v);
	if (!v) {
		closedir(dir);
		return XY_ENOMEM;
	}
	while ((d = readdir(dir)) && *n < XY_PORTAL_INBOX_MAX) {
		long long seq = xy_sfile_name_seq(d->d_name, "cs-", ".xycs");
		if (seq < 0 || strlen(d->d_name) >= XY_SFILE_NAME_MAX)
			continue;
		if (*n == cap) {
			struct entry *nv = realloc(v, 2 * cap * sizeof *v);
			if (!nv) {
				free(v);
				closedir(dir);
				return XY_ENOMEM;
			}
			v = nv;
			cap *= 2;
		}
		v[*n].seq = seq;
		snprintf(v[*n].name, sizeof v[*n].name, "%s", d->d_name);
		(*n)++;
	}
	closedir(dir);
	qsort(v, *n, sizeof *v, by_seq);
	*out = v;
	return 0;
}

int xy_portal_apply(struct xy_portal *p, long *applied)
{
	struct xy_pstore *s = writer(p);
	struct entry *v;
	size_t n;
	int rc;
	*applied = 0;
	if (!s)
		return XY_ESTORE;
	if (!p->state.seq && !p->state.alarms)
		xy_portal_state_refresh(p, s);
	if ((rc = list_inbox(p, &v, &n)))
		return rc;
	for (size_t i = 0; i < n; i++) {
		rc = apply_one(p, s, &v[i]);
		if (rc < 0)
			break;
		*applied += rc;
		rc = 0;
	}
	free(v);
	return rc;
}
