"""Tiny TAP harness for black-box tests (Python standard library only).

Each test is a function named test_*; run_all() runs them in file order, each
in a fresh temporary directory, and prints "ok N - name" / "not ok N - name".
"""
import inspect
import os
import shutil
import subprocess
import sys
import tempfile
import traceback

BIN = os.environ.get("XY_BIN") or os.path.join(
    os.path.dirname(__file__), "..", "..", "build", "xinyong")
BIN = os.path.abspath(BIN)
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


class Failure(Exception):
    pass


def check(cond, msg="check failed"):
    if not cond:
        raise Failure(msg)


def run(*args, input=None, env=None, timeout=600, cwd=None):
    """Runs the product; returns CompletedProcess with text stdout/stderr."""
    e = dict(os.environ)
    if env:
        e.update(env)
    return subprocess.run([BIN] + [str(a) for a in args], input=input,
                          capture_output=True, text=True, env=e,
                          timeout=timeout, cwd=cwd)


def sql(db, query, *params):
    """Reads or changes core.db behind the product's back with the sqlite3
    shell (as an attacker or an auditor with a shell would)."""
    p = subprocess.run(["sqlite3", "-batch", "-noheader", db, query],
                       capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        raise Failure("sqlite3 failed: " + p.stderr)
    return p.stdout


def retag(inst_dir, table, row_id):
    """Test stand-in for a clock: after a test moved a date in a tagged row
    (an end date passed, a password grown old), re-tags that row as the
    application would have written it (CRY-2), with the test tool
    build/tests/xy_retag.  Never used to hide a tampered row."""
    build = os.environ.get("XY_BUILD") or os.path.join(ROOT, "build")
    p = subprocess.run([os.path.join(build, "tests", "xy_retag"), inst_dir, table,
                        str(row_id)], capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        raise Failure("xy_retag failed: " + p.stderr)


def run_all(module_globals=None):
    g = module_globals or inspect.stack()[1].frame.f_globals
    tests = [(n, f) for n, f in g.items()
             if n.startswith("test_") and callable(f)]
    tests.sort(key=lambda nf: nf[1].__code__.co_firstlineno)
    print("1..%d" % len(tests))
    failed = 0
    for i, (name, fn) in enumerate(tests, 1):
        tmp = tempfile.mkdtemp(prefix="xy-")
        try:
            fn(tmp)
            print("ok %d - %s" % (i, name))
        except Exception as ex:  # noqa: BLE001 - report every failure
            failed += 1
            print("not ok %d - %s" % (i, name))
            for line in traceback.format_exception(ex):
                for sub in line.rstrip().splitlines():
                    print("# " + sub)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        sys.stdout.flush()
    return 1 if failed else 0
