/* Signed files: what crosses between the zones (NET-1, POR-2, POR-3).
 *
 * Both directions use one framing (docs/FORMATS.md "Signed files"): a header line
 * (a JSON object naming the format, the sequence number, the time and the signing
 * key), any number of JSON-object lines, and a last line "SM2 <hex DER>" whose
 * signature (SM2 with SM3, ID 1234567812345678) covers every byte before it.
 * Outward: numbered change sets signed with the platform key; inward: submissions
 * signed with a portal's own key.
 *
 * A writer builds the file in memory, signs it and puts it in place atomically
 * (temporary name, fsync, rename, fsync of the directory): a reader never sees half
 * a file under the final name.  A reader takes a whole file (at most max bytes),
 * checks the signature before it parses anything, then the header, and hands out the
 * lines one by one. */
#ifndef XY_FERRY_SFILE_H
#define XY_FERRY_SFILE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/sm2.h"
#include "util/buf.h"

#define XY_SFILE_CHANGESET   "xinyong-changeset/1"
#define XY_SFILE_SUBMISSIONS "xinyong-submissions/1"

#define XY_SFILE_MAX	  (1ULL << 30)	/* bytes of one signed file */
#define XY_SFILE_LINE_MAX (1024 * 1024) /* bytes of one line (header or body) */
#define XY_SFILE_NAME_MAX 64		/* bytes of a file name in a ferry folder */

/* File names: "cs-0000000042.xycs" (change set 42), "sub-0000000007.xysub". */
#define XY_SFILE_CS_FMT	 "cs-%010lld.xycs"
#define XY_SFILE_SUB_FMT "sub-%010lld.xysub"

struct xy_sfile_writer {
	char *dir;
	char *name;
	struct xy_buf body;
	long lines;
	int err; /* the first error sticks: later calls do nothing, commit returns it */
};

/* Starts DIR/NAME with its header line: the fields of hdr (an object; not stolen)
 * plus "format", "seq", "created" (now, RFC 3339 UTC) and "key_id" (hex SM3 of the
 * signing key), which the writer sets.  Nothing is on disk until commit. */
__attribute__((warn_unused_result)) int xy_sfile_begin(struct xy_sfile_writer *w, const char *dir,
						       const char *name, const char *format,
						       long long seq, const json_t *hdr,
						       const struct xy_sm2key *key);
/* Appends one line: obj compact, on one line (no newline inside a JSON text). */
__attribute__((warn_unused_result)) int xy_sfile_put(struct xy_sfile_writer *w, const json_t *obj);
/* Appends one line already encoded: a JSON object, no newline. */
__attribute__((warn_unused_result)) int xy_sfile_put_raw(struct xy_sfile_writer *w,
							 const char *line, size_t n);
/* Signs everything written, appends the signature line and puts the file in place
 * (XY_EEXISTS when DIR/NAME is already there: a sequence number is used once).
 * Frees the writer whatever happens; *bytes (may be NULL) gets the file's size. */
__attribute__((warn_unused_result)) int xy_sfile_commit(struct xy_sfile_writer *w,
							const struct xy_sm2key *key, size_t *bytes);
/* Forgets a writer that will not be committed. */
void xy_sfile_abort(struct xy_sfile_writer *w);

struct xy_sfile {
	char *data;	/* the whole file, NUL-terminated */
	size_t len;	/* bytes of the file */
	size_t end;	/* where the signature line starts */
	size_t pos;	/* the next body line */
	long line_no;	/* of the line last returned (header: 1) */
	json_t *header; /* the parsed header line */
	long long seq;	/* header "seq" */
};

/* Reads path (a regular file, not a link, at most max bytes) and checks it: the last
 * line is "SM2 <hex>" and the signature verifies under key over all bytes before it
 * (else XY_ETAMPER), then the header is a JSON object whose "format" is format, whose
 * "seq" is an integer >= 1 and whose "key_id" names key (else XY_EPARSE).  Body lines
 * are not parsed here.  XY_ELIMIT past max or a line past XY_SFILE_LINE_MAX, XY_EIO /
 * XY_ENOTFOUND from the file system.  err (may be NULL) says what is wrong. */
__attribute__((warn_unused_result)) int xy_sfile_load(const char *path, size_t max,
						      const struct xy_sm2key *key,
						      const char *format, struct xy_sfile *out,
						      char *err, size_t errlen);
/* The next body line (not NUL-terminated; without its newline): 1, or 0 at the end. */
int xy_sfile_next(struct xy_sfile *f, const char **line, size_t *n);
void xy_sfile_free(struct xy_sfile *f);

/* Sequence number of a ferry file name made with fmt's prefix and suffix ("cs-", ".xycs"),
 * or -1 when name is not one (temporary files, anything else in the folder). */
long long xy_sfile_name_seq(const char *name, const char *prefix, const char *suffix);

#endif
