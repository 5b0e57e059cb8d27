/* The publisher (NET-1, POR-1, POR-2): numbered, SM2-signed change sets of
 * exactly what may be published, written to DIR/outbox/ for the one-way
 * ferry to the internet-zone portal (docs/FORMATS.md, "Signed files").
 *
 * A publish runs the producers, each of which emits objects (a kind, an
 * id, the line the portal gets); the engine compares each line's SM3 with
 * what the portal holds (the store's `published` state) and writes the new
 * and changed lines, then a removal for every published object no longer
 * produced.  Change set 1 is a snapshot (the whole state); so is one asked
 * for, and the first after a crash left an unrecorded file.  A delta with
 * nothing in it is not written.
 *
 * Validate → store → audit: the published state, the publication and its
 * audit event commit in one transaction, after the file is in place; if
 * that transaction fails the file is removed again (a change set that was
 * not audited does not stay in the outbox, AUD-2).  One publish at a time
 * per instance (locks/publish.lock). */
#ifndef XY_SVC_PUBLISH_H
#define XY_SVC_PUBLISH_H

#include <stddef.h>
#include <stdint.h>

#include "audit/audit.h"
#include "core/publish.h"
#include "store/store.h"

struct xy_sealer;
struct xy_sm2key;
struct xy_catalog;
struct xy_instance;
struct xy_service;

#define XY_PUBLISH_INTERVAL_MAX 86400 /* [publish] interval_s, seconds */
#define XY_PUBLISH_INTERVAL_DEF 300

/* What a publish runs with (all borrowed). */
struct xy_publisher {
	struct xy_store *st;
	struct xy_sealer *sealer; /* opens values to mask them; keys the natural code */
	const struct xy_catalog *cat;
	const struct xy_sm2key *key; /* the platform signing key */
	const char *dir;	     /* the instance directory */
	const char *platform;	     /* "九江市公共信用信息共享平台" */
	struct xy_audit_event who;   /* zone, client, agent, account of the actor */
};

struct xy_publish_opts {
	int snapshot;	/* a full snapshot even when a delta would do */
	int audit_noop; /* audit a publish that found nothing to write */
	int32_t today;	/* the China day whose display periods count (0: today) */
};

struct xy_publish_result {
	int64_t seq;   /* of the change set written; 0: nothing to publish */
	int64_t last;  /* the last change set before this one (0: none) */
	int snapshot;  /* it is a snapshot */
	char file[64]; /* its name in DIR/outbox */
	long lines, records, subjects, removals;
	long long bytes;
	uint8_t sm3[32];   /* of the whole file */
	int64_t recovered; /* a change set left unrecorded by a crash, removed (0: none) */
};

/* One publish.  XY_EBUSY when another runs (err says so), XY_EAUDIT when
 * its audit event cannot be written (nothing is left behind), XY_ELIMIT
 * past XY_PUBLISH_OBJECTS_MAX or the file limits, errors of the store and
 * the file system; err says which and why. */
__attribute__((warn_unused_result)) int xy_publish(const struct xy_publisher *p,
						   const struct xy_publish_opts *o,
						   struct xy_publish_result *r, char *err,
						   size_t errlen);

/* The same for a local command on an opened instance (account os:USER). */
__attribute__((warn_unused_result)) int xy_publish_local(struct xy_instance *inst,
							 const struct xy_publish_opts *o,
							 struct xy_publish_result *r, char *err,
							 size_t errlen);
/* The same for the server's schedule, on the calling thread's store
 * (account system:publisher). */
__attribute__((warn_unused_result)) int xy_publish_service(struct xy_service *svc,
							   const struct xy_publish_opts *o,
							   struct xy_publish_result *r, char *err,
							   size_t errlen);

/* ---- producers ---- */

/* The kinds of published objects, in the order their lines come in a change
 * set (subjects before the records that name them); removals come in the
 * reverse order (records before their subjects).  A new kind (portal
 * sections, tickets) is a row of the table in publish.c and a producer. */
enum xy_pub_kind { XY_PUB_SUBJECT, XY_PUB_RECORD, XY_PUB_TICKET, XY_PUB_SECTION, XY_PUB__KINDS };

struct xy_pub_run; /* one publish in progress */

/* What the producer works with: the publisher and the day. */
const struct xy_publisher *xy_pub_env(const struct xy_pub_run *run);
int32_t xy_pub_today(const struct xy_pub_run *run);
/* Offers one object: its id (at most XY_PUB_ID_MAX - 1 bytes) and its line
 * (a JSON object, no newline, at most XY_SFILE_LINE_MAX - 1 bytes).  An
 * object already offered in this run keeps its first line.  *fresh (may be
 * NULL) says whether it was new in this run. */
__attribute__((warn_unused_result)) int xy_pub_emit(struct xy_pub_run *run, enum xy_pub_kind kind,
						    const char *id, const char *line, size_t n,
						    int *fresh);
/* Says why an object is not produced (its removal's reason, when the
 * portal holds it). */
void xy_pub_gone(struct xy_pub_run *run, enum xy_pub_kind kind, const char *id,
		 enum xy_pub_reason why);

/* The producers (publish_records.c): public records and their subjects. */
__attribute__((warn_unused_result)) int xy_pub_produce_records(struct xy_pub_run *run);
/* (intake.c): the state of every case lodged from the portal, by ticket (POR-3). */
__attribute__((warn_unused_result)) int xy_pub_produce_tickets(struct xy_pub_run *run);
/* (publish_sections.c): the portal's notices and policy pages (POR-5). */
__attribute__((warn_unused_result)) int xy_pub_produce_sections(struct xy_pub_run *run);

#endif
