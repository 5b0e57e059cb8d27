"""Black-box tests of the portal's sections (POR-5): notices (通知公告) and
policy pages (政策法规) are managed by the credit office, each naming its
responsible unit and the period within which it must be updated; a report
lists those not updated within their period.  Unit users, auditors and
other staff may read them but not change them; a county office manages only
its county's sections; wrong input is refused naming the field; every act
and every refusal is audited (AUD-1)."""
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from codes import uscc  # noqa: E402
from xyapi import Server, china_today, expect  # noqa: E402
from xytest import check, run_all  # noqa: E402

C02 = uscc("360402", 41, "11")   # 濂溪区市场监督管理局 (a county unit)
C03 = uscc("360403", 42, "11")   # 浔阳区财政局 (another county)
C02_OFFICE = uscc("360402", 43, "11")  # 濂溪区信用办 (a county credit office)
DAY_US = 86400 * 1000000


def with_units(tmp):
    path = os.path.join(tmp, "units.csv")
    with open(path, "w", encoding="utf-8") as f:
        f.write("code,name,region,provides\n"
                "%s,九江市濂溪区市场监督管理局,360402,XZCF\n"
                "%s,九江市浔阳区财政局,360403,\n" % (C02, C03))
    return ("--units", path)


def section(id="notice-1", **kw):
    b = {"id": id, "kind": "notice", "title": "关于开展2026年度信用承诺工作的通知",
         "body": "各有关单位：\n\n现将有关事项通知如下。\n\n九江市信用办", "unit": C02,
         "period_days": 30}
    b.update(kw)
    return b


def replacement(**kw):
    b = section()
    del b["id"]
    b.update(kw)
    return b


def credit_admin(srv, admin, name, unit=None):
    u, _ = srv.create_account(admin, name, unit=unit, roles=("credit_admin",))
    return u.setup()


def put(user, path, body):
    return user.req("PUT", path, body)


def events(srv, action, account=None):
    where = "action = ?" + (" and account = ?" if account else "")
    return srv.audit(where, *((action, account) if account else (action,)))


def test_por5_credit_admin_creates_updates_and_removes_a_section(tmp):
    with Server(tmp, init_args=with_units(tmp)) as srv:
        admin = srv.setup_admin()
        ca = credit_admin(srv, admin, "xyb.li")
        r = expect(ca.post("/api/v1/sections", section()), 201)
        check(r.json == {"id": "notice-1"}, r.json)
        expect(ca.post("/api/v1/sections", section("policy-credit-repair", kind="policy",
                                                   title="九江市信用修复管理办法",
                                                   unit=C03, period_days=365)), 201)
        r = expect(ca.get("/api/v1/sections"), 200)
        items = {i["id"]: i for i in r.json["items"]}
        check(sorted(items) == ["notice-1", "policy-credit-repair"] and r.json["next"] is None,
              r.json)
        n = items["notice-1"]
        check(n["kind"] == "notice" and n["unit"] == C02 and
              n["unit_name"] == "九江市濂溪区市场监督管理局" and n["period_days"] == 30 and
              n["due"] == china_today(30) and "body" not in n, n)
        r = expect(ca.get("/api/v1/sections/notice-1"), 200)
        check(r.json["body"] == section()["body"] and r.json["title"] == section()["title"],
              r.json)
        first_update = r.json["updated_at"]
        # The same id again: refused while the section is in place.
        expect(ca.post("/api/v1/sections", section()), 409, "id_taken")
        # A full replacement: title, body, unit, period.
        time.sleep(1.1)
        expect(put(ca, "/api/v1/sections/notice-1",
                   replacement(title="关于开展信用承诺工作的补充通知", body="补充内容。",
                               unit=C03, period_days=7)), 204)
        r = expect(ca.get("/api/v1/sections/notice-1"), 200)
        check(r.json["title"] == "关于开展信用承诺工作的补充通知" and
              r.json["body"] == "补充内容。" and r.json["unit"] == C03 and
              r.json["period_days"] == 7 and r.json["updated_at"] > first_update and
              r.json["created_at"] == first_update, r.json)
        # Removed: gone from reads, its id free again.
        expect(ca.delete("/api/v1/sections/notice-1"), 204)
        expect(ca.get("/api/v1/sections/notice-1"), 404, "not_found")
        expect(ca.delete("/api/v1/sections/notice-1"), 404, "not_found")
        expect(put(ca, "/api/v1/sections/notice-1", replacement()), 404, "not_found")
        r = expect(ca.get("/api/v1/sections"), 200)
        check([i["id"] for i in r.json["items"]] == ["policy-credit-repair"], r.json)
        expect(ca.post("/api/v1/sections", section()), 201)
        # Paging by id.
        r = expect(ca.get("/api/v1/sections?limit=1"), 200)
        check([i["id"] for i in r.json["items"]] == ["notice-1"] and
              r.json["next"] == "notice-1", r.json)
        r = expect(ca.get("/api/v1/sections?limit=1&after=notice-1"), 200)
        check([i["id"] for i in r.json["items"]] == ["policy-credit-repair"], r.json)
        expect(ca.get("/api/v1/sections?limit=0"), 400, "bad_request")
        # Each act left its event, with the section and its unit (AUD-1).
        ev = events(srv, "section.create", "xyb.li")
        check([(e["result"], json.loads(e["object"])["section"]) for e in ev] ==
              [("ok", "notice-1"), ("ok", "policy-credit-repair"), ("refused", "notice-1"),
               ("ok", "notice-1")], ev)
        check(ev[2]["reason"] == "id_taken", ev[2])
        check(json.loads(ev[0]["object"]) == {"section": "notice-1", "unit": C02}, ev[0])
        ev = events(srv, "section.update", "xyb.li")
        check([(e["result"], e["reason"]) for e in ev] ==
              [("ok", None), ("refused", "no_such_section")], ev)
        check(json.loads(ev[0]["object"]) == {"section": "notice-1", "unit": C03}, ev[0])
        ev = events(srv, "section.remove", "xyb.li")
        check([(e["result"], e["reason"]) for e in ev] ==
              [("ok", None), ("refused", "no_such_section")], ev)
        check(len(events(srv, "section.read", "xyb.li")) == 3, "section.read events")
        check(len(events(srv, "section.list", "xyb.li")) == 4, "section.list events")
        # The removed row stays, marked, with who removed it.
        row = srv.db().execute("select count(*) from sections where removed_at is not null"
                               ).fetchone()[0]
        check(row == 0, "the id taken again reuses the removed row")


def test_por5_refused_for_a_unit_user_and_an_auditor(tmp):
    with Server(tmp, init_args=with_units(tmp)) as srv:
        admin = srv.setup_admin()
        ca = credit_admin(srv, admin, "xyb.wang")
        expect(ca.post("/api/v1/sections", section()), 201)
        user, _ = srv.create_account(admin, "c02.user", unit=C02, roles=("unit_user",))
        user.setup()
        op, _ = srv.create_account(admin, "c02.op", unit=C02, roles=("provider_operator",))
        op.setup()
        auditor = srv.setup_admin("auditor", real_name="王审计")
        for who, name in ((user, "c02.user"), (op, "c02.op"), (auditor, auditor.name),
                          (admin, admin.name)):
            # Even the responsible unit's own staff: the credit office publishes.
            expect(who.post("/api/v1/sections", section("notice-2")), 403, "forbidden",
                   what=name)
            expect(put(who, "/api/v1/sections/notice-1", replacement(title="改")), 403,
                   "forbidden", what=name)
            expect(who.delete("/api/v1/sections/notice-1"), 403, "forbidden", what=name)
            # Reading is for staff: sections are public once published.
            r = expect(who.get("/api/v1/sections"), 200, what=name)
            check([i["id"] for i in r.json["items"]] == ["notice-1"], r.json)
            expect(who.get("/api/v1/sections/notice-1"), 200, what=name)
            expect(who.get("/api/v1/sections/overdue"), 200, what=name)
            for action in ("section.create", "section.update", "section.remove"):
                ev = events(srv, action, name)
                check(len(ev) == 1 and ev[0]["result"] == "refused" and
                      ev[0]["reason"] == "no_rule_allows", (name, action, ev))
        r = expect(ca.get("/api/v1/sections/notice-1"), 200)
        check(r.json["title"] == section()["title"], "nothing a refused act sent is stored")
        check(srv.db().execute("select count(*) from sections").fetchone()[0] == 1,
              "no second section")
        expect(srv.req("GET", "/api/v1/sections"), 401, "unauthenticated")


def test_por5_county_office_manages_its_county_sections_only(tmp):
    with Server(tmp, init_args=with_units(tmp)) as srv:
        admin = srv.setup_admin()
        city = credit_admin(srv, admin, "xyb.city")
        expect(city.post("/api/v1/units", {"code": C02_OFFICE, "name": "九江市濂溪区信用办",
                                           "region": "360402", "kind": "credit_office"}), 201)
        county = credit_admin(srv, admin, "lx.credit", unit=C02_OFFICE)
        expect(county.post("/api/v1/sections", section("lx-notice")), 201)
        r = expect(county.post("/api/v1/sections", section("xy-notice", unit=C03)), 403,
                   "forbidden")
        check("outside_jurisdiction" in r.message, r.message)
        expect(city.post("/api/v1/sections", section("city-notice", unit=C03)), 201)
        # Neither taking the city's section nor handing its own to another county.
        expect(put(county, "/api/v1/sections/city-notice", replacement(unit=C02)), 403,
               "forbidden")
        expect(put(county, "/api/v1/sections/lx-notice", replacement(unit=C03)), 403,
               "forbidden")
        expect(county.delete("/api/v1/sections/city-notice"), 403, "forbidden")
        expect(put(county, "/api/v1/sections/lx-notice", replacement(title="新标题")), 204)
        # The city office manages every section.
        expect(put(city, "/api/v1/sections/lx-notice", replacement(period_days=90)), 204)
        expect(city.delete("/api/v1/sections/lx-notice"), 204)
        refused = srv.audit("action like 'section.%' and result = 'refused'"
                            " and reason = 'outside_jurisdiction'")
        check(len(refused) == 4 and all(e["account"] == "lx.credit" for e in refused), refused)


def test_por5_wrong_input_is_refused_naming_the_field(tmp):
    with Server(tmp, init_args=with_units(tmp)) as srv:
        admin = srv.setup_admin()
        ca = credit_admin(srv, admin, "xyb.zhao")
        cases = [
            (section(id=None), "id"),
            (section(id=""), "id"),
            (section(id="Notice"), "id"),
            (section(id="notice_1"), "id"),
            (section(id="a" * 65), "id"),
            (section(id="通知"), "id"),
            (section(id="overdue"), "id"),
            (section(id=7), "id"),
            (section(kind="news"), "kind"),
            (section(kind=None), "kind"),
            (section(title=""), "title"),
            (section(title="   "), "title"),
            (section(title="标" * 201), "title"),
            (section(title="第一行\n第二行"), "title"),
            (section(title="a\tb"), "title"),
            (section(title=["x"]), "title"),
            (section(body=None), "body"),
            (section(body="\n\n"), "body"),
            (section(body="x" * 65537), "body"),
            (section(body="行一\r\n行二"), "body"),
            (section(body="响铃\u0007"), "body"),
            (section(body="C1\u0085"), "body"),
            (section(body="tab\there"), "body"),
            (section(period_days=0), "period_days"),
            (section(period_days=3651), "period_days"),
            (section(period_days="30"), "period_days"),
            (section(period_days=1.5), "period_days"),
            (section(period_days=None), "period_days"),
            (section(unit="91360400MA00000000"), "unit"),
            (section(unit=None), "unit"),
            (section(unit="x" * 100), "unit"),
        ]
        for b, field in cases:
            r = expect(ca.post("/api/v1/sections", b), 422, "invalid_field",
                       what="%s %r" % (field, b.get(field)))
            check('"%s"' % field in r.message, (field, r.message))
        # Limits are inclusive: 200 characters, 64 KiB, 1 and 3650 days, 64 bytes of id.
        expect(ca.post("/api/v1/sections", section("a" * 64, title="标" * 200,
                                                   body="x" * 65536, period_days=3650)), 201)
        expect(ca.post("/api/v1/sections", section("b", period_days=1)), 201)
        # Invalid UTF-8 cannot reach a service: the JSON layer refuses it.
        raw = ('{"id":"c","kind":"notice","title":"\xff","body":"x","unit":"%s",'
               '"period_days":3}' % C02).encode("latin-1")
        expect(ca.req("POST", "/api/v1/sections", raw=raw), 400, "malformed_json")
        expect(ca.post("/api/v1/sections", dict(section("d"), extra=1)), 400, "unknown_field")
        # The same for a replacement; the id of the path must be a section.
        for b, field in [(replacement(kind="x"), "kind"), (replacement(title=""), "title"),
                         (replacement(period_days=-1), "period_days"),
                         (replacement(unit=C03 + "0"), "unit")]:
            r = expect(put(ca, "/api/v1/sections/b", b), 422, "invalid_field", what=field)
            check('"%s"' % field in r.message, (field, r.message))
        expect(put(ca, "/api/v1/sections/b", section()), 400, "unknown_field")
        expect(put(ca, "/api/v1/sections/nope", replacement()), 404, "not_found")
        expect(ca.get("/api/v1/sections/NOPE"), 404, "not_found")
        check(srv.db().execute("select count(*) from sections").fetchone()[0] == 2,
              "nothing of a refused section is stored")
        # Each refusal is audited with the field at fault.
        ev = events(srv, "section.create", "xyb.zhao")
        reasons = [e["reason"] for e in ev if e["result"] == "refused"]
        check(len(reasons) == len(cases), (len(reasons), len(cases)))
        for (_, field), reason in zip(cases, reasons):
            check(reason == "invalid_" + field, (field, reason))
        bad_id = [json.loads(e["object"]) for e in ev if e["reason"] == "invalid_id"]
        check(all(o["section"] in (None, "overdue") for o in bad_id), bad_id)
        ev = events(srv, "section.update", "xyb.zhao")
        check([e["reason"] for e in ev] == ["invalid_kind", "invalid_title",
                                            "invalid_period_days", "invalid_unit",
                                            "no_such_section"], ev)


def test_por5_overdue_sections_are_reported(tmp):
    with Server(tmp, init_args=with_units(tmp)) as srv:
        admin = srv.setup_admin()
        ca = credit_admin(srv, admin, "xyb.sun")
        expect(ca.post("/api/v1/sections", section("fresh", period_days=30)), 201)
        expect(ca.post("/api/v1/sections", section("due-today", period_days=30)), 201)
        expect(ca.post("/api/v1/sections", section("late-1", period_days=7, unit=C03)), 201)
        expect(ca.post("/api/v1/sections", section("late-40", kind="policy",
                                                   period_days=90)), 201)
        expect(ca.post("/api/v1/sections", section("removed", period_days=1)), 201)
        r = expect(ca.get("/api/v1/sections/overdue"), 200)
        check(r.json == {"as_of": china_today(), "items": [], "truncated": False}, r.json)
        # Time passes (sections are not row-tagged: no re-tag needed).
        now = int(time.time() * 1000000)
        for sid, days in (("due-today", 30), ("late-1", 8), ("late-40", 130), ("removed", 50)):
            srv.sql_write("update sections set updated_at = ? where id = ?",
                          now - days * DAY_US, sid)
        expect(ca.delete("/api/v1/sections/removed"), 204)
        r = expect(ca.get("/api/v1/sections/overdue"), 200)
        items = r.json["items"]
        check([(i["id"], i["days_overdue"]) for i in items] == [("late-40", 40), ("late-1", 1)],
              items)
        late = items[0]
        check(late["unit"] == C02 and late["unit_name"] == "九江市濂溪区市场监督管理局" and
              late["kind"] == "policy" and late["period_days"] == 90 and
              late["due"] == china_today(-40), late)
        check(items[1]["unit"] == C03 and items[1]["unit_name"] == "九江市浔阳区财政局",
              items[1])
        # Anyone of the staff may read it (the auditor here).
        auditor = srv.setup_admin("auditor", real_name="王审计")
        r2 = expect(auditor.get("/api/v1/sections/overdue"), 200)
        check(r2.json["items"] == items, r2.json)
        # An update starts the period again.
        expect(put(ca, "/api/v1/sections/late-40", replacement(period_days=90)), 204)
        r = expect(ca.get("/api/v1/sections/overdue"), 200)
        check([i["id"] for i in r.json["items"]] == ["late-1"], r.json)
        ev = events(srv, "section.overdue", "xyb.sun")
        check([json.loads(e["object"])["overdue"] for e in ev] == [0, 2, 1], ev)
        check(events(srv, "section.overdue", auditor.name)[0]["result"] == "ok", "auditor")


def test_por5_every_act_and_refusal_is_audited_before_the_answer(tmp):
    """Refusals by the policy, wrong input and unknown ids each leave one
    event of the section's action, and no request leaves a section act
    unrecorded (the fallback event of api_handle is never needed)."""
    with Server(tmp, init_args=with_units(tmp)) as srv:
        admin = srv.setup_admin()
        ca = credit_admin(srv, admin, "xyb.qian")
        expect(ca.post("/api/v1/sections", section()), 201)
        expect(ca.post("/api/v1/sections", section(kind="x")), 422)
        expect(admin.post("/api/v1/sections", section("n2")), 403)
        expect(put(ca, "/api/v1/sections/notice-1", replacement()), 204)
        expect(put(ca, "/api/v1/sections/zzz", replacement()), 404)
        expect(ca.delete("/api/v1/sections/zzz"), 404)
        expect(ca.get("/api/v1/sections/zzz"), 404)
        expect(ca.get("/api/v1/sections/notice-1"), 200)
        expect(ca.delete("/api/v1/sections/notice-1"), 204)
        fallback = srv.audit("action like '% /api/v1/sections%'")
        check(fallback == [], fallback)
        ev = srv.audit("action like 'section.%'")
        got = [(e["action"], e["result"], e["reason"]) for e in ev]
        check(got == [("section.create", "ok", None),
                      ("section.create", "refused", "invalid_kind"),
                      ("section.create", "refused", "no_rule_allows"),
                      ("section.update", "ok", None),
                      ("section.update", "refused", "no_such_section"),
                      ("section.remove", "refused", "no_such_section"),
                      ("section.read", "refused", "no_such_section"),
                      ("section.read", "ok", None),
                      ("section.remove", "ok", None)], got)
        for e in ev:
            check(e["real_name"] and e["unit"] and e["client"].startswith("127.0.0.1:"), e)


if __name__ == "__main__":
    sys.exit(run_all())
