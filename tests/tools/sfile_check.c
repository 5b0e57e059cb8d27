/* Test tool, never installed: checks one signed file as a reader across the
 * zones would (src/ferry/sfile.h: signature first, then the header) and
 * prints it, so that the black-box tests (Python, which has no SM2) can
 * look inside change sets only through a verified read (NET-1, POR-2).
 *
 *   xy_sfile_check PUBKEY.pem FILE [FORMAT]
 *
 * FORMAT defaults to xinyong-changeset/1.  Exit 0: the header line, then each
 * body line, on stdout.  Exit 1: "refused: CODE: reason" on stderr (CODE as
 * xy_err_code names it, e.g. integrity_violation for a bad signature). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/sm2.h"
#include "ferry/sfile.h"
#include "util/err.h"

static int load_key(const char *path, struct xy_sm2key **key)
{
	char pem[XY_SM2_PEM_MAX + 1];
	size_t n;
	FILE *f = fopen(path, "rb");
	if (!f)
		return XY_EIO;
	n = fread(pem, 1, sizeof pem, f);
	fclose(f);
	if (n > XY_SM2_PEM_MAX)
		return XY_ELIMIT;
	return xy_sm2_load_public_pem(pem, n, key);
}

int main(int argc, char **argv)
{
	struct xy_sm2key *key = NULL;
	struct xy_sfile sf;
	const char *line;
	char err[512] = "", *hdr;
	size_t n;
	int rc;

	if (argc < 3 || argc > 4) {
		fputs("usage: xy_sfile_check PUBKEY.pem FILE [FORMAT]\n", stderr);
		return 2;
	}
	if ((rc = load_key(argv[1], &key))) {
		fprintf(stderr, "%s: %s\n", argv[1], xy_strerror(rc));
		return 2;
	}
	memset(&sf, 0, sizeof sf);
	rc = xy_sfile_load(argv[2], XY_SFILE_MAX, key, argc == 4 ? argv[3] : XY_SFILE_CHANGESET,
			   &sf, err, sizeof err);
	xy_sm2_free(key);
	if (rc) {
		fprintf(stderr, "refused: %s: %s\n", xy_err_code(rc),
			err[0] ? err : xy_strerror(rc));
		return 1;
	}
	hdr = json_dumps(sf.header, JSON_COMPACT | JSON_SORT_KEYS);
	printf("%s\n", hdr ? hdr : "{}");
	free(hdr);
	while (xy_sfile_next(&sf, &line, &n) == 1)
		printf("%.*s\n", (int)n, line);
	xy_sfile_free(&sf);
	return 0;
}
