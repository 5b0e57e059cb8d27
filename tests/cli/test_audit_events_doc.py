"""The catalogue of audit events in docs/FORMATS.md ("Audit events (AUD-1)")
kept true (AUD-1): every action the code writes is documented, every
documented action is written by the code, each the way the catalogue says
(in a transaction or through the group-commit writer), and the events a
real instance writes carry the documented fields and object keys.

The code is read, not run, for the first three: every call of the audit
functions (xy_svc_audit, xy_svc_audit_read, xy_svc_audit_tx, xy_svc_refuse)
and every assignment to an event's `.action` in src/ is found, and its
action argument is worked out: a string literal, a macro such as KIND
joined to one ("extraction" ".read"), either side of a `?:`, a local
variable's initialiser, a parameter of a helper (then every call of the
helper in the same file), or xy_action_name(XY_ACT_…) through the policy's
table of names.  What cannot be worked out that way must be in RUNTIME below
(with how its names are made) or in COPIES (places that pass an existing
event's action along and write none of their own); anything else fails the
test, so a new kind of call site cannot slip past it."""
import json
import os
import pwd
import re
import sqlite3
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import xzcf  # noqa: E402
from xytest import ROOT, check, run, run_all  # noqa: E402

SRC = os.path.join(ROOT, "src")
FORMATS = os.path.join(ROOT, "docs", "FORMATS.md")
SECTION = "## Audit events (AUD-1)"

# The audit functions whose second argument (index 1) is the action, and how
# each writes its event: in the caller's open transaction ("tx") or through
# the group-commit writer ("writer").  An assignment to an event's `.action`
# is a local event appended with xy_audit_append inside a transaction ("tx").
SINKS = {"xy_svc_audit": (1, "writer"), "xy_svc_audit_read": (1, "writer"),
         "xy_svc_audit_tx": (1, "tx"), "xy_svc_refuse": (1, "writer")}

# The definitions of the sinks themselves (and the helper that fills their
# event): their `action` is whatever their callers pass, found at the callers.
SINK_DEFINITIONS = {
    ("src/svc/service.c", "xy_svc_audit"),
    ("src/svc/service.c", "xy_svc_audit_read"),
    ("src/svc/service.c", "xy_svc_audit_tx"),
    ("src/svc/service.c", "xy_svc_refuse"),
    ("src/svc/service.c", "fill_event"),
}

# Assignments to an `action` member that copy an existing action and write
# no event of their own: (file, right-hand side as written).
COPIES = {
    # xy_audit_append_timed: the caller's event into the stored one
    ("src/audit/audit.c", "in->action"),
    # the group-commit writer queues a copy of the caller's event
    ("src/audit/writer.c", "put(&p, ev->action)"),
    # the verifier and the store read stored events back
    ("src/audit/verify.c", "f[6]"),
    ("src/store/sqlite.c", "(const char *)sqlite3_column_text(s, 8)"),
    # the audit review's search filter (GET /api/v1/audit/events?action=)
    ("src/svc/review.c", "q->action"),
    ("src/api/api_audit.c", 'xy_http_query(t, "action")'),
}


def _routes():
    """The API's route table in src/api/api.c: (method, pattern, flags)."""
    text = open(os.path.join(SRC, "api", "api.c"), encoding="utf-8").read()
    table = text[text.index("const struct xy_route xy_routes[]"):]
    return re.findall(r'\{"([A-Z]+)",\s*"([^"]+)",\s*([^,]+),', table)


def _fallback_names():
    """api_handle (src/api/api.c) writes "METHOD PATTERN" of the request's
    route, e.g. "GET /api/v1/roles", when the service wrote no event of its
    own: one name for every route not marked XY_RT_NOAUDIT."""
    return {"%s %s" % (m, p) for m, p, flags in _routes() if "XY_RT_NOAUDIT" not in flags}


# Action expressions that are built at run time, by (file, expression):
# the function that lists the concrete names they can take.
RUNTIME = {
    ("src/api/api.c", "action"): _fallback_names,
}


# ---- reading C well enough for this ----

def _strip_comments(text):
    """Comments become spaces (line breaks kept); strings stay as they are."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1])
            i = j + 1
        elif text.startswith("/*", i):
            j = text.index("*/", i + 2) + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _args(text, open_paren):
    """The top-level arguments of the call whose '(' is at open_paren."""
    args, depth, start, i = [], 0, open_paren + 1, open_paren
    while True:
        c = text[i]
        if c in "\"'":
            j = i + 1
            while text[j] != c:
                j += 2 if text[j] == "\\" else 1
            i = j
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
            if depth == 0:
                args.append(text[start:i].strip())
                return [] if args == [""] else args
        elif c == "," and depth == 1:
            args.append(text[start:i].strip())
            start = i + 1
        i += 1


def _split_top(expr, sep):
    """expr split at sep characters outside strings and brackets."""
    parts, depth, start, i = [], 0, 0, 0
    while i < len(expr):
        c = expr[i]
        if c in "\"'":
            j = i + 1
            while expr[j] != c:
                j += 2 if expr[j] == "\\" else 1
            i = j
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif c == sep and depth == 0:
            parts.append(expr[start:i])
            start = i + 1
        i += 1
    parts.append(expr[start:])
    return parts


class CFile:
    FUNC = re.compile(r"^(?![ \t#])[\w \t*]*?\b(\w+)\(([^;{}\"']*?)\)\s*\n\{", re.M)

    def __init__(self, path):
        self.rel = os.path.relpath(path, ROOT)
        self.text = _strip_comments(open(path, encoding="utf-8").read())
        self.macros = dict(re.findall(r'^#define\s+(\w+)\s+("(?:[^"\\]|\\.)*")\s*$',
                                      self.text, re.M))
        self.funcs = []  # (name, [parameter names], body start, body end)
        for m in self.FUNC.finditer(self.text):
            end = self.text.index("\n}", m.end())
            params = []
            for p in _split_top(m.group(2), ","):
                names = re.findall(r"\b(\w+)\s*(?:\[[^\]]*\])*\s*$", p.strip())
                params.append(names[0] if names else "")
            self.funcs.append((m.group(1), params, m.end() - 1, end))

    def func_at(self, pos):
        for f in self.funcs:
            if f[2] <= pos <= f[3]:
                return f
        return None

    def line(self, pos):
        return self.text.count("\n", 0, pos) + 1

    def calls(self, name):
        """(position of '(', arguments, enclosing function) of each call of
        name inside a function body."""
        for m in re.finditer(r"\b%s\s*\(" % re.escape(name), self.text):
            f = self.func_at(m.start())
            if f and not (f[0] == name and m.start() < f[2]):
                yield m.end() - 1, _args(self.text, m.end() - 1), f


def _policy_names():
    """enum xy_action → its name, from src/core/policy.c's action_names[]."""
    text = open(os.path.join(SRC, "core", "policy.c"), encoding="utf-8").read()
    return dict(re.findall(r'\[(XY_ACT_\w+)\]\s*=\s*"([^"]+)"', text))


class Unresolved(Exception):
    pass


class Scanner:
    def __init__(self):
        self.files = {}
        for d, _, names in os.walk(SRC):
            for n in sorted(names):
                if n.endswith((".c", ".h")):
                    f = CFile(os.path.join(d, n))
                    self.files[f.rel] = f
        self.policy = _policy_names()
        self.sites = {}  # action -> set of ("file:line", "tx" or "writer")
        self.unresolved = []

    def _eval(self, cf, func, expr, depth=0):
        """The set of values expr can have: strings, or ("enum", XY_ACT_…)."""
        expr = expr.strip()
        if depth > 8:
            raise Unresolved(expr)
        while expr.startswith("(") and self._closes_at_end(expr):
            expr = expr[1:-1].strip()
        if (cf.rel, expr) in RUNTIME:
            return set(RUNTIME[(cf.rel, expr)]())
        q = _split_top(expr, "?")
        if len(q) > 1:
            branches = _split_top("?".join(q[1:]), ":")
            if len(branches) != 2:
                raise Unresolved(expr)
            return self._eval(cf, func, branches[0], depth + 1) | \
                self._eval(cf, func, branches[1], depth + 1)
        # string literals and string macros, joined
        parts = re.findall(r'"(?:[^"\\]|\\.)*"|\w+|\S', expr)
        if parts and all(p.startswith('"') or p in cf.macros for p in parts) and \
                any(p.startswith('"') or p in cf.macros for p in parts):
            return {"".join(json.loads(cf.macros.get(p, p)) for p in parts)}
        m = re.fullmatch(r"xy_action_name\((.*)\)", expr, re.S)
        if m:
            out = set()
            for v in self._eval(cf, func, m.group(1), depth + 1):
                if not (isinstance(v, tuple) and v[1] in self.policy):
                    raise Unresolved(expr)
                out.add(self.policy[v[1]])
            return out
        if re.fullmatch(r"XY_ACT_\w+", expr):
            return {("enum", expr)}
        if re.fullmatch(r"\w+", expr):
            name, params, start, end = func
            if expr in params:  # a helper's parameter: what its callers pass
                k = params.index(expr)
                out = set()
                found = False
                for _, args, caller in cf.calls(name):
                    found = True
                    if k >= len(args):
                        raise Unresolved("%s: call of %s with too few arguments" % (cf.rel, name))
                    out |= self._eval(cf, caller, args[k], depth + 1)
                if not found:
                    raise Unresolved("%s: helper %s is called nowhere in its file" % (cf.rel, name))
                return out
            body = cf.text[start:end]
            inits = re.findall(r"(?<![\w.>])%s\s*(?:\[\s*\])?\s*=(?!=)\s*([^;]+);"
                               % re.escape(expr), body)
            if inits:
                out = set()
                for rhs in inits:
                    out |= self._eval(cf, func, rhs, depth + 1)
                return out
        raise Unresolved(expr)

    @staticmethod
    def _closes_at_end(expr):
        depth = 0
        for i, c in enumerate(expr):
            depth += c == "("
            depth -= c == ")"
            if depth == 0:
                return i == len(expr) - 1
        return False

    def _note(self, cf, pos, func, expr, kind):
        try:
            values = self._eval(cf, func, expr)
        except Unresolved as e:
            why = "" if str(e) == expr.strip() else " (%s)" % e
            self.unresolved.append("%s:%d: %s%s" % (cf.rel, cf.line(pos), expr.strip(), why))
            return
        for v in values:
            if not isinstance(v, str):
                self.unresolved.append("%s:%d: %s is not a name" % (cf.rel, cf.line(pos), expr))
                continue
            self.sites.setdefault(v, set()).add(("%s:%d" % (cf.rel, cf.line(pos)), kind))

    def scan(self):
        for cf in self.files.values():
            for sink, (k, kind) in SINKS.items():
                for pos, args, func in cf.calls(sink):
                    if (cf.rel, func[0]) in SINK_DEFINITIONS:
                        continue
                    if k >= len(args):
                        self.unresolved.append("%s:%d: %s with too few arguments"
                                               % (cf.rel, cf.line(pos), sink))
                        continue
                    self._note(cf, pos, func, args[k], kind)
            for m in re.finditer(r"(?:\.|->)action\s*=(?!=)\s*([^;]+);", cf.text):
                func = cf.func_at(m.start())
                rhs = m.group(1).strip()
                if (cf.rel, rhs) in COPIES or (func and (cf.rel, func[0]) in SINK_DEFINITIONS):
                    continue
                if not func:
                    self.unresolved.append("%s:%d: .action outside a function"
                                           % (cf.rel, cf.line(m.start())))
                    continue
                self._note(cf, m.start(), func, rhs, "tx")
        return self


_SCAN = None


def code_actions():
    """{action: {("file:line", "tx" or "writer"), …}} for every action the
    code writes."""
    global _SCAN
    if _SCAN is None:
        _SCAN = Scanner().scan()
    check(not _SCAN.unresolved,
          "action arguments the scan cannot work out (add them to RUNTIME or COPIES, "
          "with a comment):\n  " + "\n  ".join(_SCAN.unresolved))
    return _SCAN.sites


# ---- the catalogue ----

def doc_section():
    text = open(FORMATS, encoding="utf-8").read()
    check(SECTION in text, "docs/FORMATS.md has no section " + SECTION)
    body = text[text.index(SECTION) + len(SECTION):]
    nxt = re.search(r"^## ", body, re.M)
    return body[:nxt.start()] if nxt else body


def doc_tables():
    """The catalogue's tables: (header cells, [row cells…]) for each table of
    the section whose first column is "action" (the catalogue proper) or
    "request" (the requests and the events their services write)."""
    tables, cur = [], None
    for line in doc_section().splitlines() + [""]:
        if not line.startswith("|"):
            cur = None
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cur is None:
            cur = (cells, [])
            if cells[0] in ("action", "request"):
                tables.append(cur)
        elif not re.fullmatch(r"[-: ]*", "".join(cells)):
            check(len(cells) == len(cur[0]), "a row of %d cells under a header of %d: %s"
                  % (len(cells), len(cur[0]), line))
            cur[1].append(cells)
    return tables


def doc_rows():
    """{action: its row's cells} from the "action" tables, and {request
    (its own event's action, "METHOD /path"): its row's cells} from the
    "request" table."""
    actions, requests = {}, {}
    for header, rows in doc_tables():
        into = actions if header[0] == "action" else requests
        for cells in rows:
            m = re.fullmatch(r"`([^`]+)`", cells[0])
            check(m, "the first cell is not one name in backquotes: %s" % cells[0])
            check(m.group(1) not in into, "%s has two rows in the catalogue" % m.group(1))
            into[m.group(1)] = cells
    return actions, requests


def doc_actions():
    """{action: where the catalogue names it}: a row of an "action" table,
    or a request of the "request" table (the event api_handle writes for it).
    The actions the "request" table names as a request's service events must
    each have a row of their own (test 2)."""
    actions, requests = doc_rows()
    out = {a: "action table" for a in actions}
    out.update((r, "request table") for r in requests)
    return out


def doc_request_events():
    """{action: request} for the names in the "request" table's second column."""
    _, requests = doc_rows()
    return {name: r for r, cells in requests.items()
            for name in re.findall(r"`([^`]+)`", cells[1])}


# ---- the tests ----

def test_aud1_every_action_in_the_code_is_documented(tmp):
    code = code_actions()
    doc = doc_actions()
    check(len(code) > 60, "the scan found only %d actions: %s" % (len(code), sorted(code)))
    missing = sorted(a for a in code if a not in doc)
    check(not missing, "written by the code but not in docs/FORMATS.md %s:\n  %s" % (
        SECTION, "\n  ".join("%s  (%s)" % (a, ", ".join(sorted(s for s, _ in code[a])))
                             for a in missing)))


def test_aud1_every_documented_action_exists_in_the_code(tmp):
    code = code_actions()
    doc = doc_actions()
    extra = sorted(a for a in doc if a not in code)
    check(not extra, "in docs/FORMATS.md %s but written nowhere in src/:\n  %s"
          % (SECTION, "\n  ".join("%s  (%s)" % (a, doc[a]) for a in extra)))
    actions, _ = doc_rows()
    stray = sorted("%s (events of %s)" % (a, r) for a, r in doc_request_events().items()
                   if a not in actions)
    check(not stray, "named in the table of requests but without a row of the catalogue:"
          "\n  " + "\n  ".join(stray))


def test_aud1_how_each_action_is_written_is_as_documented(tmp):
    """The catalogue's last column says "tx" (in a transaction: the change's
    own, or one of the event's own) and "writer" (the group-commit writer)
    exactly when the code writes the action that way somewhere."""
    code = code_actions()
    actions, _ = doc_rows()
    wrong = []
    for a, cells in sorted(actions.items()):
        how = cells[-1]
        kinds = {k for _, k in code.get(a, ())}
        for kind in ("tx", "writer"):
            if (kind in kinds) != (kind in how):
                wrong.append("%s: the code writes it %s, the catalogue says \"%s\""
                             % (a, " and ".join(sorted(kinds)) or "nowhere", how))
                break
    check(not wrong, "\n  ".join(wrong))


# ---- a real instance ----

def doc_object_keys(action):
    """The key sets the catalogue gives an action's object: one per {…} in
    its object cell (keys of the outer object only), and None when the cell
    says the object may be NULL."""
    actions, _ = doc_rows()
    check(action in actions, "%s is not in the catalogue" % action)
    cell = actions[action][2]
    variants = []
    for text in re.findall(r"`(\{.*?\})`", cell):
        keys, depth = set(), 0
        for m in re.finditer(r'"(\w+)":|[{}\[\]]', text):
            tok = m.group(0)
            if tok in "{[":
                depth += 1
            elif tok in "}]":
                depth -= 1
            elif depth == 1:
                keys.add(m.group(1))
        variants.append(keys)
    if "NULL" in cell:
        variants.append(None)
    return variants


def events(d):
    con = sqlite3.connect(os.path.join(d, "core.db"))
    try:
        con.row_factory = sqlite3.Row
        return [dict(r) for r in con.execute("select * from audit_events order by seq")]
    finally:
        con.close()


def check_local_event(ev, doc, os_account):
    """The fields every local command's event carries (FORMATS "Fields")."""
    what = "event %d (%s)" % (ev["seq"], ev["action"])
    check(ev["action"] in doc, what + ": action not in the catalogue")
    check(ev["zone"] == "government", what + ": zone %r" % ev["zone"])
    check(ev["client"] == "local", what + ": client %r" % ev["client"])
    check(ev["agent"] == "xinyong-cli", what + ": agent %r" % ev["agent"])
    check(ev["account"] == os_account, what + ": account %r, not %r" % (ev["account"],
                                                                         os_account))
    check(ev["real_name"] is None and ev["purpose"] is None and ev["grant_ref"] is None,
          what + ": real_name, purpose and grant_ref are NULL for a local command")
    check(ev["result"] in ("ok", "refused", "failed"), what + ": result %r" % ev["result"])
    variants = doc_object_keys(ev["action"])
    if ev["object"] is None:
        check(None in variants, what + ": no object, but the catalogue gives one")
        return None
    obj = json.loads(ev["object"])
    check(isinstance(obj, dict), what + ": the object is not a JSON object")
    check(set(obj) in variants, what + ": object keys %s are none of the catalogue's %s"
          % (sorted(obj), variants))
    return obj


def test_aud1_a_real_instance_writes_the_documented_fields(tmp):
    units = os.path.join(tmp, "units.csv")
    with open(units, "w", encoding="utf-8") as f:
        f.write("code,name,region,provides\n%s,九江市濂溪区市场监督管理局,360402,XZCF\n"
                % xzcf.AUTHORITY)
    d = os.path.join(tmp, "inst")
    p = run("init", d, "--units", units, "--json")
    check(p.returncode == 0, p.stderr)
    doc = doc_actions()
    os_account = "os:" + pwd.getpwuid(os.getuid()).pw_name
    evs = events(d)
    check([e["seq"] for e in evs] == list(range(1, len(evs) + 1)), "seq 1, 2, 3…")
    acts = [e["action"] for e in evs]
    check(acts[:2] == ["instance.init", "catalog.load"], acts)
    check(acts.count("unit.create") == 2 and acts.count("account.create") == 3, acts)
    office = None
    admins = {a["account"]: a["role"] for a in json.loads(p.stdout)["accounts"]}
    for ev in evs:
        obj = check_local_event(ev, doc, os_account)
        check(ev["result"] == "ok" and ev["reason"] is None, "init's events are ok")
        if ev["action"] in ("instance.init", "catalog.load"):
            check(ev["unit"] is None, "%s names no unit" % ev["action"])
        elif ev["action"] == "unit.create":
            check(ev["unit"] == obj["unit"], "unit.create: the unit is the new unit")
            office = office or obj["unit"]  # the credit office comes first
            check(isinstance(obj["provides"], list), obj)
        elif ev["action"] == "account.create":
            check(ev["unit"] == office, "account.create: the unit is the credit office")
            check(admins.get(obj["account"]) == obj["role"], obj)
            check(obj["one_time_password"] is True, obj)
    cat = json.loads(evs[1]["object"])
    check(re.fullmatch(r"[0-9a-f]{64}", cat["sm3"]) and cat["version"] == 1, cat)
    check(any(e["action"] == "unit.create" and
              json.loads(e["object"]) == {"unit": xzcf.AUTHORITY, "region": "360402",
                                          "provides": ["XZCF"]} for e in evs),
          "the unit of --units, with what it provides")

    # An import (with one rejected row), an import refused before any batch,
    # and the two checks: each event as the catalogue says.
    path = os.path.join(tmp, "cf.csv")
    rows = [xzcf.legal(1), xzcf.legal(2, CF_JDRQ="2026-02-30")]
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(xzcf.to_csv(rows))
    p = run("import", d, "--dataset", "XZCF", "--unit", xzcf.AUTHORITY, path)
    check(p.returncode == 3, p.stdout + p.stderr)
    p = run("import", d, "--dataset", "NOPE", "--unit", xzcf.AUTHORITY, path)
    check(p.returncode != 0, p.stdout + p.stderr)
    check(run("verify", d).returncode == 0)
    check(run("audit", "verify", d).returncode == 0)
    evs = events(d)[len(evs):]
    check([e["action"] for e in evs] == ["import", "import", "verify", "audit.verify"],
          [e["action"] for e in evs])
    ok, refused, ver, aver = evs
    obj = check_local_event(ok, doc, os_account)
    check(ok["result"] == "ok" and ok["unit"] == xzcf.AUTHORITY, ok)
    check((obj["dataset"], obj["rows"], obj["accepted"], obj["rejected"]) == ("XZCF", 2, 1, 1),
          obj)
    obj = check_local_event(refused, doc, os_account)
    check(refused["result"] == "refused" and refused["reason"], refused)
    check(obj == {"dataset": "NOPE", "unit": xzcf.AUTHORITY}, obj)
    obj = check_local_event(ver, doc, os_account)
    check(ver["result"] == "ok" and obj["chain_intact"] is True, ver)
    check(check_local_event(aver, doc, os_account) is None and aver["result"] == "ok", aver)


if __name__ == "__main__":
    sys.exit(run_all())
