/* Request target, Authorization and Cookie parsing: see parse.h. */
#include <string.h>
#include <strings.h>

#include "http/parse.h"
#include "util/err.h"
#include "util/utf8.h"

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes s[0..n) into out (cap bytes with NUL); plus_space for query
 * parts.  XY_EPARSE / XY_ELIMIT. */
static int decode(const char *s, size_t n, int plus_space, char *out, size_t cap, size_t *len)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '%') {
			int h, l;
			if (i + 2 >= n)
				return XY_EPARSE;
			h = hexval((unsigned char)s[i + 1]);
			l = hexval((unsigned char)s[i + 2]);
			if (h < 0 || l < 0)
				return XY_EPARSE;
			c = (unsigned char)(h * 16 + l);
			i += 2;
		} else if (c == '+' && plus_space) {
			c = ' ';
		}
		if (c < 0x20 || c == 0x7f)
			return XY_EPARSE; /* NUL and other controls, escaped or not */
		if (k + 1 >= cap)
			return XY_ELIMIT;
		out[k++] = (char)c;
	}
	out[k] = 0;
	if (!xy_utf8_valid(out, k))
		return XY_EPARSE;
	*len = k;
	return 0;
}

static int check_path(const char *p, size_t n)
{
	size_t i = 0;
	if (n == 0 || p[0] != '/')
		return XY_EPARSE;
	if (n == 1)
		return 0;
	while (i < n) { /* p[i] == '/' */
		size_t j = i + 1;
		while (j < n && p[j] != '/')
			j++;
		if (j == i + 1 && j < n)
			return XY_EPARSE; /* "//" */
		if ((j - i - 1 == 1 && p[i + 1] == '.') ||
		    (j - i - 1 == 2 && p[i + 1] == '.' && p[i + 2] == '.'))
			return XY_EPARSE;
		i = j;
	}
	return 0;
}

int xy_http_parse_target(const char *uri, size_t n, struct xy_target *t)
{
	const char *q = memchr(uri, '?', n);
	size_t plen = q ? (size_t)(q - uri) : n, len, used = 0;
	int rc;

	t->nq = 0;
	t->path[0] = 0;
	if (plen >= XY_HTTP_PATH_MAX)
		return XY_ELIMIT;
	if (memchr(uri, 0, n))
		return XY_EPARSE;
	if ((rc = decode(uri, plen, 0, t->path, sizeof t->path, &len)))
		return rc;
	if ((rc = check_path(t->path, len)))
		return rc;
	if (!q)
		return 0;
	q++;
	n -= plen + 1;
	while (n > 0) {
		const char *amp = memchr(q, '&', n);
		size_t part = amp ? (size_t)(amp - q) : n;
		const char *eq = memchr(q, '=', part);
		size_t klen = eq ? (size_t)(eq - q) : part;
		char *key, *val;
		size_t kl, vl;

		if (part > 0) {
			if (t->nq >= XY_HTTP_QUERY_MAX)
				return XY_ELIMIT;
			if (klen == 0)
				return XY_EPARSE;
			if (klen > XY_HTTP_PARAM_MAX * 3 || used >= sizeof t->qbuf)
				return XY_ELIMIT;
			key = t->qbuf + used;
			if ((rc = decode(q, klen, 1, key, sizeof t->qbuf - used, &kl)))
				return rc;
			used += kl + 1;
			if (used >= sizeof t->qbuf)
				return XY_ELIMIT; /* no room left for the value's NUL */
			val = t->qbuf + used;
			if (eq) {
				size_t vn = part - klen - 1;
				if (vn > XY_HTTP_PARAM_MAX * 3)
					return XY_ELIMIT;
				if ((rc = decode(eq + 1, vn, 1, val, sizeof t->qbuf - used, &vl)))
					return rc;
				if (vl > XY_HTTP_PARAM_MAX)
					return XY_ELIMIT;
			} else {
				val[0] = 0;
				vl = 0;
			}
			used += vl + 1;
			for (int i = 0; i < t->nq; i++)
				if (!strcmp(t->q[i].key, key))
					return XY_EPARSE;
			t->q[t->nq].key = key;
			t->q[t->nq].value = val;
			t->nq++;
		}
		if (!amp)
			break;
		n -= part + 1;
		q = amp + 1;
	}
	return 0;
}

const char *xy_http_query(const struct xy_target *t, const char *key)
{
	for (int i = 0; i < t->nq; i++)
		if (!strcmp(t->q[i].key, key))
			return t->q[i].value;
	return NULL;
}

static int token_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_' || c == '.' || c == '~';
}

/* Copies a token s[0..n) into out after checking its alphabet. */
static int take_token(const char *s, size_t n, char out[XY_TOKEN_MAX + 1])
{
	if (n == 0)
		return XY_EPARSE;
	if (n > XY_TOKEN_MAX)
		return XY_ELIMIT;
	for (size_t i = 0; i < n; i++)
		if (!token_char((unsigned char)s[i]))
			return XY_EPARSE;
	memcpy(out, s, n);
	out[n] = 0;
	return 0;
}

int xy_http_bearer(const char *h, char out[XY_TOKEN_MAX + 1])
{
	size_t n;
	out[0] = 0;
	if (!h)
		return XY_ENOTFOUND;
	while (*h == ' ' || *h == '\t')
		h++;
	if (strncasecmp(h, "Bearer", 6) != 0)
		return XY_ENOTFOUND;
	h += 6;
	if (*h != ' ' && *h != '\t')
		return XY_EPARSE;
	while (*h == ' ' || *h == '\t')
		h++;
	n = strlen(h);
	while (n > 0 && (h[n - 1] == ' ' || h[n - 1] == '\t'))
		n--;
	return take_token(h, n, out);
}

static int b64val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/* Standard base64 with padding into out[0..cap): its length, or -1. */
static long b64decode(const char *s, size_t n, char *out, size_t cap)
{
	size_t len = 0;
	if (n == 0 || n % 4)
		return -1;
	for (size_t i = 0; i < n; i += 4) {
		int v[4], pad = 0;
		for (int k = 0; k < 4; k++) {
			if (s[i + k] == '=' && i + 4 == n && k >= 2) {
				v[k] = 0;
				pad++;
			} else if (pad || (v[k] = b64val((unsigned char)s[i + k])) < 0) {
				return -1;
			}
		}
		if (len + 3 - (size_t)pad > cap)
			return -1;
		out[len++] = (char)(v[0] << 2 | v[1] >> 4);
		if (pad < 2)
			out[len++] = (char)((v[1] & 15) << 4 | v[2] >> 2);
		if (pad < 1)
			out[len++] = (char)((v[2] & 3) << 6 | v[3]);
	}
	return (long)len;
}

int xy_http_basic(const char *h, char user[XY_TOKEN_MAX + 1], char pass[XY_TOKEN_MAX + 1])
{
	char plain[2 * XY_TOKEN_MAX + 2], *colon;
	size_t n;
	long len;
	int rc;
	user[0] = pass[0] = 0;
	if (!h)
		return XY_ENOTFOUND;
	while (*h == ' ' || *h == '\t')
		h++;
	if (strncasecmp(h, "Basic", 5) != 0)
		return XY_ENOTFOUND;
	h += 5;
	if (*h != ' ' && *h != '\t')
		return XY_EPARSE;
	while (*h == ' ' || *h == '\t')
		h++;
	n = strlen(h);
	while (n > 0 && (h[n - 1] == ' ' || h[n - 1] == '\t'))
		n--;
	if (n > (sizeof plain + 2) / 3 * 4)
		return XY_ELIMIT;
	if ((len = b64decode(h, n, plain, sizeof plain - 1)) < 0)
		return XY_EPARSE;
	plain[len] = 0;
	if (strlen(plain) != (size_t)len || !(colon = strchr(plain, ':'))) {
		explicit_bzero(plain, sizeof plain);
		return XY_EPARSE;
	}
	rc = take_token(plain, (size_t)(colon - plain), user);
	if (!rc)
		rc = take_token(colon + 1, strlen(colon + 1), pass);
	explicit_bzero(plain, sizeof plain);
	if (rc) {
		user[0] = 0;
		explicit_bzero(pass, XY_TOKEN_MAX + 1);
	}
	return rc;
}

int xy_http_cookie(const char *h, const char *name, char out[XY_TOKEN_MAX + 1])
{
	size_t nl = strlen(name);
	int found = 0, rc = XY_ENOTFOUND;
	out[0] = 0;
	if (!h)
		return XY_ENOTFOUND;
	while (*h) {
		const char *end, *eq;
		while (*h == ' ' || *h == '\t' || *h == ';')
			h++;
		if (!*h)
			break;
		end = strchr(h, ';');
		if (!end)
			end = h + strlen(h);
		eq = memchr(h, '=', (size_t)(end - h));
		if (eq && (size_t)(eq - h) == nl && !memcmp(h, name, nl)) {
			size_t vn = (size_t)(end - eq - 1);
			const char *v = eq + 1;
			if (found) {
				explicit_bzero(out, XY_TOKEN_MAX + 1);
				return XY_EPARSE; /* two cookies of our name: refuse both */
			}
			found = 1;
			while (vn > 0 && (v[vn - 1] == ' ' || v[vn - 1] == '\t'))
				vn--;
			if (vn >= 2 && v[0] == '"' && v[vn - 1] == '"') {
				v++;
				vn -= 2;
			}
			rc = take_token(v, vn, out);
			if (rc)
				return rc;
		}
		h = end;
	}
	return found ? 0 : rc;
}
