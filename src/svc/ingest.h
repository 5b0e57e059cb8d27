/* Import of a providing unit's file into a dataset (COL-2, COL-4, COL-5,
 * CRY-1, AUD-1, AUD-2).
 *
 * The file is read as a stream (memory does not grow with it): one thread
 * reads, validates and seals rows, another writes them in batched
 * transactions.  Valid rows are stored; every rejected row gets a line in a
 * CSV report (row number, field, reason in Chinese and English).  The same
 * file (by SM3 digest) is never imported twice.  The batch becomes visible
 * only when its audit event commits with it; if that event cannot be
 * written, the batch's rows are removed again and nothing is stored. */
#ifndef XY_SVC_INGEST_H
#define XY_SVC_INGEST_H

#include <limits.h>
#include <stdint.h>

#include "util/textin.h"

struct xy_instance;

enum xy_ingest_format { XY_FMT_AUTO, XY_FMT_CSV, XY_FMT_JSONL };

struct xy_ingest_opts {
	const char *dataset;
	const char *unit_code;
	const char *path;      /* a regular file */
	const char *file_name; /* name to record; NULL: the path's last part */
	enum xy_encoding enc;  /* XY_ENC_AUTO detects */
	enum xy_ingest_format format;
	/* Who submits (batch and audit event). */
	const char *account;
	const char *real_name;
	const char *client;
	const char *agent;
};

struct xy_ingest_result {
	int64_t batch_id;
	long rows; /* data rows read */
	long accepted;
	long rejected;
	char report[PATH_MAX];
	char reason[512];      /* why the file as a whole was refused */
	int64_t earlier_batch; /* with XY_EDUPLICATE */
	enum xy_encoding enc;
};

/* 0 when the batch is stored (res->rejected may be > 0).  Otherwise nothing
 * is stored and res->reason says why: XY_EUNUSABLE (the file as a whole),
 * XY_EDUPLICATE (already imported: res->earlier_batch), XY_ENOTFOUND
 * (unknown dataset or unit), XY_EDENIED (the unit does not provide the
 * dataset), XY_ELIMIT, XY_EAUDIT, XY_EIO … */
__attribute__((warn_unused_result)) int xy_ingest_file(struct xy_instance *inst,
						       const struct xy_ingest_opts *o,
						       struct xy_ingest_result *res);

#endif
