/* Change-set lines as the portal takes them (POR-2): every line of a change set is one
 * of the objects of docs/FORMATS.md "Change sets", checked here field by field (types,
 * sizes, code alphabets, dates, enumerations, no unknown or repeated key) before the
 * store sees it.  The file is refused whole on the first bad line; err names the op,
 * the field and why.  Pure: no I/O (a libFuzzer target drives it). */
#ifndef XY_FERRY_CSLINE_H
#define XY_FERRY_CSLINE_H

#include <jansson.h>
#include <stddef.h>

enum xy_csop {
	XY_CS_SUBJECT = 1,
	XY_CS_RECORD,
	XY_CS_REMOVE,
	XY_CS_SUBJECT_REMOVE,
	XY_CS_SECTION,
	XY_CS_SECTION_REMOVE,
	XY_CS_TICKET,
};

/* Room for the strings of a line the scanner takes (a subject's or a record's need
 * about 1,100 bytes at most; a line whose strings do not fit goes to the full parser). */
#define XY_CS_SCRATCH 1536

/* A checked line.  Strings are borrowed from root when the full parser took the line,
 * else from scratch (NULL for JSON null or absent); either way they live until
 * xy_csline_cleanup. */
struct xy_csline {
	enum xy_csop op;
	json_t *root;
	/* subject: code kind name region region_name; subject_remove: code */
	const char *code, *kind, *name, *region, *region_name;
	/* record: id dataset subject unit unit_code date valid_until display_until objection;
	 * remove: id reason */
	long long id;
	const char *dataset, *subject, *unit, *unit_code, *date, *valid_until, *display_until;
	int objection;
	const char *reason;
	/* section: sid kind title body unit updated period_days; section_remove: sid */
	const char *sid, *title, *body, *updated;
	long period_days;
	/* ticket: ticket check kind status updated reply */
	const char *ticket, *check, *status, *reply;
	/* the scanner's copies of the strings above (not cleared between lines) */
	char scratch[XY_CS_SCRATCH];
};

/* Parses and checks line[0..n).  0 and *out (free with xy_csline_cleanup), or XY_EPARSE
 * (not JSON, not an object, not one of the ops, a field missing, unknown, repeated or of
 * the wrong type or form) / XY_ELIMIT (a value past its limit), err saying which field
 * and why.  The scanner takes the lines it fully understands; every other line, and so
 * every refusal and its message, is the full parser's. */
__attribute__((warn_unused_result)) int
xy_csline_parse(const char *line, size_t n, struct xy_csline *out, char *err, size_t errlen);

/* The two readers behind xy_csline_parse, for tests and the fuzz target.
 * xy_csline_scan: one pass over the bytes, no allocation: 0 and *out when the line is a
 * change-set object in the plain form a publisher writes (op first; strings in raw UTF-8
 * with at most the escapes \" \\ \/ \n \t; integers of at most 18 digits) and passes every
 * check of the full parser; 1 for anything else, which it leaves to the full parser: it
 * never refuses on its own and never takes a line the full parser would refuse.
 * xy_csline_parse_full: the same checks on jansson, with the error messages. */
__attribute__((warn_unused_result)) int xy_csline_scan(const char *line, size_t n,
						       struct xy_csline *out);
__attribute__((warn_unused_result)) int
xy_csline_parse_full(const char *line, size_t n, struct xy_csline *out, char *err, size_t errlen);
void xy_csline_cleanup(struct xy_csline *l);
/* 1 when a and b say the same (op, numbers and every string), for the tests and the fuzz
 * target that hold the scanner to the full parser. */
int xy_csline_equal(const struct xy_csline *a, const struct xy_csline *b);

/* Checks a change set's header beyond what the framing checked (format, seq, key_id):
 * "kind" snapshot or delta, "created" RFC 3339 UTC, "platform" a name, nothing else.
 * *snapshot is set.  XY_EPARSE / XY_ELIMIT with err. */
__attribute__((warn_unused_result)) int xy_csheader_check(const json_t *hdr, int *snapshot,
							  char *err, size_t errlen);

/* 1 when s is "YYYY-MM-DD" naming a real day. */
int xy_cs_is_date(const char *s);
/* 1 when s is RFC 3339 UTC "YYYY-MM-DDTHH:MM:SSZ". */
int xy_cs_is_time(const char *s);

#endif
