/* Batches over the API: see batch.h. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/catalog.h"
#include "svc/batch.h"
#include "svc/instance.h"
#include "svc/query.h"
#include "util/date.h"
#include "util/err.h"
#include "util/log.h"

/* A dataset code as typed, when it is one a catalog could hold (letters,
 * digits, '_' and '-'): only such a code goes into the event unescaped. */
static int plain_code(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > XY_CODE_MAX)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-')
			return 0;
	return 1;
}

int xy_batch_authorize(struct xy_ctx *cx, const char *dataset, const char **why)
{
	struct xy_resource r = {0};
	struct xy_decision d;
	char obj[96];
	int rc;

	if (plain_code(dataset))
		snprintf(obj, sizeof obj, "{\"dataset\":\"%s\"}", dataset);
	else
		snprintf(obj, sizeof obj, "{\"dataset\":null}");
	if (!plain_code(dataset) || !xy_catalog_dataset(cx->svc->inst->catalog, dataset)) {
		/* AUD-1: refused before the upload, and audited like the others */
		*why = "no_such_dataset";
		rc = xy_svc_audit(cx, "batch.upload", obj, "refused", *why);
		return rc ? rc : XY_ENOTFOUND;
	}
	r.unit_id = cx->who.unit_id;
	r.region = cx->who.region;
	r.level = cx->who.level;
	r.role = -1;
	rc = xy_store_unit_provides(cx->st, cx->who.unit_id, dataset);
	if (rc < 0) {
		int arc = xy_svc_audit(cx, "batch.upload", obj, "failed", xy_err_code(rc));
		return arc ? arc : rc;
	}
	r.provides = rc;
	xy_policy_decide(&cx->actor, XY_ACT_BATCH_UPLOAD, &r, xy_now_us(), &d);
	if (!d.allow) {
		*why = d.reason;
		rc = xy_svc_audit(cx, "batch.upload", obj, "refused", d.reason);
		return rc ? rc : XY_EDENIED;
	}
	return 0;
}

int xy_batch_spool_dir(struct xy_ctx *cx, char *out, size_t cap)
{
	if ((size_t)snprintf(out, cap, "%s/uploads", cx->svc->inst->dir) >= cap)
		return XY_ELIMIT;
	if (mkdir(out, 0700) && errno != EEXIST)
		return XY_EIO;
	return 0;
}

int xy_batch_submit(struct xy_ctx *cx, const char *dataset, const char *path, const char *file_name,
		    enum xy_encoding enc, enum xy_ingest_format fmt, struct xy_ingest_result *res)
{
	/* The importer runs on its own connection: a view of the instance that
	 * shares the read-only parts (keys, catalog, configuration). */
	struct xy_instance view = *cx->svc->inst;
	struct xy_ingest_opts o = {0};
	int rc;

	memset(res, 0, sizeof *res);
	if ((rc = xy_store_open(cx->svc->db_path, 0, &view.store)))
		return rc;
	view.tagger = NULL; /* the importer brings its own (CRY-2) */
	o.dataset = dataset;
	o.unit_code = cx->who.unit_code;
	o.path = path;
	o.file_name = file_name;
	o.enc = enc;
	o.format = fmt;
	o.account = cx->who.account;
	o.real_name = cx->who.real_name;
	o.client = cx->client;
	o.agent = cx->agent;
	rc = xy_ingest_file(&view, &o, res);
	xy_store_close(view.store);
	if (rc == 0 && res->accepted) {
		/* New subjects become searchable by name now rather than at the
		 * maintenance thread's next turn; a failure here only delays that. */
		long n;
		int irc = xy_query_index_names(cx->svc, &n);
		if (irc)
			xy_log_warn("name index after batch %lld: %s", (long long)res->batch_id,
				    xy_strerror(irc));
	}
	return rc;
}
