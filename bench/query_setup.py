"""Query benchmark set-up (bench/query.sh, issue 4), Python 3 standard library only.

Against a running `xinyong serve` of an instance made by query.sh, takes the people
through the API the way a city's staff would (the same steps as tests/api/test_query.py):

  1. the security administrator (init's secadmin): one-time password, new password, TOTP,
     identity;
  2. a credit administrator of the credit office, created, trained, bound by the
     confidentiality agreement, activated and given the credit_admin role by the
     security administrator; then set up the same way;
  3. the credit administrator records the use agreement of the city-level using unit
     (XZCF and XZXK, the purpose);
  4. a unit_user of that unit, created the same way, set up.

Then checks that the user's GET /api/v1/subjects/{code} answers 200 with records for a few
codes of the codes file, and that a name search answers 200 with hits.  Prints the user's
bearer token on stdout (nothing else), progress on stderr.

    python3 query_setup.py BASE_URL INIT_JSON USING_UNIT PURPOSE CODES_FILE [CREDS_FILE]

CREDS_FILE (scratch, mode 0600) receives the user's account, password and TOTP secret, so
that a kept instance can be signed in to again (BENCH_KEEP=1, profiling by hand), or a
restarted server (sessions live in the server's memory):

    python3 query_setup.py --signin BASE_URL CREDS_FILE

signs the user in (password and a TOTP code of a step not used yet) and prints the token.
"""
import base64
import datetime
import hashlib
import hmac
import http.client
import json
import os
import struct
import sys
import time
import urllib.parse

SIGNIN = len(sys.argv) == 4 and sys.argv[1] == "--signin"
if SIGNIN:
    BASE, CREDS = sys.argv[2:4]
else:
    BASE, INIT_JSON, USING_UNIT, PURPOSE, CODES = sys.argv[1:6]
    CREDS = sys.argv[6] if len(sys.argv) > 6 else None
URL = urllib.parse.urlsplit(BASE)
OFFICE_KIND = "credit_office"


def log(msg):
    print("query setup: " + msg, file=sys.stderr, flush=True)


def call(method, path, body=None, token=None):
    h = {}
    data = None
    if body is not None:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        h["Content-Type"] = "application/json"
    if token:
        h["Authorization"] = "Bearer " + token
    c = http.client.HTTPConnection(URL.hostname, URL.port, timeout=120)
    try:
        c.request(method, path, body=data, headers=h)
        r = c.getresponse()
        raw = r.read()
        try:
            doc = json.loads(raw.decode("utf-8")) if raw else None
        except ValueError:
            doc = None
        return r.status, doc
    finally:
        c.close()


def must(want, method, path, body=None, token=None):
    status, doc = call(method, path, body, token)
    if status != want:
        sys.exit("query setup: %s %s: expected %d, got %d %s" % (method, path, want, status,
                                                                  json.dumps(doc)[:400]))
    return doc


# ---- RFC 6238 (HMAC-SHA1, 30 s, 6 digits) ----

def totp(secret, step):
    s = secret.strip().replace(" ", "").upper()
    key = base64.b32decode(s + "=" * (-len(s) % 8))
    mac = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    off = mac[-1] & 0x0F
    return "%06d" % ((struct.unpack(">I", mac[off:off + 4])[0] & 0x7FFFFFFF) % 1000000)


def step_now():
    # Not in the last two seconds of a step: the server checks the code in the same step.
    if 30 - time.time() % 30 < 2:
        time.sleep(2.1)
    return int(time.time()) // 30


# ---- GB 11643 identity numbers ----

def idnum(seq):
    body = "360402" + "1985%02d%02d" % (1 + seq % 12, 1 + seq % 28) + "%03d" % (100 + seq)
    w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(c) * k for c, k in zip(body, w)) % 11]


def china_today(days=0):
    tz = datetime.timezone(datetime.timedelta(hours=8))
    return (datetime.datetime.now(tz).date() + datetime.timedelta(days=days)).isoformat()


# ---- a person from the one-time password to fully set up ----

_pw = [0]


def new_password():
    _pw[0] += 1
    return "Bench-Query#%04d-Kv%d" % (4000 + 37 * _pw[0], _pw[0])


def set_up(account, otp, identity=None):
    """Returns the session token of a fully set-up session."""
    doc = must(201, "POST", "/api/v1/session", {"account": account, "password": otp})
    tok = doc["token"]
    pw = new_password()
    must(204, "POST", "/api/v1/session/password", {"old_password": otp, "new_password": pw}, tok)
    secret = must(201, "POST", "/api/v1/session/totp", None, tok)["secret"]
    if CREDS and account == "bench.user":
        fd = os.open(CREDS, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump({"account": account, "password": pw, "totp_secret": secret,
                       "last_step": step_now()}, f)
    must(204, "POST", "/api/v1/session/totp/confirm", {"code": totp(secret, step_now() - 1)}, tok)
    if identity:
        must(204, "POST", "/api/v1/session/identity",
             {"real_name": identity[0], "id_number": identity[1]}, tok)
    return tok


def create(admin, name, unit, real_name, seq, role):
    """The security administrator creates an account and takes it to active with a role;
    returns its one-time password."""
    doc = must(201, "POST", "/api/v1/accounts",
               {"name": name, "real_name": real_name, "id_number": idnum(seq), "unit": unit},
               admin)
    must(204, "POST", "/api/v1/accounts/%s/training" % name,
         {"completed_on": china_today(), "course": "安全培训"}, admin)
    must(204, "POST", "/api/v1/accounts/%s/agreement" % name,
         {"signed_on": china_today(), "document": "保密协议 2026-Q01"}, admin)
    must(204, "POST", "/api/v1/accounts/%s/activate" % name, None, admin)
    must(204, "POST", "/api/v1/accounts/%s/roles" % name, {"role": role}, admin)
    return doc["one_time_password"]


def main():
    init = json.load(open(INIT_JSON, encoding="utf-8"))
    pw = {a["account"]: a["password"] for a in init["accounts"]}
    sec = set_up("secadmin", pw["secadmin"], ("张安全", idnum(1)))
    log("security administrator set up")

    office, after = None, 0
    while office is None:
        page = must(200, "GET", "/api/v1/units?limit=500&after=%d" % after, None, sec)
        for u in page.get("items", []):
            if u.get("kind") == OFFICE_KIND:
                office = u["code"]
        if office is None:
            if not page.get("next"):
                sys.exit("query setup: no credit office in GET /api/v1/units")
            after = page["next"]

    ca = set_up("bench.ca", create(sec, "bench.ca", office, "陈信用", 2, "credit_admin"))
    purposes = [p["code"] for p in must(200, "GET", "/api/v1/purposes", None, ca)["purposes"]]
    if PURPOSE not in purposes:
        sys.exit("query setup: purpose %s is not in GET /api/v1/purposes: %s" % (PURPOSE, purposes))
    agr = must(201, "POST", "/api/v1/agreements",
               {"unit": USING_UNIT, "datasets": ["XZCF", "XZXK"], "purposes": [PURPOSE],
                "valid_from": china_today(), "valid_to": china_today(365),
                "document": "九江信用共享使用协议〔2026〕基准号"}, ca)
    log("credit administrator set up; agreement %s for %s (XZCF, XZXK; %s)"
        % (agr.get("id"), USING_UNIT, PURPOSE))

    user = set_up("bench.user", create(sec, "bench.user", USING_UNIT, "郑用户", 3, "unit_user"))
    log("unit_user bench.user of %s set up" % USING_UNIT)

    # The measured path must be the real one: 200 with records, not 403 or 404.
    with open(CODES, encoding="utf-8") as f:
        codes = [next(f).strip() for _ in range(5)]
    n = []
    for code in codes:
        doc = must(200, "GET", "/api/v1/subjects/%s?purpose=%s" % (code, PURPOSE), None, user)
        recs = sum(len(ds["records"]) for ds in doc["datasets"])
        if not recs:
            sys.exit("query setup: %s answered 200 without records" % code)
        n.append(recs)
    log("check: GET /api/v1/subjects/{code} 200, records per subject %s" % n)
    q = urllib.parse.quote(doc["subject"]["name"][3:7])
    doc = must(200, "GET", "/api/v1/subjects?q=%s&purpose=%s" % (q, PURPOSE), None, user)
    if not doc["items"]:
        sys.exit("query setup: name search %s found nothing" % q)
    log("check: GET /api/v1/subjects?q=%s 200, %d hits on the first page"
        % (urllib.parse.unquote(q), len(doc["items"])))
    print(user)


def signin():
    """A TOTP code is accepted once: each sign-in takes a step after the last one used
    (kept in the creds file), waiting for it when needed."""
    creds = json.load(open(CREDS, encoding="utf-8"))
    while step_now() <= creds.get("last_step", 0):
        time.sleep(1)
    step = step_now()
    st, doc = call("POST", "/api/v1/session",
                   {"account": creds["account"], "password": creds["password"],
                    "otp": totp(creds["totp_secret"], step)})
    if st != 201:
        sys.exit("query setup: %s cannot sign in: %d %s" % (creds["account"], st, doc))
    creds["last_step"] = step
    fd = os.open(CREDS, os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(creds, f)
    print(doc["token"])


if SIGNIN:
    signin()
else:
    main()
