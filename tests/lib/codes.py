"""Check characters written again, independently of the C code, so that the
black-box tests make their own valid (and deliberately invalid) codes."""

USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_W = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
ORG_W = [3, 7, 9, 10, 5, 8, 4, 2]
ID_W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def org_check(body8):
    s = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body8, ORG_W))
    c = 11 - s % 11
    return "X" if c == 10 else "0" if c == 11 else str(c)


def uscc(region="360402", serial=1, kind="91"):
    """A valid unified social credit code (GB 32100-2015)."""
    n = serial
    while True:
        body = "MA" + "%06d" % (n % 1000000)
        oc = org_check(body)
        first17 = kind + region + body + oc
        if all(c in USCC_CHARS for c in first17):
            s = sum(USCC_CHARS.index(c) * w for c, w in zip(first17, USCC_W))
            return first17 + USCC_CHARS[(31 - s % 31) % 31]
        n += 7919


def wrong_check(code):
    """The same code with another (wrong) last character."""
    last = code[-1]
    for c in USCC_CHARS:
        if c != last:
            return code[:-1] + c


def idnum(area="360402", birth="19850315", seq=123):
    first17 = area + birth + "%03d" % seq
    s = sum(int(c) * w for c, w in zip(first17, ID_W))
    return first17 + "10X98765432"[s % 11]
