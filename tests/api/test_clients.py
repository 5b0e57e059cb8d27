"""Black-box tests of machine clients of the data API (SHR-6): the credit
office registers another government system's credentials, bound to a unit
and some of its agreements, with an address allow-list, a rate and a daily
quota; the system then queries the same endpoints and gets the same
decision as a person of that unit."""
import base64
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
sys.path.insert(0, os.path.dirname(__file__))
from xyapi import china_today, expect  # noqa: E402
from xytest import check, run, run_all  # noqa: E402
from test_query import (P_CITY, P_LX, PURPOSE, SHARED, U_CITY, U_LX, agree, instance,  # noqa: E402
                        people, providers, q, user)


def basic(cid, secret):
    tok = base64.b64encode(("%s:%s" % (cid, secret)).encode()).decode()
    return {"Authorization": "Basic " + tok}


def make(ca, unit, agreements, allow="127.0.0.0/8", **extra):
    body = {"unit": unit, "name": "九江市公共资源交易平台", "allow": allow,
            "agreements": list(agreements)}
    body.update(extra)
    return ca.post("/api/v1/clients", body)


class Client:
    """A machine client: every request carries its Basic credentials."""

    def __init__(self, srv, doc, source="127.0.0.1"):
        self.srv, self.id, self.cid, self.secret = srv, doc["id"], doc["client_id"], doc["secret"]
        self.source = source

    def get(self, path, secret=None, source=None):
        return self.srv.req("GET", path, headers=basic(self.cid, secret or self.secret),
                            source=source or self.source)

    def post(self, path, body):
        return self.srv.req("POST", path, body, headers=basic(self.cid, self.secret),
                            source=self.source)

    def query(self, code, purpose=PURPOSE, **kw):
        path = "/api/v1/subjects/%s" % code
        if purpose is not None:
            path += "?purpose=" + purpose
        return self.get(path, **kw)


def test_shr6_credit_office_creates_a_client_and_its_secret_is_shown_once(tmp):
    with instance(tmp) as srv:
        admin, ca = people(srv)
        aid = agree(ca, U_CITY)
        r = expect(make(ca, U_CITY, [aid], rate=5, daily_quota=100), 201)
        doc = r.json
        check(doc["client_id"].startswith("xyc_") and len(doc["client_id"]) == 20, doc)
        check(doc["secret"].startswith("xys_") and len(doc["secret"]) == 68, doc)
        check(doc["unit"] == U_CITY and doc["agreements"] == [aid] and doc["rate"] == 5
              and doc["daily_quota"] == 100 and doc["in_force"], doc)
        # Without valid_to, the client lasts as long as its agreements.
        check(doc["valid_to"] == china_today(365), doc)
        # Never shown again, never stored or logged in clear.
        r = expect(ca.get("/api/v1/clients/%d" % doc["id"]), 200)
        check("secret" not in r.json and r.json["client_id"] == doc["client_id"], r.json)
        r = expect(ca.get("/api/v1/clients?unit=%s" % U_CITY), 200)
        check([c["id"] for c in r.json["items"]] == [doc["id"]], r.json)
        check("secret" not in r.json["items"][0], r.json)
        dump = "\n".join(srv.db().iterdump())
        check(doc["secret"] not in dump and doc["secret"] not in srv.server_log(),
              "the secret is nowhere in the store or the log")
        ev = srv.audit("action = 'client.create'")
        check(len(ev) == 1 and ev[0]["result"] == "ok" and doc["client_id"] in ev[0]["object"]
              and ev[0]["account"] == "xyb.chen", ev)
        # Only the credit office creates clients.
        city = user(srv, admin, "city.zheng", U_CITY)
        expect(make(city, U_CITY, [aid]), 403, "forbidden")
        expect(make(admin, U_CITY, [aid]), 403, "forbidden")
        expect(city.get("/api/v1/clients/%d" % doc["id"]), 200)  # its own unit's
        # Every field is checked, and the answer names it.
        lx_aid = agree(ca, U_LX)
        for body, field in (({"allow": "0.0.0.0/0"}, "allow"),
                            ({"allow": "10.0.0.0/4"}, "allow"),
                            ({"allow": "not-an-address"}, "allow"),
                            ({"allow": ",".join("10.0.0.%d" % i for i in range(17))}, "allow"),
                            ({"agreements": [lx_aid]}, "agreements"),
                            ({"agreements": []}, "agreements"),
                            ({"agreements": [aid, aid]}, "agreements"),
                            ({"agreements": [99999]}, "agreements"),
                            ({"rate": 0}, "rate"), ({"rate": 1001}, "rate"),
                            ({"daily_quota": -1}, "daily_quota"),
                            ({"valid_to": china_today(366)}, "valid_to"),
                            ({"valid_to": china_today(-1)}, "valid_to"),
                            ({"name": ""}, "name"), ({"unit": "nope"}, "unit")):
            b = {"unit": U_CITY, "name": "系统", "allow": "127.0.0.1", "agreements": [aid]}
            b.update(body)
            r = expect(ca.post("/api/v1/clients", b), 422, "invalid_field", str(body))
            check('"%s"' % field in r.message, (body, r.message))
        expect(make(ca, srv.office_code(), [aid]), 422, "invalid_field")
        expect(ca.post("/api/v1/clients", {"unit": U_CITY, "name": "x", "allow": "127.0.0.1",
                                           "agreements": [aid], "secret": "mine"}),
               400, "unknown_field")


def test_shr6_a_client_gets_the_same_answers_as_a_person_of_its_unit(tmp):
    with instance(tmp) as srv:
        admin, ca = people(srv)
        aid_city, aid_lx = agree(ca, U_CITY), agree(ca, U_LX)
        person = user(srv, admin, "city.zheng", U_CITY)
        city = Client(srv, expect(make(ca, U_CITY, [aid_city]), 201).json)
        lx = Client(srv, expect(make(ca, U_LX, [aid_lx]), 201).json)
        a, b = expect(city.query(SHARED), 200), expect(q(person, SHARED), 200)
        check(providers(a) == [P_CITY] and a.json["datasets"] == b.json["datasets"],
              (a.json, b.json))
        # A county unit's client: its county only (JJ art.18, SHR-2).
        check(providers(expect(lx.query(SHARED), 200)) == [P_LX], "county client")
        r = expect(city.get("/api/v1/subjects?q=%E6%BF%82%E6%BA%AA&purpose=" + PURPOSE), 200)
        check(r.json["items"], r.json)
        expect(city.get("/api/v1/purposes"), 200)
        expect(city.get("/api/v1/datasets/XZCF/records?purpose=" + PURPOSE), 200)
        # The same refusals.
        expect(city.query(SHARED, purpose=None), 400, "purpose_required")
        expect(city.query(SHARED, purpose="curiosity"), 400, "unknown_purpose")
        expect(city.query(SHARED, purpose="bidding"), 403, "no_agreement")
        # Audited as the client, with its name, unit, purpose and agreement.
        ev = srv.audit("action = 'subject.query' and account = ? and result = 'ok'", city.cid)
        check(ev and ev[0]["real_name"] == "九江市公共资源交易平台" and ev[0]["unit"] == U_CITY
              and ev[0]["purpose"] == PURPOSE
              and ev[0]["grant_ref"] == "agreement:%d" % aid_city, ev)


def test_shr6_a_client_holds_only_the_agreements_it_is_bound_to(tmp):
    with instance(tmp) as srv:
        admin, ca = people(srv)
        a1 = agree(ca, U_CITY)
        a2 = agree(ca, U_CITY, purposes=("bidding",))
        c = Client(srv, expect(make(ca, U_CITY, [a1]), 201).json)
        person = user(srv, admin, "city.zheng", U_CITY)
        # The unit may query for bidding; this client was not given that.
        expect(q(person, SHARED, purpose="bidding"), 200)
        expect(c.query(SHARED, purpose="bidding"), 403, "no_agreement")
        expect(c.query(SHARED), 200)
        # Its agreement ends: so does its access.
        expect(ca.post("/api/v1/agreements/%d/end" % a1, {"reason": "协议到期"}), 204)
        expect(c.query(SHARED), 403, "no_agreement")
        check(a2, "the other agreement stays")


def test_shr6_a_client_may_only_query(tmp):
    with instance(tmp) as srv:
        admin, ca = people(srv)
        aid = agree(ca, U_CITY)
        c = Client(srv, expect(make(ca, U_CITY, [aid]), 201).json)
        for method, path in (("GET", "/api/v1/session"), ("GET", "/api/v1/accounts"),
                             ("GET", "/api/v1/clients"), ("GET", "/api/v1/authorisations"),
                             ("POST", "/api/v1/authorisations"),
                             ("POST", "/api/v1/session/password"),
                             ("POST", "/api/v1/clients/%d/revoke" % c.id)):
            r = c.post(path, {}) if method == "POST" else c.get(path)
            expect(r, 403, "client_not_allowed", path)
        ev = srv.audit("reason = 'machine_client'")
        check(len(ev) == 7 and all(e["result"] == "refused" for e in ev), ev)
        expect(c.query(SHARED), 200)


def test_shr6_bad_credentials_other_addresses_and_revoked_clients_are_refused(tmp):
    with instance(tmp) as srv:
        admin, ca = people(srv)
        aid = agree(ca, U_CITY)
        c = Client(srv, expect(make(ca, U_CITY, [aid], allow="127.0.0.2/32, ::1"), 201).json,
                   source="127.0.0.2")
        expect(c.query(SHARED), 200)
        expect(c.query(SHARED, source="127.0.0.1"), 401, "unauthenticated")
        wrong = "xys_" + "0" * 64
        expect(c.query(SHARED, secret=wrong), 401, "unauthenticated")
        unknown = Client(srv, {"id": 0, "client_id": "xyc_" + "0" * 16, "secret": c.secret},
                         source="127.0.0.2")
        expect(unknown.query(SHARED), 401, "unauthenticated")
        for h in ("Basic", "Basic !!!", "Basic " + base64.b64encode(b"no-colon").decode(),
                  "Basic " + base64.b64encode(b"a b:c").decode()):
            r = srv.req("GET", "/api/v1/subjects/%s?purpose=%s" % (SHARED, PURPOSE),
                        headers={"Authorization": h}, source="127.0.0.2")
            expect(r, 401, "unauthenticated", h)
        # A person's session token is still a bearer token, not Basic.
        reasons = [e["reason"] for e in srv.audit("action = 'http.refused'")]
        for why in ("address_not_allowed", "bad_secret", "unknown_client",
                    "malformed_credentials"):
            check(why in reasons, (why, reasons))
        ev = srv.audit("reason = 'bad_secret'")
        check(ev[0]["account"] == c.cid and not ev[0]["unit"], ev)
        # Revoked: refused from the next request on.
        expect(ca.post("/api/v1/clients/%d/revoke" % c.id, {"reason": "系统下线"}), 204)
        expect(c.query(SHARED), 401, "unauthenticated")
        check(srv.audit("reason = 'client_revoked'"), "the refusal names the revocation")
        expect(ca.post("/api/v1/clients/%d/revoke" % c.id, {"reason": "again"}), 409,
               "already_revoked")
        r = expect(ca.get("/api/v1/clients/%d" % c.id), 200)
        check(not r.json["in_force"] and r.json["revoke_reason"] == "系统下线", r.json)
        expect(ca.post("/api/v1/clients/9999/revoke", {"reason": "x"}), 404, "not_found")
        check(len(srv.audit("action = 'client.revoke' and result = 'ok'")) == 1, "audited")


def test_shr6_rate_limit_and_daily_quota_survive_a_restart(tmp):
    with instance(tmp) as srv:
        admin, ca = people(srv)
        aid = agree(ca, U_CITY)
        fast = Client(srv, expect(make(ca, U_CITY, [aid], rate=2), 201).json)
        statuses = [fast.query(SHARED).status for _ in range(8)]
        check(statuses.count(200) >= 2 and statuses.count(429) >= 1, statuses)
        r = fast.query(SHARED)
        if r.status == 429:
            check(r.header("Retry-After") == "1" and r.code == "rate_limited", r)
        c = Client(srv, expect(make(ca, U_CITY, [aid], daily_quota=3), 201).json)
        for _ in range(3):
            expect(c.query(SHARED), 200)
        r = expect(c.query(SHARED), 429, "rate_limited")
        check("quota" in r.message and 0 < int(r.header("Retry-After")) <= 86400, r)
        check(srv.audit("reason = 'client_quota_exceeded'"), "audited")
        r = expect(ca.get("/api/v1/clients/%d" % c.id), 200)
        check(r.json["used_today"] == 3, r.json)
        # The count is written at shutdown and read back: still used up.
        check(srv.stop() == 0, srv.server_log()[-2000:])
        srv.start()
        expect(c.query(SHARED), 429, "rate_limited")
        expect(ca.signin(), 201)
        r = expect(ca.get("/api/v1/clients/%d" % c.id), 200)
        check(r.json["used_today"] == 3, r.json)


def test_shr6_the_clients_command_adds_shows_and_revokes(tmp):
    with instance(tmp) as srv:
        admin, ca = people(srv)
        aid = agree(ca, U_CITY)
        env = {"HOME": tmp, "XDG_CONFIG_HOME": os.path.join(tmp, "config")}
        p = run("login", "--server", "http://127.0.0.1:%d" % srv.port, "--account", ca.name,
                input="%s\n%s\n" % (ca.password, ca.next_otp()), env=env)
        check(p.returncode == 0, p.stdout + p.stderr)
        p = run("clients", "add", "--unit", U_CITY, "--name", "九江市公共资源交易平台",
                "--allow", "127.0.0.1", "--agreement", str(aid), "--quota", "50", env=env)
        check(p.returncode == 0, p.stdout + p.stderr)
        fields = dict(kv.split("=", 1) for kv in p.stdout.split("\n")[0].split())
        c = Client(srv, {"id": int(fields["client"]), "client_id": fields["client_id"],
                         "secret": fields["secret"]})
        expect(c.query(SHARED), 200)
        p = run("clients", "show", fields["client"], env=env)
        check(p.returncode == 0 and "1 of 50 today" in p.stdout and fields["secret"] not in
              p.stdout, p.stdout + p.stderr)
        p = run("clients", "add", "--unit", U_CITY, "--name", "x", "--allow", "0.0.0.0/0",
                "--agreement", str(aid), env=env)
        check(p.returncode != 0 and "allow" in p.stderr, p.stdout + p.stderr)
        p = run("clients", "revoke", fields["client"], "--reason", "系统下线", env=env)
        check(p.returncode == 0 and "revoked" in p.stdout, p.stdout + p.stderr)
        expect(c.query(SHARED), 401, "unauthenticated")
        p = run("clients", "list", "--unit", U_CITY, env=env)
        check(p.returncode == 0 and "revoked" in p.stdout, p.stdout + p.stderr)
        p = run("clients", "frobnicate", env=env)
        check(p.returncode == 2 and "usage" in p.stderr, p.stdout + p.stderr)


if __name__ == "__main__":
    sys.exit(run_all())
