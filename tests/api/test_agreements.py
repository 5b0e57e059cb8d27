"""Black-box tests of use agreements and purposes (SHR-5): the purposes a
query names come from one code list; the credit office records which
datasets a using unit may query for which purposes and for how long, and
ends them; county offices act in their county only; every act and refusal
is audited."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from codes import uscc  # noqa: E402
from xyapi import Server, china_today, expect  # noqa: E402
from xytest import check, run_all  # noqa: E402

C02 = uscc("360402", 41, "11")   # a using unit in 濂溪区
C03 = uscc("360403", 42, "11")   # a using unit in 浔阳区


def with_units(tmp):
    path = os.path.join(tmp, "units.csv")
    with open(path, "w", encoding="utf-8") as f:
        f.write("code,name,region,provides\n"
                "%s,九江市濂溪区住房和城乡建设局,360402,\n"
                "%s,九江市浔阳区财政局,360403,\n" % (C02, C03))
    return ("--units", path)


def body(unit=C02, **kw):
    b = {"unit": unit, "datasets": ["XZCF", "XZXK"],
         "purposes": ["daily_supervision", "bidding"], "valid_from": china_today(),
         "valid_to": china_today(365), "document": "九江信用共享使用协议〔2026〕12号"}
    b.update(kw)
    return b


def credit_admin(srv, admin, name):
    u, _ = srv.create_account(admin, name, roles=("credit_admin",))
    return u.setup()


def test_shr5_purposes_are_one_code_list(tmp):
    with Server(tmp) as srv:
        admin = srv.setup_admin()
        r = expect(admin.get("/api/v1/purposes"), 200)
        codes = {p["code"]: p["name_zh"] for p in r.json["purposes"]}
        for zh in ("行政审批", "日常监管", "招标投标", "评优评先", "公共资源交易",
                   "财政资金安排", "表彰奖励", "联合奖惩"):
            check(zh in codes.values(), "%s missing from %r" % (zh, codes))
        expect(srv.req("GET", "/api/v1/purposes"), 401, "unauthenticated")


def test_shr5_credit_office_records_lists_and_ends_an_agreement(tmp):
    with Server(tmp, init_args=with_units(tmp)) as srv:
        admin = srv.setup_admin()
        ca = credit_admin(srv, admin, "xyb.li")
        r = expect(ca.post("/api/v1/agreements", body()), 201)
        aid = r.json["id"]
        r = expect(ca.get("/api/v1/agreements?unit=" + C02), 200)
        (item,) = r.json["items"]
        check(item["id"] == aid and item["unit"] == C02 and item["in_force"], item)
        check(len(item["lines"]) == 4, item["lines"])
        check({"dataset": "XZCF", "purpose": "bidding"} in item["lines"], item["lines"])
        ev = srv.audit("action = 'agreement.create' and account = 'xyb.li'")
        check(len(ev) == 1 and '"lines":4' in ev[0]["object"], ev)
        expect(ca.post("/api/v1/agreements/%d/end" % aid, {"reason": "协议到期前解除"}), 204)
        r = expect(ca.get("/api/v1/agreements?unit=" + C02), 200)
        check(r.json["items"][0]["in_force"] is False, r.json)
        expect(ca.post("/api/v1/agreements/%d/end" % aid, {"reason": "again"}), 409,
               "already_ended")
        expect(ca.post("/api/v1/agreements/999999/end", {"reason": "x"}), 404, "not_found")


def test_shr5_bad_agreements_are_refused_naming_the_field(tmp):
    with Server(tmp, init_args=with_units(tmp)) as srv:
        admin = srv.setup_admin()
        ca = credit_admin(srv, admin, "xyb.wang")
        cases = [
            (body(unit="91360400MA00000000"), "unit"),
            (body(unit=srv.office_code()), "unit"),
            (body(datasets=[]), "datasets"),
            (body(datasets=["NOPE"]), "datasets"),
            (body(datasets="XZCF"), "datasets"),
            (body(purposes=["curiosity"]), "purposes"),
            (body(purposes=[1]), "purposes"),
            (body(valid_from="2026-02-30"), "valid_from"),
            (body(valid_to=china_today(-1)), "valid_to"),
            (body(valid_from=china_today(10), valid_to=china_today(5)), "valid_to"),
            (body(document=""), "document"),
            (body(document="a\nb"), "document"),
            (body(datasets=["XZCF", "XZCF"]), "duplicate_line"),
        ]
        for b, field in cases:
            r = expect(ca.post("/api/v1/agreements", b), 422, "invalid_field", what=field)
            check(field in r.message, (field, r.message))
        expect(ca.post("/api/v1/agreements", dict(body(), extra=1)), 400, "unknown_field")
        check(srv.db().execute("select count(*) from agreements").fetchone()[0] == 0,
              "nothing of a refused agreement is stored")


def test_shr5_only_the_credit_office_records_agreements_in_its_jurisdiction(tmp):
    with Server(tmp, init_args=with_units(tmp)) as srv:
        admin = srv.setup_admin()
        # Not a credit administrator: the security administrator, a unit user.
        expect(admin.post("/api/v1/agreements", body()), 403, "forbidden")
        user, _ = srv.create_account(admin, "c02.user", unit=C02, roles=("unit_user",))
        user.setup()
        expect(user.post("/api/v1/agreements", body()), 403, "forbidden")
        ca = credit_admin(srv, admin, "xyb.zhao")
        expect(ca.post("/api/v1/agreements", body(unit=C03)), 201)
        expect(ca.post("/api/v1/agreements", body(unit=C02)), 201)
        # The unit's own staff see their agreements, not another unit's.
        r = expect(user.get("/api/v1/agreements"), 200)
        check([i["unit"] for i in r.json["items"]] == [C02], r.json)
        refused = srv.audit("action = 'agreement.create' and result = 'refused'")
        check(len(refused) == 2, refused)


if __name__ == "__main__":
    sys.exit(run_all())
