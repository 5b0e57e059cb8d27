/* Exports (SHR-7, TJ art.18-19; an extraction request of CHG-2): a query
 * result taken away as a file needs an approved extraction request, and
 * the file says who took it in a header row and in every line's watermark
 * column, so that a leaked copy can be traced to its extraction.
 *
 * The path, on the request core of authorise.h: the account that will use
 * the data asks (kind "extraction": the query — a dataset, optionally one
 * providing unit, or one subject —, the purpose, CSV or JSON Lines, and
 * why); a credit administrator over its unit approves or rejects, never on
 * their own request (SOD-4); the requester then downloads the file once.
 * The file is made at that moment, as the requester's query under the
 * stated purpose, record by record through the policy decision and masked
 * like any answer; its download, row count, size and SM3 are audited, and
 * a second download is refused.  The Approvals issue moves this onto the
 * general engine. */
#ifndef XY_SVC_EXPORT_H
#define XY_SVC_EXPORT_H

#include "store/store.h"
#include "svc/service.h"
#include "util/buf.h"

#define XY_EXPORT_ROWS_MAX  100000	       /* records in one file */
#define XY_EXPORT_BYTES_MAX (64 * 1024 * 1024) /* bytes of one file */

struct xy_export_req {
	const char *dataset; /* a dataset's records … */
	const char *unit;    /* … of one providing unit (NULL: all) */
	const char *subject; /* or one subject's records (a code or identity number) */
	const char *purpose;
	const char *format; /* "csv" or "jsonl" */
	const char *reason; /* why the data must leave the platform */
};

/* XY_EINVAL with *why naming the field; XY_EDENIED (audited). */
int xy_export_submit(struct xy_ctx *cx, const struct xy_export_req *in, int64_t *id,
		     const char **why);

struct xy_export_view {
	const struct xy_request *r;
	const char *requester, *requester_unit, *decided_by;
	const char *dataset, *unit, *subject, *purpose, *format; /* from the payload */
	const struct xy_export_done *done;			 /* NULL: not downloaded */
};

/* XY_ENOTFOUND for an unknown export and one the caller may not read. */
int xy_export_get(struct xy_ctx *cx, int64_t id,
		  int (*fn)(void *arg, const struct xy_export_view *v), void *arg);
/* Exports the caller may read, newest first before before_id. */
int xy_export_list(struct xy_ctx *cx, const char *state, int64_t before_id, int limit,
		   int (*fn)(void *arg, const struct xy_export_view *v), void *arg, int64_t *next,
		   const char **why);
/* Approve (note optional) or reject (note required); XY_ECONFLICT
 * "not_pending" when already decided. */
int xy_export_decide(struct xy_ctx *cx, int64_t id, int approve, const char *note,
		     const char **why);
/* Makes the file into out (*ctype its media type, name a file name) and
 * records its one download.  XY_ECONFLICT with *why "not_approved" or
 * "already_downloaded"; XY_ELIMIT "too_large" past the limits above; the
 * query's own refusals as xy_query_* give them. */
int xy_export_download(struct xy_ctx *cx, int64_t id, struct xy_buf *out, const char **ctype,
		       char *name, size_t namecap, long *rows, const char **why);

#endif
