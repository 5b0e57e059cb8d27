"""Black-box tests of `xinyong init`: an instance with keys, store, catalog
and first administrators (ACC-2, CRY-3, COL-1, COL-3, AUD-1, AUD-2)."""
import json
import os
import re
import stat
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from codes import uscc  # noqa: E402
from xytest import ROOT, check, run, run_all, sql  # noqa: E402

LINE = re.compile(r"^account=(\S+) role=(\S+) password=(\S+)$")


def init(tmp, *args, **kw):
    d = os.path.join(tmp, "inst")
    p = run("init", d, *args, **kw)
    return d, p


def test_acc2_init_prints_three_one_time_passwords(tmp):
    d, p = init(tmp)
    check(p.returncode == 0, p.stderr)
    lines = [LINE.match(x) for x in p.stdout.splitlines()]
    check(len(lines) == 3 and all(lines), p.stdout)
    roles = {m.group(2) for m in lines}
    check(roles == {"security_admin", "system_admin", "auditor"}, roles)
    names = {m.group(1) for m in lines}
    check(len(names) == 3, "three different accounts")
    pws = [m.group(3) for m in lines]
    check(len(set(pws)) == 3 and all(len(x) >= 16 for x in pws), "random, long")
    # ACC-4: at least three character classes in each one-time password.
    for pw in pws:
        classes = sum(bool(re.search(r, pw)) for r in ("[a-z]", "[A-Z]", "[0-9]", "[^a-zA-Z0-9]"))
        check(classes >= 3, pw)
    # Never stored in clear: not in the store, the configuration or the keys.
    for root, _, files in os.walk(d):
        for f in files:
            data = open(os.path.join(root, f), "rb").read()
            for pw in pws:
                check(pw.encode() not in data, "password found in " + f)
    rows = sql(os.path.join(d, "core.db"),
               "select name, must_change, substr(pw_hash, 1, 10) from accounts order by id")
    for r in rows.splitlines():
        name, must, prefix = r.split("|")
        check(must == "1", "ACC-3: one-time password must be changed")
        check(prefix == "$argon2id$", "Argon2id hash")


def test_acc2_init_json_output(tmp):
    d, p = init(tmp, "--json")
    check(p.returncode == 0, p.stderr)
    doc = json.loads(p.stdout)
    check(len(doc["accounts"]) == 3, p.stdout)
    check({a["role"] for a in doc["accounts"]} == {"security_admin", "system_admin", "auditor"})


def test_cry3_key_files_are_private_and_outside_the_store(tmp):
    d, p = init(tmp)
    check(p.returncode == 0, p.stderr)
    keys = os.path.join(d, "keys")
    for name in ("master.key", "data-keys", "platform-sm2.key"):
        mode = stat.S_IMODE(os.stat(os.path.join(keys, name)).st_mode)
        check(mode & 0o077 == 0, "%s is mode %o" % (name, mode))
    check(stat.S_IMODE(os.stat(os.path.join(d, "core.db")).st_mode) & 0o077 == 0, "core.db private")
    master = open(os.path.join(keys, "master.key")).read().strip()
    check(re.fullmatch(r"[0-9a-f]{64}", master), "master key: 64 hex characters")
    db = open(os.path.join(d, "core.db"), "rb").read()
    check(master.encode() not in db and bytes.fromhex(master) not in db,
          "the master key is never in the database")
    check(master.encode() not in open(os.path.join(keys, "data-keys"), "rb").read())
    pub = open(os.path.join(keys, "platform-sm2.pub")).read()
    check("BEGIN PUBLIC KEY" in pub, "platform SM2 public key in PEM")


def test_cry3_loose_master_key_mode_refused(tmp):
    d, p = init(tmp)
    check(p.returncode == 0)
    os.chmod(os.path.join(d, "keys", "master.key"), 0o644)
    f = os.path.join(tmp, "x.csv")
    open(f, "w").write("a\n")
    p = run("verify", d)
    check(p.returncode == 1 and "keys" in p.stderr, p.stderr)


def test_init_refuses_an_existing_instance(tmp):
    d, p = init(tmp)
    check(p.returncode == 0)
    before = open(os.path.join(d, "keys", "master.key")).read()
    p = run("init", d)
    check(p.returncode == 1 and "already holds an instance" in p.stderr, p.stderr)
    check(open(os.path.join(d, "keys", "master.key")).read() == before, "untouched")


def test_init_refuses_a_non_empty_directory_and_accepts_an_empty_one(tmp):
    d = os.path.join(tmp, "busy")
    os.mkdir(d)
    open(os.path.join(d, "notes.txt"), "w").write("mine")
    p = run("init", d)
    check(p.returncode == 1 and "not empty" in p.stderr, p.stderr)
    check(os.listdir(d) == ["notes.txt"], "nothing added")
    e = os.path.join(tmp, "empty")
    os.mkdir(e)
    p = run("init", e)
    check(p.returncode == 0, p.stderr)
    check(os.path.exists(os.path.join(e, "core.db")))


def test_init_region_tree_office_and_units_file(tmp):
    units = os.path.join(tmp, "units.csv")
    u1, u2 = uscc("440305", 1, "11"), uscc("440306", 2, "11")
    open(units, "w", encoding="utf-8").write(
        "code,name,region,provides\n"
        "%s,南山区市场监督管理局,440305,XZXK|XZCF\n"
        "%s,宝安区市场监督管理局,440306,XZCF\n" % (u1, u2))
    d, p = init(tmp, "--city", "440300:深圳市", "--counties", "440305:南山区,440306:宝安区",
                "--units", units)
    check(p.returncode == 0, p.stderr)
    db = os.path.join(d, "core.db")
    regions = sql(db, "select code, level, coalesce(parent,'') from regions order by code")
    check(regions.split() == ["440300|city|", "440305|county|440300", "440306|county|440300"],
          regions)
    office = sql(db, "select name from units where kind = 'credit_office'").strip()
    check(office == "深圳市信用中心", office)
    prov = sql(db, "select u.code || ':' || d.dataset from unit_datasets d join units u "
               "on u.id = d.unit_id order by 1").split()
    check(prov == sorted([u1 + ":XZCF", u1 + ":XZXK", u2 + ":XZCF"]), prov)


def test_init_refuses_line_breaks_in_names(tmp):
    d = os.path.join(tmp, "inst")
    p = run("init", d, "--city", "360400:九江市\nzone = internet")
    check(p.returncode == 1 and "control characters" in p.stderr, p.stderr)
    check(not os.path.exists(d))


def test_init_bad_units_file_creates_nothing(tmp):
    cases = [
        ("code,name,region,provides\n%s,某局,440305,XZCF\n" % uscc("440305", 3)[:-1] + "0",
         "row 2"),
        ("code,name,region,provides\n%s,某局,999999,XZCF\n" % uscc("440305", 4), "region"),
        ("code,name,region,provides\n%s,某局,440305,NOPE\n" % uscc("440305", 5), "NOPE"),
        ("代码,名称\nx,y\n", "first line"),
    ]
    for i, (text, word) in enumerate(cases):
        units = os.path.join(tmp, "u%d.csv" % i)
        open(units, "w", encoding="utf-8").write(text)
        d = os.path.join(tmp, "inst%d" % i)
        p = run("init", d, "--city", "440300:深圳市", "--counties", "440305:南山区",
                "--units", units)
        check(p.returncode == 1 and word in p.stderr, (word, p.stderr))
        check(not os.path.exists(d), "nothing created")
        check(not [x for x in os.listdir(tmp) if ".init-" in x], "no temporary left")


def test_col1_init_loads_the_national_catalog(tmp):
    d, p = init(tmp)
    check(p.returncode == 0)
    db = os.path.join(d, "core.db")
    doc = json.loads(sql(db, "select doc from catalogs where active = 1"))
    codes = {ds["code"]: ds for ds in doc["datasets"]}
    for code in ("XZXK", "XZCF", "YZSX", "SXJL", "QYSB", "GRQF"):
        check(code in codes, code)
    check(codes["QYSB"]["sharing"] == "government" and codes["GRQF"]["sharing"] == "authorised")
    check(len([f for f in codes["XZCF"]["fields"] if f["code"] != "CF_YZCD"]) == 30)


def test_init_installs_the_working_day_calendar(tmp):
    # AUD-5 off-hours and CHG-3 deadlines count working days with it.  The
    # program carries the file (run from elsewhere than the source tree).
    d = os.path.join(tmp, "inst")
    p = run("init", d, cwd=tmp)
    check(p.returncode == 0, p.stderr)
    path = os.path.join(d, "calendar.txt")
    check(stat.S_IMODE(os.stat(path).st_mode) == 0o600, "calendar.txt private")
    got = open(path, "rb").read()
    check(got == open(os.path.join(ROOT, "data", "calendar-cn.txt"), "rb").read(),
          "calendar.txt is data/calendar-cn.txt")
    text = got.decode("utf-8")
    check("国务院办公厅关于2026年部分节假日安排的通知" in text, "the notice is named")
    for line in ("2026-02-16 holiday", "2026-02-14 workday", "2026-10-10 workday"):
        check(re.search("^" + line + "$", text, re.M), line)
    check(not re.search(r"^2027-", text, re.M), "no 2027 date without a notice")
    ini = open(os.path.join(d, "config.ini"), encoding="utf-8").read()
    check("calendar.txt" in ini, "config.ini points at it")


def test_col3_catalog_with_prohibited_field_refused(tmp):
    for name, word in (("prohibited_zh.json", "血型"), ("prohibited_en.json", "eligious"),
                       ("prohibited_synonym.json", "病史")):
        d = os.path.join(tmp, name)
        p = run("init", d, "--catalog", os.path.join(ROOT, "tests", "data", "catalog", name))
        check(p.returncode == 1, p.stderr)
        check(word in p.stderr and "COL-3" in p.stderr and "field" in p.stderr, p.stderr)
        check(not os.path.exists(d), "nothing created")


def test_cry1_catalog_must_encrypt_natural_persons_numbers_and_names(tmp):
    src = json.load(open(os.path.join(ROOT, "tests", "data", "catalog", "small_valid.json"),
                        encoding="utf-8"))
    for what, change, word in (
            ("number", lambda f: f.update(type="text", sensitive=False, mask=None), "id_number"),
            ("name", lambda f: f.update(personal=False), "subject.name")):
        cat = json.loads(json.dumps(src))
        for ds in cat["datasets"]:
            if ds["subject_kind"] == "legal":
                continue
            key = ds["subject"]["id_number" if what == "number" else "name"]
            f = next(f for f in ds["fields"] if f["code"] == key)
            change(f)
            for k in [k for k, v in f.items() if v is None]:
                del f[k]
            break
        path = os.path.join(tmp, what + ".json")
        json.dump(cat, open(path, "w", encoding="utf-8"), ensure_ascii=False)
        d = os.path.join(tmp, "inst-" + what)
        p = run("init", d, "--catalog", path)
        check(p.returncode == 1 and word in p.stderr, p.stderr)
        check(not os.path.exists(d))


def test_aud1_init_leaves_its_events(tmp):
    d, p = init(tmp)
    check(p.returncode == 0)
    acts = sql(os.path.join(d, "core.db"),
               "select action from audit_events order by seq").split()
    check(acts[:3] == ["instance.init", "catalog.load", "unit.create"], acts)
    check(acts.count("account.create") == 3, acts)
    p = run("audit", "verify", d)
    check(p.returncode == 0 and "chain intact" in p.stdout, p.stdout + p.stderr)


def test_aud2_init_with_failing_audit_creates_nothing(tmp):
    d = os.path.join(tmp, "inst")
    p = run("init", d, env={"XY_FAULT": "audit_append"})
    check(p.returncode == 1 and "audit" in p.stderr, p.stderr)
    check(not os.path.exists(d), "no instance")
    check(not os.listdir(tmp), "nothing left beside it: %s" % os.listdir(tmp))
    check("password=" not in p.stdout, "no password printed for accounts that do not exist")


def test_usage_errors_exit_2(tmp):
    check(run("init").returncode == 2)
    check(run("nonsense").returncode == 2)
    check(run("import", tmp).returncode == 2)
    p = run("init", "--help")
    check(p.returncode == 0 and "usage" in p.stdout)


if __name__ == "__main__":
    sys.exit(run_all())
