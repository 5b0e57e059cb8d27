"""AUD-2 under real storage faults: the server's SQLite calls fail as a full
disk, a file system gone read-only and a failing fsync make them fail
(tests/preload/faultfs.c, preloaded).  A request whose audit event cannot be
made durable answers 503 audit_unavailable, shows nothing and changes
nothing; the server keeps serving, and once the disk works again the same
requests succeed and `audit verify` finds the chain intact."""
import os
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from xyapi import Server, expect  # noqa: E402
from xytest import check, run, run_all  # noqa: E402

BUILD = os.environ.get("XY_BUILD") or os.path.join(os.path.dirname(__file__), "..", "..",
                                                   "build")
SHIM = os.path.abspath(os.path.join(BUILD, "tests", "libfaultfs.so"))


def faulty_server(tmp):
    """A started server whose storage calls go through the shim, the file
    that switches a fault on, and the security administrator."""
    check(os.path.exists(SHIM), "the fault shim %s is built by make tests" % SHIM)
    ctl = os.path.join(tmp, "faultfs")
    srv = Server(tmp, start=False)
    asan = os.environ.get("ASAN_OPTIONS", "")
    srv.start(env={"LD_PRELOAD": SHIM, "XY_FAULTFS": ctl,
                   # the shim comes before the sanitizer's runtime
                   "ASAN_OPTIONS": (asan + ":" if asan else "") + "verify_asan_link_order=0"})
    return srv, ctl


def fault(ctl, line):
    with open(ctl, "w") as f:
        f.write(line + "\n")


def clear(ctl):
    os.unlink(ctl)


def account_body(srv, name):
    return {"name": name, "real_name": "赵故障", "id_number": srv.next_idnum(),
            "unit": srv.office_code()}


def fail_closed(tmp, line):
    srv, ctl = faulty_server(tmp)
    with srv:
        admin = srv.setup_admin()
        expect(admin.get("/api/v1/session"), 200)
        body = account_body(srv, "zhao.guzhang")
        reads_before = len(srv.audit("action = 'session.read'"))
        creates_before = len(srv.audit("action = 'account.create'"))
        fault(ctl, line)

        # Reads: several at once, waiting on the same failing commit.
        results = []

        def one():
            results.append(admin.get("/api/v1/session"))
        ts = [threading.Thread(target=one) for _ in range(6)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        for r in results:
            expect(r, 503, "audit_unavailable")
            check("account" not in r.json, "a 503 must not carry the answer: %r" % r.json)
        # A change: its event rides in its own transaction, so both go.
        r = expect(admin.post("/api/v1/accounts", body), 503, "audit_unavailable")
        check("one_time_password" not in r.json, r.json)
        # A refusal is audited too, so it cannot be answered either.
        expect(srv.signin("nobody", "wrong password 1!"), 503, "audit_unavailable")

        clear(ctl)
        expect(admin.get("/api/v1/accounts/zhao.guzhang"), 404)
        check(len(srv.audit("action = 'session.read'")) == reads_before,
              "no event of the failed reads may remain")
        check(len(srv.audit("action = 'account.create'")) == creates_before,
              "no event of the failed change may remain")
        r = expect(admin.get("/api/v1/session"), 200)
        check(r.json["account"] == admin.name, r.json)
        r = expect(admin.post("/api/v1/accounts", body), 201)
        check(r.json.get("one_time_password"), r.json)
        expect(admin.get("/api/v1/accounts/zhao.guzhang"), 200)
        check(len(srv.audit("action = 'account.create'")) == creates_before + 1,
              "the change, made again, left exactly one event")
        log = srv.server_log()
        check("could not be made durable" in log or "could not be written" in log,
              "the server log says why: " + log[-2000:])
    p = run("audit", "verify", srv.dir)
    check(p.returncode == 0, "the chain must stay intact after the failed commits: "
          + p.stdout + p.stderr)


def test_aud2_disk_full_answers_503_and_changes_nothing(tmp):
    fail_closed(tmp, "write ENOSPC core.db")


def test_aud2_read_only_file_answers_503_and_changes_nothing(tmp):
    fail_closed(tmp, "write EROFS core.db")


def test_aud2_failing_fsync_answers_503_and_changes_nothing(tmp):
    fail_closed(tmp, "sync EIO core.db")


if __name__ == "__main__":
    sys.exit(run_all())
