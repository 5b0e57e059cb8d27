/* Test tool, never installed: makes and reads the signed files of the portal's tests
 * (tests/cli/test_portal.py) with the framing module itself (src/ferry/sfile.h), standing
 * in for the publisher on the government side.
 *
 *   xy_portal_cs genkey PRIV.der PUB.pem
 *       a platform key pair (private part as PKCS#8 DER)
 *   xy_portal_cs sign PRIV.der DIR SEQ KIND [PLATFORM] < LINES
 *       DIR/cs-SEQ.xycs, header kind KIND (snapshot|delta), each stdin line put as is
 *   xy_portal_cs read PUB.pem FILE
 *       checks a submissions file and prints its header and lines, one JSON per line */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/sm.h"
#include "crypto/sm2.h"
#include "ferry/sfile.h"
#include "util/err.h"

static int die(const char *msg)
{
	fprintf(stderr, "xy_portal_cs: %s\n", msg);
	return 1;
}

static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *p;
	long len;
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	p = malloc((size_t)len + 1);
	if (p && fread(p, 1, (size_t)len, f) != (size_t)len) {
		free(p);
		p = NULL;
	}
	fclose(f);
	if (p) {
		p[len] = 0;
		*n = (size_t)len;
	}
	return p;
}

static int genkey(const char *priv, const char *pub)
{
	struct xy_sm2key *k = NULL;
	uint8_t der[XY_SM2_PRIV_DER_MAX];
	size_t n = 0;
	struct xy_buf pem;
	FILE *f;
	xy_buf_init(&pem, 4096);
	if (xy_sm2_generate(&k) || xy_sm2_private_der(k, der, sizeof der, &n) ||
	    xy_sm2_public_pem(k, &pem))
		return die("cannot make a key");
	f = fopen(priv, "wb");
	if (!f || fwrite(der, 1, n, f) != n || fclose(f))
		return die("cannot write the private key");
	f = fopen(pub, "wb");
	if (!f || fwrite(pem.p, 1, pem.len, f) != pem.len || fclose(f))
		return die("cannot write the public key");
	xy_buf_cleanup(&pem);
	xy_sm2_free(k);
	return 0;
}

static int sign(const char *priv, const char *dir, long long seq, const char *kind,
		const char *platform)
{
	struct xy_sm2key *k = NULL;
	struct xy_sfile_writer w;
	char name[XY_SFILE_NAME_MAX], *line = NULL;
	size_t n = 0, cap = 0;
	ssize_t len;
	char *der = slurp(priv, &n);
	json_t *hdr;
	int rc;
	if (!der || xy_sm2_load_private_der(der, n, &k))
		return die("cannot read the private key");
	free(der);
	hdr = json_pack("{s:s, s:s}", "kind", kind, "platform", platform);
	snprintf(name, sizeof name, XY_SFILE_CS_FMT, seq);
	if ((rc = xy_sfile_begin(&w, dir, name, XY_SFILE_CHANGESET, seq, hdr, k)))
		return die(xy_strerror(rc));
	while ((len = getline(&line, &cap, stdin)) > 0) {
		if (line[len - 1] == '\n')
			line[--len] = 0;
		if (len && (rc = xy_sfile_put_raw(&w, line, (size_t)len))) {
			xy_sfile_abort(&w);
			return die(xy_strerror(rc));
		}
	}
	free(line);
	json_decref(hdr);
	if ((rc = xy_sfile_commit(&w, k, NULL)))
		return die(xy_strerror(rc));
	xy_sm2_free(k);
	printf("%s/%s\n", dir, name);
	return 0;
}

static int readsub(const char *pub, const char *path)
{
	struct xy_sm2key *k = NULL;
	struct xy_sfile f;
	char err[256] = "";
	const char *line;
	size_t n = 0;
	char *pem = slurp(pub, &n);
	char *hdr;
	int rc;
	if (!pem || xy_sm2_load_public_pem(pem, n, &k))
		return die("cannot read the public key");
	free(pem);
	rc = xy_sfile_load(path, XY_SFILE_MAX, k, XY_SFILE_SUBMISSIONS, &f, err, sizeof err);
	if (rc) {
		fprintf(stderr, "xy_portal_cs: %s: %s\n", xy_strerror(rc), err);
		return 1;
	}
	hdr = json_dumps(f.header, JSON_COMPACT);
	printf("%s\n", hdr);
	free(hdr);
	while (xy_sfile_next(&f, &line, &n) == 1)
		printf("%.*s\n", (int)n, line);
	xy_sfile_free(&f);
	xy_sm2_free(k);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "genkey"))
		return genkey(argv[2], argv[3]);
	if ((argc == 6 || argc == 7) && !strcmp(argv[1], "sign"))
		return sign(argv[2], argv[3], strtoll(argv[4], NULL, 10), argv[5],
			    argc == 7 ? argv[6] : "九江市公共信用信息共享平台");
	if (argc == 4 && !strcmp(argv[1], "read"))
		return readsub(argv[2], argv[3]);
	fputs("usage: xy_portal_cs genkey PRIV PUB | sign PRIV DIR SEQ KIND [PLATFORM] | read "
	      "PUB FILE\n",
	      stderr);
	return 2;
}
