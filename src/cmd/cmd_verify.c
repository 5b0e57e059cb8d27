#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "audit/retain.h"
#include "cmd/cmd.h"
#include "crypto/keyring.h"
#include "crypto/seal.h"
#include "svc/instance.h"
#include "svc/record.h"
#include "util/date.h"
#include "util/err.h"

#define REPORT_MAX     50    /* bad sealed values printed; all are counted */
#define TAG_REPORT_MAX 10000 /* tampered rows printed; all are counted */

struct vctx {
	struct xy_sealer *s;
	struct xy_buf pt;
	const struct xy_store_rec_view *rec;
	long records, values, bad_records, bad_values;
	int rec_bad;
	long tag_rows[XY_TAG_TABLES], tag_bad; /* CRY-2 */
};

static int check_value(void *arg, const char *code, const void *v, size_t n)
{
	struct vctx *c = arg;
	int rc;

	c->values++;
	xy_buf_reset(&c->pt);
	rc = xy_unseal(c->s, XY_RECORD_TABLE, code, c->rec->id, v, n, &c->pt);
	xy_buf_wipe(&c->pt);
	if (rc == 0)
		return 0;
	c->bad_values++;
	c->rec_bad = 1;
	if (c->bad_values <= REPORT_MAX)
		printf("record %lld (%s, batch %lld row %ld): field %s: %s\n",
		       (long long)c->rec->id, c->rec->dataset, (long long)c->rec->batch_id,
		       c->rec->row_no, code,
		       rc == XY_EKEY ? "sealed with an unknown key"
				     : "sealed value fails its integrity check (changed or moved)");
	return 0;
}

static int check_record(void *arg, const struct xy_store_rec_view *r)
{
	struct vctx *c = arg;
	int rc;

	c->records++;
	c->rec = r;
	c->rec_bad = 0;
	rc = xy_record_sealed_each(r->sealed, r->sealed_len, check_value, c);
	if (rc == XY_ETAMPER) {
		c->rec_bad = 1;
		printf("record %lld (%s, batch %lld row %ld): the sealed values are not well "
		       "framed\n",
		       (long long)r->id, r->dataset, (long long)r->batch_id, r->row_no);
	} else if (rc) {
		return rc;
	}
	c->bad_records += c->rec_bad;
	return 0;
}

/* CRY-2: one line per tampered row, "table id: what". */
static int print_tampered(void *arg, const char *table, int64_t id, const char *what)
{
	struct vctx *c = arg;
	if (c->tag_bad < TAG_REPORT_MAX)
		printf("%s %lld: %s\n", table, (long long)id, what);
	return 0;
}

static int verify_tags(struct xy_instance *inst, struct vctx *c)
{
	long total = 0;
	int rc = xy_store_tag_verify(inst->store, print_tampered, c, c->tag_rows, &c->tag_bad);

	if (rc)
		return xy_cmd_fail("row tags: %s", xy_strerror(rc));
	if (c->tag_bad > TAG_REPORT_MAX)
		printf("(%ld more tampered rows not listed)\n", c->tag_bad - TAG_REPORT_MAX);
	printf("row tags:");
	for (int t = 0; t < XY_TAG_TABLES; t++) {
		printf(" %s %ld%s", xy_store_tag_table(t), c->tag_rows[t],
		       t + 1 < XY_TAG_TABLES ? "," : "");
		total += c->tag_rows[t];
	}
	printf("; %ld rows checked, %ld tampered\n", total, c->tag_bad);
	return c->tag_bad ? XY_EXIT_FAIL : XY_EXIT_OK;
}

static int verify_chain(struct xy_instance *inst)
{
	struct xy_audit_check chk;
	int rc = xy_audit_verify(inst->store, xy_keyring_sm2(inst->keys), inst->auditcp_path, &chk);

	if (rc == XY_ETAMPER) {
		if (chk.bad_seq)
			printf("audit: chain broken at event %lld: %s\n", (long long)chk.bad_seq,
			       chk.what);
		else
			printf("audit: %s\n", chk.what);
		return XY_EXIT_FAIL;
	}
	if (rc)
		return xy_cmd_fail("audit: %s", xy_strerror(rc));
	printf("audit: %lld events (%lld..%lld), %lld signed checkpoints, chain intact\n",
	       (long long)chk.events, (long long)chk.first_seq, (long long)chk.last_seq,
	       (long long)chk.checkpoints);
	if (chk.last_seq > chk.covered_seq)
		printf("audit: events %lld..%lld come after the last checkpoint (signed within "
		       "the checkpoint interval)\n",
		       (long long)chk.covered_seq + 1, (long long)chk.last_seq);
	return XY_EXIT_OK;
}

static int open_instance(int argc, char **argv, const char *usage, struct xy_instance **inst)
{
	char err[512] = "";
	int rc;

	if (argc != 2 || argv[1][0] == '-') {
		fputs(usage, argc == 2 && !strcmp(argv[1], "--help") ? stdout : stderr);
		return argc == 2 && !strcmp(argv[1], "--help") ? -1 : XY_EXIT_USAGE;
	}
	rc = xy_instance_open(argv[1], inst, err, sizeof err);
	if (rc)
		return xy_cmd_fail("%s", err[0] ? err : xy_strerror(rc));
	return 0;
}

static int audit_verify(struct xy_instance *inst, const struct vctx *c, int chain_bad)
{
	struct xy_audit_event ev = {0};
	char obj[160];
	int rc;

	snprintf(obj, sizeof obj,
		 "{\"records\":%ld,\"sealed_values\":%ld,\"bad_records\":%ld,"
		 "\"tampered_rows\":%ld,\"chain_intact\":%s}",
		 c->records, c->values, c->bad_records, c->tag_bad, chain_bad ? "false" : "true");
	xy_audit_local(&ev);
	ev.action = "verify";
	ev.object = obj;
	ev.result = c->bad_records || c->tag_bad || chain_bad ? "failed" : "ok";
	if ((rc = xy_store_begin(inst->store)) || (rc = xy_audit_append(inst->store, &ev)) ||
	    (rc = xy_store_commit(inst->store))) {
		xy_store_rollback(inst->store);
		return xy_cmd_fail("verify: the audit event could not be written: %s",
				   xy_strerror(rc));
	}
	return 0;
}

int xy_cmd_verify(int argc, char **argv)
{
	static const char usage[] =
		"usage: xinyong verify DIR\n"
		"Checks that every sealed (encrypted) value of every stored record opens under "
		"its\n"
		"own record and field (CRY-1), that every record, account (with its roles),\n"
		"agreement (with its lines), grant and machine client carries its row tag\n"
		"(CRY-2), and that the audit chain is intact (AUD-3).  Names each record and\n"
		"row that fails (\"table id: what\").  Exit 0 when all is intact, 1 otherwise.\n";
	struct xy_instance *inst = NULL;
	struct vctx c = {0};
	int rc = open_instance(argc, argv, usage, &inst), out, chain;

	if (rc)
		return rc < 0 ? XY_EXIT_OK : rc;
	xy_buf_init(&c.pt, 1 << 20);
	rc = xy_sealer_new(&c.s, inst->keys);
	if (!rc)
		rc = xy_store_record_scan(inst->store, check_record, &c);
	xy_sealer_free(c.s);
	xy_buf_cleanup(&c.pt);
	if (rc) {
		xy_instance_close(inst);
		return xy_cmd_fail("verify: %s", xy_strerror(rc));
	}
	printf("records: %ld checked, %ld sealed values, %ld records with bad values\n", c.records,
	       c.values, c.bad_records);
	out = verify_tags(inst, &c);
	chain = verify_chain(inst);
	/* AUD-1: the check opened every sealed value; it leaves its event (after
	 * the chain was verified, so the event does not hide a broken tail). */
	if (audit_verify(inst, &c, chain != XY_EXIT_OK))
		out = XY_EXIT_FAIL;
	xy_instance_close(inst);
	return c.bad_records || out || chain ? XY_EXIT_FAIL : XY_EXIT_OK;
}

static int audit_retain(struct xy_instance *inst)
{
	struct xy_audit_event who = {0};
	struct xy_retain_result r;
	int rc;

	xy_audit_local(&who);
	rc = xy_audit_retain(inst->store, inst->auditcp, xy_keyring_sm2(inst->keys),
			     inst->auditcp_path, inst->retention_months, xy_now_us(), &who, &r);
	if (rc == XY_ETAMPER) {
		printf("audit: the trail does not verify at event %lld: %s\n"
		       "audit: nothing was removed\n",
		       (long long)r.check.bad_seq, r.check.what);
		return XY_EXIT_FAIL;
	}
	if (rc)
		return xy_cmd_fail("audit retain: %s", xy_strerror(rc));
	if (r.removed)
		printf("audit: %lld events removed (through event %lld), older than %d months\n",
		       (long long)r.removed, (long long)r.through_seq, inst->retention_months);
	else
		printf("audit: no event is older than %d months; nothing removed\n",
		       inst->retention_months);
	return XY_EXIT_OK;
}

int xy_cmd_audit(int argc, char **argv)
{
	static const char usage[] =
		"usage: xinyong audit verify DIR\n"
		"       xinyong audit retain DIR\n"
		"verify: checks the SM3 hash chain of the audit trail and its SM2-signed\n"
		"checkpoints in DIR/audit-checkpoints (AUD-3); names the first changed,\n"
		"deleted, inserted or reordered event, a cut-off tail or an altered\n"
		"checkpoint.  Exit 0 when intact, 1 otherwise.\n"
		"retain: the retention job (AUD-4): removes events older than [audit]\n"
		"retention_months (at least 6) after the whole trail verifies, under a\n"
		"signed retention checkpoint.  The server runs it daily.\n";
	struct xy_instance *inst = NULL;
	int rc, out;

	if (argc == 2 && !strcmp(argv[1], "--help")) {
		fputs(usage, stdout);
		return XY_EXIT_OK;
	}
	if (argc < 2 || (strcmp(argv[1], "verify") != 0 && strcmp(argv[1], "retain") != 0)) {
		fputs(usage, stderr);
		return XY_EXIT_USAGE;
	}
	rc = open_instance(argc - 1, argv + 1, usage, &inst);
	if (rc)
		return rc < 0 ? XY_EXIT_OK : rc;
	if (!strcmp(argv[1], "retain")) {
		out = audit_retain(inst);
	} else {
		struct xy_audit_event ev = {0};
		out = verify_chain(inst);
		/* AUD-1: the check read the whole trail; its event comes after
		 * the check, so it cannot hide a broken tail. */
		xy_audit_local(&ev);
		ev.action = "audit.verify";
		ev.result = out ? "failed" : "ok";
		if ((rc = xy_store_begin(inst->store)) ||
		    (rc = xy_audit_append(inst->store, &ev)) ||
		    (rc = xy_store_commit(inst->store))) {
			xy_store_rollback(inst->store);
			out = xy_cmd_fail("audit verify: its event could not be written: %s",
					  xy_strerror(rc));
		}
	}
	xy_instance_close(inst);
	return out;
}
