#include "core/catalog.h"

#include <ctype.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"

/* ---- arena: every allocation of a catalog lives until xy_catalog_free ---- */

struct block {
	struct block *next;
	size_t used, cap;
	max_align_t data[];
};

struct arena {
	struct block *head;
};

static void *arena_alloc(struct arena *a, size_t n)
{
	struct block *b = a->head;
	n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
	if (!b || b->cap - b->used < n) {
		size_t cap = n > 32768 ? n : 32768;
		b = calloc(1, sizeof *b + cap);
		if (!b)
			return NULL;
		b->cap = cap;
		b->next = a->head;
		a->head = b;
	}
	void *p = (char *)b->data + b->used;
	b->used += n;
	return p;
}

static char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);
	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

static void arena_free(struct arena *a)
{
	while (a && a->head) {
		struct block *b = a->head;
		a->head = b->next;
		free(b);
	}
	free(a);
}

/* ---- parsing context ---- */

struct ctx {
	struct xy_catalog *cat;
	struct arena *a;
	char *err;
	size_t errlen;
	const char *ds;	   /* dataset being parsed, for messages */
	const char *field; /* field being parsed */
};

__attribute__((format(printf, 3, 4))) static int fail(struct ctx *c, int rc, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (c->ds && c->field)
		snprintf(c->err, c->errlen, "dataset %s, field %s: %s", c->ds, c->field, msg);
	else if (c->ds)
		snprintf(c->err, c->errlen, "dataset %s: %s", c->ds, msg);
	else
		snprintf(c->err, c->errlen, "%s", msg);
	return rc;
}

static int valid_code(const char *s)
{
	/* Callers pass required members: get_str never leaves them NULL on
	 * success (the analyzer cannot see that through get_str). */
	size_t n = strlen(s); // NOLINT(clang-analyzer-core.NonNullParamChecker)
	if (n < 2 || n > XY_CODE_MAX || !(s[0] >= 'A' && s[0] <= 'Z'))
		return 0;
	for (size_t i = 1; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	return 1;
}

/* A required string member; copies into the arena. */
static int get_str(struct ctx *c, json_t *obj, const char *key, int required, const char **out)
{
	json_t *v = json_object_get(obj, key);
	*out = NULL;
	if (!v) {
		if (required)
			return fail(c, XY_ECATALOG, "missing \"%s\"", key);
		return 0;
	}
	if (!json_is_string(v))
		return fail(c, XY_ECATALOG, "\"%s\" must be a string", key);
	if (json_string_length(v) > XY_NAME_MAX * 8)
		return fail(c, XY_ELIMIT, "\"%s\" too long", key);
	*out = arena_strndup(c->a, json_string_value(v), json_string_length(v));
	return *out ? 0 : XY_ENOMEM;
}

static int get_bool(struct ctx *c, json_t *obj, const char *key, int def, int *out)
{
	json_t *v = json_object_get(obj, key);
	*out = def;
	if (!v) {
		*out = def;
		return 0;
	}
	if (!json_is_boolean(v))
		return fail(c, XY_ECATALOG, "\"%s\" must be true or false", key);
	*out = json_is_true(v);
	return 0;
}

static int get_int(struct ctx *c, json_t *obj, const char *key, long long lo, long long hi,
		   int *present, long long *out)
{
	json_t *v = json_object_get(obj, key);
	*present = v != NULL;
	*out = 0;
	if (!v)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
		return fail(c, XY_ECATALOG, "\"%s\" must be a whole number from %lld to %lld", key,
			    lo, hi);
	*out = json_integer_value(v);
	return 0;
}

static const struct xy_codelist *find_list(const struct xy_catalog *cat, const char *code)
{
	for (int i = 0; i < cat->nlists; i++)
		if (strcmp(cat->lists[i].code, code) == 0)
			return &cat->lists[i];
	return NULL;
}

/* A field reference by code, resolved to its index. */
static int get_ref(struct ctx *c, const struct xy_dataset *ds, json_t *obj, const char *key,
		   int required, int *out)
{
	const char *code;
	int rc = get_str(c, obj, key, required, &code);
	*out = -1;
	if (rc || !code)
		return rc;
	*out = xy_dataset_field(ds, code);
	if (*out < 0)
		return fail(c, XY_ECATALOG, "\"%s\" names unknown field %s", key, code);
	return 0;
}

static int get_strarray(struct ctx *c, json_t *arr, int max, const char ***out, int *n)
{
	size_t i;
	json_t *v;

	*n = 0;
	*out = NULL;
	if (!json_is_array(arr))
		return fail(c, XY_ECATALOG, "expected an array of strings");
	if (json_array_size(arr) > (size_t)max)
		return fail(c, XY_ELIMIT, "more than %d values", max);
	*out = arena_alloc(c->a, sizeof(char *) * (json_array_size(arr) + 1));
	if (!*out)
		return XY_ENOMEM;
	json_array_foreach (arr, i, v) {
		if (!json_is_string(v) || json_string_length(v) == 0)
			return fail(c, XY_ECATALOG, "expected non-empty strings");
		(*out)[i] = arena_strndup(c->a, json_string_value(v), json_string_length(v));
		if (!(*out)[i])
			return XY_ENOMEM;
	}
	*n = (int)json_array_size(arr);
	return 0;
}

/* ---- COL-3: prohibited personal data ---- */

static const char *const prohibited_zh[] = {
	"宗教", "信仰", "基因", "遗传", "指纹",	  "掌纹", "血型", "疾病",
	"病史", "病历", "病情", "诊断", "既往史", "病症", "患病", "残疾类别",
};

static const char *const prohibited_en[] = {
	/* Not "faith" or "belief" alone: "good faith" is everyday credit
	 * vocabulary, and "religious belief" is caught by "religious". */
	"religion",	  "religious",	     "gene",	   "genes",	  "genetic",
	"genetics",	  "genome",	     "genomic",	   "genotype",	  "dna",
	"fingerprint",	  "fingerprints",    "blood type", "blood group", "bloodtype",
	"disease",	  "diseases",	     "illness",	   "illnesses",	  "medical history",
	"medical record", "medical records", "diagnosis",  "diagnoses",	  "sickness",
	"pathology",
};

int xy_prohibited_term(const char *text, const char **term)
{
	size_t len = strlen(text), n = 0;
	char *norm;
	int hit = 0;

	for (size_t i = 0; i < sizeof prohibited_zh / sizeof *prohibited_zh; i++)
		if (strstr(text, prohibited_zh[i])) {
			*term = prohibited_zh[i];
			return 1;
		}
	/* English words: lower-case ASCII, every other byte a separator, so
	 * "BLOOD_TYPE", "Blood-type" and "blood type" all match "blood type"
	 * while "general" does not match "gene".  The whole text is read,
	 * however long. */
	norm = malloc(len + 3);
	if (!norm) {
		*term = "(no memory to check)";
		return 1; /* fail closed */
	}
	norm[n++] = ' ';
	for (const char *p = text; *p; p++) {
		unsigned char ch = (unsigned char)*p;
		char o = isalnum(ch) && ch < 0x80 ? (char)tolower(ch) : ' ';
		if (o == ' ' && norm[n - 1] == ' ')
			continue;
		norm[n++] = o;
	}
	if (norm[n - 1] != ' ')
		norm[n++] = ' ';
	norm[n] = '\0';
	for (size_t i = 0; i < sizeof prohibited_en / sizeof *prohibited_en && !hit; i++) {
		char pat[64];
		snprintf(pat, sizeof pat, " %s ", prohibited_en[i]);
		if (strstr(norm, pat)) {
			*term = prohibited_en[i];
			hit = 1;
		}
	}
	free(norm);
	return hit;
}

static int check_prohibited(struct ctx *c, const struct xy_field *f)
{
	const char *texts[4 + XY_CATALOG_RULES_MAX];
	int n = 0;
	const char *term;

	texts[n++] = f->code;
	texts[n++] = f->name;
	if (f->name_en)
		texts[n++] = f->name_en;
	for (int i = 0; i < f->naliases && n < (int)(sizeof texts / sizeof *texts); i++)
		texts[n++] = f->aliases[i];
	for (int i = 0; i < n; i++)
		if (xy_prohibited_term(texts[i], &term))
			return fail(c, XY_EPROHIBITED,
				    "\"%s\" holds prohibited personal data (%s); COL-3 forbids "
				    "collecting it",
				    texts[i], term);
	return 0;
}

/* ---- fields ---- */

static const struct {
	const char *name;
	enum xy_ftype t;
} ftypes[] = {
	{"text", XY_FT_TEXT},	      {"code", XY_FT_CODE},	  {"date", XY_FT_DATE},
	{"month", XY_FT_MONTH},	      {"decimal", XY_FT_DECIMAL}, {"integer", XY_FT_INTEGER},
	{"uscc", XY_FT_USCC},	      {"orgcode", XY_FT_ORGCODE}, {"regno", XY_FT_REGNO},
	{"idnumber", XY_FT_IDNUMBER}, {"phone", XY_FT_PHONE},	  {"address", XY_FT_ADDRESS},
	{"account", XY_FT_ACCOUNT},
};

const char *xy_ftype_name(enum xy_ftype t)
{
	for (size_t i = 0; i < sizeof ftypes / sizeof *ftypes; i++)
		if (ftypes[i].t == t)
			return ftypes[i].name;
	return "?";
}

const char *xy_sharing_name(enum xy_sharing s)
{
	return s == XY_SHARE_PUBLIC	  ? "public"
	       : s == XY_SHARE_GOVERNMENT ? "government"
					  : "authorised";
}

/* A whole number filling [p, end) exactly, 0..64. */
static int mask_number(const char *p, const char *end, int *out)
{
	char *stop;
	long v;

	if (p == end || *p < '0' || *p > '9')
		return -1;
	v = strtol(p, &stop, 10);
	if (stop != end || v > 64)
		return -1;
	*out = (int)v;
	return 0;
}

static int parse_mask(struct ctx *c, const char *s, struct xy_mask *m)
{
	static const struct {
		const char *name;
		enum xy_mask_kind k;
	} simple[] = {
		{"none", XY_MASK_NONE}, {"idnum", XY_MASK_IDNUM}, {"mobile", XY_MASK_MOBILE},
		{"name", XY_MASK_NAME}, {"hash", XY_MASK_HASH},	  {"null", XY_MASK_NULL},
		{"year", XY_MASK_YEAR},
	};
	memset(m, 0, sizeof *m);
	if (!s)
		return 0;
	for (size_t i = 0; i < sizeof simple / sizeof *simple; i++)
		if (strcmp(s, simple[i].name) == 0) {
			m->kind = simple[i].k;
			return 0;
		}
	m->kind = XY_MASK_KEEP;
	if (!strncmp(s, "keep:", 5)) {
		const char *colon = strchr(s + 5, ':');
		if (!colon || mask_number(s + 5, colon, &m->first) ||
		    mask_number(colon + 1, colon + 1 + strlen(colon + 1), &m->last))
			return fail(c, XY_ECATALOG, "unknown mask rule \"%s\"", s);
	} else if (!strncmp(s, "first:", 6)) {
		if (mask_number(s + 6, s + strlen(s), &m->first))
			return fail(c, XY_ECATALOG, "unknown mask rule \"%s\"", s);
	} else if (!strncmp(s, "last:", 5)) {
		if (mask_number(s + 5, s + strlen(s), &m->last))
			return fail(c, XY_ECATALOG, "unknown mask rule \"%s\"", s);
	} else {
		return fail(c, XY_ECATALOG, "unknown mask rule \"%s\"", s);
	}
	if (m->first < 0 || m->last < 0 || m->first > 64 || m->last > 64)
		return fail(c, XY_ECATALOG, "mask rule \"%s\" out of range", s);
	return 0;
}

/* The text inside the last pair of brackets (half- or full-width). */
static const char *short_name(struct ctx *c, const char *name)
{
	const char *open = NULL, *p;
	size_t olen = 0;

	for (p = name; *p; p++) { // NOLINT(clang-analyzer-core.NullDereference): name is required
		if (*p == '(') {
			open = p;
			olen = 1;
		} else if (strncmp(p, "（", 3) == 0) {
			open = p;
			olen = 3;
		}
	}
	if (!open)
		return NULL;
	p = open + olen;
	const char *close = strstr(p, ")");
	const char *fclose = strstr(p, "）");
	if (!close || (fclose && fclose < close))
		close = fclose;
	if (!close || close == p)
		return NULL;
	return arena_strndup(c->a, p, (size_t)(close - p));
}

static int parse_cond(struct ctx *c, const struct xy_dataset *ds, json_t *o, struct xy_cond *cond)
{
	json_t *v;
	int rc, present = 0;

	if (!json_is_object(o))
		return fail(c, XY_ECATALOG, "a condition must be an object");
	rc = get_ref(c, ds, o, "field", 1, &cond->field);
	if (rc)
		return rc;
	if ((v = json_object_get(o, "in"))) {
		cond->op = XY_COND_IN;
		return get_strarray(c, v, XY_CATALOG_CODES_MAX, &cond->values, &cond->nvalues);
	}
	if ((v = json_object_get(o, "contains"))) {
		cond->op = XY_COND_CONTAINS;
		return get_strarray(c, v, XY_CATALOG_CODES_MAX, &cond->values, &cond->nvalues);
	}
	rc = get_bool(c, o, "present", 0, &present);
	if (rc)
		return rc;
	if (!present)
		return fail(c, XY_ECATALOG,
			    "a condition needs \"in\", \"contains\" or \"present\"");
	cond->op = XY_COND_PRESENT;
	return 0;
}

static int parse_conds(struct ctx *c, const struct xy_dataset *ds, json_t *f, const char *key,
		       struct xy_cond **out, int *n)
{
	json_t *arr = json_object_get(f, key), *v;
	size_t i;
	int rc;

	*n = 0;
	if (!arr)
		return 0;
	if (!json_is_array(arr) || json_array_size(arr) > XY_CATALOG_RULES_MAX)
		return fail(c, XY_ECATALOG, "\"%s\" must be an array of at most %d conditions", key,
			    XY_CATALOG_RULES_MAX);
	*out = arena_alloc(c->a, sizeof **out * (json_array_size(arr) + 1));
	if (!*out)
		return XY_ENOMEM;
	json_array_foreach (arr, i, v) {
		rc = parse_cond(c, ds, v, &(*out)[i]);
		if (rc)
			return rc;
	}
	*n = (int)json_array_size(arr);
	return 0;
}

/* First pass over a field: what it is.  References to other fields are
 * resolved in the second pass, once every field of the dataset is known. */
static int parse_field_basic(struct ctx *c, json_t *o, struct xy_field *f)
{
	const char *type, *req, *mask;
	json_t *al;
	int rc, present;
	long long v;

	if (!json_is_object(o))
		return fail(c, XY_ECATALOG, "a field must be an object");
	if ((rc = get_str(c, o, "code", 1, &f->code)))
		return rc;
	c->field = f->code;
	if (!valid_code(f->code))
		return fail(c, XY_ECATALOG, "code must match [A-Z][A-Z0-9_]{1,31}");
	if ((rc = get_str(c, o, "name", 1, &f->name)) ||
	    (rc = get_str(c, o, "name_en", 0, &f->name_en)))
		return rc;
	f->short_name = short_name(c, f->name);
	if ((al = json_object_get(o, "aliases")) &&
	    (rc = get_strarray(c, al, 16, &f->aliases, &f->naliases)))
		return rc;
	if ((rc = get_str(c, o, "type", 1, &type)))
		return rc;
	f->type = (enum xy_ftype) - 1;
	for (size_t i = 0; i < sizeof ftypes / sizeof *ftypes; i++)
		if (strcmp(type, ftypes[i].name) == 0)
			f->type = ftypes[i].t;
	if ((int)f->type == -1)
		return fail(c, XY_ECATALOG, "unknown type \"%s\"", type);
	if ((rc = get_str(c, o, "required", 1, &req)))
		return rc;
	if (strcmp(req, "Y") != 0 && strcmp(req, "N") != 0 && strcmp(req, "C") != 0)
		return fail(c, XY_ECATALOG, "\"required\" must be Y, N or C");
	f->required = req[0];
	f->max = 200;
	if ((rc = get_int(c, o, "max", 1, XY_FIELD_VALUE_MAX, &present, &v)))
		return rc;
	if (present)
		f->max = (int)v;
	f->scale = 6;
	if ((rc = get_int(c, o, "scale", 0, 12, &present, &v)))
		return rc;
	if (present)
		f->scale = (int)v;
	if ((rc = get_int(c, o, "min", -1000000000000LL, 1000000000000LL, &f->has_min, &f->min)) ||
	    (rc = get_int(c, o, "max_value", -1000000000000LL, 1000000000000LL, &f->has_max,
			  &f->max_value)))
		return rc;
	if ((rc = get_bool(c, o, "multi", 0, &f->multi)) ||
	    (rc = get_bool(c, o, "not_future", 0, &f->not_future)) ||
	    (rc = get_bool(c, o, "sensitive", 0, &f->sensitive)) ||
	    (rc = get_bool(c, o, "personal", 0, &f->personal)) ||
	    (rc = get_bool(c, o, "publish", 1, &f->publish)))
		return rc;
	if ((rc = get_str(c, o, "mask", 0, &mask)) || (rc = parse_mask(c, mask, &f->mask)))
		return rc;
	if ((f->sensitive || f->personal) && !mask)
		return fail(c, XY_ECATALOG, "a sensitive or personal field needs a mask rule");
	f->always_encrypt = f->sensitive || f->type == XY_FT_IDNUMBER || f->type == XY_FT_PHONE ||
			    f->type == XY_FT_ADDRESS;
	if (f->type == XY_FT_CODE) {
		const char *list;
		if ((rc = get_str(c, o, "list", 1, &list)))
			return rc;
		f->list = find_list(c->cat, list);
		if (!f->list)
			return fail(c, XY_ECATALOG, "unknown code list \"%s\"", list);
	}
	return check_prohibited(c, f);
}

static int parse_field_refs(struct ctx *c, struct xy_dataset *ds, json_t *o, struct xy_field *f)
{
	int rc;

	c->field = f->code;
	if ((rc = get_ref(c, ds, o, "not_before", 0, &f->not_before)) ||
	    (rc = get_ref(c, ds, o, "id_type_field", 0, &f->id_type_field)) ||
	    (rc = parse_conds(c, ds, o, "required_if", &f->req_if, &f->nreq_if)) ||
	    (rc = parse_conds(c, ds, o, "forbidden_if", &f->forb_if, &f->nforb_if)))
		return rc;
	if (f->not_before >= 0 && ds->fields[f->not_before].type != XY_FT_DATE)
		return fail(c, XY_ECATALOG, "\"not_before\" must name a date field");
	return 0;
}

/* ---- dataset blocks ---- */

static int parse_subject(struct ctx *c, struct xy_dataset *ds, json_t *o)
{
	json_t *arr, *v;
	size_t i;
	int rc;

	c->field = NULL;
	if (!json_is_object(o))
		return fail(c, XY_ECATALOG, "missing \"subject\" object");
	if ((rc = get_ref(c, ds, o, "kind_field", ds->subject_kind == XY_SUBJ_BOTH,
			  &ds->subject.kind_field)) ||
	    (rc = get_ref(c, ds, o, "name", 1, &ds->subject.name)) ||
	    (rc = get_ref(c, ds, o, "id_type", 0, &ds->subject.id_type)) ||
	    (rc = get_ref(c, ds, o, "id_number", ds->subject_kind != XY_SUBJ_LEGAL,
			  &ds->subject.id_number)))
		return rc;
	if ((arr = json_object_get(o, "natural_values")) &&
	    (rc = get_strarray(c, arr, 16, &ds->subject.natural_values, &ds->subject.nnatural)))
		return rc;
	if (ds->subject_kind == XY_SUBJ_BOTH && ds->subject.nnatural == 0)
		return fail(c, XY_ECATALOG, "subject.natural_values is required for \"both\"");
	/* CRY-1: a natural person's number and name never stay in clear. */
	if (ds->subject_kind != XY_SUBJ_LEGAL) {
		const struct xy_field *idf = &ds->fields[ds->subject.id_number];
		const struct xy_field *nf = &ds->fields[ds->subject.name];
		if (!idf->always_encrypt)
			return fail(c, XY_ECATALOG,
				    "subject.id_number %s must be of type idnumber or sensitive",
				    idf->code);
		if (!nf->personal && !nf->always_encrypt)
			return fail(c, XY_ECATALOG,
				    "subject.name %s must be personal (natural persons' names are "
				    "encrypted)",
				    nf->code);
	}
	arr = json_object_get(o, "legal_codes");
	if (ds->subject_kind != XY_SUBJ_NATURAL) {
		if (!json_is_array(arr) || json_array_size(arr) == 0 ||
		    json_array_size(arr) > XY_SUBJECT_CODES_MAX)
			return fail(c, XY_ECATALOG, "subject.legal_codes: 1 to %d field codes",
				    XY_SUBJECT_CODES_MAX);
		json_array_foreach (arr, i, v) {
			int idx =
				json_is_string(v) ? xy_dataset_field(ds, json_string_value(v)) : -1;
			if (idx < 0)
				return fail(c, XY_ECATALOG,
					    "subject.legal_codes names unknown field %.40s",
					    json_is_string(v) ? json_string_value(v)
							      : "(not a string)");
			ds->subject.legal_codes[ds->subject.nlegal++] = idx;
		}
	}
	return 0;
}

static int parse_key(struct ctx *c, struct xy_dataset *ds, json_t *arr)
{
	json_t *v;
	size_t i;

	if (!json_is_array(arr) || json_array_size(arr) == 0 ||
	    json_array_size(arr) > XY_KEY_FIELDS_MAX)
		return fail(c, XY_ECATALOG, "\"key\": 1 to %d field codes", XY_KEY_FIELDS_MAX);
	json_array_foreach (arr, i, v) {
		int idx = json_is_string(v) ? xy_dataset_field(ds, json_string_value(v)) : -1;
		if (idx < 0)
			return fail(c, XY_ECATALOG, "\"key\" names unknown field %.40s",
				    json_is_string(v) ? json_string_value(v) : "(not a string)");
		ds->key[ds->nkey++] = idx;
	}
	return 0;
}

static int parse_periods(struct ctx *c, struct xy_dataset *ds, json_t *o)
{
	json_t *val = json_object_get(o, "validity"), *dis = json_object_get(o, "display");
	long long v;
	int rc, present;
	const char *table;

	ds->validity.field = ds->validity.from = -1;
	if (val && !json_is_object(val))
		return fail(c, XY_ECATALOG, "\"validity\" must be an object");
	if (val) {
		if ((rc = get_ref(c, ds, val, "field", 0, &ds->validity.field)) ||
		    (rc = get_ref(c, ds, val, "from", 0, &ds->validity.from)) ||
		    (rc = get_int(c, val, "months", 1, 1200, &present, &v)))
			return rc;
		ds->validity.months = present ? (int)v : 0;
		if (present != (ds->validity.from >= 0))
			return fail(c, XY_ECATALOG,
				    "validity: \"months\" and \"from\" go together");
	}
	ds->display.field = ds->display.from = ds->display.severity_field = -1;
	if (!dis)
		return 0;
	if (!json_is_object(dis))
		return fail(c, XY_ECATALOG, "\"display\" must be an object");
	if (ds->sharing != XY_SHARE_PUBLIC)
		return fail(c, XY_ECATALOG, "only public datasets have a display period");
	ds->display.present = 1;
	if ((rc = get_ref(c, ds, dis, "field", 0, &ds->display.field)) ||
	    (rc = get_ref(c, ds, dis, "from", 0, &ds->display.from)) ||
	    (rc = get_ref(c, ds, dis, "severity_field", 0, &ds->display.severity_field)) ||
	    (rc = get_int(c, dis, "months", 1, 1200, &present, &v)) ||
	    (rc = get_str(c, dis, "table", 0, &table)))
		return rc;
	ds->display.months = present ? (int)v : 0;
	if (table && strcmp(table, "penalty") == 0)
		ds->display.table = XY_DISPLAY_PENALTY;
	else if (table)
		return fail(c, XY_ECATALOG, "unknown display table \"%s\"", table);
	if ((ds->display.months || ds->display.table) && ds->display.from < 0)
		return fail(c, XY_ECATALOG, "display: \"months\" or \"table\" need \"from\"");
	if (ds->display.field < 0 && !ds->display.months && !ds->display.table)
		return fail(c, XY_ECATALOG, "display: needs \"field\", \"months\" or \"table\"");
	return 0;
}

static int parse_rules(struct ctx *c, struct xy_dataset *ds, json_t *arr)
{
	json_t *o, *fl, *v;
	size_t i, j;
	int rc;

	if (!arr)
		return 0;
	if (!json_is_array(arr) || json_array_size(arr) > XY_CATALOG_RULES_MAX)
		return fail(c, XY_ECATALOG, "\"rules\" must be an array of at most %d rules",
			    XY_CATALOG_RULES_MAX);
	ds->rules = arena_alloc(c->a, sizeof *ds->rules * (json_array_size(arr) + 1));
	if (!ds->rules)
		return XY_ENOMEM;
	json_array_foreach (arr, i, o) {
		struct xy_rule *r = &ds->rules[i];
		fl = json_object_get(o, "one_of");
		if (!json_is_array(fl) || json_array_size(fl) < 1 ||
		    json_array_size(fl) > XY_CATALOG_FIELDS_MAX)
			return fail(c, XY_ECATALOG, "a rule needs \"one_of\": field codes");
		r->fields = arena_alloc(c->a, sizeof(int) * json_array_size(fl));
		if (!r->fields)
			return XY_ENOMEM;
		json_array_foreach (fl, j, v) {
			r->fields[j] =
				json_is_string(v) ? xy_dataset_field(ds, json_string_value(v)) : -1;
			if (r->fields[j] < 0)
				return fail(c, XY_ECATALOG,
					    "rule \"one_of\" names unknown field %.40s",
					    json_is_string(v) ? json_string_value(v)
							      : "(not a string)");
		}
		r->nfields = (int)json_array_size(fl);
		if ((v = json_object_get(o, "when"))) {
			r->has_when = 1;
			if ((rc = parse_cond(c, ds, v, &r->when)))
				return rc;
		}
		if ((rc = get_str(c, o, "message", 0, &r->message)))
			return rc;
	}
	ds->nrules = (int)json_array_size(arr);
	return 0;
}

static int check_field_rules(struct ctx *c, const struct xy_dataset *ds)
{
	for (int i = 0; i < ds->nfields; i++) {
		const struct xy_field *f = &ds->fields[i];
		int covered = f->nreq_if > 0;
		c->field = f->code;
		for (int r = 0; r < ds->nrules && !covered; r++)
			for (int k = 0; k < ds->rules[r].nfields; k++)
				covered |= ds->rules[r].fields[k] == i;
		for (int k = 0; k < ds->subject.nlegal; k++)
			covered |= ds->subject.legal_codes[k] == i;
		if (f->required == 'C' && !covered)
			return fail(c, XY_ECATALOG,
				    "required \"C\" needs \"required_if\" or a \"one_of\" rule");
		for (int j = 0; j < i; j++)
			if (strcmp(ds->fields[j].code, f->code) == 0)
				return fail(c, XY_ECATALOG, "duplicate field code");
	}
	c->field = NULL;
	return 0;
}

/* NET-1: natural persons reach the portal only from a public dataset that
 * says so, and then only under a masked name. */
static int parse_publish_natural(struct ctx *c, struct xy_dataset *ds, json_t *o)
{
	int rc = get_bool(c, o, "publish_natural", 0, &ds->publish_natural);
	if (rc || !ds->publish_natural)
		return rc;
	if (ds->sharing != XY_SHARE_PUBLIC)
		return fail(c, XY_ECATALOG, "only public datasets publish natural persons");
	if (ds->subject_kind == XY_SUBJ_LEGAL)
		return fail(c, XY_ECATALOG,
			    "\"publish_natural\" on a dataset of legal persons only");
	if (ds->subject.name < 0 || ds->fields[ds->subject.name].mask.kind == XY_MASK_NONE ||
	    ds->fields[ds->subject.name].mask.kind == XY_MASK_NULL)
		return fail(c, XY_ECATALOG,
			    "\"publish_natural\" needs a mask (such as name) on the subject's "
			    "name field");
	return 0;
}

static int parse_dataset(struct ctx *c, json_t *o, struct xy_dataset *ds)
{
	const char *s;
	json_t *fields, *v, *lv;
	size_t i;
	int rc;

	if (!json_is_object(o))
		return fail(c, XY_ECATALOG, "a dataset must be an object");
	if ((rc = get_str(c, o, "code", 1, &ds->code)))
		return rc;
	c->ds = ds->code;
	c->field = NULL;
	if (!valid_code(ds->code))
		return fail(c, XY_ECATALOG, "code must match [A-Z][A-Z0-9_]{1,31}");
	if ((rc = get_str(c, o, "name", 1, &ds->name)) ||
	    (rc = get_str(c, o, "name_en", 0, &ds->name_en)) ||
	    (rc = get_str(c, o, "subject_kind", 1, &s)))
		return rc;
	if (strcmp(s, "legal") == 0) // NOLINT(clang-analyzer-core.NonNullParamChecker): required
		ds->subject_kind = XY_SUBJ_LEGAL;
	else if (strcmp(s, "natural") == 0)
		ds->subject_kind = XY_SUBJ_NATURAL;
	else if (strcmp(s, "both") == 0)
		ds->subject_kind = XY_SUBJ_BOTH;
	else
		return fail(c, XY_ECATALOG, "subject_kind must be legal, natural or both");
	if ((rc = get_str(c, o, "sharing", 1, &s)))
		return rc;
	if (strcmp(s, "public") == 0) // NOLINT(clang-analyzer-core.NonNullParamChecker): required
		ds->sharing = XY_SHARE_PUBLIC;
	else if (strcmp(s, "government") == 0)
		ds->sharing = XY_SHARE_GOVERNMENT;
	else if (strcmp(s, "authorised") == 0)
		ds->sharing = XY_SHARE_AUTHORISED;
	else
		return fail(c, XY_ECATALOG, "sharing must be public, government or authorised");
	lv = json_object_get(o, "levels");
	if (!json_is_array(lv) || json_array_size(lv) == 0)
		return fail(c, XY_ECATALOG, "\"levels\" must list city and/or county");
	json_array_foreach (lv, i, v) {
		const char *l = json_string_value(v);
		if (l && strcmp(l, "city") == 0)
			ds->levels |= XY_LEVEL_CITY;
		else if (l && strcmp(l, "county") == 0)
			ds->levels |= XY_LEVEL_COUNTY;
		else
			return fail(c, XY_ECATALOG, "\"levels\" values are city or county");
	}
	fields = json_object_get(o, "fields");
	if (!json_is_array(fields) || json_array_size(fields) == 0)
		return fail(c, XY_ECATALOG, "\"fields\" must be a non-empty array");
	if (json_array_size(fields) > XY_CATALOG_FIELDS_MAX)
		return fail(c, XY_ELIMIT, "more than %d fields", XY_CATALOG_FIELDS_MAX);
	ds->fields = arena_alloc(c->a, sizeof *ds->fields * json_array_size(fields));
	if (!ds->fields)
		return XY_ENOMEM;
	memset(ds->fields, 0, sizeof *ds->fields * json_array_size(fields));
	json_array_foreach (fields, i, v) {
		if ((rc = parse_field_basic(c, v, &ds->fields[i])))
			return rc;
		ds->nfields = (int)i + 1;
	}
	json_array_foreach (fields, i, v)
		if ((rc = parse_field_refs(c, ds, v, &ds->fields[i])))
			return rc;
	c->field = NULL;
	if ((rc = parse_subject(c, ds, json_object_get(o, "subject"))) ||
	    (rc = parse_key(c, ds, json_object_get(o, "key"))) || (rc = parse_periods(c, ds, o)) ||
	    (rc = parse_rules(c, ds, json_object_get(o, "rules"))) ||
	    (rc = parse_publish_natural(c, ds, o)))
		return rc;
	return check_field_rules(c, ds);
}

static int parse_lists(struct ctx *c, json_t *lists)
{
	const char *key;
	json_t *v;
	int rc;

	if (!lists)
		return 0;
	if (!json_is_object(lists) || json_object_size(lists) > XY_CATALOG_DATASETS_MAX)
		return fail(c, XY_ECATALOG, "\"code_lists\" must be an object");
	c->cat->lists = arena_alloc(c->a, sizeof *c->cat->lists * (json_object_size(lists) + 1));
	if (!c->cat->lists)
		return XY_ENOMEM;
	json_object_foreach (lists, key, v) {
		struct xy_codelist *l = &c->cat->lists[c->cat->nlists];
		l->code = arena_strndup(c->a, key, strlen(key));
		if (!l->code)
			return XY_ENOMEM;
		if ((rc = get_strarray(c, v, XY_CATALOG_CODES_MAX, &l->values, &l->n))) {
			char msg[256];
			snprintf(msg, sizeof msg, "code list %s: %s", key, c->err);
			snprintf(c->err, c->errlen, "%s", msg);
			return rc;
		}
		c->cat->nlists++;
	}
	return 0;
}

int xy_catalog_parse(const char *json, size_t n, struct xy_catalog **out, char *err, size_t errlen)
{
	struct ctx c = {.err = err, .errlen = errlen};
	json_error_t jerr;
	json_t *root = NULL, *dsarr, *v;
	size_t i;
	int rc;

	*out = NULL;
	if (n > XY_CATALOG_FILE_MAX) {
		snprintf(err, errlen, "catalog larger than %d bytes", XY_CATALOG_FILE_MAX);
		return XY_ELIMIT;
	}
	root = json_loadb(json, n, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		snprintf(err, errlen, "not valid JSON: line %d: %s", jerr.line, jerr.text);
		return XY_ECATALOG;
	}
	c.cat = calloc(1, sizeof *c.cat);
	c.a = calloc(1, sizeof *c.a);
	if (!c.cat || !c.a) {
		free(c.cat);
		free(c.a);
		json_decref(root);
		return XY_ENOMEM;
	}
	c.cat->arena = c.a;
	if (!json_is_object(root)) {
		rc = fail(&c, XY_ECATALOG, "the catalog must be a JSON object");
		goto out;
	}
	if ((rc = get_str(&c, root, "version", 1, &c.cat->version)) ||
	    (rc = parse_lists(&c, json_object_get(root, "code_lists"))))
		goto out;
	dsarr = json_object_get(root, "datasets");
	if (!json_is_array(dsarr) || json_array_size(dsarr) == 0) {
		rc = fail(&c, XY_ECATALOG, "\"datasets\" must be a non-empty array");
		goto out;
	}
	if (json_array_size(dsarr) > XY_CATALOG_DATASETS_MAX) {
		rc = fail(&c, XY_ELIMIT, "more than %d datasets", XY_CATALOG_DATASETS_MAX);
		goto out;
	}
	c.cat->datasets = arena_alloc(c.a, sizeof *c.cat->datasets * json_array_size(dsarr));
	if (!c.cat->datasets) {
		rc = XY_ENOMEM;
		goto out;
	}
	memset(c.cat->datasets, 0, sizeof *c.cat->datasets * json_array_size(dsarr));
	json_array_foreach (dsarr, i, v) {
		if ((rc = parse_dataset(&c, v, &c.cat->datasets[i])))
			goto out;
		for (size_t j = 0; j < i; j++)
			if (strcmp(c.cat->datasets[j].code, c.cat->datasets[i].code) == 0) {
				rc = fail(&c, XY_ECATALOG, "duplicate dataset code");
				goto out;
			}
		c.cat->ndatasets = (int)i + 1;
	}
	*out = c.cat;
	c.cat = NULL;
	rc = 0;
out:
	if (c.cat) {
		c.cat->arena = NULL;
		free(c.cat);
		arena_free(c.a);
	}
	json_decref(root);
	return rc;
}

void xy_catalog_free(struct xy_catalog *c)
{
	if (!c)
		return;
	arena_free(c->arena);
	free(c);
}

const struct xy_dataset *xy_catalog_dataset(const struct xy_catalog *c, const char *code)
{
	for (int i = 0; i < c->ndatasets; i++)
		if (strcmp(c->datasets[i].code, code) == 0)
			return &c->datasets[i];
	return NULL;
}

int xy_dataset_field(const struct xy_dataset *ds, const char *code)
{
	for (int i = 0; i < ds->nfields; i++)
		if (strcmp(ds->fields[i].code, code) == 0)
			return i;
	return -1;
}

/* Normalises a header or name for comparison: trims ASCII and ideographic
 * spaces, turns full-width brackets into half-width ones. */
static size_t norm_header(const char *s, size_t n, char *out, size_t cap)
{
	size_t o = 0, i = 0;

	for (;;) {
		if (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
			n--;
		else if (n >= 3 && memcmp(s + n - 3, "\xe3\x80\x80", 3) == 0)
			n -= 3;
		else
			break;
	}
	while (i < n &&
	       (s[i] == ' ' || s[i] == '\t' || (n - i >= 3 && !memcmp(s + i, "\xe3\x80\x80", 3))))
		i += s[i] == ' ' || s[i] == '\t' ? 1 : 3;
	for (; i < n && o + 1 < cap; i++) {
		if (n - i >= 3 && memcmp(s + i, "（", 3) == 0) {
			out[o++] = '(';
			i += 2;
		} else if (n - i >= 3 && memcmp(s + i, "）", 3) == 0) {
			out[o++] = ')';
			i += 2;
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
	return o;
}

static int same_header(const char *a, const char *h)
{
	char na[XY_NAME_MAX * 2];
	if (!a)
		return 0;
	norm_header(a, strlen(a), na, sizeof na);
	return strcmp(na, h) == 0;
}

int xy_dataset_match_header(const struct xy_dataset *ds, const char *header, size_t n)
{
	char h[XY_NAME_MAX * 2];
	int found = -1;

	if (n >= sizeof h)
		return -1;
	norm_header(header, n, h, sizeof h);
	if (!h[0])
		return -1;
	for (int i = 0; i < ds->nfields; i++) {
		const struct xy_field *f = &ds->fields[i];
		if (strcmp(f->code, h) == 0 || same_header(f->name, h))
			return i;
		for (int a = 0; a < f->naliases; a++)
			if (same_header(f->aliases[a], h))
				return i;
	}
	for (int i = 0; i < ds->nfields; i++)
		if (same_header(ds->fields[i].short_name, h)) {
			if (found >= 0)
				return -2;
			found = i;
		}
	return found;
}
