/* Test tool, never installed: prints what must never reach the portal, so
 * that tests/cli/test_publish.py can scan change sets for it (NET-1).  It
 * opens every sealed value of every record, as `xinyong verify` does, and
 * prints it with every value of a government-shared or authorised-use
 * dataset and every value of a field marked "publish": false.  It reaches
 * the store on purpose; the product has no such command.
 *
 *   xy_plaintexts DIR
 *
 * One JSON line per value: {"v":VALUE,"src":"DATASET.FIELD","how":HOW}, HOW
 * one of "sealed", "unpublished", "nonpublic".  Left out, as not secret or
 * not told apart from what is public anyway: dates, months and code-list
 * values of non-public datasets; a legal person's name and codes (its
 * public identity); and any value equal to a value that is public by
 * nature (a clear, publishable value of a public dataset, a unit's or a
 * region's name or code): a natural person called 王伟 cannot be told from a
 * legal representative 王伟 whose penalty is public.  The last line is
 * {"count":N,"skipped":M}. */
#include <jansson.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/seal.h"
#include "svc/instance.h"
#include "svc/record.h"
#include "util/err.h"

struct ctx {
	struct xy_instance *inst;
	struct xy_sealer *s;
	void *public_values; /* tsearch tree of strings */
	int pass;	     /* 1: collect public values, 2: print secrets */
	const struct xy_dataset *ds;
	const struct xy_store_rec_view *rec;
	struct xy_buf pt;
	long count, skipped;
};

static int cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void add_public(struct ctx *c, const char *v)
{
	char *d;
	if (!v || !*v || tfind(v, &c->public_values, cmp))
		return;
	d = strdup(v);
	if (!d || !tsearch(d, &c->public_values, cmp)) {
		fputs("out of memory\n", stderr);
		exit(2);
	}
}

static void emit(struct ctx *c, const char *v, size_t n, const char *field, const char *how)
{
	char src[128];
	char *copy = strndup(v, n);
	json_t *o;
	char *line;
	if (!copy)
		exit(2);
	if (!*copy || tfind(copy, &c->public_values, cmp)) {
		c->skipped += *copy != '\0';
		free(copy);
		return;
	}
	snprintf(src, sizeof src, "%s.%s", c->ds->code, field);
	o = json_pack("{s:s, s:s, s:s}", "v", copy, "src", src, "how", how);
	line = o ? json_dumps(o, JSON_COMPACT) : NULL;
	if (line)
		printf("%s\n", line);
	free(line);
	json_decref(o);
	free(copy);
	c->count++;
}

/* A legal person's public identity (its name and codes are in clear only on
 * legal persons' rows: a natural person's are sealed). */
static int identity(const struct xy_dataset *ds, int i)
{
	if (i == ds->subject.name)
		return 1;
	for (int k = 0; k < ds->subject.nlegal; k++)
		if (ds->subject.legal_codes[k] == i)
			return 1;
	return 0;
}

/* Not secret, or too common to tell apart from anything else. */
static int not_secret(const struct xy_dataset *ds, int i)
{
	enum xy_ftype t = ds->fields[i].type;
	return t == XY_FT_DATE || t == XY_FT_MONTH || t == XY_FT_CODE || identity(ds, i);
}

static int on_sealed(void *arg, const char *code, const void *v, size_t n)
{
	struct ctx *c = arg;
	int rc, i;
	if (c->pass != 2)
		return 0;
	xy_buf_reset(&c->pt);
	rc = xy_unseal(c->s, XY_RECORD_TABLE, code, c->rec->id, v, n, &c->pt);
	if (rc)
		return rc;
	i = xy_dataset_field(c->ds, code);
	emit(c, c->pt.p, c->pt.len, code,
	     i >= 0 && !c->ds->fields[i].publish ? "unpublished" : "sealed");
	xy_buf_wipe(&c->pt);
	return 0;
}

static int on_record(void *arg, const struct xy_store_rec_view *r)
{
	struct ctx *c = arg;
	json_t *clear;
	const char *key;
	json_t *v;
	int pub;

	c->ds = xy_catalog_dataset(c->inst->catalog, r->dataset);
	if (!c->ds)
		return 0;
	c->rec = r;
	pub = c->ds->sharing == XY_SHARE_PUBLIC;
	clear = json_loads(r->clear ? r->clear : "{}", 0, NULL); /* (the scan gives no length) */
	json_object_foreach (clear, key, v) {
		int i = xy_dataset_field(c->ds, key);
		const struct xy_field *f = i >= 0 ? &c->ds->fields[i] : NULL;
		if (!f || !json_is_string(v))
			continue;
		if (c->pass == 1) {
			if ((pub && f->publish) || (!pub && identity(c->ds, i)))
				add_public(c, json_string_value(v));
		} else if (!f->publish) {
			emit(c, json_string_value(v), json_string_length(v), key, "unpublished");
		} else if (!pub && !not_secret(c->ds, i)) {
			emit(c, json_string_value(v), json_string_length(v), key, "nonpublic");
		}
	}
	json_decref(clear);
	return r->sealed_len ? xy_record_sealed_each(r->sealed, r->sealed_len, on_sealed, c) : 0;
}

static int on_unit_list(void *arg, const struct xy_unit *u)
{
	add_public(arg, u->name);
	add_public(arg, u->code);
	return 0;
}

static int on_region(void *arg, const struct xy_region *r)
{
	add_public(arg, r->name);
	add_public(arg, r->code);
	return 0;
}

int main(int argc, char **argv)
{
	struct ctx c = {0};
	char err[512] = "";
	int rc;

	if (argc != 2) {
		fputs("usage: xy_plaintexts DIR\n", stderr);
		return 2;
	}
	if ((rc = xy_instance_open(argv[1], &c.inst, err, sizeof err))) {
		fprintf(stderr, "%s\n", err[0] ? err : xy_strerror(rc));
		return 1;
	}
	xy_buf_init(&c.pt, 1 << 20);
	rc = xy_sealer_new(&c.s, c.inst->keys);
	if (!rc)
		rc = xy_store_unit_list(c.inst->store, 0, 100000, on_unit_list, &c);
	if (!rc)
		rc = xy_store_region_each(c.inst->store, on_region, &c);
	for (c.pass = 1; c.pass <= 2 && !rc; c.pass++)
		rc = xy_store_record_scan(c.inst->store, on_record, &c);
	if (!rc)
		printf("{\"count\":%ld,\"skipped\":%ld}\n", c.count, c.skipped);
	tdestroy(c.public_values, free);
	xy_sealer_free(c.s);
	xy_buf_cleanup(&c.pt);
	xy_instance_close(c.inst);
	if (rc) {
		fprintf(stderr, "%s\n", xy_strerror(rc));
		return 1;
	}
	return 0;
}
