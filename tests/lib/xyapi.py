"""Black-box helpers for the government-zone server (Python standard library
only): a fresh instance served on a loopback port, an HTTP client that can
bind its source address (NET-2), RFC 6238 codes, SM2 signatures made with
the openssl command line, and the way a person takes an account from its
one-time password to fully set up (ACC-3, ACC-5, ACC-1).

    with Server(tmp, config={("session", "lock_failures"): 5}) as srv:
        admin = srv.setup_admin("security_admin")
        r = admin.get("/api/v1/accounts")
"""
import base64
import datetime
import hashlib
import hmac
import http.client
import json
import os
import re
import select
import signal
import sqlite3
import struct
import subprocess
import time

from codes import idnum
from xytest import BIN, Failure, check, retag, run

# Passwords that meet ACC-4 (length, three classes, not common, no account name).
_PW_WORDS = ["Tide", "Maple", "Orbit", "Lantern", "Quartz", "Harbor", "Willow", "Copper"]


def strong_password(n=0):
    w = _PW_WORDS[n % len(_PW_WORDS)]
    return "%s-%s#%04d-kV" % (w, _PW_WORDS[(n + 3) % len(_PW_WORDS)], 1000 + 37 * n)


# ---- RFC 6238 ----

def totp(secret_b32, step):
    """The 6-digit RFC 6238 code (HMAC-SHA1, 30 s steps) for one time step."""
    s = secret_b32.strip().replace(" ", "").upper()
    key = base64.b32decode(s + "=" * (-len(s) % 8))
    mac = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    off = mac[-1] & 0x0F
    code = (struct.unpack(">I", mac[off:off + 4])[0] & 0x7FFFFFFF) % 1000000
    return "%06d" % code


def china_today(delta=0):
    """The date in China (UTC+8), which is the server's "today"."""
    tz = datetime.timezone(datetime.timedelta(hours=8))
    return (datetime.datetime.now(tz).date() + datetime.timedelta(days=delta)).isoformat()


def now_step():
    return int(time.time()) // 30


def settle_step():
    """Waits out the last two seconds of a 30-second step, so that a code
    computed now is checked by the server in the same step (or the next)."""
    left = 30 - time.time() % 30
    if left < 2:
        time.sleep(left + 0.1)


# ---- SM2 with the openssl command line ----

class Sm2Key:
    """An SM2 key pair in files under tmp; sign() gives hex of the DER
    signature over SM3 with the distinguishing ID 1234567812345678."""

    def __init__(self, tmp, name="sm2"):
        self.key = os.path.join(tmp, name + ".key")
        self.tmp = tmp
        p = subprocess.run(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt",
                            "ec_paramgen_curve:SM2", "-out", self.key],
                           capture_output=True, text=True, timeout=30)
        check(p.returncode == 0, "openssl genpkey SM2: " + p.stderr)
        p = subprocess.run(["openssl", "pkey", "-in", self.key, "-pubout"],
                           capture_output=True, text=True, timeout=30)
        check(p.returncode == 0, p.stderr)
        self.public_pem = p.stdout

    def sign(self, message, der_len=None):
        """Hex of a DER signature; with der_len, signs again (SM2 signatures
        are randomised) until the DER is that many bytes (70, 71 or 72)."""
        msg = os.path.join(self.tmp, "sm2-msg.bin")
        with open(msg, "wb") as f:
            f.write(message.encode() if isinstance(message, str) else message)
        for _ in range(200):
            p = subprocess.run(["openssl", "pkeyutl", "-sign", "-rawin", "-digest", "sm3",
                                "-pkeyopt", "distid:1234567812345678", "-inkey", self.key,
                                "-in", msg], capture_output=True, timeout=30)
            check(p.returncode == 0, "openssl pkeyutl -sign: %r" % p.stderr)
            if der_len is None or len(p.stdout) == der_len:
                return p.stdout.hex()
        raise Failure("no %d-byte SM2 signature in 200 tries" % der_len)


# ---- HTTP ----

class Resp:
    def __init__(self, status, headers, body, elapsed):
        self.status = status
        self.headers = headers
        self.body = body
        self.elapsed = elapsed
        try:
            self.json = json.loads(body.decode("utf-8")) if body else None
        except ValueError:
            self.json = None

    @property
    def code(self):
        """The error code of {"error":{"code":…}}, or None."""
        if isinstance(self.json, dict) and isinstance(self.json.get("error"), dict):
            return self.json["error"].get("code")
        return None

    @property
    def message(self):
        if isinstance(self.json, dict) and isinstance(self.json.get("error"), dict):
            return self.json["error"].get("message") or ""
        return ""

    def header(self, name):
        return self.headers.get(name)

    def __repr__(self):
        return "<%d %s>" % (self.status, self.body[:300].decode("utf-8", "replace"))


def expect(r, status, code=None, what=""):
    """Checks the status (and error code); the response is in the message."""
    ok = r.status == status and (code is None or r.code == code)
    check(ok, "%sexpected %d%s, got %r" % (what + ": " if what else "", status,
                                           " " + code if code else "", r))
    return r


def request(port, method, path, body=None, token=None, headers=None, raw=None,
         source="127.0.0.1", timeout=60, content_type="application/json"):
    """One request on a fresh connection; body (dict) is sent as JSON, raw
    (bytes) as is."""
    h = {}
    data = None
    if body is not None:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    elif raw is not None:
        data = raw
    if data is not None and content_type:
        h["Content-Type"] = content_type
    if token:
        h["Authorization"] = "Bearer " + token
    if headers:
        h.update(headers)
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout,
                                   source_address=(source, 0) if source else None)
    t0 = time.monotonic()
    try:
        c.request(method, path, body=data, headers=h)
        r = c.getresponse()
        out = r.read()
        return Resp(r.status, r.headers, out, time.monotonic() - t0)
    finally:
        c.close()


# ---- the server ----

def set_config(path, section, key, value):
    """Sets key = value in [section] of an ini file (added when absent)."""
    lines = open(path, encoding="utf-8").read().splitlines()
    out, cur, done = [], None, False
    for ln in lines:
        m = re.match(r"^\s*\[(\w+)\]\s*$", ln)
        if m:
            if cur == section and not done:
                out.append("%s = %s" % (key, value))
                done = True
            cur = m.group(1)
        elif cur == section and re.match(r"^\s*%s\s*=" % re.escape(key), ln):
            if not done:
                out.append("%s = %s" % (key, value))
                done = True
            continue
        out.append(ln)
    if not done:
        if cur != section:
            out.append("[%s]" % section)
        out.append("%s = %s" % (key, value))
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")


# Most tests sign in more often than a person would: the sign-in limiter
# gets its largest value unless a test asks otherwise.
DEFAULT_CONFIG = {("http", "signin_per_minute"): 600}


class Server:
    """A fresh instance (xinyong init --json) in tmp/inst, served on a free
    loopback port.  Use as a context manager; on a clean exit the server
    must stop with status 0 (an ASan report fails the test)."""

    def __init__(self, tmp, config=None, init_args=(), start=True):
        self.tmp = tmp
        self.dir = os.path.join(tmp, "inst")
        p = run("init", self.dir, "--json", *init_args)
        check(p.returncode == 0, "init: " + p.stderr)
        doc = json.loads(p.stdout)
        self.initial = {a["role"]: (a["account"], a["password"]) for a in doc["accounts"]}
        cfg = dict(DEFAULT_CONFIG)
        cfg.update(config or {})
        for (section, key), value in cfg.items():
            set_config(os.path.join(self.dir, "config.ini"), section, key, value)
        self.proc = None
        self.port = None
        self.log_path = os.path.join(tmp, "serve.log")
        self._n_pw = 0
        self._n_id = 0
        if start:
            self.start()

    def start(self, listen="127.0.0.1:0", env=None):
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([BIN, "serve", self.dir, "--listen", listen],
                                     stdout=subprocess.PIPE, stderr=self.log,
                                     env=dict(os.environ, **(env or {})))
        deadline = time.monotonic() + 30
        line = b""
        while time.monotonic() < deadline:
            rd, _, _ = select.select([self.proc.stdout], [], [], 0.5)
            if rd:
                ch = os.read(self.proc.stdout.fileno(), 256)
                if not ch:
                    break
                line += ch
                if b"\n" in line:
                    break
            elif self.proc.poll() is not None:
                break
        m = re.search(rb"listening port=(\d+)", line)
        if not m:
            self.proc.kill()
            self.proc.wait()
            raise Failure("serve did not start: %r %s" % (line, self.server_log()))
        self.port = int(m.group(1))
        self.started = time.monotonic()
        return self

    def stop(self):
        """SIGTERM, and the exit status (None when it had to be killed)."""
        if not self.proc:
            return 0
        p, self.proc = self.proc, None
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
        try:
            rc = p.wait(timeout=60)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
            rc = None
        p.stdout.close()
        self.log.close()
        return rc

    def __enter__(self):
        return self

    def __exit__(self, et, ev, tb):
        rc = self.stop()
        if et is None:
            check(rc == 0, "serve exited with %r: %s" % (rc, self.server_log()[-3000:]))
        return False

    def server_log(self):
        try:
            return open(self.log_path, encoding="utf-8", errors="replace").read()
        except OSError:
            return ""

    # -- requests --

    def req(self, method, path, body=None, token=None, **kw):
        return request(self.port, method, path, body=body, token=token, **kw)

    def signin(self, account, password, source="127.0.0.1", **extra):
        """POST /api/v1/session; extra fields (otp, challenge_id, signature,
        or anything else) go into the body."""
        b = {"account": account, "password": password}
        b.update(extra)
        return self.req("POST", "/api/v1/session", b, source=source)

    # -- the store, read as an auditor with a shell would --

    def db(self):
        c = sqlite3.connect("file:%s?mode=ro" % os.path.join(self.dir, "core.db"), uri=True,
                            timeout=30)
        return c

    def audit(self, where="1", *params):
        """audit_events rows (dicts) matching the SQL condition, in order."""
        c = self.db()
        try:
            c.row_factory = sqlite3.Row
            return [dict(r) for r in c.execute(
                "select * from audit_events where %s order by seq" % where, params)]
        finally:
            c.close()

    def sql_write(self, query, *params):
        """Changes core.db behind the server's back (a test-only shortcut)."""
        c = sqlite3.connect(os.path.join(self.dir, "core.db"), timeout=30)
        try:
            c.execute(query, params)
            c.commit()
        finally:
            c.close()

    def sql_write_retag(self, table, query, *params):
        """sql_write on a tagged table, then each changed row (those the
        query's WHERE names: it must select by name or id) re-tagged: time
        passing, not tampering (CRY-2; see xytest.retag)."""
        where = query[query.lower().index(" where "):]
        params_where = params[len(params) - where.count("?"):]
        c = self.db()
        try:
            ids = [r[0] for r in c.execute("select id from %s%s" % (table, where),
                                           params_where)]
        finally:
            c.close()
        self.sql_write(query, *params)
        for i in ids:
            retag(self.dir, table, i)

    # -- people --

    def next_password(self):
        self._n_pw += 1
        return strong_password(self._n_pw)

    def next_idnum(self, area="360402"):
        self._n_id += 1
        return idnum(area, "19%02d0%d1%d" % (60 + self._n_id % 30, 1 + self._n_id % 9,
                                             self._n_id % 9), 100 + self._n_id)

    def user(self, name, password):
        return User(self, name, password)

    def setup_admin(self, role="security_admin", real_name="张安全"):
        """Takes one of init's administrators to fully set up (new password,
        TOTP, identity) and returns the signed-in User."""
        name, otp = self.initial[role]
        u = User(self, name, otp)
        u.signin_first()
        u.change_password()
        u.enrol_totp()
        u.record_identity(real_name, self.next_idnum())
        return u

    def create_account(self, admin, name, unit=None, real_name="李用户", id_number=None,
                       roles=(), activate=True, end_date=None):
        """admin creates an account; with activate, records training and the
        agreement and activates it; grants roles.  Returns (User, body)."""
        b = {"name": name, "real_name": real_name,
             "id_number": id_number or self.next_idnum(),
             "unit": unit or self.office_code()}
        if end_date:
            b["end_date"] = end_date
        r = expect(admin.post("/api/v1/accounts", b), 201, what="create " + name)
        if activate:
            today = china_today()
            expect(admin.post("/api/v1/accounts/%s/training" % name,
                              {"completed_on": today, "course": "安全培训"}), 204)
            expect(admin.post("/api/v1/accounts/%s/agreement" % name,
                              {"signed_on": today, "document": "保密协议 2024-001"}), 204)
            expect(admin.post("/api/v1/accounts/%s/activate" % name), 204)
        for role in roles:
            expect(admin.post("/api/v1/accounts/%s/roles" % name, {"role": role}), 204,
                   what="grant %s to %s" % (role, name))
        return User(self, name, r.json["one_time_password"]), r.json

    def office_code(self):
        c = self.db()
        try:
            return c.execute("select code from units where kind = 'credit_office'").fetchone()[0]
        finally:
            c.close()


class User:
    """A person at the API: their password, session and TOTP secret."""

    def __init__(self, srv, name, password):
        self.srv = srv
        self.name = name
        self.password = password
        self.token = None
        self.csrf = None
        self.secret = None
        self.last_step = 0

    def req(self, method, path, body=None, **kw):
        return self.srv.req(method, path, body, token=self.token, **kw)

    def get(self, path, **kw):
        return self.req("GET", path, **kw)

    def post(self, path, body=None, **kw):
        if body is None and "raw" not in kw:
            return self.req("POST", path, None, **kw)
        return self.req("POST", path, body, **kw)

    def delete(self, path, **kw):
        return self.req("DELETE", path, **kw)

    def next_otp(self):
        """A code for a step not used yet (waits when the window is used up)."""
        while True:
            settle_step()
            step = max(now_step() - 1, self.last_step + 1)
            if step <= now_step() + 1:
                self.last_step = step
                return totp(self.secret, step)
            time.sleep(1)

    def signin_first(self):
        """Signs in with the password alone (before a factor is enrolled)."""
        r = expect(self.srv.signin(self.name, self.password), 201, what="sign-in " + self.name)
        self.token, self.csrf = r.json["token"], r.json["csrf_token"]
        return r

    def signin(self, **extra):
        """Signs in with the password and, when enrolled, a fresh TOTP code."""
        if self.secret and "otp" not in extra and "signature" not in extra:
            extra["otp"] = self.next_otp()
        r = self.srv.signin(self.name, self.password, **extra)
        if r.status == 201:
            self.token, self.csrf = r.json["token"], r.json["csrf_token"]
        return r

    def change_password(self, new=None):
        new = new or self.srv.next_password()
        expect(self.post("/api/v1/session/password",
                         {"old_password": self.password, "new_password": new}), 204,
               what="password change for " + self.name)
        self.password = new

    def enrol_totp(self):
        r = expect(self.post("/api/v1/session/totp"), 201, what="TOTP enrolment")
        self.secret = r.json["secret"]
        # Confirmed with the previous step's code: the next two steps stay
        # free for sign-ins straight away.
        settle_step()
        step = now_step() - 1
        expect(self.post("/api/v1/session/totp/confirm", {"code": totp(self.secret, step)}),
               204, what="TOTP confirm")
        self.last_step = step
        return r

    def record_identity(self, real_name, id_number):
        expect(self.post("/api/v1/session/identity",
                         {"real_name": real_name, "id_number": id_number}), 204,
               what="identity")

    def setup(self):
        """From the one-time password to fully set up (identity was given at
        creation)."""
        self.signin_first()
        self.change_password()
        self.enrol_totp()
        return self
