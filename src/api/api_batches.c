/* POST /api/v1/datasets/{code}/batches: a provider operator submits a
 * file (CSV or JSON Lines) for their unit (COL-2, `import --server`). */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "api/api.h"
#include "svc/batch.h"
#include "util/err.h"
#include "util/utf8.h"

#define REPORT_INLINE_MAX (8 * 1024 * 1024) /* rejected-row report returned inline */

static int report_text(const char *path, json_t **out)
{
	char buf[65536];
	struct xy_buf b;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC), truncated = 0;
	*out = NULL;
	if (fd < 0)
		return 0;
	xy_buf_init(&b, REPORT_INLINE_MAX);
	while ((n = read(fd, buf, sizeof buf)) > 0)
		if (xy_buf_add(&b, buf, (size_t)n)) {
			truncated = 1;
			break;
		}
	close(fd);
	if (!truncated && b.p && xy_utf8_valid(b.p, b.len))
		*out = json_stringn(b.p, b.len);
	xy_buf_cleanup(&b);
	return truncated;
}

void xy_api_batches_create(struct xy_api_req *ar)
{
	const struct xy_target *t = &ar->rq->target;
	const char *name = xy_http_query(t, "file_name");
	const char *enc_s = xy_http_query(t, "encoding");
	const char *fmt_s = xy_http_query(t, "format");
	enum xy_encoding enc = XY_ENC_AUTO;
	enum xy_ingest_format fmt = XY_FMT_AUTO;
	struct xy_ingest_result res;
	json_t *report = NULL;
	int rc, truncated = 0;
	char msg[700];

	if (ar->rq->upload_len == 0) {
		xy_api_error(ar, 422, "unusable_file", "the file is empty");
		return;
	}
	if (name && (!*name || strlen(name) > 200 || strchr(name, '/'))) {
		xy_api_error(ar, 400, "bad_request", "file_name: 1-200 bytes, no '/'");
		return;
	}
	if (enc_s && xy_encoding_parse(enc_s, &enc)) {
		xy_api_error(ar, 400, "bad_request", "encoding: auto, utf-8 or gb18030");
		return;
	}
	if (fmt_s) {
		if (!strcmp(fmt_s, "csv"))
			fmt = XY_FMT_CSV;
		else if (!strcmp(fmt_s, "jsonl"))
			fmt = XY_FMT_JSONL;
		else if (strcmp(fmt_s, "auto") != 0) {
			xy_api_error(ar, 400, "bad_request", "format: auto, csv or jsonl");
			return;
		}
	}
	rc = xy_batch_submit(&ar->cx, ar->param[0], ar->upload_path, name ? name : "upload", enc,
			     fmt, &res);
	if (rc == XY_EUNUSABLE || rc == XY_ENOTFOUND) {
		xy_api_error(ar, 422, "unusable_file", res.reason[0] ? res.reason : "unusable");
		return;
	}
	if (rc == XY_EDUPLICATE) {
		snprintf(msg, sizeof msg, "this file was already imported as batch %lld",
			 (long long)res.earlier_batch);
		xy_api_error(ar, 409, "duplicate_batch", msg);
		return;
	}
	if (rc) {
		xy_api_fail(ar, rc, res.reason[0] ? res.reason : NULL);
		return;
	}
	if (res.rejected)
		truncated = report_text(res.report, &report);
	xy_api_reply(ar, 201,
		     json_pack("{s:I,s:s,s:I,s:I,s:I,s:s,s:o,s:b}", "batch",
			       (json_int_t)res.batch_id, "dataset", ar->param[0], "rows",
			       (json_int_t)res.rows, "accepted", (json_int_t)res.accepted,
			       "rejected", (json_int_t)res.rejected, "encoding",
			       xy_encoding_name(res.enc), "report_csv",
			       report ? report : json_null(), "report_truncated", truncated));
}
