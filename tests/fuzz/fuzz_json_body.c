/* libFuzzer target: the API's JSON request body path (src/api/api.c api_handle) on
 * untrusted bytes: xy_json_depth against XY_JSON_DEPTH_MAX first (400 too_deep), then
 * jansson's json_loadb with JSON_REJECT_DUPLICATES (400 malformed_json), then the walk over
 * the object's keys against each route's allowed fields (400 unknown_field), and
 * xy_api_str on every key.
 *
 * The depth the pre-check computes must be the depth jansson finds in what it accepts, so
 * a body the pre-check lets through is never deeper than the limit once parsed, and one it
 * refuses really is deeper.  The body is an exact-size heap copy without a NUL, so ASan
 * sees any read past its end. */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api/api.h"
#include "util/limits.h"
#include "util/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

static void check(int ok)
{
	if (!ok)
		abort();
}

/* Nesting depth of a parsed value: a scalar 0, an object or array 1 + its deepest child. */
static int jdepth(json_t *v)
{
	int deepest = 0, k;
	size_t i;
	const char *key;
	json_t *c;

	if (json_is_object(v)) {
		json_object_foreach (v, key, c)
			if ((k = jdepth(c)) > deepest)
				deepest = k;
		return deepest + 1;
	}
	if (json_is_array(v)) {
		json_array_foreach (v, i, c)
			if ((k = jdepth(c)) > deepest)
				deepest = k;
		return deepest + 1;
	}
	return 0;
}

/* The key walk of api_handle for one route: 1 when every key is an allowed field. */
static int fields_ok(json_t *body, const struct xy_route *rt)
{
	const char *k;
	json_t *v;

	json_object_foreach (body, k, v) {
		int ok = 0;
		for (const char *const *f = rt->fields; f && *f && !ok; f++)
			ok = !strcmp(*f, k);
		if (!ok)
			return 0;
	}
	return 1;
}

static void walk(json_t *body)
{
	static struct xy_api_req ar; /* only .body is read by xy_api_str */
	const char *k;
	json_t *v;
	size_t nkeys = 0;

	/* Keys: unique (duplicates refused), NUL-free, valid UTF-8. */
	json_object_foreach (body, k, v) {
		size_t kl = json_object_iter_key_len(json_object_key_to_iter(k));
		const char *s;
		int bad = 0;

		check(strlen(k) == kl);
		check(xy_utf8_valid(k, kl));
		check(json_object_get(body, k) == v);
		nkeys++;
		memset(&ar, 0, sizeof ar);
		ar.body = body;
		s = xy_api_str(&ar, k, &bad);
		if (json_is_string(v))
			check(s == json_string_value(v) && !bad);
		else if (json_is_null(v))
			check(s == NULL && !bad);
		else
			check(s == NULL && bad);
	}
	check(nkeys == json_object_size(body));
	for (int i = 0; i < xy_nroutes; i++) {
		const struct xy_route *rt = &xy_routes[i];
		int ok;

		if (!(rt->flags & XY_RT_JSON))
			continue;
		check(rt->fields != NULL);
		ok = fields_ok(body, rt);
		/* An accepted body names only allowed fields, so it has no more keys than the
		 * route has fields. */
		if (ok) {
			size_t nf = 0;
			while (rt->fields[nf])
				nf++;
			check(json_object_size(body) <= nf);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	char *p = malloc(n ? n : 1);
	json_error_t jerr;
	json_t *v;
	int depth, full;

	if (p == NULL)
		return 0;
	if (n)
		memcpy(p, d, n);
	depth = xy_json_depth(p, n, XY_JSON_DEPTH_MAX);
	full = xy_json_depth(p, n, INT_MAX);
	check(depth >= 0 && depth <= XY_JSON_DEPTH_MAX + 1);
	/* "stops counting past max": the same answer up to the limit, max + 1 beyond it */
	check(full <= XY_JSON_DEPTH_MAX ? depth == full : depth == XY_JSON_DEPTH_MAX + 1);
	/* The API parses only what passed the pre-check; parse everything here, to compare. */
	v = json_loadb(p, n, JSON_REJECT_DUPLICATES, &jerr);
	if (v != NULL) {
		int jd = jdepth(v);
		/* Never accepted deeper than the limit... */
		if (depth <= XY_JSON_DEPTH_MAX)
			check(jd <= XY_JSON_DEPTH_MAX);
		/* ...and never refused as too deep when it is not: the counts agree. */
		check(jd == full);
		if (depth <= XY_JSON_DEPTH_MAX && json_is_object(v))
			walk(v);
		json_decref(v);
	}
	free(p);
	return 0;
}
