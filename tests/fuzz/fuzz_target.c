/* libFuzzer target: the request target parser (src/http/parse.c) and the API router
 * (src/api/api.c) on untrusted bytes, as libmicrohttpd hands them over before any rule
 * sees the request.
 *
 * The input is the raw target ("/api/v1/x%20y?a=1&b=%E4%BD%A0"), NUL-terminated in a copy.
 * An input whose first byte is 0xA5 (never a valid target) is a template instead, so that
 * inputs past the -max_len of the short runs can still be reached: 0xFF HI LO C stands for
 * the byte C repeated HI*256+LO times (at most EXPAND_MAX bytes in all).
 *
 * On success the decoded path and every query parameter are checked against parse.h's
 * promises; then every method in {GET, POST, DELETE, PATCH} is routed and the answer is
 * compared with a plain walk over the route table. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "http/parse.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/utf8.h"

#define EXPAND_MAGIC 0xA5
#define EXPAND_MAX   (32 * 1024)

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

static void check(int ok)
{
	if (!ok)
		abort();
}

static int no_controls(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] == 0x7f)
			return 0;
	return 1;
}

/* The template expansion (see above); NULL when it does not fit. */
static char *expand(const uint8_t *d, size_t n, size_t *len)
{
	char *out = malloc(EXPAND_MAX + 1);
	size_t k = 0;

	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (d[i] == 0xFF && i + 3 < n) {
			size_t rep = (size_t)d[i + 1] * 256 + d[i + 2];
			if (rep > EXPAND_MAX - k)
				goto toolong;
			memset(out + k, d[i + 3], rep);
			k += rep;
			i += 3;
			continue;
		}
		if (k >= EXPAND_MAX)
			goto toolong;
		out[k++] = (char)d[i];
	}
	out[k] = 0;
	*len = k;
	return out;
toolong:
	free(out);
	return NULL;
}

/* 1 when s lies inside the query buffer and its NUL too. */
static int in_qbuf(const struct xy_target *t, const char *s)
{
	const char *lo = t->qbuf, *hi = t->qbuf + sizeof t->qbuf;
	return s >= lo && s < hi && memchr(s, 0, (size_t)(hi - s)) != NULL;
}

static void check_path(const char *p)
{
	size_t n = strnlen(p, XY_HTTP_PATH_MAX);

	check(n < XY_HTTP_PATH_MAX);
	check(n >= 1 && p[0] == '/');
	check(strstr(p, "//") == NULL);
	check(no_controls(p, n));
	check(xy_utf8_valid(p, n));
	/* no "." or ".." segment */
	for (const char *s = p; s != NULL; s = strchr(s + 1, '/')) {
		size_t seg = strcspn(s + 1, "/");
		check(!(seg == 1 && s[1] == '.'));
		check(!(seg == 2 && s[1] == '.' && s[2] == '.'));
	}
}

static void check_query(const struct xy_target *t)
{
	check(t->nq >= 0 && t->nq <= XY_HTTP_QUERY_MAX);
	for (int i = 0; i < t->nq; i++) {
		const char *k = t->q[i].key, *v = t->q[i].value;
		check(in_qbuf(t, k) && in_qbuf(t, v));
		check(k[0] != 0);
		check(no_controls(k, strlen(k)) && xy_utf8_valid(k, strlen(k)));
		check(strlen(v) <= XY_HTTP_PARAM_MAX);
		check(no_controls(v, strlen(v)) && xy_utf8_valid(v, strlen(v)));
		for (int j = 0; j < i; j++)
			check(strcmp(t->q[j].key, k) != 0); /* a key given twice is refused */
		/* keys are unique: the lookup finds this very value */
		check(xy_http_query(t, k) == v);
	}
	/* A control character never survives decoding, so no key holds one. */
	check(xy_http_query(t, "\x01") == NULL);
}

/* Counts the {} segments of a pattern. */
static int nparams(const char *pat)
{
	int np = 0;
	for (const char *s = strstr(pat, "{}"); s != NULL; s = strstr(s + 2, "{}"))
		np++;
	return np;
}

/* The pattern with its {} replaced by params must give back the path. */
static void check_params(const char *pat, const char *path, char params[XY_API_PARAMS][128])
{
	char buf[XY_HTTP_PATH_MAX + 1];
	size_t k = 0;
	int np = 0;

	while (*pat) {
		if (pat[0] == '{' && pat[1] == '}') {
			size_t n;
			check(np < XY_API_PARAMS);
			n = strnlen(params[np], 128);
			check(n >= 1 && n < 128);
			check(strchr(params[np], '/') == NULL);
			check(k + n < sizeof buf);
			memcpy(buf + k, params[np], n);
			k += n;
			np++;
			pat += 2;
			continue;
		}
		check(k + 1 < sizeof buf);
		buf[k++] = *pat++;
	}
	buf[k] = 0;
	check(strcmp(buf, path) == 0);
}

static void check_route(const char *method, const char *path)
{
	char params[XY_API_PARAMS][128], p2[XY_API_PARAMS][128];
	const struct xy_route *r, *want = NULL;
	int known = -1, other = 0;

	memset(params, 0xBE, sizeof params);
	r = xy_api_route(method, path, params, &known);
	check(known == 0 || known == 1);
	/* The first route of the table that matches path and method wins. */
	for (int i = 0; i < xy_nroutes; i++) {
		memset(p2, 0xBE, sizeof p2);
		if (!xy_api_match(xy_routes[i].pattern, path, p2))
			continue;
		check_params(xy_routes[i].pattern, path, p2);
		if (strcmp(xy_routes[i].method, method) == 0) {
			if (want == NULL)
				want = &xy_routes[i];
		} else if (want == NULL) {
			other = 1;
		}
	}
	check(r == want);
	if (r == NULL) {
		/* 405 when another method has the path, else 404 */
		check(known == other);
		return;
	}
	check(r >= xy_routes && r < xy_routes + xy_nroutes);
	check(strcmp(r->method, method) == 0);
	check(nparams(r->pattern) <= XY_API_PARAMS);
	check_params(r->pattern, path, params);
	check(path[0] == '/');
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	static const char *const methods[] = {"GET", "POST", "DELETE", "PATCH"};
	struct xy_target *t;
	char *s;
	size_t len;
	int rc;

	if (n > 0 && d[0] == EXPAND_MAGIC) {
		s = expand(d + 1, n - 1, &len);
		if (s == NULL)
			return 0;
	} else {
		s = malloc(n + 1);
		if (s == NULL)
			return 0;
		if (n)
			memcpy(s, d, n);
		s[n] = 0;
		len = n;
	}
	/* On the heap and exactly its size, so ASan sees a write past its end; filled with
	 * garbage so that nothing relies on a zeroed structure. */
	t = malloc(sizeof *t);
	if (t == NULL) {
		free(s);
		return 0;
	}
	memset(t, 0xBE, sizeof *t);
	rc = xy_http_parse_target(s, len, t);
	check(rc == 0 || rc == XY_EPARSE || rc == XY_ELIMIT);
	if (rc == 0) {
		const char *q = memchr(s, '?', len);
		size_t plen = q ? (size_t)(q - s) : len;

		check_path(t->path);
		check_query(t);
		/* Without escapes the path is the raw bytes before '?'. */
		if (memchr(s, '%', plen) == NULL)
			check(strlen(t->path) == plen && memcmp(t->path, s, plen) == 0);
		/* A target that parsed holds no NUL and no raw control byte. */
		check(memchr(s, 0, len) == NULL && no_controls(s, len));
		for (size_t i = 0; i < sizeof methods / sizeof *methods; i++)
			check_route(methods[i], t->path);
	}
	free(t);
	free(s);
	return 0;
}
