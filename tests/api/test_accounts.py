"""Black-box tests of account administration through the government-zone
server: real-name accounts (ACC-1), activation (ACC-7), leaving and transfer
(ACC-8), leaked passwords (ACC-9), dormant and expired accounts (ACC-10),
least privilege and jurisdiction (ACC-11), separation of duties (SOD-1..3),
units and regions, and the audit trail of it all (AUD-1, AUD-3)."""
import datetime
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from codes import idnum, uscc  # noqa: E402
from xyapi import Server, User, expect, now_step, totp
from xyapi import china_today as today  # noqa: E402
from xytest import check, run, run_all  # noqa: E402

UNIT_A = uscc("360402", 41, "11")  # a member unit in 濂溪区
UNIT_B = uscc("360403", 42, "11")  # a member unit in 浔阳区
CITY_UNIT = uscc("360400", 43, "11")  # a member unit at city level


def with_units(tmp):
    units = os.path.join(tmp, "units.csv")
    with open(units, "w", encoding="utf-8") as f:
        f.write("code,name,region,provides\n"
                "%s,九江市濂溪区市场监督管理局,360402,XZCF\n"
                "%s,九江市浔阳区行政审批局,360403,XZXK\n"
                "%s,九江市市场监督管理局,360400,XZCF\n" % (UNIT_A, UNIT_B, CITY_UNIT))
    return ("--units", units)


def account_body(srv, name, unit=None, **kw):
    b = {"name": name, "real_name": "测试员", "id_number": srv.next_idnum(),
         "unit": unit or srv.office_code()}
    b.update(kw)
    return b


def parse_time(s):
    return datetime.datetime.fromisoformat(s).timestamp()


# ---- ACC-1 ----

def test_acc1_one_account_per_identity_number(tmp):
    with Server(tmp) as srv:
        admin = srv.setup_admin()
        num = srv.next_idnum()
        r = expect(admin.post("/api/v1/accounts",
                              account_body(srv, "li.si", real_name="李四", id_number=num)), 201)
        a = r.json["account"]
        check(a["status"] == "pending" and a["must_change_password"] is True, r)
        check(a["identity_recorded"] is True and a["roles"] == [], r)
        check(a["real_name"] == "李四" and a["unit"]["code"] == srv.office_code(), r)
        otp = r.json["one_time_password"]
        check(len(otp) >= 16, otp)
        check(num not in r.body.decode(), "the identity number is never sent back")
        r = expect(admin.post("/api/v1/accounts",
                              account_body(srv, "li.si2", real_name="李四", id_number=num)),
                   409, "identity_taken")
        expect(admin.post("/api/v1/accounts", account_body(srv, "li.si")), 409, "name_taken")
        bad = num[:-1] + ("1" if num[-1] != "1" else "2")
        for body, field in ((account_body(srv, "wang.er", id_number=bad), "id_number"),
                            (account_body(srv, "wang.er", id_number="12345"), "id_number"),
                            (account_body(srv, "Wang.Er"), "name"),
                            (account_body(srv, "w"), "name"),
                            (account_body(srv, "wang.er", real_name=""), "real_name"),
                            (account_body(srv, "wang.er", unit="NOPE"), "unit"),
                            (account_body(srv, "wang.er", end_date=today(-1)), "end_date"),
                            (account_body(srv, "wang.er", end_date="2024-02-30"), "end_date")):
            r = expect(admin.post("/api/v1/accounts", body), 422, "invalid_field",
                       what=field)
            check('"%s"' % field in r.message, (field, r.message))
        expect(admin.get("/api/v1/accounts/wang.er"), 404, "not_found")
        r = expect(admin.get("/api/v1/accounts/li.si"), 200)
        check(num not in r.body.decode() and r.json["identity_recorded"] is True, r)
        # The refusal names its reason in the trail.
        ev = srv.audit("action = 'account.create' and result = 'refused'")
        check([e["reason"] for e in ev] == ["identity_taken", "name_taken"], ev)
        for f in ("core.db", "core.db-wal"):
            path = os.path.join(srv.dir, f)
            if os.path.exists(path):
                check(num.encode() not in open(path, "rb").read(), "clear number in " + f)


# ---- ACC-7 ----

def test_acc7_activation_needs_training_and_agreement(tmp):
    with Server(tmp) as srv:
        admin = srv.setup_admin()
        u, body = srv.create_account(admin, "zhao.liu", activate=False)
        check(body["account"]["status"] == "pending", body)
        # A pending account cannot sign in; the answer is the usual one.
        expect(srv.signin(u.name, u.password), 401, "invalid_credentials")
        r = expect(admin.post("/api/v1/accounts/zhao.liu/activate"), 409,
                   "training_not_recorded")
        expect(admin.post("/api/v1/accounts/zhao.liu/training",
                          {"completed_on": today(1), "course": "安全培训"}), 422, "invalid_field")
        expect(admin.post("/api/v1/accounts/zhao.liu/training",
                          {"completed_on": "yesterday"}), 422, "invalid_field")
        expect(admin.post("/api/v1/accounts/zhao.liu/training",
                          {"completed_on": today(-3), "course": "安全培训（第一期）"}), 204)
        expect(admin.post("/api/v1/accounts/zhao.liu/activate"), 409, "agreement_not_recorded")
        expect(admin.post("/api/v1/accounts/zhao.liu/agreement", {"signed_on": today()}),
               422, "invalid_field")
        expect(admin.post("/api/v1/accounts/zhao.liu/agreement",
                          {"signed_on": today(-1), "document": "保密协议 2024-017"}), 204)
        expect(admin.post("/api/v1/accounts/zhao.liu/activate"), 204)
        r = expect(admin.get("/api/v1/accounts/zhao.liu"), 200)
        check(r.json["status"] == "active" and r.json["training_on"] == today(-3), r)
        check(r.json["agreement_on"] == today(-1) and
              r.json["agreement_document"] == "保密协议 2024-017", r)
        expect(admin.post("/api/v1/accounts/zhao.liu/activate"), 409, "not_pending")
        r = expect(srv.signin(u.name, u.password), 201)
        check(r.json["must_change_password"] is True, r)
        # Nobody activates themselves.
        expect(admin.post("/api/v1/accounts/%s/activate" % admin.name), 403, "forbidden")
        reasons = [e["reason"] for e in srv.audit("action = 'account.activate'")]
        check(reasons == ["training_not_recorded", "agreement_not_recorded", None,
                          "not_pending"], reasons)
        check(srv.audit("account = ? and result = 'refused' and reason = 'own_account'",
                        admin.name), "the refused self-activation is audited")
        ev = srv.audit("action = 'session.create' and account = 'zhao.liu'")
        check([e["reason"] for e in ev] == ["account_pending", "password"], ev)


# ---- ACC-11: nothing by default ----

def test_acc11_a_new_account_holds_no_permission(tmp):
    with Server(tmp) as srv:
        admin = srv.setup_admin()
        u, _ = srv.create_account(admin, "qian.qi")
        u.setup()
        r = expect(u.get("/api/v1/session"), 200)
        check(r.json["roles"] == [] and r.json["status"] == "active", r)
        for method, path, body in (
                ("GET", "/api/v1/accounts", None),
                ("POST", "/api/v1/accounts", account_body(srv, "sun.ba")),
                ("GET", "/api/v1/accounts/" + admin.name, None),
                ("POST", "/api/v1/accounts/%s/disable" % admin.name, {"reason": "试试"}),
                ("POST", "/api/v1/accounts/%s/roles" % admin.name, {"role": "auditor"}),
                ("GET", "/api/v1/units", None),
                ("GET", "/api/v1/units/" + srv.office_code(), None),
                ("POST", "/api/v1/units", {"code": uscc("360402", 9, "11"), "name": "某局",
                                           "region": "360402"}),
                ("POST", "/api/v1/regions", {"code": "360499", "name": "测试区"}),
                ("GET", "/api/v1/incidents", None),
                ("GET", "/api/v1/account-review", None),
                ("POST", "/api/v1/account-review", None)):
            expect(u.req(method, path, body), 403, "forbidden", what=method + " " + path)
        # Their own account, and the list of roles, they may read.
        r = expect(u.get("/api/v1/accounts/qian.qi"), 200)
        check(r.json["account"] == "qian.qi", r)
        expect(u.get("/api/v1/roles"), 200)
        # Nobody grants themselves a role, not even the security administrator.
        r = expect(u.post("/api/v1/accounts/qian.qi/roles", {"role": "unit_user"}), 403,
                   "forbidden")
        r = expect(admin.post("/api/v1/accounts/%s/roles" % admin.name, {"role": "app_admin"}),
                   403, "forbidden")
        check("own_roles" in r.message, r)
        expect(admin.get("/api/v1/accounts/" + admin.name), 200)
        check(admin.get("/api/v1/session").json["roles"] == ["security_admin"])
        ev = srv.audit("account = 'qian.qi' and result = 'refused'")
        check(len(ev) >= 12, "each refusal audited: %d" % len(ev))
        # The region list, like the unit list, is for holders of a post.
        expect(u.get("/api/v1/regions"), 403, "forbidden", what="GET /api/v1/regions")


def test_acc11_revoked_role_and_disabled_account_take_effect_at_once(tmp):
    with Server(tmp) as srv:
        admin = srv.setup_admin()
        u, _ = srv.create_account(admin, "jiang.yi", roles=["unit_user"])
        u.setup()
        expect(u.get("/api/v1/units"), 200)
        expect(admin.delete("/api/v1/accounts/jiang.yi/roles/unit_user"), 204)
        expect(u.get("/api/v1/units"), 403, "forbidden")
        expect(admin.delete("/api/v1/accounts/jiang.yi/roles/unit_user"), 404)
        expect(admin.post("/api/v1/accounts/jiang.yi/roles", {"role": "unit_user"}), 204)
        expect(u.get("/api/v1/units"), 200)
        expect(admin.post("/api/v1/accounts/jiang.yi/disable", {"reason": "停职检查"}), 204)
        expect(u.get("/api/v1/units"), 401, "unauthenticated")
        expect(u.signin(), 401, "invalid_credentials")
        r = expect(admin.get("/api/v1/accounts/jiang.yi"), 200)
        check(r.json["status"] == "disabled" and r.json["status_reason"] == "停职检查", r)
        expect(admin.post("/api/v1/accounts/jiang.yi/enable"), 204)
        expect(u.signin(), 201)
        expect(u.get("/api/v1/units"), 200)


# ---- SOD-1..3 ----

def test_sod1_sod2_sod3_conflicting_roles_are_refused(tmp):
    with Server(tmp) as srv:
        admin = srv.setup_admin()
        cases = [
            ("sod1.a", "security_admin", "system_admin", "SOD-1"),
            ("sod1.b", "network_admin", "security_admin", "SOD-1"),
            ("sod1.c", "security_admin", "data_admin", "SOD-1"),
            ("sod2.a", "auditor", "data_admin", "SOD-2"),
            ("sod2.b", "security_admin", "auditor", "SOD-2"),
            ("sod2.c", "auditor", "network_admin", "SOD-2"),
            ("sod3.a", "developer", "unit_user", "SOD-3"),
            ("sod3.b", "unit_user", "developer", "SOD-3"),
            ("sod3.c", "developer", "credit_admin", "SOD-3"),
        ]
        for name, first, second, rule in cases:
            srv.create_account(admin, name, roles=[first])
            r = expect(admin.post("/api/v1/accounts/%s/roles" % name, {"role": second}), 409,
                       "role_conflict", what="%s + %s" % (first, second))
            check(rule in r.message and first in r.message and second in r.message, r.message)
            check(admin.get("/api/v1/accounts/" + name).json["roles"] == [first], name)
        # Roles that may go together do.
        srv.create_account(admin, "ok.a", roles=["system_admin", "network_admin"])
        check(sorted(admin.get("/api/v1/accounts/ok.a").json["roles"]) ==
              ["network_admin", "system_admin"])
        expect(admin.post("/api/v1/accounts/ok.a/roles", {"role": "system_admin"}), 409,
               "already_held")
        r = expect(admin.post("/api/v1/accounts/ok.a/roles", {"role": "superuser"}), 422,
                   "invalid_field")
        check("role" in r.message, r)
        # A credit administrator belongs to the credit office.
        ev = srv.audit("action = 'role.grant' and result = 'refused'")
        check([e["reason"] for e in ev] == [c[3] for c in cases], ev)
        check(len(srv.audit("action = 'role.grant' and result = 'ok'")) == len(cases) + 2)


# ---- ACC-8 ----

def test_acc8_transfer_removes_every_role_and_records_the_handover(tmp):
    with Server(tmp, init_args=with_units(tmp)) as srv:
        admin = srv.setup_admin()
        u, _ = srv.create_account(admin, "zhou.jiu", roles=["credit_admin", "unit_user"])
        u.setup()
        expect(u.get("/api/v1/units"), 200)
        expect(admin.post("/api/v1/accounts/zhou.jiu/transfer", {"unit": UNIT_A}), 422,
               "invalid_field")
        expect(admin.post("/api/v1/accounts/zhou.jiu/transfer",
                          {"unit": "NOPE", "handover": "x"}), 422, "invalid_field")
        expect(admin.post("/api/v1/accounts/zhou.jiu/transfer",
                          {"unit": UNIT_A, "handover": "移交：2024 年处罚数据台账一份"}), 204)
        r = expect(admin.get("/api/v1/accounts/zhou.jiu"), 200)
        check(r.json["roles"] == [] and r.json["unit"]["code"] == UNIT_A, r)
        check(r.json["status"] == "active", r)
        # Their session went with the post.
        expect(u.get("/api/v1/units"), 401, "unauthenticated")
        expect(u.signin(), 201)
        expect(u.get("/api/v1/units"), 403, "forbidden")
        # Granted again for the new post.
        expect(admin.post("/api/v1/accounts/zhou.jiu/roles", {"role": "unit_user"}), 204)
        expect(u.get("/api/v1/units"), 200)
        c = srv.db()
        rows = c.execute("select h.kind, h.note, f.code, t.code from handovers h "
                         "join units f on f.id = h.from_unit join units t on t.id = h.to_unit "
                         "join accounts a on a.id = h.account_id "
                         "where a.name = 'zhou.jiu'").fetchall()
        c.close()
        check(rows == [("transfer", "移交：2024 年处罚数据台账一份", srv.office_code(), UNIT_A)],
              rows)
        check(srv.audit("action = 'account.transfer' and result = 'ok'"), "audited")


def test_acc8_leaving_ends_the_session_and_every_role_at_once(tmp):
    with Server(tmp) as srv:
        admin = srv.setup_admin()
        u, _ = srv.create_account(admin, "wu.shi", roles=["unit_user"])
        u.setup()
        expect(u.get("/api/v1/units"), 200)
        second = User(srv, u.name, u.password)
        second.secret, second.last_step = u.secret, u.last_step
        expect(second.signin(), 201)
        expect(admin.post("/api/v1/accounts/wu.shi/leave", {"handover": ""}), 422,
               "invalid_field")
        expect(admin.post("/api/v1/accounts/wu.shi/leave",
                          {"handover": "移交：经办的异议材料 3 份\n移交：U 盘 1 个"}), 204)
        for who in (u, second):
            expect(who.get("/api/v1/units"), 401, "unauthenticated")
            expect(who.get("/api/v1/session"), 401, "unauthenticated")
        u.last_step = max(u.last_step, second.last_step)
        expect(u.signin(), 401, "invalid_credentials")
        r = expect(admin.get("/api/v1/accounts/wu.shi"), 200)
        check(r.json["status"] == "left" and r.json["roles"] == [], r)
        expect(admin.post("/api/v1/accounts/wu.shi/roles", {"role": "unit_user"}), 409,
               "account_left")
        expect(admin.post("/api/v1/accounts/wu.shi/enable"), 409)
        expect(admin.post("/api/v1/accounts/wu.shi/leave", {"handover": "再次"}), 409,
               "account_left")
        ev = srv.audit("action = 'session.create' and account = 'wu.shi'")
        check(ev[-1]["result"] == "refused" and ev[-1]["reason"] == "account_left", ev[-1])
        c = srv.db()
        rows = c.execute("select h.kind, h.to_unit from handovers h join accounts a "
                         "on a.id = h.account_id where a.name = 'wu.shi'").fetchall()
        c.close()
        check(rows == [("leave", None)], rows)


# ---- ACC-9 ----

def test_acc9_leaked_password_disables_ends_sessions_and_opens_an_incident(tmp):
    with Server(tmp) as srv:
        admin = srv.setup_admin()
        u, _ = srv.create_account(admin, "zheng.yi", roles=["unit_user"])
        u.setup()
        expect(u.post("/api/v1/accounts/zheng.yi/leak-report", {"note": ""}), 422,
               "invalid_field")
        t0 = time.time()
        r = expect(u.post("/api/v1/accounts/zheng.yi/leak-report",
                          {"note": "密码写在便签上，便签遗失"}), 201)
        inc = r.json
        check(inc["kind"] == "password_leak" and isinstance(inc["incident"], int), inc)
        opened, due = parse_time(inc["opened_at"]), parse_time(inc["report_due"])
        check(due - opened == 24 * 3600, inc)
        check(abs(opened - t0) < 120, inc)
        expect(u.get("/api/v1/session"), 401, "unauthenticated")
        expect(u.signin(), 401, "invalid_credentials")
        r = expect(admin.get("/api/v1/accounts/zheng.yi"), 200)
        check(r.json["status"] == "disabled" and r.json["status_reason"], r)
        r = expect(admin.get("/api/v1/incidents"), 200)
        items = [i for i in r.json["items"] if i["incident"] == inc["incident"]]
        check(len(items) == 1 and items[0]["report_due"] == inc["report_due"] and
              items[0]["closed_at"] is None, r)
        # An administrator reports for someone else; a colleague may not.
        v, _ = srv.create_account(admin, "wang.er", roles=["unit_user"])
        v.setup()
        w, _ = srv.create_account(admin, "feng.san", roles=["unit_user"])
        w.setup()
        expect(w.post("/api/v1/accounts/wang.er/leak-report", {"note": "我猜的"}), 403,
               "forbidden")
        expect(v.get("/api/v1/session"), 200)
        r = expect(admin.post("/api/v1/accounts/wang.er/leak-report",
                              {"note": "在钓鱼网站输入过密码"}), 201)
        expect(v.get("/api/v1/session"), 401, "unauthenticated")
        check(len(srv.audit("action = 'account.leak_report' and result = 'ok'")) == 2)
        # Even before setting up, the holder may report their one-time password.
        name, otp = srv.initial["auditor"]
        x = User(srv, name, otp)
        x.signin_first()
        expect(x.post("/api/v1/accounts/%s/leak-report" % name, {"note": "初始密码被旁人看到"}),
               201)
        expect(x.get("/api/v1/session"), 401, "unauthenticated")
        expect(srv.signin(name, otp), 401, "invalid_credentials")


def test_acc3_password_reset_gives_a_one_time_password_to_change(tmp):
    with Server(tmp) as srv:
        admin = srv.setup_admin()
        u, _ = srv.create_account(admin, "chu.er", roles=["unit_user"])
        u.setup()
        old = u.password
        r = expect(admin.post("/api/v1/accounts/chu.er/password-reset"), 200)
        otp = r.json["one_time_password"]
        check(len(otp) >= 16 and otp != old, r)
        expect(u.get("/api/v1/session"), 401, "unauthenticated")
        expect(u.signin(), 401, "invalid_credentials")  # the old password
        u.password = otp
        r = expect(u.signin(), 201)  # one-time password, and the TOTP code
        check(r.json["must_change_password"] is True, r)
        expect(u.get("/api/v1/units"), 403, "password_change_required")
        expect(u.post("/api/v1/session/password",
                      {"old_password": otp, "new_password": otp}), 422, "password_reused")
        u.change_password()
        expect(u.get("/api/v1/units"), 200)
        expect(admin.post("/api/v1/accounts/%s/password-reset" % admin.name), 403, "forbidden")
        check(srv.audit("action = 'account.password_reset' and result = 'ok'"))


def test_acc5_lost_second_factor_is_reset_by_an_administrator_and_enrolled_again(tmp):
    """A person who lost their phone: an administrator removes the factor, the
    person's sessions end, the next sign-in needs only the password and opens
    nothing but enrolment; the old codes are worthless.  Not for oneself."""
    with Server(tmp) as srv:
        admin = srv.setup_admin()
        u, _ = srv.create_account(admin, "lost.phone", roles=["unit_user"])
        u.setup()
        old_secret = u.secret
        expect(admin.post("/api/v1/accounts/lost.phone/second-factor-reset"), 204)
        expect(u.get("/api/v1/session"), 401, "unauthenticated")
        u.secret = None
        r = expect(u.signin(), 201)  # the password alone
        check(r.json["must_enroll_second_factor"] is True, r.json)
        expect(u.get("/api/v1/units"), 403, "second_factor_enrollment_required")
        u.enrol_totp()
        check(u.secret != old_secret, "a new secret")
        expect(u.get("/api/v1/units"), 200)
        # Signing in now needs the new factor; an old code does not do.
        u2 = User(srv, u.name, u.password)
        expect(u2.signin(), 401)
        expect(srv.signin(u.name, u.password, otp=totp(old_secret, now_step())), 401,
               "invalid_credentials")
        # Nothing to reset twice, not one's own, not by the account itself.
        expect(admin.post("/api/v1/accounts/%s/second-factor-reset" % admin.name), 403,
               "forbidden")
        expect(u.post("/api/v1/accounts/lost.phone/second-factor-reset"), 403, "forbidden")
        check(srv.audit("action = 'account.second_factor_reset' and result = 'ok'"))
        check(srv.audit("account = ? and result = 'refused' and reason = 'own_account'",
                        admin.name))
        # A second reset finds nothing to remove.
        expect(admin.post("/api/v1/accounts/lost.phone/second-factor-reset"), 204)
        expect(admin.post("/api/v1/accounts/lost.phone/second-factor-reset"), 409,
               "no_second_factor")


# ---- ACC-10 ----

def test_acc10_expired_and_dormant_accounts_are_reported_and_disabled(tmp):
    """The API refuses an end date in the past, and nothing can make time
    pass: end_date and last_login_at are moved back in core.db directly."""
    with Server(tmp) as srv:
        admin = srv.setup_admin()
        auditor = srv.setup_admin("auditor", real_name="审计员")
        expect(admin.post("/api/v1/accounts", account_body(srv, "yesterday.x",
                                                           end_date=today(-1))),
               422, "invalid_field")
        k, body = srv.create_account(admin, "kong.end", end_date=today(), roles=["unit_user"])
        check(body["account"]["end_date"] == today(), body)
        k.setup()
        d, _ = srv.create_account(admin, "dong.dormant", roles=["unit_user"])
        d.setup()
        fresh, _ = srv.create_account(admin, "fresh.one", roles=["unit_user"])
        fresh.setup()
        r = expect(admin.get("/api/v1/account-review"), 200)
        check(r.json["accounts"] == [] and r.json["disabled_now"] == 0, r)
        # Behind the server's back: kong's end date was three days ago, dong
        # last signed in 100 days ago.
        c = srv.db()
        end = c.execute("select end_date from accounts where name = 'kong.end'").fetchone()[0]
        c.close()
        srv.sql_write_retag("accounts", "update accounts set end_date = ?"
                            " where name = 'kong.end'", end - 3)
        long_ago = int((time.time() - 100 * 86400) * 1e6)
        srv.sql_write_retag("accounts", "update accounts set last_login_at = ?, created_at = ?,"
                            " status_at = ? where name = 'dong.dormant'",
                            long_ago, long_ago, long_ago)
        # Expired: a new sign-in is refused at once.
        expect(k.signin(), 401, "invalid_credentials")
        expect(auditor.post("/api/v1/account-review"), 403, "forbidden")
        r = expect(admin.post("/api/v1/account-review"), 200)
        check(r.json["disabled_now"] == 2, r)
        got = {a["account"]: a for a in r.json["accounts"]}
        check(set(got) == {"kong.end", "dong.dormant"}, got)
        check(got["kong.end"]["status"] == "disabled" and
              got["kong.end"]["status_reason"] == "expired", got)
        check(got["dong.dormant"]["status_reason"] == "dormant", got)
        # The report stays; nobody else was touched.
        r = expect(auditor.get("/api/v1/account-review"), 200)
        check(r.json["disabled_now"] == 0 and
              {a["account"] for a in r.json["accounts"]} == {"kong.end", "dong.dormant"}, r)
        check(admin.get("/api/v1/accounts/fresh.one").json["status"] == "active")
        expect(fresh.get("/api/v1/units"), 200)
        # Their live sessions ended with the accounts.
        expect(k.get("/api/v1/session"), 401, "unauthenticated")
        expect(d.get("/api/v1/session"), 401, "unauthenticated")
        expect(d.signin(), 401, "invalid_credentials")
        # An expired account cannot simply be enabled again; a dormant one can.
        expect(admin.post("/api/v1/accounts/kong.end/enable"), 409, "end_date_passed")
        expect(admin.post("/api/v1/accounts/dong.dormant/enable"), 204)
        expect(d.signin(), 201)
        expect(k.signin(), 401, "invalid_credentials")
        ev = srv.audit("action = 'account.disable'")
        check(sorted(e["reason"] for e in ev) == ["dormant", "expired"], ev)
        ev = srv.audit("action = 'session.create' and account = 'kong.end'")
        check(ev[-1]["reason"] == "account_disabled" and ev[-2]["reason"] == "account_expired",
              [e["reason"] for e in ev])


# ---- ACC-11: jurisdiction ----

def test_acc11_county_administrator_acts_only_in_their_county(tmp):
    with Server(tmp, init_args=with_units(tmp)) as srv:
        admin = srv.setup_admin()
        ca, _ = srv.create_account(admin, "county.a", unit=UNIT_A, roles=["app_admin"])
        ca.setup()
        srv.create_account(admin, "bob.b", unit=UNIT_B)
        srv.create_account(admin, "amy.a", unit=UNIT_A)
        srv.create_account(admin, "cat.city", unit=CITY_UNIT)
        for other in ("bob.b", "cat.city"):
            for method, path, body in (
                    ("GET", "/api/v1/accounts/%s", None),
                    ("POST", "/api/v1/accounts/%s/training", {"completed_on": today()}),
                    ("POST", "/api/v1/accounts/%s/disable", {"reason": "越权测试"}),
                    ("POST", "/api/v1/accounts/%s/password-reset", None),
                    ("POST", "/api/v1/accounts/%s/roles", {"role": "unit_user"}),
                    ("POST", "/api/v1/accounts/%s/leave", {"handover": "无"}),
                    ("POST", "/api/v1/accounts/%s/leak-report", {"note": "越权"})):
                r = expect(ca.req(method, path % other, body), 403, "forbidden",
                           what=method + " " + path % other)
                check("outside_jurisdiction" in r.message, r.message)
        expect(ca.post("/api/v1/accounts", account_body(srv, "new.b", unit=UNIT_B,
                                                        id_number=idnum("360403", seq=7))),
               403, "forbidden")
        # In their own county they administer.
        expect(ca.post("/api/v1/accounts", account_body(srv, "new.a", unit=UNIT_A)), 201)
        expect(ca.post("/api/v1/accounts/amy.a/roles", {"role": "unit_user"}), 204)
        r = expect(ca.post("/api/v1/accounts/amy.a/roles", {"role": "system_admin"}), 403,
                   "forbidden")
        check("role_needs_security_admin" in r.message, r)
        r = expect(ca.post("/api/v1/accounts/amy.a/transfer",
                           {"unit": UNIT_B, "handover": "无"}), 403, "forbidden")
        r = expect(ca.get("/api/v1/accounts"), 200)
        names = {a["account"] for a in r.json["items"]}
        check(names == {"county.a", "amy.a", "new.a"}, names)
        check(admin.get("/api/v1/accounts/bob.b").json["status"] == "active")
        check(admin.get("/api/v1/accounts/bob.b").json["roles"] == [])
        ev = srv.audit("account = 'county.a' and result = 'refused' and "
                       "reason = 'outside_jurisdiction'")
        check(len(ev) >= 15, len(ev))


# ---- units and regions ----

def test_acc11_city_credit_office_manages_units_and_regions(tmp):
    with Server(tmp, init_args=with_units(tmp)) as srv:
        admin = srv.setup_admin()
        cr, _ = srv.create_account(admin, "credit.city", roles=["credit_admin"])
        cr.setup()
        # credit_admin only in the credit office.
        srv.create_account(admin, "member.a", unit=UNIT_A)
        r = expect(admin.post("/api/v1/accounts/member.a/roles", {"role": "credit_admin"}),
                   403, "forbidden")
        check("credit_office" in r.message, r)
        r = expect(cr.post("/api/v1/regions", {"code": "360499", "name": "九江经开区"}), 201)
        check(r.json == {"code": "360499", "name": "九江经开区"}, r)
        regions = {x["code"]: x for x in expect(cr.get("/api/v1/regions"), 200).json["items"]}
        check(regions["360499"]["level"] == "county" and
              regions["360499"]["parent"] == "360400", regions.get("360499"))
        expect(cr.post("/api/v1/regions", {"code": "360499", "name": "重复"}), 409)
        r = expect(cr.post("/api/v1/regions", {"code": "440305", "name": "南山区"}), 422,
                   "invalid_field")
        expect(cr.post("/api/v1/regions", {"code": "3604", "name": "短"}), 422, "invalid_field")
        code = uscc("360499", 51, "11")
        r = expect(cr.post("/api/v1/units", {"code": code, "name": "九江经开区市场监督管理局",
                                             "region": "360499", "provides": ["XZCF"]}), 201)
        check(r.json["level"] == "county" and r.json["region"] == "360499" and
              r.json["kind"] == "member" and r.json["provides"] == ["XZCF"], r)
        r = expect(cr.get("/api/v1/units/" + code), 200)
        check(r.json["name"] == "九江经开区市场监督管理局", r)
        expect(cr.post("/api/v1/units", {"code": code[:-1] + ("0" if code[-1] != "0" else "1"),
                                         "name": "校验位错", "region": "360499"}),
               422, "invalid_field")
        expect(cr.post("/api/v1/units", {"code": uscc("360499", 52, "11"), "name": "某局",
                                         "region": "999999"}), 422, "invalid_field")
        expect(cr.post("/api/v1/units", {"code": uscc("360499", 53, "11"), "name": "某局",
                                         "region": "360499", "provides": ["NOPE"]}),
               422, "invalid_field")
        expect(cr.post("/api/v1/units", {"code": code, "name": "重复", "region": "360499"}),
               409)
        expect(cr.req("PATCH", "/api/v1/units/" + code, {"provides_add": ["XZXK"]}), 204)
        r = expect(cr.get("/api/v1/units/" + code), 200)
        check(sorted(r.json["provides"]) == ["XZCF", "XZXK"], r)
        # Others may not, whatever their other powers.
        user, _ = srv.create_account(admin, "user.a", unit=UNIT_A, roles=["unit_user"])
        user.setup()
        for who in (admin, user):
            expect(who.post("/api/v1/regions", {"code": "360498", "name": "某区"}), 403,
                   "forbidden")
            expect(who.post("/api/v1/units", {"code": uscc("360402", 61, "11"),
                                              "name": "某局", "region": "360402"}),
                   403, "forbidden")
            expect(who.req("PATCH", "/api/v1/units/" + code, {"name": "改名"}), 403,
                   "forbidden")
        expect(user.get("/api/v1/units"), 200)
        ev = srv.audit("action in ('unit.create', 'region.create') and result = 'ok' "
                       "and client <> 'local'")
        check(len(ev) == 2 and all(e["account"] == "credit.city" for e in ev), ev)


# ---- AUD-1, AUD-3 ----

def test_aud1_every_authenticated_request_leaves_an_event(tmp):
    with Server(tmp) as srv:
        admin = srv.setup_admin()
        srv.create_account(admin, "he.jiu", roles=["unit_user"])
        code = srv.office_code()
        silent = []
        for method, path, body in (
                ("GET", "/api/v1/session", None),
                ("GET", "/api/v1/roles", None),
                ("GET", "/api/v1/accounts", None),
                ("GET", "/api/v1/accounts/he.jiu", None),
                ("GET", "/api/v1/accounts/nobody.here", None),
                ("GET", "/api/v1/units", None),
                ("GET", "/api/v1/units/" + code, None),
                ("GET", "/api/v1/units/NOPE", None),
                ("GET", "/api/v1/regions", None),
                ("GET", "/api/v1/incidents", None),
                ("GET", "/api/v1/account-review", None),
                ("POST", "/api/v1/accounts/he.jiu/disable", {"reason": "测试"}),
                ("POST", "/api/v1/accounts/he.jiu/enable", None),
                ("DELETE", "/api/v1/accounts/he.jiu/roles/unit_user", None),
                ("DELETE", "/api/v1/accounts/he.jiu/roles/unit_user", None),  # not held
                ("POST", "/api/v1/accounts/he.jiu/roles", {"role": "unit_user"}),
                ("POST", "/api/v1/accounts/he.jiu/roles", {"role": "unit_user"}),  # held
                ("POST", "/api/v1/accounts/he.jiu/enable", None),  # not disabled
                ("POST", "/api/v1/accounts/he.jiu/training",
                 {"completed_on": "2999-01-01"}),  # a date to come
                ("POST", "/api/v1/accounts", {"name": "bad.id", "real_name": "某人",
                                              "id_number": "360402198001011230",
                                              "unit": code}),  # bad check digit
                ("POST", "/api/v1/regions", {"code": "440305", "name": "南山区"})):
            before = len(srv.audit("account = ?", admin.name))
            r = admin.req(method, path, body)
            after = srv.audit("account = ?", admin.name)
            if len(after) == before:
                silent.append("%s %s (%d)" % (method, path, r.status))
                continue
            check(after[-1]["client"].startswith("127.0.0.1:") and
                  after[-1]["unit"] == code and after[-1]["real_name"] == "张安全", after[-1])
        check(not silent, "no audit event for: " + ", ".join(silent))


def test_aud1_a_scenario_is_in_the_trail_and_the_chain_verifies(tmp):
    srv = Server(tmp)
    with srv:
        admin = srv.setup_admin()
        u, _ = srv.create_account(admin, "lu.shi", roles=["unit_user"])
        expect(admin.post("/api/v1/accounts/lu.shi/roles", {"role": "developer"}), 409,
               "role_conflict")
        expect(srv.signin("lu.shi", "Wrong-Pass#2024"), 401)
        u.setup()
        expect(u.get("/api/v1/accounts"), 403, "forbidden")
        expect(srv.req("GET", "/api/v1/accounts", token="xy_" + "Q" * 43), 401)
        secrets = [admin.password, u.password, srv.initial["security_admin"][1], u.secret]
    rows = srv.audit()
    acts = {(e["action"], e["result"]) for e in rows}
    for want in (("server.start", "ok"), ("session.create", "ok"),
                 ("session.create", "refused"), ("session.password", "ok"),
                 ("session.totp.begin", "ok"), ("session.totp.confirm", "ok"),
                 ("session.identity", "ok"), ("account.create", "ok"),
                 ("account.training", "ok"), ("account.agreement", "ok"),
                 ("account.activate", "ok"), ("role.grant", "ok"), ("role.grant", "refused"),
                 ("account.list", "refused"), ("http.refused", "refused"),
                 ("server.stop", "ok")):
        check(want in acts, "missing %r" % (want,))
    mine = [e for e in rows if e["action"] == "account.create" and e["account"] == admin.name]
    check(mine and json.loads(mine[0]["object"])["account"] == "lu.shi", mine)
    check(all(e["zone"] for e in rows), "zone recorded")
    dump = json.dumps(rows, default=str, ensure_ascii=False) + srv.server_log()
    for s in secrets:
        check(s not in dump, "a secret is in the audit trail or the log")
    p = run("audit", "verify", srv.dir)
    check(p.returncode == 0, p.stdout + p.stderr)


if __name__ == "__main__":
    sys.exit(run_all())
