"""Black-box tests of the query API (SHR-1, SHR-2, SHR-4, SHR-5, AUD-1):
GET /api/v1/subjects/{code}, GET /api/v1/subjects?q=, and
GET /api/v1/datasets/{code}/records.  Three market regulators (濂溪区 and
浔阳区 at county level, the city's at city level) have each penalised the
same company; who sees which of those penalties is JJ art.18 exactly."""
import os
import sys
from urllib.parse import quote

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from codes import idnum, uscc  # noqa: E402
from xyapi import Server, china_today, expect  # noqa: E402
from xytest import check, run, run_all  # noqa: E402
import xzcf  # noqa: E402

P_LX = xzcf.AUTHORITY                # 濂溪区市场监督管理局 (county 360402)
P_XY = uscc("360403", 901, "11")     # 浔阳区市场监督管理局 (county 360403)
P_CITY = uscc("360400", 902, "11")   # 九江市市场监督管理局 (city)
U_LX = uscc("360402", 41, "11")      # 濂溪区住房和城乡建设局 (using unit)
U_XY = uscc("360403", 42, "11")      # 浔阳区财政局 (using unit)
U_CITY = uscc("360400", 43, "11")    # 九江市财政局 (using unit)

SHARED = uscc("360402", 1001)        # penalised by all three regulators
ONLY_XY = uscc("360403", 2001)       # penalised by 浔阳区 only
PERSON = idnum("360402", "19800101", 5)
PURPOSE = "daily_supervision"


def with_units(tmp):
    path = os.path.join(tmp, "units.csv")
    with open(path, "w", encoding="utf-8") as f:
        f.write("code,name,region,provides\n"
                "%s,九江市濂溪区市场监督管理局,360402,XZCF\n"
                "%s,九江市浔阳区市场监督管理局,360403,XZCF\n"
                "%s,九江市市场监督管理局,360400,XZCF\n"
                "%s,九江市濂溪区住房和城乡建设局,360402,\n"
                "%s,九江市浔阳区财政局,360403,\n"
                "%s,九江市财政局,360400,\n" % (P_LX, P_XY, P_CITY, U_LX, U_XY, U_CITY))
    return ("--units", path)


def penalty(unit, n, subject=SHARED, name="九江市濂溪区测试商贸有限公司1"):
    return xzcf.legal(n, CF_XDR_SHXYM=subject, CF_XDR_MC=name, CF_CFJGDM=unit, CF_SJLYDM=unit,
                      CF_WSH="罚〔2026〕%d号" % n)


def import_rows(srv, unit, rows, tag):
    path = os.path.join(srv.tmp, "%s.csv" % tag)
    with open(path, "w", encoding="utf-8") as f:
        f.write(xzcf.to_csv(rows))
    p = run("import", srv.dir, "--dataset", "XZCF", "--unit", unit, path)
    check(p.returncode == 0, "import %s: %s %s" % (tag, p.stdout, p.stderr))


def instance(tmp):
    """The three regulators' files imported, the server started."""
    srv = Server(tmp, init_args=with_units(tmp), start=False)
    import_rows(srv, P_LX, [penalty(P_LX, 1), penalty(P_LX, 2, subject=uscc("360402", 1002),
                                                      name="九江市濂溪区示例建材有限公司"),
                            xzcf.natural(5, CF_XDR_ZJHM=PERSON, CF_WSH="罚〔2026〕5号")], "lx")
    import_rows(srv, P_XY, [penalty(P_XY, 11),
                            penalty(P_XY, 12, subject=ONLY_XY, name="九江市浔阳区隐秘贸易有限公司")],
                "xy")
    import_rows(srv, P_CITY, [penalty(P_CITY, 21)], "city")
    return srv.start()


def user(srv, admin, name, unit, role="unit_user"):
    u, _ = srv.create_account(admin, name, unit=unit, roles=(role,))
    return u.setup()


def agree(ca, unit, purposes=(PURPOSE,), datasets=("XZCF",)):
    r = expect(ca.post("/api/v1/agreements", {
        "unit": unit, "datasets": list(datasets), "purposes": list(purposes),
        "valid_from": china_today(), "valid_to": china_today(365),
        "document": "九江信用共享使用协议〔2026〕%s号" % unit[-4:]}), 201)
    return r.json["id"]


def people(srv):
    admin = srv.setup_admin()
    ca = user(srv, admin, "xyb.chen", None, role="credit_admin")
    return admin, ca


def q(u, code, purpose=PURPOSE):
    path = "/api/v1/subjects/%s" % code
    if purpose is not None:
        path += "?purpose=" + purpose
    return u.get(path)


def providers(r):
    return sorted(rec["provider"]["code"] for ds in r.json["datasets"] for rec in ds["records"])


def test_shr2_each_unit_sees_exactly_its_jurisdiction(tmp):
    with instance(tmp) as srv:
        admin, ca = people(srv)
        for unit in (U_LX, U_XY, U_CITY):
            agree(ca, unit)
        lx = user(srv, admin, "lx.zhou", U_LX)
        xy = user(srv, admin, "xy.wu", U_XY)
        city = user(srv, admin, "city.zheng", U_CITY)
        # A county unit: its county's penalty only; not the other county's,
        # not the city-level regulator's.
        r = expect(q(lx, SHARED), 200)
        check(providers(r) == [P_LX], r.json)
        check(r.json["subject"]["code"] == SHARED and r.json["subject"]["kind"] == "legal",
              r.json)
        check(r.json["datasets"][0]["code"] == "XZCF", r.json)
        rec = r.json["datasets"][0]["records"][0]
        check(rec["basis"] == "county_unit_own_county" and rec["agreement"], rec)
        check(rec["fields"]["CF_WSH"] == "罚〔2026〕1号", rec)
        r = expect(q(xy, SHARED), 200)
        check(providers(r) == [P_XY], r.json)
        # A city using unit: city-level information only.
        r = expect(q(city, SHARED), 200)
        check(providers(r) == [P_CITY], r.json)
        # The city credit administrator: all of it.
        r = expect(q(ca, SHARED), 200)
        check(providers(r) == sorted([P_LX, P_XY, P_CITY]), r.json)
        check(all(rec["basis"] == "city_credit_admin" and rec["agreement"] is None
                  for rec in r.json["datasets"][0]["records"]), r.json)
        # Nothing visible reads exactly like an unknown code: the records a
        # unit may not see are not even hinted at.
        hidden = expect(q(lx, ONLY_XY), 404, "not_found")
        unknown = expect(q(lx, uscc("360402", 7777)), 404, "not_found")
        check(hidden.message == unknown.message, (hidden.message, unknown.message))
        expect(q(xy, ONLY_XY), 200)


def test_shr5_every_query_names_a_purpose_within_an_agreement(tmp):
    with instance(tmp) as srv:
        admin, ca = people(srv)
        lx = user(srv, admin, "lx.qian", U_LX)
        # No agreement at all yet.
        expect(q(lx, SHARED), 403, "no_agreement")
        aid = agree(ca, U_LX)
        expect(q(lx, SHARED, purpose=None), 400, "purpose_required")
        expect(q(lx, SHARED, purpose=""), 400, "purpose_required")
        expect(q(lx, SHARED, purpose="curiosity"), 400, "unknown_purpose")
        # A purpose of the code list that the agreement does not name.
        expect(q(lx, SHARED, purpose="bidding"), 403, "no_agreement")
        expect(q(lx, SHARED), 200)
        # Ended: the next query is refused.
        expect(ca.post("/api/v1/agreements/%d/end" % aid, {"reason": "协议解除"}), 204)
        expect(q(lx, SHARED), 403, "no_agreement")
        # Someone without a query role at all.
        expect(q(admin, SHARED), 403, "forbidden")
        # Bad codes are refused before any lookup.
        expect(q(ca, "91360402%2A"), 400, "bad_request")
        expect(q(ca, "9" * 65), 400, "bad_request")
        refused = srv.audit("action = 'subject.query' and result = 'refused'")
        reasons = sorted(e["reason"] for e in refused)
        check(reasons.count("purpose_required") == 2 and reasons.count("no_agreement") == 3
              and "unknown_purpose" in reasons, reasons)
        purposes = sorted(e["purpose"] for e in refused if e["reason"] == "no_agreement")
        check(purposes == sorted([PURPOSE, "bidding", PURPOSE]), purposes)


def test_shr4_sensitive_values_are_masked_except_for_the_provider(tmp):
    with instance(tmp) as srv:
        admin, ca = people(srv)
        agree(ca, U_LX)
        lx = user(srv, admin, "lx.sun", U_LX)
        op = user(srv, admin, "lx.op", P_LX, role="provider_operator")
        # A natural person, found by identity number (blind index), lower-case x too.
        r = expect(q(lx, PERSON), 200)
        rec = r.json["datasets"][0]["records"][0]
        f = rec["fields"]
        check(f["CF_XDR_MC"] == "段*" and f["CF_XDR_ZJHM"] == PERSON[:6] + "*" * 8 + PERSON[-4:],
              f)
        check(sorted(rec["masked"]) == ["CF_XDR_MC", "CF_XDR_ZJHM"] and not rec["clear"], rec)
        check(r.json["subject"]["kind"] == "natural" and r.json["subject"]["name"] == "段*",
              r.json["subject"])
        text = r.body.decode("utf-8")
        check(PERSON not in text and "段六" not in text, "no clear value anywhere")
        check(f["CF_WSH"] == "罚〔2026〕5号", f)
        # The providing unit sees its own record in clear.
        r = expect(q(op, PERSON.lower()), 200)
        rec = r.json["datasets"][0]["records"][0]
        check(rec["clear"] and rec["masked"] == [] and rec["fields"]["CF_XDR_ZJHM"] == PERSON
              and rec["fields"]["CF_XDR_MC"] == "段六", rec)
        check(rec["basis"] == "own_unit_records", rec)
        # ... but not another unit's records of the same company.
        r = expect(q(op, SHARED), 200)
        check(providers(r) == [P_LX], r.json)
        # A legal person's name is not personal data: in clear for everyone.
        r = expect(q(lx, SHARED), 200)
        check(r.json["datasets"][0]["records"][0]["fields"]["CF_XDR_MC"]
              == "九江市濂溪区测试商贸有限公司1", r.json)


def test_aud1_a_query_is_audited_with_purpose_agreement_and_record_ids(tmp):
    with instance(tmp) as srv:
        admin, ca = people(srv)
        aid = agree(ca, U_LX)
        lx = user(srv, admin, "lx.li", U_LX)
        r = expect(q(lx, SHARED), 200)
        ids = [rec["id"] for rec in r.json["datasets"][0]["records"]]
        (ev,) = srv.audit("action = 'subject.query' and account = 'lx.li' and result = 'ok'")
        check(ev["purpose"] == PURPOSE and ev["grant_ref"] == "agreement:%d" % aid, ev)
        check('"records":[%s]' % ",".join(map(str, ids)) in ev["object"]
              and '"count":%d' % len(ids) in ev["object"], ev)
        # A lookup of an unknown identity number keeps the number out of the trail.
        other = idnum("360403", "19900101", 7)
        expect(q(lx, other), 404)
        ev = srv.audit("action = 'subject.query' and object like '%found%'")
        check(len(ev) == 1 and other not in ev[0]["object"] and other[-4:] in ev[0]["object"],
              ev)


def test_shr1_search_by_name_and_code_shows_only_visible_subjects(tmp):
    with instance(tmp) as srv:
        admin, ca = people(srv)
        agree(ca, U_LX)
        lx = user(srv, admin, "lx.he", U_LX)
        base = "/api/v1/subjects?purpose=%s&q=" % PURPOSE
        r = expect(lx.get(base + quote("有限公司")), 200)
        codes = sorted(i["subject"]["code"] for i in r.json["items"])
        # 浔阳区's company is not visible to 濂溪区's unit: not listed.
        check(codes == sorted([SHARED, uscc("360402", 1002)]), r.json)
        item = [i for i in r.json["items"] if i["subject"]["code"] == SHARED][0]
        check(item["records"] == {"XZCF": 1}, item)
        # Two characters: the fallback without the trigram index.
        r = expect(lx.get(base + quote("建材")), 200)
        check([i["subject"]["code"] for i in r.json["items"]] == [uscc("360402", 1002)], r.json)
        # By code prefix, and page by page.
        r = expect(lx.get(base + SHARED[:8] + "&limit=1"), 200)
        check(len(r.json["items"]) == 1 and r.json["next"], r.json)
        first = r.json["items"][0]["subject"]["code"]
        r = expect(lx.get(base + SHARED[:8] + "&limit=1&cursor=" + r.json["next"]), 200)
        check(len(r.json["items"]) == 1 and r.json["items"][0]["subject"]["code"] != first,
              r.json)
        r = expect(lx.get(base + quote("隐秘贸易")), 200)
        check(r.json["items"] == [] and r.json["next"] is None, r.json)
        # The city administrator finds it.
        r = expect(ca.get(base + quote("隐秘贸易")), 200)
        check([i["subject"]["code"] for i in r.json["items"]] == [ONLY_XY], r.json)
        expect(lx.get(base), 400, "bad_request")
        expect(lx.get("/api/v1/subjects?q=abc"), 400, "purpose_required")
        expect(lx.get(base + "x&cursor=bogus"), 400, "bad_request")
        ev = srv.audit("action = 'subject.search' and account = 'lx.he' and result = 'ok'")
        check(ev and all(e["purpose"] == PURPOSE for e in ev), ev)
        check('"q":"有限公司"' in ev[0]["object"], ev[0])


def test_shr2_dataset_records_paged_and_filtered(tmp):
    with instance(tmp) as srv:
        admin, ca = people(srv)
        agree(ca, U_LX)
        lx = user(srv, admin, "lx.ma", U_LX)
        base = "/api/v1/datasets/XZCF/records?purpose=" + PURPOSE
        r = expect(lx.get(base), 200)
        check({i["provider"]["code"] for i in r.json["items"]} == {P_LX}, r.json)
        check(len(r.json["items"]) == 3 and r.json["next"] is None, r.json)
        seen, after = [], None
        while True:
            r = expect(lx.get(base + "&limit=2" + ("&after=%d" % after if after else "")), 200)
            seen += [i["id"] for i in r.json["items"]]
            after = r.json["next"]
            if not after:
                break
        check(len(seen) == 3 and seen == sorted(seen), seen)
        r = expect(ca.get(base + "&unit=" + P_XY), 200)
        check(len(r.json["items"]) == 2 and {i["provider"]["code"] for i in r.json["items"]}
              == {P_XY}, r.json)
        expect(lx.get("/api/v1/datasets/NOPE/records?purpose=" + PURPOSE), 404)
        expect(lx.get(base + "&unit=nope"), 400, "bad_request")
        expect(lx.get("/api/v1/datasets/XZCF/records"), 400, "purpose_required")


if __name__ == "__main__":
    sys.exit(run_all())
