/* Batches submitted over the API by a provider operator (COL-2 through
 * `xinyong import --server`): the same validation, sealing, report and
 * audit as the exchange-file mode, on the uploaded file. */
#ifndef XY_SVC_BATCH_H
#define XY_SVC_BATCH_H

#include "svc/ingest.h"
#include "svc/service.h"

/* Before the body is read: may this signed-in person submit to dataset?
 * 0, XY_ENOTFOUND (no such dataset), XY_EDENIED (*why), XY_EAUDIT. */
int xy_batch_authorize(struct xy_ctx *cx, const char *dataset, const char **why);

/* Imports the uploaded file at path for the person's unit.  Results and
 * errors as xy_ingest_file. */
int xy_batch_submit(struct xy_ctx *cx, const char *dataset, const char *path, const char *file_name,
		    enum xy_encoding enc, enum xy_ingest_format fmt, struct xy_ingest_result *res);

/* The directory where uploads are spooled (DIR/uploads, 0700). */
int xy_batch_spool_dir(struct xy_ctx *cx, char *out, size_t cap);

#endif
