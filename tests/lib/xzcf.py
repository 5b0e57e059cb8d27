"""Rows of the national 行政处罚 (XZCF) list for import tests."""
import csv
import io

from codes import idnum, uscc

HEADER = ["CF_XDR_MC", "CF_XDR_LB", "CF_XDR_SHXYM", "CF_FRDB", "CF_XDR_ZJLX",
          "CF_XDR_ZJHM", "CF_WSH", "CF_WFXW", "CF_SY", "CF_YJ", "CF_CFLB", "CF_NR",
          "CF_NR_FK", "CF_JDRQ", "CF_YXQ", "CF_CFJG", "CF_CFJGDM", "CF_SJLY",
          "CF_SJLYDM"]

# The same columns by their Chinese names, as a clerk's spreadsheet has them.
HEADER_ZH = ["行政相对人名称", "行政相对人类别", "统一社会信用代码", "法定代表人",
             "证件类型", "证件号码", "行政处罚决定书文号", "违法行为类型", "违法事实",
             "处罚依据", "处罚类别", "处罚内容", "罚款金额（万元）", "处罚决定日期",
             "处罚有效期", "处罚机关", "处罚机关统一社会信用代码", "数据来源单位",
             "数据来源单位统一社会信用代码"]

AUTHORITY = uscc("360402", 900, "11")


def legal(i, **kw):
    row = {
        "CF_XDR_MC": "九江市濂溪区测试商贸有限公司%d" % i,
        "CF_XDR_LB": "法人及非法人组织",
        "CF_XDR_SHXYM": uscc("360402", 1000 + i),
        "CF_FRDB": "王伟",
        "CF_XDR_ZJLX": "", "CF_XDR_ZJHM": "",
        "CF_WSH": "濂市监罚〔2026〕%d号" % i,
        "CF_WFXW": "销售过期食品",
        "CF_SY": "当事人销售超过保质期的食品",
        "CF_YJ": "《中华人民共和国食品安全法》第一百二十四条",
        "CF_CFLB": "警告;罚款",
        "CF_NR": "警告并处罚款",
        "CF_NR_FK": "0.5",
        "CF_JDRQ": "2026-03-05", "CF_YXQ": "2027-03-05",
        "CF_CFJG": "九江市濂溪区市场监督管理局", "CF_CFJGDM": AUTHORITY,
        "CF_SJLY": "九江市濂溪区市场监督管理局", "CF_SJLYDM": AUTHORITY,
    }
    row.update(kw)
    return row


def natural(i, **kw):
    row = legal(i, CF_XDR_MC="段%s" % "一二三四五六七八九十"[i % 10],
                CF_XDR_LB="自然人", CF_XDR_SHXYM="", CF_FRDB="",
                CF_XDR_ZJLX="身份证",
                CF_XDR_ZJHM=idnum("360402", "19%02d0101" % (50 + i % 50), i % 1000))
    row.update(kw)
    return row


def to_csv(rows, header=None, names=None):
    """CSV text; names maps codes to the header written (default: codes)."""
    header = header or HEADER
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow([names[h] for h in header] if names else header)
    for r in rows:
        w.writerow([r.get(h, "") for h in header])
    return out.getvalue()
