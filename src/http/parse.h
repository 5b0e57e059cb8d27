/* Parsing of what a client sends before any rule sees it: the request
 * target (path and query), the Authorization header and the Cookie header.
 * Pure functions over untrusted bytes; each has a libFuzzer target. */
#ifndef XY_HTTP_PARSE_H
#define XY_HTTP_PARSE_H

#include <stddef.h>

#include "util/limits.h"

struct xy_qparam {
	const char *key, *value; /* point into the caller's query buffer */
};

struct xy_target {
	char path[XY_HTTP_PATH_MAX];				 /* percent-decoded */
	char qbuf[XY_HTTP_QUERY_MAX * (XY_HTTP_PARAM_MAX + 64)]; /* decoded keys and values */
	struct xy_qparam q[XY_HTTP_QUERY_MAX];
	int nq;
};

/* Splits a raw request target "/api/v1/x%20y?a=1&b=%E4%BD%A0" into a
 * decoded path and query parameters.  Refused (XY_EPARSE): no leading '/',
 * a bad or NUL escape, invalid UTF-8, control characters, "." or ".."
 * segments, an empty segment ("//"); XY_ELIMIT: past the path, parameter
 * count or value length limits.  A key given twice is refused (XY_EPARSE). */
int xy_http_parse_target(const char *uri, size_t n, struct xy_target *t);

/* The value of a query parameter, or NULL. */
const char *xy_http_query(const struct xy_target *t, const char *key);

/* The token of "Bearer TOKEN" (scheme case-insensitive, one space or more).
 * 0 with the token in out; XY_ENOTFOUND when the header is absent or another
 * scheme; XY_EPARSE when malformed (token characters are [A-Za-z0-9_-.~]);
 * XY_ELIMIT when longer than XY_TOKEN_MAX. */
int xy_http_bearer(const char *header, char out[XY_TOKEN_MAX + 1]);

/* HTTP Basic credentials (RFC 7617), as machine clients send them: user
 * and password each a token (same alphabet) of at most XY_TOKEN_MAX bytes.
 * Same results as xy_http_bearer; XY_EPARSE for bad base64 or no colon. */
int xy_http_basic(const char *header, char user[XY_TOKEN_MAX + 1], char pass[XY_TOKEN_MAX + 1]);

/* The value of cookie `name` in a Cookie header ("a=1; b=2").  Same
 * results and token alphabet as xy_http_bearer; a name given twice is
 * XY_EPARSE (cookie tossing). */
int xy_http_cookie(const char *header, const char *name, char out[XY_TOKEN_MAX + 1]);

#endif
