"""NET-1: the internet-zone portal's sandbox (src/portal/sandbox.c), entered for real by
the test tool build/tests/xy_sandbox_probe on a fresh folder.  The probe does what a
portal does (files, SQLite in WAL, an SM2 verify, one HTTP request through the server
module) and what an intruder in it would try; each refusal is checked here, and the
kernel's own view of the process (/proc/PID/status) is read from outside.

Landlock depends on the kernel: each Landlock test asks the kernel itself (ctypes), and
either sees the refusal or sees the probe's report say that Landlock is missing.  The
probe's --old-kernel makes that second path run on every kernel."""
import ctypes
import json
import os
import pwd
import re
import signal
import socket
import subprocess
import sys
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from xytest import ROOT, Failure, check, run_all  # noqa: E402

BUILD = os.environ.get("XY_BUILD") or os.path.join(ROOT, "build")
PROBE = os.path.join(BUILD, "tests", "xy_sandbox_probe")
KNOWN_ABI = 7  # XY_SANDBOX_LANDLOCK_ABI_KNOWN
AS_ROOT = os.geteuid() == 0
# LeakSanitizer's check at exit needs ptrace and PR_SET_DUMPABLE, which the sandbox
# refuses (by killing): in the sanitizer build the probe runs without it.
ENV = dict(os.environ)
ENV["ASAN_OPTIONS"] = (ENV.get("ASAN_OPTIONS", "") + ":detect_leaks=0").lstrip(":")


def kernel_landlock_abi():
    """What the kernel says, asked directly: landlock_create_ruleset(NULL, 0,
    LANDLOCK_CREATE_RULESET_VERSION) (x86_64 system call 444)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    v = libc.syscall(ctypes.c_long(444), None, ctypes.c_size_t(0), ctypes.c_uint32(1))
    return v if v > 0 else 0


def layout(tmp):
    """tmp/portal (the sandbox's folder, the portal user's own), tmp/gov/core.db (the
    other zone's store, world-readable: a refusal is Landlock's, not the file mode's)
    and tmp/pub/zone.txt (a read-only path)."""
    os.chmod(tmp, 0o755)
    d = {k: os.path.join(tmp, k) for k in ("portal", "gov", "pub")}
    for p in d.values():
        os.mkdir(p, 0o755)
    for name, text in (("gov/core.db", "the government zone's store\n"),
                       ("pub/zone.txt", "Asia/Shanghai\n")):
        with open(os.path.join(tmp, name), "w") as f:
            f.write(text)
        os.chmod(os.path.join(tmp, name), 0o644)
    if AS_ROOT:
        nobody = pwd.getpwnam("nobody")
        os.chown(d["portal"], nobody.pw_uid, nobody.pw_gid)
    return d


def user_args():
    return ["--user", "nobody"] if AS_ROOT else []


def parse(out):
    """"name: result" lines into a dict."""
    res = {}
    for line in out.splitlines():
        k, sep, v = line.partition(": ")
        if sep:
            res[k] = v
    return res


def probe(d, *args):
    p = subprocess.run([PROBE, d["portal"]] + user_args() + [str(a) for a in args],
                       capture_output=True, text=True, timeout=120, env=ENV)
    return p, parse(p.stdout)


def entered(res, p):
    check(res.get("sandbox", "").startswith("ok "), p.stdout + p.stderr)
    return res["sandbox"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def killed_by_filter(p, action):
    check(p.returncode == -signal.SIGSYS,
          "%s: expected a kill by SIGSYS, got %s\n%s%s" % (action, p.returncode, p.stdout,
                                                           p.stderr))
    check("survived" not in p.stdout, p.stdout)


def landlock_expected():
    return min(kernel_landlock_abi(), KNOWN_ABI)


def check_refused_or_reported(res, p, key):
    """With Landlock the access is refused (EACCES); without it the report says so."""
    rep = entered(res, p)
    if landlock_expected():
        check(res.get(key) == "refused EACCES", "%s: %r\n%s" % (key, res.get(key), p.stdout))
    else:
        check("landlock=0 (unsupported:" in rep, rep)


# ---- what is in force ----

def test_net1_portal_sandbox_seccomp_mode_2(tmp):
    p, res = probe(layout(tmp))
    check(p.returncode == 0, p.stdout + p.stderr)
    check(" seccomp=2 " in entered(res, p), res["sandbox"])
    check(res.get("status", "").endswith("Seccomp: 2"), p.stdout)


def test_net1_no_new_privs(tmp):
    p, res = probe(layout(tmp))
    check(p.returncode == 0, p.stdout + p.stderr)
    check("no_new_privs=1 " in entered(res, p), res["sandbox"])
    check(res.get("status", "").startswith("NoNewPrivs: 1 "), p.stdout)


def test_net1_started_as_root_becomes_an_unprivileged_user(tmp):
    d = layout(tmp)
    if not AS_ROOT:  # nothing to drop: the report names the user it runs as
        p, res = probe(d)
        check(" uid=%d " % os.getuid() in entered(res, p), p.stdout)
        return
    p = subprocess.run([PROBE, d["portal"]], capture_output=True, text=True, timeout=60,
                       env=ENV)
    check(p.returncode == 1 and "sandbox: failed config_error" in p.stdout,
          p.stdout + p.stderr)
    check("name an unprivileged user" in p.stderr, p.stderr)
    nobody = pwd.getpwnam("nobody")
    p, res = probe(d)
    check(" uid=%d gid=%d" % (nobody.pw_uid, nobody.pw_gid) in entered(res, p), p.stdout)
    p, res = probe(d, "--try", "setuid")  # root cannot be asked back
    killed_by_filter(p, "setuid")


def test_net1_sqlite_and_http_work_inside_sandbox(tmp):
    d = layout(tmp)
    port = free_port()
    pr = subprocess.Popen([PROBE, d["portal"], "--http", "--port", str(port)] + user_args(),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          env=ENV)
    try:
        lines = []
        while True:
            line = pr.stdout.readline()
            if not line:
                raise Failure("probe ended before listening:\n" + "".join(lines) +
                              pr.stderr.read())
            lines.append(line)
            if line.startswith("http: "):
                break
        check(line.strip() == "http: listening %d" % port, "".join(lines))
        # the kernel's view of the serving process, from outside
        with open("/proc/%d/status" % pr.pid) as f:
            status = f.read()
        check(re.search(r"^Seccomp:\s+2$", status, re.M), status)
        check(re.search(r"^NoNewPrivs:\s+1$", status, re.M), status)
        if AS_ROOT:
            uid = pwd.getpwnam("nobody").pw_uid
            check(re.search(r"^Uid:\s+%d\s+%d\s+%d\s+%d$" % ((uid,) * 4), status, re.M),
                  status)
            check(re.search(r"^CapEff:\s+0+$", status, re.M), status)
        with urllib.request.urlopen("http://127.0.0.1:%d/probe" % port, timeout=30) as r:
            check(r.status == 200)
            body = json.loads(r.read())
        check(body == {"probe": "ok", "rows": 3}, body)
        rest, err = pr.communicate(timeout=60)
    finally:
        if pr.poll() is None:
            pr.kill()
            pr.wait()
    res = parse("".join(lines) + rest)
    check(pr.returncode == 0, "".join(lines) + rest + err)
    check(res.get("file") == "ok create write fsync rename read unlink", res)
    check(res.get("sqlite") == "ok wal rows=3", res)
    check(res.get("sm2_verify") == "ok (a changed message refused)", res)
    check(res.get("http") == "answered 1 request", res)
    check(os.path.exists(os.path.join(d["portal"], "public.db")))


# ---- Landlock ----

def test_net1_landlock_abi_reported_matches_kernel(tmp):
    p, res = probe(layout(tmp))
    rep = entered(res, p)
    want = landlock_expected()
    if want:
        check(" landlock=%d " % want in rep, "kernel ABI %d, report %s" % (want, rep))
    else:
        check("landlock=0 (unsupported:" in rep, rep)


def test_net1_landlock_refuses_file_outside_dir(tmp):
    d = layout(tmp)
    gov_db = os.path.join(d["gov"], "core.db")
    planted = os.path.join(d["gov"], "planted.txt")
    p, res = probe(d, "--read", "/etc/passwd", "--read", gov_db, "--write", planted,
                   "--write", os.path.join(tmp, "beside.txt"))
    check(p.returncode == 0, p.stdout + p.stderr)
    check_refused_or_reported(res, p, "read /etc/passwd")
    check_refused_or_reported(res, p, "read " + gov_db)
    check_refused_or_reported(res, p, "write " + planted)
    if landlock_expected():
        check(not os.path.exists(planted) and not os.path.exists(os.path.join(tmp, "beside.txt")))


def test_net1_landlock_read_only_path_is_read_but_never_written(tmp):
    d = layout(tmp)
    zone = os.path.join(d["pub"], "zone.txt")
    p, res = probe(d, "--ro", d["pub"], "--read", zone, "--write", zone,
                   "--write", os.path.join(d["pub"], "new.txt"))
    check(p.returncode == 0, p.stdout + p.stderr)
    check(res.get("read " + zone) == "ok", p.stdout)
    check_refused_or_reported(res, p, "write " + zone)
    check_refused_or_reported(res, p, "write " + os.path.join(d["pub"], "new.txt"))
    check(open(zone).read() == "Asia/Shanghai\n")


def test_net1_landlock_tcp_bind_only_to_the_portal_port(tmp):
    d = layout(tmp)
    port, other = free_port(), free_port()
    p, res = probe(d, "--port", port, "--bind", other)
    rep = entered(res, p)
    if landlock_expected() >= 4:
        check(" net=1 " in rep, rep)
        check(res.get("bind %d" % other) == "refused EACCES", p.stdout)
    else:
        check(" net=1 " not in rep, rep)  # no TCP rules below ABI 4; seccomp still holds


def test_net1_without_landlock_report_says_so_and_seccomp_still_holds(tmp):
    d = layout(tmp)
    p, res = probe(d, "--old-kernel", "--read", "/etc/passwd")
    check(p.returncode == 0, p.stdout + p.stderr)
    rep = entered(res, p)
    check("landlock=0 (unsupported: this kernel has no Landlock (ENOSYS))" in rep, rep)
    check(" seccomp=2 " in rep and "no_new_privs=1 " in rep, rep)
    check(res.get("sqlite") == "ok wal rows=3", p.stdout)
    p, res = probe(d, "--old-kernel", "--try", "exec")
    killed_by_filter(p, "exec without Landlock")


def test_net1_landlock_required_refuses_to_start_without_it(tmp):
    d = layout(tmp)
    p, res = probe(d, "--old-kernel", "--require-landlock")
    check(p.returncode == 1, p.stdout + p.stderr)
    check(res.get("sandbox", "").startswith("failed config_error"), p.stdout)
    check("Landlock required" in p.stderr, p.stderr)
    check(os.listdir(d["portal"]) == [], os.listdir(d["portal"]))  # no probe ran
    p, res = probe(d, "--require-landlock")
    if landlock_expected():
        check(p.returncode == 0 and " landlock=%d " % landlock_expected() in entered(res, p),
              p.stdout + p.stderr)
    else:
        check(p.returncode == 1, p.stdout)


# ---- seccomp: each forbidden call kills the process ----

def test_net1_execve_refused(tmp):
    p, res = probe(layout(tmp), "--try", "exec")
    entered(res, p)
    check(res.get("sqlite") == "ok wal rows=3", p.stdout)  # it got that far
    killed_by_filter(p, "exec")


def test_net1_no_new_process_no_ptrace_no_executable_memory(tmp):
    d = layout(tmp)
    for action in ("fork", "ptrace", "mprotect_exec", "rename_exchange"):
        p, res = probe(d, "--try", action)
        entered(res, p)
        killed_by_filter(p, action)
        for f in os.listdir(d["portal"]):  # a fresh start each time
            os.unlink(os.path.join(d["portal"], f))


def test_net1_no_outward_connection_and_only_tcp_sockets(tmp):
    d = layout(tmp)
    with socket.socket() as listener:  # what an outward connection would reach
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)
        listener.settimeout(0.2)
        for action in ("connect", "fastopen", "udp", "unix"):
            p, res = probe(d, "--try", action, "--connect-port", listener.getsockname()[1])
            entered(res, p)
            killed_by_filter(p, action)
            for f in os.listdir(d["portal"]):
                os.unlink(os.path.join(d["portal"], f))
        try:
            conn, _ = listener.accept()
            conn.close()
            raise Failure("the sandboxed probe connected out")
        except socket.timeout:
            pass


if __name__ == "__main__":
    sys.exit(run_all())
