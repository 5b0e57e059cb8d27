/* Streaming text input: detection, BOM skipping and GB18030 -> UTF-8 conversion in two
 * fixed buffers (raw source bytes, decoded text).  COL-2. */
#include "util/textin.h"

#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "util/err.h"
#include "util/log.h"
#include "util/utf8.h"

#define NO_ICONV ((iconv_t)-1)

struct xy_textin {
	int fd; /* -1: the source is memory */
	const unsigned char *mem;
	size_t mem_len, mem_pos;
	size_t piece; /* cap on one source read, 0: none (tests) */
	enum xy_encoding enc;
	int undecided;	    /* AUTO, only ASCII seen yet: UTF-8 until a non-ASCII byte */
	unsigned char *raw; /* XY_TEXTIN_BLOCK source bytes; [rpos, rlen) still to use */
	size_t rpos, rlen;
	int eof;
	iconv_t cd; /* GB18030 -> UTF-8, NO_ICONV until needed */
	char *dec;  /* XY_TEXTIN_BLOCK decoded bytes; [dpos, dlen) still to hand out */
	size_t dpos, dlen;
	void (*tap)(void *arg, const void *p, size_t n);
	void *tap_arg;
	unsigned long long offset;
	int started; /* xy_textin_read() was called */
};

int xy_encoding_parse(const char *name, enum xy_encoding *out)
{
	static const struct {
		const char *name;
		enum xy_encoding enc;
	} names[] = {
		{"auto", XY_ENC_AUTO},	     {"utf-8", XY_ENC_UTF8},  {"utf8", XY_ENC_UTF8},
		{"gb18030", XY_ENC_GB18030}, {"gbk", XY_ENC_GB18030}, {"gb2312", XY_ENC_GB18030},
	};
	size_t i;

	if (name == NULL)
		return XY_EINVAL;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcasecmp(name, names[i].name) == 0) {
			*out = names[i].enc;
			return 0;
		}
	}
	return XY_EINVAL;
}

const char *xy_encoding_name(enum xy_encoding enc)
{
	switch (enc) {
	case XY_ENC_UTF8:
		return "utf-8";
	case XY_ENC_GB18030:
		return "gb18030";
	case XY_ENC_AUTO:
		break;
	}
	return "auto";
}

/* Four-byte GB18030: the ranges that map to Unicode (U+0080..U+FFFF not covered by the
 * two-byte codes, and U+10000..U+10FFFF), less the 18 codes glibc's table refuses since
 * their characters moved to two-byte codes; so "decodes" here means what iconv does. */
static int gb_four_ok(const unsigned char *s)
{
	long idx = (s[0] - 0x81) * 12600L + (s[1] - 0x30) * 1260L + (s[2] - 0x81) * 10L +
		   (s[3] - 0x30);

	if ((idx >= 19057 && idx <= 19064) || (idx >= 39076 && idx <= 39085))
		return 0;
	return idx <= 39419 || (idx >= 189000 && idx <= 1237575);
}

/* Length of the GB18030 sequence at s (n > 0 bytes there): 1, 2 or 4; 0 when it is
 * cut short by the end; -1 when invalid. */
static int gb_seq(const unsigned char *s, size_t n)
{
	if (s[0] < 0x80)
		return 1;
	if (s[0] == 0x80 || s[0] == 0xFF)
		return -1;
	if (n < 2)
		return 0;
	if (s[1] >= 0x40 && s[1] <= 0xFE && s[1] != 0x7F)
		return 2;
	if (s[1] < 0x30 || s[1] > 0x39)
		return -1;
	if (n < 3)
		return 0;
	if (s[2] < 0x81 || s[2] > 0xFE)
		return -1;
	if (n < 4)
		return 0;
	if (s[3] < 0x30 || s[3] > 0x39)
		return -1;
	return gb_four_ok(s) ? 4 : -1;
}

/* 1 when [s, s+n) is GB18030 (the last sequence may be cut short unless final). */
static int gb_valid(const unsigned char *s, size_t n, int final)
{
	size_t i = 0;
	int len;

	while (i < n) {
		len = gb_seq(s + i, n - i);
		if (len < 0 || (len == 0 && final))
			return 0;
		if (len == 0)
			return 1;
		i += (size_t)len;
	}
	return 1;
}

static int starts_with(const unsigned char *s, size_t n, const char *pre, size_t len)
{
	return n >= len && memcmp(s, pre, len) == 0;
}

static int other_bom(const unsigned char *s, size_t n)
{
	/* UTF-16 LE/BE (FF FE also begins UTF-32 LE), UTF-32 BE. */
	return starts_with(s, n, "\xFF\xFE", 2) || starts_with(s, n, "\xFE\xFF", 2) ||
	       starts_with(s, n, "\x00\x00\xFE\xFF", 4);
}

int xy_encoding_detect(const void *buf, size_t n, int final, enum xy_encoding *enc, size_t *bom_len)
{
	const unsigned char *s = buf;

	*bom_len = 0;
	if (starts_with(s, n, "\xEF\xBB\xBF", 3)) {
		*enc = XY_ENC_UTF8;
		*bom_len = 3;
		return 0;
	}
	if (starts_with(s, n, "\x84\x31\x95\x33", 4)) {
		*enc = XY_ENC_GB18030;
		*bom_len = 4;
		return 0;
	}
	if (other_bom(s, n))
		return XY_EENCODING;
	if (final ? xy_utf8_valid(s, n) : xy_utf8_valid_prefix(s, n)) {
		*enc = XY_ENC_UTF8;
		return 0;
	}
	if (gb_valid(s, n, final)) {
		*enc = XY_ENC_GB18030;
		return 0;
	}
	return XY_EENCODING;
}

/* How well [s, s+n) reads in one encoding: multibyte characters and undecodable spots. */
struct tally {
	size_t chars, bad;
};

static void tally_utf8(const unsigned char *s, size_t n, int final, struct tally *t)
{
	size_t i = 0;
	int len;

	while (i < n) {
		if (s[i] < 0x80) {
			i += xy_ascii_prefix(s + i, n - i);
			continue;
		}
		len = xy_utf8_seq(s + i, n - i);
		if (len == 0 && !final)
			return;
		if (len <= 0) {
			t->bad++;
			for (i++; i < n && (s[i] & 0xC0) == 0x80; i++)
				;
		} else {
			t->chars++;
			i += (size_t)len;
		}
	}
}

static void tally_gb(const unsigned char *s, size_t n, int final, struct tally *t)
{
	size_t i = 0;
	int len;

	while (i < n) {
		len = gb_seq(s + i, n - i);
		if (len == 0 && !final)
			return;
		if (len <= 0) {
			t->bad++;
			i++;
		} else {
			t->chars += len > 1;
			i += (size_t)len;
		}
	}
}

/* When the sniffed text is strictly neither encoding: the one with fewer undecodable
 * spots, as long as they are few (at most 8, or one non-ASCII character in 8), so that a
 * file with a few bad rows is read and those rows rejected, while binary data or another
 * encoding is refused. */
static int guess(const unsigned char *s, size_t n, int final, enum xy_encoding *enc)
{
	struct tally u = {0, 0}, g = {0, 0}, *best;

	if (other_bom(s, n))
		return XY_EENCODING;
	tally_utf8(s, n, final, &u);
	tally_gb(s, n, final, &g);
	best = g.bad < u.bad ? &g : &u;
	if (best->bad > 8 && best->bad * 8 > best->chars + best->bad)
		return XY_EENCODING;
	*enc = best == &g ? XY_ENC_GB18030 : XY_ENC_UTF8;
	return 0;
}

/* One read from the source into dst; passes the bytes to the tap. */
static ssize_t src_read(struct xy_textin *t, unsigned char *dst, size_t n)
{
	ssize_t got;
	int err;

	if (t->piece && n > t->piece)
		n = t->piece;
	if (t->fd < 0) {
		if (n > t->mem_len - t->mem_pos)
			n = t->mem_len - t->mem_pos;
		if (n)
			memcpy(dst, t->mem + t->mem_pos, n);
		t->mem_pos += n;
		got = (ssize_t)n;
	} else {
		do
			got = read(t->fd, dst, n);
		while (got < 0 && errno == EINTR);
		if (got < 0) {
			err = errno;
			xy_log_error("read: %s", strerror(err));
			return XY_EIO;
		}
	}
	if (got > 0) {
		t->offset += (unsigned long long)got;
		if (t->tap)
			t->tap(t->tap_arg, dst, (size_t)got);
	}
	return got;
}

/* Moves the unused bytes to the front of raw and reads once more behind them. */
static int fill(struct xy_textin *t)
{
	ssize_t got;

	if (t->rpos > 0) {
		memmove(t->raw, t->raw + t->rpos, t->rlen - t->rpos);
		t->rlen -= t->rpos;
		t->rpos = 0;
	}
	if (t->rlen == XY_TEXTIN_BLOCK)
		return 0;
	got = src_read(t, t->raw + t->rlen, XY_TEXTIN_BLOCK - t->rlen);
	if (got < 0)
		return (int)got;
	if (got == 0)
		t->eof = 1;
	t->rlen += (size_t)got;
	return 0;
}

/* Reads until at least want bytes are waiting in raw, or the source ends. */
static int fill_to(struct xy_textin *t, size_t want)
{
	int rc;

	while (t->rlen - t->rpos < want && !t->eof) {
		rc = fill(t);
		if (rc)
			return rc;
	}
	return 0;
}

static int set_encoding(struct xy_textin *t, enum xy_encoding enc)
{
	t->enc = enc;
	if (enc != XY_ENC_GB18030)
		return 0;
	t->dec = malloc(XY_TEXTIN_BLOCK);
	if (t->dec == NULL)
		return XY_ENOMEM;
	t->cd = iconv_open("UTF-8", "GB18030");
	if (t->cd == NO_ICONV) {
		xy_log_error("iconv_open GB18030: %s", strerror(errno));
		return XY_EENCODING;
	}
	return 0;
}

/* Encoding of the XY_TEXTIN_SNIFF bytes at raw + rpos (fewer at the end of the source):
 * never more, so that the choice does not depend on how much one read returned.
 * *window is set to how many bytes were looked at. */
static int sniff(const struct xy_textin *t, enum xy_encoding *enc, size_t *bom, size_t *window)
{
	const unsigned char *p = t->raw + t->rpos;
	size_t n = t->rlen - t->rpos;
	int final = t->eof;

	if (n > XY_TEXTIN_SNIFF) {
		n = XY_TEXTIN_SNIFF;
		final = 0;
	}
	*window = n;
	*bom = 0;
	if (xy_encoding_detect(p, n, final, enc, bom) == 0)
		return 0;
	return guess(p, n, final, enc);
}

/* XY_ENC_AUTO at open: decide from the first XY_TEXTIN_SNIFF bytes. */
static int decide_at_open(struct xy_textin *t)
{
	enum xy_encoding enc;
	size_t bom, n;

	if (sniff(t, &enc, &bom, &n)) {
		xy_log_warn("the input is neither UTF-8 nor GB18030");
		return XY_EENCODING;
	}
	t->rpos = bom;
	/* ASCII is the same in both: put the choice off until text says which. */
	t->undecided = enc == XY_ENC_UTF8 && bom == 0 && !(t->eof && n == t->rlen) &&
		       xy_ascii_prefix(t->raw, n) == n;
	return set_encoding(t, enc);
}

/* An explicit encoding: only refuse a BOM that contradicts it. */
static int check_bom(struct xy_textin *t, enum xy_encoding enc)
{
	if (other_bom(t->raw, t->rlen))
		return XY_EENCODING;
	if (starts_with(t->raw, t->rlen, "\xEF\xBB\xBF", 3)) {
		if (enc != XY_ENC_UTF8)
			return XY_EENCODING;
		t->rpos = 3;
	}
	if (enc == XY_ENC_GB18030 && starts_with(t->raw, t->rlen, "\x84\x31\x95\x33", 4))
		t->rpos = 4;
	return set_encoding(t, enc);
}

/* Undecided and the next byte is not ASCII: decide from the text that starts here. */
static int decide_late(struct xy_textin *t)
{
	enum xy_encoding enc;
	size_t bom, n;
	int rc;

	rc = fill_to(t, XY_TEXTIN_SNIFF);
	if (rc)
		return rc;
	t->undecided = 0;
	/* Neither encoding: keep UTF-8 and let the readers reject the rows. */
	if (sniff(t, &enc, &bom, &n))
		return 0;
	return enc == XY_ENC_GB18030 ? set_encoding(t, XY_ENC_GB18030) : 0;
}

/* Sniffs and settles the encoding of a new reader; hands it to *out, or frees it. */
static int open_common(struct xy_textin **out, struct xy_textin *t, enum xy_encoding enc)
{
	int rc;

	t->cd = NO_ICONV;
	t->raw = malloc(XY_TEXTIN_BLOCK);
	if (t->raw == NULL) {
		rc = XY_ENOMEM;
		goto out;
	}
	rc = fill_to(t, enc == XY_ENC_AUTO ? XY_TEXTIN_SNIFF : 4);
	if (rc)
		goto out;
	rc = enc == XY_ENC_AUTO ? decide_at_open(t) : check_bom(t, enc);
	if (rc)
		goto out;
	*out = t;
	t = NULL;
out:
	xy_textin_free(t);
	return rc;
}

int xy_textin_open_fd(struct xy_textin **out, int fd, enum xy_encoding enc)
{
	struct xy_textin *t;

	*out = NULL;
	if (fd < 0 || enc > XY_ENC_GB18030)
		return XY_EINVAL;
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return XY_ENOMEM;
	t->fd = fd;
	return open_common(out, t, enc);
}

int xy_textin_open_mem_pieces(struct xy_textin **out, const void *p, size_t n, enum xy_encoding enc,
			      size_t piece)
{
	struct xy_textin *t;

	*out = NULL;
	if ((p == NULL && n > 0) || enc > XY_ENC_GB18030)
		return XY_EINVAL;
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return XY_ENOMEM;
	t->fd = -1;
	t->mem = p;
	t->mem_len = n;
	t->piece = piece;
	return open_common(out, t, enc);
}

int xy_textin_open_mem(struct xy_textin **out, const void *p, size_t n, enum xy_encoding enc)
{
	return xy_textin_open_mem_pieces(out, p, n, enc, 0);
}

enum xy_encoding xy_textin_encoding(const struct xy_textin *t)
{
	return t->enc;
}

void xy_textin_set_tap(struct xy_textin *t, void (*fn)(void *arg, const void *p, size_t n),
		       void *arg)
{
	t->tap = fn;
	t->tap_arg = arg;
	/* Before the first read nothing has moved in raw: it holds every byte read so far. */
	if (fn && !t->started && t->offset > 0)
		fn(arg, t->raw, (size_t)t->offset);
}

static ssize_t read_utf8(struct xy_textin *t, char *buf, size_t n)
{
	size_t k;
	int rc;

	while (t->rpos == t->rlen) {
		if (t->eof)
			return 0;
		rc = fill(t);
		if (rc)
			return rc;
	}
	if (n > t->rlen - t->rpos)
		n = t->rlen - t->rpos;
	if (t->undecided) {
		k = xy_ascii_prefix(t->raw + t->rpos, n);
		if (k == 0) {
			rc = decide_late(t);
			if (rc)
				return rc;
			return xy_textin_read(t, buf, n);
		}
		n = k;
	}
	memcpy(buf, t->raw + t->rpos, n);
	t->rpos += n;
	return (ssize_t)n;
}

/* One step of iconv over raw into dec; 1: keep going, 0: nothing more, <0 error. */
static int convert(struct xy_textin *t)
{
	char *in = (char *)t->raw + t->rpos, *out = t->dec + t->dlen;
	size_t inleft = t->rlen - t->rpos, outleft = XY_TEXTIN_BLOCK - t->dlen;
	size_t r = iconv(t->cd, &in, &inleft, &out, &outleft);
	int err = errno, rc;

	t->rpos = (size_t)((unsigned char *)in - t->raw);
	t->dlen = (size_t)(out - t->dec);
	if (r != (size_t)-1 || err == E2BIG)
		return 0;
	if (err == EINVAL && !t->eof) { /* a sequence cut by the end of raw: read on */
		if (t->dlen > 0)
			return 0;
		rc = fill(t);
		return rc ? rc : 1;
	}
	if (err != EILSEQ && err != EINVAL) {
		xy_log_error("iconv: %s", strerror(err));
		return XY_EIO;
	}
	/* Invalid, or cut by the end of the file: one 0xFF per undecodable byte, so a line
	 * break right after a bad lead byte is still seen as one. */
	if (outleft == 0)
		return 0;
	t->dec[t->dlen++] = (char)0xFF;
	t->rpos++;
	return 1;
}

/* Decodes more into dec; 1 when output is ready, 0 at the end, negative on error. */
static int decode_more(struct xy_textin *t)
{
	int rc;

	t->dpos = t->dlen = 0;
	for (;;) {
		if (t->rpos == t->rlen) {
			if (t->dlen > 0 || t->eof)
				return t->dlen > 0;
			rc = fill(t);
			if (rc)
				return rc;
			continue;
		}
		rc = convert(t);
		if (rc < 0)
			return rc;
		if (rc == 0 && t->dlen > 0)
			return 1;
	}
}

static ssize_t read_gb18030(struct xy_textin *t, char *buf, size_t n)
{
	int rc;

	if (t->dpos == t->dlen) {
		rc = decode_more(t);
		if (rc <= 0)
			return rc;
	}
	if (n > t->dlen - t->dpos)
		n = t->dlen - t->dpos;
	memcpy(buf, t->dec + t->dpos, n);
	t->dpos += n;
	return (ssize_t)n;
}

ssize_t xy_textin_read(struct xy_textin *t, char *buf, size_t n)
{
	t->started = 1;
	if (n == 0)
		return 0;
	if (t->enc == XY_ENC_GB18030)
		return read_gb18030(t, buf, n);
	return read_utf8(t, buf, n);
}

unsigned long long xy_textin_offset(const struct xy_textin *t)
{
	return t->offset;
}

size_t xy_textin_mem_size(const struct xy_textin *t)
{
	return sizeof(*t) + (t->raw ? XY_TEXTIN_BLOCK : 0) + (t->dec ? XY_TEXTIN_BLOCK : 0);
}

void xy_textin_free(struct xy_textin *t)
{
	if (t == NULL)
		return;
	if (t->cd != NO_ICONV)
		iconv_close(t->cd);
	/* The buffers held the file's text (identity numbers among it). */
	if (t->dec)
		explicit_bzero(t->dec, XY_TEXTIN_BLOCK);
	if (t->raw)
		explicit_bzero(t->raw, XY_TEXTIN_BLOCK);
	free(t->dec);
	free(t->raw);
	free(t);
}
