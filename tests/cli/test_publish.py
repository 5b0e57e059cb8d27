"""Black-box tests of the publisher, `xinyong publish` and the server's
schedule (NET-1, POR-1, POR-2, AUD-1, AUD-2): numbered change sets signed
with the platform key, a snapshot first and deltas after, nothing when
nothing changed, removals that leave on time and say why, and never a
sensitive value in any of them.

Python has no SM2: every change set is read through `build/tests/xy_sfile
check`, which verifies the signature against keys/platform-sm2.pub before it
prints anything, as the portal does."""
import datetime
import fcntl
import json
import os
import re
import sqlite3
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import xzcf  # noqa: E402
from codes import uscc  # noqa: E402
from xytest import ROOT, check, retag, run, run_all  # noqa: E402

UNIT = uscc("360402", 77, "11")  # provides XZCF and XZXK
BUILD = os.environ.get("XY_BUILD") or os.path.join(ROOT, "build")
SFILE = os.path.join(BUILD, "tests", "xy_sfile")
FORMAT = "xinyong-changeset/1"
PLAIN = os.path.join(BUILD, "tests", "xy_plaintexts")


def china_day(delta=0):
    tz = datetime.timezone(datetime.timedelta(hours=8))
    return datetime.datetime.now(tz).date() + datetime.timedelta(days=delta)


def instance(tmp):
    units = os.path.join(tmp, "units.csv")
    with open(units, "w", encoding="utf-8") as f:
        f.write("code,name,region,provides\n"
                "%s,九江市濂溪区市场监督管理局,360402,XZCF|XZXK\n" % UNIT)
    d = os.path.join(tmp, "inst")
    p = run("init", d, "--units", units)
    check(p.returncode == 0, p.stderr)
    return d


def penalty(i, **kw):
    """A legal person's penalty decided a month ago: displayed for a year."""
    kw.setdefault("CF_JDRQ", china_day(-30).isoformat())
    kw.setdefault("CF_YXQ", china_day(335).isoformat())
    return xzcf.legal(i, **kw)


def imp(tmp, d, rows, name):
    path = os.path.join(tmp, name)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(xzcf.to_csv(rows))
    p = run("import", d, "--dataset", "XZCF", "--unit", UNIT, path)
    check(p.returncode == 0, p.stdout + p.stderr)


def publish(d, *args):
    p = run("publish", d, "--json", *args)
    check(p.returncode == 0, "publish: " + p.stdout + p.stderr)
    return json.loads(p.stdout)


def read_cs(d, path, key=None):
    """A change set as the portal would take it: (header, [lines])."""
    key = key or os.path.join(d, "keys", "platform-sm2.pub")
    p = subprocess.run([SFILE, "check", key, path, FORMAT], capture_output=True, text=True,
                       timeout=120)
    check(p.returncode == 0, "%s does not verify: %s" % (path, p.stderr))
    out = [json.loads(line) for line in p.stdout.splitlines()]
    return out[0], out[1:]


def outbox(d):
    return sorted(os.listdir(os.path.join(d, "outbox")))


def db(d, query, *params):
    c = sqlite3.connect(os.path.join(d, "core.db"), timeout=30)
    try:
        rows = c.execute(query, params).fetchall()
        c.commit()
        return rows
    finally:
        c.close()


def events(d, action="publish"):
    c = sqlite3.connect(os.path.join(d, "core.db"), timeout=30)
    c.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in c.execute(
            "select * from audit_events where action = ? order by seq", (action,))]
    finally:
        c.close()


def test_net1_por2_snapshot_then_nothing_then_a_delta(tmp):
    d = instance(tmp)
    imp(tmp, d, [penalty(1), penalty(2), penalty(3)], "a.csv")
    r = publish(d)
    check(r["published"] and r["seq"] == 1 and r["kind"] == "snapshot", r)
    check((r["records"], r["subjects"], r["removals"]) == (3, 3, 0), r)
    check(r["file"] == os.path.join(d, "outbox", "cs-0000000001.xycs"), r)
    check(os.path.getsize(r["file"]) == r["bytes"], "bytes as printed")
    hdr, lines = read_cs(d, r["file"])
    check(hdr["format"] == "xinyong-changeset/1" and hdr["seq"] == 1, hdr)
    check(hdr["kind"] == "snapshot" and hdr["platform"] == "九江市公共信用信息共享平台", hdr)
    check(re.fullmatch(r"[0-9a-f]{64}", hdr["key_id"]), hdr)
    check(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", hdr["created"]), hdr)
    ops = [x["op"] for x in lines]
    check(ops == ["subject"] * 3 + ["record"] * 3, "subjects before their records: %s" % ops)
    subj = {x["code"]: x for x in lines if x["op"] == "subject"}
    want = penalty(1)
    s = subj[want["CF_XDR_SHXYM"]]
    check(s == {"op": "subject", "code": want["CF_XDR_SHXYM"], "kind": "legal",
                "name": want["CF_XDR_MC"], "region": "360402", "region_name": "濂溪区"}, s)
    rec = [x for x in lines if x["op"] == "record"][0]
    check(isinstance(rec["id"], str) and rec["id"].isdigit(), rec)
    check(rec["dataset"] == "XZCF" and rec["subject"] == want["CF_XDR_SHXYM"], rec)
    check(rec["unit"] == "九江市濂溪区市场监督管理局" and rec["unit_code"] == UNIT, rec)
    check(rec["date"] == want["CF_JDRQ"] and rec["valid_until"] == want["CF_YXQ"], rec)
    # 一般 (no severity given): one year from the decision (POR-1).
    jd = datetime.date.fromisoformat(want["CF_JDRQ"])
    check(rec["display_until"] == jd.replace(year=jd.year + 1).isoformat(), rec)
    check(rec["objection"] is False and rec["masked"] == [], rec)
    check(rec["fields"]["CF_WSH"] == want["CF_WSH"] and "CF_FR_ZJHM" not in rec["fields"], rec)
    ev = events(d)
    check(len(ev) == 1 and ev[0]["result"] == "ok", ev)
    obj = json.loads(ev[0]["object"])
    check((obj["seq"], obj["kind"], obj["records"], obj["bytes"], obj["sm3"])
          == (1, "snapshot", 3, r["bytes"], r["sm3"]), obj)

    # Nothing changed: no file, and it says so (audited all the same).
    p = run("publish", d)
    check(p.returncode == 0 and "nothing to publish" in p.stdout, p.stdout + p.stderr)
    check(outbox(d) == ["cs-0000000001.xycs"], outbox(d))
    check(json.loads(events(d)[-1]["object"]) == {"published": False, "last": 1}, events(d))

    # An import: a delta with just the new record and its subject.  A natural
    # person's penalty is not published (no publish_natural in the catalog).
    imp(tmp, d, [penalty(4), xzcf.natural(5, CF_JDRQ=china_day(-30).isoformat(),
                                          CF_YXQ=china_day(335).isoformat())], "b.csv")
    r = publish(d)
    check(r["seq"] == 2 and r["kind"] == "delta", r)
    check((r["records"], r["subjects"], r["removals"]) == (1, 1, 0), r)
    hdr, lines = read_cs(d, r["file"])
    check(hdr["seq"] == 2 and hdr["kind"] == "delta", hdr)
    check([x["op"] for x in lines] == ["subject", "record"], lines)
    check(lines[0]["code"] == penalty(4)["CF_XDR_SHXYM"], lines)
    check(outbox(d) == ["cs-0000000001.xycs", "cs-0000000002.xycs"], outbox(d))

    # --snapshot: everything again, as change set 3.
    r = publish(d, "--snapshot")
    check((r["seq"], r["kind"], r["records"], r["subjects"]) == (3, "snapshot", 4, 4), r)
    check(run("verify", d).returncode == 0, "the instance still verifies")


def test_por2_signature_fails_after_one_byte_changed(tmp):
    d = instance(tmp)
    imp(tmp, d, [penalty(1)], "a.csv")
    r = publish(d)
    data = bytearray(open(r["file"], "rb").read())
    i = data.index("濂溪区".encode())
    for at in (i, 20, len(data) - 10):  # a value, the header, the signature
        bad = bytearray(data)
        bad[at] ^= 0x01
        path = os.path.join(tmp, "bad-%d.xycs" % at)
        open(path, "wb").write(bad)
        p = subprocess.run([SFILE, "check", os.path.join(d, "keys", "platform-sm2.pub"),
                            path, FORMAT], capture_output=True, text=True, timeout=60)
        check(p.returncode == 1 and "refused" in p.stderr, "byte %d: %s" % (at, p.stderr))
    # Another platform's key does not verify it either.
    os.makedirs(os.path.join(tmp, "o"))
    other = instance(os.path.join(tmp, "o"))
    p = subprocess.run([SFILE, "check", os.path.join(other, "keys", "platform-sm2.pub"),
                        r["file"], FORMAT], capture_output=True, text=True, timeout=60)
    check(p.returncode == 1 and "refused" in p.stderr, p.stderr)


def move_display_end(d, rec_id, day):
    db(d, "update records set display_until = ? where id = ?",
       (day - datetime.date(1970, 1, 1)).days, int(rec_id))
    retag(d, "records", int(rec_id))  # time passing, not tampering (CRY-2)


def test_por1_ended_display_period_leaves_as_display_ended(tmp):
    d = instance(tmp)
    imp(tmp, d, [penalty(1), penalty(2), penalty(3, CF_XDR_SHXYM=penalty(2)["CF_XDR_SHXYM"],
                                                  CF_XDR_MC=penalty(2)["CF_XDR_MC"])], "a.csv")
    r = publish(d)
    _, lines = read_cs(d, r["file"])
    ids = {x["fields"]["CF_WSH"]: x["id"] for x in lines if x["op"] == "record"}
    one, three = ids[penalty(1)["CF_WSH"]], ids[penalty(3)["CF_WSH"]]
    # The last day of the period is today: still shown.
    move_display_end(d, one, china_day(0))
    r = publish(d)
    check(r["seq"] == 2 and r["records"] == 1 and r["removals"] == 0, r)
    _, lines = read_cs(d, r["file"])
    check(lines[0]["display_until"] == china_day(0).isoformat(), lines)
    # It ended yesterday: the record leaves, and its subject with it (no
    # other record left); record 3 was revoked: it leaves as revoked, its
    # subject stays (record 2 is still shown).
    move_display_end(d, one, china_day(-1))
    db(d, "update records set status = 'revoked' where id = ?", int(three))
    retag(d, "records", int(three))
    r = publish(d)
    check(r["seq"] == 3 and r["records"] == 0 and r["removals"] == 3, r)
    _, lines = read_cs(d, r["file"])
    check(lines == [{"op": "remove", "id": one, "reason": "display_ended"},
                    {"op": "remove", "id": three, "reason": "revoked"},
                    {"op": "subject_remove", "code": penalty(1)["CF_XDR_SHXYM"]}], lines)
    check(db(d, "select count(*) from published where kind = 'record'") == [(1,)],
          "the portal holds one record now")
    p = run("publish", d)
    check("nothing to publish" in p.stdout, p.stdout)


def test_aud2_a_publish_that_cannot_be_audited_leaves_no_file(tmp):
    d = instance(tmp)
    imp(tmp, d, [penalty(1)], "a.csv")
    db(d, "create trigger no_publish before insert on audit_events"
          " when new.action = 'publish' begin select raise(abort, 'disk full'); end")
    p = run("publish", d)
    check(p.returncode == 1 and "audit" in p.stderr, p.stdout + p.stderr)
    check(outbox(d) == [], "no change set left: %s" % outbox(d))
    check(db(d, "select count(*) from publications") == [(0,)], "nothing recorded")
    check(db(d, "select count(*) from published") == [(0,)], "no published state")
    db(d, "drop trigger no_publish")
    r = publish(d)
    check(r["seq"] == 1 and r["kind"] == "snapshot" and r["records"] == 1, r)


def test_net1_a_change_set_left_by_a_crash_is_replaced_by_a_snapshot(tmp):
    d = instance(tmp)
    imp(tmp, d, [penalty(1)], "a.csv")
    publish(d)
    orphan = os.path.join(d, "outbox", "cs-0000000002.xycs")
    open(orphan, "w").write("half a file\n")
    r = publish(d)
    check((r["seq"], r["kind"], r["recovered"], r["records"]) == (3, "snapshot", 2, 1), r)
    check(outbox(d) == ["cs-0000000001.xycs", "cs-0000000003.xycs"], outbox(d))


def test_net1_publish_command_line(tmp):
    d = instance(tmp)
    p = run("publish", "--help")
    check(p.returncode == 0 and "usage: xinyong publish DIR" in p.stdout, p.stdout)
    for args in ((), ("--bogus", d), (d, d)):
        p = run("publish", *args)
        check(p.returncode == 2 and "usage" in p.stderr, "%s: %s" % (args, p.stderr))
    p = run("publish", os.path.join(tmp, "nowhere"))
    check(p.returncode == 1 and "error" in p.stderr, p.stderr)
    # An empty platform: snapshot 1 holds nothing but is written (the portal
    # starts from it).
    p = run("publish", d)
    check(p.returncode == 0 and p.stdout.startswith("seq=1 kind=snapshot"), p.stdout)
    # One publish at a time.
    lock = open(os.path.join(d, "locks", "publish.lock"), "w")
    fcntl.flock(lock, fcntl.LOCK_EX)
    try:
        p = run("publish", d)
    finally:
        lock.close()
    check(p.returncode == 1 and "another publish is running" in p.stderr, p.stderr)


def test_net1_the_server_publishes_on_its_schedule(tmp):
    from xyapi import Server  # noqa: E402
    srv = Server(tmp, config={("publish", "interval_s"): 90000}, start=False)
    p = run("serve", srv.dir, "--listen", "127.0.0.1:0")
    check(p.returncode == 1 and "[publish] interval_s" in p.stderr, p.stderr)
    from xyapi import set_config  # noqa: E402
    set_config(os.path.join(srv.dir, "config.ini"), "publish", "interval_s", 1)
    with srv.start():
        path = os.path.join(srv.dir, "outbox", "cs-0000000001.xycs")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not os.path.exists(path):
            time.sleep(0.2)
        check(os.path.exists(path), "no change set from the schedule: " + srv.server_log())
    hdr, _ = read_cs(srv.dir, path)
    check(hdr["kind"] == "snapshot", hdr)
    ev = events(srv.dir)
    check(ev and ev[0]["account"] == "system:publisher" and ev[0]["agent"] == "maintenance",
          ev)
    check(len(ev) == 1, "a schedule with nothing new writes nothing: %s" % ev)


def strings(v, out):
    if isinstance(v, str):
        out.add(v)
    elif isinstance(v, dict):
        for k, x in v.items():
            out.add(k)
            strings(x, out)
    elif isinstance(v, list):
        for x in v:
            strings(x, out)
    return out


def test_net1_change_sets_hold_no_sensitive_plaintext(tmp):
    d = os.path.join(tmp, "inst")
    p = run("init", d)
    check(p.returncode == 0, p.stderr)
    p = run("demo", d, "--subjects", "300", "--records", "3000")
    check(p.returncode == 0, p.stdout + p.stderr)
    first = publish(d)
    # A second change set: records revoked and ended, a snapshot asked for.
    rows = db(d, "select cast(id as integer) from published where kind = 'record'"
                 " order by 1 limit 2")
    db(d, "update records set status = 'revoked' where id = ?", rows[0][0])
    retag(d, "records", rows[0][0])
    move_display_end(d, rows[1][0], china_day(-1))
    check(publish(d)["removals"] >= 2, "the second change set removes")
    publish(d, "--snapshot")
    check(first["records"] > 100, "the demo publishes records: %s" % first)
    p = subprocess.run([PLAIN, d], capture_output=True, text=True, timeout=600)
    check(p.returncode == 0, p.stderr)
    secrets = [json.loads(x) for x in p.stdout.splitlines()]
    summary = secrets.pop()
    hows = {s["how"] for s in secrets}
    srcs = {s["src"].split(".")[0] for s in secrets}
    check(hows == {"sealed", "unpublished", "nonpublic"}, hows)
    check({"QYSB", "GRQF", "XZCF", "XZXK"} <= srcs, srcs)
    check(summary["count"] == len(secrets) and len(secrets) > 1000, summary)
    kinds = {}
    for s in secrets:
        kinds.setdefault(s["src"], 0)
        kinds[s["src"]] += 1
    for must in ("GRQF.GRQF_ZJHM", "GRQF.GRQF_LXDH", "GRQF.GRQF_ZZ", "XZCF.CF_FR_ZJHM",
                 "QYSB.QYSB_SBDJH"):
        check(kinds.get(must), "the scan looks for %s values too: %s" % (must, kinds))
    # Natural persons' names are mostly also some legal representative's
    # (public), so the values cannot tell: their records must not be there.
    natural = {str(r[0]) for r in db(d, "select r.id from records r join subjects s"
                                         " on s.id = r.subject_id where s.kind = 'natural'")}
    check(len(natural) > 100, "the demo has natural persons' records: %d" % len(natural))
    files = outbox(d)
    check(len(files) == 3, files)
    datasets = set()
    for name in files:
        path = os.path.join(d, "outbox", name)
        text = open(path, encoding="utf-8").read()
        hdr, lines = read_cs(d, path)
        seen = set()
        for x in lines:
            strings(x, seen)
            if x["op"] == "record":
                datasets.add(x["dataset"])
                check(x["id"] not in natural, "a natural person's record: %s" % x)
            if x["op"] == "subject":
                check(x["kind"] == "legal", "a natural person published: %s" % x)
        leaks = sorted({s["src"] + ": " + s["v"] for s in secrets
                        if s["v"] in seen or (len(s["v"]) >= 8 and s["v"] in text)})
        check(not leaks, "%s holds %d sensitive values, e.g. %s" % (name, len(leaks),
                                                                     leaks[:5]))
        for code in ("CF_FR_ZJHM", "XK_FR_ZJHM", "QYSB_", "GRQF_"):
            check(code not in text, "%s names %s" % (name, code))
    check(datasets <= {"XZXK", "XZCF", "YZSX", "SXJL"} and "XZCF" in datasets, datasets)


if __name__ == "__main__":
    sys.exit(run_all())
