/* Change-set lines as the portal checks them (src/ferry/csline.h, POR-2): each op of
 * docs/FORMATS.md taken, every defect refused naming the field. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "ferry/csline.h"
#include "util/err.h"

static char err[256];

static int parse(const char *s, struct xy_csline *l)
{
	err[0] = 0;
	return xy_csline_parse(s, strlen(s), l, err, sizeof err);
}

#define RECORD                                                                                       \
	"{\"op\":\"record\",\"id\":\"33554433\",\"dataset\":\"XZCF\",\"subject\":"                   \
	"\"91360402MA0010010X\",\"unit\":\"九江市濂溪区市场监督管理局\",\"unit_code\":" \
	"\"11360402MA0009001H\",\"date\":\"2026-03-01\",\"valid_until\":null,"                       \
	"\"display_until\":\"2029-03-01\",\"objection\":true,\"fields\":{\"CF_WSH\":\"1号\","       \
	"\"CF_FR_ZJHM\":\"360402********0052\",\"CF_NR_FK\":0.5},\"masked\":[\"CF_FR_ZJHM\"]}"

static void test_por2_each_op_is_taken(void **state)
{
	struct xy_csline l;
	const char *ok[] = {
		"{\"op\":\"subject\",\"code\":\"91360402MA0010010X\",\"kind\":\"legal\",\"name\":"
		"\"测试公司\",\"region\":\"360402\",\"region_name\":\"濂溪区\"}",
		"{\"op\":\"remove\",\"id\":\"7\",\"reason\":\"display_ended\"}",
		"{\"op\":\"subject_remove\",\"code\":\"P0123456789abcdef\"}",
		"{\"op\":\"section\",\"id\":\"n1\",\"kind\":\"notice\",\"title\":\"通知\",\"body\":"
		"\"第一段\\n\\n第二段\",\"unit\":\"信用办\",\"updated\":\"2026-11-01\","
		"\"period_days\":30}",
		"{\"op\":\"section_remove\",\"id\":\"n1\"}",
		"{\"op\":\"ticket\",\"ticket\":\"YY20261122123456\",\"check\":\""
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\",\"kind\":"
		"\"objection\",\"status\":\"accepted\",\"updated\":\"2026-11-22T08:00:00Z\","
		"\"reply\":null}",
	};
	(void)state;
	assert_int_equal(parse(RECORD, &l), 0);
	assert_int_equal(l.op, XY_CS_RECORD);
	assert_true(l.id == 33554433LL && l.objection == 1 && !l.valid_until);
	assert_string_equal(l.display_until, "2029-03-01");
	xy_csline_cleanup(&l);
	for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
		if (parse(ok[i], &l))
			fail_msg("refused %s: %s", ok[i], err);
		xy_csline_cleanup(&l);
	}
}

/* RECORD with one key's value replaced */
static int record_with(const char *key, const char *value, struct xy_csline *l)
{
	json_t *o = json_loads(RECORD, 0, NULL), *v = json_loads(value, JSON_DECODE_ANY, NULL);
	char *s;
	int rc;
	assert_non_null(o);
	if (v)
		json_object_set_new(o, key, v);
	else
		json_object_del(o, key);
	s = json_dumps(o, JSON_COMPACT);
	rc = parse(s, l);
	free(s);
	json_decref(o);
	return rc;
}

static void test_por2_bad_values_are_refused_naming_the_field(void **state)
{
	static const struct {
		const char *key, *value, *named;
	} bad[] = {
		{"date", "\"2025-02-30\"", "\"date\""},
		{"date", "null", "\"date\""},
		{"id", "\"012\"", "\"id\""},
		{"id", "12", "\"id\""},
		{"id", "\"99999999999999999999\"", "\"id\""},
		{"subject", "\"91 36\"", "\"subject\""},
		{"objection", "\"yes\"", "\"objection\""},
		{"fields", "{\"CF WSH\":\"x\"}", "fields"},
		{"fields", "{\"CF_WSH\":{\"a\":1}}", "fields.CF_WSH"},
		{"masked", "[\"CF_NOT_THERE\"]", "masked"},
		{"unit", "\"\"", "\"unit\""},
		{"unit", "\"a\\u0001b\"", "\"unit\""},
		{"extra", "1", "unknown field \"extra\""},
		{"display_until", "\"2029/03/01\"", "\"display_until\""},
		{"dataset", NULL, "\"dataset\" is missing"},
	};
	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		struct xy_csline l;
		int rc = record_with(bad[i].key, bad[i].value ? bad[i].value : "", &l);
		if (!rc)
			fail_msg("accepted %s=%s", bad[i].key, bad[i].value);
		if (!strstr(err, bad[i].named))
			fail_msg("%s=%s: \"%s\" does not name %s", bad[i].key, bad[i].value, err,
				 bad[i].named);
	}
}

static void test_por2_lines_that_are_not_change_set_objects_are_refused(void **state)
{
	struct xy_csline l;
	const char *bad[] = {"",
			     "[]",
			     "\"op\"",
			     "{\"op\":\"drop\"}",
			     "{\"op\":1}",
			     "{",
			     "{\"op\":\"remove\",\"id\":\"1\",\"reason\":\"deleted\"}",
			     "{\"op\":\"remove\",\"id\":\"1\",\"reason\":\"revoked\",\"id\":\"2\"}",
			     "\xff"};
	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		assert_int_equal(parse(bad[i], &l), XY_EPARSE);
}

static void test_por2_values_over_their_limit_are_refused(void **state)
{
	struct xy_csline l;
	char name[700], buf[900];
	(void)state;
	memset(name, 'a', sizeof name - 1);
	name[sizeof name - 1] = 0;
	snprintf(buf, sizeof buf,
		 "{\"op\":\"subject\",\"code\":\"X\",\"kind\":\"legal\",\"name\":\"%s\","
		 "\"region\":\"1\",\"region_name\":\"r\"}",
		 name);
	assert_int_equal(parse(buf, &l), XY_ELIMIT);
	assert_non_null(strstr(err, "\"name\""));
}

static void test_por2_header_is_checked(void **state)
{
	int snap = 0;
	json_t *h = json_pack("{s:s, s:i, s:s, s:s, s:s, s:s}", "format", "xinyong-changeset/1",
			      "seq", 1, "created", "2026-11-22T08:00:00Z", "key_id", "00", "kind",
			      "snapshot", "platform", "九江市公共信用信息共享平台");
	(void)state;
	assert_int_equal(xy_csheader_check(h, &snap, err, sizeof err), 0);
	assert_int_equal(snap, 1);
	json_object_set_new(h, "kind", json_string("full"));
	assert_int_equal(xy_csheader_check(h, &snap, err, sizeof err), XY_EPARSE);
	json_object_set_new(h, "kind", json_string("delta"));
	json_object_set_new(h, "created", json_string("2026-11-22 08:00"));
	assert_int_equal(xy_csheader_check(h, &snap, err, sizeof err), XY_EPARSE);
	json_object_set_new(h, "created", json_string("2026-11-22T08:00:00Z"));
	json_object_set_new(h, "extra", json_true());
	assert_int_equal(xy_csheader_check(h, &snap, err, sizeof err), XY_EPARSE);
	json_decref(h);
}

/* The scanner against the full parser on one line: never takes what the full parser
 * refuses, reads what it takes the same, and xy_csline_parse answers as the full parser
 * does (same code, same message).  Returns whether the scanner took it. */
static int agree(const char *s, size_t n)
{
	static struct xy_csline fast, full;
	char e1[256] = "", e2[256] = "";
	int took = xy_csline_scan(s, n, &fast) == 0;
	int rf = xy_csline_parse_full(s, n, &full, e1, sizeof e1);
	struct xy_csline l;
	int rp = xy_csline_parse(s, n, &l, e2, sizeof e2);
	if (took && rf)
		fail_msg("the scanner took a line the full parser refuses (%s): %.*s", e1, (int)n,
			 s);
	if (took && !xy_csline_equal(&fast, &full))
		fail_msg("the scanner read this line otherwise: %.*s", (int)n, s);
	if (rp != rf || (rf && strcmp(e1, e2) != 0))
		fail_msg("parse and the full parser disagree (%d %s / %d %s): %.*s", rp, e2, rf, e1,
			 (int)n, s);
	xy_csline_cleanup(&fast);
	xy_csline_cleanup(&full);
	if (!rp)
		xy_csline_cleanup(&l);
	return took;
}

/* POR-2: the fast path takes the plain lines a publisher writes ... */
static void test_por2_scanner_takes_plain_lines_as_the_full_parser_reads_them(void **state)
{
	const char *plain[] = {
		"{\"op\":\"record\",\"id\":\"33554433\",\"dataset\":\"XZCF\",\"subject\":\"A\","
		"\"unit\":\"单位\",\"unit_code\":\"U\",\"date\":\"2026-03-01\",\"valid_until\":"
		"null,"
		"\"display_until\":\"2029-03-01\",\"objection\":true,\"fields\":{\"CF_WSH\":"
		"\"1号\","
		"\"CF_NR_FK\":-5000,\"L\":[\"a\",\"b\"],\"N\":null,\"B\":false,\"M\":\"x\\ny\"},"
		"\"masked\":[\"M\"]}",
		"{\"op\":\"subject\",\"code\":\"91360402MA0010010X\",\"kind\":\"legal\",\"name\":"
		"\"测试\\\"公司\\\\\",\"region\":\"360402\",\"region_name\":\"濂溪区\"}",
		"{ \"op\": \"remove\", \"id\": \"7\", \"reason\": \"display_ended\" }",
		"{\"op\":\"section\",\"id\":\"n1\",\"kind\":\"notice\",\"title\":\"通知\",\"body\":"
		"\"第一段\\n\\n第二段\",\"unit\":\"信用办\",\"updated\":\"2026-11-01\","
		"\"period_days\":30}",
		"{\"op\":\"ticket\",\"ticket\":\"YY20261122123456\",\"check\":\""
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\",\"kind\":"
		"\"objection\",\"status\":\"accepted\",\"updated\":\"2026-11-22T08:00:00Z\","
		"\"reply\":null}",
	};
	(void)state;
	for (size_t i = 0; i < sizeof plain / sizeof *plain; i++)
		if (!agree(plain[i], strlen(plain[i])))
			fail_msg("the scanner left a plain line to the full parser: %s", plain[i]);
}

/* ... leaves every other form to the full parser, which may take it ... */
static void test_por2_scanner_leaves_other_forms_to_the_full_parser(void **state)
{
	const char *other[] = {
		/* op not first */
		"{\"id\":\"7\",\"op\":\"remove\",\"reason\":\"revoked\"}",
		/* a \u escape */
		"{\"op\":\"remove\",\"id\":\"7\",\"reason\":\"re\\u0076oked\"}",
		/* a real number among the fields */
		"{\"op\":\"record\",\"id\":\"1\",\"dataset\":\"XZCF\",\"subject\":\"A\",\"unit\":"
		"\"u\",\"unit_code\":\"U\",\"date\":\"2026-01-01\",\"valid_until\":null,"
		"\"display_until\":null,\"objection\":false,\"fields\":{\"F\":0.5},\"masked\":[]}",
	};
	(void)state;
	for (size_t i = 0; i < sizeof other / sizeof *other; i++) {
		struct xy_csline l;
		if (agree(other[i], strlen(other[i])))
			fail_msg("the scanner took %s", other[i]);
		assert_int_equal(xy_csline_parse(other[i], strlen(other[i]), &l, err, sizeof err),
				 0);
		xy_csline_cleanup(&l);
	}
}

/* ... and refuses nothing the full parser takes nor takes anything it refuses: every
 * one-byte change of a good record line (removed, or replaced by a byte that matters to
 * JSON or to the checks) and every bad line of the tests above. */
static void test_por2_scanner_never_takes_what_the_full_parser_refuses(void **state)
{
	static const char subst[] = "\"\\{}[],: 0a-Z.\x7f\x01\xe4/nt";
	const char *lines[] = {RECORD,
			       "{\"op\":\"ticket\",\"ticket\":\"T1\",\"check\":\""
			       "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
			       "\",\"kind\":\"repair\",\"status\":\"closed\",\"updated\":"
			       "\"2026-11-22T08:00:00Z\",\"reply\":\"好\"}"};
	char buf[1024];
	long took = 0, tried = 0;
	(void)state;
	for (size_t k = 0; k < sizeof lines / sizeof *lines; k++) {
		size_t n = strlen(lines[k]);
		assert_true(n < sizeof buf);
		for (size_t i = 0; i < n; i++) {
			memcpy(buf, lines[k], i);
			memcpy(buf + i, lines[k] + i + 1, n - i - 1);
			took += agree(buf, n - 1);
			tried++;
			for (size_t j = 0; j < sizeof subst - 1; j++) {
				memcpy(buf, lines[k], n);
				buf[i] = subst[j];
				took += agree(buf, n);
				tried++;
			}
		}
	}
	assert_true(took > 0 && took < tried);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_por2_each_op_is_taken),
		cmocka_unit_test(test_por2_bad_values_are_refused_naming_the_field),
		cmocka_unit_test(test_por2_lines_that_are_not_change_set_objects_are_refused),
		cmocka_unit_test(test_por2_values_over_their_limit_are_refused),
		cmocka_unit_test(test_por2_header_is_checked),
		cmocka_unit_test(test_por2_scanner_takes_plain_lines_as_the_full_parser_reads_them),
		cmocka_unit_test(test_por2_scanner_leaves_other_forms_to_the_full_parser),
		cmocka_unit_test(test_por2_scanner_never_takes_what_the_full_parser_refuses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
