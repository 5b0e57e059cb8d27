/* sqlite_lookup: the query benchmark's reference (bench/query.sh, issue 4).  A plain loop of
 * random point lookups on an instance's core.db, with the statements the server's
 * GET /api/v1/subjects/{code} runs (src/store/sqlite_query.c), and nothing else: no HTTP, no
 * session, no policy, no unsealing, no JSON, no audit event.
 *
 *   sqlite_lookup DB CODES SECONDS THREADS [records]
 *
 * CODES holds one subject code a line.  Each of THREADS threads opens DB read-only on its own
 * connection (cache_size as the product store sets it) and, for SECONDS, looks a random code
 * up (the subject row by code); with `records`, also reads that subject's records (every
 * column the server reads).  Prints `lookups=N seconds=S lookups_per_s=R records=M`. */
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svc/query.h"
#include "util/date.h"

#define SUBJ_SQL                                                                    \
	"SELECT id, kind = 'natural', coalesce(code, ''), coalesce(code_type, '')," \
	" coalesce(name, ''), coalesce(region, '') FROM subjects WHERE code = ?1"   \
	" AND kind = 'legal' ORDER BY id LIMIT 1"
#define REC_SQL                                                                             \
	"SELECT r.id, r.dataset, r.unit_id, r.batch_id, r.row_no, r.subject_id, r.row_sm3," \
	" r.clear, r.sealed, r.status, r.submitted_at, r.valid_until, r.display_until"      \
	" FROM records r JOIN batches b ON b.id = r.batch_id"                               \
	" WHERE r.subject_id = ?1 AND r.status = 'active' AND b.state = 'done'"             \
	" ORDER BY r.dataset, r.id LIMIT ?2"
#define REC_LIMIT (XY_QUERY_RECORDS_MAX + 64) /* what the server asks for */

struct job {
	const char *db;
	char **codes;
	long ncodes;
	int64_t until_us;
	int with_records;
	unsigned seed;
	long lookups, records, misses;
	int failed;
};

static uint64_t next_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void *run(void *arg)
{
	struct job *j = arg;
	sqlite3 *db = NULL;
	sqlite3_stmt *subj = NULL, *rec = NULL;
	uint64_t rs = j->seed;
	volatile size_t sink = 0;

	if (sqlite3_open_v2(j->db, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) !=
		    SQLITE_OK ||
	    /* two threads opening a WAL file nobody has open: one rebuilds the index */
	    sqlite3_busy_timeout(db, 10000) != SQLITE_OK ||
	    sqlite3_exec(db, "PRAGMA cache_size=-16384", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v3(db, SUBJ_SQL, -1, SQLITE_PREPARE_PERSISTENT, &subj, NULL) !=
		    SQLITE_OK ||
	    sqlite3_prepare_v3(db, REC_SQL, -1, SQLITE_PREPARE_PERSISTENT, &rec, NULL) !=
		    SQLITE_OK) {
		fprintf(stderr, "sqlite_lookup: %s: %s\n", j->db, sqlite3_errmsg(db));
		j->failed = 1;
		goto out;
	}
	while (xy_now_us() < j->until_us) {
		/* 64 lookups between clock reads. */
		for (int k = 0; k < 64; k++) {
			const char *code = j->codes[next_rand(&rs) % (uint64_t)j->ncodes];
			sqlite3_int64 id = 0;
			int rc;

			sqlite3_bind_text(subj, 1, code, -1, SQLITE_STATIC);
			rc = sqlite3_step(subj);
			if (rc == SQLITE_ROW) {
				id = sqlite3_column_int64(subj, 0);
				sink += (size_t)sqlite3_column_bytes(subj, 4);
			} else if (rc == SQLITE_DONE) {
				j->misses++;
			} else {
				fprintf(stderr, "sqlite_lookup: %s\n", sqlite3_errmsg(db));
				j->failed = 1;
				goto out;
			}
			sqlite3_reset(subj);
			j->lookups++;
			if (!j->with_records || !id)
				continue;
			sqlite3_bind_int64(rec, 1, id);
			sqlite3_bind_int(rec, 2, REC_LIMIT);
			while ((rc = sqlite3_step(rec)) == SQLITE_ROW) {
				sink += (size_t)sqlite3_column_bytes(rec, 7) +
					(size_t)sqlite3_column_bytes(rec, 8) +
					(size_t)sqlite3_column_bytes(rec, 6);
				j->records++;
			}
			sqlite3_reset(rec);
			if (rc != SQLITE_DONE) {
				fprintf(stderr, "sqlite_lookup: %s\n", sqlite3_errmsg(db));
				j->failed = 1;
				goto out;
			}
		}
	}
out:
	(void)sink;
	sqlite3_finalize(subj);
	sqlite3_finalize(rec);
	sqlite3_close(db);
	return NULL;
}

static char **load_codes(const char *path, long *n)
{
	FILE *f = fopen(path, "r");
	char **v = NULL, *line = NULL;
	size_t cap = 0, lcap = 0;
	ssize_t len;

	*n = 0;
	if (!f) {
		perror(path);
		return NULL;
	}
	while ((len = getline(&line, &lcap, f)) > 0) {
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (!len)
			continue;
		if ((size_t)*n == cap) {
			char **p = realloc(v, (cap = cap ? cap * 2 : 1024) * sizeof *v);
			if (!p)
				break;
			v = p;
		}
		if (!(v[*n] = strdup(line)))
			break;
		(*n)++;
	}
	free(line);
	fclose(f);
	return v;
}

static void free_codes(char **codes, long n)
{
	for (long k = 0; codes && k < n; k++)
		free(codes[k]);
	free(codes);
}

int main(int argc, char **argv)
{
	struct job jobs[16];
	pthread_t tids[16];
	long ncodes, seconds, threads, started = 0, lookups = 0, records = 0, misses = 0;
	char **codes;
	int64_t t0, t1;
	int with_records, failed = 0;

	if (argc < 5 || argc > 6 || (argc == 6 && strcmp(argv[5], "records") != 0)) {
		fputs("usage: sqlite_lookup DB CODES SECONDS THREADS [records]\n", stderr);
		return 2;
	}
	seconds = strtol(argv[3], NULL, 10);
	threads = strtol(argv[4], NULL, 10);
	with_records = argc == 6;
	if (seconds < 1 || seconds > 3600 || threads < 1 || threads > 16) {
		fputs("sqlite_lookup: SECONDS 1-3600, THREADS 1-16\n", stderr);
		return 2;
	}
	codes = load_codes(argv[2], &ncodes);
	if (!codes || ncodes == 0) {
		fprintf(stderr, "sqlite_lookup: no codes in %s\n", argv[2]);
		free_codes(codes, ncodes);
		return 1;
	}
	t0 = xy_now_us();
	for (; started < threads; started++) {
		jobs[started] = (struct job){.db = argv[1],
					     .codes = codes,
					     .ncodes = ncodes,
					     .until_us = t0 + seconds * 1000000,
					     .with_records = with_records,
					     .seed = (unsigned)(started + 1) * 2654435761u};
		if (pthread_create(&tids[started], NULL, run, &jobs[started])) {
			fputs("sqlite_lookup: cannot start a thread\n", stderr);
			failed = 1;
			break;
		}
	}
	for (long k = 0; k < started; k++) {
		pthread_join(tids[k], NULL);
		lookups += jobs[k].lookups;
		records += jobs[k].records;
		misses += jobs[k].misses;
		failed |= jobs[k].failed;
	}
	t1 = xy_now_us();
	free_codes(codes, ncodes);
	if (failed)
		return 1;
	printf("lookups=%ld seconds=%.3f lookups_per_s=%.0f records=%ld misses=%ld\n", lookups,
	       (double)(t1 - t0) / 1e6, t1 > t0 ? (double)lookups * 1e6 / (double)(t1 - t0) : 0.0,
	       records, misses);
	return 0;
}
