"""Black-box tests of signing in to the government-zone server: answers that
do not tell accounts apart and lock-out (ACC-6), the first sign-in with a
one-time password (ACC-3), the password policy (ACC-4), second factors TOTP
and SM2 (ACC-5), identity (ACC-1), tokens, cookies and session times."""
import datetime
import json
import os
import re
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from codes import idnum  # noqa: E402
from xyapi import (Server, Sm2Key, User, expect, now_step,  # noqa: E402
                   settle_step, totp)
from xytest import check, run, run_all  # noqa: E402


# ---- ACC-6: failures answer alike, and lock ----

def test_acc6_wrong_password_unknown_account_and_locked_look_alike(tmp):
    with Server(tmp) as srv:
        name, pw = srv.initial["system_admin"]
        unknown = expect(srv.signin("no.such.person", pw), 401, "invalid_credentials")
        check("Set-Cookie" not in unknown.headers, unknown.headers)
        for i in range(5):
            r = expect(srv.signin(name, pw + "x%d" % i), 401, "invalid_credentials")
            check(r.body == unknown.body, (r.body, unknown.body))
            check("Set-Cookie" not in r.headers, r.headers)
        # Locked now: the right password gets the very same answer.
        r = expect(srv.signin(name, pw), 401, "invalid_credentials")
        check(r.body == unknown.body, (r.body, unknown.body))
        check(sorted(k.lower() for k in r.headers.keys() if k.lower() != "date") ==
              sorted(k.lower() for k in unknown.headers.keys() if k.lower() != "date"),
              (r.headers, unknown.headers))
        # Others are not affected.
        other, opw = srv.initial["auditor"]
        expect(srv.signin(other, opw), 201)
        # The audit trail knows the real reasons.
        ev = srv.audit("action = 'session.create' and result = 'refused'")
        reasons = [(e["account"], e["reason"]) for e in ev]
        check(reasons == [("no.such.person", "unknown_account")] +
              [(name, "wrong_password")] * 5 + [(name, "locked")], reasons)
        lock = srv.audit("action = 'account.lock'")
        check(len(lock) == 1 and lock[0]["reason"] == "too_many_failures" and
              lock[0]["account"] == name, lock)
        ok = srv.audit("action = 'session.create' and result = 'ok'")
        check([e["account"] for e in ok] == [other], ok)
        # No password, right or wrong, is in the trail or the server's log.
        dump = json.dumps(srv.audit(), default=str) + srv.server_log()
        check(pw not in dump and pw + "x0" not in dump, "a password was recorded")


def test_aud1_one_totp_code_used_by_many_sign_ins_at_once_signs_in_once_and_each_is_audited(tmp):
    """ACC-5/ACC-6/AUD-1: the same fresh code sent by four sign-ins at the
    same moment opens exactly one session; every other attempt is refused
    with 401 and leaves its refused session.create event, counted as a
    failure (three: below the lock-out)."""
    import threading
    with Server(tmp) as srv:
        admin = srv.setup_admin()
        before = len(srv.audit("action = 'session.create' and account = ?", admin.name))
        settle_step()
        code = totp(admin.secret, max(now_step(), admin.last_step + 1))
        results = []

        def one():
            results.append(srv.signin(admin.name, admin.password, otp=code))
        ts = [threading.Thread(target=one) for _ in range(4)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        statuses = sorted(r.status for r in results)
        check(statuses == [201] + [401] * 3, statuses)
        ev = srv.audit("action = 'session.create' and account = ? and seq > 0",
                       admin.name)[before:]
        check(sorted(e["result"] for e in ev) == ["ok"] + ["refused"] * 3,
              [(e["result"], e["reason"]) for e in ev])
        check({e["reason"] for e in ev if e["result"] == "refused"}
              <= {"wrong_second_factor", "second_factor_replayed"}, ev)


def test_acc6_security_admin_unlocks_a_locked_account(tmp):
    with Server(tmp) as srv:
        admin = srv.setup_admin()
        name, pw = srv.initial["system_admin"]
        for i in range(5):
            expect(srv.signin(name, "Not-The-Password#%d" % i), 401, "invalid_credentials")
        r = expect(admin.get("/api/v1/accounts/" + name), 200)
        check(r.json["status"] == "locked", r)
        expect(srv.signin(name, pw), 401, "invalid_credentials")
        expect(admin.post("/api/v1/accounts/%s/enable" % name), 204)
        check(admin.get("/api/v1/accounts/" + name).json["status"] == "active")
        expect(srv.signin(name, pw), 201)


def test_acc6_unknown_and_known_accounts_take_the_same_time(tmp):
    """No enumeration by timing: a wrong password for a real account and any
    password for a missing one both cost one Argon2id verification."""
    with Server(tmp) as srv:
        name = srv.initial["system_admin"][0]
        known, unknown = [], []
        for i in range(7):
            unknown.append(expect(srv.signin("ghost%d" % i, "Guess-Pass#%04d" % i), 401).elapsed)
            known.append(expect(srv.signin(name, "Guess-Pass#%04d" % i), 401).elapsed)
        mk, mu = statistics.median(known), statistics.median(unknown)
        sys.stdout.write("# median sign-in refusal: known %.1f ms, unknown %.1f ms\n"
                         % (mk * 1000, mu * 1000))
        check(mk > 0.005 and mu > 0.005, "both verify a password hash (%.4f, %.4f)" % (mk, mu))
        check(abs(mk - mu) <= 0.35 * max(mk, mu) + 0.005,
              "known %.1f ms vs unknown %.1f ms" % (mk * 1000, mu * 1000))


def test_acc6_overlong_password_does_not_reveal_which_accounts_exist(tmp):
    """A password past the 128-byte limit must cost the same for a real
    account as for a missing one (which verifies against a dummy hash)."""
    with Server(tmp) as srv:
        name = srv.initial["auditor"][0]
        long_pw = "Aa1-" * 75  # 300 bytes
        known, unknown = [], []
        for i in range(5):
            unknown.append(expect(srv.signin("ghost%d" % i, long_pw), 401,
                                  "invalid_credentials").elapsed)
            known.append(expect(srv.signin(name, long_pw), 401, "invalid_credentials").elapsed)
        mk, mu = statistics.median(known), statistics.median(unknown)
        sys.stdout.write("# 300-byte password refused: known %.1f ms, unknown %.1f ms\n"
                         % (mk * 1000, mu * 1000))
        check(abs(mk - mu) <= 0.35 * max(mk, mu) + 0.005,
              "known account %.1f ms vs unknown %.1f ms: the difference tells them apart"
              % (mk * 1000, mu * 1000))


def test_acc6_a_successful_sign_in_clears_earlier_failures(tmp):
    with Server(tmp) as srv:
        name, pw = srv.initial["system_admin"]
        for _ in range(2):
            for i in range(4):
                expect(srv.signin(name, "Wrong-Pass#%d-x" % i), 401, "invalid_credentials")
            expect(srv.signin(name, pw), 201)
        check(not srv.audit("action = 'account.lock'"), "not locked")


def test_acc6_wrong_second_factor_codes_lock_the_account_too(tmp):
    with Server(tmp) as srv:
        admin = srv.setup_admin()
        step = now_step()
        for i in range(5):
            expect(srv.signin(admin.name, admin.password, otp=other_code(admin.secret, step)),
                   401, "invalid_credentials")
        expect(admin.signin(), 401, "invalid_credentials")
        reasons = [e["reason"] for e in srv.audit("action = 'session.create'")]
        check(reasons[-6:] == ["wrong_second_factor"] * 5 + ["locked"], reasons)
        check(len(srv.audit("action = 'account.lock'")) == 1)


# ---- ACC-3: the one-time password opens one door only ----

GATED = [
    ("GET", "/api/v1/accounts", None),
    ("POST", "/api/v1/accounts", {"name": "x.y", "real_name": "某人",
                                  "id_number": idnum(seq=901), "unit": "x"}),
    ("GET", "/api/v1/accounts/secadmin", None),
    ("POST", "/api/v1/accounts/auditor/roles", {"role": "unit_user"}),
    ("POST", "/api/v1/accounts/auditor/password-reset", None),
    ("GET", "/api/v1/units", None),
    ("GET", "/api/v1/regions", None),
    ("POST", "/api/v1/regions", {"code": "360499", "name": "测试区"}),
    ("GET", "/api/v1/incidents", None),
    ("GET", "/api/v1/account-review", None),
    ("POST", "/api/v1/account-review", None),
]


def test_acc3_one_time_password_blocks_everything_but_password_change(tmp):
    with Server(tmp) as srv:
        name, otp = srv.initial["security_admin"]
        r = expect(srv.signin(name, otp), 201)
        check(r.json["must_change_password"] is True, r)
        check(r.json["must_enroll_second_factor"] is True, r)
        check(r.json["must_record_identity"] is True, r)
        u = User(srv, name, otp)
        u.token = r.json["token"]
        for method, path, body in GATED + [
                ("POST", "/api/v1/session/totp", None),
                ("POST", "/api/v1/session/totp/confirm", {"code": "123456"}),
                ("POST", "/api/v1/session/identity",
                 {"real_name": "张三", "id_number": idnum(seq=902)})]:
            expect(u.req(method, path, body), 403, "password_change_required",
                   what=method + " " + path)
        # Who am I, and signing out, stay open.
        r = expect(u.get("/api/v1/session"), 200)
        check(r.json["must_change_password"] is True and r.json["account"] == name, r)
        # Nothing was done: the refusals are in the trail.
        ev = srv.audit("reason = 'password_change_required' and result = 'refused'")
        check(len(ev) == len(GATED) + 3 and all(e["account"] == name for e in ev), ev)
        check(not srv.audit("action = 'account.create' and account = ?", name),
              "no account created")
        # The old password must be given.
        expect(u.post("/api/v1/session/password",
                      {"old_password": "Wrong-Old#12345", "new_password": "Fresh-Pass#2024x"}),
               403, "wrong_password")
        u.change_password()
        # The next door is the second factor (ACC-5), not the password.
        expect(u.get("/api/v1/accounts"), 403, "second_factor_enrollment_required")
        expect(srv.signin(name, otp), 401, "invalid_credentials")
        r = expect(srv.signin(name, u.password), 201)
        check(r.json["must_change_password"] is False, r)


# ---- ACC-4: the password policy ----

def test_acc4_weak_passwords_refused_naming_the_rule(tmp):
    with Server(tmp) as srv:
        name, otp = srv.initial["security_admin"]
        u = User(srv, name, otp)
        u.signin_first()
        cases = [
            ("Sh0rt!pass", "min_length"),
            ("twelve chars", "character_classes"),  # long enough, two classes
            ("lowercaseonly-with-dash", "character_classes"),
            ("onlylowercaseand123", "character_classes"),
            ("My-SecAdmin#Pass2024", "contains_account_name"),
            ("Password2024!", "common_password"),
            ("P@ssw0rd!2024", "common_password"),
            ("1qaz2wsx!QAZ", "common_password"),
            ("Qwertyuiop123!", "common_password"),
            ("Aaaaaaaaaaaa1!", "common_password"),
        ]
        for pw, rule in cases:
            r = expect(u.post("/api/v1/session/password",
                              {"old_password": otp, "new_password": pw}), 422, "weak_password",
                       what=pw)
            check(r.message.startswith(rule + ":"), (pw, rule, r.message))
        # The one-time password itself may not be kept.
        r = expect(u.post("/api/v1/session/password",
                          {"old_password": otp, "new_password": otp}), 422, "password_reused")
        check("password_reused" in r.message, r)
        refused = [e["reason"] for e in srv.audit("action = 'session.password'")]
        check(refused == [rule for _, rule in cases] + ["password_reused"], refused)
        # Still the one-time password, still gated.
        expect(u.get("/api/v1/units"), 403, "password_change_required")
        u.change_password()
        expect(u.get("/api/v1/units"), 403, "second_factor_enrollment_required")


def test_acc4_none_of_the_last_five_passwords_again(tmp):
    with Server(tmp) as srv:
        name, otp = srv.initial["system_admin"]
        u = User(srv, name, otp)
        u.signin_first()
        used = [otp]
        for i in range(5):
            u.change_password()
            used.append(u.password)
        # used[1..5] are the last five (used[5] the current one); used[0],
        # the one-time password, is six back and may come again.
        for old in used[1:6]:
            expect(u.post("/api/v1/session/password",
                          {"old_password": u.password, "new_password": old}),
                   422, "password_reused", what="reuse")
        u.change_password(used[0])


def test_acc4_password_older_than_max_age_must_be_changed(tmp):
    """The 90-day maximum age: pw_changed_at is moved back in core.db (the
    API has no clock to turn)."""
    with Server(tmp, config={("password", "max_age_days"): 30}) as srv:
        admin = srv.setup_admin()
        expect(admin.get("/api/v1/accounts"), 200)
        old = int((time.time() - 31 * 86400) * 1e6)
        srv.sql_write_retag("accounts", "update accounts set pw_changed_at = ? where name = ?",
                            old, admin.name)
        r = expect(admin.signin(), 201)
        check(r.json["must_change_password"] is True, r)
        expect(admin.get("/api/v1/accounts"), 403, "password_change_required")
        admin.change_password()
        expect(admin.get("/api/v1/accounts"), 200)


def test_acc4_policy_may_only_be_made_stricter(tmp):
    for section, key, value in (("password", "min_length", 8), ("password", "min_classes", 2),
                                ("password", "history", 2), ("password", "max_age_days", 365),
                                ("session", "idle_minutes", 60),
                                ("session", "absolute_minutes", 1440),
                                ("session", "lock_failures", 10)):
        os.mkdir(os.path.join(tmp, key))
        s2 = Server(os.path.join(tmp, key), config={(section, key): value}, start=False)
        p = run("serve", s2.dir, "--listen", "127.0.0.1:0", timeout=60)
        check(p.returncode != 0 and key in p.stderr, (key, p.returncode, p.stderr))


# ---- ACC-5: TOTP ----

def other_code(secret, step):
    """A well-formed code that matches none of the steps around step."""
    near = {totp(secret, s) for s in range(step - 2, step + 3)}
    return next(c for c in ("000000", "111111", "123456", "999999") if c not in near)


def test_acc5_totp_enrolment_then_password_and_code_required(tmp):
    with Server(tmp) as srv:
        name, otp = srv.initial["security_admin"]
        u = User(srv, name, otp)
        u.signin_first()
        u.change_password()
        expect(u.get("/api/v1/accounts"), 403, "second_factor_enrollment_required")
        expect(u.post("/api/v1/session/identity",
                      {"real_name": "张安全", "id_number": srv.next_idnum()}),
               403, "second_factor_enrollment_required")
        expect(u.post("/api/v1/session/totp/confirm", {"code": "123456"}), 409, "no_enrolment")
        r = expect(u.post("/api/v1/session/totp"), 201)
        secret = r.json["secret"]
        check(re.fullmatch(r"[A-Z2-7]{32}", secret), "160-bit base32 secret: " + secret)
        uri = r.json["otpauth_uri"]
        check(uri.startswith("otpauth://totp/") and "secret=" + secret in uri, uri)
        check("algorithm=SHA1" in uri and "digits=6" in uri and "period=30" in uri, uri)
        check(name in uri, uri)
        check(r.json["qr_svg"].lstrip().startswith(("<svg", "<?xml")) and
              "</svg>" in r.json["qr_svg"], r.json["qr_svg"][:200])
        settle_step()
        step = now_step()
        expect(u.post("/api/v1/session/totp/confirm", {"code": other_code(secret, step)}),
               422, "wrong_code")
        expect(u.post("/api/v1/session/totp/confirm", {"code": "12345"}), 422, "wrong_code")
        expect(u.post("/api/v1/session/totp/confirm", {"code": totp(secret, step + 5)}),
               422, "wrong_code")
        expect(u.post("/api/v1/session/totp/confirm", {"code": totp(secret, step)}), 204)
        expect(u.post("/api/v1/session/totp"), 409, "already_enrolled")
        # Then ACC-1: the identity.
        expect(u.get("/api/v1/accounts"), 403, "identity_required")
        # Password alone: the right password, a factor is missing.
        r = expect(srv.signin(name, u.password), 401, "second_factor_required")
        check("token" not in r.json, r)
        expect(srv.signin(name, u.password, otp=other_code(secret, step)), 401,
               "invalid_credentials")
        # A wrong password with the right code says nothing more.
        expect(srv.signin(name, u.password + "!", otp=totp(secret, step + 1)), 401,
               "invalid_credentials")
        # The confirming code is used up; the next one works once.
        expect(srv.signin(name, u.password, otp=totp(secret, step)), 401,
               "invalid_credentials")
        r = expect(srv.signin(name, u.password, otp=totp(secret, step + 1)), 201)
        expect(srv.signin(name, u.password, otp=totp(secret, step + 1)), 401,
               "invalid_credentials")
        # An SM2 signature is not a factor this account has.
        expect(srv.signin(name, u.password, challenge_id="0" * 32, signature="00"), 401,
               "invalid_credentials")
        reasons = [e["reason"] for e in srv.audit("action = 'session.create'")]
        check(reasons == ["password", "second_factor_missing", "wrong_second_factor",
                          "wrong_password", "wrong_second_factor", "password+totp",
                          "wrong_second_factor", "wrong_second_factor"], reasons)


def test_acc1_identity_needs_a_valid_number_and_opens_the_account(tmp):
    with Server(tmp) as srv:
        name, otp = srv.initial["security_admin"]
        u = User(srv, name, otp)
        u.signin_first()
        u.change_password()
        u.enrol_totp()
        good = srv.next_idnum()
        bad_check = good[:-1] + ("0" if good[-1] != "0" else "1")
        for body, field in (({"real_name": "张安全", "id_number": bad_check}, "id_number"),
                            ({"real_name": "张安全", "id_number": good[:17]}, "id_number"),
                            ({"real_name": "张安全", "id_number": "360402" + "20991231" +
                              "1234"}, "id_number"),
                            ({"real_name": "", "id_number": good}, "real_name"),
                            ({"real_name": "张\n安全", "id_number": good}, "real_name"),
                            ({"id_number": good}, "real_name")):
            r = expect(u.post("/api/v1/session/identity", body), 422, "invalid_field",
                       what=json.dumps(body, ensure_ascii=False))
            check(field in r.message, r)
        expect(u.get("/api/v1/units"), 403, "identity_required")
        expect(u.post("/api/v1/session/identity", {"real_name": "张安全", "id_number": good}),
               204)
        r = expect(u.get("/api/v1/session"), 200)
        check(r.json["real_name"] == "张安全" and r.json["must_record_identity"] is False, r)
        expect(u.get("/api/v1/units"), 200)
        # Recorded once; another account may not take the same number (ACC-1).
        expect(u.post("/api/v1/session/identity", {"real_name": "张安全", "id_number": good}),
               409)
        v = User(srv, *srv.initial["system_admin"])
        v.setup()
        r = expect(v.post("/api/v1/session/identity", {"real_name": "王系统", "id_number": good}),
                   409, "identity_taken")
        # The number is kept sealed: never in clear in the store.
        for f in ("core.db", "core.db-wal"):
            path = os.path.join(srv.dir, f)
            if os.path.exists(path):
                check(good.encode() not in open(path, "rb").read(),
                      "identity number in clear in " + f)


# ---- ACC-5: SM2 ----

def test_acc5_sm2_signature_as_second_factor(tmp):
    """The flow, with 72-byte DER signatures throughout (the length is the
    subject of the next test)."""
    with Server(tmp) as srv:
        name, otp = srv.initial["system_admin"]
        u = User(srv, name, otp)
        u.signin_first()
        u.change_password()
        key = Sm2Key(tmp, "holder")
        stranger = Sm2Key(tmp, "stranger")
        expect(u.post("/api/v1/session/sm2", {"public_key": "not a key"}), 422, "bad_public_key")
        p256 = subprocess.run(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt",
                               "ec_paramgen_curve:prime256v1"], capture_output=True, timeout=30)
        p256 = subprocess.run(["openssl", "pkey", "-pubout"], input=p256.stdout,
                              capture_output=True, timeout=30).stdout.decode()
        check("BEGIN PUBLIC KEY" in p256, p256)
        expect(u.post("/api/v1/session/sm2", {"public_key": p256}), 422,
               "bad_public_key", what="a NIST P-256 key is not an SM2 key")
        expect(u.post("/api/v1/session/sm2/confirm", {"challenge_id": "0" * 32,
                                                      "signature": "00"}), 409, "no_enrolment")
        # A signature by another key does not confirm, and uses the challenge up.
        r = expect(u.post("/api/v1/session/sm2", {"public_key": key.public_pem}), 201)
        cid, msg = r.json["challenge_id"], r.json["message"]
        check(msg.startswith("xinyong sign-in\n%s\n" % name), msg)
        check(re.fullmatch(r"[0-9a-f]{32}", cid), cid)
        expect(u.post("/api/v1/session/sm2/confirm",
                      {"challenge_id": cid, "signature": stranger.sign(msg, 72)}), 422,
               "bad_signature")
        expect(u.post("/api/v1/session/sm2/confirm",
                      {"challenge_id": cid, "signature": key.sign(msg, 72)}), 422, "bad_signature")
        r = expect(u.post("/api/v1/session/sm2", {"public_key": key.public_pem}), 201)
        cid, msg = r.json["challenge_id"], r.json["message"]
        expect(u.post("/api/v1/session/sm2/confirm",
                      {"challenge_id": cid, "signature": key.sign(msg, 72)}), 204)
        expect(u.get("/api/v1/accounts"), 403, "identity_required")
        # Sign-in: password and a fresh challenge signed.
        expect(srv.signin(name, u.password), 401, "second_factor_required")
        r = expect(srv.req("POST", "/api/v1/session/challenge", {"account": name}), 201)
        cid, msg = r.json["challenge_id"], r.json["message"]
        check(msg.startswith("xinyong sign-in\n%s\n" % name), msg)
        sig = key.sign(msg, 72)
        r = expect(srv.signin(name, u.password, challenge_id=cid, signature=sig), 201)
        check(r.json["token"].startswith("xy_"), r)
        # Replayed: the challenge is used up.
        expect(srv.signin(name, u.password, challenge_id=cid, signature=sig), 401,
               "invalid_credentials")
        # Another key's signature, a TOTP code, a challenge made for someone else.
        r = expect(srv.req("POST", "/api/v1/session/challenge", {"account": name}), 201)
        expect(srv.signin(name, u.password, challenge_id=r.json["challenge_id"],
                          signature=stranger.sign(r.json["message"], 72)), 401,
               "invalid_credentials")
        expect(srv.signin(name, u.password, otp="123456"), 401, "invalid_credentials")
        r = expect(srv.req("POST", "/api/v1/session/challenge", {"account": "auditor"}), 201)
        expect(srv.signin(name, u.password, challenge_id=r.json["challenge_id"],
                          signature=key.sign(r.json["message"], 72)), 401, "invalid_credentials")
        # A challenge for an account that does not exist looks like any other.
        r = expect(srv.req("POST", "/api/v1/session/challenge", {"account": "no.one"}), 201)
        check(set(r.json) == {"challenge_id", "message"}, r)
        reasons = [e["reason"] for e in srv.audit("action = 'session.create'")]
        check(reasons == ["password", "second_factor_missing", "password+sm2"] +
              ["wrong_second_factor"] * 4, reasons)


def sm2_enrolled(srv, tmp, der_len):
    name, otp = srv.initial["system_admin"]
    u = User(srv, name, otp)
    u.signin_first()
    u.change_password()
    key = Sm2Key(tmp, "holder")
    r = expect(u.post("/api/v1/session/sm2", {"public_key": key.public_pem}), 201)
    sig = key.sign(r.json["message"], der_len)
    expect(u.post("/api/v1/session/sm2/confirm",
                  {"challenge_id": r.json["challenge_id"], "signature": sig}), 204,
           what="enrolment confirmed with a %d-byte DER signature" % der_len)
    return u, key


def test_acc5_sm2_signatures_of_every_der_length_accepted(tmp):
    """A DER SM2 signature is 72 bytes only when both r and s have their top
    bit set; 71 and 70 bytes are as common (and as valid)."""
    with Server(tmp) as srv:
        u, key = sm2_enrolled(srv, tmp, 70)
        for n in (70, 71, 72):
            r = expect(srv.req("POST", "/api/v1/session/challenge", {"account": u.name}), 201)
            sig = key.sign(r.json["message"], n)
            expect(srv.signin(u.name, u.password, challenge_id=r.json["challenge_id"],
                              signature=sig), 201,
                   what="sign-in with a %d-byte DER signature" % n)


def test_acc4_password_change_ends_the_other_sessions(tmp):
    """Whoever still holds the old password's session is signed out; the
    session that made the change goes on."""
    with Server(tmp) as srv:
        admin = srv.setup_admin()
        other = admin.token
        expect(admin.signin(), 201)
        check(admin.token != other, "a second session")
        expect(srv.req("GET", "/api/v1/session", token=other), 200)
        admin.change_password()
        expect(admin.get("/api/v1/session"), 200, what="the session that changed it")
        expect(srv.req("GET", "/api/v1/session", token=other), 401, "unauthenticated",
               what="the other session")


# ---- tokens, cookies, session times ----

def test_acc6_tokens_are_random_tampering_and_signout_end_them(tmp):
    with Server(tmp) as srv:
        admin = srv.setup_admin()
        t1 = admin.token
        r = expect(admin.get("/api/v1/session"), 200)
        check(r.json["account"] == admin.name and r.json["roles"] == ["security_admin"], r)
        check(r.json["real_name"] == "张安全" and r.json["status"] == "active", r)
        check(r.json["unit"]["level"] == "city" and r.json["unit"]["region"] == "360400", r)
        # At least 128 bits: "xy_" and 43 base64url characters (256 bits).
        check(re.fullmatch(r"xy_[A-Za-z0-9_-]{43}", t1), t1)
        r2 = expect(admin.signin(), 201)
        t2 = r2.json["token"]
        check(t2 != t1, "a new token for each sign-in")
        for bad in (t1[:-1] + ("A" if t1[-1] != "A" else "B"), t1[:-1], t1 + "A",
                    "xy_" + "A" * 43, t1[3:], t1.upper()):
            r = expect(srv.req("GET", "/api/v1/session", token=bad), 401, "unauthenticated",
                       what=bad)
        for header in ("Bearer", "Bearer  ", "Basic " + t1, "bearer" + t1, t1):
            expect(srv.req("GET", "/api/v1/session", headers={"Authorization": header}), 401,
                   "unauthenticated", what=header)
        # Both sessions are live; signing out ends only the one.
        expect(srv.req("GET", "/api/v1/session", token=t1), 200)
        r = expect(srv.req("DELETE", "/api/v1/session", token=t1), 204)
        check("Max-Age=0" in (r.header("Set-Cookie") or ""), r.headers)
        expect(srv.req("GET", "/api/v1/session", token=t1), 401, "unauthenticated")
        expect(srv.req("DELETE", "/api/v1/session", token=t1), 401, "unauthenticated")
        expect(srv.req("GET", "/api/v1/session", token=t2), 200)
        check(srv.audit("action = 'session.delete' and account = ?", admin.name),
              "sign-out audited")
        check(srv.audit("action = 'http.refused' and reason = 'unknown_token'"),
              "refused tokens audited")


def test_acc6_cookie_session_needs_the_csrf_token_to_change_anything(tmp):
    with Server(tmp) as srv:
        admin = srv.setup_admin()
        r = expect(srv.signin(admin.name, admin.password, otp=admin.next_otp()), 201)
        token, csrf = r.json["token"], r.json["csrf_token"]
        check(csrf != admin.csrf, "each session its own CSRF token")
        sc = r.header("Set-Cookie")
        check(sc and sc.startswith("xy_session=%s;" % token), sc)
        attrs = [a.strip().lower() for a in sc.split(";")[1:]]
        check("httponly" in attrs and "samesite=strict" in attrs and "path=/" in attrs, sc)
        cookie = {"Cookie": "xy_session=" + token}
        r = expect(srv.req("GET", "/api/v1/session", headers=cookie), 200)
        check(r.json["account"] == admin.name, r)
        expect(srv.req("GET", "/api/v1/accounts", headers=cookie), 200)
        body = {"name": "wang.wu", "real_name": "王五", "id_number": srv.next_idnum(),
                "unit": srv.office_code()}
        expect(srv.req("POST", "/api/v1/accounts", body, headers=cookie), 403, "csrf_failed")
        wrong = csrf[:-1] + ("y" if csrf.endswith("x") else "x")  # never the right one
        expect(srv.req("POST", "/api/v1/accounts", body,
                       headers=dict(cookie, **{"X-CSRF-Token": wrong})),
               403, "csrf_failed")
        # Another session's CSRF token does not fit this cookie.
        expect(srv.req("POST", "/api/v1/accounts", body,
                       headers=dict(cookie, **{"X-CSRF-Token": admin.csrf})), 403, "csrf_failed")
        expect(srv.req("DELETE", "/api/v1/session", headers=cookie), 403, "csrf_failed")
        check(expect(admin.get("/api/v1/accounts/wang.wu"), 404), "nothing created")
        expect(srv.req("POST", "/api/v1/accounts", body,
                       headers=dict(cookie, **{"X-CSRF-Token": csrf})), 201)
        # Two cookies of the name: refused, whichever is good.
        expect(srv.req("GET", "/api/v1/session",
                       headers={"Cookie": "xy_session=%s; xy_session=xy_bad" % token}),
               401, "unauthenticated")
        # Cookie sign-out with the CSRF token.
        expect(srv.req("DELETE", "/api/v1/session",
                       headers=dict(cookie, **{"X-CSRF-Token": csrf})), 204)
        expect(srv.req("GET", "/api/v1/session", headers=cookie), 401, "unauthenticated")
        check(len(srv.audit("reason = 'csrf_failed'")) == 4, srv.audit("reason = 'csrf_failed'"))


def parse_time(s):
    return datetime.datetime.fromisoformat(s).timestamp()


def test_acc6_sessions_end_30_minutes_idle_and_8_hours_after_sign_in(tmp):
    """Waiting out even the shortest idle time (1 minute) is too slow here:
    the times the server gives are checked instead."""
    with Server(tmp) as srv:
        admin = srv.setup_admin()
        t0 = time.time()
        r = expect(admin.signin(), 201)
        check(abs(parse_time(r.json["expires_at"]) - (t0 + 8 * 3600)) < 120, r)
        r = expect(admin.get("/api/v1/session"), 200)
        check(abs(parse_time(r.json["expires_at"]) - (t0 + 8 * 3600)) < 120, r)
        check(abs(parse_time(r.json["idle_expires_at"]) - (time.time() + 30 * 60)) < 120, r)
        check(r.json["expires_at"].endswith("+08:00"), r)
    srv2 = os.path.join(tmp, "short")
    os.mkdir(srv2)
    with Server(srv2, config={("session", "idle_minutes"): 5,
                              ("session", "absolute_minutes"): 60}) as srv:
        admin = srv.setup_admin()
        r = expect(admin.get("/api/v1/session"), 200)
        check(abs(parse_time(r.json["expires_at"]) - (time.time() + 3600)) < 120, r)
        check(abs(parse_time(r.json["idle_expires_at"]) - (time.time() + 300)) < 120, r)


if __name__ == "__main__":
    sys.exit(run_all())
