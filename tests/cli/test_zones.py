"""The two zones together (NET-1, POR-1, POR-2, POR-3): a government instance publishes
signed change sets; the ferry (scripts/ferry.sh, whole files only) carries them to a portal
made with portal-init from the platform's public key alone; the portal serves them; an
objection lodged on the portal travels back as a signed file, opens a case on the
government side, and the record is marked 异议 and the ticket answers on the portal after
the next change set."""
import json
import subprocess
import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "api"))
from xyapi import expect  # noqa: E402
from xytest import Failure, check, run, run_all  # noqa: E402
from test_query import P_LX, SHARED, instance, people  # noqa: E402
from test_portal import Portal  # noqa: E402

TOP = os.path.join(os.path.dirname(__file__), "..", "..")
FERRY = os.path.join(TOP, "scripts", "ferry.sh")


def ferry(srv, portal):
    p = subprocess.run(["sh", FERRY, srv.dir, portal.dir, "web1", "--once"],
                       capture_output=True, text=True, timeout=60)
    check(p.returncode == 0, p.stderr)
    return p.stdout


def publish(srv):
    p = run("publish", srv.dir, "--json")
    check(p.returncode == 0, p.stderr)
    return json.loads(p.stdout)


def zones(tmp):
    srv = instance(tmp)
    portal = Portal(tmp, init=False)
    r = run("portal-init", portal.dir, "--platform-public-key",
            os.path.join(srv.dir, "keys", "platform-sm2.pub"), "--name", "九江信用")
    check(r.returncode == 0, r.stderr)
    portal.set("poll_seconds", 1)
    r = run("portal-register", srv.dir, "web1", os.path.join(portal.dir, "portal-sm2.pub"))
    check(r.returncode == 0, r.stderr)
    return srv, portal


def records_in(doc):
    """Every object of the public JSON that is a record (has an id and an objection)."""
    if isinstance(doc, dict):
        if "objection" in doc and "id" in doc:
            yield doc
        for v in doc.values():
            yield from records_in(v)
    elif isinstance(doc, list):
        for v in doc:
            yield from records_in(v)


def wait(cond, what, timeout=20):
    end = time.time() + timeout
    while time.time() < end:
        v = cond()
        if v:
            return v
        time.sleep(0.3)
    raise Failure("timed out waiting for " + what)


def test_net1_portal_holds_nothing_of_the_government_zone(tmp):
    srv, portal = zones(tmp)
    with srv:
        names = set()
        for root, dirs, files in os.walk(portal.dir):
            names.update(files)
        for secret in ("core.db", "master.key", "data-keys", "platform-sm2.key"):
            check(secret not in names, "%s in the portal's directory" % secret)
        cfg = open(os.path.join(portal.dir, "config.ini"), encoding="utf-8").read()
        check(srv.dir not in cfg and "core.db" not in cfg, cfg)
        gov_key = open(os.path.join(srv.dir, "keys", "platform-sm2.pub")).read()
        check(open(os.path.join(portal.dir, "platform.pub")).read() == gov_key, "the public key")


def test_por3_objection_round_trip_between_the_zones(tmp):
    srv, portal = zones(tmp)
    with srv:
        admin, ca = people(srv)
        first = publish(srv)
        check(first["seq"] == 1 and first["records"] > 0, first)
        out = ferry(srv, portal)
        check("cs-0000000001.xycs -> portal" in out, out)
        portal.start()
        try:
            portal.wait_seq(1)
            # POR-1: the subject's page from the change set.
            s, _, body = portal.get("/subjects/%s" % SHARED)
            check(s == 200 and "九江市濂溪区测试商贸有限公司1" in body, body[:500])
            check("异议处理中" not in body, "no objection mark yet")
            rec = re.search(r'href="/records/(\d+)"', body).group(1)
            # An objection lodged on the portal.
            s, _, form = portal.get("/objections/new?record=" + rec)
            tok = re.search(r'name="token" value="([^"]+)"', form).group(1)
            s, _, done = portal.post("/objections/new?record=" + rec, {
                "token": tok, "name": "九江市濂溪区测试商贸有限公司1", "contact": "13907920001",
                "reason": "该处罚决定已被复议机关撤销，请予更正。"})
            check(s == 200, done[:800])
            ticket = re.search(r"YY\d{14}", done).group(0)
            check_code = re.search(r'id="check">([^<]{12})<', done).group(1)
            # Before the credit office has it: the portal's own word.
            s, _, body = portal.get("/tickets?ticket=%s&check=%s" % (ticket, check_code))
            check(s == 200 and "尚待送达信用办" in body, body[:1500])
            # Carried in; the server opens the case.
            out = ferry(srv, portal)
            check("sub-0000000001.xysub -> government (web1)" in out, out)
            wait(lambda: srv.audit("action = 'case.open' and result = 'ok'"), "the case")
            r = expect(ca.get("/api/v1/cases/" + ticket), 200)
            check(r.json["status"] == "received" and r.json["record"] == rec
                  and r.json["submitter"]["contact"] == "13907920001", r.json)
            # The next change set marks the record and tells the ticket's state.
            second = publish(srv)
            check(second["seq"] == 2, second)
            ferry(srv, portal)
            portal.wait_seq(2)
            s, _, body = portal.get("/records/%s" % rec)
            check(s == 200 and "异议处理中" in body, body[:1500])
            s, _, body = portal.get("/api/v1/public/subjects/%s" % SHARED)
            marks = {r["id"]: r["objection"] for r in records_in(json.loads(body))}
            check(marks.get(rec) is True and list(marks.values()).count(True) == 1, marks)
            # The ticket answers with the credit office's word; a wrong check code is
            # answered as an unknown ticket.
            s, _, body = portal.get("/tickets?ticket=%s&check=%s" % (ticket, check_code))
            check(s == 200 and ticket in body and "信用办已收到" in body, body[:1500])
            s, _, wrong = portal.get("/tickets?ticket=%s&check=%s" % (ticket, "A" * 12))
            check(s == 404 and "未找到该受理编号" in wrong and "信用办已收到" not in wrong,
                  wrong[:800])
        finally:
            portal.stop()


def test_por5_a_section_reaches_the_portal_and_leaves_it(tmp):
    srv, portal = zones(tmp)
    with srv:
        admin, ca = people(srv)
        title = "关于开展" + "信用承诺" * 48 + "的通知"   # 200 characters, 600 bytes
        sid = "notice-" + "x" * 57                         # 64 bytes
        expect(ca.post("/api/v1/sections", {
            "id": sid, "kind": "notice", "title": title,
            "body": "各有关单位：\n\n请于月底前完成。<script>alert(1)</script>",
            "unit": P_LX, "period_days": 30}), 201)
        publish(srv)
        ferry(srv, portal)
        portal.start()
        try:
            portal.wait_seq(1)
            s, _, body = portal.get("/")
            check(s == 200 and title in body and "九江市濂溪区市场监督管理局" in body, body[:2000])
            check("<script>alert" not in body and "&lt;script&gt;" in body, "escaped")
            check("已超过更新周期" not in body, "not overdue")
            # Removed on the government side: gone from the portal with the next change set.
            expect(ca.delete("/api/v1/sections/" + sid), 204)
            second = publish(srv)
            check(second["seq"] == 2, second)
            ferry(srv, portal)
            portal.wait_seq(2)
            s, _, body = portal.get("/")
            check(s == 200 and title not in body, "the section is gone")
        finally:
            portal.stop()


if __name__ == "__main__":
    run_all(globals())
