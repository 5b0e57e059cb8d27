/* The internet-zone portal (POR-1..4, issue 6): applies signed change sets from
 * PDIR/inbox into its own store (apply.c), serves the public pages and the small
 * JSON API (pages.c, api.c over src/http/server.c) and writes the public's objections
 * and repair applications as signed submissions into PDIR/outbox (submit.c).
 * It holds the platform's public key only, its own submission key, and no path to
 * the government zone. */
#ifndef XY_PORTAL_PORTAL_H
#define XY_PORTAL_PORTAL_H

#include <stddef.h>

#include "core/catalog.h"
#include "crypto/sm2.h"
#include "http/server.h"

struct xy_portal;

struct xy_portal_opts {
	const char *dir;      /* PDIR */
	const char *name;     /* the site's name (页头) */
	double rate, burst;   /* requests per second and burst per client address */
	size_t changeset_max; /* bytes of one change set taken */
	size_t cache_max;     /* bytes of rendered pages kept (0: no page cache) */
};

/* Borrows platform (verify-only), own (the submission key) and cat (field names); they
 * must outlive the portal.  Opens nothing yet: the store is opened on first use, so
 * this may run before the sandbox and the first apply after it. */
__attribute__((warn_unused_result)) int
xy_portal_new(const struct xy_portal_opts *o, const struct xy_sm2key *platform,
	      const struct xy_sm2key *own, const struct xy_catalog *cat, struct xy_portal **out);
void xy_portal_free(struct xy_portal *p);
/* The begin/handle callbacks for src/http/server.c. */
void xy_portal_app(struct xy_portal *p, struct xy_http_app *app);
/* One pass over PDIR/inbox (POR-2): every change set in order, verified, applied or
 * quarantined with an alarm.  *applied gets how many were applied.  XY_EIO when the
 * inbox cannot be read (logged once per cause), XY_ESTORE. */
__attribute__((warn_unused_result)) int xy_portal_apply(struct xy_portal *p, long *applied);
/* Closes every thread's store connection (after the HTTP server stopped). */
void xy_portal_close_stores(struct xy_portal *p);

#endif
