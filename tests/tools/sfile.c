/* Test tool, never installed: makes and reads signed files (src/ferry/sfile.h) so that
 * black-box tests can build change sets and submissions of their own, good and hostile,
 * and look inside the ones the product wrote.
 *
 *   xy_sfile keygen PRIV PUB            a key pair: PRIV (DER PKCS#8, 0600), PUB (PEM)
 *   xy_sfile write PRIV DIR NAME FORMAT SEQ [HEADER-JSON] < LINES
 *                                       a file through the writer, one line per input line
 *   xy_sfile sign PRIV < BYTES > FILE   any bytes followed by their "SM2 <hex>" line
 *   xy_sfile check PUB FILE FORMAT      verifies; prints the header, then each line
 *   xy_sfile keyid PUB                  the key id (hex SM3 of the public key)
 *
 * Exit 0, or 1 with the reason on stderr (check: "refused: CODE: why"), 2 for usage. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto/sm.h"
#include "crypto/sm2.h"
#include "ferry/sfile.h"
#include "util/buf.h"
#include "util/err.h"

static int slurp(FILE *f, struct xy_buf *b)
{
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		if (xy_buf_add(b, chunk, n))
			return -1;
	return ferror(f) ? -1 : 0;
}

static int load_file(const char *path, struct xy_buf *b)
{
	FILE *f = fopen(path, "rb");
	int rc;
	if (!f)
		return -1;
	rc = slurp(f, b);
	fclose(f);
	return rc;
}

static struct xy_sm2key *private_key(const char *path)
{
	struct xy_buf b;
	struct xy_sm2key *k = NULL;
	xy_buf_init(&b, XY_SM2_PRIV_DER_MAX);
	if (load_file(path, &b) || xy_sm2_load_private_der(b.p, b.len, &k))
		k = NULL;
	xy_buf_cleanup(&b);
	return k;
}

static struct xy_sm2key *public_key(const char *path)
{
	struct xy_buf b;
	struct xy_sm2key *k = NULL;
	xy_buf_init(&b, XY_SM2_PEM_MAX);
	if (load_file(path, &b) || xy_sm2_load_public_pem(b.p, b.len, &k))
		k = NULL;
	xy_buf_cleanup(&b);
	return k;
}

static int keygen(const char *priv, const char *pub)
{
	struct xy_sm2key *k = NULL;
	uint8_t der[XY_SM2_PRIV_DER_MAX];
	size_t n = 0;
	struct xy_buf pem;
	FILE *f;
	int fd, ok;

	xy_buf_init(&pem, XY_SM2_PEM_MAX);
	if (xy_sm2_generate(&k) || xy_sm2_private_der(k, der, sizeof der, &n) ||
	    xy_sm2_public_pem(k, &pem))
		return 1;
	fd = open(priv, O_WRONLY | O_CREAT | O_EXCL, 0600);
	ok = fd >= 0 && write(fd, der, n) == (ssize_t)n;
	if (fd >= 0)
		close(fd);
	f = fopen(pub, "wx");
	ok = ok && f && fwrite(pem.p, 1, pem.len, f) == pem.len;
	if (f)
		fclose(f);
	xy_buf_cleanup(&pem);
	xy_sm2_free(k);
	return ok ? 0 : 1;
}

static int write_file(char **argv, int argc)
{
	struct xy_sm2key *k = private_key(argv[2]);
	struct xy_sfile_writer w;
	json_t *hdr = NULL;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc;

	if (!k) {
		fputs("xy_sfile: cannot read the private key\n", stderr);
		return 1;
	}
	if (argc > 7 && !(hdr = json_loads(argv[7], 0, NULL))) {
		fputs("xy_sfile: HEADER-JSON is not JSON\n", stderr);
		return 2;
	}
	rc = xy_sfile_begin(&w, argv[3], argv[4], argv[5], atoll(argv[6]), hdr, k);
	while (!rc && (n = getline(&line, &cap, stdin)) > 0) {
		if (line[n - 1] == '\n')
			n--;
		if (n)
			rc = xy_sfile_put_raw(&w, line, (size_t)n);
	}
	free(line);
	json_decref(hdr);
	if (rc)
		xy_sfile_abort(&w);
	else
		rc = xy_sfile_commit(&w, k, NULL);
	xy_sm2_free(k);
	if (rc)
		fprintf(stderr, "xy_sfile: %s: %s\n", xy_err_code(rc), xy_strerror(rc));
	return rc ? 1 : 0;
}

static int sign(const char *priv)
{
	struct xy_sm2key *k = private_key(priv);
	struct xy_buf in, sig;
	char hex[2 * XY_SM2_SIG_MAX + 1];
	int rc = 1;

	xy_buf_init(&in, XY_SFILE_MAX);
	xy_buf_init(&sig, XY_SM2_SIG_MAX);
	if (k && !slurp(stdin, &in) && !xy_sm2_sign(k, in.p ? in.p : "", in.len, &sig)) {
		xy_hex((const uint8_t *)sig.p, sig.len, hex);
		fwrite(in.p ? in.p : "", 1, in.len, stdout);
		printf("SM2 %s\n", hex);
		rc = 0;
	}
	xy_buf_cleanup(&in);
	xy_buf_cleanup(&sig);
	xy_sm2_free(k);
	return rc;
}

static int check(const char *pub, const char *path, const char *format)
{
	struct xy_sm2key *k = public_key(pub);
	struct xy_sfile f;
	char err[256];
	const char *line;
	size_t n;
	char *h;
	int rc;

	if (!k) {
		fputs("xy_sfile: cannot read the public key\n", stderr);
		return 1;
	}
	rc = xy_sfile_load(path, XY_SFILE_MAX, k, format, &f, err, sizeof err);
	xy_sm2_free(k);
	if (rc) {
		fprintf(stderr, "refused: %s: %s\n", xy_err_code(rc), err);
		return 1;
	}
	h = json_dumps(f.header, JSON_COMPACT);
	printf("%s\n", h ? h : "");
	free(h);
	while (xy_sfile_next(&f, &line, &n))
		printf("%.*s\n", (int)n, line);
	xy_sfile_free(&f);
	return 0;
}

static int keyid(const char *pub)
{
	struct xy_sm2key *k = public_key(pub);
	uint8_t id[XY_SM3_LEN];
	char hex[2 * XY_SM3_LEN + 1];
	if (!k || xy_sm2_key_id(k, id))
		return 1;
	xy_hex(id, sizeof id, hex);
	printf("%s\n", hex);
	xy_sm2_free(k);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "keygen"))
		return keygen(argv[2], argv[3]);
	if ((argc == 7 || argc == 8) && !strcmp(argv[1], "write"))
		return write_file(argv, argc);
	if (argc == 3 && !strcmp(argv[1], "sign"))
		return sign(argv[2]);
	if (argc == 5 && !strcmp(argv[1], "check"))
		return check(argv[2], argv[3], argv[4]);
	if (argc == 3 && !strcmp(argv[1], "keyid"))
		return keyid(argv[2]);
	fputs("usage: xy_sfile keygen PRIV PUB | write PRIV DIR NAME FORMAT SEQ [HEADER-JSON]"
	      " | sign PRIV | check PUB FILE FORMAT | keyid PUB\n",
	      stderr);
	return 2;
}
