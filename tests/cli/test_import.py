"""Black-box tests of `xinyong import` (COL-2, COL-3, COL-4, COL-5, CRY-1,
AUD-1, AUD-2): what a department clerk sees when her file goes in, and what
an attacker with the database file does not see."""
import csv
import hashlib
import io
import json
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import xzcf  # noqa: E402
from codes import idnum, uscc, wrong_check  # noqa: E402
from xytest import check, run, run_all, sql  # noqa: E402

UNIT = uscc("360402", 77, "11")      # provides XZCF and GRQF
OTHER = uscc("360403", 78, "11")     # provides XZXK only


def instance(tmp):
    units = os.path.join(tmp, "units.csv")
    open(units, "w", encoding="utf-8").write(
        "code,name,region,provides\n"
        "%s,九江市濂溪区市场监督管理局,360402,XZCF|GRQF\n"
        "%s,九江市浔阳区行政审批局,360403,XZXK\n" % (UNIT, OTHER))
    d = os.path.join(tmp, "inst")
    p = run("init", d, "--units", units)
    check(p.returncode == 0, p.stderr)
    return d


def write(tmp, name, data):
    path = os.path.join(tmp, name)
    mode = "wb" if isinstance(data, bytes) else "w"
    with open(path, mode, **({} if mode == "wb" else {"encoding": "utf-8", "newline": ""})) as f:
        f.write(data)
    return path


def imp(d, path, dataset="XZCF", unit=UNIT, *extra, env=None):
    return run("import", d, "--dataset", dataset, "--unit", unit, *extra, path, env=env)


def counts(p):
    m = re.search(r"accepted=(\d+) rejected=(\d+)", p.stdout)
    check(m, "no summary line: " + p.stdout + p.stderr)
    return int(m.group(1)), int(m.group(2))


def report(p):
    m = re.search(r"^report=(.+)$", p.stdout, re.M)
    check(m, p.stdout)
    text = open(m.group(1), encoding="utf-8-sig").read()
    rows = list(csv.reader(io.StringIO(text)))
    check(rows[0] == ["行号", "字段代码", "字段名称", "原因", "reason"], rows[0])
    return rows[1:]


def db(d):
    return os.path.join(d, "core.db")


def nrecords(d):
    return int(sql(db(d), "select count(*) from records"))


# ---- the clerk's Monday (USERS.md) ----

def test_col2_gb18030_file_with_chinese_headers_partly_rejected_then_fixed(tmp):
    d = instance(tmp)
    rows = [xzcf.legal(i) for i in range(1, 11)]
    rows[3]["CF_XDR_SHXYM"] = wrong_check(rows[3]["CF_XDR_SHXYM"])   # row 5 of the sheet
    rows[7]["CF_JDRQ"] = "2025-02-30"                               # row 9
    text = xzcf.to_csv(rows, names=dict(zip(xzcf.HEADER, xzcf.HEADER_ZH)))
    path = write(tmp, "penalties.csv", text.encode("gb18030"))
    p = imp(d, path)
    check(p.returncode == 3, "exit 3 when some rows are rejected: %d %s" % (p.returncode, p.stderr))
    check("encoding=gb18030" in p.stdout, p.stdout)
    check(counts(p) == (8, 2), p.stdout)
    rep = report(p)
    check([r[0] for r in rep] == ["5", "9"], rep)
    check(rep[0][1] == "CF_XDR_SHXYM" and "校验" in rep[0][3] and "check" in rep[0][4], rep[0])
    check(rep[1][1] == "CF_JDRQ" and "2025-02-30 不是有效日期" in rep[1][3], rep[1])
    check(nrecords(d) == 8)
    # She fixes the two rows in her spreadsheet and sends just those.
    rows[3]["CF_XDR_SHXYM"] = uscc("360402", 1004)
    rows[7]["CF_JDRQ"] = "2025-02-28"
    fixed = xzcf.to_csv([rows[3], rows[7]], names=dict(zip(xzcf.HEADER, xzcf.HEADER_ZH)))
    p = imp(d, write(tmp, "fixed.csv", fixed.encode("gb18030")))
    check(p.returncode == 0 and counts(p) == (2, 0), p.stdout + p.stderr)
    check(nrecords(d) == 10, "nothing lost, nothing doubled")


def test_col2_gb18030_detected_after_a_long_ascii_start(tmp):
    d = instance(tmp)
    head = xzcf.to_csv([]).encode()
    junk = b"".join(b"row %d with plain ascii text only %s\r\n" % (i, b"x" * 200)
                    for i in range(300))                      # > 64 KiB of ASCII
    tail = xzcf.to_csv([xzcf.legal(1), xzcf.legal(2)]).split("\r\n", 1)[1]
    p = imp(d, write(tmp, "late.csv", head + junk + tail.encode("gb18030")))
    check(p.returncode == 3 and counts(p) == (2, 300), p.stdout + p.stderr)
    check("encoding=gb18030" in p.stdout, p.stdout)
    check(sql(db(d), "select encoding from batches").strip() == "gb18030")
    name = sql(db(d), "select json_extract(clear, '$.CF_XDR_MC') from records order by id limit 1")
    check(name.strip() == "九江市濂溪区测试商贸有限公司1", name)


def test_col2_utf8_with_bom_codes_and_short_names(tmp):
    d = instance(tmp)
    names = {h: h for h in xzcf.HEADER}
    names["CF_XDR_SHXYM"] = " 行政相对人代码_1（统一社会信用代码） "   # full-width brackets, spaces
    names["CF_JDRQ"] = "处罚决定日期"
    text = "\ufeff" + xzcf.to_csv([xzcf.legal(1), xzcf.legal(2)], names=names)
    p = imp(d, write(tmp, "bom.csv", text))
    check(p.returncode == 0 and counts(p) == (2, 0), p.stdout + p.stderr)
    check("encoding=utf-8" in p.stdout)


def test_col2_quoted_fields_with_commas_quotes_and_newlines(tmp):
    d = instance(tmp)
    r = xzcf.legal(1, CF_SY='当事人于2026年3月1日销售"过期"食品,\n共计12箱')
    p = imp(d, write(tmp, "q.csv", xzcf.to_csv([r, xzcf.legal(2)])))
    check(p.returncode == 0 and counts(p) == (2, 0), p.stdout + p.stderr)
    stored = sql(db(d), "select clear from records order by id limit 1")
    check(json.loads(stored)["CF_SY"] == r["CF_SY"], stored)


def test_col2_jsonl_file(tmp):
    d = instance(tmp)
    lines = [json.dumps(xzcf.legal(1), ensure_ascii=False),
             json.dumps(xzcf.legal(2, CF_NR_FK=1.25), ensure_ascii=False),
             "not json",
             json.dumps(dict(xzcf.legal(4), 血液="A"), ensure_ascii=False),
             json.dumps(dict(xzcf.legal(5), 行政相对人名称="另一个名称"), ensure_ascii=False),
             json.dumps(dict(xzcf.legal(6), 血型="A"), ensure_ascii=False)]
    p = imp(d, write(tmp, "rows.jsonl", "\n".join(lines) + "\n"))
    check(p.returncode == 3 and counts(p) == (2, 4), p.stdout + p.stderr)
    rep = report(p)
    check(rep[0][0] == "3" and "JSON" in rep[0][4], rep)
    check(rep[1][0] == "4" and "unknown field" in rep[1][4], rep)
    check(rep[2][0] == "5" and "given twice" in rep[2][4], rep)
    check(rep[3][0] == "6" and "COL-3" in rep[3][4], rep)


# ---- files that cannot be used at all: exit 1, nothing stored ----

def refused(d, p, *words):
    check(p.returncode == 1, "exit 1 expected, got %d: %s%s" % (p.returncode, p.stdout, p.stderr))
    for w in words:
        check(w in p.stderr, "%r not in %r" % (w, p.stderr))
    check(nrecords(d) == 0, "nothing stored")
    check("accepted=" not in p.stdout)


def test_col2_empty_file_refused(tmp):
    d = instance(tmp)
    refused(d, imp(d, write(tmp, "e.csv", "")), "empty")


def test_col2_header_only_refused(tmp):
    d = instance(tmp)
    refused(d, imp(d, write(tmp, "h.csv", xzcf.to_csv([]))), "no data rows")


def test_col2_unknown_columns_refused_and_named(tmp):
    d = instance(tmp)
    header = xzcf.HEADER + ["备用字段", "XYZ"]
    refused(d, imp(d, write(tmp, "u.csv", xzcf.to_csv([xzcf.legal(1)], header=header))),
            "unknown columns", "备用字段", "XYZ")


def test_col2_missing_required_columns_refused_and_named(tmp):
    d = instance(tmp)
    header = [h for h in xzcf.HEADER if h not in ("CF_WSH", "CF_JDRQ")]
    refused(d, imp(d, write(tmp, "m.csv", xzcf.to_csv([xzcf.legal(1)], header=header))),
            "missing required columns", "CF_WSH", "行政处罚决定书文号", "CF_JDRQ")


def test_col3_prohibited_column_refused(tmp):
    d = instance(tmp)
    header = xzcf.HEADER + ["血型"]
    refused(d, imp(d, write(tmp, "p.csv", xzcf.to_csv([xzcf.legal(1)], header=header))),
            "血型", "COL-3")


def test_col2_wrong_encoding_refused(tmp):
    d = instance(tmp)
    data = xzcf.to_csv([xzcf.legal(1)]).encode("utf-16")   # with its BOM
    refused(d, imp(d, write(tmp, "w.csv", data)), "encoding")
    bad = b"\xff\xfe\xfd\x80\x81\x00\x00" * 50
    refused(d, imp(d, write(tmp, "b.csv", bad)), "encoding")


def test_col2_unknown_dataset_refused(tmp):
    d = instance(tmp)
    refused(d, imp(d, write(tmp, "x.csv", xzcf.to_csv([xzcf.legal(1)])), "NOPE"),
            "unknown dataset NOPE")


def test_col2_unit_that_does_not_provide_the_dataset_refused(tmp):
    d = instance(tmp)
    path = write(tmp, "x.csv", xzcf.to_csv([xzcf.legal(1)]))
    refused(d, imp(d, path, "XZCF", OTHER), "does not provide dataset XZCF")
    refused(d, imp(d, path, "XZCF", uscc("360404", 79)), "unknown unit")
    # The refusal is itself audited (AUD-1).
    ev = sql(db(d), "select result || '|' || reason from audit_events where action = 'import'")
    check("refused|" in ev and "does not provide" in ev, ev)


def test_col2_same_file_twice_refused_naming_the_batch(tmp):
    d = instance(tmp)
    path = write(tmp, "once.csv", xzcf.to_csv([xzcf.legal(1), xzcf.legal(2)]))
    p = imp(d, path)
    check(p.returncode == 0)
    batch = re.search(r"batch=(\d+)", p.stdout).group(1)
    p = imp(d, path)
    check(p.returncode == 1 and ("batch " + batch) in p.stderr, p.stderr)
    check(nrecords(d) == 2, "not doubled")


def test_col2_different_files_of_equal_size_both_go_in(tmp):
    d = instance(tmp)
    a = xzcf.to_csv([xzcf.legal(11), xzcf.legal(12)])
    b = xzcf.to_csv([xzcf.legal(13), xzcf.legal(14)])
    check(len(a.encode()) == len(b.encode()) and a != b, "same size, other content")
    check(imp(d, write(tmp, "a.csv", a)).returncode == 0)
    p = imp(d, write(tmp, "b.csv", b))
    check(p.returncode == 0 and counts(p) == (2, 0), p.stdout + p.stderr)
    check(nrecords(d) == 4)


# ---- rows that are rejected while the rest go in ----

def one_bad_row(tmp, d, bad, name="f.csv", raw=None, base=0):
    rows = [xzcf.legal(base + 1), bad, xzcf.legal(base + 3)]
    data = raw if raw is not None else xzcf.to_csv(rows).encode()
    p = imp(d, write(tmp, name, data))
    check(p.returncode == 3, "%d %s %s" % (p.returncode, p.stdout, p.stderr))
    check(counts(p) == (2, 1), p.stdout)
    rep = report(p)
    check(len(rep) == 1 and rep[0][0] == "3", rep)
    return rep[0]


def test_col2_wrong_check_character_rejected(tmp):
    d = instance(tmp)
    r = one_bad_row(tmp, d, xzcf.legal(2, CF_XDR_SHXYM=wrong_check(uscc("360402", 1002))))
    check(r[1] == "CF_XDR_SHXYM" and "校验" in r[3], r)


def test_col2_invalid_dates_rejected(tmp):
    d = instance(tmp)
    r = one_bad_row(tmp, d, xzcf.legal(2, CF_JDRQ="2023-02-30"))
    check(r[1] == "CF_JDRQ" and "2023-02-30" in r[3] and "calendar" in r[4], r)


def test_col2_amount_with_thousands_separator_rejected(tmp):
    d = instance(tmp)
    r = one_bad_row(tmp, d, xzcf.legal(2, CF_NR_FK="1,000.5"))
    check(r[1] == "CF_NR_FK" and "千位分隔符" in r[3] and "thousands" in r[4], r)


def test_col2_conditional_fields_rejected(tmp):
    d = instance(tmp)
    # A natural person's row must not carry an organisation's code.
    r = one_bad_row(tmp, d, xzcf.natural(2, CF_XDR_SHXYM=uscc("360402", 3)), "n.csv")
    check("CF_XDR_SHXYM" in r[1] and "应为空" in r[3], r)
    # 罚款 without its amount.
    r = one_bad_row(tmp, d, xzcf.legal(15, CF_NR_FK=""), "k.csv", base=10)
    check(r[1] == "CF_NR_FK" and "罚款" in r[3], r)


def test_col2_allow_list_admits_genuine_pre_2016_codes(tmp):
    d = instance(tmp)
    old = wrong_check(uscc("360402", 4242))
    rows = [xzcf.legal(1, CF_XDR_SHXYM=old), xzcf.legal(2, CF_XDR_SHXYM=old.lower())]
    path = write(tmp, "old.csv", xzcf.to_csv(rows))
    p = imp(d, path)
    check(p.returncode == 3 and counts(p) == (0, 2), "refused before it is listed")
    with open(os.path.join(d, "allow-codes.txt"), "a") as f:
        f.write(old + "\n")
    p = imp(d, write(tmp, "old2.csv", xzcf.to_csv(rows) + "\r\n"))
    check(p.returncode == 3 and counts(p) == (1, 1), p.stdout)
    check(report(p)[0][0] == "3", "the lower-case form is still refused")


def test_col2_duplicate_rows_within_a_file_rejected(tmp):
    d = instance(tmp)
    a = xzcf.legal(1)
    p = imp(d, write(tmp, "dup.csv", xzcf.to_csv([a, xzcf.legal(2), a])))
    check(p.returncode == 3 and counts(p) == (2, 1), p.stdout)
    rep = report(p)
    check(rep[0][0] == "4" and "row 2 of this file" in rep[0][4], rep)
    # The same record again in another file names the earlier batch.
    p = imp(d, write(tmp, "again.csv", xzcf.to_csv([a, xzcf.legal(9)])))
    check(p.returncode == 3 and "already submitted in batch" in report(p)[0][4])


def test_col2_line_longer_than_the_limit_rejected(tmp):
    d = instance(tmp)
    long_row = xzcf.legal(2, CF_SY="很" * 30000)   # 90,000 bytes, over the 64 KiB record limit
    r = one_bad_row(tmp, d, long_row, "long.csv")
    check("65536" in r[4] or "limit" in r[4], r)


def test_col2_nul_byte_and_invalid_utf8_rejected(tmp):
    d = instance(tmp)
    good = xzcf.to_csv([xzcf.legal(1)]).encode()
    mid = xzcf.to_csv([xzcf.legal(2)]).encode().split(b"\r\n", 1)[1]
    last = xzcf.to_csv([xzcf.legal(3)]).encode().split(b"\r\n", 1)[1]
    r = one_bad_row(tmp, d, None, "nul.csv", good + mid.replace(b"2026-03-05", b"2026\x00-03-05", 1) + last)
    check("NUL" in r[4], r)
    os.rename(d, os.path.join(tmp, "first"))
    d2 = instance(tmp)
    r = one_bad_row(tmp, d2, None, "u8.csv", good + mid.replace("测试".encode(), b"\xe6\xb5", 1) + last)
    check("UTF-8" in r[4], r)


def test_col2_row_with_wrong_column_count_rejected(tmp):
    d = instance(tmp)
    text = xzcf.to_csv([xzcf.legal(1), xzcf.legal(2), xzcf.legal(3)])
    lines = text.split("\r\n")
    lines[2] = lines[2] + ",extra"
    p = imp(d, write(tmp, "cols.csv", "\r\n".join(lines)))
    check(p.returncode == 3 and counts(p) == (2, 1))
    check("columns" in report(p)[0][4])


# ---- provenance, validity, encryption, audit ----

def test_col4_each_record_keeps_batch_unit_time_and_row_digest(tmp):
    d = instance(tmp)
    text = xzcf.to_csv([xzcf.legal(1), xzcf.legal(2)])
    p = imp(d, write(tmp, "prov.csv", text))
    check(p.returncode == 0)
    batch = re.search(r"batch=(\d+)", p.stdout).group(1)
    rows = sql(db(d), "select r.batch_id, r.row_no, u.code, r.submitted_at, hex(r.row_sm3)"
               " from records r join units u on u.id = r.unit_id order by r.row_no").split()
    lines = text.split("\r\n")
    for i, line in enumerate(rows):
        b, row_no, unit, ts, digest = line.split("|")
        check(b == batch and unit == UNIT and int(ts) > 0, line)
        want = hashlib.new("sm3", lines[int(row_no) - 1].encode()).hexdigest().upper()
        check(digest == want, "row %s digest" % row_no)
    bt = sql(db(d), "select account, file_name, state, accepted, hex(file_sm3) from batches")
    fsm3 = hashlib.new("sm3", text.encode()).hexdigest().upper()
    check(bt.strip().split("|")[1:] == ["prov.csv", "done", "2", fsm3], bt)
    check(bt.startswith("os:"), "the submitting account is kept: " + bt)


def test_col5_validity_and_display_periods_are_kept(tmp):
    d = instance(tmp)
    rows = [xzcf.legal(1, CF_JDRQ="2024-01-10", CF_YXQ="2024-06-30"),   # already expired
            xzcf.legal(2, CF_YXQ="2099-12-31"),                        # long-term
            xzcf.legal(3, CF_GSJZQ="2026-09-05")]
    header = xzcf.HEADER + ["CF_GSJZQ"]
    p = imp(d, write(tmp, "v.csv", xzcf.to_csv(rows, header=header)))
    check(p.returncode == 0, p.stdout + p.stderr)
    got = sql(db(d), "select row_no, coalesce(date(valid_until * 86400, 'unixepoch'), '-'),"
              " coalesce(date(display_until * 86400, 'unixepoch'), '-') from records"
              " order by row_no").split()
    check(got == ["2|2024-06-30|2025-01-10", "3|-|2027-03-05", "4|2027-03-05|2026-09-05"], got)


def natural_rows():
    people = [xzcf.natural(i) for i in range(1, 6)]
    grqf = []
    for i in range(1, 6):
        grqf.append({
            "GRQF_XM": "段%s" % "甲乙丙丁戊"[i - 1], "GRQF_ZJLX": "身份证",
            "GRQF_ZJHM": idnum("360403", "1978%02d12" % i, 400 + i),
            "GRQF_LXDH": "1809876%04d" % (1000 + i),
            "GRQF_ZZ": "江西省九江市浔阳区甘棠北路%d号" % (100 + i),
            "GRQF_QFLX": "水费", "GRQF_HH": "HH2026%06d" % (777000 + i), "GRQF_QFJE": "312.50",
            "GRQF_QFQSRQ": "2025-01-01", "GRQF_TJRQ": "2026-01-31",
            "GRQF_SJLY": "九江市濂溪区市场监督管理局", "GRQF_SJLYDM": UNIT,
        })
    return people, grqf


def test_cry1_no_sensitive_value_in_clear_in_the_database(tmp):
    d = instance(tmp)
    people, grqf = natural_rows()
    p = imp(d, write(tmp, "n.csv", xzcf.to_csv(people)))
    check(p.returncode == 0, p.stdout + p.stderr)
    gh = list(grqf[0].keys())
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(gh)
    for r in grqf:
        w.writerow([r[h] for h in gh])
    p = imp(d, write(tmp, "g.csv", out.getvalue()), "GRQF")
    check(p.returncode == 0, p.stdout + p.stderr)
    secrets = [r["CF_XDR_ZJHM"] for r in people] + [r["CF_XDR_MC"] for r in people]
    for r in grqf:
        secrets += [r["GRQF_ZJHM"], r["GRQF_LXDH"], r["GRQF_ZZ"], r["GRQF_XM"], r["GRQF_HH"]]
    # Read the store as an attacker would: every byte of the files, and a
    # full dump through the sqlite3 shell.
    sql(db(d), "PRAGMA wal_checkpoint(TRUNCATE)")
    blobs = b""
    for name in os.listdir(d):
        if name.startswith("core.db"):
            blobs += open(os.path.join(d, name), "rb").read()
    dump = sql(db(d), ".dump")
    for s in secrets:
        check(s.encode() not in blobs, "found in clear in the database file: " + s[:4] + "…")
        check(s not in dump, "found in the dump: " + s[:4] + "…")
    sealed = int(sql(db(d), "select count(*) from records where length(sealed) > 53"))
    check(sealed == 10, "every natural person's record has sealed values")
    p = run("verify", d)
    check(p.returncode == 0 and "0 records with bad values" in p.stdout, p.stdout + p.stderr)


def test_cry1_a_sealed_value_moved_to_another_row_fails(tmp):
    d = instance(tmp)
    people, _ = natural_rows()
    check(imp(d, write(tmp, "n.csv", xzcf.to_csv(people))).returncode == 0)
    ids = sql(db(d), "select id from records order by id").split()
    # Behind the application's back: copy row 2's sealed values onto row 1.
    sql(db(d), "update records set sealed = (select sealed from records where id = %s)"
        " where id = %s" % (ids[1], ids[0]))
    p = run("verify", d)
    check(p.returncode == 1, p.stdout)
    check(("record %s " % ids[0]) in p.stdout and "integrity" in p.stdout, p.stdout)
    check(("record %s " % ids[1]) not in p.stdout, "the untouched row is fine")
    check("1 records with bad values" in p.stdout, p.stdout)


def test_aud1_import_leaves_its_event_with_counts(tmp):
    d = instance(tmp)
    rows = [xzcf.legal(1), xzcf.legal(2, CF_JDRQ="2023-02-30")]
    p = imp(d, write(tmp, "a.csv", xzcf.to_csv(rows)))
    check(p.returncode == 3)
    ev = sql(db(d), "select account, unit, result, object from audit_events"
             " where action = 'import'").strip().split("|", 3)
    check(ev[0].startswith("os:") and ev[1] == UNIT and ev[2] == "ok", ev)
    obj = json.loads(ev[3])
    check(obj["dataset"] == "XZCF" and obj["accepted"] == 1 and obj["rejected"] == 1, obj)
    check(obj["rows"] == 2 and len(obj["file_sm3"]) == 64, obj)
    check(run("audit", "verify", d).returncode == 0)


def test_aud2_injected_audit_failure_stores_nothing(tmp):
    d = instance(tmp)
    path = write(tmp, "f.csv", xzcf.to_csv([xzcf.legal(i) for i in range(1, 50)]))
    before = sql(db(d), "select count(*) from audit_events")
    p = imp(d, path, env={"XY_FAULT": "audit_append"})
    check(p.returncode == 1 and "audit" in p.stderr and "nothing" in p.stderr, p.stderr)
    check(nrecords(d) == 0, "no record")
    check(sql(db(d), "select count(*) from batches where state = 'done'").strip() == "0")
    check(sql(db(d), "select count(*) from audit_events") == before, "no event either")
    check(not os.listdir(os.path.join(d, "reports")), "no report of a batch that does not exist")
    # Once the trail works again the same file goes in (it was not marked as imported).
    p = imp(d, path)
    check(p.returncode == 0 and counts(p) == (49, 0), p.stdout + p.stderr)


def test_col2_a_crashed_import_is_cleaned_up_and_the_file_goes_in_whole(tmp):
    d = instance(tmp)
    with open(os.path.join(d, "config.ini"), "a") as f:
        f.write("[import]\ntxn_rows = 5\n")
    path = write(tmp, "big.csv", xzcf.to_csv([xzcf.legal(i) for i in range(1, 41)]))
    p = imp(d, path, env={"XY_FAULT": "import_crash"})      # dies after its first commit
    check(p.returncode == 70, "the importer was to die: %d %s" % (p.returncode, p.stderr))
    check(sql(db(d), "select state from batches").strip() == "loading", "left unfinished")
    check(nrecords(d) > 0, "some rows of the dead batch are on disk")
    p = imp(d, path)
    check(p.returncode == 0 and counts(p) == (40, 0), "all rows, none a duplicate of the dead "
          "batch: " + p.stdout + p.stderr)
    check(nrecords(d) == 40)
    ev = sql(db(d), "select action from audit_events where action = 'import.abandoned'")
    check(ev.strip() == "import.abandoned", "the clean-up is audited")


def test_col2_one_import_at_a_time_per_unit_and_dataset(tmp):
    import fcntl
    d = instance(tmp)
    path = write(tmp, "a.csv", xzcf.to_csv([xzcf.legal(1)]))
    unit_id = sql(db(d), "select id from units where code = '%s'" % UNIT).strip()
    os.makedirs(os.path.join(d, "locks"), exist_ok=True)
    lock = os.path.join(d, "locks", "import-XZCF-%s.lock" % unit_id)
    with open(lock, "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)             # another import is running
        p = imp(d, path)
        check(p.returncode == 1 and "in progress" in p.stderr, p.stderr)
        check(nrecords(d) == 0)
    p = imp(d, path)                              # it has finished
    check(p.returncode == 0 and counts(p) == (1, 0), p.stdout + p.stderr)


def test_col2_placeholder_or_identity_number_as_an_organisation_code_rejected(tmp):
    d = instance(tmp)
    header = xzcf.HEADER + ["CF_XDR_SWDJ"]
    rows = [xzcf.legal(1, CF_XDR_SHXYM="", CF_XDR_SWDJ="无"),
            xzcf.legal(2, CF_XDR_SHXYM="", CF_XDR_SWDJ="无"),
            xzcf.legal(3, CF_XDR_SHXYM="", CF_XDR_SWDJ=idnum("360402", "19800101", 7)),
            xzcf.legal(4, CF_XDR_SHXYM="", CF_XDR_SWDJ="360402MA12345678")]
    p = imp(d, write(tmp, "swdj.csv", xzcf.to_csv(rows, header=header)))
    check(p.returncode == 3 and counts(p) == (1, 3), p.stdout + p.stderr)
    rep = report(p)
    check([r[0] for r in rep] == ["2", "3", "4"], rep)
    check("placeholder" in rep[0][4] and "identity number" in rep[2][4], rep)
    check(rows[2]["CF_XDR_SWDJ"] not in sql(db(d), ".dump"), "no identity number in clear")


def test_aud1_what_the_caller_typed_cannot_forge_the_audit_object(tmp):
    d = instance(tmp)
    path = write(tmp, "x.csv", xzcf.to_csv([xzcf.legal(1)]))
    forged = 'XZCF","unit":"91360000FORGED0000","x":"1'
    p = imp(d, path, forged)
    check(p.returncode == 1, p.stderr)
    obj = sql(db(d), "select object from audit_events where result = 'refused'").strip()
    parsed = json.loads(obj)
    check(parsed["dataset"] == forged and parsed["unit"] == UNIT and "x" not in parsed, obj)


def test_aud3_changed_audit_event_is_detected(tmp):
    d = instance(tmp)
    check(imp(d, write(tmp, "a.csv", xzcf.to_csv([xzcf.legal(1)]))).returncode == 0)
    # the append-only triggers guard against the application, not an attacker
    sql(db(d), "drop trigger audit_events_no_update; drop trigger audit_events_no_delete;"
               "update audit_events set account = 'os:nobody' where seq = 2")
    p = run("audit", "verify", d)
    check(p.returncode == 1 and "event 2" in p.stdout, p.stdout)
    sql(db(d), "delete from audit_events where seq = 3")
    p = run("verify", d)
    check(p.returncode == 1 and "chain broken" in p.stdout, p.stdout)


def test_col2_demo_data_goes_in_through_the_same_path(tmp):
    d = instance(tmp)
    p = run("demo", d, "--subjects", "300", "--records", "1200")
    check(p.returncode == 0, p.stdout + p.stderr)
    m = re.search(r"demo: (\d+) files, (\d+) records imported, (\d+) rejected", p.stdout)
    check(m and int(m.group(2)) == 1200 and m.group(3) == "0", p.stdout)
    check(nrecords(d) == 1200)
    ds = set(sql(db(d), "select distinct dataset from records").split())
    check(ds == {"XZXK", "XZCF", "YZSX", "SXJL", "QYSB", "GRQF"}, ds)
    check(run("verify", d).returncode == 0)


if __name__ == "__main__":
    sys.exit(run_all())
