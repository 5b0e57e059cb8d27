/* What the two readers of change-set lines share (csline.c, the full parser on jansson,
 * and csline_scan.c, the single-pass scanner): each op's table of keys and the checks of
 * a value's form.  Private to src/ferry. */
#ifndef XY_FERRY_CSLINE_INT_H
#define XY_FERRY_CSLINE_INT_H

#include <stddef.h>

#include "ferry/csline.h"

enum xy_cs_kind {
	K_OP,	     /* "op": already matched */
	K_CODE,	     /* [0-9A-Za-z_.-], 1..XY_CS_CODE_MAX */
	K_TEXT,	     /* non-empty text up to XY_CS_TEXT_MAX */
	K_TEXT_NULL, /* text up to max, or null */
	K_DATE,	     /* YYYY-MM-DD */
	K_DATE_NULL, /* YYYY-MM-DD or null */
	K_TIME,	     /* RFC 3339 UTC */
	K_BOOL,
	K_ID,	  /* record id: decimal text, 1..19 digits, no leading zero */
	K_ENUM,	  /* one of vals */
	K_PERIOD, /* integer 1..XY_CS_PERIOD_MAX */
	K_FIELDS, /* {CODE: value} */
	K_MASKED, /* [CODE, ...] */
	K_HEX64,  /* 64 lowercase hex digits */
};

struct xy_cs_key {
	const char *name;
	enum xy_cs_kind kind;
	size_t off; /* offsetof the const char * (or int / long / long long) member */
	size_t max; /* text limit */
	const char *const *vals;
};

struct xy_cs_opdef {
	const char *op;
	enum xy_csop code;
	const struct xy_cs_key *keys;
};

#define XY_CS_NOPS 7
/* Every op, its name and its keys (the last key's name is NULL). */
extern const struct xy_cs_opdef xy_cs_ops[XY_CS_NOPS];

/* 1 when s[0..n) is a code: [0-9A-Za-z_.-], 1..max bytes. */
int xy_cs_is_code(const char *s, size_t n, size_t max);
/* 1 when s is 64 lowercase hex digits (NUL-terminated). */
int xy_cs_is_hex64(const char *s);
/* 1 when s[0..n) holds no control character but, when multiline, \n and \t. */
int xy_cs_text_ok(const char *s, size_t n, int multiline);
/* 1 when s is one of vals (NULL-terminated). */
int xy_cs_enum_ok(const char *s, const char *const *vals);

#endif
