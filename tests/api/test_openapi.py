"""docs/openapi.yaml stays true: every route of the router (the table at
the end of src/api/api.c) is described, with its method, and the document
describes no operation the server does not have."""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from xytest import check, run_all  # noqa: E402

TOP = os.path.join(os.path.dirname(__file__), "..", "..")


def routes():
    src = open(os.path.join(TOP, "src", "api", "api.c"), encoding="utf-8").read()
    table = src[src.index("const struct xy_route xy_routes[]"):]
    return {(m.group(1), m.group(2))
            for m in re.finditer(r'\{"(GET|POST|PUT|PATCH|DELETE)",\s*"(/[^"]*)"', table)}


def documented():
    ops, path = set(), None
    for line in open(os.path.join(TOP, "docs", "openapi.yaml"), encoding="utf-8"):
        m = re.match(r"^  (/\S*):\s*$", line)
        if m:
            path = re.sub(r"\{[^}]*\}", "{}", m.group(1))
            continue
        if re.match(r"^\S", line):
            path = None
        m = re.match(r"^    (get|post|put|patch|delete):\s*$", line)
        if m and path:
            ops.add((m.group(1).upper(), path))
    return ops


def test_every_route_is_documented_and_nothing_else(tmp):
    r, d = routes(), documented()
    check(len(r) > 30, "the route table was not found: %r" % sorted(r))
    check(not r - d, "routes missing from docs/openapi.yaml: %r" % sorted(r - d))
    check(not d - r, "docs/openapi.yaml describes operations the server lacks: %r"
          % sorted(d - r))


if __name__ == "__main__":
    sys.exit(run_all())
