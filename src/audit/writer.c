/* The group-commit audit writer: see writer.h. */
#include <errno.h>
#include <pthread.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>

#include "audit/writer.h"
#include "audit/checkpoint.h"
#include "store/store.h"
#include "util/err.h"
#include "util/fault.h"
#include "util/log.h"

struct item {
	struct item *next;
	struct xy_audit_event ev; /* strings point into text */
	int *result;		  /* a waiting submitter's: 1 while pending, then 0 or XY_EAUDIT */
	xy_auditw_done_fn done;	  /* or an asynchronous submitter's completion */
	void *done_arg;
	char text[];
};

struct xy_auditw {
	struct xy_store *st;
	struct xy_auditcp *cp;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t work, done;
	struct item *head, *tail;
	long queued;
	int stopping;
	long last_batch;
	long gather_want;	   /* while gathering: wake the writer at this many queued */
	long long events, commits; /* for the log line at stop */
};

/* Appends the batch in one transaction: 0, or the error that lost it all. */
static int write_batch(struct xy_auditw *w, struct item *list)
{
#ifdef XY_AUDITW_DROP
	/* The query benchmark's comparison build (Makefile, bench/query.sh):
	 * every event is "durable" at once and goes nowhere. */
	(void)w;
	(void)list;
	return 0;
#endif
	struct xy_audit_cursor cur = {0};
	int rc = xy_store_begin(w->st);
	long n = 0;
	if (!rc)
		rc = xy_audit_head(w->st, &cur);
	for (struct item *it = list; it; it = it->next) {
		n++;
		if (!rc)
			rc = xy_audit_append_at(w->st, &cur, &it->ev);
	}
	xy_audit_cursor_done(&cur);
	if (!rc && xy_fault("audit_commit"))
		rc = XY_EIO; /* as if the disk were full or fsync failed */
	if (!rc)
		rc = xy_store_commit(w->st);
	if (rc) {
		xy_store_rollback(w->st);
		xy_log_error("audit: %ld events could not be made durable: %s", n, xy_strerror(rc));
	} else {
		/* A checkpoint failure is logged; the events are durable anyway. */
		(void)xy_auditcp_note(w->cp, cur.seq, cur.hash, 0);
	}
	return rc;
}

/* Under load, let a few more events join this commit (one fsync for more
 * requests, and less CPU per event): until as many are waiting as the last
 * commit carried, since their submitters are likely to be back by then, or
 * XY_AUDITW_GATHER_US has passed.  Called and returns with w->mu held. */
static void gather(struct xy_auditw *w)
{
	struct timespec until;
	long want = w->last_batch < XY_AUDITW_GATHER_MAX ? w->last_batch : XY_AUDITW_GATHER_MAX;

	if (w->queued >= want)
		return;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_nsec += XY_AUDITW_GATHER_US * 1000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	w->gather_want = want;
	while (w->queued < want && !w->stopping)
		if (pthread_cond_clockwait(&w->work, &w->mu, CLOCK_MONOTONIC, &until) == ETIMEDOUT)
			break;
	w->gather_want = 0;
}

static void *run(void *arg)
{
	struct xy_auditw *w = arg;
	pthread_mutex_lock(&w->mu);
	for (;;) {
		struct item *list;
		int rc;
		while (!w->head && !w->stopping)
			pthread_cond_wait(&w->work, &w->mu);
		if (!w->head)
			break;
		if (w->last_batch > 1 && !w->stopping)
			gather(w);
		w->last_batch = w->queued;
		list = w->head;
		w->head = w->tail = NULL;
		w->queued = 0;
		pthread_mutex_unlock(&w->mu);
		rc = write_batch(w, list);
		w->commits++;
		for (struct item *it = list; it; it = it->next)
			w->events++;
		pthread_mutex_lock(&w->mu);
		for (struct item *it = list; it; it = it->next)
			if (it->result)
				*it->result = rc ? XY_EAUDIT : 0;
		pthread_cond_broadcast(&w->done);
		pthread_cond_broadcast(&w->work); /* submitters waiting for room */
		pthread_mutex_unlock(&w->mu);
		while (list) {
			struct item *n = list->next;
			if (list->done)
				list->done(list->done_arg, rc ? XY_EAUDIT : 0);
			free(list);
			list = n;
		}
		pthread_mutex_lock(&w->mu);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

int xy_auditw_start(const char *db_path, struct xy_auditcp *cp, struct xy_auditw **out)
{
	struct xy_auditw *w = calloc(1, sizeof *w);
	int rc;
	*out = NULL;
	if (!w)
		return XY_ENOMEM;
	if ((rc = xy_store_open(db_path, 0, &w->st))) {
		free(w);
		return rc;
	}
	w->cp = cp;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->work, NULL);
	pthread_cond_init(&w->done, NULL);
	if (pthread_create(&w->thread, NULL, run, w)) {
		xy_store_close(w->st);
		free(w);
		return XY_ENOMEM;
	}
	*out = w;
	return 0;
}

static size_t slen(const char *s)
{
	return s ? strlen(s) + 1 : 0;
}

static const char *put(char **p, const char *s)
{
	size_t n;
	const char *r;
	if (!s)
		return NULL;
	n = strlen(s) + 1;
	memcpy(*p, s, n);
	r = *p;
	*p += n;
	return r;
}

/* Copies ev and queues it; with result, waits until it is durable. */
static int enqueue(struct xy_auditw *w, const struct xy_audit_event *ev, int *result,
		   xy_auditw_done_fn done, void *done_arg)
{
	size_t n = slen(ev->zone) + slen(ev->client) + slen(ev->agent) + slen(ev->account) +
		   slen(ev->real_name) + slen(ev->unit) + slen(ev->action) + slen(ev->object) +
		   slen(ev->purpose) + slen(ev->grant_ref) + slen(ev->result) + slen(ev->reason);
	struct item *it;
	char *p;

	if (n > XY_AUDITW_EVENT_MAX)
		return XY_ELIMIT;
	it = malloc(sizeof *it + n);
	if (!it)
		return XY_EAUDIT;
	p = it->text;
	it->next = NULL;
	it->result = result;
	it->done = done;
	it->done_arg = done_arg;
	it->ev.zone = put(&p, ev->zone);
	it->ev.client = put(&p, ev->client);
	it->ev.agent = put(&p, ev->agent);
	it->ev.account = put(&p, ev->account);
	it->ev.real_name = put(&p, ev->real_name);
	it->ev.unit = put(&p, ev->unit);
	it->ev.action = put(&p, ev->action);
	it->ev.object = put(&p, ev->object);
	it->ev.purpose = put(&p, ev->purpose);
	it->ev.grant_ref = put(&p, ev->grant_ref);
	it->ev.result = put(&p, ev->result);
	it->ev.reason = put(&p, ev->reason);

	pthread_mutex_lock(&w->mu);
	while (w->queued >= XY_AUDITW_QUEUE_MAX && !w->stopping)
		pthread_cond_wait(&w->work, &w->mu);
	if (w->stopping) {
		pthread_mutex_unlock(&w->mu);
		free(it);
		return XY_EAUDIT;
	}
	if (w->tail)
		w->tail->next = it;
	else
		w->head = it;
	w->tail = it;
	w->queued++;
	if (w->queued >= w->gather_want) /* (0 unless gathering) */
		pthread_cond_signal(&w->work);
	while (result && *result == 1)
		pthread_cond_wait(&w->done, &w->mu);
	pthread_mutex_unlock(&w->mu);
	return result ? *result : 0;
}

int xy_auditw_write(struct xy_auditw *w, const struct xy_audit_event *ev)
{
	int result = 1;
	return enqueue(w, ev, &result, NULL, NULL);
}

int xy_auditw_submit(struct xy_auditw *w, const struct xy_audit_event *ev, xy_auditw_done_fn done,
		     void *arg)
{
	return enqueue(w, ev, NULL, done, arg);
}

void xy_auditw_stop(struct xy_auditw *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	w->stopping = 1;
	pthread_cond_broadcast(&w->work);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	if (w->commits)
		xy_log_info("audit writer: %lld events in %lld commits", w->events, w->commits);
	xy_store_close(w->st);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->work);
	pthread_cond_destroy(&w->done);
	free(w);
}
