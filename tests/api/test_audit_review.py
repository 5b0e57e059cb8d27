"""Black-box tests of the audit review (AUD-5, SOD-2, AUD-1): the auditor
alone searches the trail, exports a search and reads the anomaly reports;
the credit office answers "who looked at me" for a subject."""
import csv
import datetime
import hashlib
import io
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
sys.path.insert(0, os.path.dirname(__file__))
from xyapi import Server, expect  # noqa: E402
from xytest import check, run_all  # noqa: E402
from codes import uscc  # noqa: E402
from xyapi import china_today  # noqa: E402
from test_query import (ONLY_XY, P_LX, P_XY, PURPOSE, SHARED, U_LX, agree,  # noqa: E402
                        import_rows, penalty, q, user, with_units)

SECOND = uscc("360402", 1002)  # another 濂溪区 company


def instance(tmp, **config):
    cfg = {("audit", k): v for k, v in config.items()}
    srv = Server(tmp, config=cfg, init_args=with_units(tmp), start=False)
    import_rows(srv, P_LX, [penalty(P_LX, 1), penalty(P_LX, 2, subject=SECOND,
                                                      name="九江市濂溪区示例建材有限公司")], "lx")
    import_rows(srv, P_XY, [penalty(P_XY, 12, subject=ONLY_XY, name="九江市浔阳区隐秘贸易有限公司")],
                "xy")
    return srv.start()


def staff(srv):
    admin = srv.setup_admin()
    ca = user(srv, admin, "xyb.chen", None, role="credit_admin")
    auditor = srv.setup_admin("auditor", real_name="王审计")
    agree(ca, U_LX)
    lx = user(srv, admin, "lx.zhou", U_LX)
    return admin, ca, auditor, lx


def events(u, query=""):
    return expect(u.get("/api/v1/audit/events" + query), 200).json


def test_aud5_only_the_auditor_reads_the_trail(tmp):
    with instance(tmp) as srv:
        admin, ca, auditor, lx = staff(srv)
        for who in (admin, ca, lx):
            for path in ("/api/v1/audit/events", "/api/v1/audit/anomalies",
                         "/api/v1/audit/events?format=csv"):
                r = expect(who.get(path), 403, "forbidden")
                check("auditor" in r.message, r.message)
        # Every refusal is itself in the trail, with the reason.
        refused = srv.audit("action = 'audit.search' and result = 'refused'")
        check(refused and all(e["reason"] == "auditor_only" for e in refused), refused)
        items = events(auditor)["items"]
        check(items and items[0]["seq"] > items[-1]["seq"], "newest first")
        check(any(e["action"] == "session.create" and e["account"] == "lx.zhou" for e in items))
        # The auditor's own search is audited with its filter.
        events(auditor, "?account=lx.zhou")
        ev = srv.audit("action = 'audit.search' and result = 'ok'")[-1]
        check(ev["account"] == auditor.name
              and json.loads(ev["object"])["filter"] == {"account": "lx.zhou"}, ev)


def test_sod2_the_auditor_can_do_nothing_but_review(tmp):
    with instance(tmp) as srv:
        admin, ca, auditor, lx = staff(srv)
        expect(q(auditor, SHARED), 403, "forbidden")
        expect(auditor.post("/api/v1/accounts", {"name": "x.y", "real_name": "某人",
                                                 "id_number": srv.next_idnum(),
                                                 "unit": U_LX}), 403, "forbidden")
        expect(auditor.post("/api/v1/agreements", {
            "unit": U_LX, "datasets": ["XZCF"], "purposes": [PURPOSE],
            "valid_from": china_today(), "valid_to": china_today(30),
            "document": "协议"}), 403, "forbidden")


def test_aud5_search_by_person_subject_dataset_action_and_time(tmp):
    with instance(tmp) as srv:
        admin, ca, auditor, lx = staff(srv)
        expect(q(lx, SHARED), 200)
        expect(q(lx, SECOND), 200)
        expect(lx.get("/api/v1/datasets/XZCF/records?purpose=" + PURPOSE), 200)
        mine = events(auditor, "?account=lx.zhou&action=subject.query")["items"]
        check(len(mine) == 2 and {e["purpose"] for e in mine} == {PURPOSE}, mine)
        check(all(e["unit"] == U_LX and e["client"].startswith("127.0.0.1:") for e in mine), mine)
        one = events(auditor, "?subject=" + SHARED)["items"]
        check([e["action"] for e in one] == ["subject.query"]
              and one[0]["object"]["count"] >= 1 and one[0]["object"]["records"], one)
        ds = events(auditor, "?dataset=XZCF&action=dataset.query")["items"]
        check(len(ds) == 1 and ds[0]["object"]["dataset"] == "XZCF", ds)
        # action prefix, result, time window
        sess = events(auditor, "?action=session.&result=ok")["items"]
        check(sess and all(e["action"].startswith("session.") for e in sess), sess)
        check(events(auditor, "?from=2020-01-01&to=2020-01-02")["items"] == [])
        check(events(auditor, "?from=2020-01-01")["items"], "everything is after 2020")
        # paging: one at a time, following next
        p1 = events(auditor, "?account=lx.zhou&action=subject.query&limit=1")
        p2 = events(auditor, "?account=lx.zhou&action=subject.query&limit=1&before=%d"
                    % p1["next"])
        check(p1["items"][0]["seq"] > p2["items"][0]["seq"], (p1, p2))
        # bad filters are named
        expect(auditor.get("/api/v1/audit/events?from=yesterday"), 400, "bad_request")
        expect(auditor.get("/api/v1/audit/events?limit=501"), 400, "bad_request")
        expect(auditor.get("/api/v1/audit/events?dataset=NOPE"), 422, "invalid_field")
        expect(auditor.get("/api/v1/audit/events?subject=a%22b"), 422, "invalid_field")


def test_aud5_export_of_a_search_is_a_csv_and_is_audited(tmp):
    with instance(tmp) as srv:
        admin, ca, auditor, lx = staff(srv)
        expect(q(lx, SHARED), 200)
        r = expect(auditor.get("/api/v1/audit/events?account=lx.zhou&format=csv"), 200)
        check(r.header("Content-Type").startswith("text/csv"), r.header("Content-Type"))
        rows = list(csv.reader(io.StringIO(r.body.decode("utf-8"))))
        check(rows[0][:3] == ["seq", "time", "zone"] and len(rows) > 2, rows[:2])
        check(all(row[5] == "lx.zhou" for row in rows[1:]), rows)
        ev = srv.audit("action = 'audit.export'")[-1]
        obj = json.loads(ev["object"])
        check(obj["returned"] == len(rows) - 1
              and obj["sm3"] == hashlib.new("sm3", r.body).hexdigest(), obj)


def test_aud5_anomalies_link_to_their_events(tmp):
    # Working hours that never include now, and a low bulk threshold.
    with instance(tmp, bulk_subjects_per_hour=1, work_hours="00:00-00:01",
                  work_days="1") as srv:
        admin, ca, auditor, lx = staff(srv)
        expect(q(lx, SHARED), 200)
        expect(q(lx, SECOND), 200)
        expect(admin.post("/api/v1/accounts/lx.zhou/disable", {"reason": "调离"}), 204)
        expect(lx.signin(), 401)
        for _ in range(4):
            expect(srv.signin("lx.zhou", "wrong-password-123!"), 401)
        expect(auditor.get("/api/v1/audit/events?format=csv"), 200)
        rep = expect(auditor.get("/api/v1/audit/anomalies"), 200).json
        kinds = {}
        for a in rep["anomalies"]:
            kinds.setdefault(a["kind"], []).append(a)
        check({"bulk_query", "off_hours", "signin_failures", "inactive_account",
               "export"} <= set(kinds), sorted(kinds))
        bulk = [a for a in kinds["bulk_query"] if a["account"] == "lx.zhou"]
        check(bulk and bulk[0]["count"] == 2 and "2 distinct subjects" in bulk[0]["detail"],
              bulk)
        fails = [a for a in kinds["signin_failures"] if a["account"] == "lx.zhou"]
        check(fails and fails[0]["count"] >= 5, fails)
        check(any(a["account"] == "lx.zhou" for a in kinds["inactive_account"]), kinds)
        check(any(a["account"] == auditor.name for a in kinds["export"]), kinds["export"])
        # each finding names its events, which the auditor can open
        seqs = bulk[0]["events"]
        got = {e["seq"]: e for e in events(auditor, "?account=lx.zhou&limit=500")["items"]}
        check(all(s in got and got[s]["action"] == "subject.query" for s in seqs), seqs)
        check(rep["truncated"] is False and rep["scanned"] > 0, rep)
        expect(auditor.get("/api/v1/audit/anomalies?from=2026-01-01T25:00:00Z"), 400,
               "bad_request")
        expect(auditor.get("/api/v1/audit/anomalies?from=2026-01-01&to=2026-03-01"), 422,
               "invalid_range")
        check(srv.audit("action = 'audit.anomalies' and result = 'ok'"), "audited")


def china_us(day, hour):
    """Microseconds since the epoch of day (YYYY-MM-DD) at hour, China time."""
    t = datetime.datetime.fromisoformat("%sT%02d:00:00+08:00" % (day, hour))
    return int(t.timestamp()) * 1000000


def plant(srv, account, times):
    """The server stamps events with the clock, so days of the shipped
    calendar (February 2026) cannot be lived through here: the events are
    put in the database just below the first one (seq 0, -1, …, no gap),
    where a trail that began in February would hold them, before the server
    starts.  The anomaly report reads them like any other; the chain does
    not cover them, which is verification's business, not this test's."""
    for i, ts in enumerate(sorted(times)):
        srv.sql_write("insert into audit_events(seq, ts, zone, client, account, action,"
                      " result, hash) values (?, ?, 'government', '127.0.0.1:40000', ?,"
                      " 'session.create', 'ok', randomblob(32))",
                      i + 1 - len(times), ts, account)


def off_hours_days(auditor, account, frm, to):
    r = expect(auditor.get("/api/v1/audit/anomalies?from=%s&to=%s" % (frm, to)), 200).json
    days = sorted(a["from"][:10] for a in r["anomalies"]
                  if a["kind"] == "off_hours" and a["account"] == account)
    return days, r


def test_aud5_off_hours_follow_the_shipped_calendar(tmp):
    # init installs data/calendar-cn.txt; working time is the default
    # 08:00-18:00, Monday to Friday.
    srv = Server(tmp, start=False)
    plant(srv, "wang.li", [
        china_us("2026-02-13", 10),  # Friday: working
        china_us("2026-02-14", 10),  # Saturday, an adjusted working day (调休上班)
        china_us("2026-02-16", 10),  # Monday in the Spring Festival holiday
        china_us("2026-02-24", 10),  # Tuesday after it: working
        china_us("2026-02-24", 20),  # the same day after hours
    ])
    cal = os.path.join(srv.dir, "calendar.txt")
    shipped = open(cal, encoding="utf-8").read()
    with srv.start():
        srv.setup_admin()
        auditor = srv.setup_admin("auditor", real_name="王审计")
        days, r = off_hours_days(auditor, "wang.li", "2026-02-13", "2026-02-26")
        check(days == ["2026-02-16", "2026-02-24"], days)
        check(r["calendar_uncovered"] == [], r)
        # The same trail with a calendar that lists nothing: the Saturday
        # is off-hours, the holiday Monday an ordinary working day, and the
        # report says its year is not covered.
        with open(cal, "w", encoding="utf-8") as f:
            f.write("# no dates\n")
        days, r = off_hours_days(auditor, "wang.li", "2026-02-13", "2026-02-26")
        check(days == ["2026-02-14", "2026-02-24"], days)
        check(r["calendar_uncovered"] == [2026], r)
        # A bad line is a configuration error naming the line, not a
        # calendar quietly missing a day.
        n = shipped.count("\n")
        for extra, why in (("2026-02-14 holiday\n", "2026-02-14 is both a holiday and a workday"),
                           ("2026-02-30 holiday\n", "2026-02-30 is not a real calendar date"),
                           ("2026-02-17 holliday\n", "holliday")):
            with open(cal, "w", encoding="utf-8") as f:
                f.write(shipped + extra)
            e = expect(auditor.get("/api/v1/audit/anomalies?from=2026-02-13&to=2026-02-26"),
                       500, "config_error")
            check("calendar.txt" in e.message and "line %d:" % (n + 1) in e.message
                  and why in e.message, e.message)
        with open(cal, "w", encoding="utf-8") as f:
            f.write(shipped)
        days, r = off_hours_days(auditor, "wang.li", "2026-02-13", "2026-02-26")
        check(days == ["2026-02-16", "2026-02-24"], days)
        # 2027 is not in the shipped calendar: the report says so.
        days, r = off_hours_days(auditor, "wang.li", "2026-12-20", "2027-01-10")
        check(r["calendar_uncovered"] == [2027], r)


def test_aud1_who_looked_at_me(tmp):
    with instance(tmp) as srv:
        admin, ca, auditor, lx = staff(srv)
        expect(q(lx, SHARED), 200)
        expect(q(lx, SHARED), 200)
        expect(lx.get("/api/v1/datasets/XZCF/records?purpose=" + PURPOSE), 200)
        r = expect(ca.get("/api/v1/subjects/%s/viewers" % SHARED), 200).json
        units = {u["unit"]: u for u in r["units"]}
        check(set(units) == {U_LX}, r)
        check(units[U_LX]["count"] == 3 and units[U_LX]["purposes"] == [PURPOSE]
              and units[U_LX]["unit_name"], units)
        # the subject nobody looked at
        r = expect(ca.get("/api/v1/subjects/%s/viewers" % ONLY_XY), 200).json
        check(r["units"] == [], r)
        # a unit may not ask who looked at a subject; the auditor may
        expect(lx.get("/api/v1/subjects/%s/viewers" % SHARED), 403, "forbidden")
        expect(auditor.get("/api/v1/subjects/%s/viewers" % SHARED), 200)
        expect(ca.get("/api/v1/subjects/913604029999999999/viewers"), 404, "not_found")
        expect(ca.get("/api/v1/subjects/%s/viewers?to=2026-02-30" % SHARED), 400, "bad_request")
        ev = srv.audit("action = 'audit.subject_report' and result = 'ok'")
        check(ev and ev[0]["account"] == "xyb.chen", ev)


if __name__ == "__main__":
    sys.exit(run_all())
