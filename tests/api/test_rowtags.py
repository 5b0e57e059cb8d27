"""Black-box tests of row tags (CRY-2): records and the access-control rows
(accounts with their roles, agreements with their lines, grants, machine
clients) carry an HMAC-SM3 tag.  A row changed directly in core.db with the
sqlite3 shell, behind the application's back, is refused by the server
when it reads it (500 integrity_violation, an integrity.alarm event naming
the table and row) and named by `xinyong verify DIR` (exit 1).  Rows the
application itself wrote, changed and revoked verify clean."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
sys.path.insert(0, os.path.dirname(__file__))
from xyapi import expect  # noqa: E402
from xytest import check, run, run_all, sql  # noqa: E402
import test_authorise as au  # noqa: E402
from test_clients import Client, make  # noqa: E402
from test_query import SHARED, U_CITY, U_LX, agree, instance, people, q, user  # noqa: E402


def core(srv):
    return os.path.join(srv.dir, "core.db")


def one(srv, query):
    return sql(core(srv), query).strip()


def refused(r):
    """What a user sees when a row they needed was tampered with."""
    expect(r, 500, "integrity_violation")
    check("integrity" in r.message, r.message)


def alarms(srv, table, row_id):
    ev = srv.audit("action = 'integrity.alarm'")
    mine = [e for e in ev if '"table":"%s"' % table in e["object"]
            and '"id":%s,' % row_id in e["object"]]
    check(mine, "an integrity.alarm names %s %s: %r" % (table, row_id, ev))
    check(all(e["result"] == "failed" for e in mine), mine)
    return mine


def verify_names(srv, table, row_id):
    """Stops the server and runs `xinyong verify`: exit 1, the row named."""
    check(srv.stop() == 0, "serve stopped cleanly")
    p = run("verify", srv.dir)
    check(p.returncode == 1, p.stdout + p.stderr)
    check("%s %s: " % (table, row_id) in p.stdout, p.stdout)
    check("1 tampered" in p.stdout, p.stdout)
    return p.stdout


def verify_clean(d):
    p = run("verify", d)
    check(p.returncode == 0, p.stdout + p.stderr)
    check(" 0 tampered" in p.stdout, p.stdout)
    return p.stdout


def test_cry2_tampered_role_refused(tmp):
    with instance(tmp) as srv:
        admin, ca = people(srv)
        lx = user(srv, admin, "lx.zhou", U_LX)
        aid = one(srv, "select id from accounts where name = 'lx.zhou'")
        # With the sqlite3 shell: a unit user becomes a credit administrator.
        sql(core(srv), "update account_roles set role = 'credit_admin'"
            " where account_id = %s" % aid)
        refused(lx.signin())
        ev = alarms(srv, "accounts", aid)
        # The alarm names the row and what is wrong, never its content.
        check(all("pw_hash" not in e["object"] and "argon2" not in e["object"] for e in ev), ev)
        check("CRY-2: accounts %s" % aid in srv.server_log(), "logged for the operator")
        # The others go on working.
        expect(admin.get("/api/v1/accounts/%s" % ca.name), 200)
        out = verify_names(srv, "accounts", aid)
        check("row tag does not match" in out, out)


def test_cry2_a_role_added_or_removed_behind_the_back_is_caught(tmp):
    with instance(tmp) as srv:
        admin, _ = people(srv)
        user(srv, admin, "lx.zhou", U_LX)
        aid = one(srv, "select id from accounts where name = 'lx.zhou'")
        sql(core(srv), "insert into account_roles(account_id, role, granted_at)"
            " values (%s, 'auditor', 0)" % aid)
        refused(srv.signin("lx.zhou", "whatever"))
        alarms(srv, "accounts", aid)
        verify_names(srv, "accounts", aid)


def test_cry2_tampered_record_field_refused(tmp):
    with instance(tmp) as srv:
        admin, ca = people(srv)
        rid = one(srv, "select id from records where json_extract(clear, '$.CF_WSH')"
                  " = '罚〔2026〕1号'")
        expect(q(ca, SHARED), 200)
        # A penalty's document number rewritten in place.
        sql(core(srv), "update records set clear = json_set(clear, '$.CF_WSH', '罚〔2026〕999号')"
            " where id = %s" % rid)
        refused(q(ca, SHARED))
        alarms(srv, "records", rid)
        # The dataset listing reads it too.
        refused(ca.get("/api/v1/datasets/XZCF/records?purpose=daily_supervision"))
        verify_names(srv, "records", rid)


def test_cry2_a_record_moved_to_another_subject_is_caught(tmp):
    with instance(tmp) as srv:
        _, ca = people(srv)
        rid = one(srv, "select id from records where json_extract(clear, '$.CF_WSH')"
                  " = '罚〔2026〕1号'")
        other = one(srv, "select subject_id from records where id <> %s and subject_id <>"
                    " (select subject_id from records where id = %s) limit 1" % (rid, rid))
        sql(core(srv), "update records set subject_id = %s where id = %s" % (other, rid))
        check(srv.stop() == 0)
        p = run("verify", srv.dir)
        check(p.returncode == 1 and ("records %s: " % rid) in p.stdout, p.stdout)


def test_cry2_tampered_grant_end_date_refused(tmp):
    with au.instance(tmp) as srv:
        admin, ca, lx, op = au.people(srv)
        rq = expect(au.ask(lx), 201).json["id"]
        expect(op.post("%s/%d/approve" % (au.PATH, rq), {}), 204)
        expect(au.q(lx, au.PERSON1), 200)
        gid = one(srv, "select id from grants where request_id = %d" % rq)
        # The grant's end moved a year later.
        sql(core(srv), "update grants set end_at = end_at + 365 * 86400000000"
            " where id = %s" % gid)
        refused(au.q(lx, au.PERSON1))
        alarms(srv, "grants", gid)
        verify_names(srv, "grants", gid)


def test_cry2_tampered_agreement_dataset_refused(tmp):
    with instance(tmp) as srv:
        admin, ca = people(srv)
        ag = agree(ca, U_LX, datasets=("XZCF",))
        lx = user(srv, admin, "lx.zhou", U_LX)
        expect(q(lx, SHARED), 200)
        # The agreement's dataset changed from XZCF to GRQF.
        sql(core(srv), "update agreement_lines set dataset = 'GRQF' where agreement_id = %d"
            % ag)
        refused(q(lx, SHARED))
        alarms(srv, "agreements", ag)
        refused(ca.get("/api/v1/agreements?unit=%s" % U_LX))
        verify_names(srv, "agreements", ag)


def test_cry2_tampered_client_allow_list_refused(tmp):
    with instance(tmp) as srv:
        _, ca = people(srv)
        ag = agree(ca, U_CITY)
        c = Client(srv, expect(make(ca, U_CITY, [ag], allow="10.8.0.0/16"), 201).json)
        expect(c.query(SHARED), 401, "unauthenticated")  # not from 127.0.0.1
        sql(core(srv), "update clients set allow = '127.0.0.0/8' where id = %d" % c.id)
        refused(c.query(SHARED))
        alarms(srv, "clients", c.id)
        verify_names(srv, "clients", c.id)


def test_cry2_a_tag_copied_to_another_row_fails(tmp):
    with instance(tmp) as srv:
        admin, _ = people(srv)
        user(srv, admin, "lx.zhou", U_LX)
        user(srv, admin, "lx.qian", U_LX)
        a = one(srv, "select id from accounts where name = 'lx.zhou'")
        b = one(srv, "select id from accounts where name = 'lx.qian'")
        # Make b's row a copy of a's in every column the tag covers but the
        # primary key: the tag still names the row it was made for.
        sql(core(srv), "update accounts set (status, pw_hash, must_change, tag, tag_key) ="
            " (select status, pw_hash, must_change, tag, tag_key from accounts where id = %s)"
            " where id = %s" % (a, b))
        check(srv.stop() == 0)
        p = run("verify", srv.dir)
        check(p.returncode == 1 and ("accounts %s: " % b) in p.stdout
              and ("accounts %s: " % a) not in p.stdout, p.stdout)


def test_cry2_honest_changes_verify_clean(tmp):
    """Import, agreements made and ended, roles granted and removed, grants
    approved and revoked, clients made and revoked, sign-ins and failures:
    everything the application wrote verifies clean."""
    with au.instance(tmp) as srv:
        admin, ca, lx, op = au.people(srv)
        rq = expect(au.ask(lx), 201).json["id"]
        expect(op.post("%s/%d/approve" % (au.PATH, rq), {}), 204)
        expect(au.q(lx, au.PERSON1), 200)
        expect(op.post("%s/%d/revoke" % (au.PATH, rq), {"reason": "到期前收回"}), 204)
        expect(au.q(lx, au.PERSON1), 404, "not_found")
        expect(admin.post("/api/v1/accounts/lx.zhou/roles", {"role": "provider_operator"}),
               204)
        expect(admin.delete("/api/v1/accounts/lx.zhou/roles/provider_operator"), 204)
        expect(srv.signin("lx.zhou", "wrong password 1A!"), 401)
        ag = agree(ca, au.U_XY, datasets=("GRQF",))
        c = Client(srv, expect(make(ca, au.U_XY, [ag]), 201).json)
        expect(c.query(au.PERSON1, purpose=au.PURPOSE), 404)
        expect(ca.post("/api/v1/clients/%d/revoke" % c.id, {"reason": "系统下线"}), 204)
        expect(ca.post("/api/v1/agreements/%d/end" % ag, {"reason": "协议解除"}), 204)
        check(not srv.audit("action = 'integrity.alarm'"), "no alarm")
        check(srv.stop() == 0)
        out = verify_clean(srv.dir)
        check("grants 1" in out and "clients 1" in out and "agreements 2" in out, out)


def test_cry2_an_untagged_row_is_tampered_unless_waiting_for_backfill(tmp):
    d = os.path.join(tmp, "inst")
    p = run("init", d)
    check(p.returncode == 0, p.stderr)
    db = os.path.join(d, "core.db")
    verify_clean(d)
    # A row without a tag in a store created with row tags: tampered.
    sql(db, "update accounts set tag = NULL where id = 2")
    p = run("verify", d)
    check(p.returncode == 1 and "accounts 2: no row tag" in p.stdout, p.stdout)
    # A store from before migration 8 (simulated: no tags anywhere, and the
    # mark the migration leaves): its rows are tagged once, audited.
    sql(db, "update accounts set tag = NULL, tag_key = NULL;"
        " insert into meta(key, value) values ('row_tags_backfill', 'pending')")
    out = verify_clean(d)
    check("accounts 3" in out, out)
    ev = sql(db, "select result || '|' || object from audit_events"
             " where action = 'integrity.backfill'").split()
    check(ev == ['ok|{"rows":3}'], ev)
    check(sql(db, "select count(*) from meta where key = 'row_tags_backfill'").strip() == "0")
    # Once only: a later NULL is tampered again.
    sql(db, "update accounts set tag = NULL where id = 1")
    p = run("verify", d)
    check(p.returncode == 1 and "accounts 1: no row tag" in p.stdout, p.stdout)


def test_cry2_import_tags_every_record_and_verify_counts_them(tmp):
    with instance(tmp) as srv:
        n = int(one(srv, "select count(*) from records"))
        check(n == 6, n)
        check(one(srv, "select count(*) from records where length(tag) = 32"
                  " and tag_key = 1") == str(n), "every record tagged under key 1")
        check(srv.stop() == 0)
        out = verify_clean(srv.dir)
        check("records %d" % n in out, out)


if __name__ == "__main__":
    sys.exit(run_all())
