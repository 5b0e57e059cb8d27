#include "svc/record.h"

#include <string.h>

#include "crypto/seal.h"
#include "util/err.h"

/* Bytes that JSON strings must escape: quote, backslash, controls. */
static const unsigned char needs_escape[256] = {
	[0x00] = 1, [0x01] = 1, [0x02] = 1, [0x03] = 1, [0x04] = 1, [0x05] = 1, [0x06] = 1,
	[0x07] = 1, [0x08] = 1, [0x09] = 1, [0x0a] = 1, [0x0b] = 1, [0x0c] = 1, [0x0d] = 1,
	[0x0e] = 1, [0x0f] = 1, [0x10] = 1, [0x11] = 1, [0x12] = 1, [0x13] = 1, [0x14] = 1,
	[0x15] = 1, [0x16] = 1, [0x17] = 1, [0x18] = 1, [0x19] = 1, [0x1a] = 1, [0x1b] = 1,
	[0x1c] = 1, [0x1d] = 1, [0x1e] = 1, [0x1f] = 1, ['"'] = 1,  ['\\'] = 1,
};

/* Writes "s" escaped.  Reserves the worst case once (every byte \u00XX),
 * then writes straight into the buffer: this runs for every field of every
 * imported row. */
static int put_json_string(struct xy_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t at = b->len;
	char *o;
	int rc;

	if (n > (b->max - 2) / 6)
		return XY_ELIMIT;
	if ((rc = xy_buf_reserve(b, n * 6 + 2)))
		return rc;
	o = b->p + at;
	*o++ = '"';
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!needs_escape[c]) {
			*o++ = (char)c;
		} else if (c == '"' || c == '\\') {
			*o++ = '\\';
			*o++ = (char)c;
		} else {
			o[0] = '\\';
			o[1] = 'u';
			o[2] = '0';
			o[3] = '0';
			o[4] = hex[c >> 4];
			o[5] = hex[c & 15];
			o += 6;
		}
	}
	*o++ = '"';
	b->len = (size_t)(o - b->p);
	b->p[b->len] = '\0';
	return 0;
}

int xy_record_json_put(struct xy_buf *b, const char *code, const char *v, size_t n)
{
	int rc = 0;
	if (b->len > 1)
		rc = xy_buf_addc(b, ',');
	if (!rc)
		rc = put_json_string(b, code, strlen(code));
	if (!rc)
		rc = xy_buf_addc(b, ':');
	return rc ? rc : put_json_string(b, v, n);
}

int xy_record_seal_put(struct xy_buf *b, struct xy_sealer *s, int64_t id, const char *code,
		       const char *v, size_t n)
{
	size_t clen = strlen(code), at;
	uint8_t hdr[4];
	uint32_t slen;
	int rc;

	if (clen == 0 || clen > 255)
		return XY_EINVAL;
	hdr[0] = (uint8_t)clen;
	if ((rc = xy_buf_add(b, hdr, 1)) || (rc = xy_buf_add(b, code, clen)) ||
	    (rc = xy_buf_add(b, "\0\0\0\0", 4)))
		return rc;
	at = b->len;
	if ((rc = xy_seal(s, XY_RECORD_TABLE, code, id, v, n, b)))
		return rc;
	slen = (uint32_t)(b->len - at);
	hdr[0] = (uint8_t)(slen >> 24);
	hdr[1] = (uint8_t)(slen >> 16);
	hdr[2] = (uint8_t)(slen >> 8);
	hdr[3] = (uint8_t)slen;
	memcpy(b->p + at - 4, hdr, 4);
	return 0;
}

int xy_record_sealed_each(const void *sealed, size_t n,
			  int (*fn)(void *arg, const char *code, const void *v, size_t len),
			  void *arg)
{
	const uint8_t *p = sealed;
	size_t i = 0;

	while (i < n) {
		char code[256];
		size_t clen = p[i++];
		uint32_t slen;
		int rc;

		if (clen == 0 || n - i < clen + 4)
			return XY_ETAMPER;
		memcpy(code, p + i, clen);
		code[clen] = '\0';
		i += clen;
		slen = (uint32_t)p[i] << 24 | (uint32_t)p[i + 1] << 16 | (uint32_t)p[i + 2] << 8 |
		       p[i + 3];
		i += 4;
		if (n - i < slen)
			return XY_ETAMPER;
		if ((rc = fn(arg, code, p + i, slen)))
			return rc;
		i += slen;
	}
	return 0;
}
