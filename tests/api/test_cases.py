"""Black-box tests of the submissions the portal sends inward (POR-3, POR-2, NET-1):
objections and credit repair applications arrive as files signed with a registered
portal's key in DIR/inbox/NAME/; `xinyong serve` takes them in sequence order, opens
a case per valid line with the portal's ticket number, seals the submitter's details,
audits every step, and quarantines a file whose signature, sequence or header fails."""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
sys.path.insert(0, os.path.dirname(__file__))
from xyapi import expect  # noqa: E402
from xytest import check, run, run_all  # noqa: E402
from test_query import P_LX, SHARED, U_LX, instance, people, user  # noqa: E402

TOOL = os.path.join(os.environ.get("XY_BUILD", "build"), "tests", "xy_sfile")
FMT = "xinyong-submissions/1"
NAME = "王小明"
CONTACT = "13907920001"


def keys(tmp, tag="portal"):
    priv, pub = os.path.join(tmp, tag + ".der"), os.path.join(tmp, tag + ".pub")
    p = subprocess.run([TOOL, "keygen", priv, pub], capture_output=True, text=True)
    check(p.returncode == 0, p.stderr)
    return priv, pub


def register(srv, name, pub):
    p = run("portal-register", srv.dir, name, pub)
    check(p.returncode == 0, p.stderr)
    return p


def line(ticket, record, kind="objection", **over):
    code = "K7M2Q9X4H8T3"
    d = {"kind": kind, "ticket": ticket,
         "check": hashlib.new("sm3", ("%s:%s" % (ticket, code)).encode()).hexdigest(),
         "record": str(record), "subject": SHARED, "name": NAME, "contact": CONTACT,
         "reason": "处罚决定已于2026年3月撤销，请更正。\n附：撤销决定书编号。",
         "submitted": "2026-11-22T08:00:00Z"}
    if kind == "repair":
        d["commitment"] = True
    d.update(over)
    return json.dumps({k: v for k, v in d.items() if v is not None}, ensure_ascii=False)


def drop(srv, priv, name, seq, lines, folder=None):
    """Writes sub-SEQ.xysub signed with priv into DIR/inbox/NAME/ (via a scratch
    folder, as a ferry would: the file appears whole)."""
    scratch = os.path.join(srv.tmp, "scratch")
    os.makedirs(scratch, exist_ok=True)
    fname = "sub-%010d.xysub" % seq
    p = subprocess.run([TOOL, "write", priv, scratch, fname, FMT, str(seq)],
                       input="\n".join(lines) + "\n", capture_output=True, text=True)
    check(p.returncode == 0, p.stderr)
    inbox = folder or os.path.join(srv.dir, "inbox", name)
    os.makedirs(inbox, exist_ok=True)
    os.rename(os.path.join(scratch, fname), os.path.join(inbox, fname))
    return os.path.join(inbox, fname)


def wait_for(srv, where, n=1, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ev = srv.audit(where)
        if len(ev) >= n:
            return ev
        time.sleep(0.2)
    raise AssertionError("no %d audit events where %s: %s" % (n, where, srv.server_log()[-2000:]))


def records(srv):
    c = srv.db()
    try:
        return [r[0] for r in c.execute("select id from records order by id")]
    finally:
        c.close()


def test_por3_submissions_open_cases_with_sealed_details(tmp):
    with instance(tmp) as srv:
        admin, ca = people(srv)
        priv, pub = keys(tmp)
        register(srv, "web1", pub)
        rec = records(srv)
        path = drop(srv, priv, "web1", 1, [line("YY20261122000001", rec[0]),
                                           line("YY20261122000002", rec[1], kind="repair")])
        wait_for(srv, "action = 'submission.receive'")
        # The file is taken: out of the inbox, kept under received/.
        check(not os.path.exists(path), "still in the inbox")
        check(os.path.exists(os.path.join(srv.dir, "received", "web1",
                                          "sub-0000000001.xysub")), "kept")
        r = expect(ca.get("/api/v1/cases"), 200)
        items = r.json["items"]
        check([c["ticket"] for c in items] == ["YY20261122000001", "YY20261122000002"], items)
        check([c["kind"] for c in items] == ["objection", "repair"], items)
        check(all(c["status"] == "received" and c["unit"]["code"] == P_LX
                  and c["portal"] == "web1" and c["file_seq"] == 1 and "submitter" not in c
                  for c in items), items)
        check(r.json["next"] is None, r.json)
        r = expect(ca.get("/api/v1/cases?kind=repair"), 200)
        check([c["ticket"] for c in r.json["items"]] == ["YY20261122000002"], r.json)
        expect(ca.get("/api/v1/cases?kind=appeal"), 400, "bad_request")
        expect(ca.get("/api/v1/cases?status=lost"), 400, "bad_request")
        r = expect(ca.get("/api/v1/cases/YY20261122000001"), 200)
        s = r.json["submitter"]
        check(s["name"] == NAME and s["contact"] == CONTACT and "撤销" in s["reason"]
              and "\n" in s["reason"], r.json)
        check(r.json["record"] == str(rec[0]) and r.json["subject"] == SHARED, r.json)
        expect(ca.get("/api/v1/cases/YY20261122009999"), 404, "not_found")
        expect(ca.get("/api/v1/cases/not-a-ticket"), 404, "not_found")
        # Sealed: the submitter's name and number are nowhere in the store's files.
        for f in ("core.db", "core.db-wal"):
            p = os.path.join(srv.dir, f)
            if os.path.exists(p):
                data = open(p, "rb").read()
                check(NAME.encode() not in data and CONTACT.encode() not in data, f)
        # Audited: the file, each case, the reads.
        opened = srv.audit("action = 'case.open' and result = 'ok'")
        check([json.loads(e["object"])["ticket"] for e in opened]
              == ["YY20261122000001", "YY20261122000002"], opened)
        check(all(e["account"] == "system:intake" for e in opened), opened)
        recv = json.loads(srv.audit("action = 'submission.receive'")[0]["object"])
        check(recv == {"portal": "web1", "file": "sub-0000000001.xysub", "seq": 1, "cases": 2,
                       "refused": 0}, recv)
        check(srv.audit("action = 'case.read' and account = 'xyb.chen'"), "read audited")
        check(srv.audit("action = 'case.list' and account = 'xyb.chen'"), "list audited")
        reg = srv.audit("action = 'portal.register'")
        check(len(reg) == 1 and json.loads(reg[0]["object"])["portal"] == "web1", reg)


def test_por3_cases_are_the_credit_office_s_to_read(tmp):
    with instance(tmp) as srv:
        admin, ca = people(srv)
        priv, pub = keys(tmp)
        register(srv, "web1", pub)
        drop(srv, priv, "web1", 1, [line("YY20261122000001", records(srv)[0])])
        wait_for(srv, "action = 'submission.receive'")
        lx = user(srv, admin, "lx.zhou", U_LX)
        expect(lx.get("/api/v1/cases"), 403, "forbidden")
        expect(lx.get("/api/v1/cases/YY20261122000001"), 403, "forbidden")
        expect(admin.get("/api/v1/cases"), 403, "forbidden")
        refused = srv.audit("action in ('case.list', 'case.read') and result = 'refused'")
        check({e["account"] for e in refused} == {"lx.zhou", admin.name}, refused)


def test_por3_a_bad_line_is_refused_alone(tmp):
    with instance(tmp) as srv:
        admin, ca = people(srv)
        priv, pub = keys(tmp)
        register(srv, "web1", pub)
        rec = records(srv)
        drop(srv, priv, "web1", 1, [
            line("YY20261122000001", rec[0]),
            line("YY2026112200000X", rec[0]),                      # ticket
            line("YY20261122000003", rec[0], kind="repair", commitment=False),
            line("YY20261122000004", rec[0], extra="x"),            # a key of no use
            line("YY20261122000005", rec[0], name=""),              # name
            line("YY20261122000006", 999999999),                    # no such record
            line("YY20261122000001", rec[1]),                       # the ticket again
        ])
        ev = wait_for(srv, "action = 'submission.receive'")
        check(json.loads(ev[0]["object"])["cases"] == 2
              and json.loads(ev[0]["object"])["refused"] == 5, ev)
        bad = srv.audit("action = 'case.open' and result = 'refused'")
        fields = [json.loads(e["object"]).get("field") for e in bad]
        check(fields == ["ticket", "commitment", "unknown key", "name", None], fields)
        check([e["reason"] for e in bad] == ["malformed"] * 4 + ["duplicate_ticket"], bad)
        check([json.loads(e["object"]).get("line") for e in bad] == [3, 4, 5, 6, 8], bad)
        # The record that is not published: the ticket answers "refused", with why.
        r = expect(ca.get("/api/v1/cases/YY20261122000006"), 200)
        check(r.json["status"] == "refused" and "不再公示" in r.json["reply"]
              and r.json["unit"] is None, r.json)
        r = expect(ca.get("/api/v1/cases/YY20261122000001"), 200)
        check(r.json["record"] == str(rec[0]), "the first one stays")


def test_por2_bad_replayed_and_foreign_files_are_quarantined_and_gaps_wait(tmp):
    with instance(tmp) as srv:
        admin, ca = people(srv)
        priv, pub = keys(tmp)
        other, _ = keys(tmp, "other")
        register(srv, "web1", pub)
        rec = records(srv)
        # Signed by a key that is not web1's: refused whole.
        drop(srv, other, "web1", 1, [line("YY20261122000001", rec[0])])
        ev = wait_for(srv, "action = 'submission.receive' and result = 'refused'")
        check(ev[0]["reason"] == "bad_signature", ev)
        check(os.path.exists(os.path.join(srv.dir, "quarantine", "web1",
                                          "sub-0000000001.xysub")), "quarantined")
        check("ALARM intake" in srv.server_log(), "alarm in the running log")
        # One changed byte in a good file: refused whole.
        path = drop(srv, priv, "web1", 1, [line("YY20261122000002", rec[0])],
                    folder=os.path.join(tmp, "hold"))
        data = open(path, "rb").read().replace(b"YY20261122000002", b"YY20261122000003")
        os.makedirs(os.path.join(srv.dir, "inbox", "web1"), exist_ok=True)
        open(os.path.join(srv.dir, "inbox", "web1", "sub-0000000001.xysub"), "wb").write(data)
        wait_for(srv, "action = 'submission.receive' and reason = 'bad_signature'", 2)
        # A file 3 while 2 is missing waits; when 2 comes both are taken in order.
        drop(srv, priv, "web1", 1, [line("YY20261122000011", rec[0])])
        wait_for(srv, "action = 'submission.receive' and result = 'ok'")
        three = drop(srv, priv, "web1", 3, [line("YY20261122000013", rec[0])])
        time.sleep(3)
        check(os.path.exists(three), "a file after a gap waits in the inbox")
        check("file 2 is missing" in srv.server_log(), srv.server_log()[-1500:])
        drop(srv, priv, "web1", 2, [line("YY20261122000012", rec[0])])
        ev = wait_for(srv, "action = 'submission.receive' and result = 'ok'", 3)
        check([json.loads(e["object"])["seq"] for e in ev] == [1, 2, 3], ev)
        # Sent again: a replay, refused and quarantined.
        shutil.copy(os.path.join(srv.dir, "received", "web1", "sub-0000000002.xysub"),
                    os.path.join(srv.dir, "inbox", "web1", "sub-0000000002.xysub"))
        ev = wait_for(srv, "action = 'submission.receive' and reason = 'replayed'")
        check(json.loads(ev[0]["object"])["seq"] == 2, ev)
        r = expect(ca.get("/api/v1/cases"), 200)
        check([c["ticket"] for c in r.json["items"]]
              == ["YY20261122000011", "YY20261122000012", "YY20261122000013"], r.json)


def test_por3_portal_register_refusals(tmp):
    with instance(tmp) as srv:
        priv, pub = keys(tmp)
        p = run("portal-register", srv.dir, "Web 1", pub)
        check(p.returncode == 1 and "NAME" in p.stderr, p.stderr)
        p = run("portal-register", srv.dir, "web1", priv)
        check(p.returncode == 1 and "not an SM2 public key" in p.stderr, p.stderr)
        register(srv, "web1", pub)
        p = run("portal-register", srv.dir, "web2", pub)
        check(p.returncode == 1 and "registered already" in p.stderr, p.stderr)
        p = run("portal-register", srv.dir, "web1")
        check(p.returncode == 2, p.stderr)
        check(len(srv.audit("action = 'portal.register'")) == 1, "only the one that was made")


if __name__ == "__main__":
    run_all(globals())
