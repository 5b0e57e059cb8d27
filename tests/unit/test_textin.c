/* COL-2: text input for imports — UTF-8 checks (util/utf8.h), encoding detection and
 * GB18030 conversion (util/textin.h) and the JSON Lines reader (util/lines.h).
 * The GB18030 bytes were made with `printf ... | iconv -f utf-8 -t gb18030 | xxd -p`. */
#include <fcntl.h>
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

#include "util/err.h"
#include "util/limits.h"
#include "util/lines.h"
#include "util/textin.h"
#include "util/utf8.h"

/* "统一社会信用代码,名称\n" */
#define GB_HEADER \
	"\xcd\xb3\xd2\xbb\xc9\xe7\xbb\xe1\xd0\xc5\xd3\xc3\xb4\xfa\xc2\xeb\x2c\xc3\xfb\xb3\xc6\x0a"
#define UTF8_HEADER "统一社会信用代码,名称\n"
/* "九江市濂溪区某某餐饮店" */
#define GB_NAME \
	"\xbe\xc5\xbd\xad\xca\xd0\xe5\xa5\xcf\xaa\xc7\xf8\xc4\xb3\xc4\xb3\xb2\xcd\xd2\xfb\xb5\xea"
#define UTF8_NAME "九江市濂溪区某某餐饮店"
/* "𠮷" (U+20BB7): four bytes in GB18030 and in UTF-8 */
#define GB_JI	"\x95\x34\xb2\x35"
#define UTF8_JI "\xf0\xa0\xae\xb7"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- util/utf8.h ---- */

static void test_col2_utf8_accepts_valid_text(void **state)
{
	static const char *const good[] = {
		"",
		"plain ascii",
		"统一社会信用代码",
		UTF8_JI,
		"\xC2\x80",
		"\xDF\xBF",
		"\xE0\xA0\x80",
		"\xED\x9F\xBF" /* U+D7FF */,
		"\xEE\x80\x80" /* U+E000 */,
		"\xEF\xBF\xBF",
		"\xF0\x90\x80\x80",
		"\xF4\x8F\xBF\xBF" /* U+10FFFF */,
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(good); i++)
		assert_true(xy_utf8_valid(good[i], strlen(good[i])));
}

static void test_col2_utf8_rejects_overlongs_surrogates_and_out_of_range(void **state)
{
	static const char *const bad[] = {
		"\xC0\xAF",
		"\xC1\xBF",
		"\xE0\x80\xAF",
		"\xE0\x9F\xBF",
		"\xF0\x80\x80\xAF",
		"\xF0\x8F\xBF\xBF", /* overlongs */
		"\xED\xA0\x80",
		"\xED\xBF\xBF", /* surrogates */
		"\xF4\x90\x80\x80",
		"\xF5\x80\x80\x80", /* past U+10FFFF */
		"\x80",
		"\xBF",
		"\xFE",
		"\xFF", /* never a lead byte */
		"\xE4\xB8",
		"\xF0\xA0\xAE", /* cut short */
		"\xE4\x41\xAD",
		"a\xC3(", /* not a continuation */
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(bad); i++)
		assert_false(xy_utf8_valid(bad[i], strlen(bad[i])));
}

static void test_col2_utf8_error_found_anywhere_in_long_text(void **state)
{
	char text[200];
	size_t at;

	(void)state;
	/* The word-at-a-time path must not step over a bad byte at any offset. */
	for (at = 0; at < 64; at++) {
		memset(text, 'a', sizeof(text));
		memcpy(text + 100, "好好", 6);
		assert_true(xy_utf8_valid(text, sizeof(text)));
		text[at] = (char)0x80;
		assert_false(xy_utf8_valid(text, sizeof(text)));
		assert_int_equal(xy_ascii_prefix(text, sizeof(text)), at);
	}
}

static void test_col2_utf8_prefix_and_length(void **state)
{
	(void)state;
	assert_true(xy_utf8_valid_prefix("好\xE4\xB8", 5));
	assert_false(xy_utf8_valid("好\xE4\xB8", 5));
	assert_false(xy_utf8_valid_prefix("好\xE4\x41", 5));
	assert_int_equal(xy_utf8_seq(UTF8_JI, 4), 4);
	assert_int_equal(xy_utf8_seq(UTF8_JI, 3), 0);
	assert_int_equal(xy_utf8_seq("\xC0\xAF", 2), -1);
	assert_int_equal(xy_utf8_len("统一a" UTF8_JI, strlen("统一a" UTF8_JI)), 4);
	assert_int_equal(xy_utf8_len("", 0), 0);
}

/* ---- encoding names and detection ---- */

static void test_col2_encoding_names(void **state)
{
	enum xy_encoding e = XY_ENC_UTF8;

	(void)state;
	assert_int_equal(xy_encoding_parse("GB18030", &e), 0);
	assert_int_equal(e, XY_ENC_GB18030);
	assert_int_equal(xy_encoding_parse("gbk", &e), 0);
	assert_int_equal(e, XY_ENC_GB18030);
	assert_int_equal(xy_encoding_parse("GB2312", &e), 0);
	assert_int_equal(e, XY_ENC_GB18030);
	assert_int_equal(xy_encoding_parse("UTF-8", &e), 0);
	assert_int_equal(e, XY_ENC_UTF8);
	assert_int_equal(xy_encoding_parse("utf8", &e), 0);
	assert_int_equal(e, XY_ENC_UTF8);
	assert_int_equal(xy_encoding_parse("Auto", &e), 0);
	assert_int_equal(e, XY_ENC_AUTO);
	assert_int_equal(xy_encoding_parse("latin1", &e), XY_EINVAL);
	assert_int_equal(xy_encoding_parse("utf-16", &e), XY_EINVAL);
	assert_int_equal(xy_encoding_parse("", &e), XY_EINVAL);
	assert_int_equal(xy_encoding_parse(NULL, &e), XY_EINVAL);
	assert_string_equal(xy_encoding_name(XY_ENC_UTF8), "utf-8");
	assert_string_equal(xy_encoding_name(XY_ENC_GB18030), "gb18030");
	assert_string_equal(xy_encoding_name(XY_ENC_AUTO), "auto");
}

/* Detection result as a word: "utf-8", "utf-8+bom", "gb18030", "refused". */
static const char *detect(const char *p, size_t n, int final)
{
	enum xy_encoding e = XY_ENC_AUTO;
	size_t bom = 99;

	if (xy_encoding_detect(p, n, final, &e, &bom) != 0)
		return "refused";
	if (e == XY_ENC_UTF8)
		return bom == 3 ? "utf-8+bom" : bom == 0 ? "utf-8" : "?";
	if (e == XY_ENC_GB18030)
		return bom == 4 ? "gb18030+bom" : bom == 0 ? "gb18030" : "?";
	return "?";
}

#define DETECT(lit, final) detect(lit, sizeof(lit) - 1, final)

static void test_col2_detect_utf8_gb18030_and_boms(void **state)
{
	(void)state;
	assert_string_equal(DETECT("", 1), "utf-8");
	assert_string_equal(DETECT("code,name\n", 1), "utf-8");
	assert_string_equal(DETECT(UTF8_HEADER, 1), "utf-8");
	assert_string_equal(DETECT("\xEF\xBB\xBF" UTF8_HEADER, 1), "utf-8+bom");
	assert_string_equal(DETECT("\xEF\xBB\xBF", 1), "utf-8+bom");
	assert_string_equal(DETECT(GB_HEADER, 1), "gb18030");
	assert_string_equal(DETECT(GB_HEADER "1," GB_NAME GB_JI "\n", 1), "gb18030");
	assert_string_equal(DETECT("\x84\x31\x95\x33" GB_HEADER, 1), "gb18030+bom");
}

static void test_col2_detect_refuses_utf16_utf32_and_garbage(void **state)
{
	(void)state;
	assert_string_equal(DETECT("\xFF\xFEh\0e\0a\0d\0", 1), "refused"); /* UTF-16 LE */
	assert_string_equal(DETECT("\xFE\xFF\0h\0e\0a\0d", 1), "refused"); /* UTF-16 BE */
	assert_string_equal(DETECT("\xFF\xFE\0\0h\0\0\0", 1), "refused");  /* UTF-32 LE */
	assert_string_equal(DETECT("\0\0\xFE\xFF\0\0\0h", 1), "refused");  /* UTF-32 BE */
	assert_string_equal(DETECT("\xFF\xFEh\0e\0a\0d\0", 0), "refused");
	assert_string_equal(DETECT("PK\x03\x04\x14\0\x06\0\x80\xFF", 1), "refused"); /* .xlsx */
	assert_string_equal(DETECT("a\x80", 0), "refused");
}

static void test_col2_detect_cut_sequence_only_before_the_end(void **state)
{
	(void)state;
	/* "统一" and the first byte of "社": fine in a prefix, not at the end of the file. */
	assert_string_equal(DETECT("统一\xE7", 0), "utf-8");
	assert_string_equal(DETECT("统一\xE7", 1), "refused");
	/* The same with GB18030 cut inside its four-byte sequence. */
	assert_string_equal(DETECT(GB_NAME "\x95\x34\xb2", 0), "gb18030");
	assert_string_equal(DETECT(GB_NAME "\x95\x34\xb2", 1), "refused");
	/* A sequence that is wrong before the cut is wrong in a prefix too. */
	assert_string_equal(DETECT(GB_NAME "\x95\x34\x20", 0), "refused");
}

/* ---- util/textin.h ---- */

/* All the UTF-8 that t yields, read in pieces of at most chunk bytes. */
static char *read_all(struct xy_textin *t, size_t chunk, size_t *n)
{
	size_t cap = 1024, len = 0;
	char *out = malloc(cap + 1);
	ssize_t got;

	assert_non_null(out);
	for (;;) {
		if (cap - len < chunk) {
			cap = 2 * cap + chunk;
			out = realloc(out, cap + 1);
			assert_non_null(out);
		}
		got = xy_textin_read(t, out + len, chunk);
		assert_true(got >= 0);
		if (got == 0)
			break;
		len += (size_t)got;
	}
	out[len] = '\0';
	*n = len;
	return out;
}

/* Decodes [p, p+n) with enc and source reads of at most piece bytes; checks the encoding
 * chosen and returns the text (caller frees). */
static char *decode(const char *p, size_t n, enum xy_encoding enc, size_t piece,
		    enum xy_encoding want)
{
	struct xy_textin *t;
	char *out;
	size_t len;

	assert_int_equal(xy_textin_open_mem_pieces(&t, p, n, enc, piece), 0);
	out = read_all(t, piece ? piece + 3 : 4096, &len);
	assert_int_equal(strlen(out), len);
	assert_int_equal(xy_textin_encoding(t), want);
	assert_int_equal(xy_textin_offset(t), n);
	xy_textin_free(t);
	return out;
}

static void test_col2_textin_utf8_bom_skipped_text_unchanged(void **state)
{
	static const char text[] = "\xEF\xBB\xBF" UTF8_HEADER "1," UTF8_NAME UTF8_JI "\r\n";
	char *out;

	(void)state;
	out = decode(text, sizeof(text) - 1, XY_ENC_AUTO, 0, XY_ENC_UTF8);
	assert_string_equal(out, UTF8_HEADER "1," UTF8_NAME UTF8_JI "\r\n");
	free(out);
	out = decode(text, sizeof(text) - 1, XY_ENC_UTF8, 0, XY_ENC_UTF8);
	assert_string_equal(out, UTF8_HEADER "1," UTF8_NAME UTF8_JI "\r\n");
	free(out);
	/* UTF-8 passes through unchanged, bad bytes included: the readers judge it. */
	out = decode("a\xC0\xAF", 3, XY_ENC_UTF8, 0, XY_ENC_UTF8);
	assert_string_equal(out, "a\xC0\xAF");
	free(out);
}

static const char gb_text[] = GB_HEADER "91360402MA35XXXX1X," GB_NAME GB_JI "\r\n";
static const char gb_text_utf8[] = UTF8_HEADER "91360402MA35XXXX1X," UTF8_NAME UTF8_JI "\r\n";

static void test_col2_textin_gb18030_decoded_including_four_byte(void **state)
{
	char *out;

	(void)state;
	out = decode(gb_text, sizeof(gb_text) - 1, XY_ENC_AUTO, 0, XY_ENC_GB18030);
	assert_string_equal(out, gb_text_utf8);
	free(out);
	out = decode(gb_text, sizeof(gb_text) - 1, XY_ENC_GB18030, 0, XY_ENC_GB18030);
	assert_string_equal(out, gb_text_utf8);
	free(out);
	/* A GB18030 BOM is skipped like a UTF-8 one. */
	out = decode("\x84\x31\x95\x33" GB_NAME, 26, XY_ENC_AUTO, 0, XY_ENC_GB18030);
	assert_string_equal(out, UTF8_NAME);
	free(out);
}

static void test_col2_textin_gb18030_sequences_cut_across_reads(void **state)
{
	size_t piece;
	char *out;

	(void)state;
	for (piece = 1; piece <= 9; piece++) {
		out = decode(gb_text, sizeof(gb_text) - 1, XY_ENC_AUTO, piece, XY_ENC_GB18030);
		assert_string_equal(out, gb_text_utf8);
		free(out);
		out = decode(gb_text, sizeof(gb_text) - 1, XY_ENC_GB18030, piece, XY_ENC_GB18030);
		assert_string_equal(out, gb_text_utf8);
		free(out);
	}
}

/* A pipe written one byte at a time: every multibyte sequence arrives in pieces. */
static void test_col2_textin_gb18030_through_a_pipe_byte_by_byte(void **state)
{
	struct xy_textin *t;
	int fds[2], status;
	pid_t pid;
	size_t i, len;
	char *out;

	(void)state;
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		for (i = 0; i < sizeof(gb_text) - 1; i++) {
			if (write(fds[1], gb_text + i, 1) != 1)
				_exit(1);
			usleep(1000);
		}
		_exit(0);
	}
	close(fds[1]);
	assert_int_equal(xy_textin_open_fd(&t, fds[0], XY_ENC_GB18030), 0);
	out = read_all(t, 64, &len);
	assert_string_equal(out, gb_text_utf8);
	assert_int_equal(xy_textin_offset(t), sizeof(gb_text) - 1);
	free(out);
	xy_textin_free(t);
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(status, 0);
}

static void test_col2_textin_gb18030_invalid_bytes_become_ff(void **state)
{
	/* a bad trail byte (the line break survives), 0x80, 0xFF, a four-byte code cut
	 * by the end of the file */
	static const char text[] = GB_NAME "\x81\n"
					   "b\x80"
					   "c\xFF"
					   "d" GB_JI "\x95\x34";
	char *out;
	size_t piece;

	(void)state;
	for (piece = 0; piece <= 4; piece++) {
		out = decode(text, sizeof(text) - 1, XY_ENC_GB18030, piece, XY_ENC_GB18030);
		assert_string_equal(out, UTF8_NAME "\xFF\n"
						   "b\xFF"
						   "c\xFF"
						   "d" UTF8_JI "\xFF"
						   "4");
		free(out);
	}
}

static void test_col2_textin_refuses_unsupported_encodings(void **state)
{
	static const char utf16[] = "\xFF\xFE\x1F\x7EN\x4E";
	static const char junk[] = "\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\xFF\xFF\xFF\xFF"
				   "\xFF\xFF\xFF\xFF\x80\x80\x80\x80\x80\x80\x80\x80";
	struct xy_textin *t = (struct xy_textin *)&t;

	(void)state;
	assert_int_equal(xy_textin_open_mem(&t, utf16, sizeof(utf16) - 1, XY_ENC_AUTO),
			 XY_EENCODING);
	assert_null(t);
	assert_int_equal(xy_textin_open_mem(&t, utf16, sizeof(utf16) - 1, XY_ENC_UTF8),
			 XY_EENCODING);
	assert_int_equal(xy_textin_open_mem(&t, utf16, sizeof(utf16) - 1, XY_ENC_GB18030),
			 XY_EENCODING);
	assert_int_equal(xy_textin_open_mem(&t, junk, sizeof(junk) - 1, XY_ENC_AUTO), XY_EENCODING);
	/* Told GB18030, but the file says UTF-8. */
	assert_int_equal(xy_textin_open_mem(&t, "\xEF\xBB\xBFok", 5, XY_ENC_GB18030), XY_EENCODING);
	assert_int_equal(xy_textin_open_mem(&t, "x", 1, (enum xy_encoding)7), XY_EINVAL);
	assert_int_equal(xy_textin_open_fd(&t, -1, XY_ENC_AUTO), XY_EINVAL);
}

static void test_col2_textin_a_few_bad_bytes_do_not_refuse_the_file(void **state)
{
	static const char utf8[] = UTF8_HEADER "1," UTF8_NAME "\n2,\xC0\xAF\n3," UTF8_NAME "\n";
	static const char gb[] = GB_HEADER "1," GB_NAME "\n2,\x80\n3," GB_NAME "\n";
	char *out;

	(void)state;
	/* Not strictly one encoding: the reader picks the one nearly all of it is in, so
	 * that only the bad row is rejected later. */
	assert_string_equal(DETECT(utf8, 1), "refused");
	out = decode(utf8, sizeof(utf8) - 1, XY_ENC_AUTO, 0, XY_ENC_UTF8);
	assert_string_equal(out, utf8);
	free(out);
	out = decode(gb, sizeof(gb) - 1, XY_ENC_AUTO, 0, XY_ENC_GB18030);
	assert_string_equal(out, UTF8_HEADER "1," UTF8_NAME "\n2,\xFF\n3," UTF8_NAME "\n");
	free(out);
}

/* More than the sniffed 64 KiB of ASCII, then text that says which encoding it is. */
static char *ascii_then(const char *tail, size_t tail_len, size_t *n)
{
	size_t head = XY_TEXTIN_SNIFF + 5000, i;
	char *p = malloc(head + tail_len + 1);

	assert_non_null(p);
	for (i = 0; i < head; i++)
		p[i] = i % 50 == 49 ? '\n' : (char)('a' + i % 26);
	memcpy(p + head, tail, tail_len);
	p[head + tail_len] = '\0';
	*n = head + tail_len;
	return p;
}

static void test_col2_textin_detects_late_after_an_ascii_start(void **state)
{
	size_t n, head = XY_TEXTIN_SNIFF + 5000;
	char *text, *out;

	(void)state;
	text = ascii_then(GB_HEADER GB_NAME, sizeof(GB_HEADER GB_NAME) - 1, &n);
	out = decode(text, n, XY_ENC_AUTO, 0, XY_ENC_GB18030);
	assert_memory_equal(out, text, head);
	assert_string_equal(out + head, UTF8_HEADER UTF8_NAME);
	free(out);
	out = decode(text, n, XY_ENC_AUTO, 777, XY_ENC_GB18030);
	assert_string_equal(out + head, UTF8_HEADER UTF8_NAME);
	free(out);
	free(text);
	text = ascii_then(UTF8_HEADER UTF8_NAME, sizeof(UTF8_HEADER UTF8_NAME) - 1, &n);
	out = decode(text, n, XY_ENC_AUTO, 0, XY_ENC_UTF8);
	assert_string_equal(out, text);
	free(out);
	free(text);
}

/* The choice is made from the first 64 KiB however much one read returns: 70 KiB of
 * UTF-8 then 100 KiB of GB18030 is UTF-8 (the GB18030 rows will be rejected), whole or in
 * pieces, although most of the file is GB18030. */
static void test_col2_textin_choice_does_not_depend_on_read_size(void **state)
{
	static const char utf8[] = UTF8_NAME "\n", gb[] = GB_NAME "\n";
	size_t n = 0, piece, cap = XY_TEXTIN_SNIFF + 120 * 1024;
	char *text = malloc(cap), *out;

	(void)state;
	assert_non_null(text);
	while (n < XY_TEXTIN_SNIFF + 6000) {
		memcpy(text + n, utf8, sizeof(utf8) - 1);
		n += sizeof(utf8) - 1;
	}
	while (n < XY_TEXTIN_SNIFF + 106000) {
		memcpy(text + n, gb, sizeof(gb) - 1);
		n += sizeof(gb) - 1;
	}
	for (piece = 0; piece <= 5000; piece += 1000) {
		out = decode(text, n, XY_ENC_AUTO, piece, XY_ENC_UTF8);
		assert_memory_equal(out, text, n);
		free(out);
	}
	free(text);
}

struct sum {
	unsigned long long sum, len;
};

static void tap_sum(void *arg, const void *p, size_t n)
{
	struct sum *s = arg;
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		s->sum = s->sum * 31 + b[i]; /* order matters too */
	s->len += n;
}

static struct sum sum_of(const char *p, size_t n)
{
	struct sum s = {0, 0};

	tap_sum(&s, p, n);
	return s;
}

static void check_tap(const char *p, size_t n, enum xy_encoding enc, size_t piece)
{
	struct xy_textin *t;
	struct sum got = {0, 0}, want = sum_of(p, n);
	char *out;
	size_t len;

	assert_int_equal(xy_textin_open_mem_pieces(&t, p, n, enc, piece), 0);
	xy_textin_set_tap(t, tap_sum, &got);
	out = read_all(t, 1000, &len);
	assert_int_equal(got.len, n);
	assert_true(got.sum == want.sum);
	assert_int_equal(xy_textin_offset(t), n);
	free(out);
	xy_textin_free(t);
}

static void test_col2_textin_tap_sees_every_raw_byte(void **state)
{
	static const char bom[] = "\xEF\xBB\xBF" UTF8_HEADER;
	size_t n;
	char *big;

	(void)state;
	check_tap(bom, sizeof(bom) - 1, XY_ENC_AUTO, 0);
	check_tap(bom, sizeof(bom) - 1, XY_ENC_UTF8, 2);
	check_tap(gb_text, sizeof(gb_text) - 1, XY_ENC_AUTO, 0);
	check_tap(gb_text, sizeof(gb_text) - 1, XY_ENC_GB18030, 3);
	check_tap("", 0, XY_ENC_AUTO, 0);
	big = ascii_then(GB_HEADER, sizeof(GB_HEADER) - 1, &n);
	check_tap(big, n, XY_ENC_AUTO, 0);
	check_tap(big, n, XY_ENC_AUTO, 1000);
	free(big);
}

static void test_col2_textin_read_error_is_reported(void **state)
{
	struct xy_textin *t;
	int fd = open("/", O_RDONLY | O_DIRECTORY);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(xy_textin_open_fd(&t, fd, XY_ENC_AUTO), XY_EIO);
	close(fd);
}

/* ---- util/lines.h ---- */

/* One line per JSON line handed out: "ROW ok TEXT" or "ROW ERROR". */
static char *dump_lines(const char *p, size_t n, enum xy_encoding enc, size_t piece)
{
	struct xy_textin *t;
	struct xy_lines *l;
	struct xy_line line;
	char *out = NULL;
	size_t outlen = 0;
	FILE *f = open_memstream(&out, &outlen);
	static const char *const names[] = {"ok", "TOO_LONG", "NUL", "BAD_UTF8"};
	int rc;

	assert_non_null(f);
	assert_int_equal(xy_textin_open_mem_pieces(&t, p, n, enc, piece), 0);
	assert_int_equal(xy_lines_new(&l, t), 0);
	while ((rc = xy_lines_next(l, &line)) == 1) {
		assert_true((unsigned)line.err < ARRAY_LEN(names));
		assert_int_equal(line.text[line.len], '\0');
		fprintf(f, "%ld %s", line.row_no, names[line.err]);
		if (line.err == XY_ROW_OK)
			fprintf(f, " %s", line.text);
		fputc('\n', f);
	}
	assert_int_equal(rc, 0);
	assert_int_equal(xy_lines_next(l, &line), 0);
	xy_lines_free(l);
	xy_textin_free(t);
	fclose(f);
	return out;
}

#define assert_lines(lit, expected)                                            \
	do {                                                                   \
		char *got_ = dump_lines(lit, sizeof(lit) - 1, XY_ENC_AUTO, 0); \
		assert_string_equal(got_, expected);                           \
		free(got_);                                                    \
	} while (0)

static void test_col2_lines_blank_lines_counted_crlf_stripped(void **state)
{
	(void)state;
	assert_lines("{\"a\":1}\r\n\n \t\r\n{\"b\":\"甲\"}\n{\"c\":3}",
		     "1 ok {\"a\":1}\n4 ok {\"b\":\"甲\"}\n5 ok {\"c\":3}\n");
	assert_lines("\xEF\xBB\xBF{}\n", "1 ok {}\n");
	assert_lines("", "");
	assert_lines("\n\n", "");
	/* a lone \r is JSON white space, kept */
	assert_lines("{}\r{}\n", "1 ok {}\r{}\n");
}

static void test_col2_lines_nul_and_bad_utf8_reject_their_line_only(void **state)
{
	(void)state;
	assert_lines("{}\n{\"a\":\"x\0\"}\n{\"b\":\"\xED\xA0\x80\"}\n[1]\n",
		     "1 ok {}\n2 NUL\n3 BAD_UTF8\n4 ok [1]\n");
}

static void test_col2_lines_over_long_line_then_next_read(void **state)
{
	size_t n = XY_LINE_MAX + 100;
	char *text = malloc(n + 1), *got;

	(void)state;
	assert_non_null(text);
	/* exactly XY_LINE_MAX with \r\n: accepted */
	memset(text, ' ', XY_LINE_MAX);
	memcpy(text, "[1", 2);
	memcpy(text + XY_LINE_MAX - 1, "]\r\n[2]\n", 8);
	got = dump_lines(text, XY_LINE_MAX + 6, XY_ENC_AUTO, 0);
	assert_int_equal(strlen(got), strlen("1 ok \n2 ok [2]\n") + XY_LINE_MAX);
	assert_memory_equal(got, "1 ok [1 ", 8);
	assert_string_equal(got + XY_LINE_MAX + 6, "2 ok [2]\n");
	free(got);
	/* one byte more: too long, and the next line is read */
	memset(text, ' ', n);
	memcpy(text + XY_LINE_MAX + 1, "\n[3]\n", 6);
	got = dump_lines(text, XY_LINE_MAX + 6, XY_ENC_AUTO, 0);
	assert_string_equal(got, "1 TOO_LONG\n2 ok [3]\n");
	free(got);
	/* much longer, in small reads, and at the end without a line ending */
	memset(text, 'x', n);
	memcpy(text + n - 4, "\n{}\n", 4);
	got = dump_lines(text, n, XY_ENC_AUTO, 1000);
	assert_string_equal(got, "1 TOO_LONG\n2 ok {}\n");
	free(got);
	got = dump_lines(text, n - 4, XY_ENC_AUTO, 0);
	assert_string_equal(got, "1 TOO_LONG\n");
	free(got);
	free(text);
}

static void test_col2_lines_gb18030_and_read_sizes(void **state)
{
	static const char text[] = "{\"\xc3\xfb\xb3\xc6\":\"" GB_NAME GB_JI "\"}\r\n\r\n"
				   "{\"x\":\"\x81\"}\n"
				   "[]";
	char *got;
	size_t piece;

	(void)state;
	for (piece = 0; piece <= 11; piece++) {
		got = dump_lines(text, sizeof(text) - 1, XY_ENC_AUTO, piece);
		assert_string_equal(got, "1 ok {\"名称\":\"" UTF8_NAME UTF8_JI "\"}\n"
					 "3 BAD_UTF8\n4 ok []\n");
		free(got);
	}
}

static long maxrss_kib(void)
{
	struct rusage ru;

	assert_int_equal(getrusage(RUSAGE_SELF, &ru), 0);
	return ru.ru_maxrss;
}

#define BIG_LINES (400000L)

static void write_big_jsonl(int fd)
{
	char line[256];
	long i;
	int n;

	for (i = 0; i < BIG_LINES; i++) {
		n = snprintf(line, sizeof(line),
			     "{\"tyshxydm\":\"91360402MA35%06ld\",\"mc\":\"" UTF8_NAME "\","
			     "\"n\":%ld,\"pad\":\"%060ld\"}\n",
			     i, i, i);
		if (write(fd, line, (size_t)n) != n)
			_exit(1);
	}
	_exit(0);
}

static void test_col2_lines_memory_does_not_grow_with_the_file(void **state)
{
	struct xy_textin *t;
	struct xy_lines *l;
	struct xy_line line;
	long rows = 0, before, after;
	char want[64];
	int fds[2], rc, status;
	pid_t pid;

	(void)state;
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		write_big_jsonl(fds[1]);
	}
	close(fds[1]);
	before = maxrss_kib();
	assert_int_equal(xy_textin_open_fd(&t, fds[0], XY_ENC_AUTO), 0);
	assert_int_equal(xy_lines_new(&l, t), 0);
	assert_true(xy_lines_mem_size(l) + xy_textin_mem_size(t) < 1024 * 1024);
	while ((rc = xy_lines_next(l, &line)) == 1) {
		assert_int_equal(line.err, XY_ROW_OK);
		assert_int_equal(line.row_no, rows + 1);
		snprintf(want, sizeof(want), "{\"tyshxydm\":\"91360402MA35%06ld\"", rows);
		assert_memory_equal(line.text, want, strlen(want));
		rows++;
	}
	assert_int_equal(rc, 0);
	after = maxrss_kib();
	assert_int_equal(rows, BIG_LINES);
	assert_true(xy_textin_offset(t) > 40UL * 1000 * 1000);
	assert_true(after - before < 8 * 1024);
	xy_lines_free(l);
	xy_textin_free(t);
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(status, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_col2_utf8_accepts_valid_text),
		cmocka_unit_test(test_col2_utf8_rejects_overlongs_surrogates_and_out_of_range),
		cmocka_unit_test(test_col2_utf8_error_found_anywhere_in_long_text),
		cmocka_unit_test(test_col2_utf8_prefix_and_length),
		cmocka_unit_test(test_col2_encoding_names),
		cmocka_unit_test(test_col2_detect_utf8_gb18030_and_boms),
		cmocka_unit_test(test_col2_detect_refuses_utf16_utf32_and_garbage),
		cmocka_unit_test(test_col2_detect_cut_sequence_only_before_the_end),
		cmocka_unit_test(test_col2_textin_utf8_bom_skipped_text_unchanged),
		cmocka_unit_test(test_col2_textin_gb18030_decoded_including_four_byte),
		cmocka_unit_test(test_col2_textin_gb18030_sequences_cut_across_reads),
		cmocka_unit_test(test_col2_textin_gb18030_through_a_pipe_byte_by_byte),
		cmocka_unit_test(test_col2_textin_gb18030_invalid_bytes_become_ff),
		cmocka_unit_test(test_col2_textin_refuses_unsupported_encodings),
		cmocka_unit_test(test_col2_textin_a_few_bad_bytes_do_not_refuse_the_file),
		cmocka_unit_test(test_col2_textin_detects_late_after_an_ascii_start),
		cmocka_unit_test(test_col2_textin_choice_does_not_depend_on_read_size),
		cmocka_unit_test(test_col2_textin_tap_sees_every_raw_byte),
		cmocka_unit_test(test_col2_textin_read_error_is_reported),
		cmocka_unit_test(test_col2_lines_blank_lines_counted_crlf_stripped),
		cmocka_unit_test(test_col2_lines_nul_and_bad_utf8_reject_their_line_only),
		cmocka_unit_test(test_col2_lines_over_long_line_then_next_read),
		cmocka_unit_test(test_col2_lines_gb18030_and_read_sizes),
		cmocka_unit_test(test_col2_lines_memory_does_not_grow_with_the_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
