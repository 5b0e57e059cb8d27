"""Black-box tests of `xinyong serve`, the government-zone server, as a
client on the network sees it: admission by address (NET-2), answers to
malformed requests and that each refusal leaves its audit event (AUD-1),
and the sign-in limiter under a flood (ACC-6)."""
import http.client
import itertools
import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from xyapi import Server, expect, request, set_config  # noqa: E402
from xytest import BIN, check, run, run_all  # noqa: E402


def refused(port, source):
    """True when the server closes the connection without an HTTP answer."""
    try:
        r = request(port, "GET", "/healthz", source=source, timeout=10)
    except (ConnectionError, http.client.HTTPException, OSError):
        return True
    check(False, "from %s: expected the connection refused, got %r" % (source, r))


def test_net2_healthz_answers_loopback_clients(tmp):
    with Server(tmp) as srv:
        for source in ("127.0.0.1", "127.0.0.2"):
            r = expect(srv.req("GET", "/healthz", source=source), 200)
            check(r.json == {"status": "ok"}, r)
            check(r.header("Content-Type").startswith("application/json"), r.headers)
            check(r.header("Cache-Control") == "no-store", r.headers)
            check(r.header("X-Content-Type-Options") == "nosniff", r.headers)


def test_net2_connections_from_outside_the_allow_list_are_refused(tmp):
    srv = Server(tmp, config={("http", "allow"): "10.0.0.0/8"})
    cfg = os.path.join(srv.dir, "config.ini")
    try:
        # Only 10/8: a loopback client gets no HTTP answer at all.
        check(refused(srv.port, "127.0.0.1"))
        check(refused(srv.port, "127.0.0.2"))
        check("NET-2" in srv.server_log() and "127.0.0.1" in srv.server_log(),
              "the refusal is logged: " + srv.server_log()[-2000:])
        check(srv.stop() == 0)
        # One loopback address admitted, its neighbour still refused.
        set_config(cfg, "http", "allow", "10.0.0.0/8, 127.0.0.2/32")
        srv.start()
        check(refused(srv.port, "127.0.0.1"))
        expect(srv.req("GET", "/healthz", source="127.0.0.2"), 200)
        check(srv.stop() == 0)
        # The whole loopback range.
        set_config(cfg, "http", "allow", "10.0.0.0/8, 127.0.0.0/8")
        srv.start()
        expect(srv.req("GET", "/healthz", source="127.0.0.1"), 200)
        r = expect(srv.signin("nobody", "Some-Password#1234", source="127.0.0.2"), 401,
                   "invalid_credentials")
        check(r.json["error"]["code"] == "invalid_credentials")
        # The audit trail records where the admitted request came from (AUD-1).
        ev = srv.audit("action = 'session.create' and account = 'nobody'")
        check(ev and ev[-1]["client"].startswith("127.0.0.2:"), ev)
    finally:
        rc = srv.stop()
    check(rc == 0, "serve exit status %r" % rc)


def test_net2_bad_allow_list_stops_the_server_from_starting(tmp):
    srv = Server(tmp, config={("http", "allow"): "10.0.0.0/8, not-an-address"}, start=False)
    p = run("serve", srv.dir, "--listen", "127.0.0.1:0", timeout=30)
    check(p.returncode != 0, "serve started with a bad allow list: " + p.stdout)
    check("not-an-address" in p.stderr, p.stderr)
    check("listening" not in p.stdout, p.stdout)


# ---- malformed requests: refused, and each refusal audited (AUD-1) ----

def refusals(srv, reason):
    return srv.audit("action = 'http.refused' and result = 'refused' and reason = ?", reason)


def test_aud1_malformed_json_refused_400_and_audited(tmp):
    with Server(tmp) as srv:
        for raw in (b'{"account": "secadmin", "password": ', b"not json", b"",
                    b'["account", "password"]', b'"just a string"',
                    b'{"account": "a", "account": "b", "password": "x"}'):
            r = expect(srv.req("POST", "/api/v1/session", raw=raw), 400, "malformed_json",
                       what=repr(raw))
            check(r.message, r)
        check(len(refusals(srv, "malformed_json")) == 6, refusals(srv, "malformed_json"))


def test_aud1_body_over_one_mebibyte_refused_413(tmp):
    with Server(tmp) as srv:
        pad = "x" * (1024 * 1024)
        r = expect(srv.req("POST", "/api/v1/session",
                           raw=('{"account":"nobody","password":"%s"}' % pad).encode()),
                   413, "too_large")
        check("1048576" in r.message, r)
        # Well past the limit too (the server reads and drops it, then answers).
        expect(srv.req("POST", "/api/v1/session", raw=b"{" + b" " * (3 * 1024 * 1024) + b"}"),
               413, "too_large")
        # Just under the limit is a request like any other.
        body = '{"account":"nobody","password":"%s"}' % ("y" * (1024 * 1024 - 100))
        expect(srv.req("POST", "/api/v1/session", raw=body.encode()), 401,
               "invalid_credentials")
        check(len(refusals(srv, "body_too_large")) == 2, refusals(srv, "body_too_large"))


def test_aud1_json_nested_deeper_than_32_refused(tmp):
    with Server(tmp) as srv:
        deep = '{"account":"nobody","password":"p","x":%s%s}' % ("[" * 32, "]" * 32)
        expect(srv.req("POST", "/api/v1/session", raw=deep.encode()), 400, "too_deep")
        very = "[" * 100000 + "]" * 100000
        expect(srv.req("POST", "/api/v1/session", raw=very.encode()), 400, "too_deep")
        # 32 levels in all is allowed: the next complaint is the unknown field.
        ok = '{"account":"nobody","password":"p","x":%s%s}' % ("[" * 31, "]" * 31)
        r = expect(srv.req("POST", "/api/v1/session", raw=ok.encode()), 400, "unknown_field")
        check('"x"' in r.message, r)
        # Brackets inside strings are not nesting.
        s = json.dumps({"account": "nobody", "password": "[" * 40 + "{" * 40})
        expect(srv.req("POST", "/api/v1/session", raw=s.encode()), 401, "invalid_credentials")
        check(len(refusals(srv, "json_too_deep")) == 2, refusals(srv, "json_too_deep"))


def test_aud1_wrong_content_type_refused_415(tmp):
    with Server(tmp) as srv:
        body = json.dumps({"account": "nobody", "password": "x"}).encode()
        for ct in ("text/plain", "application/x-www-form-urlencoded", "application/jsonx",
                   None):
            r = srv.req("POST", "/api/v1/session", raw=body, content_type=ct)
            expect(r, 415, "unsupported_media_type", what=str(ct))
        r = srv.req("POST", "/api/v1/session", raw=body,
                    content_type="application/json; charset=utf-8")
        expect(r, 401, "invalid_credentials")


def test_aud1_unknown_field_refused_naming_it(tmp):
    with Server(tmp) as srv:
        r = expect(srv.signin("nobody", "x", is_admin=True), 400, "unknown_field")
        check('"is_admin"' in r.message, r)
        admin = srv.setup_admin()
        r = expect(admin.post("/api/v1/accounts",
                              {"name": "zhang.san", "real_name": "张三",
                               "id_number": srv.next_idnum(), "unit": srv.office_code(),
                               "role": "security_admin"}), 400, "unknown_field")
        check('"role"' in r.message, r)
        check(admin.get("/api/v1/accounts/zhang.san").status == 404, "nothing created")
        ev = refusals(srv, "unknown_field")
        check(len(ev) == 2 and ev[-1]["account"] == admin.name, ev)


def test_aud1_unknown_path_404_and_wrong_method_405(tmp):
    with Server(tmp) as srv:
        for path in ("/api/v1/nothing", "/", "/api/v2/session", "/api/v1/accounts/a/b/c",
                     "/healthz/", "/api/v1/session/"):
            expect(srv.req("GET", path), 404, "not_found", what=path)
        for method, path in (("PUT", "/api/v1/session"), ("GET", "/api/v1/session/password"),
                             ("POST", "/healthz"), ("DELETE", "/api/v1/units"),
                             ("PATCH", "/api/v1/accounts")):
            expect(srv.req(method, path), 405, "method_not_allowed", what=method + " " + path)
        # A protected endpoint without a token.
        expect(srv.req("GET", "/api/v1/accounts"), 401, "unauthenticated")
        # A malformed query is refused and audited.
        r = srv.req("GET", "/api/v1/accounts?" + "a=1&" * 40)
        expect(r, 400, "bad_target")
        check(refusals(srv, "bad_target"), "bad_target audited")


# ---- ACC-6: a flood of sign-ins ----

def test_acc6_signin_flood_is_limited_before_hashing_and_others_still_served(tmp):
    n = 10000
    with Server(tmp, config={("http", "signin_per_minute"): 20,
                             ("http", "rate_per_addr"): 1000000}) as srv:
        # What one real attempt costs (an Argon2id verification).
        costs = []
        for _ in range(3):
            r = expect(srv.signin("sysadmin", "Wrong-Password#%d" % len(costs)), 401,
                       "invalid_credentials")
            costs.append(r.elapsed)
        one = statistics.median(costs)
        body = json.dumps({"account": "sysadmin", "password": "Wrong-Password#0000"}).encode()
        hdr = {"Content-Type": "application/json"}
        results = []
        lock = threading.Lock()
        seq = itertools.count()
        done = threading.Event()
        health = []

        def worker():
            c = None
            mine = []
            while True:
                i = next(seq)
                if i >= n:
                    break
                for attempt in range(3):
                    try:
                        if c is None:
                            c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=30)
                        c.request("POST", "/api/v1/session", body=body, headers=hdr)
                        r = c.getresponse()
                        data = r.read()
                        mine.append((r.status, data, r.getheader("Retry-After")))
                        break
                    except (http.client.HTTPException, OSError):
                        if c:
                            c.close()
                        c = None
                        if attempt == 2:
                            mine.append((0, b"", None))
            if c:
                c.close()
            with lock:
                results.extend(mine)

        def prober():
            while not done.is_set():
                try:
                    r = request(srv.port, "GET", "/healthz", source="127.0.0.2", timeout=30)
                    health.append((r.status, r.elapsed))
                except OSError as e:
                    health.append((0, repr(e)))
                time.sleep(0.02)

        pt = threading.Thread(target=prober)
        pt.start()
        t0 = time.monotonic()
        threads = [threading.Thread(target=worker) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        took = time.monotonic() - t0
        done.set()
        pt.join()

        check(len(results) == n, len(results))
        limited = [x for x in results if x[0] == 429]
        other = [x for x in results if x[0] != 429]
        # The burst left after the 3 measured attempts, plus what refills meanwhile.
        allowed = 20 - 3 + int(took / 3) + 1
        check(len(other) <= allowed, "%d answered without the limiter (at most %d): %r" %
              (len(other), allowed, other[:5]))
        for status, data, _ in other:
            check(status == 401 and json.loads(data)["error"]["code"] == "invalid_credentials",
                  (status, data))
        for status, data, retry in limited:
            check(json.loads(data)["error"]["code"] == "rate_limited", data)
            check(retry is not None and retry.isdigit() and int(retry) >= 1,
                  "Retry-After: %r" % retry)
        # Far less than hashing every attempt would take.
        check(took < n * one / 10, "flood took %.1fs; one Argon2 attempt %.3fs" % (took, one))
        check(took < 60, "flood took %.1fs" % took)
        # Meanwhile another address was served promptly.
        check(len(health) >= 3, health)
        check(all(s == 200 for s, _ in health), [h for h in health if h[0] != 200][:5])
        lat = sorted(e for _, e in health)
        check(lat[len(lat) // 2] < 0.5 and lat[-1] < 3,
              "healthz latency median %.3fs max %.3fs" % (lat[len(lat) // 2], lat[-1]))
        # The limiter is per address: 127.0.0.2 may still sign in.
        r = expect(srv.signin("nobody", "Wrong-Password#1", source="127.0.0.2"), 401,
                   "invalid_credentials")
        # 127.0.0.1 is still limited.  The bucket refills one attempt every 3 s,
        # and the steps above may have taken that long on a loaded machine: at
        # most a refilled attempt or two get through before the limiter answers.
        late = []
        for _ in range(3):
            r = srv.signin("nobody", "Wrong-Password#1")
            late.append(r.status)
            if r.status == 429:
                break
        check(late[-1] == 429 and all(x == 401 for x in late[:-1]), late)
        # Each limited attempt is audited, and no hash ran for them: only the
        # admitted attempts reached the account.
        ev = srv.audit("action = 'http.refused' and reason = 'signin_rate_limited'")
        check(len(ev) == len(limited) + 1, (len(ev), len(limited)))
        tried = srv.audit("action = 'session.create' and account = 'sysadmin'")
        check(len(tried) == 3 + len(other), (len(tried), len(other)))
        sys.stdout.write("# flood of %d sign-ins: %.1fs (one hashed attempt %.0f ms), "
                         "healthz median %.0f ms max %.0f ms\n" %
                         (n, took, one * 1000, lat[len(lat) // 2] * 1000, lat[-1] * 1000))


def test_acc6_signin_limiter_answers_429_with_retry_after(tmp):
    with Server(tmp, config={("http", "signin_per_minute"): 5}) as srv:
        for i in range(5):
            expect(srv.signin("nobody", "Pw-%d-wrong-123" % i), 401, "invalid_credentials")
        r = expect(srv.signin("secadmin", srv.initial["security_admin"][1]), 429,
                   "rate_limited")
        check(r.header("Retry-After") and int(r.header("Retry-After")) >= 1, r.headers)
        # What the client says about its address does not matter.
        for h in ({"X-Forwarded-For": "10.9.8.7"}, {"X-Real-IP": "10.9.8.6"},
                  {"Forwarded": "for=10.9.8.5"}):
            expect(srv.req("POST", "/api/v1/session", {"account": "nobody", "password": "x"},
                           headers=h), 429, "rate_limited", what=str(h))
        # The challenge endpoint is behind the same limiter.
        expect(srv.req("POST", "/api/v1/session/challenge", {"account": "secadmin"}), 429,
               "rate_limited")
        # Other requests from the address are not.
        expect(srv.req("GET", "/healthz"), 200)


def test_net2_requests_past_the_per_address_rate_are_refused_429(tmp):
    with Server(tmp, config={("http", "rate_per_addr"): 5}) as srv:
        codes = [srv.req("GET", "/healthz") for _ in range(40)]
        limited = [r for r in codes if r.status == 429]
        check(limited, "no 429 in 40 requests at 5 a second (burst 10)")
        check(len(limited) >= 20, len(limited))
        for r in limited:
            check(r.code == "rate_limited" and r.header("Retry-After"), r)
        # Another address has its own allowance.
        expect(srv.req("GET", "/healthz", source="127.0.0.2"), 200)
        time.sleep(1.5)
        expect(srv.req("GET", "/healthz"), 200)


def test_aud1_sigterm_soon_after_start_stops_cleanly_with_its_event(tmp):
    """`serve` promises that SIGTERM stops it after the requests in flight,
    with a server.stop audit event.  A signal that comes as soon as it says
    "listening" (a supervisor stopping a service it just started) must do the
    same; two busy loops make the moment last long enough to be seen."""
    srv = Server(tmp, start=False)
    burners = [subprocess.Popen([sys.executable, "-c", "while True: pass"])
               for _ in range(2)]
    bad = []
    try:
        for i in range(20):
            p = subprocess.Popen([BIN, "serve", srv.dir, "--listen", "127.0.0.1:0"],
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            line = b""
            while b"\n" not in line:
                chunk = os.read(p.stdout.fileno(), 100)
                if not chunk:
                    break
                line += chunk
            check(b"listening port=" in line, line)
            p.send_signal(signal.SIGTERM)
            rc = p.wait(timeout=60)
            p.stdout.close()
            if rc != 0:
                bad.append((i, rc))
    finally:
        for b in burners:
            b.kill()
            b.wait()
    starts = srv.audit("action = 'server.start'")
    stops = srv.audit("action = 'server.stop'")
    check(not bad, "%d of 20 servers did not stop cleanly on SIGTERM (iteration, status): %r; "
          "server.start events %d, server.stop events %d"
          % (len(bad), bad, len(starts), len(stops)))
    check(len(stops) == len(starts) == 20, (len(starts), len(stops)))


def test_aud2_reads_answer_503_when_their_event_cannot_be_made_durable(tmp):
    """AUD-2, fail closed: a read answers only once its audit event is
    durable.  While the writer's commit fails (as on a full disk or a failed
    fsync), every request that depends on it answers 503 audit_unavailable
    and shows nothing; the server keeps serving, and once storage works again
    the same requests succeed and the chain is intact."""
    faults = os.path.join(tmp, "faults")
    srv = Server(tmp, start=False)
    srv.start(env={"XY_FAULT_FILE": faults})
    with srv:
        admin = srv.setup_admin()
        expect(admin.get("/api/v1/session"), 200)
        with open(faults, "w") as f:
            f.write("audit_commit\n")
        # Many at once: they wait together for one failing commit.
        results = []

        def one():
            results.append(admin.get("/api/v1/session"))
        ts = [threading.Thread(target=one) for _ in range(8)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        for r in results:
            expect(r, 503, "audit_unavailable")
            check("account" not in r.json, "a 503 must not carry the answer: %r" % r.json)
        expect(admin.get("/api/v1/units"), 503, "audit_unavailable")
        # A sign-in for an unknown account is audited through the same
        # writer: it cannot be answered either.
        expect(srv.signin("nobody", "wrong password 1!"), 503, "audit_unavailable")
        n_before = len(srv.audit("action = 'session.read'"))
        os.unlink(faults)
        r = expect(admin.get("/api/v1/session"), 200)
        check(r.json["account"] == admin.name, r.json)
        check(len(srv.audit("action = 'session.read'")) == n_before + 1,
              "the failed reads left no event; the next one left exactly one")
    p = run("audit", "verify", srv.dir)
    check(p.returncode == 0, "the chain must stay intact after failed commits: " + p.stdout
          + p.stderr)


if __name__ == "__main__":
    sys.exit(run_all())
