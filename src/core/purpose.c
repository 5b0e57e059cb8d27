/* The purposes: see purpose.h.  The first eight are the uses the national
 * joint reward and punishment documents name; the rest are what a credit
 * office's own work needs. */
#include <string.h>

#include "core/purpose.h"

const struct xy_purpose xy_purposes[] = {
	{"administrative_approval", "行政审批", "Administrative approval"},
	{"daily_supervision", "日常监管", "Day-to-day supervision"},
	{"bidding", "招标投标", "Bidding and tendering"},
	{"merit_evaluation", "评优评先", "Selection for honours"},
	{"public_resource_trading", "公共资源交易", "Public resource trading"},
	{"fiscal_funding", "财政资金安排", "Allocation of public funds"},
	{"commendation", "表彰奖励", "Commendations and awards"},
	{"joint_reward_punishment", "联合奖惩", "Joint rewards and punishments"},
	{"government_procurement", "政府采购", "Government procurement"},
	{"staff_recruitment", "人员招录", "Recruitment of public servants"},
	{"law_enforcement_inspection", "执法检查", "Law-enforcement inspection"},
	{"credit_assessment", "信用评价", "Credit assessment and grading"},
	{"objection_handling", "异议处理", "Handling an objection"},
	{"credit_repair_review", "信用修复审核", "Reviewing a credit repair application"},
	{"credit_report", "信用报告出具", "Issuing a credit report"},
};

const int xy_npurposes = (int)(sizeof xy_purposes / sizeof *xy_purposes);

const struct xy_purpose *xy_purpose_find(const char *code)
{
	if (!code)
		return NULL;
	for (int i = 0; i < xy_npurposes; i++)
		if (!strcmp(xy_purposes[i].code, code))
			return &xy_purposes[i];
	return NULL;
}
