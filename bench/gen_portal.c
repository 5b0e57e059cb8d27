/* gen_portal: input of the portal benchmark (bench/portal.sh, issue 6).  Stands in for the
 * publisher: a platform key pair and one signed snapshot change set of SUBJECTS legal persons
 * (the demo generator's names and codes) and RECORDS published records, alternately 行政处罚
 * and 行政许可 (a subject's records alternate) with the fields of the national 双公示 lists (about
 * 500 bytes a line, one field masked as the publisher masks it), record g belonging to subject g
 * mod SUBJECTS:
 *
 *   gen_portal DIR SUBJECTS RECORDS
 *       DIR/platform.der   the platform's private key (PKCS#8 DER)
 *       DIR/platform.pem   its public key, for `xinyong portal-init --platform-public-key`
 *       DIR/cs-0000000001.xycs   the snapshot, signed
 *       DIR/codes.txt      every subject's code, one a line
 *       DIR/parts.txt      20,000 random parts of 3-6 characters of random subjects' names,
 *                          percent-encoded for a query string
 *
 * Deterministic (a fixed seed) but for the key pair. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/sm2.h"
#include "ferry/sfile.h"
#include "svc/demo.h"
#include "util/date.h"
#include "util/err.h"
#include "util/jw.h"
#include "util/limits.h"

#define PARTS	  20000
#define PATH_MAX_ 4096

static const struct xy_demo_region counties[] = {
	{"360402", "濂溪区"}, {"360403", "浔阳区"}, {"360404", "柴桑区"}, {"360423", "武宁县"},
	{"360424", "修水县"}, {"360425", "永修县"}, {"360426", "德安县"}, {"360428", "都昌县"},
};
#define NCOUNTIES ((long)(sizeof counties / sizeof *counties))

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int die(const char *what)
{
	fprintf(stderr, "gen_portal: %s\n", what);
	return 1;
}

static int write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(p, 1, n, f) != n) {
		if (f)
			fclose(f);
		return -1;
	}
	return fclose(f);
}

static int keys(const char *dir, struct xy_sm2key **k)
{
	uint8_t der[XY_SM2_PRIV_DER_MAX];
	char path[PATH_MAX_];
	size_t n = 0;
	struct xy_buf pem;
	int rc = -1;
	xy_buf_init(&pem, 8192);
	if (xy_sm2_generate(k) || xy_sm2_private_der(*k, der, sizeof der, &n) ||
	    xy_sm2_public_pem(*k, &pem))
		goto out;
	snprintf(path, sizeof path, "%s/platform.der", dir);
	if (write_file(path, der, n))
		goto out;
	snprintf(path, sizeof path, "%s/platform.pem", dir);
	rc = write_file(path, pem.p, pem.len);
out:
	xy_buf_cleanup(&pem);
	return rc;
}

static void subject_line(struct xy_jw *w, const char *code, const char *name, long region)
{
	xy_jw_obj(w);
	xy_jw_kstr(w, "op", "subject");
	xy_jw_kstr(w, "code", code);
	xy_jw_kstr(w, "kind", "legal");
	xy_jw_kstr(w, "name", name);
	xy_jw_kstr(w, "region", counties[region].code);
	xy_jw_kstr(w, "region_name", counties[region].name);
	xy_jw_obj_end(w);
}

static const char *const wfxw[] = {
	"未按规定建立并执行进货查验记录制度",
	"销售超过保质期的食品",
	"未取得许可从事经营活动",
	"在生产经营中使用未经检验的特种设备",
};

static void penalty_line(struct xy_jw *w, long g, const char *code, const char *name,
			 const char *region)
{
	char id[24], wsh[64], day[11], until[11], fr[24];
	int month = 1 + (int)(g % 12), dd = 1 + (int)(g % 28);
	snprintf(id, sizeof id, "%ld", 1000000 + g);
	snprintf(wsh, sizeof wsh, "浔市监罚〔2026〕%ld号", 1 + g % 9999);
	snprintf(day, sizeof day, "2026-%02d-%02d", month, dd);
	snprintf(until, sizeof until, "2029-%02d-%02d", month, dd);
	snprintf(fr, sizeof fr, "%s********%04ld", region, g % 10000);
	xy_jw_obj(w);
	xy_jw_kstr(w, "op", "record");
	xy_jw_kstr(w, "id", id);
	xy_jw_kstr(w, "dataset", "XZCF");
	xy_jw_kstr(w, "subject", code);
	xy_jw_kstr(w, "unit", "九江市市场监督管理局");
	xy_jw_kstr(w, "unit_code", "11360400MB0001234X");
	xy_jw_kstr(w, "date", day);
	xy_jw_key(w, "valid_until");
	xy_jw_null(w);
	xy_jw_kstr(w, "display_until", until);
	xy_jw_kbool(w, "objection", g % 97 == 0);
	xy_jw_key(w, "fields");
	xy_jw_obj(w);
	xy_jw_kstr(w, "CF_XDR_MC", name);
	xy_jw_kstr(w, "CF_XDR_SHXYM", code);
	xy_jw_kstr(w, "CF_FRDB", "王*");
	xy_jw_kstr(w, "CF_FR_ZJHM", fr);
	xy_jw_kstr(w, "CF_WSH", wsh);
	xy_jw_kstr(w, "CF_WFXW", wfxw[g % 4]);
	xy_jw_kstr(w, "CF_YJ", "《中华人民共和国食品安全法》第一百二十四条");
	xy_jw_kstr(w, "CF_CFLB", "罚款");
	xy_jw_kstr(w, "CF_NR", "警告，罚款人民币五千元");
	xy_jw_kint(w, "CF_NR_FK", 5000 + g % 50 * 100);
	xy_jw_kstr(w, "CF_JDRQ", day);
	xy_jw_kstr(w, "CF_CFJG", "九江市市场监督管理局");
	xy_jw_obj_end(w);
	xy_jw_key(w, "masked");
	xy_jw_arr(w);
	xy_jw_str(w, "CF_FRDB");
	xy_jw_str(w, "CF_FR_ZJHM");
	xy_jw_arr_end(w);
	xy_jw_obj_end(w);
}

static void licence_line(struct xy_jw *w, long g, const char *code, const char *name)
{
	char id[24], wsh[64], day[11], until[11];
	int month = 1 + (int)(g % 12), dd = 1 + (int)(g % 28);
	snprintf(id, sizeof id, "%ld", 1000000 + g);
	snprintf(wsh, sizeof wsh, "JY1360400%08ld", g);
	snprintf(day, sizeof day, "2025-%02d-%02d", month, dd);
	snprintf(until, sizeof until, "2030-%02d-%02d", month, dd);
	xy_jw_obj(w);
	xy_jw_kstr(w, "op", "record");
	xy_jw_kstr(w, "id", id);
	xy_jw_kstr(w, "dataset", "XZXK");
	xy_jw_kstr(w, "subject", code);
	xy_jw_kstr(w, "unit", "九江市行政审批局");
	xy_jw_kstr(w, "unit_code", "11360400MB0005678Y");
	xy_jw_kstr(w, "date", day);
	xy_jw_kstr(w, "valid_until", until);
	xy_jw_key(w, "display_until");
	xy_jw_null(w);
	xy_jw_kbool(w, "objection", 0);
	xy_jw_key(w, "fields");
	xy_jw_obj(w);
	xy_jw_kstr(w, "XK_XDR_MC", name);
	xy_jw_kstr(w, "XK_XDR_SHXYM", code);
	xy_jw_kstr(w, "XK_FDDB", "李*");
	xy_jw_kstr(w, "XK_XKWS", "食品经营许可证");
	xy_jw_kstr(w, "XK_WSH", wsh);
	xy_jw_kstr(w, "XK_XKLB", "普通");
	xy_jw_kstr(w, "XK_NR", "预包装食品销售，散装食品销售");
	xy_jw_kstr(w, "XK_JDRQ", day);
	xy_jw_kstr(w, "XK_YXQZI", until);
	xy_jw_kstr(w, "XK_XKJG", "九江市行政审批局");
	xy_jw_obj_end(w);
	xy_jw_key(w, "masked");
	xy_jw_arr(w);
	xy_jw_str(w, "XK_FDDB");
	xy_jw_arr_end(w);
	xy_jw_obj_end(w);
}

static int put(struct xy_sfile_writer *sw, struct xy_buf *b)
{
	return xy_sfile_put_raw(sw, b->p, b->len);
}

/* A part of 3-6 characters (code points) of name, percent-encoded, and a newline. */
static void part(FILE *f, const char *name)
{
	size_t starts[128], n = 0, len = strlen(name);
	for (size_t i = 0; i < len && n < 127; i++)
		if (((unsigned char)name[i] & 0xC0) != 0x80)
			starts[n++] = i;
	starts[n] = len;
	if (n < 3)
		return;
	{
		size_t k = 3 + (size_t)(next() % (n < 6 ? n - 2 : 4));
		size_t at = (size_t)(next() % (n - k + 1));
		for (size_t i = starts[at]; i < starts[at + k]; i++)
			fprintf(f, "%%%02X", (unsigned char)name[i]);
		fputc('\n', f);
	}
}

int main(int argc, char **argv)
{
	struct xy_demo_spec spec = {.seed = 6, .city_code = "360400", .city_name = "九江市"};
	struct xy_sm2key *k = NULL;
	struct xy_sfile_writer sw;
	struct xy_buf b;
	struct xy_jw w;
	char path[PATH_MAX_], code[19], name[XY_NAME_MAX];
	FILE *codes, *parts;
	json_t *hdr;
	long subjects, records;
	char *e1, *e2;
	int rc;

	if (argc != 4)
		return die("usage: gen_portal DIR SUBJECTS RECORDS");
	errno = 0;
	subjects = strtol(argv[2], &e1, 10);
	records = strtol(argv[3], &e2, 10);
	if (errno || *e1 || *e2 || subjects < 1 || subjects > XY_SUBJECTS_DEMO_MAX || records < 0)
		return die("SUBJECTS: 1..demo maximum, RECORDS: 0 or more");
	spec.legal = subjects;
	spec.records = records;
	spec.today = xy_date_yyyymmdd(xy_today());
	spec.counties = counties;
	spec.ncounties = (int)NCOUNTIES;
	if (keys(argv[1], &k))
		return die("cannot make or write the key pair");
	snprintf(path, sizeof path, "%s/codes.txt", argv[1]);
	codes = fopen(path, "w");
	snprintf(path, sizeof path, "%s/parts.txt", argv[1]);
	parts = fopen(path, "w");
	if (!codes || !parts)
		return die("cannot write codes.txt or parts.txt");
	hdr = json_pack("{s:s, s:s}", "kind", "snapshot", "platform", "九江市公共信用信息共享平台");
	if (!hdr ||
	    xy_sfile_begin(&sw, argv[1], "cs-0000000001.xycs", XY_SFILE_CHANGESET, 1, hdr, k))
		return die("cannot begin the change set");
	json_decref(hdr);
	xy_buf_init(&b, XY_CS_LINE_MAX);
	for (long i = 0; i < subjects; i++) {
		xy_demo_legal(&spec, i, code, name, sizeof name);
		xy_buf_reset(&b);
		xy_jw_init(&w, &b);
		subject_line(&w, code, name, i % NCOUNTIES);
		if (xy_jw_end(&w) || put(&sw, &b))
			return die("cannot write a subject line");
		fprintf(codes, "%s\n", code);
	}
	for (long g = 0; g < records; g++) {
		long i = g % subjects;
		xy_demo_legal(&spec, i, code, name, sizeof name);
		xy_buf_reset(&b);
		xy_jw_init(&w, &b);
		if ((g + g / subjects) % 2) /* a subject's records alternate */
			licence_line(&w, g, code, name);
		else
			penalty_line(&w, g, code, name, counties[i % NCOUNTIES].code);
		if (xy_jw_end(&w) || put(&sw, &b))
			return die("cannot write a record line");
	}
	for (int j = 0; j < PARTS; j++) {
		xy_demo_legal(&spec, (long)(next() % (uint64_t)subjects), code, name, sizeof name);
		part(parts, name);
	}
	xy_buf_cleanup(&b);
	if (fclose(codes) || fclose(parts))
		return die("cannot write codes.txt or parts.txt");
	if ((rc = xy_sfile_commit(&sw, k, NULL)))
		return die(xy_strerror(rc));
	xy_sm2_free(k);
	return 0;
}
