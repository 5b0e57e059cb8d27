"""Black-box tests of the command-line client: `xinyong login`, `logout`,
`whoami`, `passwd` and `account …` against a real `xinyong serve` on a fresh
instance (DESIGN.md §6: business commands are API clients, CHG-1; ACC-1..5,
SOD-1).  HOME and XDG_CONFIG_HOME point into each test's temporary folder."""
import base64
import hashlib
import hmac
import http.client
import json
import os
import re
import select
import signal
import stat
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from codes import idnum  # noqa: E402
from xytest import BIN, check, run, run_all  # noqa: E402

LINE = re.compile(r"^account=(\S+) role=(\S+) password=(\S+)$")
STRONG = "Harbor-Quartz#1037-kV"
STRONG2 = "Willow-Lantern#2074-kV"


class Server:
    """A fresh instance in tmp/inst served on a free loopback port; the
    first administrators' one-time passwords in .passwords by role."""

    def __init__(self, tmp):
        self.dir = os.path.join(tmp, "inst")
        p = run("init", self.dir)
        check(p.returncode == 0, p.stderr)
        self.passwords = {}
        self.accounts = {}
        for ln in p.stdout.splitlines():
            m = LINE.match(ln)
            if m:
                self.accounts[m.group(2)] = m.group(1)
                self.passwords[m.group(1)] = m.group(3)
        self.log = open(os.path.join(tmp, "serve.log"), "w")
        self.proc = subprocess.Popen([BIN, "serve", self.dir, "--listen", "127.0.0.1:0"],
                                     stdout=subprocess.PIPE, stderr=self.log, text=True)
        ready, _, _ = select.select([self.proc.stdout], [], [], 30)
        line = self.proc.stdout.readline() if ready else ""
        m = re.match(r"listening port=(\d+)", line)
        if not m:
            self.stop()
            check(False, "the server did not start: %r" % line)
        self.port = int(m.group(1))
        self.url = "http://127.0.0.1:%d" % self.port

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()
        self.log.close()
        return self.proc.returncode

    def __enter__(self):
        return self

    def __exit__(self, kind, value, tb):
        rc = self.stop()
        if kind is None:
            check(rc == 0, "the server stopped with status %s (sanitizer?)" % rc)

    def request(self, method, path, body=None, token=None):
        h = {}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        if token:
            h["Authorization"] = "Bearer " + token
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            c.request(method, path, body=data, headers=h)
            r = c.getresponse()
            out = r.read()
            return r.status, (json.loads(out) if out else None)
        finally:
            c.close()


def env(tmp):
    return {"HOME": tmp, "XDG_CONFIG_HOME": os.path.join(tmp, "config")}


def xy(tmp, *args, input=None):
    return run(*args, input=input, env=env(tmp), timeout=60)


def session_file(tmp):
    return os.path.join(tmp, "config", "xinyong", "session.json")


def token_of(tmp):
    return json.load(open(session_file(tmp)))["token"]


def login(tmp, srv, role="security_admin", password=None, otp=None):
    name = srv.accounts[role]
    lines = [password or srv.passwords[name]] + ([otp] if otp else [])
    return xy(tmp, "login", "--server", srv.url, "--account", name,
              input="\n".join(lines) + "\n")


def totp(secret_b32, step):
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    mac = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    off = mac[-1] & 0x0F
    return "%06d" % ((struct.unpack(">I", mac[off:off + 4])[0] & 0x7FFFFFFF) % 1000000)


def set_up(tmp, srv, role="security_admin", seq=101):
    """Takes the first administrator of role through ACC-3 (with `xinyong
    passwd`), ACC-5 (TOTP, over raw HTTP) and ACC-1 (identity); returns the
    TOTP secret and the step its confirming code used."""
    name = srv.accounts[role]
    p = login(tmp, srv, role)
    check(p.returncode == 0, p.stderr)
    p = xy(tmp, "passwd", input="%s\n%s\n%s\n" % (srv.passwords[name], STRONG, STRONG))
    check(p.returncode == 0 and "password changed" in p.stdout, p.stdout + p.stderr)
    tok = token_of(tmp)
    st, doc = srv.request("POST", "/api/v1/session/totp", token=tok)
    check(st == 201, (st, doc))
    secret = doc["secret"]
    step = int(time.time()) // 30
    st, doc = srv.request("POST", "/api/v1/session/totp/confirm",
                          {"code": totp(secret, step)}, token=tok)
    check(st == 204, (st, doc))
    st, doc = srv.request("POST", "/api/v1/session/identity",
                          {"real_name": "王安全", "id_number": idnum(seq=seq)}, token=tok)
    check(st == 204, (st, doc))
    return secret, step


def test_acc3_login_reports_password_change(tmp):
    with Server(tmp) as srv:
        p = login(tmp, srv)
        check(p.returncode == 0, p.stderr)
        check("signed in: account=secadmin" in p.stdout, p.stdout)
        check("password: must change (ACC-3)" in p.stdout, p.stdout)
        check("second factor: must enrol (ACC-5)" in p.stdout, p.stdout)
        check("identity: not recorded (ACC-1)" in p.stdout, p.stdout)
        f = session_file(tmp)
        check(stat.S_IMODE(os.stat(f).st_mode) == 0o600, oct(os.stat(f).st_mode))
        check(stat.S_IMODE(os.stat(os.path.dirname(f)).st_mode) == 0o700, "folder 0700")
        doc = json.load(open(f))
        check(sorted(doc) == ["account", "server", "token"], doc)
        check(doc["server"] == srv.url and doc["account"] == "secadmin", doc)
        # The token and the password are never printed.
        for secret in (doc["token"], srv.passwords["secadmin"]):
            check(secret not in p.stdout + p.stderr, "a secret was printed")
        check(os.listdir(os.path.dirname(f)) == ["session.json"], "no temporary left")
        p = xy(tmp, "whoami")
        check(p.returncode == 0, p.stderr)
        check(re.search(r"^account\s+secadmin$", p.stdout, re.M), p.stdout)
        check(re.search(r"^roles\s+security_admin$", p.stdout, re.M), p.stdout)
        check(re.search(r"^status\s+active$", p.stdout, re.M), p.stdout)
        check("password change (ACC-3)" in p.stdout, p.stdout)
        p = xy(tmp, "whoami", "--json")
        check(p.returncode == 0 and json.loads(p.stdout)["must_change_password"] is True,
              p.stdout)
        # ACC-3: nothing else is open until the password is changed.
        p = xy(tmp, "account", "list")
        check(p.returncode == 1, p.stdout + p.stderr)
        check("xinyong: error: password_change_required:" in p.stderr, p.stderr)


def test_acc2_wrong_password_gives_invalid_credentials(tmp):
    with Server(tmp) as srv:
        p = login(tmp, srv, password="Not-The-Password-1")
        check(p.returncode == 1, p.stdout + p.stderr)
        check("xinyong: error: invalid_credentials:" in p.stderr, p.stderr)
        check(not os.path.exists(session_file(tmp)), "no session file")
        p = xy(tmp, "login", "--server", srv.url, "--account", "nobody", input="x\n")
        check(p.returncode == 1 and "invalid_credentials" in p.stderr, p.stderr)
        # The account is asked for too when not given (one line each on stdin).
        p = xy(tmp, "login", "--server", srv.url,
               input="secadmin\n%s\n" % srv.passwords["secadmin"])
        check(p.returncode == 0 and "account=secadmin" in p.stdout, p.stdout + p.stderr)


def test_acc4_passwd_weak_password_shows_the_rule(tmp):
    with Server(tmp) as srv:
        check(login(tmp, srv).returncode == 0)
        pw = srv.passwords["secadmin"]
        p = xy(tmp, "passwd", input="%s\nshort\nshort\n" % pw)
        check(p.returncode == 1, p.stdout + p.stderr)
        check("xinyong: error: weak_password: min_length" in p.stderr, p.stderr)
        check(pw not in p.stdout + p.stderr, "the password was printed")
        p = xy(tmp, "passwd", input="%s\n%s\n%s\n" % (pw, STRONG, STRONG2))
        check(p.returncode == 1 and "differ" in p.stderr, p.stderr)
        p = xy(tmp, "passwd", input="Wrong-Old-Pass-1\n%s\n%s\n" % (STRONG, STRONG))
        check(p.returncode == 1 and "wrong_password" in p.stderr, p.stderr)
        p = xy(tmp, "passwd", input="%s\n" % pw)
        check(p.returncode == 1 and "no answer" in p.stderr, p.stderr)
        p = xy(tmp, "passwd", input="%s\n%s\n%s\n" % (pw, STRONG, STRONG))
        check(p.returncode == 0 and "password changed" in p.stdout, p.stdout + p.stderr)
        p = xy(tmp, "whoami")
        check(p.returncode == 0 and "ACC-3" not in p.stdout, p.stdout)


def test_logout_removes_the_session_and_ends_it_on_the_server(tmp):
    with Server(tmp) as srv:
        check(login(tmp, srv).returncode == 0)
        tok = token_of(tmp)
        p = xy(tmp, "logout")
        check(p.returncode == 0 and "signed out" in p.stdout, p.stdout + p.stderr)
        check(not os.path.exists(session_file(tmp)), "session file removed")
        st, _ = srv.request("GET", "/api/v1/session", token=tok)
        check(st == 401, "the token no longer works: %d" % st)
        p = xy(tmp, "whoami")
        check(p.returncode == 1, p.stdout)
        check("not signed in" in p.stderr and "xinyong login" in p.stderr, p.stderr)
        p = xy(tmp, "logout")
        check(p.returncode == 1 and "xinyong login" in p.stderr, p.stderr)


def test_session_ended_on_the_server_says_sign_in_again(tmp):
    with Server(tmp) as srv:
        check(login(tmp, srv).returncode == 0)
        st, _ = srv.request("DELETE", "/api/v1/session", token=token_of(tmp))
        check(st == 204, st)
        p = xy(tmp, "whoami")
        check(p.returncode == 1 and "unauthenticated" in p.stderr, p.stderr)
        check("xinyong login" in p.stderr, p.stderr)
        p = xy(tmp, "logout")
        check(p.returncode == 0 and "already ended" in p.stdout, p.stdout + p.stderr)


def test_session_file_open_to_others_is_refused(tmp):
    with Server(tmp) as srv:
        check(login(tmp, srv).returncode == 0)
        os.chmod(session_file(tmp), 0o644)
        p = xy(tmp, "whoami")
        check(p.returncode == 1 and "0600" in p.stderr, p.stderr)
        # A new sign-in writes a private file again (atomically, over the old one).
        check(login(tmp, srv).returncode == 0)
        check(stat.S_IMODE(os.stat(session_file(tmp)).st_mode) == 0o600)
        check(xy(tmp, "whoami").returncode == 0)


def test_acc5_acc1_account_create_prints_one_time_password_sod1_grant_conflict(tmp):
    with Server(tmp) as srv:
        secret, step = set_up(tmp, srv)
        p = xy(tmp, "whoami")
        check(p.returncode == 0 and "pending" not in p.stdout, p.stdout + p.stderr)
        unit = re.search(r"^unit\s+(\S+)", p.stdout, re.M).group(1)
        p = xy(tmp, "account", "create", "--name", "zhangsan", "--real-name", "张三",
               "--id-number", idnum(seq=202), "--unit", unit)
        check(p.returncode == 0, p.stdout + p.stderr)
        m = re.search(r"^one_time_password=(\S{16,})$", p.stdout, re.M)
        check(m, p.stdout)
        check("account created: account=zhangsan" in p.stdout, p.stdout)
        check("shown once" in p.stderr, p.stderr)
        p = xy(tmp, "account", "show", "zhangsan")
        check(p.returncode == 0 and re.search(r"^real_name\s+张三$", p.stdout, re.M), p.stdout)
        check(re.search(r"^must_change_password\s+yes$", p.stdout, re.M), p.stdout)
        p = xy(tmp, "account", "show", "zhangsan", "--json")
        check(p.returncode == 0 and json.loads(p.stdout)["account"] == "zhangsan", p.stdout)
        p = xy(tmp, "account", "list")
        check(p.returncode == 0 and re.search(r"^zhangsan\s", p.stdout, re.M), p.stdout)
        p = xy(tmp, "account", "list", "--json")
        names = [a["account"] for a in json.loads(p.stdout)["items"]]
        check({"secadmin", "sysadmin", "auditor", "zhangsan"} <= set(names), names)
        p = xy(tmp, "account", "reset-password", "zhangsan")
        check(p.returncode == 0 and re.search(r"^one_time_password=\S+$", p.stdout, re.M),
              p.stdout + p.stderr)
        # SOD-1: the security administrator's role is never held with the system
        # administrator's.
        p = xy(tmp, "account", "grant", srv.accounts["system_admin"], "security_admin")
        check(p.returncode == 1, p.stdout + p.stderr)
        check("xinyong: error: role_conflict:" in p.stderr, p.stderr)
        p = xy(tmp, "account", "show", "nosuchaccount")
        check(p.returncode == 1 and "xinyong: error: not_found:" in p.stderr, p.stderr)
        # ACC-5: the next sign-in asks for the authenticator's code (a later
        # step than the one the enrolment used up).
        check(xy(tmp, "logout").returncode == 0)
        p = login(tmp, srv, password=STRONG, otp=totp(secret, step + 1))
        check(p.returncode == 0 and "must" not in p.stdout, p.stdout + p.stderr)
        check(xy(tmp, "whoami").returncode == 0)


def test_acc2_password_prompt_on_a_terminal_does_not_echo(tmp):
    import pty
    with Server(tmp) as srv:
        pw = srv.passwords["secadmin"]
        master, slave = pty.openpty()
        e = dict(os.environ, **env(tmp))
        p = subprocess.Popen([BIN, "login", "--server", srv.url, "--account", "secadmin"],
                             stdin=slave, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             env=e)
        os.close(slave)
        try:
            err = b""
            deadline = time.time() + 20
            while b"password: " not in err and time.time() < deadline:
                ready, _, _ = select.select([p.stderr], [], [], 1)
                if ready:
                    err += os.read(p.stderr.fileno(), 4096)
            check(b"password: " in err, "no prompt: %r" % err)
            os.write(master, (pw + "\n").encode())
            out, rest = p.communicate(timeout=30)
            echoed = b""
            while select.select([master], [], [], 0.2)[0]:
                try:
                    chunk = os.read(master, 4096)
                except OSError:
                    break
                if not chunk:
                    break
                echoed += chunk
        finally:
            os.close(master)
            if p.poll() is None:
                p.kill()
                p.wait()
        check(p.returncode == 0, err + rest)
        check(b"signed in: account=secadmin" in out, out)
        check(pw.encode() not in echoed + out + err + rest, "the password was echoed")


def test_server_answers_are_bounded_sanitised_and_not_redirected(tmp):
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    class Evil(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_POST(self):
            n = int(self.headers.get("Content-Length") or 0)
            who = json.loads(self.rfile.read(n))["account"]
            if who == "big":
                body = b'{"token":"' + b"x" * (17 << 20) + b'"}'
                status = 201
            elif who == "redirect":
                self.send_response(307)
                self.send_header("Location", "http://127.0.0.1:1/api/v1/session")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            else:
                body = json.dumps({"error": {"code": "bad\x1b]0;owned\x07",
                                             "message": "m\x1b[2J\r"}}).encode()
                status = 401
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                self.wfile.write(body)
            except OSError:
                pass

    httpd = HTTPServer(("127.0.0.1", 0), Evil)
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    url = "http://127.0.0.1:%d" % httpd.server_address[1]
    try:
        p = xy(tmp, "login", "--server", url, "--account", "big", input="pw\n")
        check(p.returncode == 1 and "more than 16777216 bytes" in p.stderr, p.stderr[:300])
        p = xy(tmp, "login", "--server", url, "--account", "redirect", input="pw\n")
        check(p.returncode == 1 and "HTTP 307" in p.stderr, p.stderr)
        p = xy(tmp, "login", "--server", url, "--account", "esc", input="pw\n")
        check(p.returncode == 1 and "xinyong: error: bad?]0;owned?: m?[2J?" in p.stderr,
              repr(p.stderr))
        check("\x1b" not in p.stderr and "\x07" not in p.stderr, repr(p.stderr))
        check(not os.path.exists(session_file(tmp)), "nothing saved")
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_usage_errors_exit_2_and_help_exits_0(tmp):
    for cmd in ("login", "logout", "whoami", "passwd", "account"):
        p = xy(tmp, cmd, "--help")
        check(p.returncode == 0 and "usage" in p.stdout, (cmd, p.stdout))
    p = xy(tmp, "account", "create", "--help")
    check(p.returncode == 0 and "--real-name" in p.stdout, p.stdout)
    for args in (["login"], ["login", "--server"], ["login", "--server", "ftp://x"],
                 ["login", "--server", "http://"], ["logout", "extra"],
                 ["whoami", "--bogus"], ["account"], ["account", "bogus"],
                 ["account", "show"], ["account", "show", "a", "b"],
                 ["account", "create", "--name", "x"],
                 ["account", "disable", "x"], ["account", "disable", "x", "--nope", "y"],
                 ["account", "grant", "x"]):
        p = xy(tmp, *args)
        check(p.returncode == 2, (args, p.returncode, p.stderr))
    check(not os.path.exists(os.path.join(tmp, "config")), "nothing written")


def test_unreachable_server_is_an_error_not_a_hang(tmp):
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    p = xy(tmp, "login", "--server", "http://127.0.0.1:%d" % port, "--account", "a",
           input="pw\n")
    check(p.returncode == 1 and "cannot reach" in p.stderr, p.stderr)


if __name__ == "__main__":
    sys.exit(run_all())
