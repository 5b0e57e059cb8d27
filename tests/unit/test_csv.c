/* COL-2: the streaming CSV reader (util/csv.h) over util/textin.h.
 *
 * Most tests read a CSV text and compare a dump of what the reader handed out, one line
 * per record: "ROW:LINE ok VALUE|VALUE|..." or "ROW:LINE ERROR", with \n and \r inside
 * values shown as \n and \r.  The GB18030 bytes were made with
 * `printf ... | iconv -f utf-8 -t gb18030 | xxd -p`. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/csv.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/textin.h"

/* "统一社会信用代码,名称\n" in GB18030 */
#define GB_HEADER \
	"\xcd\xb3\xd2\xbb\xc9\xe7\xbb\xe1\xd0\xc5\xd3\xc3\xb4\xfa\xc2\xeb\x2c\xc3\xfb\xb3\xc6\x0a"
/* "九江市濂溪区某某餐饮店" in GB18030 */
#define GB_NAME \
	"\xbe\xc5\xbd\xad\xca\xd0\xe5\xa5\xcf\xaa\xc7\xf8\xc4\xb3\xc4\xb3\xb2\xcd\xd2\xfb\xb5\xea"
/* "𠮷" (U+20BB7): a four-byte GB18030 sequence */
#define GB_JI "\x95\x34\xb2\x35"

static const char *err_name(enum xy_row_error e)
{
	static const char *const names[] = {"ok",	"TOO_LONG",  "NUL",
					    "BAD_UTF8", "BAD_QUOTE", "TOO_MANY_FIELDS"};

	return (unsigned)e < sizeof(names) / sizeof(names[0]) ? names[e] : "?";
}

static void put_value(FILE *f, const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] == '\n')
			fputs("\\n", f);
		else if (p[i] == '\r')
			fputs("\\r", f);
		else
			fputc(p[i], f);
	}
}

static void dump_row(FILE *f, const struct xy_csv_row *row)
{
	int i;

	fprintf(f, "%ld:%ld %s", row->row_no, row->line_no, err_name(row->err));
	for (i = 0; i < row->nfields; i++) {
		fputc(i ? '|' : ' ', f);
		assert_int_equal(strlen(row->field[i]), row->len[i]);
		put_value(f, row->field[i], row->len[i]);
	}
	fputc('\n', f);
}

/* Everything the reader hands out for text read with encoding enc, each source read
 * returning at most piece bytes (0: no cap).  The caller frees the result. */
static char *dump_pieces(const char *text, size_t n, enum xy_encoding enc, size_t piece)
{
	struct xy_textin *t = NULL;
	struct xy_csv *c = NULL;
	struct xy_csv_row row;
	char *out = NULL;
	size_t outlen = 0;
	FILE *f = open_memstream(&out, &outlen);
	int rc;

	assert_non_null(f);
	assert_int_equal(xy_textin_open_mem_pieces(&t, text, n, enc, piece), 0);
	assert_int_equal(xy_csv_new(&c, t, ','), 0);
	while ((rc = xy_csv_next(c, &row)) == 1)
		dump_row(f, &row);
	assert_int_equal(rc, 0);
	assert_int_equal(xy_csv_next(c, &row), 0); /* the end stays the end */
	xy_csv_free(c);
	xy_textin_free(t);
	fclose(f);
	return out;
}

static char *dump_n(const char *text, size_t n)
{
	return dump_pieces(text, n, XY_ENC_AUTO, 0);
}

static char *dump(const char *text)
{
	return dump_n(text, strlen(text));
}

#define assert_dump(text, expected)                  \
	do {                                         \
		char *got_ = dump(text);             \
		assert_string_equal(got_, expected); \
		free(got_);                          \
	} while (0)

#define assert_dump_n(text, n, expected)             \
	do {                                         \
		char *got_ = dump_n(text, n);        \
		assert_string_equal(got_, expected); \
		free(got_);                          \
	} while (0)

static void test_col2_csv_quoted_commas_and_quotes(void **state)
{
	(void)state;
	assert_dump("名称,地址,备注\n"
		    "\"某某公司,分公司\",\"他说\"\"好\"\"\",\"\"\n",
		    "1:1 ok 名称|地址|备注\n"
		    "2:2 ok 某某公司,分公司|他说\"好\"|\n");
}

static void test_col2_csv_quoted_newline_keeps_row_and_line_numbers(void **state)
{
	(void)state;
	assert_dump("a,b\n"
		    "1,\"第一行\n第二行\n第三行\"\n"
		    "2,x\n"
		    "3,\"\n\"\n"
		    "4,y\n",
		    "1:1 ok a|b\n"
		    "2:2 ok 1|第一行\\n第二行\\n第三行\n"
		    "3:5 ok 2|x\n"
		    "4:6 ok 3|\\n\n"
		    "5:8 ok 4|y\n");
}

static void test_col2_csv_crlf(void **state)
{
	(void)state;
	assert_dump("a,b\r\n1,\"x\r\ny\"\r\n2,z\r\n", "1:1 ok a|b\n"
						      "2:2 ok 1|x\\r\\ny\n"
						      "3:4 ok 2|z\n");
}

/* Decision: a lone \r ends a line too (classic Mac exports). */
static void test_col2_csv_lone_cr_ends_a_line(void **state)
{
	(void)state;
	assert_dump("a,b\r1,2\r\r3,\"x\ry\"\r4,5", "1:1 ok a|b\n"
						   "2:2 ok 1|2\n"
						   "4:4 ok 3|x\\ry\n"
						   "5:6 ok 4|5\n");
}

static void test_col2_csv_bom_skipped(void **state)
{
	(void)state;
	assert_dump("\xEF\xBB\xBF统一社会信用代码,名称\r\n91360402MA35XXXX1X,某某店\r\n",
		    "1:1 ok 统一社会信用代码|名称\n"
		    "2:2 ok 91360402MA35XXXX1X|某某店\n");
}

static void test_col2_csv_header_only(void **state)
{
	(void)state;
	assert_dump("统一社会信用代码,名称\n", "1:1 ok 统一社会信用代码|名称\n");
	assert_dump("统一社会信用代码,名称", "1:1 ok 统一社会信用代码|名称\n");
}

static void test_col2_csv_empty_input(void **state)
{
	(void)state;
	assert_dump("", "");
	assert_dump("\xEF\xBB\xBF", "");
	assert_dump("\n\r\n", "");
}

static void test_col2_csv_trailing_newline_or_not(void **state)
{
	(void)state;
	assert_dump("a,b\n1,2\n", "1:1 ok a|b\n2:2 ok 1|2\n");
	assert_dump("a,b\n1,2", "1:1 ok a|b\n2:2 ok 1|2\n");
	assert_dump("a,b\r\n1,2\r", "1:1 ok a|b\n2:2 ok 1|2\n");
	assert_dump("a,b\n1,", "1:1 ok a|b\n2:2 ok 1|\n");
	assert_dump("a,b\n1,\"2\"", "1:1 ok a|b\n2:2 ok 1|2\n");
}

static void test_col2_csv_blank_lines_counted_in_row_no(void **state)
{
	(void)state;
	/* Row numbers match what a spreadsheet shows for the same file. */
	assert_dump("h\n\nx\r\n\r\n\r\ny\n\n", "1:1 ok h\n3:3 ok x\n6:6 ok y\n");
	/* A line of spaces, or of one empty quoted value, is a record, not a blank line. */
	assert_dump("h\n \n\"\"\n", "1:1 ok h\n2:2 ok  \n3:3 ok \n");
}

static void test_col2_csv_quote_inside_unquoted_field_is_literal(void **state)
{
	(void)state;
	assert_dump("a\"b,c\"\", \"d\"\n", "1:1 ok a\"b|c\"\"| \"d\"\n");
}

/* A record of n bytes: "x,yyyy...". */
static char *long_record(size_t n)
{
	char *s = malloc(n + 1);

	assert_non_null(s);
	memset(s, 'y', n);
	s[0] = 'x';
	s[1] = ',';
	s[n] = '\0';
	return s;
}

static void test_col2_csv_over_long_record_then_next_read(void **state)
{
	char *big = long_record(XY_LINE_MAX + 10), *text;
	size_t n;

	(void)state;
	n = strlen(big) + 32;
	text = malloc(n);
	assert_non_null(text);
	snprintf(text, n, "a,b\r\n%s\r\nok,1\r\n", big);
	assert_dump(text, "1:1 ok a|b\n2:2 TOO_LONG\n3:3 ok ok|1\n");
	/* Over-long at the end of the input, without a line ending. */
	snprintf(text, n, "a,b\n%s", big);
	assert_dump(text, "1:1 ok a|b\n2:2 TOO_LONG\n");
	free(text);
	free(big);
}

static void test_col2_csv_record_of_exactly_line_max_is_accepted(void **state)
{
	char *big = long_record(XY_LINE_MAX), *text, *got;
	size_t n = XY_LINE_MAX + 32;

	(void)state;
	text = malloc(n);
	assert_non_null(text);
	snprintf(text, n, "%s\r\nz\r\n", big);
	got = dump(text);
	assert_int_equal(strlen(got), strlen("1:1 ok x|\n2:2 ok z\n") + XY_LINE_MAX - 2);
	assert_memory_equal(got, "1:1 ok x|yyy", 12);
	assert_string_equal(got + strlen(got) - 12, "yy\n2:2 ok z\n");
	free(got);
	/* The same length with the value quoted: x,"yyy...y" */
	big[2] = '"';
	big[XY_LINE_MAX - 1] = '"';
	snprintf(text, n, "%s\r\nz\r\n", big);
	got = dump(text);
	assert_int_equal(strlen(got), strlen("1:1 ok x|\n2:2 ok z\n") + XY_LINE_MAX - 4);
	free(got);
	/* One byte more is too long. */
	snprintf(text, n, "%sy\r\nz\r\n", big);
	assert_dump(text, "1:1 TOO_LONG\n2:2 ok z\n");
	free(text);
	free(big);
}

static void test_col2_csv_nul_byte_rejects_that_row(void **state)
{
	static const char text[] = "a,b\n1,x\0y\n2,z\n";

	(void)state;
	assert_dump_n(text, sizeof(text) - 1, "1:1 ok a|b\n2:2 NUL\n3:3 ok 2|z\n");
}

static void test_col2_csv_invalid_utf8_rejects_that_row_only(void **state)
{
	(void)state;
	assert_dump("a,b\n"
		    "1,\xC0\xAF\n" /* overlong "/" */
		    "2,ok\n"
		    "3,\"\xED\xA0\x80\"\n" /* a surrogate */
		    "4,\xE4\xB8\n"	   /* a cut sequence */
		    "5,\xF4\x90\x80\x80\n" /* past U+10FFFF */
		    "6,好\n",
		    "1:1 ok a|b\n2:2 BAD_UTF8\n3:3 ok 2|ok\n4:4 BAD_UTF8\n5:5 BAD_UTF8\n"
		    "6:6 BAD_UTF8\n7:7 ok 6|好\n");
}

static void test_col2_csv_unterminated_quote_at_eof(void **state)
{
	(void)state;
	assert_dump("a,b\n1,\"never closed\n2,x\n", "1:1 ok a|b\n2:2 BAD_QUOTE\n");
}

static void test_col2_csv_text_after_closing_quote(void **state)
{
	(void)state;
	assert_dump("a,b\n\"x\"y,z\n\"1\",\"2\" \nok,1\n",
		    "1:1 ok a|b\n2:2 BAD_QUOTE\n3:3 BAD_QUOTE\n4:4 ok ok|1\n");
}

/* Appends a record of nf empty quoted values to text. */
static size_t put_empty_fields(char *text, size_t n, int nf)
{
	int i;

	for (i = 0; i < nf; i++) {
		if (i > 0)
			text[n++] = ',';
		text[n++] = '"';
		text[n++] = '"';
	}
	text[n++] = '\n';
	return n;
}

static void test_col2_csv_too_many_fields(void **state)
{
	char text[3 * 8 * XY_CSV_FIELDS_MAX], expect[XY_CSV_FIELDS_MAX + 64];
	size_t n;

	(void)state;
	n = put_empty_fields(text, 0, XY_CSV_FIELDS_MAX);
	n = put_empty_fields(text, n, XY_CSV_FIELDS_MAX + 1);
	n = put_empty_fields(text, n, 5 * XY_CSV_FIELDS_MAX);
	memcpy(text + n, "ok\n", 4);
	/* 256 empty values print as 255 separators. */
	memcpy(expect, "1:1 ok ", 7);
	memset(expect + 7, '|', XY_CSV_FIELDS_MAX - 1);
	snprintf(expect + 7 + XY_CSV_FIELDS_MAX - 1, sizeof(expect) - 7 - XY_CSV_FIELDS_MAX + 1,
		 "\n2:2 TOO_MANY_FIELDS\n3:3 TOO_MANY_FIELDS\n4:4 ok ok\n");
	assert_dump(text, expect);
}

static void test_col2_csv_values_point_into_one_reused_buffer(void **state)
{
	static const char text[] = "aa,\"b\"\"b\",cc\ndd,ee,ff\n";
	struct xy_textin *t;
	struct xy_csv *c;
	struct xy_csv_row row;
	char *first;

	(void)state;
	assert_int_equal(xy_textin_open_mem(&t, text, sizeof(text) - 1, XY_ENC_AUTO), 0);
	assert_int_equal(xy_csv_new(&c, t, ','), 0);
	assert_int_equal(xy_csv_next(c, &row), 1);
	assert_int_equal(row.nfields, 3);
	assert_string_equal(row.field[1], "b\"b");
	assert_int_equal(row.raw_len, strlen("aa,\"b\"\"b\",cc"));
	assert_memory_equal(row.raw, "aa,\"b\"\"b\",cc", row.raw_len);
	first = row.field[0];
	assert_int_equal(xy_csv_next(c, &row), 1);
	assert_ptr_equal(row.field[0], first);
	assert_string_equal(row.field[2], "ff");
	xy_csv_free(c);
	xy_textin_free(t);
}

static void test_col2_csv_other_delimiters(void **state)
{
	static const char text[] = "a;\"b;c\";d\te\n";
	struct xy_textin *t;
	struct xy_csv *c;
	struct xy_csv_row row;

	(void)state;
	assert_int_equal(xy_textin_open_mem(&t, text, sizeof(text) - 1, XY_ENC_UTF8), 0);
	assert_int_equal(xy_csv_new(&c, t, '"'), XY_EINVAL);
	assert_int_equal(xy_csv_new(&c, t, '\n'), XY_EINVAL);
	assert_int_equal(xy_csv_new(&c, t, (char)0xE4), XY_EINVAL);
	assert_int_equal(xy_csv_new(&c, t, ';'), 0);
	assert_int_equal(xy_csv_next(c, &row), 1);
	assert_int_equal(row.err, XY_ROW_OK);
	assert_int_equal(row.nfields, 3);
	assert_string_equal(row.field[1], "b;c");
	assert_string_equal(row.field[2], "d\te");
	assert_int_equal(xy_csv_next(c, &row), 0);
	xy_csv_free(c);
	xy_textin_free(t);
}

static const char gb_file[] =
	GB_HEADER "91360402MA35XXXX1X," GB_NAME "\r\n"
		  "91360402MA35YYYY2Y,\"" GB_JI "\xd2\xb0\xbc\xd2,\xb7\xd6\xb5\xea\"\r\n";
static const char gb_expected[] = "1:1 ok 统一社会信用代码|名称\n"
				  "2:2 ok 91360402MA35XXXX1X|九江市濂溪区某某餐饮店\n"
				  "3:3 ok 91360402MA35YYYY2Y|𠮷野家,分店\n";

static void test_col2_csv_gb18030_decoded(void **state)
{
	struct xy_textin *t;
	char *got;

	(void)state;
	assert_int_equal(xy_textin_open_mem(&t, gb_file, sizeof(gb_file) - 1, XY_ENC_AUTO), 0);
	assert_int_equal(xy_textin_encoding(t), XY_ENC_GB18030);
	xy_textin_free(t);
	got = dump_pieces(gb_file, sizeof(gb_file) - 1, XY_ENC_AUTO, 0);
	assert_string_equal(got, gb_expected);
	free(got);
	got = dump_pieces(gb_file, sizeof(gb_file) - 1, XY_ENC_GB18030, 0);
	assert_string_equal(got, gb_expected);
	free(got);
}

static void test_col2_csv_gb18030_split_across_reads(void **state)
{
	size_t piece;
	char *got;

	(void)state;
	/* Pieces of 1..7 bytes cut every two- and four-byte sequence at every place. */
	for (piece = 1; piece <= 7; piece++) {
		got = dump_pieces(gb_file, sizeof(gb_file) - 1, XY_ENC_AUTO, piece);
		assert_string_equal(got, gb_expected);
		free(got);
	}
}

/* The same through a pipe written in pieces, cut inside the four-byte sequence. */
static void test_col2_csv_gb18030_split_across_pipe_writes(void **state)
{
	size_t cut = strstr(gb_file, GB_JI) - gb_file + 2;
	struct xy_textin *t;
	struct xy_csv *c;
	struct xy_csv_row row;
	int fds[2], status;
	pid_t pid;

	(void)state;
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		if (write(fds[1], gb_file, cut) != (ssize_t)cut)
			_exit(1);
		usleep(50 * 1000);
		if (write(fds[1], gb_file + cut, sizeof(gb_file) - 1 - cut) < 0)
			_exit(1);
		_exit(0);
	}
	close(fds[1]);
	assert_int_equal(xy_textin_open_fd(&t, fds[0], XY_ENC_GB18030), 0);
	assert_int_equal(xy_csv_new(&c, t, ','), 0);
	assert_int_equal(xy_csv_next(c, &row), 1);
	assert_int_equal(xy_csv_next(c, &row), 1);
	assert_int_equal(xy_csv_next(c, &row), 1);
	assert_int_equal(row.err, XY_ROW_OK);
	assert_string_equal(row.field[1], "𠮷野家,分店");
	assert_int_equal(xy_csv_next(c, &row), 0);
	assert_int_equal(xy_textin_offset(t), sizeof(gb_file) - 1);
	xy_csv_free(c);
	xy_textin_free(t);
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(status, 0);
}

static void test_col2_csv_gb18030_invalid_sequence_rejects_that_row_only(void **state)
{
	static const char text[] = GB_HEADER "1," GB_NAME "\n"
					     "2,\x81\n" /* a lead byte, then the line break */
					     "3,\x80\n" /* never valid */
					     "4," GB_NAME "\xFF\n"
					     "5,\x95\x34\x20\x35\n" /* a broken four-byte code */
					     "6," GB_JI "\n";
	char *got;
	size_t piece;

	(void)state;
	for (piece = 0; piece <= 3; piece++) {
		got = dump_pieces(text, sizeof(text) - 1, XY_ENC_AUTO, piece);
		assert_string_equal(got, "1:1 ok 统一社会信用代码|名称\n"
					 "2:2 ok 1|九江市濂溪区某某餐饮店\n"
					 "3:3 BAD_UTF8\n4:4 BAD_UTF8\n5:5 BAD_UTF8\n6:6 BAD_UTF8\n"
					 "7:7 ok 6|𠮷\n");
		free(got);
	}
}

/* A mixed text with every feature: read with every small read size, the reader must
 * hand out the same rows as with whole reads. */
static void test_col2_csv_result_does_not_depend_on_read_sizes(void **state)
{
	static const char text[] = "\xEF\xBB\xBF名称,\"备注\"\r\n"
				   "\"a,\"\"b\"\"\r\nc\",d\r\n\r\n"
				   "x,\xC3\x28\n"
				   "\"q\"z,1\rlast,\"\"\r";
	char *whole, *got;
	size_t piece;

	(void)state;
	whole = dump_pieces(text, sizeof(text) - 1, XY_ENC_AUTO, 0);
	assert_string_equal(whole, "1:1 ok 名称|备注\n"
				   "2:2 ok a,\"b\"\\r\\nc|d\n"
				   "4:5 BAD_UTF8\n"
				   "5:6 BAD_QUOTE\n"
				   "6:7 ok last|\n");
	for (piece = 1; piece <= 19; piece++) {
		got = dump_pieces(text, sizeof(text) - 1, XY_ENC_AUTO, piece);
		assert_string_equal(got, whole);
		free(got);
	}
	free(whole);
}

static void test_col2_csv_read_error_is_fatal(void **state)
{
	static const char text[] = "a,b\n";
	struct xy_textin *t;
	struct xy_csv *c;
	struct xy_csv_row row;
	int fds[2];

	(void)state;
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(write(fds[1], text, 4), 4);
	close(fds[1]);
	assert_int_equal(xy_textin_open_fd(&t, fds[0], XY_ENC_UTF8), 0);
	assert_int_equal(xy_csv_new(&c, t, ','), 0);
	close(fds[0]); /* reads now fail with EBADF */
	assert_int_equal(xy_csv_next(c, &row), 1);
	assert_int_equal(xy_csv_next(c, &row), XY_EIO);
	xy_csv_free(c);
	xy_textin_free(t);
}

static void test_col2_csv_row_error_texts(void **state)
{
	enum xy_row_error e;

	(void)state;
	assert_string_equal(xy_row_error_zh(XY_ROW_TOO_LONG), "该行超过长度上限 65536 字节");
	assert_string_equal(xy_row_error_en(XY_ROW_TOO_LONG),
			    "row longer than the 65536-byte limit");
	assert_non_null(strstr(xy_row_error_zh(XY_ROW_TOO_MANY_FIELDS), "256"));
	for (e = XY_ROW_TOO_LONG; e <= XY_ROW_TOO_MANY_FIELDS; e++) {
		assert_true(strlen(xy_row_error_zh(e)) > 8);
		assert_true(strlen(xy_row_error_en(e)) > 8);
		assert_string_not_equal(xy_row_error_zh(e), xy_row_error_zh(XY_ROW_OK));
	}
	assert_non_null(xy_row_error_zh((enum xy_row_error)99));
	assert_non_null(xy_row_error_en((enum xy_row_error) - 1));
}

/* ~400-byte, 30-field rows with quoted values and Chinese text. */
static int make_row(char *buf, size_t cap, long i)
{
	int n = snprintf(buf, cap, "91360402MA35%06ld,\"九江市濂溪区某某餐饮店,第%ld分店\"", i, i);
	int k;

	for (k = 2; k < 30; k++)
		n += snprintf(buf + n, cap - (size_t)n, ",v%02d-%08ld", k, i);
	n += snprintf(buf + n, cap - (size_t)n, "\r\n");
	return n;
}

#define BIG_BYTES (50L * 1024 * 1024)

static void write_big_csv(int fd)
{
	static char block[1 << 16];
	size_t n = 0;
	long i = 0, total = 0;

	while (total < BIG_BYTES) {
		n += (size_t)make_row(block + n, sizeof(block) - n, i++);
		if (n > sizeof(block) - 1024) {
			if (write(fd, block, n) != (ssize_t)n)
				_exit(1);
			total += (long)n;
			n = 0;
		}
	}
	if (n > 0 && write(fd, block, n) != (ssize_t)n)
		_exit(1);
	_exit(0);
}

static long maxrss_kib(void)
{
	struct rusage ru;

	assert_int_equal(getrusage(RUSAGE_SELF, &ru), 0);
	return ru.ru_maxrss;
}

static void test_col2_csv_memory_does_not_grow_with_the_file(void **state)
{
	struct xy_textin *t;
	struct xy_csv *c;
	struct xy_csv_row row;
	char expect[1024];
	long rows = 0, before, after;
	size_t mem;
	int fds[2], rc, status;
	pid_t pid;

	(void)state;
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		write_big_csv(fds[1]);
	}
	close(fds[1]);
	before = maxrss_kib();
	assert_int_equal(xy_textin_open_fd(&t, fds[0], XY_ENC_AUTO), 0);
	assert_int_equal(xy_csv_new(&c, t, ','), 0);
	mem = xy_csv_mem_size(c) + xy_textin_mem_size(t);
	while ((rc = xy_csv_next(c, &row)) == 1) {
		assert_int_equal(row.err, XY_ROW_OK);
		assert_int_equal(row.nfields, 30);
		assert_int_equal(row.row_no, rows + 1);
		assert_int_equal(row.line_no, rows + 1);
		/* what was written, less its \r\n */
		assert_int_equal(row.raw_len, (size_t)make_row(expect, sizeof(expect), rows) - 2);
		assert_memory_equal(row.raw, expect, row.raw_len);
		snprintf(expect, sizeof(expect), "九江市濂溪区某某餐饮店,第%ld分店", rows);
		assert_string_equal(row.field[1], expect);
		rows++;
	}
	assert_int_equal(rc, 0);
	after = maxrss_kib();
	assert_true(xy_textin_offset(t) >= (unsigned long long)BIG_BYTES);
	/* The reader's buffers are fixed; the process grew by less than a few MiB while it
	 * read 50 MB (ASan's own bookkeeping included). */
	assert_int_equal(xy_csv_mem_size(c) + xy_textin_mem_size(t), mem);
	assert_true(mem < 1024 * 1024);
	assert_true(after - before < 8 * 1024);
	xy_csv_free(c);
	xy_textin_free(t);
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(status, 0);
	assert_true(rows > 100000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_col2_csv_quoted_commas_and_quotes),
		cmocka_unit_test(test_col2_csv_quoted_newline_keeps_row_and_line_numbers),
		cmocka_unit_test(test_col2_csv_crlf),
		cmocka_unit_test(test_col2_csv_lone_cr_ends_a_line),
		cmocka_unit_test(test_col2_csv_bom_skipped),
		cmocka_unit_test(test_col2_csv_header_only),
		cmocka_unit_test(test_col2_csv_empty_input),
		cmocka_unit_test(test_col2_csv_trailing_newline_or_not),
		cmocka_unit_test(test_col2_csv_blank_lines_counted_in_row_no),
		cmocka_unit_test(test_col2_csv_quote_inside_unquoted_field_is_literal),
		cmocka_unit_test(test_col2_csv_over_long_record_then_next_read),
		cmocka_unit_test(test_col2_csv_record_of_exactly_line_max_is_accepted),
		cmocka_unit_test(test_col2_csv_nul_byte_rejects_that_row),
		cmocka_unit_test(test_col2_csv_invalid_utf8_rejects_that_row_only),
		cmocka_unit_test(test_col2_csv_unterminated_quote_at_eof),
		cmocka_unit_test(test_col2_csv_text_after_closing_quote),
		cmocka_unit_test(test_col2_csv_too_many_fields),
		cmocka_unit_test(test_col2_csv_values_point_into_one_reused_buffer),
		cmocka_unit_test(test_col2_csv_other_delimiters),
		cmocka_unit_test(test_col2_csv_gb18030_decoded),
		cmocka_unit_test(test_col2_csv_gb18030_split_across_reads),
		cmocka_unit_test(test_col2_csv_gb18030_split_across_pipe_writes),
		cmocka_unit_test(test_col2_csv_gb18030_invalid_sequence_rejects_that_row_only),
		cmocka_unit_test(test_col2_csv_result_does_not_depend_on_read_sizes),
		cmocka_unit_test(test_col2_csv_read_error_is_fatal),
		cmocka_unit_test(test_col2_csv_row_error_texts),
		cmocka_unit_test(test_col2_csv_memory_does_not_grow_with_the_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
