"""Black-box tests of exports (SHR-7, SOD-4): a query result leaves the
platform as a file only through an approved extraction request, once, with
the export id and the requesting account in its header row and in every
line's watermark, and every step audited."""
import csv
import hashlib
import io
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
sys.path.insert(0, os.path.dirname(__file__))
from codes import idnum  # noqa: E402
from xyapi import expect  # noqa: E402
from xytest import check, run_all  # noqa: E402
from test_query import (P_LX, PERSON, PURPOSE, SHARED, U_LX, U_XY, agree, instance,  # noqa: E402
                        people, providers, q, user)


def ask(u, **kw):
    body = {"dataset": "XZCF", "purpose": PURPOSE, "format": "csv",
            "reason": "2026年第四季度双随机抽查名单"}
    body.update(kw)
    return u.post("/api/v1/exports", {k: v for k, v in body.items() if v is not None})


def test_shr7_an_approved_export_is_downloaded_once_with_its_watermark(tmp):
    with instance(tmp) as srv:
        admin, ca = people(srv)
        agree(ca, U_LX)
        agree(ca, U_XY)
        lx = user(srv, admin, "lx.zhou", U_LX)
        xy = user(srv, admin, "xy.wu", U_XY)
        eid = expect(ask(lx), 201).json["id"]
        path = "/api/v1/exports/%d" % eid
        # Not before approval.
        expect(lx.get(path + "/file"), 409, "not_approved")
        r = expect(lx.get(path), 200)
        check(r.json["state"] == "submitted" and r.json["requester"] == "lx.zhou"
              and r.json["download"] is None, r.json)
        # Another county's unit neither sees nor takes it.
        expect(xy.get(path), 404, "not_found")
        expect(lx.post(path + "/approve", {}), 403, "forbidden")
        expect(ca.post(path + "/approve", {"note": "同意，限本次抽查使用"}), 204)
        expect(ca.post(path + "/approve", {}), 409, "not_pending")
        expect(xy.get(path + "/file"), 403, "forbidden")
        expect(ca.get(path + "/file"), 403, "forbidden")
        # The requester takes the file: exactly what their query shows.
        r = expect(lx.get(path + "/file"), 200)
        check(r.header("Content-Type").startswith("text/csv"), r.header("Content-Type"))
        check('filename="xinyong-export-%d.csv"' % eid in r.header("Content-Disposition"), r)
        rows = list(csv.reader(io.StringIO(r.body.decode("utf-8"))))
        mark = "xinyong-export-%d/lx.zhou" % eid
        check(rows[0][:6] == ["xinyong_export", str(eid), "account", "lx.zhou", "unit", U_LX],
              rows[0])
        check(rows[1][:5] == ["watermark", "dataset", "record", "provider", "submitted_at"],
              rows[1])
        data = rows[2:]
        check(data and all(row[0] == mark for row in data), data)
        check(sorted({row[3] for row in data}) == [P_LX], "only 濂溪区's records")
        seen = expect(lx.get("/api/v1/datasets/XZCF/records?purpose=" + PURPOSE), 200)
        check(sorted(int(row[2]) for row in data)
              == sorted(rec["id"] for rec in seen.json["items"]), (data, seen.json))
        text = r.body.decode("utf-8")
        check(PERSON not in text and "段六" not in text, "masked as in any answer")
        check(PERSON[:6] + "*" * 8 + PERSON[-4:] in text, "the masked identity number")
        # Once only.
        expect(lx.get(path + "/file"), 409, "already_downloaded")
        r2 = expect(lx.get(path), 200)
        d = r2.json["download"]
        check(r2.json["state"] == "downloaded" and d["rows"] == len(data)
              and d["bytes"] == len(r.body)
              and d["sm3"] == hashlib.new("sm3", r.body).hexdigest(), r2.json)
        # Audited: the request, the approval, the download with its rows and SM3.
        ev = {e["action"]: e for e in srv.audit("action like 'extraction.%' and result = 'ok'")}
        check({"extraction.submit", "extraction.approve", "extraction.download"} <= set(ev),
              sorted(ev))
        obj = json.loads(ev["extraction.download"]["object"])
        check(obj["rows"] == len(data) and obj["sm3"] == d["sm3"]
              and ev["extraction.download"]["account"] == "lx.zhou"
              and ev["extraction.approve"]["account"] == ca.name, obj)
        refused = [e["reason"] for e in srv.audit("action = 'extraction.download' and "
                                                  "result = 'refused'")]
        check(sorted(refused) == ["already_downloaded", "not_approved", "not_requester",
                                  "not_requester"], refused)
        # The file's queries are audited like any query, with their record ids.
        check(srv.audit("action = 'dataset.query' and account = 'lx.zhou'"), "queries audited")


def test_shr7_a_subject_as_json_lines(tmp):
    with instance(tmp) as srv:
        admin, ca = people(srv)
        agree(ca, U_LX)
        lx = user(srv, admin, "lx.qian", U_LX)
        eid = expect(ask(lx, dataset=None, subject=SHARED, format="jsonl"), 201).json["id"]
        expect(ca.post("/api/v1/exports/%d/approve" % eid, {}), 204)
        r = expect(lx.get("/api/v1/exports/%d/file" % eid), 200)
        check(r.header("Content-Type").startswith("application/x-ndjson"), r)
        lines = [json.loads(x) for x in r.body.decode("utf-8").splitlines()]
        mark = "xinyong-export-%d/lx.qian" % eid
        check(lines[0]["xinyong_export"] == str(eid) and lines[0]["account"] == "lx.qian"
              and lines[0]["purpose"] == PURPOSE and lines[0]["watermark"] == mark, lines[0])
        recs = lines[1:]
        check(recs and all(x["watermark"] == mark and x["dataset"] == "XZCF" for x in recs), recs)
        check(sorted(x["provider"] for x in recs) == providers(expect(q(lx, SHARED), 200)), recs)


def test_shr7_requests_are_checked_and_refused_with_the_reason(tmp):
    with instance(tmp) as srv:
        admin, ca = people(srv)
        lx = user(srv, admin, "lx.sun", U_LX)
        # No agreement: refused before anyone is asked to approve.
        expect(ask(lx), 403, "no_agreement")
        agree(ca, U_LX)
        for kw, field in (({"purpose": None}, "purpose"), ({"purpose": "curiosity"}, "purpose"),
                          ({"format": "xlsx"}, "format"), ({"reason": ""}, "reason"),
                          ({"dataset": "NOPE"}, "dataset"),
                          ({"subject": SHARED}, "dataset"),
                          ({"dataset": None, "subject": PERSON}, "subject"),
                          ({"unit": "not-a-code"}, "unit")):
            r = expect(ask(lx, **kw), 422, "invalid_field", str(kw))
            check('"%s"' % field in r.message, (kw, r.message))
        expect(ask(admin), 403, "forbidden")  # no query role at all
        # Rejected: a reason is required, and then there is no file.
        eid = expect(ask(lx), 201).json["id"]
        expect(ca.post("/api/v1/exports/%d/reject" % eid, {}), 422, "invalid_field")
        expect(ca.post("/api/v1/exports/%d/reject" % eid, {"reason": "用途不明确"}), 204)
        expect(lx.get("/api/v1/exports/%d/file" % eid), 409, "not_approved")
        expect(ca.post("/api/v1/exports/%d/approve" % eid, {}), 409, "not_pending")
        r = expect(lx.get("/api/v1/exports?state=rejected"), 200)
        check([x["id"] for x in r.json["items"]] == [eid]
              and r.json["items"][0]["decision_note"] == "用途不明确", r.json)
        expect(lx.get("/api/v1/exports/999"), 404, "not_found")
        expect(lx.get("/api/v1/exports?state=bogus"), 400, "bad_request")
        expect(lx.get("/api/v1/exports?limit=0"), 400, "bad_request")
        expect(lx.get("/api/v1/exports?before=x"), 400, "bad_request")
        r = expect(lx.get("/api/v1/exports?before=%d&limit=1" % (eid + 1)), 200)
        check([x["id"] for x in r.json["items"]] == [eid] and r.json["next"] == eid, r.json)
        check(idnum, "codes helper")


def test_sod4_nobody_approves_their_own_export(tmp):
    with instance(tmp) as srv:
        admin, ca = people(srv)
        ca2 = user(srv, admin, "xyb.liu", None, role="credit_admin")
        eid = expect(ask(ca), 201).json["id"]
        expect(ca.post("/api/v1/exports/%d/approve" % eid, {}), 403, "forbidden")
        check(srv.audit("action = 'extraction.approve' and reason = 'own_request'"), "audited")
        expect(ca2.post("/api/v1/exports/%d/approve" % eid, {}), 204)
        expect(ca2.get("/api/v1/exports/%d/file" % eid), 403, "forbidden")
        r = expect(ca.get("/api/v1/exports/%d/file" % eid), 200)
        rows = list(csv.reader(io.StringIO(r.body.decode("utf-8"))))
        check(len(rows) > 2 and all(row[0] == "xinyong-export-%d/xyb.chen" % eid
                                    for row in rows[2:]), rows[:3])


if __name__ == "__main__":
    sys.exit(run_all())
