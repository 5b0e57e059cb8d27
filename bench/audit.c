/* audit: the audit benchmarks (bench/audit.sh, issue 5).
 *
 *   audit append DB EVENTS PRODUCERS [INFLIGHT]
 *                                      the product path: a fresh store at DB, the group-commit
 *                                      writer (xy_auditw_start) signing checkpoints into
 *                                      DB.cp with a fresh SM2 key (public key in DB.pub), as
 *                                      `xinyong serve` runs it, and PRODUCERS threads writing
 *                                      until EVENTS events are durable.  INFLIGHT 1 (default):
 *                                      each calls xy_auditw_write, blocking until its event is
 *                                      durable.  INFLIGHT N > 1: each hands its events over
 *                                      with xy_auditw_submit and keeps at most N of them not
 *                                      yet durable, as a server thread does whose requests
 *                                      are suspended until their event is durable (the HTTP
 *                                      server parks the connection and resumes it from the
 *                                      writer's completion); a wait is then from submit to
 *                                      the completion
 *   audit ref DB EVENTS [TXN_ROWS]     the reference: the same rows inserted by plain SQLite
 *                                      into a table of audit_events' shape, one prepared INSERT,
 *                                      one transaction (or a durable commit every TXN_ROWS
 *                                      rows), WAL, synchronous=FULL, the hash column a 32-byte
 *                                      blob (no chain, no SM3)
 *   audit verify DB                    xy_audit_verify over the store at DB: the chain, and
 *                                      with DB.cp and DB.pub present every checkpoint and its
 *                                      signature, as `xinyong audit verify` does
 *
 * DB must not exist for append and ref.  The events are read queries as the query API writes
 * them: zone government, a client address, a browser agent, an account with its real name and
 * unit, action "query", an object of ~170 bytes (dataset, subject code, record ids, count), a
 * purpose and an agreement reference.  Each prints one line of `key=value` figures:
 *
 *   append: events= seconds= events_per_s= wait_p50_us= wait_p99_us= wait_max_us=
 *   ref:    rows= seconds= rows_per_s=
 *   verify: events= seconds= events_per_s=
 *
 * append times the producers from their start to the last durable event (the writer's start
 * and stop are outside); ref from BEGIN to the end of COMMIT (durable, its checkpoint
 * included); verify the library call alone.  append also lets the writer log its
 * "N events in M commits" line on stderr when it stops. */
#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "audit/audit.h"
#include "audit/checkpoint.h"
#include "audit/writer.h"
#include "crypto/sm2.h"
#include "util/buf.h"
#include "store/store.h"
#include "util/date.h"
#include "util/err.h"
#include "util/log.h"

#define PRODUCERS_MAX 256
#define EVENTS_MAX    100000000L
#define OBJECT_MAX    320

/* One event's variable text; the rest is the same for every event of a producer. */
struct evtext {
	char client[32];
	char account[24];
	char object[OBJECT_MAX];
};

static const char *const datasets[] = {"XZCF", "XZXK"};
static const char *const real_names[] = {"王建国", "李秀英", "张伟", "刘洋", "陈静", "杨帆"};
static const char agent[] = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
			    "(KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";
static const char unit[] = "11360400MB1770537X";
static const char purpose[] = "daily_supervision";
static const char grant_ref[] = "agreement:1";

static uint64_t mix(uint64_t z)
{
	z += 0x9e3779b97f4a7c15ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Event number k (0-based): the same text for the same k on both sides of the comparison. */
static void make_event(long k, struct evtext *t, struct xy_audit_event *ev)
{
	uint64_t r = mix((uint64_t)k);
	/* Record ids as the store makes them: batch << 25 | row. */
	int64_t rec = ((int64_t)(1 + r % 40) << 25) | (int64_t)((r >> 8) % 1000000);
	int n = 0;

	snprintf(t->client, sizeof t->client, "10.1.2.%u:%u", (unsigned)(3 + (r >> 40) % 200),
		 (unsigned)(32768 + (r >> 48) % 28000));
	snprintf(t->account, sizeof t->account, "jj.czj.user%02u", (unsigned)((r >> 20) % 50));
	n = snprintf(t->object, sizeof t->object,
		     "{\"dataset\":\"%s\",\"subject\":\"91360402MA%07lluX\",\"code_type\":"
		     "\"uscc\",\"subject_id\":%llu,\"records\":[",
		     datasets[r & 1], (unsigned long long)((r >> 12) % 10000000),
		     (unsigned long long)(1 + (r >> 24) % 1000000));
	for (int i = 0; i < 5; i++)
		n += snprintf(t->object + n, sizeof t->object - (size_t)n, "%s%lld", i ? "," : "",
			      (long long)rec + i * 7919LL);
	snprintf(t->object + n, sizeof t->object - (size_t)n, "],\"count\":5,\"masked\":1}");
	*ev = (struct xy_audit_event){
		.zone = XY_ZONE_GOV,
		.client = t->client,
		.agent = agent,
		.account = t->account,
		.real_name = real_names[(r >> 32) % 6],
		.unit = unit,
		.action = "query",
		.object = t->object,
		.purpose = purpose,
		.grant_ref = grant_ref,
		.result = "ok",
	};
}

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int fresh(const char *path)
{
	struct stat sb;
	if (stat(path, &sb) == 0) {
		fprintf(stderr, "audit: %s exists: the benchmark needs a fresh file\n", path);
		return -1;
	}
	return 0;
}

/* ---- append: the group-commit writer with its producers ---- */

#define INFLIGHT_MAX 4096

struct producer {
	struct xy_auditw *w;
	long first, count; /* events first .. first + count - 1 */
	uint32_t *wait_us; /* count entries */
	int inflight_max;
	/* INFLIGHT > 1: the events handed over and not yet durable */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int inflight;
	int lost;
	int rc;
};

struct pending {
	struct producer *p;
	long k;
	int64_t t0;
};

static void *produce_blocking(struct producer *p)
{
	struct evtext t;
	struct xy_audit_event ev;

	memset(&t, 0, sizeof t);
	for (long k = 0; k < p->count; k++) {
		int64_t t0;
		make_event(p->first + k, &t, &ev);
		t0 = mono_ns();
		if ((p->rc = xy_auditw_write(p->w, &ev))) {
			fprintf(stderr, "audit: event %ld: %s\n", p->first + k, xy_strerror(p->rc));
			break;
		}
		p->wait_us[k] = (uint32_t)((mono_ns() - t0) / 1000);
	}
	return NULL;
}

/* On the writer's thread, once the event is durable (or lost). */
static void completed(void *arg, int rc)
{
	struct pending *pd = arg;
	struct producer *p = pd->p;

	p->wait_us[pd->k] = (uint32_t)((mono_ns() - pd->t0) / 1000);
	pthread_mutex_lock(&p->mu);
	if (rc)
		p->lost++;
	p->inflight--;
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

static void *produce_async(struct producer *p)
{
	struct pending *slots = calloc((size_t)p->count, sizeof *slots);
	struct evtext t;
	struct xy_audit_event ev;

	if (!slots) {
		p->rc = XY_ENOMEM;
		return NULL;
	}
	memset(&t, 0, sizeof t);
	for (long k = 0; k < p->count; k++) {
		pthread_mutex_lock(&p->mu);
		while (p->inflight >= p->inflight_max)
			pthread_cond_wait(&p->cv, &p->mu);
		p->inflight++;
		pthread_mutex_unlock(&p->mu);
		make_event(p->first + k, &t, &ev);
		slots[k] = (struct pending){.p = p, .k = k, .t0 = mono_ns()};
		if ((p->rc = xy_auditw_submit(p->w, &ev, completed, &slots[k]))) {
			fprintf(stderr, "audit: event %ld: %s\n", p->first + k, xy_strerror(p->rc));
			pthread_mutex_lock(&p->mu);
			p->inflight--;
			pthread_mutex_unlock(&p->mu);
			break;
		}
	}
	pthread_mutex_lock(&p->mu);
	while (p->inflight > 0)
		pthread_cond_wait(&p->cv, &p->mu);
	if (p->lost && !p->rc)
		p->rc = XY_EAUDIT;
	pthread_mutex_unlock(&p->mu);
	free(slots);
	return NULL;
}

static void *produce(void *arg)
{
	struct producer *p = arg;
	return p->inflight_max > 1 ? produce_async(p) : produce_blocking(p);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

/* A fresh SM2 key whose public half goes to DB.pub, and the checkpointer
 * of DB.cp with the server's defaults. */
static int checkpointer(const char *db, struct xy_sm2key **key, struct xy_auditcp **cp)
{
	const struct xy_auditcp_conf conf = {.every_events = XY_CP_EVENTS_DEF,
					     .every_seconds = XY_CP_SECONDS_DEF};
	char path[4096];
	struct xy_buf pem;
	FILE *f;
	int rc;

	xy_buf_init(&pem, 4096);
	if ((rc = xy_sm2_generate(key)) || (rc = xy_sm2_public_pem(*key, &pem)))
		goto out;
	snprintf(path, sizeof path, "%s.pub", db);
	if (!(f = fopen(path, "w")) || fwrite(pem.p, 1, pem.len, f) != pem.len) {
		rc = XY_EIO;
		if (f)
			fclose(f);
		goto out;
	}
	if (fclose(f)) {
		rc = XY_EIO;
		goto out;
	}
	snprintf(path, sizeof path, "%s.cp", db);
	rc = xy_auditcp_open(path, *key, &conf, cp);
out:
	xy_buf_cleanup(&pem);
	return rc;
}

static int append(const char *db, long events, int nprod, int inflight)
{
	struct producer prods[PRODUCERS_MAX];
	pthread_t tids[PRODUCERS_MAX];
	struct xy_store *st = NULL;
	struct xy_sm2key *key = NULL;
	struct xy_auditcp *cp = NULL;
	struct xy_auditw *w = NULL;
	uint32_t *waits = NULL;
	int started = 0, rc = 1;
	int64_t t0, t1;

	if (fresh(db))
		return 1;
	/* The schema, then the writer on its own connection as the server starts it. */
	if (xy_store_open(db, XY_STORE_CREATE, &st)) {
		fprintf(stderr, "audit: cannot create the store %s\n", db);
		return 1;
	}
	xy_store_close(st);
	if (checkpointer(db, &key, &cp)) {
		fputs("audit: cannot make the signing key and checkpoint file\n", stderr);
		goto out;
	}
	if (!(waits = calloc((size_t)events, sizeof *waits))) {
		fputs("audit: out of memory\n", stderr);
		goto out;
	}
	xy_log_set_level(XY_LOG_INFO); /* for the writer's events-in-commits line */
	if (xy_auditw_start(db, cp, &w)) {
		fputs("audit: the writer did not start\n", stderr);
		goto out;
	}
	memset(prods, 0, sizeof prods);
	t0 = mono_ns();
	for (long first = 0; started < nprod; started++) {
		long count = events / nprod + (started < events % nprod);
		struct producer *p = &prods[started];
		p->w = w;
		p->first = first;
		p->count = count;
		p->wait_us = waits + first;
		p->inflight_max = inflight;
		pthread_mutex_init(&p->mu, NULL);
		pthread_cond_init(&p->cv, NULL);
		first += count;
		if (pthread_create(&tids[started], NULL, produce, p)) {
			fputs("audit: cannot start a producer\n", stderr);
			break;
		}
	}
	rc = started == nprod ? 0 : 1;
	for (int i = 0; i < started; i++) {
		pthread_join(tids[i], NULL);
		rc |= prods[i].rc != 0;
	}
	t1 = mono_ns();
	xy_auditw_stop(w);
	/* The last checkpoint, as `xinyong serve` writes it at stop. */
	if (!xy_store_open(db, 0, &st)) {
		(void)xy_auditcp_sync(cp, st, 1);
		xy_store_close(st);
	}
	for (int i = 0; i < nprod; i++) {
		pthread_mutex_destroy(&prods[i].mu);
		pthread_cond_destroy(&prods[i].cv);
	}
	if (rc)
		goto out;
	qsort(waits, (size_t)events, sizeof *waits, cmp_u32);
	printf("events=%ld seconds=%.3f events_per_s=%.0f wait_p50_us=%u wait_p99_us=%u "
	       "wait_max_us=%u\n",
	       events, (double)(t1 - t0) / 1e9, (double)events * 1e9 / (double)(t1 - t0),
	       waits[events / 2], waits[events - 1 - events / 100], waits[events - 1]);
out:
	xy_auditcp_close(cp);
	xy_sm2_free(key);
	free(waits);
	return rc;
}

/* ---- ref: the same rows, plain SQLite, one transaction ---- */

/* audit_events' shape (src/store/sqlite.c, migration 1). */
#define REF_TABLE                                                                      \
	"CREATE TABLE audit_events(seq INTEGER PRIMARY KEY, ts INTEGER NOT NULL,"      \
	" zone TEXT NOT NULL, client TEXT, agent TEXT, account TEXT, real_name TEXT,"  \
	" unit TEXT, action TEXT NOT NULL, object TEXT, purpose TEXT, grant_ref TEXT," \
	" result TEXT NOT NULL, reason TEXT, hash BLOB NOT NULL)"
#define REF_INSERT                                                                         \
	"INSERT INTO audit_events(seq, ts, zone, client, agent, account, real_name, unit," \
	" action, object, purpose, grant_ref, result, reason, hash)"                       \
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"

static void bind_opt(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, i);
}

static int ref_rows(sqlite3 *db, sqlite3_stmt *ins, long events, long txn_rows)
{
	struct evtext t;
	struct xy_audit_event ev;
	uint8_t hash[32];

	memset(&t, 0, sizeof t);
	for (long k = 0; k < events; k++) {
		make_event(k, &t, &ev);
		for (int i = 0; i < 4; i++) {
			uint64_t h = mix((uint64_t)k * 4 + (uint64_t)i);
			memcpy(hash + 8 * i, &h, 8);
		}
		sqlite3_bind_int64(ins, 1, k + 1);
		sqlite3_bind_int64(ins, 2, xy_now_us());
		bind_opt(ins, 3, ev.zone);
		bind_opt(ins, 4, ev.client);
		bind_opt(ins, 5, ev.agent);
		bind_opt(ins, 6, ev.account);
		bind_opt(ins, 7, ev.real_name);
		bind_opt(ins, 8, ev.unit);
		bind_opt(ins, 9, ev.action);
		bind_opt(ins, 10, ev.object);
		bind_opt(ins, 11, ev.purpose);
		bind_opt(ins, 12, ev.grant_ref);
		bind_opt(ins, 13, ev.result);
		bind_opt(ins, 14, ev.reason);
		sqlite3_bind_blob(ins, 15, hash, 32, SQLITE_STATIC);
		if (sqlite3_step(ins) != SQLITE_DONE || sqlite3_reset(ins) != SQLITE_OK) {
			fprintf(stderr, "audit: ref insert: %s\n", sqlite3_errmsg(db));
			return -1;
		}
		if (txn_rows && (k + 1) % txn_rows == 0 && k + 1 < events &&
		    sqlite3_exec(db, "COMMIT; BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
			fprintf(stderr, "audit: ref commit: %s\n", sqlite3_errmsg(db));
			return -1;
		}
	}
	return 0;
}

static int ref(const char *path, long events, long txn_rows)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *ins = NULL;
	int64_t t0, t1;
	int rc = 1;

	if (fresh(path))
		return 1;
	if (sqlite3_open(path, &db) != SQLITE_OK ||
	    sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; " REF_TABLE, NULL,
			 NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v3(db, REF_INSERT, -1, SQLITE_PREPARE_PERSISTENT, &ins, NULL) !=
		    SQLITE_OK) {
		fprintf(stderr, "audit: ref %s: %s\n", path, db ? sqlite3_errmsg(db) : "open");
		goto out;
	}
	t0 = mono_ns();
	if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK ||
	    ref_rows(db, ins, events, txn_rows) ||
	    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		fprintf(stderr, "audit: ref: %s\n", sqlite3_errmsg(db));
		goto out;
	}
	t1 = mono_ns();
	printf("rows=%ld seconds=%.3f rows_per_s=%.0f\n", events, (double)(t1 - t0) / 1e9,
	       (double)events * 1e9 / (double)(t1 - t0));
	rc = 0;
out:
	sqlite3_finalize(ins);
	sqlite3_close(db);
	return rc;
}

/* ---- verify ---- */

static int verify(const char *db)
{
	struct xy_store *st = NULL;
	struct xy_sm2key *key = NULL;
	struct xy_audit_check chk;
	char path[4096], cp[4096], pem[4096];
	size_t n = 0;
	FILE *f;
	int64_t t0, t1;
	int rc;

	snprintf(path, sizeof path, "%s.pub", db);
	snprintf(cp, sizeof cp, "%s.cp", db);
	if ((f = fopen(path, "r"))) {
		n = fread(pem, 1, sizeof pem, f);
		fclose(f);
		if (xy_sm2_load_public_pem(pem, n, &key)) {
			fprintf(stderr, "audit: %s is not an SM2 public key\n", path);
			return 1;
		}
	}
	if (xy_store_open(db, 0, &st)) {
		fprintf(stderr, "audit: cannot open the store %s\n", db);
		xy_sm2_free(key);
		return 1;
	}
	t0 = mono_ns();
	rc = xy_audit_verify(st, key, key ? cp : NULL, &chk);
	t1 = mono_ns();
	xy_store_close(st);
	xy_sm2_free(key);
	if (rc) {
		fprintf(stderr, "audit: verify: %s (event %lld: %s)\n", xy_strerror(rc),
			(long long)chk.bad_seq, chk.what);
		return 1;
	}
	printf("events=%lld checkpoints_to=%lld seconds=%.3f events_per_s=%.0f\n",
	       (long long)chk.events, (long long)chk.covered_seq, (double)(t1 - t0) / 1e9,
	       (double)chk.events * 1e9 / (double)(t1 - t0));
	return 0;
}

static long number(const char *s, long min, long max)
{
	char *end;
	long v = strtol(s, &end, 10);
	return *s && !*end && v >= min && v <= max ? v : -1;
}

int main(int argc, char **argv)
{
	static const char usage[] = "usage: audit append DB EVENTS PRODUCERS [INFLIGHT]\n"
				    "       audit ref DB EVENTS [TXN_ROWS]\n"
				    "       audit verify DB\n";
	long events = argc >= 4 ? number(argv[3], 1, EVENTS_MAX) : -1;

	if ((argc == 5 || argc == 6) && strcmp(argv[1], "append") == 0) {
		long nprod = number(argv[4], 1, PRODUCERS_MAX);
		long inflight = argc == 6 ? number(argv[5], 1, INFLIGHT_MAX) : 1;
		if (events > 0 && nprod > 0 && inflight > 0)
			return append(argv[2], events, (int)nprod, (int)inflight);
	} else if ((argc == 4 || argc == 5) && strcmp(argv[1], "ref") == 0) {
		long txn_rows = argc == 5 ? number(argv[4], 1, EVENTS_MAX) : 0;
		if (events > 0 && txn_rows >= 0)
			return ref(argv[2], events, txn_rows);
	} else if (argc == 3 && strcmp(argv[1], "verify") == 0) {
		return verify(argv[2]);
	}
	fputs(usage, stderr);
	return 2;
}
