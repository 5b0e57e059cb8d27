"""Black-box tests of `xinyong audit verify` and `audit retain` (AUD-3,
AUD-4, CRY-4): an auditor's view of a trail that someone with the database
file (and a shell) changed behind the application's back."""
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from xytest import check, run, run_all, sql  # noqa: E402

COLS = ("ts, zone, client, agent, account, real_name, unit, action, object,"
        " purpose, grant_ref, result, reason")


def instance(tmp):
    d = os.path.join(tmp, "inst")
    p = run("init", d)
    check(p.returncode == 0, p.stderr)
    p = run("demo", d, "--subjects", "40", "--records", "120")
    check(p.returncode == 0, p.stdout + p.stderr)
    return d


def db(d):
    return os.path.join(d, "core.db")


def attacker(d, query):
    """The append-only triggers are the application's guard, not a lock:
    someone with the file drops them first."""
    sql(db(d), "DROP TRIGGER IF EXISTS audit_events_no_update;"
               "DROP TRIGGER IF EXISTS audit_events_no_delete;" + query)


def verify(d):
    p = run("audit", "verify", d)
    return p.returncode, p.stdout + p.stderr


def last_seq(d):
    return int(sql(db(d), "select max(seq) from audit_events"))


def test_aud3_intact_trail_verifies_with_its_signed_checkpoints(tmp):
    d = instance(tmp)
    rc, out = verify(d)
    check(rc == 0, out)
    m = re.search(r"audit: (\d+) events \(1\.\.(\d+)\), (\d+) signed checkpoints, chain intact",
                  out)
    check(m and int(m.group(3)) >= 2, out)
    lines = open(os.path.join(d, "audit-checkpoints")).read().splitlines()
    check(all(re.fullmatch(r"XYCP1 head \d+ \d+ [0-9a-f]{64} [0-9a-f]{100,144}", x)
              for x in lines), lines)
    # the check is itself an event, and the next verify covers it
    check(sql(db(d), "select action from audit_events order by seq desc limit 1").strip()
          == "audit.verify")
    rc, out = verify(d)
    check(rc == 0, out)


def test_aud3_changed_event_named(tmp):
    d = instance(tmp)
    attacker(d, "UPDATE audit_events SET account = 'os:nobody' WHERE seq = 5")
    rc, out = verify(d)
    check(rc == 1 and "event 5 was changed" in out, out)


def test_aud3_deleted_event_named(tmp):
    d = instance(tmp)
    attacker(d, "DELETE FROM audit_events WHERE seq = 7")
    rc, out = verify(d)
    check(rc == 1 and "event 7 is missing (deleted)" in out, out)


def test_aud3_inserted_event_named(tmp):
    d = instance(tmp)
    # a forged event at 6, everything after it renumbered
    attacker(d, "UPDATE audit_events SET seq = -seq WHERE seq >= 6;"
                "UPDATE audit_events SET seq = 1 - seq WHERE seq < 0;"
                "INSERT INTO audit_events(seq, %s, hash) SELECT 6, %s, randomblob(32)"
                " FROM audit_events WHERE seq = 5;" % (COLS, COLS))
    rc, out = verify(d)
    check(rc == 1 and "event 6 was inserted" in out, out)


def test_aud3_reordered_events_named(tmp):
    d = instance(tmp)
    attacker(d, "UPDATE audit_events SET seq = -1 WHERE seq = 8;"
                "UPDATE audit_events SET seq = 8 WHERE seq = 9;"
                "UPDATE audit_events SET seq = 9 WHERE seq = -1;")
    rc, out = verify(d)
    check(rc == 1 and "events 8 and 9 are in each other's place (reordered)" in out, out)


def test_aud3_rewritten_chain_caught_by_the_signed_checkpoint(tmp):
    """An attacker who changes an event and recomputes every hash after it
    (SM3 needs no key) is caught by the SM2-signed checkpoint."""
    d = instance(tmp)
    attacker(d, "UPDATE audit_events SET account = 'os:nobody' WHERE seq = 3")
    rehash(d)  # the whole chain again, with the documented encoding
    rc, out = verify(d)
    check(rc == 1 and "differs from its signed checkpoint" in out, out)
    check(re.search(r"events 1\.\.\d+ were changed", out), out)


def canonical(row):
    """docs/FORMATS.md: each field as a 4-byte length and its bytes."""
    out = b""
    for i, v in enumerate(row):
        if v is None:
            out += b"\xff\xff\xff\xff"
        else:
            b = str(v).encode() if i < 2 else v.encode()
            out += len(b).to_bytes(4, "big") + b
    return out


def rehash(d):
    import sqlite3
    con = sqlite3.connect(db(d))
    con.execute("DROP TRIGGER IF EXISTS audit_events_no_update")
    prev = bytes(32)
    rows = con.execute("select seq, " + COLS + " from audit_events order by seq").fetchall()
    for r in rows:
        data = prev + canonical(r)
        h = subprocess.run(["openssl", "dgst", "-sm3", "-binary"], input=data,
                           capture_output=True).stdout  # hashlib may lack SM3
        check(len(h) == 32, "sm3")
        con.execute("update audit_events set hash = ? where seq = ?", (h, r[0]))
        prev = h
    con.commit()
    con.close()


def test_aud3_tail_cut_off_behind_a_checkpoint_named(tmp):
    d = instance(tmp)
    n = last_seq(d)
    attacker(d, "DELETE FROM audit_events WHERE seq > %d" % (n - 4))
    rc, out = verify(d)
    check(rc == 1 and "the tail is cut off: events %d..%d are missing" % (n - 3, n) in out, out)


def test_aud3_checkpoint_line_altered_or_file_removed(tmp):
    d = instance(tmp)
    cp = os.path.join(d, "audit-checkpoints")
    keep = open(cp).read()
    lines = keep.splitlines()
    f = lines[0].split(" ")
    f[2] = str(int(f[2]) + 1)       # claim the checkpoint covers one more event
    open(cp, "w").write("\n".join([" ".join(f)] + lines[1:]) + "\n")
    rc, out = verify(d)
    check(rc == 1 and "signature does not match" in out, out)
    open(cp, "w").write("\n".join([lines[1], lines[0]]) + "\n")
    rc, out = verify(d)
    check(rc == 1 and "goes back" in out, out)
    os.remove(cp)
    rc, out = verify(d)
    check(rc == 1 and "checkpoint file" in out and "missing" in out, out)


def test_aud3_a_checkpoint_signed_by_another_key_refused(tmp):
    d = instance(tmp)
    other = os.path.join(tmp, "other")
    check(run("init", other).returncode == 0)
    shutil.copy(os.path.join(other, "audit-checkpoints"), os.path.join(d, "audit-checkpoints"))
    rc, out = verify(d)
    check(rc == 1 and "not signed by this platform" in out, out)


def test_aud4_retain_keeps_young_events_and_is_audited(tmp):
    d = instance(tmp)
    before = last_seq(d)
    p = run("audit", "retain", d)
    check(p.returncode == 0 and "nothing removed" in p.stdout, p.stdout + p.stderr)
    ev = sql(db(d), "select account, result, object from audit_events"
                    " where action = 'audit.retention'").strip()
    check(ev.startswith("os:") and '"removed":0' in ev, ev)
    check(int(sql(db(d), "select count(*) from audit_events")) == before + 1)
    check(verify(d)[0] == 0)


def test_aud4_retain_refuses_below_six_months(tmp):
    d = instance(tmp)
    cfg = os.path.join(d, "config.ini")
    text = open(cfg).read().replace("retention_months = 6", "retention_months = 3")
    open(cfg, "w").write(text)
    p = run("audit", "retain", d)
    check(p.returncode == 1 and "retention_months" in p.stderr, p.stderr)


def test_aud4_no_interface_changes_or_deletes_an_event(tmp):
    d = instance(tmp)
    p = subprocess.run(["sqlite3", db(d), "UPDATE audit_events SET result = 'ok' WHERE seq = 2"],
                       capture_output=True, text=True)
    check(p.returncode != 0 and "never changed" in p.stderr, p.stderr)
    p = subprocess.run(["sqlite3", db(d), "DELETE FROM audit_events WHERE seq = 2"],
                       capture_output=True, text=True)
    check(p.returncode != 0 and "retention job" in p.stderr, p.stderr)
    check(verify(d)[0] == 0)


if __name__ == "__main__":
    sys.exit(run_all())
