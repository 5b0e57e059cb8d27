/* Change-set line checks: see csline.h.  Each op is a table of its keys; a key's kind
 * says how its value is checked and where it goes in struct xy_csline. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ferry/csline.h"
#include "ferry/csline_int.h"
#include "util/date.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/utf8.h"

#define OFF(m) offsetof(struct xy_csline, m)

static const char *const subject_kinds[] = {"legal", "natural", NULL};
static const char *const remove_reasons[] = {"display_ended", "repaired",  "revoked",
					     "corrected",     "withdrawn", NULL};
static const char *const section_kinds[] = {"notice", "policy", NULL};
static const char *const ticket_kinds[] = {"objection", "repair", NULL};
static const char *const ticket_status[] = {"received",	 "accepted", "refused", "verifying",
					    "corrected", "upheld",   "revoked", "approved",
					    "rejected",	 "closed",   NULL};

static const struct xy_cs_key subject_keys[] = {
	{"op", K_OP, 0, 0, NULL},
	{"code", K_CODE, OFF(code), XY_CS_CODE_MAX, NULL},
	{"kind", K_ENUM, OFF(kind), 0, subject_kinds},
	{"name", K_TEXT, OFF(name), XY_CS_TEXT_MAX, NULL},
	{"region", K_CODE, OFF(region), XY_CS_CODE_MAX, NULL},
	{"region_name", K_TEXT, OFF(region_name), XY_CS_TEXT_MAX, NULL},
	{NULL, K_OP, 0, 0, NULL},
};
static const struct xy_cs_key record_keys[] = {
	{"op", K_OP, 0, 0, NULL},
	{"id", K_ID, OFF(id), 0, NULL},
	{"dataset", K_CODE, OFF(dataset), XY_CS_CODE_MAX, NULL},
	{"subject", K_CODE, OFF(subject), XY_CS_CODE_MAX, NULL},
	{"unit", K_TEXT, OFF(unit), XY_CS_TEXT_MAX, NULL},
	{"unit_code", K_CODE, OFF(unit_code), XY_CS_CODE_MAX, NULL},
	{"date", K_DATE, OFF(date), 0, NULL},
	{"valid_until", K_DATE_NULL, OFF(valid_until), 0, NULL},
	{"display_until", K_DATE_NULL, OFF(display_until), 0, NULL},
	{"objection", K_BOOL, OFF(objection), 0, NULL},
	{"fields", K_FIELDS, 0, 0, NULL},
	{"masked", K_MASKED, 0, 0, NULL},
	{NULL, K_OP, 0, 0, NULL},
};
static const struct xy_cs_key remove_keys[] = {
	{"op", K_OP, 0, 0, NULL},
	{"id", K_ID, OFF(id), 0, NULL},
	{"reason", K_ENUM, OFF(reason), 0, remove_reasons},
	{NULL, K_OP, 0, 0, NULL},
};
static const struct xy_cs_key subject_remove_keys[] = {
	{"op", K_OP, 0, 0, NULL},
	{"code", K_CODE, OFF(code), XY_CS_CODE_MAX, NULL},
	{NULL, K_OP, 0, 0, NULL},
};
static const struct xy_cs_key section_keys[] = {
	{"op", K_OP, 0, 0, NULL},
	{"id", K_CODE, OFF(sid), XY_SECTION_ID_MAX, NULL},
	{"kind", K_ENUM, OFF(kind), 0, section_kinds},
	{"title", K_TEXT, OFF(title), XY_SECTION_TITLE_MAX, NULL},
	{"body", K_TEXT, OFF(body), XY_CS_BODY_MAX, NULL},
	{"unit", K_TEXT, OFF(unit), XY_CS_TEXT_MAX, NULL},
	{"updated", K_DATE, OFF(updated), 0, NULL},
	{"period_days", K_PERIOD, OFF(period_days), 0, NULL},
	{NULL, K_OP, 0, 0, NULL},
};
static const struct xy_cs_key section_remove_keys[] = {
	{"op", K_OP, 0, 0, NULL},
	{"id", K_CODE, OFF(sid), XY_SECTION_ID_MAX, NULL},
	{NULL, K_OP, 0, 0, NULL},
};
static const struct xy_cs_key ticket_keys[] = {
	{"op", K_OP, 0, 0, NULL},
	{"ticket", K_CODE, OFF(ticket), XY_CS_CODE_MAX, NULL},
	{"check", K_HEX64, OFF(check), 0, NULL},
	{"kind", K_ENUM, OFF(kind), 0, ticket_kinds},
	{"status", K_ENUM, OFF(status), 0, ticket_status},
	{"updated", K_TIME, OFF(updated), 0, NULL},
	{"reply", K_TEXT_NULL, OFF(reply), XY_CS_REPLY_MAX, NULL},
	{NULL, K_OP, 0, 0, NULL},
};

const struct xy_cs_opdef xy_cs_ops[XY_CS_NOPS] = {
	{"subject", XY_CS_SUBJECT, subject_keys},
	{"record", XY_CS_RECORD, record_keys},
	{"remove", XY_CS_REMOVE, remove_keys},
	{"subject_remove", XY_CS_SUBJECT_REMOVE, subject_remove_keys},
	{"section", XY_CS_SECTION, section_keys},
	{"section_remove", XY_CS_SECTION_REMOVE, section_remove_keys},
	{"ticket", XY_CS_TICKET, ticket_keys},
};

int xy_cs_is_date(const char *s)
{
	int32_t d;
	return s && strlen(s) == 10 && s[4] == '-' && s[7] == '-' && xy_date_parse(s, 10, &d) == 0;
}

int xy_cs_is_time(const char *s)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
	if (!s || strlen(s) != sizeof shape - 1)
		return 0;
	for (size_t i = 0; shape[i]; i++)
		if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != shape[i])
			return 0;
	if (!xy_cs_is_date((char[11]){s[0], s[1], s[2], s[3], '-', s[5], s[6], '-', s[8], s[9], 0}))
		return 0;
	return xy_two_digits(s + 11) < 24 && xy_two_digits(s + 14) < 60 &&
	       xy_two_digits(s + 17) < 61;
}

int xy_cs_is_code(const char *s, size_t n, size_t max)
{
	if (n == 0 || n > max)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      c == '_' || c == '-' || c == '.'))
			return 0;
	}
	return 1;
}

int xy_cs_is_hex64(const char *s)
{
	if (!s || strlen(s) != 64)
		return 0;
	for (int i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

/* Text from outside: no control characters but \n and \t (a body's paragraphs). */
int xy_cs_text_ok(const char *s, size_t n, int multiline)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 && !(multiline && (c == '\n' || c == '\t')))
			return 0;
		if (c == 0x7f)
			return 0;
	}
	return 1;
}

#define BAD(rc, ...)                                \
	do {                                        \
		snprintf(err, errlen, __VA_ARGS__); \
		return rc;                          \
	} while (0)

static int check_value(const char *op, const char *k, const json_t *v, size_t max, char *err,
		       size_t errlen)
{
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		size_t n = json_string_length(v);
		if (n > max)
			BAD(XY_ELIMIT, "%s: fields.%s: value longer than %zu bytes", op, k, max);
		if (memchr(s, 0, n) || !xy_cs_text_ok(s, n, 1))
			BAD(XY_EPARSE, "%s: fields.%s: control character in the value", op, k);
		return 0;
	}
	if (json_is_null(v) || json_is_integer(v) || json_is_real(v) || json_is_boolean(v))
		return 0;
	BAD(XY_EPARSE, "%s: fields.%s: not a text, number or null", op, k);
}

static int check_fields(const char *op, const json_t *v, char *err, size_t errlen)
{
	const char *k;
	json_t *fv;
	int rc;
	if (!json_is_object(v))
		BAD(XY_EPARSE, "%s: field \"fields\": not an object", op);
	if (json_object_size(v) > XY_CS_FIELDS_MAX)
		BAD(XY_ELIMIT, "%s: field \"fields\": more than %d fields", op, XY_CS_FIELDS_MAX);
	json_object_foreach ((json_t *)(uintptr_t)v, k, fv) {
		if (!xy_cs_is_code(k, strlen(k), XY_CS_CODE_MAX))
			BAD(XY_EPARSE, "%s: field \"fields\": \"%.40s\" is not a field code", op,
			    k);
		if (json_is_array(fv)) {
			size_t i;
			json_t *e;
			if (json_array_size(fv) > XY_CS_LIST_MAX)
				BAD(XY_ELIMIT, "%s: fields.%s: more than %d values", op, k,
				    XY_CS_LIST_MAX);
			json_array_foreach (fv, i, e) {
				if (!json_is_string(e))
					BAD(XY_EPARSE, "%s: fields.%s: a list of texts expected",
					    op, k);
				if ((rc = check_value(op, k, e, XY_CS_VALUE_MAX, err, errlen)))
					return rc;
			}
			continue;
		}
		if ((rc = check_value(op, k, fv, XY_CS_VALUE_MAX, err, errlen)))
			return rc;
	}
	return 0;
}

static int check_masked(const char *op, const json_t *v, const json_t *fields, char *err,
			size_t errlen)
{
	size_t i;
	json_t *e;
	if (!json_is_array(v))
		BAD(XY_EPARSE, "%s: field \"masked\": not a list", op);
	if (json_array_size(v) > XY_CS_FIELDS_MAX)
		BAD(XY_ELIMIT, "%s: field \"masked\": more than %d codes", op, XY_CS_FIELDS_MAX);
	json_array_foreach (v, i, e) {
		const char *s = json_string_value(e);
		if (!s || !xy_cs_is_code(s, json_string_length(e), XY_CS_CODE_MAX))
			BAD(XY_EPARSE, "%s: field \"masked\": entry %zu is not a field code", op,
			    i + 1);
		if (fields && !json_object_get(fields, s))
			BAD(XY_EPARSE, "%s: field \"masked\": \"%s\" is not among the fields", op,
			    s);
	}
	return 0;
}

int xy_cs_enum_ok(const char *s, const char *const *vals)
{
	for (; *vals; vals++)
		if (!strcmp(s, *vals))
			return 1;
	return 0;
}

static void set_str(struct xy_csline *l, size_t off, const char *s)
{
	memcpy((char *)l + off, &s, sizeof s);
}

/* Checks one key's value and stores it in l. */
static int check_key(const char *op, const struct xy_cs_key *k, const json_t *v, const json_t *root,
		     struct xy_csline *l, char *err, size_t errlen)
{
	const char *s = json_string_value(v);
	size_t n = s ? json_string_length(v) : 0;
	switch (k->kind) {
	case K_OP:
		return 0;
	case K_CODE:
		if (!s || !xy_cs_is_code(s, n, k->max))
			BAD(n > k->max ? XY_ELIMIT : XY_EPARSE,
			    "%s: field \"%s\": not a code (1 to %zu letters, digits, _ . -)", op,
			    k->name, k->max);
		break;
	case K_TEXT_NULL:
		if (json_is_null(v)) {
			s = NULL;
			break;
		}
		/* fall through */
	case K_TEXT:
		if (!s || !n)
			BAD(XY_EPARSE, "%s: field \"%s\": empty or not a text", op, k->name);
		if (n > k->max)
			BAD(XY_ELIMIT, "%s: field \"%s\": longer than %zu bytes", op, k->name,
			    k->max);
		if (memchr(s, 0, n) || !xy_cs_text_ok(s, n, k->max > XY_CS_TEXT_MAX))
			BAD(XY_EPARSE, "%s: field \"%s\": control character in the text", op,
			    k->name);
		break;
	case K_DATE_NULL:
		if (json_is_null(v)) {
			s = NULL;
			break;
		}
		/* fall through */
	case K_DATE:
		if (!xy_cs_is_date(s))
			BAD(XY_EPARSE, "%s: field \"%s\": not a date (YYYY-MM-DD)", op, k->name);
		break;
	case K_TIME:
		if (!xy_cs_is_time(s))
			BAD(XY_EPARSE, "%s: field \"%s\": not a time (YYYY-MM-DDTHH:MM:SSZ)", op,
			    k->name);
		break;
	case K_BOOL:
		if (!json_is_boolean(v))
			BAD(XY_EPARSE, "%s: field \"%s\": not true or false", op, k->name);
		*(int *)(void *)((char *)l + k->off) = json_is_true(v);
		return 0;
	case K_ID: {
		long long id = 0;
		if (!s || !n || n > 19 || s[0] == '0')
			BAD(XY_EPARSE, "%s: field \"%s\": not a record id (decimal text)", op,
			    k->name);
		for (size_t i = 0; i < n; i++) {
			if (s[i] < '0' || s[i] > '9' || id > (INT64_MAX - 9) / 10)
				BAD(XY_EPARSE, "%s: field \"%s\": not a record id (decimal text)",
				    op, k->name);
			id = id * 10 + (s[i] - '0');
		}
		*(long long *)(void *)((char *)l + k->off) = id;
		return 0;
	}
	case K_ENUM:
		if (!s || !xy_cs_enum_ok(s, k->vals))
			BAD(XY_EPARSE, "%s: field \"%s\": not one of the allowed values", op,
			    k->name);
		break;
	case K_PERIOD: {
		json_int_t p = json_integer_value(v);
		if (!json_is_integer(v) || p < 1 || p > XY_CS_PERIOD_MAX)
			BAD(XY_EPARSE, "%s: field \"%s\": not a whole number of days 1..%d", op,
			    k->name, XY_CS_PERIOD_MAX);
		*(long *)(void *)((char *)l + k->off) = (long)p;
		return 0;
	}
	case K_FIELDS:
		return check_fields(op, v, err, errlen);
	case K_MASKED:
		return check_masked(op, v, json_object_get(root, "fields"), err, errlen);
	case K_HEX64:
		if (!xy_cs_is_hex64(s))
			BAD(XY_EPARSE, "%s: field \"%s\": not 64 lowercase hex digits", op,
			    k->name);
		break;
	}
	set_str(l, k->off, s);
	return 0;
}

static int check_op(const struct xy_cs_opdef *d, const json_t *root, struct xy_csline *l, char *err,
		    size_t errlen)
{
	const char *key;
	json_t *v;
	size_t nk = 0;
	int rc;
	for (const struct xy_cs_key *k = d->keys; k->name; k++, nk++) {
		v = json_object_get(root, k->name);
		if (!v)
			BAD(XY_EPARSE, "%s: field \"%s\" is missing", d->op, k->name);
		if ((rc = check_key(d->op, k, v, root, l, err, errlen)))
			return rc;
	}
	if (json_object_size(root) == nk)
		return 0;
	json_object_foreach ((json_t *)(uintptr_t)root, key, v) {
		const struct xy_cs_key *k = d->keys;
		while (k->name && strcmp(k->name, key) != 0)
			k++;
		if (!k->name)
			BAD(XY_EPARSE, "%s: unknown field \"%.40s\"", d->op, key);
	}
	return 0;
}

/* What a line's fields are reset to before either reader fills them (scratch is not). */
static void clear(struct xy_csline *l)
{
	memset(l, 0, offsetof(struct xy_csline, scratch));
}

int xy_csline_parse(const char *line, size_t n, struct xy_csline *out, char *err, size_t errlen)
{
	if (xy_csline_scan(line, n, out) == 0)
		return 0;
	return xy_csline_parse_full(line, n, out, err, errlen);
}

int xy_csline_parse_full(const char *line, size_t n, struct xy_csline *out, char *err,
			 size_t errlen)
{
	json_error_t je;
	const char *op;
	int rc;

	clear(out);
	if (n > XY_CS_LINE_MAX)
		BAD(XY_ELIMIT, "line longer than %d bytes", XY_CS_LINE_MAX);
	if (!xy_utf8_valid(line, n))
		BAD(XY_EPARSE, "not valid UTF-8");
	out->root = json_loadb(line, n, JSON_REJECT_DUPLICATES, &je);
	if (!out->root) {
		snprintf(err, errlen, "not a JSON text (%s, column %d)", je.text, je.column);
		return XY_EPARSE;
	}
	if (!json_is_object(out->root)) {
		rc = XY_EPARSE;
		snprintf(err, errlen, "not a JSON object");
		goto fail;
	}
	op = json_string_value(json_object_get(out->root, "op"));
	rc = XY_EPARSE;
	snprintf(err, errlen, "field \"op\": missing or not one of the change-set operations");
	for (size_t i = 0; op && i < XY_CS_NOPS; i++)
		if (!strcmp(op, xy_cs_ops[i].op)) {
			out->op = xy_cs_ops[i].code;
			rc = check_op(&xy_cs_ops[i], out->root, out, err, errlen);
			break;
		}
	if (!rc)
		return 0;
fail:
	xy_csline_cleanup(out);
	return rc;
}

void xy_csline_cleanup(struct xy_csline *l)
{
	json_decref(l->root);
	clear(l);
}

int xy_csheader_check(const json_t *hdr, int *snapshot, char *err, size_t errlen)
{
	static const char *const known[] = {"format", "seq",	  "created", "key_id",
					    "kind",   "platform", NULL};
	const char *kind = json_string_value(json_object_get(hdr, "kind"));
	const char *plat = json_string_value(json_object_get(hdr, "platform"));
	const char *key;
	json_t *v;
	if (!kind || (strcmp(kind, "snapshot") != 0 && strcmp(kind, "delta") != 0))
		BAD(XY_EPARSE, "header: field \"kind\": not snapshot or delta");
	if (!xy_cs_is_time(json_string_value(json_object_get(hdr, "created"))))
		BAD(XY_EPARSE, "header: field \"created\": not a time (YYYY-MM-DDTHH:MM:SSZ)");
	if (!plat || !*plat || strlen(plat) > XY_CS_TEXT_MAX ||
	    !xy_cs_text_ok(plat, strlen(plat), 0))
		BAD(XY_EPARSE, "header: field \"platform\": missing or not a name");
	json_object_foreach ((json_t *)(uintptr_t)hdr, key, v) {
		if (!xy_cs_enum_ok(key, known))
			BAD(XY_EPARSE, "header: unknown field \"%.40s\"", key);
	}
	*snapshot = !strcmp(kind, "snapshot");
	return 0;
}
