"""Black-box tests of file submission through the government-zone server:
POST /api/v1/datasets/{code}/batches and `xinyong import --server` (COL-2,
ACC-11): a provider operator submits their unit's file and gets the same
row-by-row validation and report as a local import; anyone else is refused,
and every submission and refusal is audited (AUD-1)."""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from codes import uscc  # noqa: E402
from xyapi import Server, expect, request  # noqa: E402
from xytest import check, run, run_all  # noqa: E402
import xzcf  # noqa: E402

PROVIDER = xzcf.AUTHORITY                  # 濂溪区市场监督管理局: provides XZCF
OTHER = uscc("360403", 42, "11")           # a unit that provides XZXK only


def with_units(tmp):
    path = os.path.join(tmp, "units.csv")
    with open(path, "w", encoding="utf-8") as f:
        f.write("code,name,region,provides\n"
                "%s,九江市濂溪区市场监督管理局,360402,XZCF\n"
                "%s,九江市浔阳区行政审批局,360403,XZXK\n" % (PROVIDER, OTHER))
    return ("--units", path)


def operator(srv, admin, name, unit=PROVIDER, role="provider_operator"):
    u, _ = srv.create_account(admin, name, unit=unit, roles=(role,))
    return u.setup()


def upload(user, data, dataset="XZCF", query="", content_type="text/csv"):
    return request(user.srv.port, "POST", "/api/v1/datasets/%s/batches%s" % (dataset, query),
                   raw=data, token=user.token, content_type=content_type, timeout=120)


def rows_csv(start, n, bad=()):
    rows = []
    for i in range(start, start + n):
        r = xzcf.legal(i)
        if i in bad:
            r["CF_JDRQ"] = "2026-02-30"  # not a calendar date
        rows.append(r)
    return xzcf.to_csv(rows).encode("utf-8")


def test_col2_provider_operator_uploads_a_file_and_gets_the_report(tmp):
    with Server(tmp, init_args=with_units(tmp)) as srv:
        admin = srv.setup_admin()
        op = operator(srv, admin, "op_lianxi")
        r = expect(upload(op, rows_csv(1, 50, bad=(7, 30)), query="?file_name=cf-2026-03.csv"),
                   201)
        check(r.json["accepted"] == 48 and r.json["rejected"] == 2, r.json)
        check(r.json["dataset"] == "XZCF" and r.json["encoding"] == "utf-8", r.json)
        # One line per rejected row, naming the file's line (the header is
        # line 1), the field and why.
        lines = r.json["report_csv"].lstrip("\ufeff").splitlines()[1:]
        check([ln.split(",")[:2] for ln in lines] == [["8", "CF_JDRQ"], ["31", "CF_JDRQ"]],
              lines)
        stored = srv.db().execute(
            "select unit_id, account, file_name, accepted, rejected from batches").fetchall()
        check(len(stored) == 1 and stored[0][1:] == ("op_lianxi", "cf-2026-03.csv", 48, 2),
              stored)
        ev = srv.audit("account = 'op_lianxi' and action like 'import%'")
        check(ev, "the submission is audited under the operator's name")


def test_col2_same_file_twice_is_refused_409(tmp):
    with Server(tmp, init_args=with_units(tmp)) as srv:
        admin = srv.setup_admin()
        op = operator(srv, admin, "op_twice")
        data = rows_csv(100, 5)
        first = expect(upload(op, data), 201)
        r = expect(upload(op, data), 409, "duplicate_batch")
        check(str(first.json["batch"]) in r.message, r.message)


def test_col2_unusable_files_refused_422_naming_why(tmp):
    with Server(tmp, init_args=with_units(tmp)) as srv:
        admin = srv.setup_admin()
        op = operator(srv, admin, "op_bad")
        expect(upload(op, b""), 422, "unusable_file")
        r = expect(upload(op, b"NOT_A_COLUMN,CF_XDR_MC\r\nx,y\r\n"), 422, "unusable_file")
        check("NOT_A_COLUMN" in r.message, r.message)
        expect(upload(op, rows_csv(1, 2), query="?encoding=latin1"), 400, "bad_request")
        expect(upload(op, rows_csv(1, 2), query="?file_name=../../etc/x"), 400,
               "bad_request")
        check(srv.db().execute("select count(*) from records").fetchone()[0] == 0)


def test_aud1_upload_to_a_dataset_not_in_the_catalog_is_refused_and_audited(tmp):
    with Server(tmp, init_args=with_units(tmp)) as srv:
        admin = srv.setup_admin()
        op = operator(srv, admin, "op_nods")
        expect(upload(op, rows_csv(1, 2), dataset="NOPE"), 404, "not_found")
        # A name no catalog could hold is not copied into the trail as typed.
        expect(upload(op, rows_csv(1, 2), dataset="X%22%7D%2C%22a%22%3A%22"), 404, "not_found")
        ev = srv.audit("account = 'op_nods' and action = 'batch.upload'")
        check([(e["result"], e["reason"]) for e in ev]
              == [("refused", "no_such_dataset")] * 2, ev)
        check(json.loads(ev[0]["object"]) == {"dataset": "NOPE"}, ev[0])
        check(json.loads(ev[1]["object"]) == {"dataset": None}, ev[1])
        check(srv.db().execute("select count(*) from batches").fetchone()[0] == 0)


def test_acc11_only_the_provider_operator_of_a_providing_unit_may_submit(tmp):
    with Server(tmp, init_args=with_units(tmp)) as srv:
        admin = srv.setup_admin()
        other = operator(srv, admin, "op_other", unit=OTHER)
        r = expect(upload(other, rows_csv(1, 3)), 403, "forbidden")
        # Nothing of the body was kept: the refusal came before the upload.
        check(srv.db().execute("select count(*) from batches").fetchone()[0] == 0)
        user = operator(srv, admin, "clerk", role="unit_user")
        expect(upload(user, rows_csv(1, 3)), 403, "forbidden")
        expect(upload(admin, rows_csv(1, 3)), 403, "forbidden")
        expect(request(srv.port, "POST", "/api/v1/datasets/XZCF/batches",
                       raw=rows_csv(1, 3), content_type="text/csv"), 401, "unauthenticated")
        refused = srv.audit("account in ('op_other', 'clerk') and result = 'refused'")
        check(len(refused) >= 2, refused)
        check(r.message, r)


def cli_env(tmp):
    return {"HOME": tmp, "XDG_CONFIG_HOME": os.path.join(tmp, "config")}


def cli_login(tmp, srv, user):
    url = "http://127.0.0.1:%d" % srv.port
    p = run("login", "--server", url, "--account", user.name,
            input="%s\n%s\n" % (user.password, user.next_otp()), env=cli_env(tmp))
    check(p.returncode == 0, p.stdout + p.stderr)
    return url


def test_col2_import_server_uploads_as_the_signed_in_operator(tmp):
    """`xinyong import --server URL`: the same validation and report as a
    local import, for the operator's own unit; exit 3 when rows were rejected
    and 1 when nothing was stored."""
    with Server(tmp, init_args=with_units(tmp)) as srv:
        admin = srv.setup_admin()
        op = operator(srv, admin, "op_cli")
        url = cli_login(tmp, srv, op)
        path = os.path.join(tmp, "处罚-2026年3月.csv")
        with open(path, "wb") as f:
            f.write(rows_csv(200, 20, bad=(205,)))
        p = run("import", "--server", url, "--dataset", "XZCF", path, env=cli_env(tmp))
        check(p.returncode == 3, p.stdout + p.stderr)
        check("accepted=19 rejected=1" in p.stdout.splitlines(), p.stdout)
        out = dict(ln.split("=", 1) for ln in p.stdout.splitlines() if ln.count("=") == 1)
        check(out["report"] == path + ".report.csv", out)
        with open(out["report"], encoding="utf-8") as f:
            check("CF_JDRQ" in f.read())
        names = srv.db().execute("select file_name, account from batches").fetchall()
        check(names == [("处罚-2026年3月.csv", "op_cli")], names)
        # Again: refused as a duplicate, nothing stored, the report untouched.
        p = run("import", "--server", url, "--dataset", "XZCF", path, env=cli_env(tmp))
        check(p.returncode == 1 and "duplicate_batch" in p.stderr, p.stdout + p.stderr)
        # A second server URL than the one signed in to is refused, naming both.
        p = run("import", "--server", "http://127.0.0.1:1", "--dataset", "XZCF", path,
                env=cli_env(tmp))
        check(p.returncode == 1 and "signed in to" in p.stderr, p.stderr)
        # --unit does not go with --server.
        p = run("import", "--server", url, "--dataset", "XZCF", "--unit", PROVIDER, path,
                env=cli_env(tmp))
        check(p.returncode == 2, p.stderr)


def test_col2_import_server_refusal_shows_the_servers_reason(tmp):
    with Server(tmp, init_args=with_units(tmp)) as srv:
        admin = srv.setup_admin()
        other = operator(srv, admin, "op_xzxk", unit=OTHER)
        url = cli_login(tmp, srv, other)
        path = os.path.join(tmp, "cf.csv")
        with open(path, "wb") as f:
            f.write(rows_csv(1, 3))
        p = run("import", "--server", url, "--dataset", "XZCF", path, env=cli_env(tmp))
        check(p.returncode == 1 and "forbidden" in p.stderr, p.stdout + p.stderr)
        check(not os.path.exists(path + ".report.csv"))


if __name__ == "__main__":
    sys.exit(run_all())
