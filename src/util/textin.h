/* Streaming text input: bytes from a file descriptor (or memory) come out as UTF-8.
 *
 * COL-2: departments submit UTF-8 (with or without BOM) or GB18030 (Excel on Chinese
 * Windows).  The reader detects which, skips a BOM and converts GB18030 with iconv, in
 * fixed buffers: memory does not grow with the file.  Record splitting and validation
 * are the business of the readers above (util/csv.h, util/lines.h).
 * See docs/internals/textin.md. */
#ifndef XY_UTIL_TEXTIN_H
#define XY_UTIL_TEXTIN_H

#include <stddef.h>
#include <sys/types.h>

/* Bytes of the source read in one go (and the size of each of the two buffers). */
#define XY_TEXTIN_BLOCK (256 * 1024)
/* XY_ENC_AUTO decides from this much of the start of the source. */
#define XY_TEXTIN_SNIFF (64 * 1024)

enum xy_encoding { XY_ENC_AUTO = 0, XY_ENC_UTF8, XY_ENC_GB18030 };

/* "auto", "utf-8"/"utf8", "gb18030"/"gbk"/"gb2312" (case-insensitive) -> enc;
 * XY_EINVAL otherwise (NULL included).  GBK and GB2312 are subsets of GB18030. */
__attribute__((warn_unused_result)) int xy_encoding_parse(const char *name, enum xy_encoding *out);
/* "utf-8", "gb18030", "auto"; never NULL. */
const char *xy_encoding_name(enum xy_encoding enc);
/* Detects from a prefix of the input: UTF-8 BOM -> UTF8 and *bom_len = 3; GB18030 BOM
 * (84 31 95 33) -> GB18030 and *bom_len = 4; UTF-16/32 BOMs -> XY_EENCODING; valid UTF-8
 * (a multibyte sequence cut by the end of the prefix is fine unless final != 0) -> UTF8;
 * otherwise if it decodes as GB18030 (same allowance for a cut sequence) -> GB18030;
 * otherwise XY_EENCODING.  Pure ASCII (and empty input) is UTF8.  *bom_len is 0 when
 * there is no BOM. */
__attribute__((warn_unused_result)) int xy_encoding_detect(const void *buf, size_t n, int final,
							   enum xy_encoding *enc, size_t *bom_len);

struct xy_textin;

/* Reads from fd (borrowed, not closed).  enc XY_ENC_AUTO sniffs up to the first
 * XY_TEXTIN_SNIFF bytes (open blocks until they arrive or the source ends); when those
 * are all ASCII the choice is put off until the first non-ASCII byte, and made from the
 * XY_TEXTIN_SNIFF bytes that start there.  The BOM of the chosen encoding is skipped.
 * With an explicit enc, a BOM of another encoding is refused.
 * Returns XY_EENCODING when the input is in no supported encoding, XY_EIO on read
 * errors, XY_ENOMEM.  On success the caller frees *out with xy_textin_free(). */
__attribute__((warn_unused_result)) int xy_textin_open_fd(struct xy_textin **out, int fd,
							  enum xy_encoding enc);
/* Same over memory (borrowed; must outlive the reader).  For tests and fuzzing. */
__attribute__((warn_unused_result)) int xy_textin_open_mem(struct xy_textin **out, const void *p,
							   size_t n, enum xy_encoding enc);
/* Same as xy_textin_open_mem(), but each read from the source returns at most piece
 * bytes (0: no cap), as a pipe written in small pieces would.  Tests and fuzzing use it
 * to cut multibyte sequences and records across reads. */
__attribute__((warn_unused_result)) int xy_textin_open_mem_pieces(struct xy_textin **out,
								  const void *p, size_t n,
								  enum xy_encoding enc,
								  size_t piece);
/* The encoding in use: XY_ENC_UTF8 or XY_ENC_GB18030 (UTF8 while an AUTO decision is still
 * put off because only ASCII has been seen). */
enum xy_encoding xy_textin_encoding(const struct xy_textin *t);
/* Optional: every raw byte read from the source (before decoding, BOM included) is passed
 * to fn, in order, e.g. to compute a digest of the file exactly as received.  Set before
 * the first xy_textin_read(): the bytes open already read to sniff are passed at once. */
void xy_textin_set_tap(struct xy_textin *t, void (*fn)(void *arg, const void *p, size_t n),
		       void *arg);
/* Fills buf with up to n bytes of UTF-8; returns the count, 0 at the end, negative
 * XY_E... on error (XY_EIO).  GB18030 input is converted with iconv, handling multibyte
 * sequences cut across reads.  A byte sequence that is invalid in the source encoding is
 * passed on as 0xFF (one per undecodable byte; never valid UTF-8), so the reader above
 * rejects the row that holds it and goes on with the rest of the file; line breaks are
 * never swallowed.  UTF-8 input is passed through unchanged (the readers above validate
 * it). */
__attribute__((warn_unused_result)) ssize_t xy_textin_read(struct xy_textin *t, char *buf,
							   size_t n);
/* Bytes read from the source so far (what the tap has seen; at the end: the file size). */
unsigned long long xy_textin_offset(const struct xy_textin *t);
/* Bytes of memory the reader holds (fixed after open: for tests of bounded memory). */
size_t xy_textin_mem_size(const struct xy_textin *t);
void xy_textin_free(struct xy_textin *t); /* NULL is a no-op */

#endif
