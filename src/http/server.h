/* The government-zone HTTP server on libmicrohttpd: an internal epoll
 * thread pool, NET-2 admission by address range, per-address connection
 * and request-rate limits, bounded bodies and headers, timeouts, graceful
 * shutdown.  It knows nothing of the API: it hands each request to the
 * application's begin (headers read) and handle (body read) callbacks.
 *
 * The LIMITS.md pitfall: the response is always queued on a later call of
 * the access handler than the first, so keep-alive stays on. */
#ifndef XY_HTTP_SERVER_H
#define XY_HTTP_SERVER_H

#include <stdint.h>

#include "http/parse.h"
#include "util/cidr.h"
#include "util/buf.h"

struct xy_http_server;

struct xy_http_req {
	/* ---- request (valid until the response is queued) ---- */
	char method[8];
	int target_err;	   /* nonzero when the target could not be parsed */
	char addr[48];	   /* client address */
	char client[64];   /* "address:port" (IPv6 in brackets) */
	const char *agent; /* User-Agent or NULL */
	const char *content_type, *authorization, *cookie, *csrf;
	const char *if_none_match; /* If-None-Match or NULL (conditional GET) */
	struct xy_buf body;	   /* JSON bodies */
	int upload_fd;		   /* streamed bodies: a temporary file, -1 otherwise */
	unsigned long long upload_len;
	int64_t started_us;
	/* ---- set by begin ---- */
	int stream;		     /* stream the body into upload_fd (begin opens it) */
	int reject;		     /* answer now: skip the body, call handle with this set */
	unsigned long long body_max; /* bytes; 0: the server's default */
	void *route;		     /* the application's per-request state */
	void *app_state;
	int too_large; /* the body passed its limit */
	/* ---- response ---- */
	int status;
	struct xy_buf out;
	const char *ctype;	 /* default "application/json; charset=utf-8" */
	char set_cookie[2][320]; /* up to two Set-Cookie values */
	char retry_after[16];	 /* Retry-After seconds, "" for none */
	char disposition[128];	 /* Content-Disposition, "" for none (downloads) */
	const char *csp;	 /* Content-Security-Policy; NULL: "default-src 'none'" */
	const char *cache;	 /* Cache-Control; NULL: "no-store" */
	char etag[48];		 /* ETag, "" for none */
	char log_account[64];	 /* for the running log line */
	/* ---- answering later ---- */
	int hold; /* set by handle: the answer waits for xy_http_release */
	/* (the server's own) */
	struct xy_http_server *srv;
	void *conn;
	int handled, released, suspended;
	/* Last, and not zeroed at the start (6 KiB): the parser fills it. */
	struct xy_target target;
};

struct xy_http_app {
	void *arg;
	/* Headers read: route, authenticate, rate-limit.  May set reject with a
	 * status and body (the body is then not read), or stream. */
	void (*begin)(void *arg, struct xy_http_req *rq);
	/* The whole body is read (or the request was rejected): answer. */
	void (*handle)(void *arg, struct xy_http_req *rq);
	/* A held request was released: called on a server thread just before
	 * the answer goes out, to finish it (may be NULL). */
	void (*resume)(void *arg, struct xy_http_req *rq);
	/* The request is over (cleanup of app_state); may be NULL. */
	void (*end)(void *arg, struct xy_http_req *rq);
};

struct xy_http_opts {
	const char *listen; /* "ADDR:PORT", "[v6]:PORT" */
	int threads;
	unsigned conn_max, conn_per_addr, timeout_s;
	unsigned long long body_max;
	size_t header_mem;
	const char *allow; /* comma-separated CIDR ranges (NET-2) */
	int access_log;	   /* one JSON line per request */
};

/* Starts listening; err says why not. */
int xy_http_start(const struct xy_http_opts *o, const struct xy_http_app *app,
		  struct xy_http_server **out, char *err, size_t errlen);
/* The port actually bound (for ":0"). */
int xy_http_port(struct xy_http_server *s);
/* Stops accepting, lets requests in flight finish (up to grace_s seconds),
 * then stops and frees. */
void xy_http_stop(struct xy_http_server *s, int grace_s);

/* Releases a request that handle left with hold set: from any thread, once
 * and only once per held request.  The connection is parked meanwhile
 * (MHD suspend/resume), so no server thread waits for it. */
void xy_http_release(struct xy_http_req *rq);

/* Helpers for handlers. */
void xy_http_json_error(struct xy_http_req *rq, int status, const char *code, const char *msg);

#endif
