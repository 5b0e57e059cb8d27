/* A stored record as a viewer sees it: see recview.h. */
#include "svc/recview.h"

#include <jansson.h>
#include <string.h>

#include "core/mask.h"
#include "crypto/seal.h"
#include "svc/record.h"
#include "util/err.h"
#include "util/log.h"

#define VALUES_MAX (XY_CATALOG_FIELDS_MAX * (XY_FIELD_VALUE_MAX + 8))

void xy_recview_init(struct xy_recview *rv, struct xy_sealer *sealer)
{
	memset(rv, 0, sizeof *rv);
	rv->sealer = sealer;
	xy_buf_init(&rv->vals, VALUES_MAX);
	xy_buf_init(&rv->plain, XY_SEAL_PLAIN_MAX);
}

void xy_recview_cleanup(struct xy_recview *rv)
{
	xy_buf_wipe(&rv->vals);
	xy_buf_cleanup(&rv->vals);
	xy_buf_wipe(&rv->plain);
	xy_buf_cleanup(&rv->plain);
}

/* SHR-4: a field is masked unless the viewer may see it in clear, when it
 * has a mask rule and holds sensitive data here (a personal field is
 * sensitive on a natural person's row, where it is stored sealed). */
static int needs_mask(const struct xy_recview *rv, const struct xy_field *f, int sealed)
{
	return !rv->clear && f->mask.kind != XY_MASK_NONE &&
	       (f->sensitive || (f->personal && sealed));
}

/* NET-1: what a change set may never carry, decided before the value is
 * opened. */
static int kept_from_public(const struct xy_recview *rv, const struct xy_field *f, int sealed)
{
	if (!(rv->flags & XY_RECVIEW_PUBLIC))
		return 0;
	return !f->publish || (sealed && f->mask.kind == XY_MASK_NONE) ||
	       (needs_mask(rv, f, sealed) && f->mask.kind == XY_MASK_NULL);
}

static void mask_hash(void *arg, const char *v, size_t n, char out[17])
{
	struct xy_recview *rv = arg;
	static const char hex[] = "0123456789abcdef";
	uint8_t d[32];
	xy_blind_index(rv->sealer, "mask.hash", v, n, d);
	for (int i = 0; i < 8; i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	out[16] = '\0';
}

/* Puts field i's value (clear text v) into vals, masked when it must be. */
static int put_value(struct xy_recview *rv, int i, const char *v, size_t n, int sealed)
{
	const struct xy_field *f = &rv->ds->fields[i];
	size_t at = rv->vals.len;
	int is_null = 0, rc;
	if (!needs_mask(rv, f, sealed)) {
		rc = xy_buf_add(&rv->vals, v, n);
		rv->state[i] = 1;
	} else {
		rc = xy_mask_apply(&f->mask, v, n, mask_hash, rv, &rv->vals, &is_null);
		rv->state[i] = is_null ? 3 : 2;
	}
	if (rc)
		return rc;
	if (is_null && (rv->flags & XY_RECVIEW_PUBLIC))
		rv->state[i] = 0;
	rv->off[i] = at;
	rv->len[i] = rv->vals.len - at;
	return 0;
}

static int put_sealed(void *arg, const char *code, const void *v, size_t len)
{
	struct xy_recview *rv = arg;
	int i = xy_dataset_field(rv->ds, code), rc;
	if (i < 0)
		return 0; /* a field the catalog no longer has */
	if (kept_from_public(rv, &rv->ds->fields[i], 1))
		return 0; /* never opened */
	if (needs_mask(rv, &rv->ds->fields[i], 1) && rv->ds->fields[i].mask.kind == XY_MASK_NULL) {
		rv->state[i] = 3; /* nothing to show: no need to open it */
		return 0;
	}
	xy_buf_reset(&rv->plain);
	rc = xy_unseal(rv->sealer, XY_RECORD_TABLE, code, rv->rec_id, v, len, &rv->plain);
	if (rc) {
		xy_log_error("record %lld field %s cannot be opened: %s", (long long)rv->rec_id,
			     code, xy_strerror(rc));
		return rc == XY_ELIMIT ? XY_ETAMPER : rc;
	}
	rc = put_value(rv, i, rv->plain.p, rv->plain.len, 1);
	xy_buf_wipe(&rv->plain);
	return rc;
}

int xy_recview_build(struct xy_recview *rv, const struct xy_dataset *ds,
		     const struct xy_store_rec_view *v, int clear, int flags,
		     const struct xy_qfield **fields, int *n)
{
	json_t *cj;
	json_error_t jerr;
	int rc = 0, k = 0;

	*fields = rv->fields;
	*n = 0;
	rv->ds = ds;
	rv->rec_id = v->id;
	rv->clear = (flags & XY_RECVIEW_PUBLIC) ? 0 : clear;
	rv->flags = flags;
	xy_buf_wipe(&rv->vals);
	xy_buf_reset(&rv->vals);
	memset(rv->state, 0, sizeof rv->state);
	cj = json_loadb(v->clear ? v->clear : "{}", v->clear ? v->clear_len : 2, 0, &jerr);
	if (!json_is_object(cj)) {
		json_decref(cj);
		xy_log_error("record %lld: stored values are not a JSON object", (long long)v->id);
		return XY_ETAMPER;
	}
	for (int i = 0; i < ds->nfields && !rc; i++) {
		json_t *jv = json_object_get(cj, ds->fields[i].code);
		if (json_is_string(jv) && !kept_from_public(rv, &ds->fields[i], 0))
			rc = put_value(rv, i, json_string_value(jv), json_string_length(jv), 0);
	}
	json_decref(cj);
	if (!rc && v->sealed_len)
		rc = xy_record_sealed_each(v->sealed, v->sealed_len, put_sealed, rv);
	if (rc)
		return rc;
	for (int i = 0; i < ds->nfields; i++) {
		struct xy_qfield *f = &rv->fields[k];
		if (!rv->state[i])
			continue;
		f->f = &ds->fields[i];
		f->masked = rv->state[i] >= 2;
		f->v = rv->state[i] == 3 ? NULL : rv->vals.p + rv->off[i];
		f->n = rv->state[i] == 3 ? 0 : rv->len[i];
		k++;
	}
	*n = k;
	return 0;
}
