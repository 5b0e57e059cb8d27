#include "svc/ingest.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/audit.h"
#include "core/catalog.h"
#include "core/row.h"
#include "crypto/seal.h"
#include "crypto/sm.h"
#include "store/store.h"
#include "svc/instance.h"
#include "svc/record.h"
#include "util/csv.h"
#include "util/date.h"
#include "util/err.h"
#include "util/fault.h"
#include "util/ini.h"
#include "util/lines.h"
#include "util/log.h"

#define CHUNK_ROWS	 256 /* rows handed from the reader to the writer at once */
#define NCHUNKS		 (XY_IMPORT_QUEUE_ROWS / CHUNK_ROWS)
#define REPORT_LINE_MAX	 (8 * 1024)
#define JSONL_KEYS_CACHE 128
#define SUBJECT_SETS	 65536 /* subject ids cached in the writer: 65,536 sets */
#define SUBJECT_WAYS	 4     /* of 4 entries each, 10 MiB (most rows skip a lookup) */
#define SUBJECT_KEY	 32

/* ---- one row on its way from the reader to the writer ---- */

struct slot {
	long row_no;
	int rejected;	   /* the report line is in rep */
	struct xy_buf rep; /* report line of a rejected row */
	struct xy_buf clear;
	struct xy_buf sealed;
	struct xy_buf raw; /* the row as submitted, until its digest is taken */
	char code[48];
	char region[8];
	char name[XY_FIELD_VALUE_MAX + 1];
	uint8_t bidx[32];
	/* The subject's identity for the writer's cache: kind or code type,
	 * length, code or blind index; cached only when skey_ok. */
	uint8_t skey[SUBJECT_KEY];
	uint64_t shash;
	int skey_ok;
	struct xy_store_rec rec;
};

struct chunk {
	int n;
	int full; /* 1: the writer's, 0: the reader's */
	struct slot s[CHUNK_ROWS];
};

struct who {
	const char *account, *real_name, *client, *agent;
};

/* Subject identity (see struct slot) to id, set-associative: a hit moves
 * up one place in its set, a new subject enters at the top. */
struct subject_cache {
	struct {
		uint8_t key[SUBJECT_KEY];
		int64_t id;
	} e[SUBJECT_SETS][SUBJECT_WAYS];
};

struct job {
	struct xy_instance *inst;
	struct subject_cache *subjects;
	int fd;
	int lock_fd; /* this unit's import lock for the dataset, -1 when not held */
	pthread_t hash_tid;
	int hashing;	  /* the file-digest thread runs */
	int digest_known; /* the file was hashed before the rows */
	int hash_rc;
	int keyed_rkey; /* a key field may be encrypted: the record key is a keyed digest */
	struct who who;
	const struct xy_dataset *ds;
	struct xy_unit unit;
	struct xy_batch batch;
	struct xy_sealer *sealer;
	/* The writer thread's own contexts for the records' row tags (CRY-2),
	 * given to the store for the job; the store's own comes back after. */
	struct xy_sealer *tagger, *store_tagger;
	struct xy_row_opts ropts;
	int64_t now_us;
	long txn_rows;

	/* reader side */
	struct xy_textin *in;
	struct xy_csv *csv;
	struct xy_lines *lines;
	int col_field[XY_CSV_FIELDS_MAX]; /* CSV column -> field index */
	int ncols;
	struct {
		char *key;
		int field;
	} keys[JSONL_KEYS_CACHE];
	int nkeys;
	struct xy_row row;
	struct xy_row_result rres;
	char nums[XY_CATALOG_FIELDS_MAX][32]; /* JSON numbers as text, for the row being read */

	/* the hand-over between the two threads */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct chunk *chunks[NCHUNKS];
	int reader_done;
	int writer_failed; /* error code of the writer, 0 while fine */

	/* writer side */
	FILE *report;
	long accepted, rejected, rows;
	int fatal; /* the reader stopped on an error of the file */
	struct xy_ingest_result *res;
};

/* ---- report ---- */

/* Appends a CSV field, quoted when it needs to be. */
static int csv_field(struct xy_buf *b, const char *s, int last)
{
	int rc = 0;
	if (strpbrk(s, ",\"\r\n")) {
		rc = xy_buf_addc(b, '"');
		for (const char *p = s; *p && !rc; p++)
			rc = *p == '"' ? xy_buf_add(b, "\"\"", 2) : xy_buf_addc(b, *p);
		if (!rc)
			rc = xy_buf_addc(b, '"');
	} else {
		rc = xy_buf_adds(b, s);
	}
	return rc ? rc : xy_buf_addc(b, last ? '\n' : ',');
}

/* One line: row, field codes, field names, reasons (zh), reasons (en). */
static int report_line(struct xy_buf *b, long row_no, const char *codes, const char *names,
		       const char *zh, const char *en)
{
	char num[24];
	int rc;
	snprintf(num, sizeof num, "%ld", row_no);
	xy_buf_reset(b);
	if ((rc = csv_field(b, num, 0)) || (rc = csv_field(b, codes, 0)) ||
	    (rc = csv_field(b, names, 0)) || (rc = csv_field(b, zh, 0)))
		return rc;
	return csv_field(b, en, 1);
}

static int report_problems(struct job *j, struct slot *s)
{
	char codes[512] = "", names[1024] = "", zh[2048] = "", en[2048] = "";
	size_t c = 0, n = 0, z = 0, e = 0;
	const struct xy_row_result *r = &j->rres;

	for (int i = 0; i < r->nproblems; i++) {
		const struct xy_row_problem *p = &r->problem[i];
		const char *code = p->field >= 0 ? j->ds->fields[p->field].code : "";
		const char *name = p->field >= 0 ? j->ds->fields[p->field].name : "";
		const char *sep = i ? "|" : "";
		if (!strstr(codes, code) || !*code) {
			c += (size_t)snprintf(codes + c, sizeof codes - c, "%s%s", sep, code);
			n += (size_t)snprintf(names + n, sizeof names - n, "%s%s", sep, name);
		}
		z += (size_t)snprintf(zh + z, sizeof zh - z, "%s%s%s%s", i ? "；" : "", name,
				      *name ? "：" : "", p->zh);
		e += (size_t)snprintf(en + e, sizeof en - e, "%s%s%s%s", i ? "; " : "", code,
				      *code ? ": " : "", p->en);
		if (c >= sizeof codes || n >= sizeof names || z >= sizeof zh || e >= sizeof en)
			break;
	}
	if (r->nproblems_all > r->nproblems) {
		if (z < sizeof zh)
			snprintf(zh + z, sizeof zh - z, "；另有 %d 处错误",
				 r->nproblems_all - r->nproblems);
		if (e < sizeof en)
			snprintf(en + e, sizeof en - e, "; and %d more problems",
				 r->nproblems_all - r->nproblems);
	}
	s->rejected = 1;
	return report_line(&s->rep, s->row_no, codes, names, zh, en);
}

static int report_row_error(struct slot *s, const char *zh, const char *en)
{
	s->rejected = 1;
	return report_line(&s->rep, s->row_no, "", "", zh, en);
}

/* ---- building a record from a valid row ---- */

static int encrypted_here(const struct xy_field *f, int natural)
{
	return f->always_encrypt || (f->personal && natural);
}

static void subject_region(struct slot *s, const struct xy_field *f, const char *code, size_t n)
{
	s->region[0] = '\0';
	if ((f->type == XY_FT_USCC && n == 18) ||
	    ((f->type == XY_FT_REGNO || f->type == XY_FT_IDNUMBER) && n >= 15 && code[0] >= '1' &&
	     code[0] <= '9')) {
		memcpy(s->region, code + (f->type == XY_FT_USCC ? 2 : 0), 6);
		s->region[6] = '\0';
	}
}

/* Copies v[0..n) as a string into dst (cap bytes); XY_ELIMIT when it does
 * not fit.  (No snprintf: this runs for every row.) */
static int put_str(char *dst, size_t cap, const char *v, size_t n)
{
	if (n >= cap)
		return XY_ELIMIT;
	if (n)
		memcpy(dst, v, n);
	dst[n] = '\0';
	return 0;
}

/* The writer's cache key: kind (0xFF: natural person) or code type, the
 * length, then the code or the blind index (its first 30 bytes: a keyed
 * digest, so 240 bits tell subjects apart).  Longer codes go uncached. */
static void subject_cache_key(struct slot *s, uint8_t kind, const void *v, size_t n)
{
	uint64_t w[SUBJECT_KEY / 8], h = 0;

	if (n > SUBJECT_KEY - 2)
		n = kind == 0xFF ? SUBJECT_KEY - 2 : SIZE_MAX;
	s->skey_ok = n != SIZE_MAX;
	if (!s->skey_ok)
		return;
	memset(s->skey, 0, sizeof s->skey);
	s->skey[0] = kind;
	s->skey[1] = (uint8_t)n;
	memcpy(s->skey + 2, v, n);
	memcpy(w, s->skey, sizeof w);
	for (size_t i = 0; i < SUBJECT_KEY / 8; i++)
		h = (h ^ w[i]) * 0x9E3779B97F4A7C15u;
	s->shash = h ^ (h >> 29);
}

static int build_subject(struct job *j, struct slot *s)
{
	const struct xy_dataset *ds = j->ds;
	const struct xy_row *r = &j->row;
	int cf = j->rres.code_field, rc;
	const struct xy_field *f = &ds->fields[cf];

	s->rec.natural = j->rres.natural;
	if (s->rec.natural) {
		/* Documents other than the identity card are indexed with
		 * their type, so a passport number cannot meet an ID number. */
		char key[160];
		int tf = ds->subject.id_type;
		const char *type = (tf >= 0 && r->len[tf]) ? r->val[tf] : "身份证";
		size_t tl = (tf >= 0 && r->len[tf]) ? r->len[tf] : strlen("身份证");
		if (tl + 1 + r->len[cf] > sizeof key)
			return XY_ELIMIT;
		memcpy(key, type, tl);
		key[tl] = ':';
		memcpy(key + tl + 1, r->val[cf], r->len[cf]);
		xy_blind_index(j->sealer, "subject.idnum", key, tl + 1 + r->len[cf], s->bidx);
		subject_cache_key(s, 0xFF, s->bidx, sizeof s->bidx);
		s->rec.subject_bidx = s->bidx;
		s->rec.subject_code = NULL;
		s->rec.subject_name = NULL;
		s->code[0] = '\0'; /* the number itself stays sealed */
		subject_region(s, f, r->val[cf], r->len[cf]);
	} else {
		int nf = ds->subject.name;
		if ((rc = put_str(s->code, sizeof s->code, r->val[cf], r->len[cf])) ||
		    (rc = put_str(s->name, sizeof s->name, r->len[nf] ? r->val[nf] : "",
				  r->len[nf])))
			return rc;
		s->rec.subject_code = s->code;
		s->rec.subject_code_type = xy_ftype_name(f->type);
		s->rec.subject_name = s->name;
		s->rec.subject_bidx = NULL;
		subject_region(s, f, s->code, r->len[cf]);
		subject_cache_key(s, (uint8_t)f->type, s->code, r->len[cf]);
	}
	s->rec.region = s->region[0] ? s->region : NULL;
	return 0;
}

static int build_record(struct job *j, struct slot *s, const char *raw, size_t raw_len)
{
	const struct xy_dataset *ds = j->ds;
	struct xy_row *r = &j->row;
	char keybuf[4096];
	size_t kn = 0;
	uint8_t rk[32];
	int rc;

	memset(&s->rec, 0, sizeof s->rec);
	s->rec.id = XY_RECORD_ID(j->batch.id, s->row_no);
	s->rec.dataset = ds->code;
	s->rec.unit_id = j->unit.id;
	s->rec.batch_id = j->batch.id;
	s->rec.row_no = s->row_no;
	s->rec.submitted_us = j->now_us;
	s->rec.valid_until = j->rres.valid_until;
	s->rec.display_until = j->rres.display_until;
	if ((rc = build_subject(j, s)))
		return rc;
	for (int k = 0; k < ds->nkey; k++) {
		int f = ds->key[k];
		if (kn + r->len[f] + 1 > sizeof keybuf)
			return XY_ELIMIT;
		if (r->len[f])
			memcpy(keybuf + kn, r->val[f], r->len[f]);
		kn += r->len[f];
		keybuf[kn++] = '\x1f';
	}
	if (!j->keyed_rkey && kn < sizeof s->rec.rkey) {
		/* Key fields that are stored in clear anyway (a decision's
		 * document number) index as they are: no digest to compute. */
		s->rec.rkey[0] = 'P';
		memcpy(s->rec.rkey + 1, keybuf, kn);
		s->rec.rkey_len = kn + 1;
	} else {
		/* Keyed, since the key may hold sensitive values (CRY-1). */
		xy_blind_index(j->sealer, ds->code, keybuf, kn, rk);
		s->rec.rkey[0] = 'H';
		memcpy(s->rec.rkey + 1, rk, 16);
		s->rec.rkey_len = 17;
	}
	/* COL-4: the digest of the row as submitted, taken for the whole chunk
	 * at once (digest_chunk): kept until then. */
	xy_buf_reset(&s->raw);
	if ((rc = xy_buf_add(&s->raw, raw, raw_len)))
		return rc;
	xy_buf_reset(&s->clear);
	xy_buf_reset(&s->sealed);
	if ((rc = xy_buf_addc(&s->clear, '{')))
		return rc;
	for (int i = 0; i < ds->nfields && !rc; i++) {
		if (!r->len[i])
			continue;
		if (encrypted_here(&ds->fields[i], s->rec.natural))
			rc = xy_record_seal_put(&s->sealed, j->sealer, s->rec.id,
						ds->fields[i].code, r->val[i], r->len[i]);
		else
			rc = xy_record_json_put(&s->clear, ds->fields[i].code, r->val[i],
						r->len[i]);
	}
	if (rc || (rc = xy_buf_addc(&s->clear, '}')))
		return rc;
	s->rec.clear = s->clear.p;
	s->rec.clear_len = s->clear.len;
	s->rec.sealed = s->sealed.p;
	s->rec.sealed_len = s->sealed.len;
	return 0;
}

static int check_and_build(struct job *j, struct slot *s, const char *raw, size_t raw_len)
{
	int rc;

	xy_row_check(j->ds, &j->row, &j->ropts, &j->rres);
	if (j->rres.nproblems_all)
		return report_problems(j, s);
	rc = build_record(j, s, raw, raw_len);
	if (rc == XY_ELIMIT) /* this row only: the file goes on */
		return report_row_error(s, "主体代码或业务主键过长，超过存储上限",
					"the subject's code or the record key is longer than the "
					"store accepts");
	return rc;
}

/* ---- reading rows ---- */

static void clear_row(struct job *j)
{
	for (int i = 0; i < j->ds->nfields; i++) {
		j->row.val[i] = NULL;
		j->row.len[i] = 0;
	}
}

static int csv_row_to_slot(struct job *j, const struct xy_csv_row *cr, struct slot *s)
{
	char zh[160], en[160];

	s->row_no = cr->row_no;
	if (cr->err)
		return report_row_error(s, xy_row_error_zh(cr->err), xy_row_error_en(cr->err));
	if (cr->nfields != j->ncols) {
		snprintf(zh, sizeof zh, "该行有 %d 列，表头有 %d 列", cr->nfields, j->ncols);
		snprintf(en, sizeof en, "the row has %d columns, the header %d", cr->nfields,
			 j->ncols);
		return report_row_error(s, zh, en);
	}
	clear_row(j);
	for (int c = 0; c < cr->nfields; c++) {
		if (cr->len[c] > XY_FIELD_VALUE_MAX) {
			snprintf(zh, sizeof zh, "第 %d 列超过 %d 字节", c + 1, XY_FIELD_VALUE_MAX);
			snprintf(en, sizeof en, "column %d longer than %d bytes", c + 1,
				 XY_FIELD_VALUE_MAX);
			return report_row_error(s, zh, en);
		}
		j->row.val[j->col_field[c]] = cr->field[c];
		j->row.len[j->col_field[c]] = cr->len[c];
	}
	return check_and_build(j, s, cr->raw, cr->raw_len);
}

static int jsonl_field(struct job *j, const char *key)
{
	for (int i = 0; i < j->nkeys; i++)
		if (!strcmp(j->keys[i].key, key))
			return j->keys[i].field;
	int f = xy_dataset_match_header(j->ds, key, strlen(key));
	if (j->nkeys < JSONL_KEYS_CACHE) {
		j->keys[j->nkeys].key = strdup(key);
		if (j->keys[j->nkeys].key)
			j->keys[j->nkeys++].field = f;
	}
	return f;
}

/* Scalar JSON values as the text the row checker reads; kept in storage
 * that lives as long as the parsed object. */
static int jsonl_value(json_t *v, char *num, size_t cap, const char **out, size_t *n)
{
	if (json_is_string(v)) {
		*out = json_string_value(v);
		*n = json_string_length(v);
	} else if (json_is_integer(v)) {
		*n = (size_t)snprintf(num, cap, "%lld", (long long)json_integer_value(v));
		*out = num;
	} else if (json_is_real(v)) {
		*n = (size_t)snprintf(num, cap, "%.15g", json_real_value(v));
		*out = num;
	} else if (json_is_null(v)) {
		*out = NULL;
		*n = 0;
	} else {
		return XY_EPARSE;
	}
	return 0;
}

/* Bytes of s that fit in max without cutting a UTF-8 character. */
static int cut(const char *s, size_t max)
{
	size_t n = strnlen(s, max + 1);
	if (n <= max)
		return (int)n;
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	return (int)max;
}

static int jsonl_key_refused(struct slot *s, const char *key, int f)
{
	char zh[256], en[256];
	const char *term;
	int n = cut(key, 60);

	if (f == -2) {
		snprintf(zh, sizeof zh, "字段名“%.*s”可指多个字段，请用完整名称或字段代码", n, key);
		snprintf(en, sizeof en,
			 "\"%.*s\" could mean several fields; use the full name or code", n, key);
	} else if (f == -3) {
		snprintf(zh, sizeof zh, "字段“%.*s”重复出现", n, key);
		snprintf(en, sizeof en, "field \"%.*s\" is given twice", n, key);
	} else if (xy_prohibited_term(key, &term)) {
		snprintf(zh, sizeof zh, "字段“%.*s”属于禁止采集的个人信息（%s）", n, key, term);
		snprintf(en, sizeof en, "\"%.*s\" is prohibited personal data (%s, COL-3)", n, key,
			 term);
	} else {
		snprintf(zh, sizeof zh, "未知字段“%.*s”", n, key);
		snprintf(en, sizeof en, "unknown field \"%.*s\"", n, key);
	}
	return report_row_error(s, zh, en);
}

static int jsonl_row_to_slot(struct job *j, const struct xy_line *ln, struct slot *s, json_t **keep)
{
	json_error_t jerr;
	json_t *o, *v;
	const char *key;
	char zh[256], en[256];
	int k = 0;

	s->row_no = ln->row_no;
	if (ln->err)
		return report_row_error(s, xy_row_error_zh(ln->err), xy_row_error_en(ln->err));
	json_decref(*keep);
	*keep = o = json_loadb(ln->text, ln->len, JSON_REJECT_DUPLICATES, &jerr);
	if (!o || !json_is_object(o)) {
		snprintf(zh, sizeof zh, "不是 JSON 对象：%.*s", o ? 0 : cut(jerr.text, 120),
			 o ? "" : jerr.text);
		snprintf(en, sizeof en, "not a JSON object: %.*s", o ? 0 : cut(jerr.text, 120),
			 o ? "" : jerr.text);
		return report_row_error(s, zh, en);
	}
	clear_row(j);
	json_object_foreach (o, key, v) {
		int f = jsonl_field(j, key);
		if (f >= 0 && j->row.val[f])
			f = -3; /* two keys name the same field */
		if (f < 0)
			return jsonl_key_refused(s, key, f);
		if (k >= XY_CATALOG_FIELDS_MAX ||
		    jsonl_value(v, j->nums[k], sizeof j->nums[k], &j->row.val[f], &j->row.len[f])) {
			snprintf(zh, sizeof zh, "字段“%.*s”的值应为字符串或数字", cut(key, 60),
				 key);
			snprintf(en, sizeof en, "field \"%.*s\" must be a string or a number",
				 cut(key, 60), key);
			return report_row_error(s, zh, en);
		}
		if (!j->row.val[f])
			j->row.val[f] = ""; /* null: present but empty */
		if (j->row.len[f] > XY_FIELD_VALUE_MAX) {
			snprintf(zh, sizeof zh, "字段“%.*s”超过 %d 字节", cut(key, 60), key,
				 XY_FIELD_VALUE_MAX);
			snprintf(en, sizeof en, "field \"%.*s\" longer than %d bytes", cut(key, 60),
				 key, XY_FIELD_VALUE_MAX);
			return report_row_error(s, zh, en);
		}
		k++;
	}
	return check_and_build(j, s, ln->text, ln->len);
}

/* ---- the writer thread ---- */

/* The cached id of the slot's subject, or 0. */
static int64_t subject_cached(struct subject_cache *sc, const struct slot *s)
{
	if (!s->skey_ok)
		return 0;
	uint32_t set = (uint32_t)(s->shash % SUBJECT_SETS);
	for (int w = 0; w < SUBJECT_WAYS; w++) {
		if (memcmp(sc->e[set][w].key, s->skey, SUBJECT_KEY) != 0)
			continue;
		int64_t id = sc->e[set][w].id;
		if (w > 0) { /* move up one place */
			sc->e[set][w] = sc->e[set][w - 1];
			memcpy(sc->e[set][w - 1].key, s->skey, SUBJECT_KEY);
			sc->e[set][w - 1].id = id;
		}
		return id;
	}
	return 0;
}

static void subject_remember(struct subject_cache *sc, const struct slot *s, int64_t id)
{
	uint32_t set = (uint32_t)(s->shash % SUBJECT_SETS);

	memmove(&sc->e[set][1], &sc->e[set][0], (SUBJECT_WAYS - 1) * sizeof sc->e[set][0]);
	memcpy(sc->e[set][0].key, s->skey, SUBJECT_KEY);
	sc->e[set][0].id = id;
}

static int write_slot(struct job *j, struct slot *s, struct xy_buf *line)
{
	struct xy_store_dup dup;
	int64_t sid = 0;
	int rc;

	j->rows++;
	if (!s->rejected) {
		s->rec.subject_id = subject_cached(j->subjects, s);
		rc = xy_store_record_put(j->inst->store, &s->rec, &dup, &sid);
		if (rc == 0 && !s->rec.subject_id && s->skey_ok)
			subject_remember(j->subjects, s, sid);
		if (rc == 0) {
			j->accepted++;
			return 0;
		}
		if (rc != XY_EEXISTS)
			return rc;
		char zh[200], en[200];
		if (dup.batch_id == j->batch.id) {
			snprintf(zh, sizeof zh, "与本文件第 %ld 行的记录重复（同一业务主键）",
				 dup.row_no);
			snprintf(en, sizeof en,
				 "duplicate of row %ld of this file (same record key)", dup.row_no);
		} else {
			snprintf(zh, sizeof zh, "记录已存在：批次 %lld 第 %ld 行（同一业务主键）",
				 (long long)dup.batch_id, dup.row_no);
			snprintf(
				en, sizeof en,
				"record already submitted in batch %lld, row %ld (same record key)",
				(long long)dup.batch_id, dup.row_no);
		}
		if ((rc = report_line(line, s->row_no, "", "", zh, en)))
			return rc;
		s = NULL;
	}
	j->rejected++;
	const struct xy_buf *b = s ? &s->rep : line;
	return fwrite(b->p, 1, b->len, j->report) == b->len ? 0 : XY_EIO;
}

static void *writer(void *arg)
{
	struct job *j = arg;
	struct xy_buf line;
	long in_txn = 0;
	int rc = xy_store_begin(j->inst->store);

	xy_buf_init(&line, REPORT_LINE_MAX);
	for (int next = 0; !rc; next = (next + 1) % NCHUNKS) {
		struct chunk *c = j->chunks[next];
		pthread_mutex_lock(&j->mu);
		while (!c->full && !j->reader_done)
			pthread_cond_wait(&j->cv, &j->mu);
		int stop = !c->full && j->reader_done;
		pthread_mutex_unlock(&j->mu);
		if (stop)
			break;
		for (int i = 0; i < c->n && !rc; i++) {
			rc = write_slot(j, &c->s[i], &line);
			if (!rc && ++in_txn >= j->txn_rows) {
				rc = xy_store_commit(j->inst->store);
				/* Tests of recovery: the process dies with rows of
				 * a batch that is not done yet on disk. */
				if (!rc && xy_fault("import_crash"))
					_exit(70);
				if (!rc)
					rc = xy_store_begin(j->inst->store);
				in_txn = 0;
			}
		}
		pthread_mutex_lock(&j->mu);
		c->full = 0;
		c->n = 0;
		pthread_cond_broadcast(&j->cv);
		pthread_mutex_unlock(&j->mu);
	}
	if (!rc)
		rc = xy_store_commit(j->inst->store);
	if (rc)
		xy_store_rollback(j->inst->store);
	xy_buf_cleanup(&line);
	pthread_mutex_lock(&j->mu);
	j->writer_failed = rc;
	pthread_cond_broadcast(&j->cv);
	pthread_mutex_unlock(&j->mu);
	return NULL;
}

/* ---- the reader (this thread) ---- */

/* The next free chunk, waiting for the writer; NULL when it has failed. */
static struct chunk *take_chunk(struct job *j, int idx)
{
	struct chunk *c = j->chunks[idx];
	pthread_mutex_lock(&j->mu);
	while (c->full && !j->writer_failed)
		pthread_cond_wait(&j->cv, &j->mu);
	int failed = j->writer_failed;
	pthread_mutex_unlock(&j->mu);
	return failed ? NULL : c;
}

/* COL-4: every accepted row's digest, sixteen rows at a time where the
 * CPU allows (xy_sm3_many).  (The raw rows are wiped with the slots.) */
static void digest_chunk(struct chunk *c)
{
	const void *msg[CHUNK_ROWS] = {0};
	size_t len[CHUNK_ROWS] = {0};
	struct slot *who[CHUNK_ROWS];
	uint8_t digest[CHUNK_ROWS][XY_SM3_LEN];
	size_t n = 0;

	for (int i = 0; i < c->n; i++) {
		struct slot *s = &c->s[i];
		if (s->rejected)
			continue;
		msg[n] = s->raw.p;
		len[n] = s->raw.len;
		who[n++] = s;
	}
	xy_sm3_many(n, msg, len, digest);
	for (size_t i = 0; i < n; i++)
		memcpy(who[i]->rec.row_sm3, digest[i], XY_SM3_LEN);
}

static void hand_over(struct job *j, struct chunk *c)
{
	digest_chunk(c);
	pthread_mutex_lock(&j->mu);
	c->full = 1;
	pthread_cond_broadcast(&j->cv);
	pthread_mutex_unlock(&j->mu);
}

static int read_rows(struct job *j, int jsonl)
{
	struct xy_csv_row cr;
	struct xy_line ln;
	json_t *keep = NULL;
	int idx = 0, got, rc = 0;
	struct chunk *c = take_chunk(j, idx);

	while (c) {
		got = jsonl ? xy_lines_next(j->lines, &ln) : xy_csv_next(j->csv, &cr);
		if (got <= 0) {
			rc = got;
			break;
		}
		long row_no = jsonl ? ln.row_no : cr.row_no;
		if (row_no >= (1L << XY_RECORD_ROW_BITS) || j->res->rows >= XY_IMPORT_ROWS_MAX) {
			snprintf(j->res->reason, sizeof j->res->reason,
				 "the file has more than %ld rows; split it into smaller files",
				 (long)XY_IMPORT_ROWS_MAX);
			rc = XY_ELIMIT;
			break;
		}
		j->res->rows++;
		struct slot *s = &c->s[c->n];
		s->rejected = 0;
		rc = jsonl ? jsonl_row_to_slot(j, &ln, s, &keep) : csv_row_to_slot(j, &cr, s);
		if (rc)
			break;
		if (++c->n == CHUNK_ROWS) {
			hand_over(j, c);
			idx = (idx + 1) % NCHUNKS;
			c = take_chunk(j, idx);
		}
	}
	if (c && c->n && !rc)
		hand_over(j, c);
	json_decref(keep);
	return rc;
}

/* ---- header ---- */

static int map_header(struct job *j, const struct xy_csv_row *h)
{
	char *reason = j->res->reason, unknown[400] = "";
	size_t cap = sizeof j->res->reason, used = 0, un = 0;
	const char *term;
	int mapped[XY_CATALOG_FIELDS_MAX];

	if (h->err) {
		snprintf(reason, cap, "the header row is unreadable: %s", xy_row_error_en(h->err));
		return XY_EUNUSABLE;
	}
	for (int i = 0; i < j->ds->nfields; i++)
		mapped[i] = -1;
	j->ncols = h->nfields;
	for (int c = 0; c < h->nfields; c++) {
		int f = xy_dataset_match_header(j->ds, h->field[c], h->len[c]);
		if (f >= 0 && mapped[f] >= 0) {
			snprintf(reason, cap, "columns %d and %d both name field %s (%s)",
				 mapped[f] + 1, c + 1, j->ds->fields[f].code,
				 j->ds->fields[f].name);
			return XY_EUNUSABLE;
		}
		if (f == -2) {
			snprintf(reason, cap,
				 "column %d \"%.80s\" could mean several fields; use the full name "
				 "or "
				 "the field code",
				 c + 1, h->field[c]);
			return XY_EUNUSABLE;
		}
		if (f < 0 && xy_prohibited_term(h->field[c], &term)) {
			snprintf(reason, cap,
				 "column %d \"%.80s\" holds prohibited personal data (%s): its "
				 "collection is forbidden (COL-3); remove the column",
				 c + 1, h->field[c], term);
			return XY_EUNUSABLE;
		}
		if (f < 0) {
			if (un < sizeof unknown)
				un += (size_t)snprintf(unknown + un, sizeof unknown - un,
						       "%s%d \"%.60s\"", un ? ", " : "", c + 1,
						       h->field[c]);
			continue;
		}
		mapped[f] = c;
		j->col_field[c] = f;
	}
	if (un) {
		snprintf(reason, cap, "unknown columns for dataset %s: %s", j->ds->code, unknown);
		return XY_EUNUSABLE;
	}
	for (int f = 0; f < j->ds->nfields && used < cap; f++)
		if (j->ds->fields[f].required == 'Y' && mapped[f] < 0)
			used += (size_t)snprintf(reason + used, cap - used, "%s%s %s",
						 used ? ", " : "missing required columns: ",
						 j->ds->fields[f].code, j->ds->fields[f].name);
	return used ? XY_EUNUSABLE : 0;
}

/* ---- the whole import ---- */

/* The file as a whole: a regular file, not empty, within the size limit. */
static int check_file(int fd, unsigned long long *size, char *reason, size_t cap)
{
	struct stat sb;

	if (fstat(fd, &sb) || !S_ISREG(sb.st_mode)) {
		snprintf(reason, cap, "not a regular file");
		return XY_EUNUSABLE;
	}
	if ((unsigned long long)sb.st_size > XY_IMPORT_FILE_MAX) {
		snprintf(reason, cap, "the file is larger than %llu bytes; split it",
			 (unsigned long long)XY_IMPORT_FILE_MAX);
		return XY_ELIMIT;
	}
	if (sb.st_size == 0) {
		snprintf(reason, cap, "the file is empty");
		return XY_EUNUSABLE;
	}
	*size = (unsigned long long)sb.st_size;
	return 0;
}

/* The SM3 of the file's bytes exactly as received, taken on a thread of its
 * own while the rows flow (pread: the readers' file offset is untouched). */
static void *hash_file(void *arg)
{
	struct job *j = arg;
	struct xy_sm3 *h = NULL;
	char *buf = malloc(1 << 20);
	off_t at = 0;
	ssize_t n;

	j->hash_rc = buf ? xy_sm3_new(&h) : XY_ENOMEM;
	while (!j->hash_rc && (n = pread(j->fd, buf, 1 << 20, at)) != 0) {
		if (n < 0) {
			j->hash_rc = XY_EIO;
			break;
		}
		xy_sm3_update(h, buf, (size_t)n);
		at += n;
	}
	if (!j->hash_rc)
		xy_sm3_final(h, j->batch.file_sm3);
	xy_sm3_free(h);
	free(buf);
	return NULL;
}

static int join_hasher(struct job *j)
{
	if (j->hashing) {
		pthread_join(j->hash_tid, NULL);
		j->hashing = 0;
	}
	return j->hash_rc;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

static int detect_jsonl(const struct xy_ingest_opts *o)
{
	const char *dot;
	if (o->format != XY_FMT_AUTO)
		return o->format == XY_FMT_JSONL;
	dot = strrchr(base_name(o->path), '.');
	return dot && (!strcasecmp(dot, ".jsonl") || !strcasecmp(dot, ".ndjson"));
}

static int audit_import(struct job *j, const char *result, const char *reason)
{
	struct xy_audit_event ev = {0};
	char obj[1024], hex[65];

	xy_hex(j->batch.file_sm3, 32, hex);
	snprintf(obj, sizeof obj,
		 "{\"dataset\":\"%s\",\"unit\":\"%s\",\"batch\":%lld,\"file_sm3\":\"%s\","
		 "\"format\":\"%s\",\"encoding\":\"%s\",\"rows\":%ld,\"accepted\":%ld,"
		 "\"rejected\":%ld}",
		 j->ds->code, j->unit.code, (long long)j->batch.id, hex, j->batch.format,
		 j->batch.encoding, j->res->rows, j->accepted, j->rejected);
	ev.zone = XY_ZONE_GOV;
	ev.client = j->who.client;
	ev.agent = j->who.agent;
	ev.account = j->who.account;
	ev.real_name = j->who.real_name;
	ev.unit = j->unit.code;
	ev.action = "import";
	ev.object = obj;
	ev.result = result;
	ev.reason = reason;
	return xy_audit_append(j->inst->store, &ev);
}

/* A refusal is audited in its own transaction (AUD-1: every refusal). */
static void audit_refusal(struct xy_instance *inst, const struct who *w, const char *dataset,
			  const char *unit, const char *reason)
{
	struct xy_audit_event ev = {0};
	struct xy_buf obj;
	/* What the caller typed goes into the event escaped, and cut short
	 * (whole characters only): it is not trusted to be a code. */
	size_t dn = strnlen(dataset, 64), un = strnlen(unit, 64);

	while (dn > 0 && dn < strlen(dataset) && ((unsigned char)dataset[dn] & 0xC0) == 0x80)
		dn--;
	while (un > 0 && un < strlen(unit) && ((unsigned char)unit[un] & 0xC0) == 0x80)
		un--;
	xy_buf_init(&obj, 1024);
	if (xy_buf_addc(&obj, '{') || xy_record_json_put(&obj, "dataset", dataset, dn) ||
	    xy_record_json_put(&obj, "unit", unit, un) || xy_buf_addc(&obj, '}')) {
		xy_buf_reset(&obj);
		if (xy_buf_adds(&obj, "{}"))
			xy_log_error("audit: no memory for the event's object");
	}
	ev.zone = XY_ZONE_GOV;
	ev.client = w->client;
	ev.agent = w->agent;
	ev.account = w->account;
	ev.real_name = w->real_name;
	ev.unit = unit;
	ev.action = "import";
	ev.object = obj.p;
	ev.result = "refused";
	ev.reason = reason;
	if (xy_store_begin(inst->store) == 0) {
		if (xy_audit_append(inst->store, &ev) == 0 && xy_store_commit(inst->store) == 0) {
			xy_buf_cleanup(&obj);
			return;
		}
		xy_store_rollback(inst->store);
	}
	xy_buf_cleanup(&obj);
	xy_log_error("the refusal of an import could not be audited");
}

static int discard_one(void *arg, int64_t id)
{
	struct xy_instance *inst = arg;
	struct xy_audit_event ev = {0};
	char obj[96];
	long removed = 0;
	int rc;

	xy_audit_local(&ev);
	if ((rc = xy_store_begin(inst->store)) ||
	    (rc = xy_store_batch_discard(inst->store, id, &removed)))
		goto fail;
	snprintf(obj, sizeof obj, "{\"batch\":%lld,\"records_removed\":%ld}", (long long)id,
		 removed);
	ev.action = "import.abandoned";
	ev.object = obj;
	ev.result = "ok";
	ev.reason = "an import left unfinished (its process ended) was removed";
	if ((rc = xy_audit_append(inst->store, &ev)) || (rc = xy_store_commit(inst->store)))
		goto fail;
	return 0;
fail:
	xy_store_rollback(inst->store);
	return rc;
}

/* One import at a time per unit and dataset (record keys are unique per
 * unit and dataset, so imports of others cannot interfere).  The lock is
 * flock()ed: it dies with its process, so a batch still "loading" when the
 * lock is free was left by a crash and is removed now, audited. */
static int lock_unit_dataset(struct job *j)
{
	char path[PATH_MAX];
	int rc;

	snprintf(path, sizeof path, "%s/locks", j->inst->dir);
	if (mkdir(path, 0700) && errno != EEXIST)
		goto io;
	snprintf(path, sizeof path, "%s/locks/import-%s-%lld.lock", j->inst->dir, j->ds->code,
		 (long long)j->unit.id);
	j->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (j->lock_fd < 0)
		goto io;
	if (flock(j->lock_fd, LOCK_EX | LOCK_NB)) {
		if (errno != EWOULDBLOCK)
			goto io;
		snprintf(j->res->reason, sizeof j->res->reason,
			 "another import of dataset %s for unit %s is in progress; send the file "
			 "again when it has finished",
			 j->ds->code, j->unit.code);
		return XY_EBUSY;
	}
	rc = xy_store_batch_each_loading(j->inst->store, j->ds->code, j->unit.id, discard_one,
					 j->inst);
	if (rc)
		snprintf(j->res->reason, sizeof j->res->reason,
			 "an import left unfinished could not be cleaned up: %s", xy_strerror(rc));
	return rc;
io:
	snprintf(j->res->reason, sizeof j->res->reason, "%s: %s", path, strerror(errno));
	return XY_EIO;
}

static int job_alloc(struct job *j)
{
	j->subjects = calloc(1, sizeof *j->subjects);
	if (!j->subjects)
		return XY_ENOMEM;
	for (int i = 0; i < NCHUNKS; i++) {
		j->chunks[i] = calloc(1, sizeof *j->chunks[i]);
		if (!j->chunks[i])
			return XY_ENOMEM;
		for (int k = 0; k < CHUNK_ROWS; k++) {
			xy_buf_init(&j->chunks[i]->s[k].rep, REPORT_LINE_MAX);
			xy_buf_init(&j->chunks[i]->s[k].clear, XY_LINE_MAX * 2);
			xy_buf_init(&j->chunks[i]->s[k].sealed, XY_LINE_MAX * 4);
			xy_buf_init(&j->chunks[i]->s[k].raw, XY_LINE_MAX + 1);
		}
	}
	return 0;
}

static void job_free(struct job *j)
{
	for (int i = 0; i < NCHUNKS; i++) {
		if (!j->chunks[i])
			continue;
		for (int k = 0; k < CHUNK_ROWS; k++) {
			struct slot *s = &j->chunks[i]->s[k];
			xy_buf_cleanup(&s->rep);
			xy_buf_wipe(&s->clear);
			xy_buf_cleanup(&s->clear);
			xy_buf_wipe(&s->sealed);
			xy_buf_cleanup(&s->sealed);
			xy_buf_wipe(&s->raw);
			xy_buf_cleanup(&s->raw);
		}
		free(j->chunks[i]);
	}
	for (int i = 0; i < j->nkeys; i++)
		free(j->keys[i].key);
	free(j->subjects);
	/* The last row's normalised values (identity numbers) are secrets. */
	explicit_bzero(&j->row, sizeof j->row);
	xy_csv_free(j->csv);
	xy_lines_free(j->lines);
	xy_textin_free(j->in);
	xy_sealer_free(j->sealer);
	xy_sealer_free(j->tagger);
	if (j->report)
		fclose(j->report);
	if (j->lock_fd >= 0)
		close(j->lock_fd); /* releases the import lock */
	pthread_mutex_destroy(&j->mu);
	pthread_cond_destroy(&j->cv);
}

static int open_report(struct job *j)
{
	int fd;
	snprintf(j->res->report, sizeof j->res->report, "%s/reports/batch-%lld.csv", j->inst->dir,
		 (long long)j->batch.id);
	fd = open(j->res->report, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || !(j->report = fdopen(fd, "w"))) {
		if (fd >= 0)
			close(fd);
		snprintf(j->res->reason, sizeof j->res->reason, "%s: %s", j->res->report,
			 strerror(errno));
		return XY_EIO;
	}
	setvbuf(j->report, NULL, _IOFBF, 1 << 16);
	/* A BOM so that spreadsheets open the Chinese text as UTF-8. */
	fputs("\xEF\xBB\xBF行号,字段代码,字段名称,原因,reason\n", j->report);
	return 0;
}

/* Everything before the first row: dataset, unit, file, duplicate, header. */
static int prepare(struct job *j, const struct xy_ingest_opts *o, int fd, int jsonl)
{
	struct xy_ingest_result *res = j->res;
	struct xy_csv_row h;
	int rc, got;

	j->ds = xy_catalog_dataset(j->inst->catalog, o->dataset);
	if (!j->ds) {
		snprintf(res->reason, sizeof res->reason, "unknown dataset %.40s", o->dataset);
		return XY_ENOTFOUND;
	}
	for (int k = 0; k < j->ds->nkey; k++) {
		const struct xy_field *f = &j->ds->fields[j->ds->key[k]];
		j->keyed_rkey |= f->always_encrypt || f->personal;
	}
	if ((rc = xy_store_unit_by_code(j->inst->store, o->unit_code, &j->unit))) {
		snprintf(res->reason, sizeof res->reason, "unknown unit %.40s", o->unit_code);
		return rc;
	}
	rc = xy_store_unit_provides(j->inst->store, j->unit.id, j->ds->code);
	if (rc <= 0) {
		snprintf(res->reason, sizeof res->reason,
			 "unit %s (%s) does not provide dataset %s", j->unit.code, j->unit.name,
			 j->ds->code);
		return rc < 0 ? rc : XY_EDENIED;
	}
	if ((rc = lock_unit_dataset(j)))
		return rc;
	if ((rc = check_file(fd, &j->batch.file_size, res->reason, sizeof res->reason)))
		return rc;
	/* A file the size of one already imported is hashed first, so that
	 * sending the same file again is refused at once rather than after
	 * all its rows (any other file is hashed while its rows flow). */
	if ((rc = xy_store_batch_size_seen(j->inst->store, j->batch.file_size)) < 0)
		return rc;
	if (rc) {
		struct xy_batch earlier;
		hash_file(j);
		if (j->hash_rc)
			return j->hash_rc;
		j->digest_known = 1;
		if (xy_store_batch_by_digest(j->inst->store, j->batch.file_sm3, &earlier) == 0) {
			res->earlier_batch = earlier.id;
			snprintf(res->reason, sizeof res->reason,
				 "this file was already imported as batch %lld (%ld rows accepted)",
				 (long long)earlier.id, earlier.accepted);
			return XY_EDUPLICATE;
		}
	}
	if ((rc = xy_textin_open_fd(&j->in, fd, o->enc))) {
		snprintf(res->reason, sizeof res->reason,
			 "the file is in no supported encoding (UTF-8 or GB18030)");
		return rc == XY_EENCODING ? XY_EUNUSABLE : rc;
	}
	res->enc = xy_textin_encoding(j->in);
	if (jsonl)
		return xy_lines_new(&j->lines, j->in);
	if ((rc = xy_csv_new(&j->csv, j->in, ',')))
		return rc;
	got = xy_csv_next(j->csv, &h);
	if (got < 0)
		return got;
	if (got == 0) {
		snprintf(res->reason, sizeof res->reason, "the file holds no header row");
		return XY_EUNUSABLE;
	}
	return map_header(j, &h);
}

/* Makes the batch visible: done, its file digest, its audit event, in one
 * fully synchronous transaction.  On failure nothing of it is committed and
 * the caller discards the batch. */
static int finish(struct job *j)
{
	struct xy_store *st = j->inst->store;
	int rc;

	j->res->accepted = j->accepted;
	j->res->rejected = j->rejected;
	/* A file whose start is plain ASCII shows its encoding only later. */
	j->res->enc = xy_textin_encoding(j->in);
	snprintf(j->batch.encoding, sizeof j->batch.encoding, "%s", xy_encoding_name(j->res->enc));
	j->batch.rows_total = j->res->rows;
	j->batch.accepted = j->accepted;
	j->batch.rejected = j->rejected;
	snprintf(j->batch.report, sizeof j->batch.report, "%s", j->res->report);
	/* COL-2: the report is on disk before the batch it describes exists. */
	if (fflush(j->report) || fsync(fileno(j->report))) {
		snprintf(j->res->reason, sizeof j->res->reason, "writing the report: %s",
			 strerror(errno));
		return XY_EIO;
	}
	if ((rc = join_hasher(j))) {
		snprintf(j->res->reason, sizeof j->res->reason, "reading the file again: %s",
			 xy_strerror(rc));
		return rc;
	}
	if ((rc = xy_store_begin(st)))
		return rc;
	rc = xy_store_batch_finish(st, &j->batch);
	if (rc == XY_EDUPLICATE) {
		struct xy_batch earlier;
		xy_store_rollback(st);
		if (xy_store_batch_by_digest(st, j->batch.file_sm3, &earlier) == 0) {
			j->res->earlier_batch = earlier.id;
			snprintf(j->res->reason, sizeof j->res->reason,
				 "this file was already imported as batch %lld (%ld rows accepted)",
				 (long long)earlier.id, earlier.accepted);
		}
		return rc;
	}
	if (rc || (rc = audit_import(j, "ok", NULL)) || (rc = xy_store_commit(st))) {
		xy_store_rollback(st);
		if (rc == XY_EAUDIT)
			snprintf(j->res->reason, sizeof j->res->reason,
				 "the audit trail could not be written; nothing was stored");
		return rc;
	}
	return 0;
}

/* Removes a batch that will not become visible, with its rows and report.
 * The failure is audited in the same transaction; if even that event
 * cannot be written, the rows are removed all the same (AUD-2: nothing is
 * kept that the trail does not show). */
static void discard(struct job *j, int rc)
{
	struct xy_store *st = j->inst->store;
	long removed = 0;
	int done = 0;

	join_hasher(j);
	if (j->res->report[0])
		unlink(j->res->report);
	if (xy_store_bulk(st, 0))
		xy_log_error("the store could not leave bulk mode");
	if (!j->res->reason[0])
		snprintf(j->res->reason, sizeof j->res->reason, "%s", xy_strerror(rc));
	for (int with_event = 1; with_event >= 0 && !done; with_event--) {
		if (xy_store_begin(st))
			continue;
		if (xy_store_batch_discard(st, j->batch.id, &removed) == 0 &&
		    (!with_event || audit_import(j, rc == XY_EDUPLICATE ? "refused" : "failed",
						 j->res->reason) == 0) &&
		    xy_store_commit(st) == 0)
			done = 1;
		else
			xy_store_rollback(st);
	}
	if (!done)
		xy_log_error("batch %lld could not be removed after: %s (it stays invisible and is "
			     "removed by the next import of this unit's dataset)",
			     (long long)j->batch.id, j->res->reason);
}

static int run(struct job *j, const struct xy_ingest_opts *o, int jsonl)
{
	struct xy_store *st = j->inst->store;
	pthread_t tid;
	int rc, wrc;

	snprintf(j->batch.dataset, sizeof j->batch.dataset, "%s", j->ds->code);
	j->batch.unit_id = j->unit.id;
	snprintf(j->batch.account, sizeof j->batch.account, "%s", o->account ? o->account : "");
	snprintf(j->batch.file_name, sizeof j->batch.file_name, "%s",
		 o->file_name ? o->file_name : base_name(o->path));
	snprintf(j->batch.format, sizeof j->batch.format, "%s", jsonl ? "jsonl" : "csv");
	snprintf(j->batch.encoding, sizeof j->batch.encoding, "%s", xy_encoding_name(j->res->enc));
	j->batch.started_us = j->now_us;
	if ((rc = xy_store_begin(st)))
		return rc;
	if ((rc = xy_store_batch_begin(st, &j->batch)) || (rc = xy_store_commit(st))) {
		xy_store_rollback(st);
		return rc;
	}
	j->res->batch_id = j->batch.id;
	if ((rc = open_report(j)) || (rc = xy_store_bulk(st, 1)))
		goto fail;
	if (!j->digest_known) {
		if (pthread_create(&j->hash_tid, NULL, hash_file, j)) {
			rc = XY_ENOMEM;
			goto fail;
		}
		j->hashing = 1;
	}
	if (pthread_create(&tid, NULL, writer, j)) {
		rc = XY_ENOMEM;
		goto fail;
	}
	rc = read_rows(j, jsonl);
	pthread_mutex_lock(&j->mu);
	j->reader_done = 1;
	pthread_cond_broadcast(&j->cv);
	pthread_mutex_unlock(&j->mu);
	pthread_join(tid, NULL);
	wrc = j->writer_failed;
	if (!wrc)
		wrc = xy_store_bulk(st, 0);
	if (!rc && wrc)
		rc = wrc;
	if (!rc && j->res->rows == 0) {
		snprintf(j->res->reason, sizeof j->res->reason, "the file holds no data rows");
		rc = XY_EUNUSABLE;
	}
	if (!rc && (rc = finish(j)) == 0)
		return 0;
fail:
	discard(j, rc);
	return rc;
}

int xy_ingest_file(struct xy_instance *inst, const struct xy_ingest_opts *o,
		   struct xy_ingest_result *res)
{
	struct job *j = calloc(1, sizeof *j);
	struct who w = {o->account, o->real_name, o->client, o->agent};
	int fd = -1, rc, jsonl = detect_jsonl(o);
	long txn;

	memset(res, 0, sizeof *res);
	if (!j)
		return XY_ENOMEM;
	pthread_mutex_init(&j->mu, NULL);
	pthread_cond_init(&j->cv, NULL);
	j->inst = inst;
	j->lock_fd = -1;
	j->who = w;
	j->res = res;
	j->now_us = xy_now_us();
	j->ropts.today = xy_today();
	j->ropts.code_allowed = xy_instance_code_allowed;
	j->ropts.arg = inst;
	if ((rc = xy_ini_get_long(inst->config, "import", "txn_rows", XY_IMPORT_TXN_ROWS, 1,
				  XY_IMPORT_TXN_ROWS * 4, &txn)))
		goto out;
	j->txn_rows = txn;
	if ((rc = xy_sealer_new(&j->sealer, inst->keys)) ||
	    (rc = xy_sealer_new(&j->tagger, inst->keys)))
		goto out;
	j->store_tagger = xy_store_set_tagger(inst->store, j->tagger);
	if ((rc = job_alloc(j)))
		goto out;
	fd = open(o->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(res->reason, sizeof res->reason, "%s: %s", o->path, strerror(errno));
		audit_refusal(inst, &w, o->dataset, o->unit_code, res->reason);
		rc = XY_EIO;
		goto out;
	}
	j->fd = fd;
	if ((rc = prepare(j, o, fd, jsonl))) {
		if (!res->reason[0])
			snprintf(res->reason, sizeof res->reason, "%s", xy_strerror(rc));
		audit_refusal(inst, &w, o->dataset, o->unit_code, res->reason);
		goto out;
	}
	rc = run(j, o, jsonl);
out:
	if (fd >= 0)
		close(fd);
	if (j->tagger)
		xy_store_set_tagger(inst->store, j->store_tagger);
	job_free(j);
	free(j);
	return rc;
}
