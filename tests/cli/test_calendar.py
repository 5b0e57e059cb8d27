"""Black-box tests of `xinyong calendar`: an operator checks a working-day
calendar (DIR/calendar.txt, used by the AUD-5 off-hours report and CHG-3
deadlines) before putting a new year's file in place."""
import datetime
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from xytest import ROOT, check, run, run_all  # noqa: E402

SHIPPED = os.path.join(ROOT, "data", "calendar-cn.txt")


def china_year():
    return datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))).year


def test_aud5_calendar_of_an_instance_says_what_it_covers(tmp):
    d = os.path.join(tmp, "inst")
    check(run("init", d).returncode == 0)
    p = run("calendar", d)
    check(p.returncode == 0, p.stderr)
    check("calendar.txt: 33 holidays, 6 adjusted working days; covers 2026" in p.stdout,
          p.stdout)
    # next year is never in the shipped file before its notice is added
    nxt = china_year() + 1
    check("warning: %d is not covered" % nxt in p.stdout, p.stdout)


def test_aud5_calendar_a_new_year_appended_is_covered(tmp):
    path = os.path.join(tmp, "calendar.txt")
    with open(path, "w", encoding="utf-8") as f:
        f.write(open(SHIPPED, encoding="utf-8").read())
        # invented for the test: not a real notice
        f.write("\n# test year\n2030-01-01 holiday\n2030-01-05 workday\n")
    p = run("calendar", path)
    check(p.returncode == 0, p.stderr)
    check("34 holidays, 7 adjusted working days; covers 2026, 2030" in p.stdout, p.stdout)


def test_aud5_calendar_bad_line_named(tmp):
    path = os.path.join(tmp, "calendar.txt")
    shipped = open(SHIPPED, encoding="utf-8").read()
    n = shipped.count("\n")
    for extra, why in (("2026-10-10 holiday\n", "2026-10-10 is both a holiday and a workday"),
                       ("2026-10-32 holiday\n", "is not a real calendar date"),
                       ("2026-10-11 rest\n", "\"rest\" after the date")):
        with open(path, "w", encoding="utf-8") as f:
            f.write(shipped + extra)
        p = run("calendar", path)
        check(p.returncode == 1, p.stdout)
        check("line %d: " % (n + 1) in p.stderr and why in p.stderr, p.stderr)
    p = run("calendar", os.path.join(tmp, "missing.txt"))
    check(p.returncode == 1 and "missing.txt" in p.stderr, p.stderr)
    p = run("calendar")
    check(p.returncode == 2, p.stderr)


if __name__ == "__main__":
    sys.exit(run_all())
