"""Black-box tests of authorisations (SHR-3, SOD-4, SHR-4): a using unit
asks the providing unit for authorised-use records (自然人公共事业欠费, GRQF);
they stay invisible until the provider approves; an approval is a grant
with a start and an end, after which access stops by itself; clear values
only when asked for with a reason and granted; the provider may revoke;
nobody else decides, and one decision only."""
import os
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from codes import idnum, uscc  # noqa: E402
from xyapi import Server, china_today, expect  # noqa: E402
from xytest import check, run, run_all  # noqa: E402

P_W = uscc("360402", 903, "11")      # 濂溪区自来水公司: provides GRQF (county 360402)
P_X = uscc("360403", 904, "11")      # 浔阳区燃气公司: provides GRQF (county 360403)
U_LX = uscc("360402", 41, "11")      # 濂溪区住房和城乡建设局
U_XY = uscc("360403", 42, "11")      # 浔阳区财政局
PERSON1 = idnum("360402", "19800101", 11)
PERSON2 = idnum("360402", "19810202", 12)
PURPOSE = "daily_supervision"
PATH = "/api/v1/authorisations"

GRQF = ["GRQF_XM", "GRQF_ZJLX", "GRQF_ZJHM", "GRQF_LXDH", "GRQF_ZZ", "GRQF_QFLX", "GRQF_HH",
        "GRQF_QFJE", "GRQF_QFQSRQ", "GRQF_TJRQ", "GRQF_SJLY", "GRQF_SJLYDM"]


def arrears(name, number, account):
    return [name, "身份证", number, "18012341999", "九江市濂溪区莲花路1号", "水费", account,
            "356.20", "2026-01-01", "2026-10-31", "九江市濂溪区自来水公司", P_W]


def instance(tmp):
    units = os.path.join(tmp, "units.csv")
    with open(units, "w", encoding="utf-8") as f:
        f.write("code,name,region,provides\n"
                "%s,九江市濂溪区自来水公司,360402,GRQF\n"
                "%s,九江市浔阳区燃气公司,360403,GRQF\n"
                "%s,九江市濂溪区住房和城乡建设局,360402,\n"
                "%s,九江市浔阳区财政局,360403,\n" % (P_W, P_X, U_LX, U_XY))
    srv = Server(tmp, init_args=("--units", units), start=False)
    path = os.path.join(tmp, "grqf.csv")
    with open(path, "w", encoding="utf-8") as f:
        f.write(",".join(GRQF) + "\n")
        f.write(",".join(arrears("段一", PERSON1, "880001234567")) + "\n")
        f.write(",".join(arrears("段二", PERSON2, "880007654321")) + "\n")
    p = run("import", srv.dir, "--dataset", "GRQF", "--unit", P_W, path)
    check(p.returncode == 0, p.stdout + p.stderr)
    return srv.start()


def user(srv, admin, name, unit, role="unit_user"):
    u, _ = srv.create_account(admin, name, unit=unit, roles=(role,))
    return u.setup()


def people(srv, agree_units=(U_LX,)):
    admin = srv.setup_admin()
    ca = user(srv, admin, "xyb.chen", None, role="credit_admin")
    for unit in agree_units:
        expect(ca.post("/api/v1/agreements", {
            "unit": unit, "datasets": ["GRQF", "XZCF"], "purposes": [PURPOSE],
            "valid_from": china_today(), "valid_to": china_today(365),
            "document": "九江信用共享使用协议〔2026〕7号"}), 201)
    lx = user(srv, admin, "lx.zhou", U_LX)
    op = user(srv, admin, "water.op", P_W, role="provider_operator")
    return admin, ca, lx, op


def ask(u, **kw):
    b = {"dataset": "GRQF", "provider": P_W, "purpose": PURPOSE, "subjects": [PERSON1],
         "valid_from": china_today(), "valid_to": china_today(30),
         "reason": "核查保障性住房申请人欠费情况"}
    b.update(kw)
    return u.post(PATH, {k: v for k, v in b.items() if v is not None})


def q(u, code):
    return u.get("/api/v1/subjects/%s?purpose=%s" % (code, PURPOSE))


def test_shr3_authorised_use_needs_a_grant_asked_approved_and_expiring(tmp):
    with instance(tmp) as srv:
        admin, ca, lx, op = people(srv)
        expect(q(lx, PERSON1), 404, "not_found")
        rid = expect(ask(lx), 201).json["id"]
        expect(q(lx, PERSON1), 404, "not_found")  # asked is not approved
        r = expect(op.get("%s/%d" % (PATH, rid)), 200)
        check(r.json["state"] == "submitted" and r.json["requester"] == "lx.zhou"
              and r.json["provider"] == P_W and r.json["subjects_asked"] == 1, r.json)
        r = expect(op.get(PATH + "?state=submitted"), 200)
        check([i["id"] for i in r.json["items"]] == [rid], r.json)
        expect(op.post("%s/%d/approve" % (PATH, rid), {"note": "同意，限期使用"}), 204)
        r = expect(q(lx, PERSON1), 200)
        rec = r.json["datasets"][0]["records"][0]
        check(rec["basis"] == "authorised_by_grant" and rec["grant"] and not rec["clear"], rec)
        f = rec["fields"]
        check(f["GRQF_ZJHM"] == PERSON1[:6] + "*" * 8 + PERSON1[-4:]
              and f["GRQF_LXDH"] == "180****1999" and f["GRQF_XM"] == "段*"
              and f["GRQF_ZZ"] is None and f["GRQF_HH"] == "********4567", f)
        # The grant names one person: the other stays invisible.
        expect(q(lx, PERSON2), 404, "not_found")
        r = expect(lx.get("%s/%d" % (PATH, rid)), 200)
        (g,) = r.json["grants"]
        check(r.json["state"] == "approved" and r.json["decided_by"] == "water.op"
              and g["in_force"] and g["end"].startswith(china_today(31)), r.json)
        # The grant's end passes: access stops by itself, nothing to do.
        srv.sql_write_retag("grants", "update grants set start_at = start_at - 2000000000,"
                            " end_at = start_at - 1000000000 where id > 0")
        expect(q(lx, PERSON1), 404, "not_found")
        ev = srv.audit("action = 'subject.query' and account = 'lx.zhou' and result = 'ok'"
                       " and grant_ref like '%grant:%'")
        check(len(ev) == 1 and "agreement:" in ev[0]["grant_ref"], ev)


def test_shr4_clear_values_only_when_asked_with_a_reason_and_granted(tmp):
    with instance(tmp) as srv:
        admin, ca, lx, op = people(srv)
        expect(ask(lx, clear=True), 422, "invalid_field")
        expect(ask(lx, clear_reason="无需"), 422, "invalid_field")
        rid = expect(ask(lx, clear=True, clear_reason="需核对身份证号码与申请材料一致"), 201).json["id"]
        expect(op.post("%s/%d/approve" % (PATH, rid), {}), 204)
        rec = expect(q(lx, PERSON1), 200).json["datasets"][0]["records"][0]
        check(rec["clear"] and rec["masked"] == [] and rec["fields"]["GRQF_ZJHM"] == PERSON1
              and rec["fields"]["GRQF_XM"] == "段一", rec)


def test_sod4_only_the_providing_unit_decides_and_only_once(tmp):
    with instance(tmp) as srv:
        admin, ca, lx, op = people(srv)
        op2 = user(srv, admin, "water.op2", P_W, role="provider_operator")
        gas = user(srv, admin, "gas.op", P_X, role="provider_operator")
        rid = expect(ask(lx), 201).json["id"]
        for who in (lx, gas, ca, admin):
            expect(who.post("%s/%d/approve" % (PATH, rid), {}), 403, "forbidden")
        # Not a party: the same answer as no such request.
        expect(gas.get("%s/%d" % (PATH, rid)), 404, "not_found")
        expect(op.post("%s/%d/reject" % (PATH, rid), {}), 422, "invalid_field")
        # Two operators decide at the same moment: exactly one transition.
        out = {}

        def go(u, path, body):
            out[u.name] = u.post(path, body).status
        ts = [threading.Thread(target=go, args=(op, "%s/%d/approve" % (PATH, rid), {})),
              threading.Thread(target=go, args=(op2, "%s/%d/reject" % (PATH, rid),
                                                {"reason": "无法律依据"}))]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        check(sorted(out.values()) == [204, 409], out)
        decided = srv.audit("action in ('authorisation.approve', 'authorisation.reject')"
                            " and result = 'ok'")
        check(len(decided) == 1, decided)
        expect(op.post("%s/%d/approve" % (PATH, rid), {}), 409, "not_pending")
        refused = srv.audit("action = 'authorisation.approve' and result = 'refused'")
        check(sorted(e["account"] for e in refused) == sorted(
            ["lx.zhou", "gas.op", "xyb.chen", admin.name]), refused)
        # SOD-4: the requester is refused for asking to decide their own request.
        check({e["account"]: e["reason"] for e in refused} == {
            "lx.zhou": "own_request", "gas.op": "not_providing_unit",
            "xyb.chen": "not_providing_unit", admin.name: "not_providing_unit"}, refused)


def test_shr3_the_provider_revokes_and_access_stops(tmp):
    with instance(tmp) as srv:
        admin, ca, lx, op = people(srv)
        rid = expect(ask(lx, subjects=None, all=True), 201).json["id"]
        expect(op.post("%s/%d/revoke" % (PATH, rid), {"reason": "x"}), 409, "not_approved")
        expect(op.post("%s/%d/approve" % (PATH, rid), {}), 204)
        expect(q(lx, PERSON1), 200)
        expect(q(lx, PERSON2), 200)
        expect(lx.post("%s/%d/revoke" % (PATH, rid), {"reason": "x"}), 403, "forbidden")
        expect(op.post("%s/%d/revoke" % (PATH, rid), {"reason": "发现超范围使用"}), 204)
        expect(q(lx, PERSON1), 404)
        r = expect(lx.get("%s/%d" % (PATH, rid)), 200)
        check(r.json["state"] == "revoked" and r.json["grants"][0]["revoked_at"]
              and not r.json["grants"][0]["in_force"], r.json)
        expect(op.post("%s/%d/revoke" % (PATH, rid), {"reason": "again"}), 409, "not_approved")


def test_shr3_requests_outside_the_rules_are_refused(tmp):
    with instance(tmp) as srv:
        admin, ca, lx, op = people(srv)
        xy = user(srv, admin, "xy.wu", U_XY)
        # Another county's provider; its own county's without an agreement.
        expect(ask(xy), 403, "forbidden")
        expect(ask(xy, provider=P_X), 403, "no_agreement")
        # Not authorised-use data: nothing to authorise.
        expect(ask(lx, dataset="XZCF", provider=P_W), 422, "invalid_field")
        expect(ask(op), 403, "forbidden")
        cases = [
            (dict(dataset="NOPE"), "dataset"),
            (dict(provider=U_XY), "provider"),
            (dict(purpose="curiosity"), "purpose"),
            (dict(subjects=[]), "subjects"),
            (dict(all=True), "subjects"),
            (dict(subjects=["ok", "bad code!"]), "subjects[1]"),
            (dict(subjects=[PERSON1] * 1001), "subjects"),
            (dict(valid_from=china_today(-1)), "valid_from"),
            (dict(valid_to=china_today(400)), "valid_to"),
            (dict(valid_from=china_today(5), valid_to=china_today(4)), "valid_to"),
            (dict(reason=""), "reason"),
            (dict(all="yes", subjects=None), "all"),
        ]
        for kw, field in cases:
            r = expect(ask(lx, **kw), 422, "invalid_field", what=field)
            check('"%s"' % field in r.message, (field, r.message))
        # An unknown person is accepted like a known one: the answer does not
        # tell the asker who has records.
        r = expect(ask(lx, subjects=[idnum("360402", "19700101", 99)]), 201)
        v = expect(lx.get("%s/%d" % (PATH, r.json["id"])), 200).json
        check(v["subjects_asked"] == 1 and "subjects_known" not in v, v)
        check(srv.db().execute("select count(*) from requests").fetchone()[0] == 1,
              "nothing of a refused request is stored")


def cli(tmp, who, *args, **kw):
    env = {"HOME": tmp, "XDG_CONFIG_HOME": os.path.join(tmp, "config-" + who)}
    return run(*args, env=env, **kw)


def test_shr3_command_line_ask_approve_query(tmp):
    """`xinyong authorise`, `xinyong query`, `xinyong search` as the
    signed-in accounts: the same rules, the same answers."""
    with instance(tmp) as srv:
        admin, ca, lx, op = people(srv)
        url = "http://127.0.0.1:%d" % srv.port
        for u in (lx, op):
            p = cli(tmp, u.name, "login", "--server", url, "--account", u.name,
                    input="%s\n%s\n" % (u.password, u.next_otp()))
            check(p.returncode == 0, p.stdout + p.stderr)
        p = cli(tmp, lx.name, "query", PERSON1, "--purpose", PURPOSE)
        check(p.returncode == 1 and "not_found" in p.stderr, p.stdout + p.stderr)
        p = cli(tmp, lx.name, "authorise", "ask", "--dataset", "GRQF", "--provider", P_W,
                "--purpose", PURPOSE, "--subject", PERSON1, "--from", china_today(),
                "--to", china_today(7), "--reason", "核查欠费")
        check(p.returncode == 0 and p.stdout.startswith("request="), p.stdout + p.stderr)
        rid = p.stdout.split()[0].split("=")[1]
        p = cli(tmp, lx.name, "authorise", "approve", rid)
        check(p.returncode == 1 and "forbidden" in p.stderr, p.stdout + p.stderr)
        p = cli(tmp, op.name, "authorise", "list", "--state", "submitted")
        check(p.returncode == 0 and ("request %s  submitted" % rid) in p.stdout, p.stdout)
        p = cli(tmp, op.name, "authorise", "approve", rid, "--note", "同意")
        check(p.returncode == 0 and "approved" in p.stdout, p.stdout + p.stderr)
        p = cli(tmp, lx.name, "query", PERSON1, "--purpose", PURPOSE)
        check(p.returncode == 0 and "authorised_by_grant" in p.stdout
              and "GRQF_ZJHM" in p.stdout and "[masked]" in p.stdout
              and PERSON1 not in p.stdout, p.stdout + p.stderr)
        p = cli(tmp, lx.name, "query", PERSON1)
        check(p.returncode == 2, p.stderr)
        p = cli(tmp, lx.name, "search", "自来水", "--purpose", PURPOSE)
        check(p.returncode == 0 and p.stdout == "", p.stdout + p.stderr)


if __name__ == "__main__":
    sys.exit(run_all())
