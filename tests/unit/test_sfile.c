/* NET-1 / POR-2: the signed files that cross between the zones (src/ferry/sfile.c).
 * A file the writer put in place reads back line for line under the signer's public
 * key; one changed byte, a cut, another key, another format, an empty or oversized line
 * are refused whole with the reason; a sequence number's file is written once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <dirent.h>

#include "crypto/sm2.h"
#include "ferry/sfile.h"
#include "util/err.h"

struct fx {
	char dir[64];
	char path[128];
	struct xy_sm2key *key, *other, *pub;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	struct xy_buf pem;
	assert_non_null(f);
	snprintf(f->dir, sizeof f->dir, "/tmp/xy-sfile-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof f->path, "%s/cs-0000000001.xycs", f->dir);
	assert_int_equal(xy_sm2_generate(&f->key), 0);
	assert_int_equal(xy_sm2_generate(&f->other), 0);
	xy_buf_init(&pem, XY_SM2_PEM_MAX);
	assert_int_equal(xy_sm2_public_pem(f->key, &pem), 0);
	assert_int_equal(xy_sm2_load_public_pem(pem.p, pem.len, &f->pub), 0);
	xy_buf_cleanup(&pem);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	DIR *d = opendir(f->dir);
	struct dirent *e;
	char path[384];
	assert_non_null(d);
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' || (e->d_name[1] && e->d_name[1] != '.')) {
			snprintf(path, sizeof path, "%s/%s", f->dir, e->d_name);
			assert_int_equal(unlink(path), 0);
		}
	closedir(d);
	assert_int_equal(rmdir(f->dir), 0);
	xy_sm2_free(f->key);
	xy_sm2_free(f->other);
	xy_sm2_free(f->pub);
	free(f);
	return 0;
}

/* Writes change set 1 with three lines. */
static void write_one(struct fx *f)
{
	struct xy_sfile_writer w;
	json_t *hdr =
		json_pack("{s:s, s:s, s:i}", "kind", "snapshot", "platform", "九江", "seq", 99);
	json_t *obj = json_pack("{s:s, s:s}", "op", "subject", "name", "九江\n某公司");
	size_t bytes = 0;
	assert_int_equal(xy_sfile_begin(&w, f->dir, "cs-0000000001.xycs", XY_SFILE_CHANGESET, 1,
					hdr, f->key),
			 0);
	assert_int_equal(xy_sfile_put(&w, obj), 0);
	assert_int_equal(xy_sfile_put_raw(&w, "{\"op\":\"remove\",\"id\":\"7\"}", 24), 0);
	assert_int_equal(xy_sfile_put_raw(&w, "{}", 2), 0);
	assert_int_equal(xy_sfile_commit(&w, f->key, &bytes), 0);
	assert_true(bytes > 100);
	json_decref(hdr);
	json_decref(obj);
}

static int load(struct fx *f, const struct xy_sm2key *k, const char *format, size_t max, char *err)
{
	struct xy_sfile s;
	int rc = xy_sfile_load(f->path, max, k, format, &s, err, 256);
	if (!rc)
		xy_sfile_free(&s);
	return rc;
}

static void test_net1_signed_file_reads_back_line_for_line(void **state)
{
	struct fx *f = *state;
	struct xy_sfile s;
	const char *line;
	size_t n;
	char err[256];
	json_t *obj;

	write_one(f);
	assert_int_equal(xy_sfile_load(f->path, XY_SFILE_MAX, f->pub, XY_SFILE_CHANGESET, &s, err,
				       sizeof err),
			 0);
	assert_int_equal(s.seq, 1); /* the writer's seq, not the header's "seq": 99 */
	assert_string_equal(json_string_value(json_object_get(s.header, "kind")), "snapshot");
	assert_string_equal(json_string_value(json_object_get(s.header, "format")),
			    XY_SFILE_CHANGESET);
	assert_int_equal(json_string_length(json_object_get(s.header, "key_id")), 64);
	assert_int_equal(xy_sfile_next(&s, &line, &n), 1);
	obj = json_loadb(line, n, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(obj, "name")), "九江\n某公司");
	json_decref(obj);
	assert_int_equal(s.line_no, 2);
	assert_int_equal(xy_sfile_next(&s, &line, &n), 1);
	assert_int_equal(n, 24);
	assert_memory_equal(line, "{\"op\":\"remove\",\"id\":\"7\"}", 24);
	assert_int_equal(xy_sfile_next(&s, &line, &n), 1);
	assert_int_equal(n, 2);
	assert_int_equal(xy_sfile_next(&s, &line, &n), 0);
	xy_sfile_free(&s);
}

/* Rewrites byte at (from the start when at >= 0, from the end otherwise). */
static void poke(struct fx *f, long at, char c)
{
	FILE *fp = fopen(f->path, "r+b");
	assert_non_null(fp);
	assert_int_equal(fseek(fp, at, at >= 0 ? SEEK_SET : SEEK_END), 0);
	assert_int_equal(fputc(c, fp), c);
	fclose(fp);
}

static void test_por2_one_changed_byte_is_refused(void **state)
{
	struct fx *f = *state;
	char err[256];
	write_one(f);
	poke(f, 200, 'X');
	assert_int_equal(load(f, f->pub, XY_SFILE_CHANGESET, XY_SFILE_MAX, err), XY_ETAMPER);
	assert_string_equal(err, "the signature does not verify under the expected key");
}

static void test_por2_a_cut_file_is_refused(void **state)
{
	struct fx *f = *state;
	struct stat sb;
	char err[256];
	write_one(f);
	assert_int_equal(stat(f->path, &sb), 0);
	assert_int_equal(truncate(f->path, sb.st_size - 1), 0); /* the last newline */
	assert_int_equal(load(f, f->pub, XY_SFILE_CHANGESET, XY_SFILE_MAX, err), XY_ETAMPER);
	assert_string_equal(err, "the file does not end with a signature line");
	assert_int_equal(truncate(f->path, 150), 0); /* inside the body */
	assert_int_equal(load(f, f->pub, XY_SFILE_CHANGESET, XY_SFILE_MAX, err), XY_ETAMPER);
}

static void test_por2_another_key_is_refused(void **state)
{
	struct fx *f = *state;
	char err[256];
	write_one(f);
	assert_int_equal(load(f, f->other, XY_SFILE_CHANGESET, XY_SFILE_MAX, err), XY_ETAMPER);
}

static void test_net1_a_submissions_file_is_not_a_change_set(void **state)
{
	struct fx *f = *state;
	char err[256];
	write_one(f);
	assert_int_equal(load(f, f->pub, XY_SFILE_SUBMISSIONS, XY_SFILE_MAX, err), XY_EPARSE);
	assert_string_equal(err, "header: format is not \"xinyong-submissions/1\"");
}

static void test_net1_size_limit(void **state)
{
	struct fx *f = *state;
	char err[256];
	write_one(f);
	assert_int_equal(load(f, f->pub, XY_SFILE_CHANGESET, 100, err), XY_ELIMIT);
	assert_string_equal(err, "the file is larger than 100 bytes");
}

static void test_net1_writer_refuses_what_is_not_one_object_line(void **state)
{
	struct fx *f = *state;
	struct xy_sfile_writer w;
	assert_int_equal(
		xy_sfile_begin(&w, f->dir, "../x.xycs", XY_SFILE_CHANGESET, 1, NULL, f->key),
		XY_EINVAL);
	xy_sfile_abort(&w);
	assert_int_equal(xy_sfile_begin(&w, f->dir, "cs-0000000001.xycs", XY_SFILE_CHANGESET, 0,
					NULL, f->key),
			 XY_EINVAL);
	xy_sfile_abort(&w);
	assert_int_equal(xy_sfile_begin(&w, f->dir, "cs-0000000001.xycs", XY_SFILE_CHANGESET, 1,
					NULL, f->key),
			 0);
	assert_int_equal(xy_sfile_put_raw(&w, "{\"a\":1}\n{}", 10), XY_EINVAL);
	/* the first error sticks: nothing reaches the disk */
	assert_int_equal(xy_sfile_put_raw(&w, "{}", 2), XY_EINVAL);
	assert_int_equal(xy_sfile_commit(&w, f->key, NULL), XY_EINVAL);
	assert_int_equal(access(f->path, F_OK), -1);
}

static void test_net1_a_sequence_number_is_written_once(void **state)
{
	struct fx *f = *state;
	struct xy_sfile_writer w;
	write_one(f);
	assert_int_equal(xy_sfile_begin(&w, f->dir, "cs-0000000001.xycs", XY_SFILE_CHANGESET, 1,
					NULL, f->key),
			 0);
	assert_int_equal(xy_sfile_commit(&w, f->key, NULL), XY_EEXISTS);
	/* the first file is intact */
	assert_int_equal(load(f, f->pub, XY_SFILE_CHANGESET, XY_SFILE_MAX, NULL), 0);
}

static void test_net1_empty_line_is_refused(void **state)
{
	struct fx *f = *state;
	char err[256];
	struct xy_sfile_writer w;
	/* Made by hand: the writer cannot produce it.  Header, an empty line, signature. */
	assert_int_equal(xy_sfile_begin(&w, f->dir, "cs-0000000001.xycs", XY_SFILE_CHANGESET, 1,
					NULL, f->key),
			 0);
	assert_int_equal(xy_buf_addc(&w.body, '\n'), 0);
	assert_int_equal(xy_sfile_commit(&w, f->key, NULL), 0);
	assert_int_equal(load(f, f->pub, XY_SFILE_CHANGESET, XY_SFILE_MAX, err), XY_EPARSE);
	assert_string_equal(err, "line 2 is empty");
}

static void test_net1_file_names_give_the_sequence(void **state)
{
	(void)state;
	assert_int_equal(xy_sfile_name_seq("cs-0000000042.xycs", "cs-", ".xycs"), 42);
	assert_int_equal(xy_sfile_name_seq("sub-0000000007.xysub", "sub-", ".xysub"), 7);
	assert_int_equal(xy_sfile_name_seq(".cs-0000000042.xycs.9.tmp", "cs-", ".xycs"), -1);
	assert_int_equal(xy_sfile_name_seq("cs-.xycs", "cs-", ".xycs"), -1);
	assert_int_equal(xy_sfile_name_seq("cs-00x1.xycs", "cs-", ".xycs"), -1);
	assert_int_equal(xy_sfile_name_seq("cs-1.xycs.bak", "cs-", ".xycs"), -1);
	assert_int_equal(xy_sfile_name_seq("cs-1234567890123456789.xycs", "cs-", ".xycs"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_net1_signed_file_reads_back_line_for_line,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_por2_one_changed_byte_is_refused, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_por2_a_cut_file_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_por2_another_key_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_net1_a_submissions_file_is_not_a_change_set,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_net1_size_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_net1_writer_refuses_what_is_not_one_object_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_net1_a_sequence_number_is_written_once, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_net1_empty_line_is_refused, setup, teardown),
		cmocka_unit_test(test_net1_file_names_give_the_sequence),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
