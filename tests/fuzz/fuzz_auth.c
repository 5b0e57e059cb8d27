/* libFuzzer target: the Authorization and Cookie header parsers (src/http/parse.c) on
 * untrusted header text, as api.c reads the credentials (a machine client's Basic,
 * then the session's bearer token, then the "xy_session" cookie).
 *
 * The input up to its first NUL is the header value (libmicrohttpd hands over C strings).
 * On success the token is 1..XY_TOKEN_MAX bytes of [A-Za-z0-9._~-] and is found in the
 * header; the answers must not change when the header is rewritten in ways that mean the
 * same thing (scheme case, trailing blanks, another cookie before it), and a second
 * "xy_session" cookie must always be refused (cookie tossing). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/parse.h"
#include "util/err.h"
#include "util/limits.h"

#define COOKIE "xy_session"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

static void check(int ok)
{
	if (!ok)
		abort();
}

static int known_rc(int rc)
{
	return rc == 0 || rc == XY_ENOTFOUND || rc == XY_EPARSE || rc == XY_ELIMIT;
}

static void check_token(const char *tok)
{
	size_t n = strnlen(tok, XY_TOKEN_MAX + 1);

	check(n >= 1 && n <= XY_TOKEN_MAX);
	check(strspn(tok, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._~-") ==
	      n);
}

/* A copy of s with room for extra bytes around it; NULL when out of memory. */
static char *with(const char *pre, const char *s, const char *post)
{
	size_t a = strlen(pre), b = strlen(s), c = strlen(post);
	char *o = malloc(a + b + c + 1);

	if (o == NULL)
		return NULL;
	memcpy(o, pre, a);
	memcpy(o + a, s, b);
	memcpy(o + a + b, post, c + 1);
	return o;
}

static void bearer(const char *h)
{
	char out[XY_TOKEN_MAX + 1], out2[XY_TOKEN_MAX + 1];
	char *h2;
	int rc, rc2;

	memset(out, 0xBE, sizeof out);
	rc = xy_http_bearer(h, out);
	check(known_rc(rc));
	if (rc == 0) {
		const char *p = h + strspn(h, " \t");
		check_token(out);
		check(strncasecmp(p, "bearer", 6) == 0);
		check(strstr(h, out) != NULL);
	}
	/* Trailing blanks change nothing. */
	if ((h2 = with("", h, " \t ")) != NULL) {
		memset(out2, 0xBE, sizeof out2);
		rc2 = xy_http_bearer(h2, out2);
		check(rc2 == rc);
		check(rc != 0 || strcmp(out, out2) == 0);
		free(h2);
	}
	/* Nor does the case of the scheme. */
	if ((h2 = with("", h, "")) != NULL) {
		char *p = h2 + strspn(h2, " \t");
		for (int i = 0; i < 6 && p[i]; i++)
			p[i] = (char)(p[i] ^
				      ((p[i] | 0x20) >= 'a' && (p[i] | 0x20) <= 'z' ? 0x20 : 0));
		memset(out2, 0xBE, sizeof out2);
		rc2 = xy_http_bearer(h2, out2);
		check(rc2 == rc);
		check(rc != 0 || strcmp(out, out2) == 0);
		free(h2);
	}
}

static void cookie(const char *h)
{
	char out[XY_TOKEN_MAX + 1], out2[XY_TOKEN_MAX + 1];
	char *h2;
	int rc, rc2;

	memset(out, 0xBE, sizeof out);
	rc = xy_http_cookie(h, COOKIE, out);
	check(known_rc(rc));
	if (rc == 0) {
		check_token(out);
		check(strstr(h, COOKIE "=") != NULL);
		check(strstr(h, out) != NULL);
	}
	/* Another cookie in front changes nothing. */
	if ((h2 = with("other=1; ", h, "")) != NULL) {
		memset(out2, 0xBE, sizeof out2);
		rc2 = xy_http_cookie(h2, COOKIE, out2);
		check(rc2 == rc);
		check(rc != 0 || strcmp(out, out2) == 0);
		free(h2);
	}
	/* A second xy_session after it: refused when there was one, taken when there was
	 * none, and an earlier refusal stands. */
	if ((h2 = with("", h, "; " COOKIE "=abc")) != NULL) {
		memset(out2, 0xBE, sizeof out2);
		rc2 = xy_http_cookie(h2, COOKIE, out2);
		if (rc == 0)
			check(rc2 == XY_EPARSE);
		else if (rc == XY_ENOTFOUND)
			check(rc2 == 0 && strcmp(out2, "abc") == 0);
		else
			check(rc2 == rc);
		free(h2);
	}
}

static int token_ok(const char *s, size_t n)
{
	return n >= 1 && n <= XY_TOKEN_MAX &&
	       strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._~-") >= n;
}

/* Basic (SHR-6): the header as given must parse to tokens or be refused; and the
 * input taken as "user:pass", encoded as a client would, must come back exactly
 * when both halves are tokens (the first colon splits). */
static void basic(const char *h, size_t n)
{
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char user[XY_TOKEN_MAX + 1], pass[XY_TOKEN_MAX + 1];
	char *enc = malloc(6 + (n + 2) / 3 * 4 + 1), *e;
	const char *colon;
	int rc;

	rc = xy_http_basic(h, user, pass);
	check(known_rc(rc));
	if (rc == 0) {
		check_token(user);
		check_token(pass);
	} else {
		check(user[0] == 0 && pass[0] == 0);
	}
	if (enc == NULL)
		return;
	memcpy(enc, "Basic ", 6);
	e = enc + 6;
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned char)h[i] << 16;
		if (i + 1 < n)
			v |= (unsigned char)h[i + 1] << 8;
		if (i + 2 < n)
			v |= (unsigned char)h[i + 2];
		*e++ = b64[v >> 18 & 63];
		*e++ = b64[v >> 12 & 63];
		*e++ = i + 1 < n ? b64[v >> 6 & 63] : '=';
		*e++ = i + 2 < n ? b64[v & 63] : '=';
	}
	*e = 0;
	rc = xy_http_basic(enc, user, pass);
	colon = memchr(h, ':', n);
	if (colon && token_ok(h, (size_t)(colon - h)) &&
	    token_ok(colon + 1, n - (size_t)(colon + 1 - h))) {
		check(rc == 0);
		check(strlen(user) == (size_t)(colon - h) && !memcmp(user, h, strlen(user)));
		check(!strcmp(pass, colon + 1));
	} else {
		check(rc != 0);
	}
	free(enc);
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	char out[XY_TOKEN_MAX + 1], out2[XY_TOKEN_MAX + 1];
	char *h = malloc(n + 1);

	if (h == NULL)
		return 0;
	if (n)
		memcpy(h, d, n);
	h[n] = 0;
	bearer(h);
	cookie(h);
	basic(h, strlen(h));
	/* An absent header is "not found" for both. */
	check(xy_http_bearer(NULL, out) == XY_ENOTFOUND && out[0] == 0);
	check(xy_http_cookie(NULL, COOKIE, out) == XY_ENOTFOUND && out[0] == 0);
	check(xy_http_basic(NULL, out, out2) == XY_ENOTFOUND && out[0] == 0);
	free(h);
	return 0;
}
