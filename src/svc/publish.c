/* The publisher's engine: see publish.h.  Producers offer objects; this
 * file compares them with what the portal holds, writes the change set,
 * and records and audits it. */
#include "svc/publish.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/keyring.h"
#include "crypto/sm.h"
#include "ferry/sfile.h"
#include "svc/instance.h"
#include "svc/service.h"
#include "util/date.h"
#include "util/err.h"
#include "util/jw.h"
#include "util/limits.h"
#include "util/log.h"

#define OUTBOX		"outbox"
#define PLATFORM_SUFFIX "公共信用信息共享平台"
#define ARENA_CHUNK	(256 * 1024)

/* The kinds of objects: the name in `published`, and how the portal is
 * told one is gone (NULL: never removed). */
static const struct {
	const char *name;
	const char *remove_op;
	const char *remove_key;
	int has_reason;
} kinds[XY_PUB__KINDS] = {
	[XY_PUB_SUBJECT] = {"subject", "subject_remove", "code", 0},
	[XY_PUB_RECORD] = {"record", "remove", "id", 1},
	[XY_PUB_TICKET] = {"ticket", NULL, NULL, 0}, /* a ticket keeps answering */
	[XY_PUB_SECTION] = {"section", "section_remove", "id", 0},
};

/* The producers, in the order they run. */
static int (*const producers[])(struct xy_pub_run *run) = {
	xy_pub_produce_records,
	xy_pub_produce_tickets,
	xy_pub_produce_sections,
};

/* ---- the objects of one run: an open-addressing table ---- */

enum { F_PUB = 1, F_PROD = 2, F_CHG = 4 };

struct pent {
	char *id; /* NULL: empty slot */
	uint32_t hash;
	uint8_t kind, flags, reason;
	uint8_t sm3[32]; /* as published; once produced, as produced */
};

struct arena {
	char *chunk;
	size_t used, cap;
	char **old; /* full chunks */
	size_t nold, capold;
};

struct xy_pub_run {
	const struct xy_publisher *p;
	int32_t today;
	int snapshot;
	struct pent *tab;
	size_t cap, count;
	struct arena ids;
	struct xy_buf lines[XY_PUB__KINDS]; /* new and changed lines, each + '\n' */
	long nlines[XY_PUB__KINDS];
};

static uint32_t hash_of(int kind, const char *id)
{
	uint32_t h = 2166136261u ^ (uint32_t)kind; /* FNV-1a */
	for (const unsigned char *s = (const unsigned char *)id; *s; s++)
		h = (h ^ *s) * 16777619u;
	return h;
}

static char *arena_dup(struct arena *a, const char *s)
{
	size_t n = strlen(s) + 1;
	char *out;
	if (a->used + n > a->cap) {
		if (a->chunk) {
			if (a->nold == a->capold) {
				size_t nc = a->capold ? a->capold * 2 : 64;
				char **o = realloc(a->old, nc * sizeof *o);
				if (!o)
					return NULL;
				a->old = o;
				a->capold = nc;
			}
			a->old[a->nold++] = a->chunk;
		}
		a->chunk = malloc(ARENA_CHUNK);
		if (!a->chunk)
			return NULL;
		a->used = 0;
		a->cap = ARENA_CHUNK;
	}
	out = a->chunk + a->used;
	memcpy(out, s, n);
	a->used += n;
	return out;
}

static void arena_free(struct arena *a)
{
	for (size_t i = 0; i < a->nold; i++)
		free(a->old[i]);
	free(a->old);
	free(a->chunk);
	memset(a, 0, sizeof *a);
}

static struct pent *slot(struct xy_pub_run *r, int kind, const char *id, uint32_t h)
{
	size_t i = h & (r->cap - 1);
	while (r->tab[i].id &&
	       !(r->tab[i].hash == h && r->tab[i].kind == kind && strcmp(r->tab[i].id, id) == 0))
		i = (i + 1) & (r->cap - 1);
	return &r->tab[i];
}

static int grow(struct xy_pub_run *r)
{
	size_t ncap = r->cap ? r->cap * 2 : 4096;
	struct pent *old = r->tab, *nt = calloc(ncap, sizeof *nt);
	size_t ocap = r->cap;
	if (!nt)
		return XY_ENOMEM;
	r->tab = nt;
	r->cap = ncap;
	for (size_t i = 0; i < ocap; i++)
		if (old[i].id)
			*slot(r, old[i].kind, old[i].id, old[i].hash) = old[i];
	free(old);
	return 0;
}

/* The entry of (kind, id), added when absent. */
static int entry(struct xy_pub_run *r, int kind, const char *id, struct pent **out)
{
	uint32_t h = hash_of(kind, id);
	struct pent *e;
	int rc;

	if ((r->count + 1) * 2 > r->cap && (rc = grow(r)))
		return rc;
	e = slot(r, kind, id, h);
	if (!e->id) {
		if (r->count >= XY_PUBLISH_OBJECTS_MAX)
			return XY_ELIMIT;
		if (!(e->id = arena_dup(&r->ids, id)))
			return XY_ENOMEM;
		e->hash = h;
		e->kind = (uint8_t)kind;
		r->count++;
	}
	*out = e;
	return 0;
}

static struct pent *find(struct xy_pub_run *r, int kind, const char *id)
{
	struct pent *e;
	if (!r->cap)
		return NULL;
	e = slot(r, kind, id, hash_of(kind, id));
	return e->id ? e : NULL;
}

/* ---- the producers' side ---- */

const struct xy_publisher *xy_pub_env(const struct xy_pub_run *run)
{
	return run->p;
}

int32_t xy_pub_today(const struct xy_pub_run *run)
{
	return run->today;
}

int xy_pub_emit(struct xy_pub_run *run, enum xy_pub_kind kind, const char *id, const char *line,
		size_t n, int *fresh)
{
	struct pent *e;
	uint8_t d[32];
	int rc;

	if (fresh)
		*fresh = 0;
	if ((unsigned)kind >= XY_PUB__KINDS || strlen(id) >= XY_PUB_ID_MAX ||
	    n >= XY_SFILE_LINE_MAX || memchr(line, '\n', n))
		return XY_EINVAL;
	if ((rc = entry(run, (int)kind, id, &e)))
		return rc;
	if (e->flags & F_PROD)
		return 0; /* offered before: the first line stands */
	if (fresh)
		*fresh = 1;
	xy_sm3(line, n, d);
	e->flags |= F_PROD;
	e->reason = XY_PUB_SHOWN;
	if (!run->snapshot && (e->flags & F_PUB) && memcmp(e->sm3, d, sizeof d) == 0)
		return 0; /* the portal has this line already */
	memcpy(e->sm3, d, sizeof d);
	e->flags |= F_CHG;
	run->nlines[kind]++;
	if ((rc = xy_buf_add(&run->lines[kind], line, n)) ||
	    (rc = xy_buf_addc(&run->lines[kind], '\n')))
		return rc;
	return 0;
}

void xy_pub_gone(struct xy_pub_run *run, enum xy_pub_kind kind, const char *id,
		 enum xy_pub_reason why)
{
	struct pent *e = find(run, (int)kind, id);
	if (e && !(e->flags & F_PROD))
		e->reason = (uint8_t)why;
}

/* ---- the published state ---- */

static int load_one(void *arg, const char *kind, const char *id, const uint8_t sm3[32])
{
	struct xy_pub_run *r = arg;
	struct pent *e;
	int k, rc;

	for (k = 0; k < XY_PUB__KINDS && strcmp(kinds[k].name, kind) != 0; k++)
		;
	if (k == XY_PUB__KINDS) {
		/* A kind this program does not produce (a newer one wrote it):
		 * left alone rather than removed. */
		return 0;
	}
	if ((rc = entry(r, k, id, &e)))
		return rc;
	e->flags |= F_PUB;
	e->reason = XY_PUB_WITHDRAWN; /* unless a producer says otherwise */
	memcpy(e->sm3, sm3, 32);
	return 0;
}

static int gone(const struct pent *e)
{
	return (e->flags & F_PUB) && !(e->flags & F_PROD) && kinds[e->kind].remove_op;
}

/* Record ids in numeric order (shorter decimal first), codes as text. */
static int cmp_removal(const void *a, const void *b)
{
	const struct pent *x = *(const struct pent *const *)a, *y = *(const struct pent *const *)b;
	size_t lx = strlen(x->id), ly = strlen(y->id);
	if (x->kind != y->kind)
		return x->kind > y->kind ? -1 : 1; /* records before subjects */
	if (lx != ly)
		return lx < ly ? -1 : 1;
	return strcmp(x->id, y->id);
}

/* The removals of a delta, in file order. */
static int removals(struct xy_pub_run *r, struct pent ***out, size_t *n)
{
	size_t k = 0;
	*out = NULL;
	*n = 0;
	if (r->snapshot)
		return 0; /* a snapshot replaces everything: nothing to remove */
	for (size_t i = 0; i < r->cap; i++)
		k += r->tab[i].id && gone(&r->tab[i]);
	if (!k)
		return 0;
	if (!(*out = malloc(k * sizeof(struct pent *))))
		return XY_ENOMEM;
	for (size_t i = 0; i < r->cap; i++)
		if (r->tab[i].id && gone(&r->tab[i]))
			(*out)[(*n)++] = &r->tab[i];
	qsort(*out, *n, sizeof(struct pent *), cmp_removal);
	return 0;
}

static int removal_line(struct xy_buf *b, const struct pent *e)
{
	struct xy_jw w;
	xy_buf_reset(b);
	xy_jw_init(&w, b);
	xy_jw_obj(&w);
	xy_jw_kstr(&w, "op", kinds[e->kind].remove_op);
	xy_jw_kstr(&w, kinds[e->kind].remove_key, e->id);
	if (kinds[e->kind].has_reason)
		xy_jw_kstr(&w, "reason", xy_pub_reason_name((enum xy_pub_reason)e->reason));
	xy_jw_obj_end(&w);
	return xy_jw_end(&w);
}

/* The state after this change set, in the caller's transaction. */
static int store_state(struct xy_pub_run *r, struct pent **rem, size_t nrem)
{
	int rc;
	if (r->snapshot && (rc = xy_store_published_clear(r->p->st)))
		return rc;
	for (size_t i = 0; i < r->cap; i++) {
		const struct pent *e = &r->tab[i];
		if (e->id && (e->flags & F_CHG) &&
		    (rc = xy_store_published_set(r->p->st, kinds[e->kind].name, e->id, e->sm3)))
			return rc;
	}
	for (size_t i = 0; i < nrem; i++)
		if ((rc = xy_store_published_del(r->p->st, kinds[rem[i]->kind].name, rem[i]->id)))
			return rc;
	return 0;
}

/* ---- the file ---- */

static int put_lines(struct xy_sfile_writer *w, const struct xy_buf *b)
{
	size_t at = 0;
	while (at < b->len) {
		const char *nl = memchr(b->p + at, '\n', b->len - at);
		size_t n = (size_t)(nl - (b->p + at));
		int rc = xy_sfile_put_raw(w, b->p + at, n);
		if (rc)
			return rc;
		at += n + 1;
	}
	return 0;
}

/* Builds the change set in memory (nothing on disk yet). */
static int build(struct xy_pub_run *r, struct xy_sfile_writer *w, const char *outbox,
		 const char *name, int64_t seq, struct pent **rem, size_t nrem)
{
	const struct xy_publisher *p = r->p;
	json_t *hdr = json_pack("{s:s, s:s}", "kind", r->snapshot ? "snapshot" : "delta",
				"platform", p->platform);
	struct xy_buf line;
	int rc;

	memset(w, 0, sizeof *w);
	if (!hdr)
		return XY_ENOMEM;
	rc = xy_sfile_begin(w, outbox, name, XY_SFILE_CHANGESET, seq, hdr, p->key);
	json_decref(hdr);
	if (rc)
		return rc;
	for (int k = 0; k < XY_PUB__KINDS && !rc; k++)
		rc = put_lines(w, &r->lines[k]);
	xy_buf_init(&line, XY_SFILE_LINE_MAX);
	for (size_t i = 0; i < nrem && !rc; i++)
		if (!(rc = removal_line(&line, rem[i])))
			rc = xy_sfile_put_raw(w, line.p, line.len);
	xy_buf_cleanup(&line);
	if (rc)
		xy_sfile_abort(w);
	return rc;
}

static int file_sm3(const char *path, uint8_t out[32])
{
	struct xy_sm3 *h = NULL;
	char buf[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW), rc;

	if (fd < 0)
		return XY_EIO;
	if ((rc = xy_sm3_new(&h))) {
		close(fd);
		return rc;
	}
	while ((n = read(fd, buf, sizeof buf)) > 0)
		xy_sm3_update(h, buf, (size_t)n);
	xy_sm3_final(h, out);
	xy_sm3_free(h);
	close(fd);
	return n < 0 ? XY_EIO : 0;
}

static void sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		if (fsync(fd))
			xy_log_error("%s: fsync: %s", dir, strerror(errno));
		close(fd);
	}
}

/* AUD-2: a change set whose record or audit event did not commit leaves. */
static void unplace(const char *outbox, const char *name)
{
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/%s", outbox, name);
	if (unlink(path) && errno != ENOENT)
		xy_log_error("%s: cannot remove the unrecorded change set: %s", path,
			     strerror(errno));
	sync_dir(outbox);
}

/* Change sets in the outbox after the last recorded one: a crash between
 * putting the file in place and committing its record.  They were never
 * audited, so they go; the next change set is a snapshot numbered after
 * them (a portal that took one sees a whole new state, one that did not
 * sees a snapshot after a gap: both may take it). */
static int recover(const char *outbox, int64_t last, int64_t *orphan)
{
	DIR *d = opendir(outbox);
	struct dirent *de;
	*orphan = 0;
	if (!d)
		return XY_EIO;
	while ((de = readdir(d))) {
		long long s = xy_sfile_name_seq(de->d_name, "cs-", ".xycs");
		if (s > last) {
			char path[PATH_MAX];
			snprintf(path, sizeof path, "%s/%s", outbox, de->d_name);
			xy_log_error("%s: change set %lld was never recorded (a crash?): removed; "
				     "the next one is a snapshot",
				     path, s);
			if (unlink(path) && errno != ENOENT) {
				closedir(d);
				return XY_EIO;
			}
			if (s > *orphan)
				*orphan = s;
		}
	}
	closedir(d);
	if (*orphan)
		sync_dir(outbox);
	return 0;
}

/* ---- audit ---- */

static int audit(const struct xy_publisher *p, const char *object, const char *result,
		 const char *reason, int in_tx)
{
	struct xy_audit_event ev = p->who;
	ev.action = "publish";
	ev.object = object;
	ev.result = result;
	ev.reason = reason;
	if (in_tx)
		return xy_audit_append(p->st, &ev) ? XY_EAUDIT : 0;
	if (xy_store_begin(p->st) || xy_audit_append(p->st, &ev) || xy_store_commit(p->st)) {
		xy_store_rollback(p->st);
		return XY_EAUDIT;
	}
	return 0;
}

static void hex(const uint8_t *d, size_t n, char *out)
{
	static const char h[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = h[d[i] >> 4];
		out[2 * i + 1] = h[d[i] & 15];
	}
	out[2 * n] = '\0';
}

static void object_of(const struct xy_publish_result *res, char *obj, size_t cap)
{
	char sm3[65];
	hex(res->sm3, sizeof res->sm3, sm3);
	snprintf(obj, cap,
		 "{\"seq\":%lld,\"kind\":\"%s\",\"file\":\"%s\",\"lines\":%ld,\"records\":%ld,"
		 "\"subjects\":%ld,\"removals\":%ld,\"bytes\":%lld,\"sm3\":\"%s\","
		 "\"recovered\":%lld}",
		 (long long)res->seq, res->snapshot ? "snapshot" : "delta", res->file, res->lines,
		 res->records, res->subjects, res->removals, res->bytes, sm3,
		 (long long)res->recovered);
}

/* ---- one publish ---- */

static int lock_publisher(const char *dir, int *fd)
{
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/locks", dir);
	if (mkdir(path, 0700) && errno != EEXIST)
		return XY_EIO;
	snprintf(path, sizeof path, "%s/locks/publish.lock", dir);
	*fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (*fd < 0)
		return XY_EIO;
	if (flock(*fd, LOCK_EX | LOCK_NB)) {
		close(*fd);
		*fd = -1;
		return XY_EBUSY;
	}
	return 0;
}

static void run_free(struct xy_pub_run *r)
{
	free(r->tab);
	arena_free(&r->ids);
	for (int k = 0; k < XY_PUB__KINDS; k++)
		xy_buf_cleanup(&r->lines[k]);
}

/* Writes, records and audits the change set r holds. */
static int commit(struct xy_pub_run *r, struct pent **rem, size_t nrem, const char *outbox,
		  struct xy_publish_result *res, char *err, size_t errlen)
{
	const struct xy_publisher *p = r->p;
	struct xy_sfile_writer w;
	struct xy_publication pub = {0};
	char path[PATH_MAX], obj[512];
	size_t bytes = 0;
	int placed = 0, rc;

	snprintf(res->file, sizeof res->file, XY_SFILE_CS_FMT, (long long)res->seq);
	snprintf(path, sizeof path, "%s/%s", outbox, res->file);
	if ((rc = build(r, &w, outbox, res->file, res->seq, rem, nrem))) {
		snprintf(err, errlen, "the change set cannot be built: %s", xy_strerror(rc));
		return rc;
	}
	if ((rc = xy_store_begin(p->st))) {
		xy_sfile_abort(&w);
		snprintf(err, errlen, "the store is busy: %s", xy_strerror(rc));
		return rc;
	}
	if ((rc = store_state(r, rem, nrem))) {
		xy_sfile_abort(&w);
		snprintf(err, errlen, "the published state cannot be stored: %s", xy_strerror(rc));
		goto fail;
	}
	if ((rc = xy_sfile_commit(&w, p->key, &bytes))) {
		snprintf(err, errlen, "%s cannot be written: %s", path, xy_strerror(rc));
		goto fail;
	}
	placed = 1;
	if ((rc = file_sm3(path, res->sm3))) {
		snprintf(err, errlen, "%s cannot be read back: %s", path, xy_strerror(rc));
		goto fail;
	}
	res->bytes = (long long)bytes;
	pub.seq = res->seq;
	snprintf(pub.kind, sizeof pub.kind, "%s", res->snapshot ? "snapshot" : "delta");
	pub.created_at = xy_now_us();
	snprintf(pub.file, sizeof pub.file, "%s", res->file);
	pub.bytes = res->bytes;
	memcpy(pub.sm3, res->sm3, sizeof pub.sm3);
	pub.lines = res->lines;
	pub.records = res->records;
	pub.removals = res->removals;
	object_of(res, obj, sizeof obj);
	if ((rc = xy_store_publication_add(p->st, &pub))) {
		snprintf(err, errlen, "the change set cannot be recorded: %s", xy_strerror(rc));
		goto fail;
	}
	if (audit(p, obj, "ok", NULL, 1) || xy_store_commit(p->st)) {
		rc = XY_EAUDIT;
		snprintf(err, errlen, "the audit event cannot be written: nothing was published");
		goto fail;
	}
	return 0;
fail:
	xy_store_rollback(p->st);
	if (placed)
		unplace(outbox, res->file);
	return rc;
}

static int produce(struct xy_pub_run *r, struct xy_publish_result *res, char *err, size_t errlen)
{
	int rc;
	for (size_t i = 0; i < sizeof producers / sizeof *producers; i++)
		if ((rc = producers[i](r))) {
			snprintf(err, errlen, "%s",
				 rc == XY_ELIMIT ? "more objects or bytes than one change set may "
						   "hold (XY_PUBLISH_OBJECTS_MAX, 1 GiB a file)"
						 : xy_strerror(rc));
			return rc;
		}
	res->records = r->nlines[XY_PUB_RECORD];
	res->subjects = r->nlines[XY_PUB_SUBJECT];
	for (int k = 0; k < XY_PUB__KINDS; k++)
		res->lines += r->nlines[k];
	return 0;
}

static int publish_locked(const struct xy_publisher *p, const struct xy_publish_opts *o,
			  struct xy_publish_result *res, char *err, size_t errlen)
{
	struct xy_pub_run r;
	struct xy_publication last;
	struct pent **rem = NULL;
	char outbox[PATH_MAX], obj[160];
	size_t nrem = 0;
	int rc;

	memset(&r, 0, sizeof r);
	r.p = p;
	r.today = o->today ? o->today : xy_today();
	for (int k = 0; k < XY_PUB__KINDS; k++)
		xy_buf_init(&r.lines[k], XY_SFILE_MAX);
	snprintf(outbox, sizeof outbox, "%s/" OUTBOX, p->dir);
	if (mkdir(outbox, 0700) && errno != EEXIST) {
		snprintf(err, errlen, "%s cannot be made: %s", outbox, strerror(errno));
		rc = XY_EIO;
		goto out;
	}
	rc = xy_store_publication_last(p->st, &last);
	if (rc && rc != XY_ENOTFOUND) {
		snprintf(err, errlen, "the last change set cannot be read: %s", xy_strerror(rc));
		goto out;
	}
	res->last = rc ? 0 : last.seq;
	if ((rc = recover(outbox, res->last, &res->recovered))) {
		snprintf(err, errlen, "%s cannot be read or cleaned: %s", outbox, xy_strerror(rc));
		goto out;
	}
	res->seq = (res->recovered > res->last ? res->recovered : res->last) + 1;
	r.snapshot = res->snapshot = o->snapshot || res->last == 0 || res->recovered;
	if (!r.snapshot && (rc = xy_store_published_each(p->st, load_one, &r))) {
		snprintf(err, errlen, "the published state cannot be read: %s", xy_strerror(rc));
		goto out;
	}
	if ((rc = produce(&r, res, err, errlen)))
		goto out;
	if ((rc = removals(&r, &rem, &nrem)))
		goto out;
	res->removals = (long)nrem;
	res->lines += (long)nrem;
	if (!r.snapshot && res->lines == 0) {
		/* Nothing changed: no file. */
		res->seq = 0;
		if (o->audit_noop) {
			snprintf(obj, sizeof obj, "{\"published\":false,\"last\":%lld}",
				 (long long)res->last);
			if ((rc = audit(p, obj, "ok", NULL, 0)))
				snprintf(err, errlen, "the audit event cannot be written");
		}
		goto out;
	}
	rc = commit(&r, rem, nrem, outbox, res, err, errlen);
out:
	free(rem);
	run_free(&r);
	return rc;
}

int xy_publish(const struct xy_publisher *p, const struct xy_publish_opts *o,
	       struct xy_publish_result *res, char *err, size_t errlen)
{
	int fd = -1, rc;

	memset(res, 0, sizeof *res);
	err[0] = '\0';
	if ((rc = lock_publisher(p->dir, &fd))) {
		snprintf(err, errlen, "%s",
			 rc == XY_EBUSY ? "another publish is running on this instance"
					: "cannot create the lock in DIR/locks");
		return rc;
	}
	rc = publish_locked(p, o, res, err, errlen);
	if (rc && rc != XY_EAUDIT) {
		/* AUD-1: a failed publish leaves its event too. */
		int arc = audit(p, NULL, "failed", xy_err_code(rc), 0);
		if (arc) {
			snprintf(err, errlen, "the audit event cannot be written");
			rc = XY_EAUDIT;
		}
	}
	if (rc)
		res->seq = 0;
	close(fd);
	return rc;
}

/* ---- the two callers ---- */

static void platform_name(const char *city, char *out, size_t cap)
{
	snprintf(out, cap, "%s" PLATFORM_SUFFIX, city);
}

int xy_publish_local(struct xy_instance *inst, const struct xy_publish_opts *o,
		     struct xy_publish_result *r, char *err, size_t errlen)
{
	struct xy_publisher p = {0};
	char platform[XY_NAME_MAX + 64];

	platform_name(inst->city_name, platform, sizeof platform);
	p.st = inst->store;
	p.sealer = inst->tagger;
	p.cat = inst->catalog;
	p.key = xy_keyring_sm2(inst->keys);
	p.dir = inst->dir;
	p.platform = platform;
	xy_audit_local(&p.who);
	return xy_publish(&p, o, r, err, errlen);
}

int xy_publish_service(struct xy_service *svc, const struct xy_publish_opts *o,
		       struct xy_publish_result *r, char *err, size_t errlen)
{
	struct xy_instance *inst = svc->inst;
	struct xy_publisher p = {0};
	struct xy_ctx cx;
	char platform[XY_NAME_MAX + 64];
	int rc = xy_ctx_init(&cx, svc, "local", "maintenance");

	if (rc) {
		snprintf(err, errlen, "%s", xy_strerror(rc));
		return rc;
	}
	platform_name(inst->city_name, platform, sizeof platform);
	p.st = cx.st;
	p.sealer = cx.sealer;
	p.cat = inst->catalog;
	p.key = xy_keyring_sm2(inst->keys);
	p.dir = inst->dir;
	p.platform = platform;
	p.who.zone = XY_ZONE_GOV;
	p.who.client = "local";
	p.who.agent = "maintenance";
	p.who.account = "system:publisher";
	rc = xy_publish(&p, o, r, err, errlen);
	/* CRY-2: a record whose tag failed stopped the publish; the alarm
	 * names it (and clears the note this thread's handle keeps). */
	if (xy_store_tamper_pending(cx.st) && xy_svc_integrity(&cx) == XY_EAUDIT)
		rc = XY_EAUDIT;
	return rc;
}
