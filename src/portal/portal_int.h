/* What the portal's files share (portal.c, apply.c, pages.c, api.c, submit.c). */
#ifndef XY_PORTAL_PORTAL_INT_H
#define XY_PORTAL_PORTAL_INT_H

#include <pthread.h>

#include "crypto/sm.h"
#include "http/ratelimit.h"
#include "portal/cache.h"
#include "portal/html.h"
#include "portal/portal.h"
#include "store/portal.h"

#define PORTAL_STORES_MAX (XY_HTTP_THREADS_MAX + 8)
#define PORTAL_DIR_MAX	  2048

struct xy_portal {
	char dir[PORTAL_DIR_MAX];
	char name[XY_CS_TEXT_MAX + 1];
	size_t changeset_max;
	const struct xy_sm2key *platform, *own;
	const struct xy_catalog *cat;
	struct xy_rate *rate;
	pthread_key_t tls;
	pthread_mutex_t mu; /* stores[] */
	struct xy_pstore *stores[PORTAL_STORES_MAX];
	int nstores;
	struct xy_pstore *writer; /* the apply loop's own connection */
	pthread_mutex_t state_mu;
	struct xy_pstate state; /* as of the last apply */
	int inbox_errno;	/* the last inbox failure logged (not repeated) */
	pthread_mutex_t submit_mu;
	struct xy_hmac *form_mac; /* under submit_mu */
	char css_ver[17];	  /* hex of the style sheet's SM3, in its URL and ETags */
	struct xy_pcache *cache;  /* rendered pages of the change set in force; may be NULL */
};

/* This thread's store connection (opened on first use); NULL on failure (logged). */
struct xy_pstore *xy_portal_store(struct xy_portal *p);
void xy_portal_state(struct xy_portal *p, struct xy_pstate *st);
void xy_portal_state_refresh(struct xy_portal *p, struct xy_pstore *s);

/* ---- pages.c ---- */
extern const char xy_portal_css[];
void xy_page_home(struct xy_portal *p, struct xy_http_req *rq);
void xy_page_search(struct xy_portal *p, struct xy_http_req *rq);
void xy_page_subject(struct xy_portal *p, struct xy_http_req *rq, const char *code);
void xy_page_record(struct xy_portal *p, struct xy_http_req *rq, const char *id);
void xy_page_privacy(struct xy_portal *p, struct xy_http_req *rq);
/* An error page in Chinese with status (400, 404, 405, 413, 429, 500). */
void xy_page_error(struct xy_portal *p, struct xy_http_req *rq, int status, const char *msg);

/* Layout shared by every page. */
void xy_page_open(struct xy_portal *p, struct xy_html *h, const char *title);
void xy_page_close(struct xy_portal *p, struct xy_html *h);
/* Ends a page: status, HTML type (the buffer already holds it). */
void xy_page_done(struct xy_http_req *rq, const struct xy_html *h, int status);
/* The Chinese name of a dataset (from the catalog the program carries) or its code. */
const char *xy_page_dataset_name(const struct xy_portal *p, const char *code);
/* Today in China as YYYY-MM-DD. */
void xy_page_today(char out[11]);
/* A record id from path or query text; 0 when it is not one. */
long long xy_page_record_id(const char *s);

/* ---- api.c ---- */
void xy_papi_subject(struct xy_portal *p, struct xy_http_req *rq, const char *code);
void xy_papi_search(struct xy_portal *p, struct xy_http_req *rq);
void xy_papi_status(struct xy_portal *p, struct xy_http_req *rq);

/* ---- submit.c ---- */
void xy_page_form(struct xy_portal *p, struct xy_http_req *rq, int repair);
void xy_page_form_post(struct xy_portal *p, struct xy_http_req *rq, int repair);
void xy_page_tickets(struct xy_portal *p, struct xy_http_req *rq);
__attribute__((warn_unused_result)) int xy_portal_submit_init(struct xy_portal *p);

#endif
