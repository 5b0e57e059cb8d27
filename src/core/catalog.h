/* The resource catalog (COL-1): datasets, their fields, types, conditional
 * rules, masks and periods.  Format: docs/CATALOG.md.  Pure: no I/O. */
#ifndef XY_CORE_CATALOG_H
#define XY_CORE_CATALOG_H

#include <stddef.h>

#include "util/limits.h"

enum xy_ftype {
	XY_FT_TEXT,
	XY_FT_CODE,
	XY_FT_DATE,
	XY_FT_MONTH,
	XY_FT_DECIMAL,
	XY_FT_INTEGER,
	XY_FT_USCC,
	XY_FT_ORGCODE,
	XY_FT_REGNO,
	XY_FT_IDNUMBER,
	XY_FT_PHONE,
	XY_FT_ADDRESS,
	XY_FT_ACCOUNT,
};

enum xy_cond_op { XY_COND_IN, XY_COND_CONTAINS, XY_COND_PRESENT };

struct xy_cond {
	int field; /* index in the dataset's fields */
	enum xy_cond_op op;
	const char **values;
	int nvalues;
};

enum xy_mask_kind {
	XY_MASK_NONE,
	XY_MASK_IDNUM,
	XY_MASK_MOBILE,
	XY_MASK_NAME,
	XY_MASK_HASH,
	XY_MASK_NULL,
	XY_MASK_YEAR,
	XY_MASK_KEEP, /* first/last characters kept */
};

struct xy_mask {
	enum xy_mask_kind kind;
	int first, last;
};

struct xy_codelist {
	const char *code;
	const char **values;
	int n;
};

struct xy_field {
	const char *code;
	const char *name; /* full Chinese name as the national list writes it */
	const char *name_en;
	const char *short_name; /* text inside the last brackets of name, or NULL */
	const char **aliases;
	int naliases;
	enum xy_ftype type;
	int max; /* text: characters */
	const struct xy_codelist *list;
	int multi;
	int scale; /* decimal places allowed */
	int has_min, has_max;
	long long min, max_value;
	int not_future;
	int not_before;	   /* field index or -1 */
	int id_type_field; /* field index or -1 */
	char required;	   /* 'Y', 'N' or 'C' */
	struct xy_cond *req_if;
	int nreq_if;
	struct xy_cond *forb_if;
	int nforb_if;
	int sensitive; /* catalog says so */
	int personal;  /* personal information on natural persons' rows */
	int publish;
	struct xy_mask mask;
	int always_encrypt; /* sensitive, or of a type that is always encrypted (CRY-1) */
};

struct xy_rule {
	int *fields;
	int nfields;
	int has_when;
	struct xy_cond when;
	const char *message;
};

enum xy_sharing { XY_SHARE_PUBLIC, XY_SHARE_GOVERNMENT, XY_SHARE_AUTHORISED };
enum xy_subject_kind { XY_SUBJ_LEGAL = 1, XY_SUBJ_NATURAL = 2, XY_SUBJ_BOTH = 3 };
enum { XY_LEVEL_CITY = 1, XY_LEVEL_COUNTY = 2 };
enum xy_display_table { XY_DISPLAY_NONE, XY_DISPLAY_PENALTY };

#define XY_SUBJECT_CODES_MAX 8
#define XY_KEY_FIELDS_MAX    8

struct xy_dataset {
	const char *code;
	const char *name;
	const char *name_en;
	enum xy_subject_kind subject_kind;
	enum xy_sharing sharing;
	int levels;
	struct {
		int kind_field; /* -1 when subject_kind is not both */
		const char **natural_values;
		int nnatural;
		int name;
		int legal_codes[XY_SUBJECT_CODES_MAX];
		int nlegal;
		int id_type;
		int id_number;
	} subject;
	int key[XY_KEY_FIELDS_MAX];
	int nkey;
	struct {
		int field;  /* -1: none */
		int months; /* with from */
		int from;
	} validity;
	struct {
		int present;
		int field;
		int from;
		int severity_field;
		enum xy_display_table table;
		int months;
	} display;
	/* NET-1: natural persons' records may be published (masked name, a
	 * keyed code); false unless the catalog says so. */
	int publish_natural;
	struct xy_rule *rules;
	int nrules;
	struct xy_field *fields;
	int nfields;
};

struct xy_catalog {
	const char *version;
	struct xy_codelist *lists;
	int nlists;
	struct xy_dataset *datasets;
	int ndatasets;
	void *arena; /* owns every string and array above */
};

/* Parses and checks a catalog document.  On failure err says which dataset
 * and field and why; XY_EPROHIBITED for COL-3 fields, XY_ECATALOG for every
 * other defect, XY_ELIMIT past the limits. */
__attribute__((warn_unused_result)) int
xy_catalog_parse(const char *json, size_t n, struct xy_catalog **out, char *err, size_t errlen);
void xy_catalog_free(struct xy_catalog *c);

const struct xy_dataset *xy_catalog_dataset(const struct xy_catalog *c, const char *code);
/* Field index by code, or -1. */
int xy_dataset_field(const struct xy_dataset *ds, const char *code);

/* Column header to field index: the code, the full name or the short name
 * (text in the last brackets), ignoring surrounding spaces (also U+3000) and
 * full- versus half-width brackets.  -1 unknown, -2 ambiguous short name. */
int xy_dataset_match_header(const struct xy_dataset *ds, const char *header, size_t n);

/* COL-3: nonzero when the text names prohibited personal data (religious
 * belief, genes, fingerprints, blood type, diseases, medical history), in
 * Chinese or English; *term gets the matched term. */
int xy_prohibited_term(const char *text, const char **term);

const char *xy_sharing_name(enum xy_sharing s);
const char *xy_ftype_name(enum xy_ftype t);

#endif
