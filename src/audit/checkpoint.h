/* Signed checkpoints of the audit chain (AUD-3, CRY-4), kept outside the
 * database in DIR/audit-checkpoints, one line each:
 *
 *     XYCP1 KIND SEQ TS HEAD SIG
 *
 * KIND is "head" (the chain's hash after event SEQ is HEAD) or "retain"
 * (the retention job removed events 1..SEQ; the chain goes on from HEAD),
 * TS the signing time in microseconds, HEAD 64 hex digits, SIG the hex DER
 * SM2 signature (ID 1234567812345678) of the line's text before " SIG".
 * The format is in docs/FORMATS.md.
 *
 * Writers: the audit writer after a commit, the server's maintenance tick
 * and every local command at its end call xy_auditcp_note / _sync.  A line
 * is written when the committed head moved at least `every_events` past the
 * last checkpoint, or `every_seconds` passed since it (or when forced), so
 * an undetected cut of the tail can reach back at most one interval.  Lines
 * are appended under flock(2), in sequence order, by any number of
 * processes. */
#ifndef XY_AUDIT_CHECKPOINT_H
#define XY_AUDIT_CHECKPOINT_H

#include <stdint.h>
#include <stdio.h>

#include "crypto/sm2.h"
#include "store/store.h"

#define XY_CP_FILE	  "audit-checkpoints"
#define XY_CP_LINE_MAX	  512
#define XY_CP_EVENTS_DEF  1000
#define XY_CP_SECONDS_DEF 10

struct xy_auditcp_conf {
	long every_events;  /* 1..1,000,000 */
	long every_seconds; /* 1..3600 */
	int use_syslog;	    /* also send each line to syslog (LOG_AUTHPRIV) */
};

struct xy_cp {
	int retain; /* 1 for a "retain" line */
	int64_t seq;
	int64_t ts_us;
	uint8_t head[32];
	uint8_t sig[XY_SM2_SIG_MAX];
	size_t siglen;
	size_t signed_len; /* bytes of the line covered by the signature */
};

struct xy_auditcp;

/* Opens the checkpointer of the file at path, signing with key (borrowed;
 * it must outlive cp).  The file need not exist yet. */
__attribute__((warn_unused_result)) int xy_auditcp_open(const char *path,
							const struct xy_sm2key *key,
							const struct xy_auditcp_conf *conf,
							struct xy_auditcp **out);
/* Notes that the committed chain head is (seq, head): writes a checkpoint
 * when one is due (or when force and the head moved).  Thread-safe.  A
 * failure is logged and returned (XY_EIO, XY_ECRYPTO); the events stay
 * durable in the store either way. */
int xy_auditcp_note(struct xy_auditcp *cp, int64_t seq, const uint8_t head[32], int force);
/* Reads the committed head from st, then xy_auditcp_note. */
int xy_auditcp_sync(struct xy_auditcp *cp, struct xy_store *st, int force);
/* Appends a signed "retain" line over (seq, head): events 1..seq are about
 * to be removed by the retention job. */
__attribute__((warn_unused_result)) int xy_auditcp_retain(struct xy_auditcp *cp, int64_t seq,
							  const uint8_t head[32]);
/* Rewrites the file without the lines that speak only of events 1..through_seq
 * (removed), keeping the last retain line among them.  Atomic; a failure
 * is logged and harmless (the file only stays longer). */
int xy_auditcp_compact(struct xy_auditcp *cp, int64_t through_seq);
void xy_auditcp_close(struct xy_auditcp *cp);

/* Parses one line (without its newline).  0, or XY_EPARSE. */
__attribute__((warn_unused_result)) int xy_cp_parse(const char *line, size_t n, struct xy_cp *out);

#endif
