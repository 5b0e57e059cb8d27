#include "crypto/totp.h"

#include <pthread.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "crypto/sm.h"
#include "util/err.h"
#include "util/utf8.h"

#define SHA1_LEN     20
#define COUNTER_LEN  8
#define DIGITS_POWER 1000000u /* 10^XY_TOTP_DIGITS */

_Static_assert(XY_TOTP_DIGITS == 6, "DIGITS_POWER and the URI assume 6 digits");
_Static_assert(XY_TOTP_STEP == 30, "the URI says period=30");

/* HMAC is fetched once, like the SM primitives in sm.c (no implicit fetch per call). */
static pthread_once_t fetch_once = PTHREAD_ONCE_INIT;
static EVP_MAC *mac_hmac;

static void fetch_hmac(void)
{
	mac_hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (!mac_hmac)
		xy__ossl_fail(__func__, "HMAC is not available in this OpenSSL");
}

/* A fresh HMAC-SHA1 context keyed with key; XY_EINVAL for a key length outside
 * [XY_TOTP_KEY_MIN, XY_TOTP_KEY_MAX]. */
static int hmac_sha1_new(EVP_MAC_CTX **out, const uint8_t *key, size_t keylen)
{
	static char digest_name[] = "SHA1"; /* OSSL_PARAM wants a non-const pointer */
	OSSL_PARAM params[2];
	EVP_MAC_CTX *ctx;

	*out = NULL;
	if (!key || keylen < XY_TOTP_KEY_MIN || keylen > XY_TOTP_KEY_MAX)
		return XY_EINVAL;
	if (pthread_once(&fetch_once, fetch_hmac) != 0 || !mac_hmac)
		return XY_ECRYPTO;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0);
	params[1] = OSSL_PARAM_construct_end();
	ctx = EVP_MAC_CTX_new(mac_hmac);
	if (!ctx || EVP_MAC_init(ctx, key, keylen, params) != 1) {
		EVP_MAC_CTX_free(ctx);
		return xy__ossl_fail(__func__, "HMAC-SHA1 init");
	}
	*out = ctx;
	return 0;
}

/* RFC 4226 5.3: HMAC-SHA1 of the 8-byte big-endian counter, dynamic truncation, mod 10^6.
 * ctx is keyed already; EVP_MAC_init with a NULL key starts a new MAC under that key. */
static int hotp_step(EVP_MAC_CTX *ctx, uint64_t counter, uint32_t *code)
{
	uint8_t msg[COUNTER_LEN], mac[SHA1_LEN];
	size_t len = 0;
	unsigned off;
	int rc = 0;

	for (int i = COUNTER_LEN - 1; i >= 0; i--, counter >>= 8)
		msg[i] = (uint8_t)(counter & 0xff);
	if (EVP_MAC_init(ctx, NULL, 0, NULL) != 1 || EVP_MAC_update(ctx, msg, sizeof msg) != 1 ||
	    EVP_MAC_final(ctx, mac, &len, sizeof mac) != 1 || len != SHA1_LEN) {
		rc = xy__ossl_fail(__func__, "HMAC-SHA1");
		goto out;
	}
	off = mac[SHA1_LEN - 1] & 0x0f;
	*code = (((uint32_t)mac[off] & 0x7f) << 24 | (uint32_t)mac[off + 1] << 16 |
		 (uint32_t)mac[off + 2] << 8 | (uint32_t)mac[off + 3]) %
		DIGITS_POWER;
out:
	xy_wipe(mac, sizeof mac);
	return rc;
}

int xy_hotp(const uint8_t *key, size_t keylen, uint64_t counter, uint32_t *code_out)
{
	EVP_MAC_CTX *ctx;
	int rc;

	if (!code_out)
		return XY_EINVAL;
	rc = hmac_sha1_new(&ctx, key, keylen);
	if (rc)
		return rc;
	rc = hotp_step(ctx, counter, code_out);
	EVP_MAC_CTX_free(ctx);
	return rc;
}

/* 1 when code is exactly XY_TOTP_DIGITS ASCII digits followed by the NUL. */
static int code_well_formed(const char *code)
{
	for (int i = 0; i < XY_TOTP_DIGITS; i++)
		if (code[i] < '0' || code[i] > '9')
			return 0;
	return code[XY_TOTP_DIGITS] == '\0';
}

static void code_digits(uint32_t code, char out[XY_TOTP_DIGITS])
{
	for (int i = XY_TOTP_DIGITS - 1; i >= 0; i--, code /= 10)
		out[i] = (char)('0' + code % 10);
}

int xy_totp_check(const uint8_t *key, size_t keylen, int64_t unix_time, const char *code,
		  int window, uint64_t last_step, uint64_t *step_out)
{
	EVP_MAC_CTX *ctx = NULL;
	char want[XY_TOTP_DIGITS];
	uint64_t now, best = 0;
	uint32_t c = 0;
	int rc, found = 0;

	if (!code || !step_out || !code_well_formed(code) || unix_time < 0 || window < 0 ||
	    window > XY_TOTP_WINDOW_MAX)
		return XY_EINVAL;
	rc = hmac_sha1_new(&ctx, key, keylen);
	if (rc)
		return rc;
	now = (uint64_t)unix_time / XY_TOTP_STEP;
	/* Every candidate is computed and compared: the time taken does not depend on which
	 * step (if any) matches.  Steps rise with i, so the last match is the greatest. */
	for (int i = -window; i <= window; i++) {
		uint64_t step, mask;
		int hit;
		if (i < 0 && (uint64_t)-i > now)
			continue; /* before the epoch */
		step = now + (uint64_t)(int64_t)i;
		rc = hotp_step(ctx, step, &c);
		if (rc)
			goto out;
		code_digits(c, want);
		/* ACC-5: a step at or before the last accepted one never matches (no replay). */
		hit = xy_ct_equal(want, code, XY_TOTP_DIGITS) & (step > last_step);
		mask = (uint64_t)0 - (uint64_t)hit;
		best = (best & ~mask) | (step & mask);
		found |= hit;
	}
	rc = found ? 0 : XY_EDENIED;
	if (found)
		*step_out = best;
out:
	xy_wipe(want, sizeof want);
	xy_wipe(&c, sizeof c);
	EVP_MAC_CTX_free(ctx);
	return rc;
}

int xy_base32_encode(const uint8_t *in, size_t n, char *out, size_t cap)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	uint32_t acc = 0;
	int bits = 0;
	size_t k = 0;

	if (!out || (n && !in))
		return XY_EINVAL;
	if (n > (SIZE_MAX - 5) / 8 || cap < XY_BASE32_LEN(n) + 1)
		return XY_ELIMIT;
	for (size_t i = 0; i < n; i++) {
		acc = (acc << 8 | in[i]) & 0xfff; /* at most 4 + 8 bits are pending */
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			out[k++] = alphabet[(acc >> bits) & 31];
		}
	}
	if (bits > 0) /* RFC 4648 6: the last group is padded with zero bits */
		out[k++] = alphabet[(acc << (5 - bits)) & 31];
	out[k] = '\0';
	xy_wipe(&acc, sizeof acc);
	return 0;
}

/* ---- otpauth:// URI ---- */

/* Appends to a fixed buffer; overflow is remembered and reported once at the end. */
struct writer {
	char *p;
	size_t cap, len;
	int over;
};

static void put(struct writer *w, const char *s, size_t n)
{
	if (w->over || n >= w->cap - w->len) {
		w->over = 1;
		return;
	}
	memcpy(w->p + w->len, s, n);
	w->len += n;
}

static void put_str(struct writer *w, const char *s)
{
	put(w, s, strlen(s));
}

/* RFC 3986 2.3: only the unreserved characters stay as they are; every other byte (each
 * byte of a multi-byte UTF-8 character included) becomes %XX with upper-case hex (2.1). */
static void put_pct(struct writer *w, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (const unsigned char *q = (const unsigned char *)s; *q; q++) {
		char e[3] = {'%', hex[*q >> 4], hex[*q & 15]};
		if ((*q >= 'A' && *q <= 'Z') || (*q >= 'a' && *q <= 'z') ||
		    (*q >= '0' && *q <= '9') || *q == '-' || *q == '.' || *q == '_' || *q == '~')
			put(w, (const char *)q, 1);
		else
			put(w, e, sizeof e);
	}
}

/* 0 for a label part the URI can carry: 1..XY_TOTP_LABEL_MAX bytes of valid UTF-8 without
 * ':' (the issuer/account separator) or control characters. */
static int label_check(const char *s)
{
	size_t n;

	if (!s)
		return XY_EINVAL;
	n = strnlen(s, XY_TOTP_LABEL_MAX + 1);
	if (n == 0 || n > XY_TOTP_LABEL_MAX)
		return XY_EINVAL;
	if (!xy_utf8_valid(s, n))
		return XY_EENCODING;
	for (size_t i = 0; i < n; i++)
		if (s[i] == ':' || (unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return XY_EINVAL;
	return 0;
}

static int secret_check(const char *s)
{
	size_t n;

	if (!s)
		return XY_EINVAL;
	n = strnlen(s, XY_BASE32_LEN(XY_TOTP_KEY_MAX) + 1);
	if (n < XY_BASE32_LEN(XY_TOTP_KEY_MIN) || n > XY_BASE32_LEN(XY_TOTP_KEY_MAX))
		return XY_EINVAL;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '2' && s[i] <= '7')))
			return XY_EINVAL;
	return 0;
}

int xy_totp_uri(const char *issuer, const char *account, const char *secret_b32, char *out,
		size_t cap)
{
	struct writer w = {out, cap, 0, 0};
	int rc;

	if (!out || cap == 0)
		return XY_EINVAL;
	out[0] = '\0';
	if ((rc = label_check(issuer)) || (rc = label_check(account)) ||
	    (rc = secret_check(secret_b32)))
		return rc;
	put_str(&w, "otpauth://totp/");
	put_pct(&w, issuer);
	put_str(&w, ":");
	put_pct(&w, account);
	put_str(&w, "?secret=");
	put_str(&w, secret_b32);
	put_str(&w, "&issuer=");
	put_pct(&w, issuer);
	put_str(&w, "&algorithm=SHA1&digits=6&period=30");
	if (w.over) {
		xy_wipe(out, cap); /* a partial URI may already hold the secret */
		return XY_ELIMIT;
	}
	out[w.len] = '\0';
	return 0;
}
