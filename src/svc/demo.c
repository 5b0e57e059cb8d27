/* Synthetic demo data.  See docs/internals/demo.md for the tour.
 *
 * Everything is derived from splitmix64 streams keyed by (seed, purpose, index): a subject from
 * (seed, i), a row from (seed, dataset, unit, series, row).  Identifiers that must not collide
 * (USCC bodies, identity numbers, company names within a county) come from affine permutations
 * of the index, which are bijections, rather than from random draws. */
#include "svc/demo.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/codes.h"
#include "util/date.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/log.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

#define GOLDEN	    0x9e3779b97f4a7c15ULL
#define PERM_MUL    1000003ULL	 /* a prime: coprime with every permutation modulus used here */
#define B31_6	    887503681ULL /* 31^6: USCC body values after the "MA" prefix */
#define ID_SEQ	    999		 /* identity number order codes 001-999 */
#define LOCAL_PCT   85		 /* share of a county unit's records about its own county */
#define QYSB_MONTHS 120		 /* months per enterprise in one QYSB series */
#define OUT_CAP	    ((size_t)256 * 1024) /* output block, flushed when a row might not fit */
#define ROW_MAX	    8192		 /* one generated CSV record, bytes */
#define LNAME	    (XY_NAME_MAX + 64)
#define PNAME	    32
#define ADDR_MAX    (2 * XY_NAME_MAX + 160)

/* Stream tags: one independent splitmix64 stream per purpose. */
#define TAG_PERM    0x7065726d7574ULL
#define TAG_PERSON  0x706572736f6eULL
#define TAG_CONTACT 0x636f6e74616374ULL
#define TAG_LEGAL   0x6c6567616cULL
#define TAG_QYSB    0x71797362ULL
#define TAG_ROW	    0x726f77ULL

enum { K_LEGAL = 1, K_NAT = 2 };

enum dept {
	D_ANY = -1,
	D_MARKET,
	D_ENV,
	D_TAX,
	D_SAFETY,
	D_HOUSING,
	D_TRANSPORT,
	D_HEALTH,
	D_POLICE,
	D_CULTURE,
	D_URBAN,
	D_CUSTOMS,
	D_HRSS,
	D_NATRES,
	D_AGRI,
	D_WATER,
	D_POWER,
	D_GAS,
	D_HEAT,
	D_TELECOM,
	D_CATV,
	D_PROPERTY,
	D_OTHER
};

/* ---------------------------------------------------------------- word lists */

static const char *const zihao_chars[] = {
	"恒", "达", "鑫", "瑞", "华", "盛", "兴", "隆", "泰", "安", "宏", "源", "嘉", "丰",
	"诚", "信", "和", "润", "聚", "利", "荣", "昌", "永", "鸿", "博", "创", "联", "金",
	"宝", "福", "祥", "顺", "通", "佳", "美", "新", "远", "航", "天", "海", "宇", "晟",
	"昊", "辰", "腾", "锦", "汇", "康", "益", "众", "凯", "卓", "越", "弘", "德", "正",
	"元", "亿", "星", "光", "明", "旭", "东", "方", "中", "长", "江", "湖", "山", "云",
	"峰", "蓝", "禾", "百", "万", "豪", "威", "欣", "楚", "赣",
};

static const char *const industries[] = {
	"商贸",		"建筑工程", "餐饮管理", "科技",		"物流",	      "食品",
	"医药连锁",	"建材",	    "环保科技", "房地产开发",	"电子商务",   "机械制造",
	"汽车销售服务", "农业开发", "纺织",	"服饰",		"化工",	      "新能源科技",
	"信息技术",	"文化传媒", "教育咨询", "酒店管理",	"物业管理",   "装饰工程",
	"电力工程",	"水利工程", "交通运输", "家具",		"印刷包装",   "生物科技",
	"旅游开发",	"广告",	    "劳务",	"人力资源服务", "供应链管理", "再生资源回收",
	"茶业",		"粮油",	    "水产",	"石材",
};

static const char *const shops[] = {
	"便利店", "小吃店",	"五金店", "理发店",	"水果店",     "副食店",	    "服装店",
	"烟酒店", "汽车修理部", "餐馆",	  "早餐店",	"建材经营部", "电器维修部", "茶叶店",
	"干洗店", "农资店",	"家电行", "装饰材料店", "手机店",     "粮油店",
};

static const char *const surnames[] = {
	"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "周", "吴", "徐", "孙", "胡", "朱", "高",
	"林", "何", "郭", "马", "罗", "梁", "宋", "郑", "谢", "韩", "唐", "冯", "于", "董", "萧",
	"程", "曹", "袁", "邓", "许", "傅", "沈", "曾", "彭", "吕", "苏", "卢", "蒋", "蔡", "贾",
	"丁", "魏", "薛", "叶", "阎", "余", "潘", "杜", "戴", "夏", "钟", "汪", "田", "任", "姜",
	"范", "方", "石", "姚", "谭", "廖", "邹", "熊", "金", "陆", "郝", "孔", "白", "崔", "康",
	"毛", "邱", "秦", "江", "史", "顾", "侯", "邵", "孟", "龙", "万", "段", "雷", "钱", "汤",
	"尹", "黎", "易", "常", "武", "乔", "贺", "赖", "龚", "文",
};

static const char *const given_m[] = {
	"伟", "强", "磊", "军", "洋", "勇", "杰", "涛", "明", "超", "刚", "平", "辉", "鹏", "华",
	"飞", "鑫", "波", "斌", "宇", "浩", "凯", "健", "俊", "帆", "旭", "宁", "龙", "林", "阳",
	"建", "国", "志", "文", "海", "东", "峰", "亮", "晨", "博", "成", "春", "德", "兵", "永",
	"荣", "振", "家", "睿", "子", "轩", "然", "泽", "宏", "毅", "胜", "金", "长", "根", "全",
};

static const char *const given_f[] = {
	"芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "秀", "英", "玲", "燕", "萍", "红", "梅",
	"琳", "洁", "婷", "雪", "慧", "颖", "倩", "晶", "琴", "云", "莉", "兰", "凤", "佳", "欣",
	"怡", "雯", "蕾", "薇", "璐", "丹", "瑶", "悦", "思", "梦", "晓", "雨", "桂", "珍", "华",
};

static const char *const streets[] = {
	"人民路", "解放路", "建设路",	"中山路", "胜利路",   "和平路",	  "长江路", "新华路",
	"文化路", "朝阳路", "迎宾大道", "滨江路", "站前路",   "工业大道", "学府路", "湖滨路",
	"青年路", "东风路", "光明路",	"幸福路", "十里大道", "南湖路",	  "体育路", "公园路",
};

static const char *const estates[] = {
	"阳光花园", "锦绣家园", "翠苑小区", "金色家园", "滨江花园", "幸福里",
	"书香苑",   "世纪城",	"御景湾",   "和平新村", "东方名城", "湖畔人家",
};

struct province {
	char prefix[3];
	const char *name;
};

static const struct province provinces[] = {
	{"11", "北京市"},	    {"12", "天津市"},	      {"13", "河北省"},
	{"14", "山西省"},	    {"15", "内蒙古自治区"},   {"21", "辽宁省"},
	{"22", "吉林省"},	    {"23", "黑龙江省"},	      {"31", "上海市"},
	{"32", "江苏省"},	    {"33", "浙江省"},	      {"34", "安徽省"},
	{"35", "福建省"},	    {"36", "江西省"},	      {"37", "山东省"},
	{"41", "河南省"},	    {"42", "湖北省"},	      {"43", "湖南省"},
	{"44", "广东省"},	    {"45", "广西壮族自治区"}, {"46", "海南省"},
	{"50", "重庆市"},	    {"51", "四川省"},	      {"52", "贵州省"},
	{"53", "云南省"},	    {"54", "西藏自治区"},     {"61", "陕西省"},
	{"62", "甘肃省"},	    {"63", "青海省"},	      {"64", "宁夏回族自治区"},
	{"65", "新疆维吾尔自治区"},
};

/* Keywords of unit names: which department a unit is, and the short form used in document
 * numbers (九江市濂溪区市场监督管理局 -> 濂市监罚〔2025〕12号).  First match wins. */
struct dept_kw {
	const char *kw;
	enum dept dept;
	const char *abbr;
};

static const struct dept_kw dept_kws[] = {
	{"市场监督", D_MARKET, "市监"},
	{"市场监管", D_MARKET, "市监"},
	{"生态环境", D_ENV, "环"},
	{"环境保护", D_ENV, "环"},
	{"税务", D_TAX, "税"},
	{"应急管理", D_SAFETY, "应急"},
	{"安全生产", D_SAFETY, "安监"},
	{"住房和城乡建设", D_HOUSING, "建"},
	{"住建", D_HOUSING, "建"},
	{"交通运输", D_TRANSPORT, "交"},
	{"卫生健康", D_HEALTH, "卫"},
	{"卫健", D_HEALTH, "卫"},
	{"公安", D_POLICE, "公"},
	{"文化", D_CULTURE, "文旅"},
	{"城市管理", D_URBAN, "城管"},
	{"综合行政执法", D_URBAN, "综执"},
	{"海关", D_CUSTOMS, "关"},
	{"人力资源和社会保障", D_HRSS, "人社"},
	{"社会保险", D_HRSS, "社保"},
	{"医疗保障", D_HRSS, "医保"},
	{"自然资源", D_NATRES, "自然资"},
	{"农业农村", D_AGRI, "农"},
	{"水务", D_WATER, "水"},
	{"供水", D_WATER, "水"},
	{"自来水", D_WATER, "水"},
	{"水利", D_WATER, "水"},
	{"供电", D_POWER, "电"},
	{"电力", D_POWER, "电"},
	{"燃气", D_GAS, "燃"},
	{"热力", D_HEAT, "热"},
	{"供热", D_HEAT, "热"},
	{"移动", D_TELECOM, "通"},
	{"联通", D_TELECOM, "通"},
	{"电信", D_TELECOM, "通"},
	{"广电", D_CATV, "广"},
	{"有线", D_CATV, "广"},
	{"广播电视", D_CATV, "广"},
	{"物业", D_PROPERTY, "物"},
	{"发展和改革", D_OTHER, "发改"},
	{"信用", D_OTHER, "信"},
};

/* Template tables share this first member so one routine can filter them. */
struct tplkey {
	int dept;	/* enum dept; D_ANY: any unit */
	unsigned kinds; /* K_LEGAL | K_NAT */
};

/* ------------------------------------------------------------------ 行政处罚 */

enum { JG, TBPP, FK, MSSD, MSCW, ZK, JDZZ, DX, XZJY, TCTY, ZLGB, XZCY, XZJL, QT, NCLS };
#define M(c) (1u << (c))

static const char *const cls_names[NCLS] = {
	"警告",		"通报批评",	"罚款",
	"没收违法所得", "没收非法财物", "暂扣许可证件",
	"降低资质等级", "吊销许可证件", "限制开展生产经营活动",
	"责令停产停业", "责令关闭",	"限制从业",
	"行政拘留",	"其他",
};

struct cf_tpl {
	struct tplkey k;
	const char *wfxw, *sy, *yj;
	const char *licence;  /* the licence suspended or revoked */
	unsigned opts[3];     /* sets of penalty classes; 0 ends the list */
	int fine_lo, fine_hi; /* yuan */
};

static const struct cf_tpl cf_tpls[] = {
	{{D_MARKET, K_LEGAL},
	 "食品安全违法",
	 "在其经营场所销售超过保质期的食品",
	 "《中华人民共和国食品安全法》第一百二十四条第一款",
	 "食品经营许可证",
	 {M(JG) | M(FK), M(MSSD) | M(FK), M(MSSD) | M(MSCW) | M(FK) | M(DX)},
	 5000,
	 50000},
	{{D_MARKET, K_LEGAL},
	 "无证经营",
	 "未取得食品经营许可从事食品经营活动",
	 "《中华人民共和国食品安全法》第一百二十二条第一款",
	 NULL,
	 {M(MSSD) | M(MSCW) | M(FK), M(MSSD) | M(FK)},
	 10000,
	 50000},
	{{D_MARKET, K_LEGAL},
	 "虚假宣传",
	 "在其网店对所售商品的功能作虚假的商业宣传",
	 "《中华人民共和国反不正当竞争法》第二十条第一款",
	 NULL,
	 {M(FK), M(FK) | M(TBPP)},
	 20000,
	 200000},
	{{D_MARKET, K_LEGAL},
	 "商标侵权",
	 "销售侵犯注册商标专用权的商品",
	 "《中华人民共和国商标法》第六十条第二款",
	 NULL,
	 {M(MSCW) | M(FK)},
	 3000,
	 50000},
	{{D_MARKET, K_LEGAL},
	 "价格违法",
	 "在经营活动中不按规定明码标价",
	 "《中华人民共和国价格法》第四十二条",
	 NULL,
	 {M(JG), M(FK)},
	 500,
	 5000},
	{{D_MARKET, K_LEGAL},
	 "产品质量违法",
	 "生产的产品经监督抽查检验不合格",
	 "《中华人民共和国产品质量法》第四十九条",
	 NULL,
	 {M(MSSD) | M(FK), M(TCTY) | M(FK), M(XZJY) | M(FK)},
	 5000,
	 100000},
	{{D_MARKET, K_LEGAL},
	 "特种设备违法",
	 "使用未经定期检验的特种设备",
	 "《中华人民共和国特种设备安全法》第八十四条",
	 NULL,
	 {M(FK), M(TCTY) | M(FK)},
	 30000,
	 300000},
	{{D_MARKET, K_NAT},
	 "无照经营",
	 "未依法取得营业执照从事经营活动",
	 "《无证无照经营查处办法》第十三条",
	 NULL,
	 {M(MSSD) | M(FK), M(JG)},
	 1000,
	 10000},
	{{D_MARKET, K_NAT},
	 "食品安全违法",
	 "患有国务院卫生行政部门规定的有碍食品安全疾病仍从事接触直接入口食品的工作",
	 "《中华人民共和国食品安全法》第一百二十六条第一款",
	 NULL,
	 {M(XZCY) | M(JG)},
	 0,
	 0},
	{{D_ENV, K_LEGAL},
	 "大气污染",
	 "超过大气污染物排放标准排放大气污染物",
	 "《中华人民共和国大气污染防治法》第九十九条第（二）项",
	 NULL,
	 {M(FK), M(XZJY) | M(FK), M(TCTY) | M(FK)},
	 100000,
	 1000000},
	{{D_ENV, K_LEGAL},
	 "环评违法",
	 "建设项目环境影响报告表未经批准擅自开工建设",
	 "《中华人民共和国环境影响评价法》第三十一条第一款",
	 NULL,
	 {M(FK)},
	 50000,
	 500000},
	{{D_ENV, K_LEGAL},
	 "固体废物污染",
	 "未按照国家有关规定贮存危险废物",
	 "《中华人民共和国固体废物污染环境防治法》第一百一十二条第一款",
	 NULL,
	 {M(FK), M(ZLGB) | M(FK)},
	 100000,
	 1000000},
	{{D_ENV, K_NAT},
	 "大气污染",
	 "在人口集中地区露天焚烧产生有毒有害烟尘的物质",
	 "《中华人民共和国大气污染防治法》第一百一十九条第一款",
	 NULL,
	 {M(FK)},
	 500,
	 2000},
	{{D_TAX, K_LEGAL},
	 "未按期申报",
	 "未按照规定的期限办理纳税申报和报送纳税资料",
	 "《中华人民共和国税收征收管理法》第六十二条",
	 NULL,
	 {M(FK)},
	 200,
	 2000},
	{{D_TAX, K_LEGAL},
	 "发票违法",
	 "未按照规定开具发票",
	 "《中华人民共和国发票管理办法》第三十三条",
	 NULL,
	 {M(FK), M(FK) | M(MSSD)},
	 1000,
	 10000},
	{{D_TAX, K_NAT},
	 "未按期申报",
	 "未按照规定期限办理个人所得税综合所得汇算清缴",
	 "《中华人民共和国税收征收管理法》第六十二条",
	 NULL,
	 {M(FK)},
	 200,
	 2000},
	{{D_SAFETY, K_LEGAL},
	 "安全培训违法",
	 "未按照规定对从业人员进行安全生产教育和培训",
	 "《中华人民共和国安全生产法》第九十七条第（三）项",
	 NULL,
	 {M(FK), M(TCTY) | M(FK)},
	 10000,
	 100000},
	{{D_SAFETY, K_LEGAL},
	 "危险化学品违法",
	 "未取得危险化学品经营许可证经营危险化学品",
	 "《危险化学品安全管理条例》第七十七条第三款",
	 NULL,
	 {M(MSSD) | M(MSCW) | M(FK)},
	 100000,
	 200000},
	{{D_SAFETY, K_LEGAL},
	 "事故隐患",
	 "未采取措施消除已发现的事故隐患",
	 "《中华人民共和国安全生产法》第一百零二条",
	 "安全生产许可证",
	 {M(FK), M(TCTY) | M(FK), M(ZK) | M(FK)},
	 50000,
	 100000},
	{{D_HOUSING, K_LEGAL},
	 "未批先建",
	 "未取得施工许可证擅自施工",
	 "《建筑工程施工许可管理办法》第十二条",
	 NULL,
	 {M(FK), M(FK) | M(TBPP)},
	 10000,
	 30000},
	{{D_HOUSING, K_LEGAL},
	 "资质违法",
	 "超越本单位资质等级承揽工程",
	 "《建设工程质量管理条例》第六十条第一款",
	 NULL,
	 {M(JDZZ) | M(FK), M(MSSD) | M(FK)},
	 50000,
	 300000},
	{{D_HOUSING, K_LEGAL},
	 "工程质量违法",
	 "未按照工程设计图纸和施工技术标准施工",
	 "《建设工程质量管理条例》第六十四条",
	 "建筑业企业资质证书",
	 {M(FK), M(TCTY) | M(FK), M(DX) | M(FK)},
	 100000,
	 500000},
	{{D_TRANSPORT, K_LEGAL},
	 "超限运输",
	 "所属车辆违法超限运输",
	 "《公路安全保护条例》第六十四条",
	 NULL,
	 {M(FK)},
	 500,
	 30000},
	{{D_TRANSPORT, K_LEGAL},
	 "道路运输违法",
	 "客运车辆不按批准的客运站点停靠",
	 "《中华人民共和国道路运输条例》第六十九条",
	 "道路运输经营许可证",
	 {M(FK), M(DX) | M(FK)},
	 1000,
	 3000},
	{{D_TRANSPORT, K_NAT},
	 "非法营运",
	 "未取得道路运输经营许可擅自从事道路旅客运输经营",
	 "《中华人民共和国道路运输条例》第六十三条",
	 NULL,
	 {M(MSSD) | M(FK), M(FK)},
	 10000,
	 100000},
	{{D_HEALTH, K_LEGAL},
	 "公共场所卫生违法",
	 "未依法取得公共场所卫生许可证擅自营业",
	 "《公共场所卫生管理条例实施细则》第三十五条第一款",
	 NULL,
	 {M(JG) | M(FK), M(FK)},
	 500,
	 5000},
	{{D_HEALTH, K_LEGAL},
	 "医疗机构违法",
	 "使用非卫生技术人员从事医疗卫生技术工作",
	 "《医疗机构管理条例》第四十七条",
	 "医疗机构执业许可证",
	 {M(FK), M(DX) | M(FK), M(ZK) | M(FK)},
	 10000,
	 100000},
	{{D_HEALTH, K_NAT},
	 "非法行医",
	 "未取得医师执业证书擅自开展诊疗活动",
	 "《中华人民共和国医师法》第五十九条",
	 NULL,
	 {M(MSSD) | M(MSCW) | M(FK)},
	 20000,
	 100000},
	{{D_POLICE, K_NAT},
	 "违反治安管理",
	 "在公共场所殴打他人",
	 "《中华人民共和国治安管理处罚法》第四十三条第一款",
	 NULL,
	 {M(XZJL) | M(FK), M(XZJL)},
	 200,
	 500},
	{{D_POLICE, K_NAT},
	 "赌博",
	 "参与赌博且赌资较大",
	 "《中华人民共和国治安管理处罚法》第七十条",
	 NULL,
	 {M(XZJL) | M(FK), M(FK)},
	 500,
	 3000},
	{{D_POLICE, K_NAT},
	 "道路交通违法",
	 "饮酒后驾驶机动车",
	 "《中华人民共和国道路交通安全法》第九十一条第一款",
	 "机动车驾驶证",
	 {M(ZK) | M(FK)},
	 1000,
	 2000},
	{{D_POLICE, K_LEGAL},
	 "消防违法",
	 "消防设施未保持完好有效",
	 "《中华人民共和国消防法》第六十条第一款第（一）项",
	 NULL,
	 {M(FK), M(JG)},
	 5000,
	 50000},
	{{D_CULTURE, K_LEGAL},
	 "文化市场违法",
	 "接纳未成年人进入互联网上网服务营业场所",
	 "《互联网上网服务营业场所管理条例》第三十一条",
	 "网络文化经营许可证",
	 {M(JG) | M(FK), M(TCTY) | M(FK), M(DX)},
	 5000,
	 15000},
	{{D_CULTURE, K_LEGAL},
	 "无证经营",
	 "擅自从事互联网上网服务经营活动",
	 "《互联网上网服务营业场所管理条例》第二十七条",
	 NULL,
	 {M(MSSD) | M(MSCW) | M(FK)},
	 10000,
	 50000},
	{{D_URBAN, K_LEGAL | K_NAT},
	 "市容违法",
	 "擅自占用城市道路摆摊设点",
	 "《城市市容和环境卫生管理条例》第三十六条",
	 NULL,
	 {M(JG), M(FK)},
	 50,
	 500},
	{{D_URBAN, K_LEGAL},
	 "建筑垃圾违法",
	 "运输建筑垃圾沿途丢弃遗撒",
	 "《城市建筑垃圾管理规定》第二十三条",
	 NULL,
	 {M(FK)},
	 5000,
	 50000},
	{{D_URBAN, K_LEGAL | K_NAT},
	 "违法建设",
	 "未取得建设工程规划许可证进行建设",
	 "《中华人民共和国城乡规划法》第六十四条",
	 NULL,
	 {M(QT) | M(FK), M(QT)},
	 10000,
	 100000},
	{{D_CUSTOMS, K_LEGAL},
	 "申报不实",
	 "进出口货物申报不实影响海关统计准确性",
	 "《中华人民共和国海关行政处罚实施条例》第十五条第（一）项",
	 NULL,
	 {M(JG), M(FK)},
	 1000,
	 10000},
	{{D_HRSS, K_LEGAL},
	 "劳动保障违法",
	 "未按照规定办理社会保险登记",
	 "《中华人民共和国社会保险法》第八十四条",
	 NULL,
	 {M(FK)},
	 1000,
	 10000},
	{{D_HRSS, K_LEGAL},
	 "劳动保障违法",
	 "违反工作时间和休息休假规定延长劳动者工作时间",
	 "《劳动保障监察条例》第二十五条",
	 NULL,
	 {M(JG), M(FK)},
	 2000,
	 20000},
	{{D_NATRES, K_LEGAL | K_NAT},
	 "非法占地",
	 "未经批准非法占用集体土地建设",
	 "《中华人民共和国土地管理法》第七十七条第一款",
	 NULL,
	 {M(MSCW) | M(FK), M(QT) | M(FK)},
	 20000,
	 500000},
	{{D_AGRI, K_NAT},
	 "非法捕捞",
	 "在禁渔期使用禁用渔具捕捞",
	 "《中华人民共和国渔业法》第三十八条第一款",
	 NULL,
	 {M(MSSD) | M(MSCW) | M(FK)},
	 500,
	 5000},
	{{D_AGRI, K_LEGAL},
	 "农药违法",
	 "经营禁用的农药",
	 "《农药管理条例》第五十五条第一款",
	 "农药经营许可证",
	 {M(MSSD) | M(MSCW) | M(FK), M(DX) | M(FK)},
	 5000,
	 50000},
};

static const char *const cf_bz[] = {
	"当事人已履行处罚决定", "已责令改正", "依法从轻处罚", "首次违法", "已整改到位",
};

/* ------------------------------------------------------------------ 行政许可 */

struct xk_tpl {
	struct tplkey k;
	const char *ws, *lb, *zs, *prefix, *nr;
	int years;    /* 0: long-term (2099-12-31) */
	bool uscc_no; /* the licence number is the subject's USCC */
};

static const struct xk_tpl xk_tpls[] = {
	{{D_MARKET, K_LEGAL},
	 "准予行政许可决定书",
	 "普通",
	 "食品经营许可证",
	 "JY1",
	 "预包装食品（含冷藏冷冻食品）销售；热食类食品制售",
	 5,
	 false},
	{{D_MARKET, K_LEGAL}, "准予设立登记通知书", "登记", "营业执照", "", "设立登记", 0, true},
	{{D_MARKET, K_LEGAL},
	 "特种设备使用登记决定书",
	 "登记",
	 "特种设备使用登记证",
	 "梯",
	 "乘客电梯使用登记",
	 0,
	 false},
	{{D_MARKET, K_NAT},
	 "食品小经营店登记决定书",
	 "登记",
	 "食品小经营店登记证",
	 "XJY",
	 "预包装食品销售；热食类食品制售",
	 3,
	 false},
	{{D_ENV, K_LEGAL},
	 "排污许可决定书",
	 "普通",
	 "排污许可证",
	 "PW",
	 "废气、废水污染物排放",
	 5,
	 false},
	{{D_ENV, K_LEGAL},
	 "环境影响报告表批复",
	 "核准",
	 "建设项目环境影响报告表批复",
	 "HP",
	 "同意项目按照报告表所列性质、规模、地点建设",
	 5,
	 false},
	{{D_TAX, K_LEGAL},
	 "准予税务行政许可决定书",
	 "其他",
	 "增值税专用发票最高开票限额审批",
	 "SW",
	 "增值税专用发票最高开票限额十万元",
	 0,
	 false},
	{{D_SAFETY, K_LEGAL},
	 "准予行政许可决定书",
	 "普通",
	 "危险化学品经营许可证",
	 "WH",
	 "批发：汽油、柴油、液化石油气（不带储存设施）",
	 3,
	 false},
	{{D_SAFETY, K_LEGAL},
	 "准予行政许可决定书",
	 "普通",
	 "安全生产许可证",
	 "AQ",
	 "非煤矿山开采",
	 3,
	 false},
	{{D_HOUSING, K_LEGAL},
	 "建筑工程施工许可决定书",
	 "普通",
	 "建筑工程施工许可证",
	 "SG",
	 "住宅楼及地下车库施工",
	 0,
	 false},
	{{D_HOUSING, K_LEGAL},
	 "商品房预售许可决定书",
	 "普通",
	 "商品房预售许可证",
	 "YS",
	 "住宅商品房预售",
	 0,
	 false},
	{{D_HOUSING, K_LEGAL},
	 "建筑业企业资质决定书",
	 "认可",
	 "建筑业企业资质证书",
	 "D3",
	 "建筑工程施工总承包三级",
	 5,
	 false},
	{{D_TRANSPORT, K_LEGAL},
	 "道路运输经营许可决定书",
	 "普通",
	 "道路运输经营许可证",
	 "YY",
	 "道路普通货物运输",
	 4,
	 false},
	{{D_TRANSPORT, K_NAT},
	 "从业资格考试合格决定书",
	 "认可",
	 "道路运输从业人员从业资格证",
	 "CY",
	 "经营性道路旅客运输驾驶员",
	 6,
	 false},
	{{D_HEALTH, K_LEGAL},
	 "医疗机构执业登记决定书",
	 "登记",
	 "医疗机构执业许可证",
	 "PDY",
	 "内科；外科；预防保健科",
	 5,
	 false},
	{{D_HEALTH, K_LEGAL},
	 "公共场所卫生许可决定书",
	 "普通",
	 "公共场所卫生许可证",
	 "WSXK",
	 "住宿场所",
	 4,
	 false},
	{{D_HEALTH, K_NAT},
	 "医师执业注册决定书",
	 "认可",
	 "医师执业证书",
	 "YS",
	 "执业类别：临床；执业范围：内科专业",
	 0,
	 false},
	{{D_POLICE, K_LEGAL},
	 "特种行业许可决定书",
	 "普通",
	 "特种行业许可证",
	 "TH",
	 "旅馆业",
	 0,
	 false},
	{{D_POLICE, K_NAT},
	 "机动车驾驶证核发决定书",
	 "认可",
	 "机动车驾驶证",
	 "JSZ",
	 "准驾车型：C1",
	 6,
	 false},
	{{D_CULTURE, K_LEGAL},
	 "准予行政许可决定书",
	 "普通",
	 "娱乐经营许可证",
	 "YL",
	 "歌舞娱乐场所",
	 2,
	 false},
	{{D_URBAN, K_LEGAL},
	 "城市建筑垃圾处置核准决定书",
	 "核准",
	 "城市建筑垃圾处置核准证",
	 "JZ",
	 "建筑垃圾运输处置",
	 1,
	 false},
	{{D_URBAN, K_LEGAL},
	 "户外广告设置许可决定书",
	 "普通",
	 "户外广告设置许可证",
	 "HW",
	 "楼顶户外广告牌设置",
	 1,
	 false},
	{{D_CUSTOMS, K_LEGAL},
	 "报关单位备案决定书",
	 "登记",
	 "报关单位备案证明",
	 "BG",
	 "进出口货物收发货人备案",
	 0,
	 false},
	{{D_HRSS, K_LEGAL},
	 "准予行政许可决定书",
	 "普通",
	 "劳务派遣经营许可证",
	 "LP",
	 "劳务派遣经营",
	 3,
	 false},
	{{D_HRSS, K_LEGAL},
	 "准予行政许可决定书",
	 "普通",
	 "人力资源服务许可证",
	 "RL",
	 "职业介绍；人才推荐",
	 0,
	 false},
	{{D_NATRES, K_LEGAL},
	 "建设用地规划许可决定书",
	 "普通",
	 "建设用地规划许可证",
	 "DZ",
	 "商住用地规划许可",
	 0,
	 false},
	{{D_NATRES, K_LEGAL},
	 "采矿许可决定书",
	 "特许",
	 "采矿许可证",
	 "C36",
	 "建筑用石料矿露天开采",
	 10,
	 false},
	{{D_AGRI, K_LEGAL},
	 "准予行政许可决定书",
	 "普通",
	 "农药经营许可证",
	 "NYJY",
	 "农药（不含限制使用农药）零售",
	 5,
	 false},
	{{D_AGRI, K_NAT},
	 "渔业捕捞许可决定书",
	 "特许",
	 "渔业捕捞许可证",
	 "BL",
	 "内陆渔业捕捞（刺网）",
	 5,
	 false},
	{{D_WATER, K_LEGAL},
	 "取水许可决定书",
	 "特许",
	 "取水许可证",
	 "QS",
	 "地表水取水（工业用水）",
	 5,
	 false},
};

/* -------------------------------------------------------- 严重失信 / 守信激励 */

struct sx_tpl {
	struct tplkey k;
	const char *yy, *yj;
	int years;
};

static const struct sx_tpl sx_tpls[] = {
	{{D_MARKET, K_LEGAL},
	 "因提交虚假材料取得公司变更登记被列入严重违法失信名单",
	 "《市场监督管理严重违法失信名单管理办法》第十条",
	 3},
	{{D_MARKET, K_LEGAL},
	 "生产销售不符合食品安全标准的食品情节严重",
	 "《市场监督管理严重违法失信名单管理办法》第六条",
	 3},
	{{D_TAX, K_LEGAL | K_NAT},
	 "虚开增值税专用发票构成重大税收违法失信案件",
	 "《重大税收违法失信主体信息公布管理办法》第六条",
	 3},
	{{D_TAX, K_LEGAL | K_NAT},
	 "逃避缴纳税款构成重大税收违法失信案件",
	 "《重大税收违法失信主体信息公布管理办法》第六条",
	 3},
	{{D_HRSS, K_LEGAL | K_NAT},
	 "拖欠农民工工资数额较大且经责令限期支付仍未支付",
	 "《拖欠农民工工资失信联合惩戒对象名单管理暂行办法》第五条",
	 3},
	{{D_SAFETY, K_LEGAL},
	 "发生较大生产安全责任事故",
	 "《安全生产严重失信主体名单管理办法》第六条",
	 3},
	{{D_ENV, K_LEGAL},
	 "通过暗管偷排水污染物被实施按日连续处罚",
	 "《企业环境信用评价办法（试行）》第十七条",
	 2},
	{{D_HOUSING, K_LEGAL},
	 "转包和违法分包工程情节严重",
	 "《建筑市场信用管理暂行办法》第十四条",
	 2},
	{{D_ANY, K_LEGAL | K_NAT},
	 "有履行能力而拒不履行生效法律文书确定的义务",
	 "《最高人民法院关于公布失信被执行人名单信息的若干规定》第一条",
	 2},
	{{D_ANY, K_LEGAL},
	 "违反法定义务情节严重",
	 "《国务院关于建立完善守信联合激励和失信联合惩戒制度加快推进社会诚信建设的指导意见》",
	 3},
};

/* In rymc and yj, $P is the province, $C the city and $Y the year before the award. */
struct jl_tpl {
	struct tplkey k;
	const char *lb, *rymc, *yj;
	int years;
};

static const struct jl_tpl jl_tpls[] = {
	{{D_TAX, K_LEGAL}, "A级纳税人", "$Y年度纳税信用A级纳税人", "《纳税信用管理办法》", 1},
	{{D_MARKET, K_LEGAL},
	 "守合同重信用企业",
	 "$P守合同重信用企业",
	 "《守合同重信用企业公示活动管理办法》",
	 2},
	{{D_CUSTOMS, K_LEGAL},
	 "海关高级认证企业",
	 "海关高级认证企业（AEO）",
	 "《中华人民共和国海关注册登记和备案企业信用管理办法》",
	 3},
	{{D_ANY, K_LEGAL}, "诚信示范企业", "$C诚信示范企业", "《$C诚信示范企业评选办法》", 2},
	{{D_HRSS, K_LEGAL},
	 "其他",
	 "$C劳动保障守法诚信示范单位",
	 "《劳动保障守法诚信等级评价办法》",
	 2},
	{{D_SAFETY, K_LEGAL},
	 "其他",
	 "安全生产标准化二级企业",
	 "《企业安全生产标准化建设定级办法》",
	 3},
	{{D_ENV, K_LEGAL}, "其他", "$C环保诚信企业", "《企业环境信用评价办法（试行）》", 1},
};

/* --------------------------------------------------------------- 欠费 types */

struct qf_type {
	const char *name;
	enum dept dept;
	int lo, hi; /* yuan */
};

static const struct qf_type qf_types[] = {
	{"水费", D_WATER, 50, 800},	   {"电费", D_POWER, 100, 2000},
	{"燃气费", D_GAS, 50, 1500},	   {"供热费", D_HEAT, 500, 5000},
	{"通信费", D_TELECOM, 50, 600},	   {"有线电视费", D_CATV, 100, 500},
	{"物业费", D_PROPERTY, 300, 8000}, {"其他", D_OTHER, 100, 3000},
};

/* ------------------------------------------------------------------ headers */

static const char *const hdr_xzcf[] = {
	"CF_XDR_MC",   "CF_XDR_LB",   "CF_XDR_SHXYM", "CF_XDR_GSZC", "CF_XDR_ZZJG", "CF_XDR_SWDJ",
	"CF_XDR_SYDW", "CF_XDR_SHZZ", "CF_FRDB",      "CF_FR_ZJLX",  "CF_FR_ZJHM",  "CF_XDR_ZJLX",
	"CF_XDR_ZJHM", "CF_WSH",      "CF_WFXW",      "CF_SY",	     "CF_YJ",	    "CF_CFLB",
	"CF_NR",       "CF_NR_FK",    "CF_NR_WFFF",   "CF_NR_ZKDX",  "CF_JDRQ",	    "CF_YXQ",
	"CF_GSJZQ",    "CF_YZCD",     "CF_CFJG",      "CF_CFJGDM",   "CF_SJLY",	    "CF_SJLYDM",
	"BZ",
};

static const char *const hdr_xzxk[] = {
	"XK_XDR_MC",   "XK_XDR_LB",   "XK_XDR_SHXYM", "XK_XDR_GSZC", "XK_XDR_ZZJG", "XK_XDR_SWDJ",
	"XK_XDR_SYDW", "XK_XDR_SHZZ", "XK_FDDB",      "XK_FR_ZJLX",  "XK_FR_ZJHM",  "XK_XDR_ZJLX",
	"XK_XDR_ZJHM", "XK_XKWS",     "XK_WSH",	      "XK_XKLB",     "XK_XKZS",	    "XK_XKBH",
	"XK_NR",       "XK_JDRQ",     "XK_YXQZ",      "XK_YXQZI",    "XK_XKJG",	    "XK_XKJGDM",
	"XK_ZT",       "XK_LYDW",     "XK_LYDWDM",    "BZ",
};

static const char *const hdr_yzsx[] = {
	"YZSX_ZTMC", "YZSX_ZTLB", "YZSX_SHXYM",	 "YZSX_FDDBR",	"YZSX_ZJLX", "YZSX_ZJHM",
	"YZSX_LRYY", "YZSX_LRYJ", "YZSX_RDBM",	 "YZSX_RDBMDM", "YZSX_LRWH", "YZSX_LRRQ",
	"YZSX_YXQZ", "YZSX_SJLY", "YZSX_SJLYDM", "BZ",
};

static const char *const hdr_sxjl[] = {
	"SXJL_ZTMC", "SXJL_SHXYM", "SXJL_FDDBR",  "SXJL_JLLB", "SXJL_RYMC",
	"SXJL_RDYJ", "SXJL_RDBM",  "SXJL_RDBMDM", "SXJL_RDWH", "SXJL_RDRQ",
	"SXJL_YXQZ", "SXJL_SJLY",  "SXJL_SJLYDM", "BZ",
};

static const char *const hdr_qysb[] = {
	"QYSB_DWMC", "QYSB_SHXYM", "QYSB_SBDJH", "QYSB_JFNY", "QYSB_CBRS",   "QYSB_YJJE",
	"QYSB_SJJE", "QYSB_QJJE",  "QYSB_JFZT",	 "QYSB_SJLY", "QYSB_SJLYDM", "BZ",
};

static const char *const hdr_grqf[] = {
	"GRQF_XM",   "GRQF_ZJLX",   "GRQF_ZJHM", "GRQF_LXDH", "GRQF_ZZ",     "GRQF_QFLX", "GRQF_HH",
	"GRQF_QFJE", "GRQF_QFQSRQ", "GRQF_TJRQ", "GRQF_SJLY", "GRQF_SJLYDM", "BZ",
};

/* ---------------------------------------------------------------- generator */

struct rng {
	uint64_t s;
};

/* The whole state of one call: the spec and what is derived from it once. */
struct gen {
	const struct xy_demo_spec *sp;
	int32_t today; /* day number */
	int nhome;     /* counties, or 1 when subjects belong to the city itself */
	const char *province;
	uint64_t body_off; /* offsets of the affine permutations */
	uint64_t name_off;
	uint64_t id_off;
};

struct legal {
	int home;
	bool shop; /* 个体工商户 */
	char code[XY_USCC_LEN + 1];
	char name[LNAME];
	char rep[PNAME];
	char rep_id[XY_IDNUM_LEN + 1];
};

struct person {
	int home;
	bool male;
	char name[PNAME];
	char id[XY_IDNUM_LEN + 1];
};

/* The subject of one row of a dataset that may concern either kind. */
struct party {
	bool natural;
	struct legal l;
	struct person p;
};

struct unitctx {
	const struct xy_demo_unit *u;
	int home; /* the unit's county, -1 for a city-level unit */
	enum dept dept;
	char abbr[64];			 /* 濂市监 */
	char qname[2 * XY_NAME_MAX + 3]; /* the unit's name as a CSV field (RFC 4180) */
	uint64_t h;
	int series; /* 0 for xy_demo_write_files, 1 for xy_demo_write_rows */
	unsigned char tpl_legal[64], tpl_nat[64];
	int ntpl_legal, ntpl_nat;
	bool any_legal, any_nat; /* no template of that kind fits the department */
};

struct out {
	FILE *f;
	char *buf;
	size_t len;
	int nfield;
	int err;
};

typedef void (*row_fn)(const struct gen *g, struct unitctx *uc, struct out *o, long row,
		       struct rng *r, bool natural);

struct dataset {
	const char *code;
	const char *const *hdr;
	const void *tpls; /* template table (first member struct tplkey), or NULL */
	size_t tpl_size;
	row_fn row;
	int nhdr;
	int ntpl;
	int permille;	      /* share of spec->records */
	int natural_permille; /* natural persons' share in xy_demo_write_files: 0 for a
			       * dataset of legal persons only, 1000 for natural persons only */
};

/* ------------------------------------------------------------------- random */

static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void rng_seed(struct rng *r, uint64_t seed, uint64_t tag, uint64_t idx)
{
	r->s = mix64(mix64(seed ^ tag) + GOLDEN * (idx + 1));
}

static uint64_t rng_next(struct rng *r)
{
	r->s += GOLDEN;
	return mix64(r->s);
}

/* Uniform in 0..n-1 (n <= 2^32), by the multiply-shift reduction. */
static uint32_t below(struct rng *r, uint64_t n)
{
	return (uint32_t)(((rng_next(r) >> 32) * n) >> 32);
}

static long range(struct rng *r, long lo, long hi)
{
	return lo + (long)below(r, (uint64_t)(hi - lo + 1));
}

static bool pct(struct rng *r, unsigned p)
{
	return below(r, 100) < p;
}

static const char *pick(struct rng *r, const char *const *list, size_t n)
{
	return list[below(r, n)];
}

static uint64_t hash_str(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

/* ------------------------------------------------------------- small texts */

static size_t utf8_len(unsigned char c)
{
	if (c >= 0xf0)
		return 4;
	if (c >= 0xe0)
		return 3;
	if (c >= 0xc0)
		return 2;
	return 1;
}

/* Appends s to dst (holding *len bytes, capacity cap) whole characters at a time: never cuts a
 * UTF-8 sequence, always NUL-terminates. */
static void cat(char *dst, size_t cap, size_t *len, const char *s)
{
	while (*s) {
		size_t k = utf8_len((unsigned char)*s);

		if (strnlen(s, k) < k || *len + k + 1 > cap)
			break;
		memcpy(dst + *len, s, k);
		*len += k;
		s += k;
	}
	if (cap)
		dst[*len < cap ? *len : cap - 1] = '\0';
}

static void put_digits(char *dst, unsigned long v, int width)
{
	for (int k = width - 1; k >= 0; k--) {
		dst[k] = (char)('0' + v % 10);
		v /= 10;
	}
}

static bool all_digits(const char *s, size_t n)
{
	if (!s || strlen(s) != n)
		return false;
	for (size_t k = 0; k < n; k++)
		if (s[k] < '0' || s[k] > '9')
			return false;
	return true;
}

/* ----------------------------------------------------------------- regions */

static const char *home_code(const struct gen *g, int home)
{
	return g->sp->ncounties > 0 ? g->sp->counties[home].code : g->sp->city_code;
}

static const char *home_name(const struct gen *g, int home)
{
	return g->sp->ncounties > 0 ? g->sp->counties[home].name : g->sp->city_name;
}

/* Subjects of a county are i = home, home + nhome, home + 2*nhome, ...; home -1 is the city. */
static long pool_count(const struct gen *g, long n, int home)
{
	if (home < 0)
		return n;
	return n > home ? (n - home - 1) / g->nhome + 1 : 0;
}

static long pool_at(const struct gen *g, int home, long k)
{
	return home < 0 ? k : home + k * g->nhome;
}

/* A subject among n, mostly (LOCAL_PCT) of the unit's own county; -1 when n is 0. */
static long pick_subject(const struct gen *g, long n, int home, struct rng *r)
{
	if (n <= 0)
		return -1;
	if (home >= 0 && pct(r, LOCAL_PCT)) {
		long c = pool_count(g, n, home);

		if (c > 0)
			return pool_at(g, home, (long)below(r, (uint64_t)c));
	}
	return (long)below(r, (uint64_t)n);
}

static void gen_init(struct gen *g, const struct xy_demo_spec *sp)
{
	struct rng r;

	memset(g, 0, sizeof(*g));
	g->sp = sp;
	g->today = xy_date_from_ymd(sp->today / 10000, sp->today / 100 % 100, sp->today % 100);
	g->nhome = sp->ncounties > 0 && sp->counties ? sp->ncounties : 1;
	g->province = "";
	for (size_t k = 0; sp->city_code && k < NELEM(provinces); k++)
		if (!strncmp(sp->city_code, provinces[k].prefix, 2))
			g->province = provinces[k].name;
	if (sp->city_name && !strcmp(g->province, sp->city_name))
		g->province = ""; /* 北京市 is both */
	rng_seed(&r, sp->seed, TAG_PERM, 0);
	g->body_off = rng_next(&r) % B31_6;
	g->name_off = rng_next(&r);
	g->id_off = rng_next(&r);
}

/* ---------------------------------------------------------------- subjects */

static const char uscc_chars[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/* 9 + 1 (enterprise) or 2 (个体工商户) + region + "M?" + 6 characters + GB 11714 check + GB 32100
 * check.  The 6 characters are an affine permutation of i in base 31, so codes never repeat. */
static void make_uscc(const struct gen *g, long i, bool shop, const char *region, char out[19])
{
	uint64_t v0 = ((uint64_t)i * PERM_MUL + g->body_off) % B31_6;

	for (int attempt = 0; attempt < 21; attempt++) {
		uint64_t v = v0;

		out[0] = '9';
		out[1] = shop ? '2' : '1';
		memcpy(out + 2, region, 6);
		out[8] = 'M';
		out[9] = uscc_chars[10 +
				    attempt]; /* a distinct prefix per attempt keeps codes unique */
		for (int k = 15; k >= 10; k--) {
			out[k] = uscc_chars[v % 31];
			v /= 31;
		}
		out[16] = xy_orgcode_check_char(out + 8);
		/* GB 11714 gives 0-9 or X, all in the USCC charset: the loop is a safeguard. */
		if (!out[16] || !strchr(uscc_chars, out[16]))
			continue;
		out[17] = xy_uscc_check_char(out);
		out[18] = '\0';
		return;
	}
	out[0] = '\0';
}

/* A surname and one or two given-name characters from the list of the person's sex. */
static void person_name(struct rng *r, bool male, char *name, size_t cap)
{
	const char *const *given = male ? given_m : given_f;
	size_t ng = male ? NELEM(given_m) : NELEM(given_f);
	size_t len = 0;
	/* The minimum of two draws favours the common surnames at the head of the list. */
	uint32_t a = below(r, NELEM(surnames)), b = below(r, NELEM(surnames));
	uint32_t g1 = below(r, ng), g2 = below(r, ng - 1);

	cat(name, cap, &len, surnames[a < b ? a : b]);
	cat(name, cap, &len, given[g1]);
	if (pct(r, 65))
		cat(name, cap, &len,
		    given[g2 >= g1 ? g2 + 1 : g2]); /* not the same character twice */
}

/* Identity numbers: region of the home county, a birth date 1950-01-01..2005-12-31 and an order
 * code 001-999 from an affine permutation of the person's rank in the county (unique). */
static void make_person(const struct gen *g, long j, struct person *p)
{
	const int32_t d0 = xy_date_from_ymd(1950, 1, 1);
	const uint64_t span = (uint64_t)(xy_date_from_ymd(2005, 12, 31) - d0 + 1) * ID_SEQ;
	uint64_t k = (uint64_t)j / (uint64_t)g->nhome;
	uint64_t v = (k * PERM_MUL + g->id_off % span) % span;
	unsigned seq = (unsigned)(v % ID_SEQ) + 1;
	int y, m, d;
	struct rng r;

	p->home = (int)(j % g->nhome);
	p->male = seq % 2 == 1;
	xy_date_to_ymd(d0 + (int32_t)(v / ID_SEQ), &y, &m, &d);
	memcpy(p->id, home_code(g, p->home), 6);
	put_digits(p->id + 6, (unsigned long)y * 10000 + (unsigned long)(m * 100 + d), 8);
	put_digits(p->id + 14, seq, 3);
	p->id[17] = xy_idnum_check_char(p->id);
	p->id[18] = '\0';
	rng_seed(&r, g->sp->seed, TAG_PERSON, (uint64_t)j);
	p->name[0] = '\0';
	person_name(&r, p->male, p->name, sizeof(p->name));
}

/* <county><字号><行业><有限公司…> or, for a 个体工商户, <county><字号><店>. */
static void legal_name(const struct gen *g, int home, long k, bool shop, struct rng *r, char *name,
		       size_t cap)
{
	static const char *const suffix[] = {"有限公司", "有限责任公司", "股份有限公司"};
	const uint64_t nz = NELEM(zihao_chars);
	uint64_t nkind = shop ? NELEM(shops) : NELEM(industries);
	uint64_t span = nz * (nz - 1) * nkind;
	/* A bijection on 0..span-1: the first `span` subjects of a county never share a name. */
	uint64_t v = ((uint64_t)k * PERM_MUL + g->name_off % span) % span;
	uint64_t a = v % nz, b = v / nz % (nz - 1), kind = v / nz / (nz - 1);
	uint32_t s = below(r, 10);
	size_t len = 0;

	if (b >= a)
		b++; /* two different characters */
	name[0] = '\0';
	cat(name, cap, &len, home_name(g, home));
	cat(name, cap, &len, zihao_chars[a]);
	cat(name, cap, &len, zihao_chars[b]);
	if (shop) {
		cat(name, cap, &len, shops[kind]);
		return;
	}
	cat(name, cap, &len, industries[kind]);
	cat(name, cap, &len, suffix[s < 7 ? 0 : s < 9 ? 1 : 2]);
}

/* The legal representative (operator of a 个体工商户): one of the invented natural persons of the
 * same county when there are any, else a person outside their index range. */
static void make_rep(const struct gen *g, long i, struct rng *r, struct legal *l)
{
	long n = g->sp->natural, c = pool_count(g, n, l->home), j;
	struct person p;

	if (c > 0)
		j = pool_at(g, l->home, (long)below(r, (uint64_t)c));
	else if (n > 0)
		j = (long)below(r, (uint64_t)n);
	else
		j = pool_at(g, l->home, XY_SUBJECTS_DEMO_MAX + i);
	make_person(g, j, &p);
	memcpy(l->rep, p.name, sizeof(l->rep));
	memcpy(l->rep_id, p.id, sizeof(l->rep_id));
}

static void make_legal(const struct gen *g, long i, struct legal *l)
{
	struct rng r;

	rng_seed(&r, g->sp->seed, TAG_LEGAL, (uint64_t)i);
	l->home = (int)(i % g->nhome);
	l->shop = pct(&r, 15);
	make_uscc(g, i, l->shop, home_code(g, l->home), l->code);
	legal_name(g, l->home, i / g->nhome, l->shop, &r, l->name, sizeof(l->name));
	make_rep(g, i, &r, l);
}

static void cat_num(char *dst, size_t cap, size_t *len, unsigned long v)
{
	char tmp[24];
	int k = (int)sizeof(tmp) - 1;

	tmp[k] = '\0';
	do {
		tmp[--k] = (char)('0' + v % 10);
		v /= 10;
	} while (v && k > 0);
	cat(dst, cap, len, tmp + k);
}

/* Mobile number and home address of natural person j (GRQF only). */
static void person_contact(const struct gen *g, long j, const struct person *p, char phone[12],
			   char *addr, size_t cap)
{
	struct rng r;
	size_t len = 0;

	rng_seed(&r, g->sp->seed, TAG_CONTACT, (uint64_t)j);
	phone[0] = '1';
	phone[1] = "3456789"[below(&r, 7)];
	put_digits(phone + 2, below(&r, 1000000000), 9);
	phone[11] = '\0';
	addr[0] = '\0';
	cat(addr, cap, &len, g->province);
	cat(addr, cap, &len, g->sp->city_name);
	if (g->sp->ncounties > 0)
		cat(addr, cap, &len, home_name(g, p->home));
	cat(addr, cap, &len, pick(&r, streets, NELEM(streets)));
	cat_num(addr, cap, &len, (unsigned long)range(&r, 1, 999));
	cat(addr, cap, &len, "号");
	if (pct(&r, 60)) {
		cat(addr, cap, &len, pick(&r, estates, NELEM(estates)));
		cat_num(addr, cap, &len, (unsigned long)range(&r, 1, 30));
		cat(addr, cap, &len, "栋");
		cat_num(addr, cap, &len, (unsigned long)range(&r, 1, 4));
		cat(addr, cap, &len, "单元");
		cat_num(addr, cap, &len, (unsigned long)(range(&r, 1, 33) * 100 + range(&r, 1, 4)));
		cat(addr, cap, &len, "室");
	}
}

/* ------------------------------------------------------------------ output */

static void flush(struct out *o)
{
	if (o->len && !o->err && fwrite(o->buf, 1, o->len, o->f) != o->len) {
		xy_log_error("write failed: %s", strerror(errno));
		o->err = XY_EIO;
	}
	o->len = 0;
}

static void ap(struct out *o, const char *s, size_t n)
{
	if (o->len + n > OUT_CAP + ROW_MAX) {
		o->err = XY_ELIMIT; /* cannot happen with names capped at XY_NAME_MAX */
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

static void aps(struct out *o, const char *s)
{
	ap(o, s, strlen(s));
}

static void ap_pad(struct out *o, unsigned long v, int width)
{
	char tmp[24];

	if (width < 1 || width > 20)
		return;
	put_digits(tmp, v, width);
	ap(o, tmp, (size_t)width);
}

static void ap_ulong(struct out *o, unsigned long v)
{
	int w = 1;

	for (unsigned long t = v; t >= 10; t /= 10)
		w++;
	ap_pad(o, v, w);
}

static void ap_date(struct out *o, int32_t days)
{
	int y, m, d;
	char s[10];

	xy_date_to_ymd(days, &y, &m, &d);
	put_digits(s, (unsigned long)y, 4);
	s[4] = '-';
	put_digits(s + 5, (unsigned long)m, 2);
	s[7] = '-';
	put_digits(s + 8, (unsigned long)d, 2);
	ap(o, s, 10);
}

static void ap_cn_date(struct out *o, int32_t days)
{
	int y, m, d;

	xy_date_to_ymd(days, &y, &m, &d);
	ap_ulong(o, (unsigned long)y);
	aps(o, "年");
	ap_ulong(o, (unsigned long)m);
	aps(o, "月");
	ap_ulong(o, (unsigned long)d);
	aps(o, "日");
}

/* Yuan with two decimals. */
static void ap_money(struct out *o, long cents)
{
	ap_ulong(o, (unsigned long)(cents / 100));
	ap(o, ".", 1);
	ap_pad(o, (unsigned long)(cents % 100), 2);
}

/* 万元 as a plain decimal without trailing zeros (2350000 cents -> 2.35). */
static void ap_wan(struct out *o, long cents)
{
	unsigned long frac = (unsigned long)(cents % 1000000);
	int w = 6;

	ap_ulong(o, (unsigned long)(cents / 1000000));
	if (!frac)
		return;
	while (frac % 10 == 0) {
		frac /= 10;
		w--;
	}
	ap(o, ".", 1);
	ap_pad(o, frac, w);
}

/* Starts a field.  Fields are never quoted: the invented texts use full-width punctuation,
 * region names may not hold a comma or quote (check_regions), and unit names are quoted once
 * in unit_init. */
static void fbeg(struct out *o)
{
	if (o->nfield++)
		ap(o, ",", 1);
}

static void fstr(struct out *o, const char *s)
{
	fbeg(o);
	aps(o, s);
}

static void fnone(struct out *o, int n)
{
	while (n-- > 0)
		fbeg(o);
}

static void fdate(struct out *o, int32_t days)
{
	fbeg(o);
	ap_date(o, days);
}

static void row_end(struct out *o)
{
	ap(o, "\n", 1);
	o->nfield = 0;
	if (o->len >= OUT_CAP)
		flush(o);
}

static void header(struct out *o, const struct dataset *ds)
{
	for (int k = 0; k < ds->nhdr; k++)
		fstr(o, ds->hdr[k]);
	row_end(o);
}

/* ------------------------------------------------------------------- units */

/* Appends the first nchars characters of s. */
static void cat_chars(char *dst, size_t cap, size_t *len, const char *s, int nchars)
{
	char tmp[32];
	size_t n = 0;

	while (nchars-- > 0 && s[n]) {
		size_t k = utf8_len((unsigned char)s[n]);

		if (strnlen(s + n, k) < k || n + k >= sizeof(tmp))
			break;
		n += k;
	}
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	cat(dst, cap, len, tmp);
}

/* 九江市濂溪区市场监督管理局 -> 濂市监; a name without a known keyword gives its first two
 * characters after the place name (九江市濂溪区档案局 -> 濂档案). */
static void unit_abbr(const struct gen *g, struct unitctx *uc, const char *dept_abbr)
{
	const char *place = uc->home >= 0 ? home_name(g, uc->home) : g->sp->city_name;
	const char *rest = strstr(uc->u->name, place);
	size_t len = 0;

	rest = rest ? rest + strlen(place) : uc->u->name;
	uc->abbr[0] = '\0';
	cat_chars(uc->abbr, sizeof(uc->abbr), &len, place, 1);
	if (dept_abbr)
		cat(uc->abbr, sizeof(uc->abbr), &len, dept_abbr);
	else
		cat_chars(uc->abbr, sizeof(uc->abbr), &len, *rest ? rest : "政", 2);
}

/* The name as a CSV field, quoted when it holds a comma or a quote (RFC 4180). */
static void quote_name(const char *name, char *out)
{
	size_t n = 0;

	if (!strpbrk(name, ",\"")) {
		memcpy(out, name, strlen(name) + 1);
		return;
	}
	out[n++] = '"';
	for (; *name; name++) {
		if (*name == '"')
			out[n++] = '"';
		out[n++] = *name;
	}
	out[n++] = '"';
	out[n] = '\0';
}

static void unit_init(const struct gen *g, const struct xy_demo_unit *u, int series,
		      struct unitctx *uc)
{
	const char *dept_abbr = NULL;

	memset(uc, 0, sizeof(*uc));
	uc->u = u;
	uc->series = series;
	uc->h = hash_str(u->code);
	uc->home = -1;
	uc->dept = D_OTHER;
	for (int k = 0; k < g->sp->ncounties; k++)
		if (!strcmp(u->region, g->sp->counties[k].code))
			uc->home = k;
	for (size_t k = 0; k < NELEM(dept_kws); k++) {
		if (strstr(u->name, dept_kws[k].kw)) {
			uc->dept = dept_kws[k].dept;
			dept_abbr = dept_kws[k].abbr;
			break;
		}
	}
	unit_abbr(g, uc, dept_abbr);
	quote_name(u->name, uc->qname);
}

static const struct tplkey *tpl_key(const struct dataset *ds, int k)
{
	return (const struct tplkey *)(const void *)((const char *)ds->tpls +
						     (size_t)k * ds->tpl_size);
}

/* Templates of one kind for this unit: its department's; else the ones for any unit; else all.
 * *fallback tells whether it came to all. */
static int tpl_list(const struct dataset *ds, enum dept dept, unsigned kind, unsigned char *out,
		    bool *fallback)
{
	int n = 0;

	for (int pass = 0; pass < 3 && !n; pass++) {
		*fallback = pass == 2;
		for (int k = 0; k < ds->ntpl; k++) {
			const struct tplkey *t = tpl_key(ds, k);

			if (!(t->kinds & kind))
				continue;
			if ((pass == 0 && t->dept == (int)dept) ||
			    (pass == 1 && t->dept == D_ANY) || pass == 2)
				out[n++] = (unsigned char)k;
		}
	}
	return n;
}

static void unit_templates(struct unitctx *uc, const struct dataset *ds)
{
	uc->ntpl_legal = tpl_list(ds, uc->dept, K_LEGAL, uc->tpl_legal, &uc->any_legal);
	uc->ntpl_nat = tpl_list(ds, uc->dept, K_NAT, uc->tpl_nat, &uc->any_nat);
}

/* Index of a template for a row: the tables hold at least one of each kind they are used for. */
static int tpl_pick(const struct unitctx *uc, struct rng *r, bool natural)
{
	if (natural && uc->ntpl_nat)
		return uc->tpl_nat[below(r, (uint64_t)uc->ntpl_nat)];
	if (uc->ntpl_legal)
		return uc->tpl_legal[below(r, (uint64_t)uc->ntpl_legal)];
	return uc->ntpl_nat ? uc->tpl_nat[0] : 0;
}

/* --------------------------------------------------------------- row parts */

static void pick_party(const struct gen *g, const struct unitctx *uc, struct rng *r, bool natural,
		       struct party *pt)
{
	pt->natural = natural;
	if (natural)
		make_person(g, pick_subject(g, g->sp->natural, uc->home, r), &pt->p);
	else
		make_legal(g, pick_subject(g, g->sp->legal, uc->home, r), &pt->l);
}

/* The 13 subject columns shared by XZCF and XZXK: name, kind, codes 1-6, legal representative
 * with document type and number, the person's document type and number. */
static void party_cols(struct out *o, const struct party *pt, struct rng *r)
{
	if (pt->natural) {
		fstr(o, pt->p.name);
		fstr(o, "自然人");
		fnone(o, 9);
		fstr(o, "身份证");
		fstr(o, pt->p.id);
		return;
	}
	fstr(o, pt->l.name);
	fstr(o, pt->l.shop ? "个体工商户" : "法人及非法人组织");
	fstr(o, pt->l.code);
	fnone(o, 5);
	fstr(o, pt->l.rep);
	if (pct(r, 70)) {
		fstr(o, "身份证");
		fstr(o, pt->l.rep_id);
	} else {
		fnone(o, 2);
	}
	fnone(o, 2);
}

static void unit_cols(struct out *o, const struct unitctx *uc)
{
	fstr(o, uc->qname);
	fstr(o, uc->u->code);
}

static int year_of(int32_t days)
{
	int y, m, d;

	xy_date_to_ymd(days, &y, &m, &d);
	return y;
}

/* 濂市监罚〔2025〕17号: the running number is the row's, so it never repeats within a file. */
static void doc_no(struct out *o, const struct unitctx *uc, const char *kind, int32_t days,
		   long row)
{
	fbeg(o);
	aps(o, uc->abbr);
	aps(o, kind);
	if (uc->series)
		aps(o, "字");
	aps(o, "〔");
	ap_ulong(o, (unsigned long)year_of(days));
	aps(o, "〕");
	ap_ulong(o, (unsigned long)row + 1);
	aps(o, "号");
}

/* Expands $P (province, or the city when unknown), $C (city) and $Y (year). */
static void ap_expand(struct out *o, const struct gen *g, const char *t, int year)
{
	for (; *t; t++) {
		if (t[0] != '$' || !t[1]) {
			ap(o, t, 1);
			continue;
		}
		t++;
		if (*t == 'P')
			aps(o, *g->province ? g->province : g->sp->city_name);
		else if (*t == 'C')
			aps(o, g->sp->city_name);
		else if (*t == 'Y')
			ap_ulong(o, (unsigned long)year);
	}
}

/* A date in the last three years (1096 days), today included. */
static int32_t recent(const struct gen *g, struct rng *r)
{
	return g->today - (int32_t)below(r, 1096);
}

/* ------------------------------------------------------------------ XZCF */

struct cf_pen {
	unsigned cls;
	long fine, sd, cw; /* cents: 罚款, 没收违法所得, 没收非法财物 */
	int n_zk, n_tc, n_jy, n_cy, n_jl;
	int sev; /* 0 轻微 .. 3 严重 */
};

static const char *const sev_names[] = {"轻微", "一般", "较重", "严重"};

static long round_fine(struct rng *r, int lo, int hi)
{
	long step = hi - lo >= 10000 ? 1000 : hi - lo >= 1000 ? 100 : 10;
	long y = range(r, lo, hi) / step * step;

	return (y < lo ? lo : y) * 100;
}

static int severity(const struct cf_pen *p, struct rng *r)
{
	uint32_t x = below(r, 100);

	if (p->cls & (M(DX) | M(ZLGB) | M(XZCY) | M(XZJL)))
		return x < 70 ? 3 : 2;
	if (p->cls & (M(TCTY) | M(JDZZ) | M(ZK) | M(XZJY)))
		return x < 60 ? 2 : 3;
	if (p->fine >= 100000 * 100L)
		return x < 50 ? 2 : 1;
	if (!(p->cls & ~(M(JG) | M(TBPP))))
		return x < 60 ? 0 : 1;
	return x < 12 ? 0 : x < 90 ? 1 : 2;
}

static void cf_penalty(const struct cf_tpl *t, struct rng *r, struct cf_pen *p)
{
	int nopt = 0;
	long cap = t->fine_hi > 1000 ? t->fine_hi / 2 : 500;

	while (nopt < 3 && t->opts[nopt])
		nopt++;
	memset(p, 0, sizeof(*p));
	p->cls = t->opts[below(r, (uint64_t)nopt)];
	if (p->cls & M(FK))
		p->fine = round_fine(r, t->fine_lo, t->fine_hi);
	if (p->cls & M(MSSD))
		p->sd = range(r, 10000, cap * 100);
	if (p->cls & M(MSCW))
		p->cw = range(r, 20000, cap * 100);
	p->n_zk = (int)range(r, 1, 6);
	p->n_tc = (int)range(r, 7, 90);
	p->n_jy = (int)range(r, 1, 6);
	p->n_cy = (int)range(r, 1, 5);
	p->n_jl = (int)range(r, 3, 15);
	p->sev = severity(p, r);
}

static void cf_classes(struct out *o, unsigned cls)
{
	int n = 0;

	fbeg(o);
	for (int c = 0; c < NCLS; c++) {
		if (!(cls & M(c)))
			continue;
		if (n++)
			ap(o, ";", 1);
		aps(o, cls_names[c]);
	}
}

static void part_n(struct out *o, const char *pre, long n, const char *post)
{
	aps(o, pre);
	ap_ulong(o, (unsigned long)n);
	aps(o, post);
}

/* How one class reads in CF_NR (处罚内容). */
static void cf_part(struct out *o, const struct cf_tpl *t, const struct cf_pen *p, int c)
{
	const char *lic = t->licence ? t->licence : "许可证";

	switch (c) {
	case FK:
		part_n(o, "罚款人民币", p->fine / 100, "元");
		break;
	case MSSD:
		aps(o, "没收违法所得人民币");
		ap_money(o, p->sd);
		aps(o, "元");
		break;
	case MSCW:
		aps(o, "没收非法财物（价值人民币");
		ap_money(o, p->cw);
		aps(o, "元）");
		break;
	case ZK:
	case DX:
		aps(o, c == ZK ? "暂扣《" : "吊销《");
		aps(o, lic);
		if (c == ZK)
			part_n(o, "》", p->n_zk, "个月");
		else
			aps(o, "》");
		break;
	case XZJY:
		part_n(o, "限制开展生产经营活动", p->n_jy, "个月");
		break;
	case TCTY:
		part_n(o, "责令停产停业", p->n_tc, "日");
		break;
	case XZCY:
		part_n(o, "限制从业", p->n_cy, "年");
		break;
	case XZJL:
		part_n(o, "行政拘留", p->n_jl, "日");
		break;
	case QT:
		aps(o, "责令限期拆除");
		break;
	default:
		aps(o, cls_names[c]);
		break;
	}
}

static void cf_content(struct out *o, const struct cf_tpl *t, const struct cf_pen *p)
{
	int n = 0;

	fbeg(o);
	for (int c = 0; c < NCLS; c++) {
		if (!(p->cls & M(c)))
			continue;
		if (n++)
			aps(o, "；");
		cf_part(o, t, p, c);
	}
}

/* CF_NR_FK, CF_NR_WFFF, CF_NR_ZKDX: filled exactly when the classes call for them. */
static void cf_amounts(struct out *o, const struct gen *g, const struct cf_tpl *t,
		       const struct cf_pen *p, const struct party *pt, struct rng *r)
{
	fbeg(o);
	if (p->cls & M(FK))
		ap_wan(o, p->fine);
	fbeg(o);
	if (p->cls & (M(MSSD) | M(MSCW)))
		ap_wan(o, p->sd + p->cw);
	fbeg(o);
	if (p->cls & (M(ZK) | M(DX))) {
		aps(o, t->licence ? t->licence : "许可证");
		aps(o, "（");
		if (pt->natural) {
			aps(o, pt->p.id); /* a driving licence number is the identity number */
		} else {
			aps(o, home_code(g, pt->l.home));
			ap_pad(o, below(r, 100000000), 8);
		}
		aps(o, "）");
	}
}

/* CF_YXQ (after the decision; sometimes long-term), CF_GSJZQ (half the time, never before the
 * decision nor after CF_YXQ), CF_YZCD. */
static void cf_periods(struct out *o, const struct cf_pen *p, int32_t jd, struct rng *r)
{
	static const int months[] = {6, 12, 24, 36};
	int32_t yxq = pct(r, 15) ? XY_DATE_LONG_TERM : xy_date_add_months(jd, months[p->sev]);

	fdate(o, yxq);
	if (p->sev > 0 && pct(r, 50)) {
		int32_t gs = xy_date_add_months(jd, p->sev == 1 ? (int)range(r, 3, 12)
								: (int)range(r, 12, 36));
		fdate(o, gs < yxq ? gs : yxq);
	} else {
		fnone(o, 1);
	}
	fstr(o, sev_names[p->sev]);
}

static void row_xzcf(const struct gen *g, struct unitctx *uc, struct out *o, long row,
		     struct rng *r, bool natural)
{
	const struct cf_tpl *t = &cf_tpls[tpl_pick(uc, r, natural)];
	int32_t jd = recent(g, r);
	struct party pt;
	struct cf_pen p;

	pick_party(g, uc, r, natural, &pt);
	cf_penalty(t, r, &p);
	party_cols(o, &pt, r);
	doc_no(o, uc, "罚", jd, row);
	fstr(o, t->wfxw);
	fbeg(o);
	aps(o, "经查，当事人于");
	ap_cn_date(o, jd - (int32_t)range(r, 10, 120));
	aps(o, t->sy);
	aps(o, "。");
	fstr(o, t->yj);
	cf_classes(o, p.cls);
	cf_content(o, t, &p);
	cf_amounts(o, g, t, &p, &pt, r);
	fdate(o, jd);
	cf_periods(o, &p, jd, r);
	unit_cols(o, uc);
	unit_cols(o, uc);
	if (pct(r, 10))
		fstr(o, pick(r, cf_bz, NELEM(cf_bz)));
	else
		fnone(o, 1);
	row_end(o);
}

/* ------------------------------------------------------------------ XZXK */

static void row_xzxk(const struct gen *g, struct unitctx *uc, struct out *o, long row,
		     struct rng *r, bool natural)
{
	const struct xk_tpl *t = &xk_tpls[tpl_pick(uc, r, natural)];
	int32_t jd = recent(g, r), end;
	struct party pt;
	bool invalid;

	pick_party(g, uc, r, natural, &pt);
	party_cols(o, &pt, r);
	fstr(o, t->ws);
	doc_no(o, uc, "许", jd, row);
	fstr(o, t->lb);
	fstr(o, t->zs);
	fbeg(o);
	if (t->uscc_no && !natural) {
		aps(o, pt.l.code);
	} else {
		aps(o, t->prefix);
		aps(o, home_code(g, natural ? pt.p.home : pt.l.home));
		ap_pad(o, (unsigned long)row + 1, 7);
	}
	fstr(o, t->nr);
	fdate(o, jd);
	fdate(o, jd);
	end = t->years ? xy_date_add_months(jd, 12 * t->years) - 1 : XY_DATE_LONG_TERM;
	fdate(o, end);
	unit_cols(o, uc);
	invalid = end < g->today || pct(r, 2);
	fstr(o, invalid ? "无效" : "有效");
	unit_cols(o, uc);
	if (invalid && end >= g->today)
		fstr(o, "已注销");
	else
		fnone(o, 1);
	row_end(o);
}

/* ------------------------------------------------------------------ YZSX */

static void row_yzsx(const struct gen *g, struct unitctx *uc, struct out *o, long row,
		     struct rng *r, bool natural)
{
	const struct sx_tpl *t = &sx_tpls[tpl_pick(uc, r, natural)];
	int32_t lr = recent(g, r);
	struct party pt;

	pick_party(g, uc, r, natural, &pt);
	if (natural) {
		fstr(o, pt.p.name);
		fstr(o, "自然人");
		fnone(o, 2);
		fstr(o, "身份证");
		fstr(o, pt.p.id);
	} else {
		fstr(o, pt.l.name);
		fstr(o, pt.l.shop ? "个体工商户" : "法人及非法人组织");
		fstr(o, pt.l.code);
		fstr(o, pt.l.rep);
		fnone(o, 2);
	}
	fstr(o, t->yy);
	fstr(o, t->yj);
	unit_cols(o, uc);
	doc_no(o, uc, "失信", lr, row);
	fdate(o, lr);
	fdate(o, xy_date_add_months(lr, 12 * t->years));
	unit_cols(o, uc);
	fnone(o, 1);
	row_end(o);
}

/* ------------------------------------------------------------------ SXJL */

static void row_sxjl(const struct gen *g, struct unitctx *uc, struct out *o, long row,
		     struct rng *r, bool natural)
{
	const struct jl_tpl *t = &jl_tpls[tpl_pick(uc, r, false)];
	int32_t rd = recent(g, r);
	struct legal l;

	(void)natural;
	make_legal(g, pick_subject(g, g->sp->legal, uc->home, r), &l);
	fstr(o, l.name);
	fstr(o, l.code);
	fstr(o, l.rep);
	fstr(o, t->lb);
	fbeg(o);
	ap_expand(o, g, t->rymc, year_of(rd) - 1);
	fbeg(o);
	ap_expand(o, g, t->yj, year_of(rd) - 1);
	unit_cols(o, uc);
	doc_no(o, uc, "信", rd, row);
	fdate(o, rd);
	fdate(o, xy_date_add_months(rd, 12 * t->years));
	unit_cols(o, uc);
	fnone(o, 1);
	row_end(o);
}

/* ------------------------------------------------------------------ QYSB */

/* The enterprises a social-insurance unit reports on: its county's, or all for a city unit. */
static long qysb_pool(const struct gen *g, const struct unitctx *uc, int *home)
{
	*home = uc->home;
	if (*home >= 0 && pool_count(g, g->sp->legal, *home) == 0)
		*home = -1;
	return pool_count(g, g->sp->legal, *home);
}

static void fmoney(struct out *o, long cents)
{
	fbeg(o);
	ap_money(o, cents);
}

/* One month of one enterprise: its size and rate per insured person are the enterprise's own
 * (stream keyed by i), the head count varies a little from month to month. */
static void qysb_month(const struct gen *g, long i, struct rng *r, struct out *o)
{
	static const char *const st[] = {"正常", "欠缴", "中断", "注销"};
	uint32_t x = below(r, 100);
	int s = x < 88 ? 0 : x < 96 ? 1 : x < 99 ? 2 : 3;
	long base, rate, cbrs, yj, sj;
	struct rng rs;

	rng_seed(&rs, g->sp->seed, TAG_QYSB, (uint64_t)i);
	x = below(&rs, 100);
	base = x < 60 ? range(&rs, 1, 20) : x < 90 ? range(&rs, 21, 100) : range(&rs, 101, 800);
	rate = range(&rs, 90000, 150000); /* cents per insured person and month */
	cbrs = s == 3 ? 0 : base + range(r, -base / 10, base / 10);
	yj = cbrs * rate;
	sj = s == 0 ? yj : s == 1 ? yj * range(r, 30, 90) / 100 : 0;
	fbeg(o);
	ap_ulong(o, (unsigned long)cbrs);
	fmoney(o, yj);
	fmoney(o, sj);
	fmoney(o, yj - sj);
	fstr(o, st[s]);
}

/* Row r is enterprise (r + offset) mod P of the pool for the month r / P back (plus 120 months
 * for the benchmark series), so (QYSB_SHXYM, QYSB_JFNY) never repeats. */
static void row_qysb(const struct gen *g, struct unitctx *uc, struct out *o, long row,
		     struct rng *r, bool natural)
{
	int home, y, m, d;
	long pool = qysb_pool(g, uc, &home);
	long i =
		pool_at(g, home, (long)(((uint64_t)row + uc->h % (uint64_t)pool) % (uint64_t)pool));
	int back = 1 + uc->series * QYSB_MONTHS + (int)(row / pool);
	struct legal l;
	struct rng rs;

	(void)natural;
	make_legal(g, i, &l);
	fstr(o, l.name);
	fstr(o, l.code);
	rng_seed(&rs, g->sp->seed, TAG_QYSB + 1, (uint64_t)i);
	fbeg(o); /* QYSB_SBDJH: the enterprise's, in every month */
	aps(o, home_code(g, l.home));
	ap_pad(o, below(&rs, 100000000), 8);
	xy_date_to_ymd(xy_date_add_months(g->today, -back), &y, &m, &d);
	fbeg(o);
	ap_pad(o, (unsigned long)y, 4);
	ap(o, "-", 1);
	ap_pad(o, (unsigned long)m, 2);
	qysb_month(g, i, r, o);
	unit_cols(o, uc);
	fnone(o, 1);
	row_end(o);
}

/* ------------------------------------------------------------------ GRQF */

static const struct qf_type *qf_for(const struct unitctx *uc, struct rng *r)
{
	for (size_t k = 0; k + 1 < NELEM(qf_types); k++)
		if (qf_types[k].dept == uc->dept)
			return &qf_types[k];
	return &qf_types[below(r, NELEM(qf_types))];
}

static void row_grqf(const struct gen *g, struct unitctx *uc, struct out *o, long row,
		     struct rng *r, bool natural)
{
	const struct qf_type *qf = qf_for(uc, r);
	long j = pick_subject(g, g->sp->natural, uc->home, r);
	int y, m, d;
	int32_t month0, tj;
	struct person p;
	char phone[12], addr[ADDR_MAX];

	(void)natural;
	make_person(g, j, &p);
	person_contact(g, j, &p, phone, addr, sizeof(addr));
	xy_date_to_ymd(g->today, &y, &m, &d);
	month0 = xy_date_from_ymd(y, m, 1);
	tj = xy_date_add_months(month0, -(int)range(r, 0, 11)) - 1; /* a month's last day */
	fstr(o, p.name);
	fstr(o, "身份证");
	fstr(o, p.id);
	fstr(o, phone);
	fstr(o, addr);
	fstr(o, qf->name);
	fbeg(o);
	aps(o, uc->u->region + 2);
	ap_pad(o, (unsigned long)uc->series + 1, 2);
	ap_pad(o, (unsigned long)row + 1, 8);
	fmoney(o, range(r, qf->lo * 100L, qf->hi * 300L));
	fdate(o, xy_date_add_months(tj + 1, -(int)range(r, 2, 36)));
	fdate(o, tj);
	unit_cols(o, uc);
	fnone(o, 1);
	row_end(o);
}

/* ---------------------------------------------------------------- datasets */

#define HDR(h) .hdr = (h), .nhdr = (int)NELEM(h)
#define TPL(t) .tpls = (t), .tpl_size = sizeof((t)[0]), .ntpl = (int)NELEM(t)

static const struct dataset datasets[] = {
	{"XZCF", HDR(hdr_xzcf), TPL(cf_tpls), .row = row_xzcf, .permille = 400,
	 .natural_permille = 200},
	{"XZXK", HDR(hdr_xzxk), TPL(xk_tpls), .row = row_xzxk, .permille = 400,
	 .natural_permille = 100},
	{"QYSB", HDR(hdr_qysb), .row = row_qysb, .permille = 80, .natural_permille = 0},
	{"GRQF", HDR(hdr_grqf), .row = row_grqf, .permille = 60, .natural_permille = 1000},
	{"YZSX", HDR(hdr_yzsx), TPL(sx_tpls), .row = row_yzsx, .permille = 30,
	 .natural_permille = 200},
	{"SXJL", HDR(hdr_sxjl), TPL(jl_tpls), .row = row_sxjl, .permille = 30,
	 .natural_permille = 0},
};

_Static_assert(NELEM(cf_tpls) <= 64 && NELEM(xk_tpls) <= 64, "template lists hold 64");

static const struct dataset *find_dataset(const char *code)
{
	for (size_t k = 0; code && k < NELEM(datasets); k++)
		if (!strcmp(datasets[k].code, code))
			return &datasets[k];
	return NULL;
}

/* Datasets of one kind only have natural_permille 0 (legal) or 1000 (natural). */
static bool both_kinds(const struct dataset *ds)
{
	return ds->natural_permille > 0 && ds->natural_permille < 1000;
}

/* The share of natural persons actually used, given which subjects exist. */
static double natural_share(const struct gen *g, const struct dataset *ds, double want)
{
	if (!both_kinds(ds))
		return ds->natural_permille ? 1.0 : 0.0;
	if (g->sp->natural == 0)
		return 0.0;
	if (g->sp->legal == 0)
		return 1.0;
	return want;
}

/* Rows this unit can give of the dataset: 0 without subjects; QYSB capped so keys stay unique. */
static long rows_possible(const struct gen *g, const struct unitctx *uc, const struct dataset *ds,
			  long want)
{
	bool nat = natural_share(g, ds, 0.5) > 0.0;
	long have = nat ? g->sp->natural : g->sp->legal;
	int home;

	if (both_kinds(ds))
		have = g->sp->natural + g->sp->legal;
	if (have <= 0)
		return 0;
	if (ds->row == row_qysb) {
		long cap = qysb_pool(g, uc, &home) * QYSB_MONTHS;

		return want < cap ? want : cap;
	}
	return want;
}

/* In xy_demo_write_files, a unit whose department deals with one kind of subject only (a tax
 * bureau fining enterprises, a police station detaining persons) keeps to that kind. */
static double fit_share(const struct gen *g, const struct unitctx *uc, double share)
{
	if (uc->any_nat && !uc->any_legal && g->sp->legal > 0)
		return 0.0;
	if (uc->any_legal && !uc->any_nat && g->sp->natural > 0)
		return 1.0;
	return share;
}

/* Header and n rows; fit: let the unit's department choose the kind of subject (fit_share). */
static int write_dataset(const struct gen *g, struct unitctx *uc, const struct dataset *ds, long n,
			 double share, bool fit, struct out *o)
{
	uint64_t tag = TAG_ROW ^ hash_str(ds->code) ^ mix64(uc->h + (uint64_t)uc->series);

	o->len = 0;
	o->nfield = 0;
	o->err = 0;
	unit_templates(uc, ds);
	if (fit && both_kinds(ds))
		share = fit_share(g, uc, share);
	header(o, ds);
	for (long row = 0; row < n && !o->err; row++) {
		struct rng r;
		bool natural;

		rng_seed(&r, g->sp->seed, tag, (uint64_t)row);
		natural = (double)(rng_next(&r) >> 11) * 0x1.0p-53 < share;
		ds->row(g, uc, o, row, &r, natural);
	}
	flush(o);
	return o->err;
}

/* ------------------------------------------------------------- validation */

static bool name_ok(const char *s)
{
	size_t n = s ? strnlen(s, XY_NAME_MAX) : 0;

	if (n == 0 || n >= XY_NAME_MAX)
		return false;
	for (size_t k = 0; k < n; k++)
		if ((unsigned char)s[k] < 0x20 || s[k] == 0x7f)
			return false;
	return true;
}

/* Region names go into subject names and addresses unquoted. */
static bool region_name_ok(const char *s)
{
	return name_ok(s) && !strpbrk(s, ",\"");
}

static int bad(const char *what)
{
	xy_log_error("invalid demo spec: %s", what);
	return XY_EINVAL;
}

static int check_unit(const struct xy_demo_unit *u)
{
	if (!u->code || xy_uscc_check(u->code, strlen(u->code)) != XY_CODE_OK)
		return bad("a unit code is not a valid 统一社会信用代码");
	if (!name_ok(u->name) || !all_digits(u->region, 6))
		return bad("a unit has no name or no 6-digit region");
	if (u->nprovides < 0 || u->nprovides > XY_CATALOG_DATASETS_MAX ||
	    (u->nprovides && !u->provides))
		return bad("a unit's dataset list");
	for (int k = 0; k < u->nprovides; k++)
		if (!u->provides[k])
			return bad("a unit's dataset list");
	return 0;
}

static int check_regions(const struct xy_demo_spec *sp)
{
	if (!all_digits(sp->city_code, 6) || !region_name_ok(sp->city_name))
		return bad("city code or name");
	if (sp->ncounties < 0 || sp->ncounties > XY_REGIONS_MAX || (sp->ncounties && !sp->counties))
		return bad("county list");
	for (int k = 0; k < sp->ncounties; k++) {
		if (!all_digits(sp->counties[k].code, 6) || !region_name_ok(sp->counties[k].name))
			return bad("a county code or name");
		/* Identity numbers are unique per county code: two counties may not share one. */
		for (int j = 0; j < k; j++)
			if (!strcmp(sp->counties[j].code, sp->counties[k].code))
				return bad("two counties share a code");
	}
	return 0;
}

static int check_spec(const struct xy_demo_spec *sp)
{
	int y, m, d, rc;

	if (!sp)
		return bad("no spec");
	if (sp->legal < 0 || sp->legal > XY_SUBJECTS_DEMO_MAX || sp->natural < 0 ||
	    sp->natural > XY_SUBJECTS_DEMO_MAX)
		return bad("subject counts");
	if (sp->records < 0 || sp->records > XY_DEMO_RECORDS_MAX)
		return bad("record count");
	y = sp->today / 10000;
	m = sp->today / 100 % 100;
	d = sp->today % 100;
	if (sp->today < XY_DEMO_TODAY_MIN || y > 2099 || xy_date_from_ymd(y, m, d) < 0)
		return bad("today");
	rc = check_regions(sp);
	if (rc)
		return rc;
	if (sp->nunits < 0 || sp->nunits > XY_UNITS_FILE_ROWS_MAX || (sp->nunits && !sp->units))
		return bad("unit list");
	for (int k = 0; k < sp->nunits; k++) {
		rc = check_unit(&sp->units[k]);
		if (rc)
			return rc;
	}
	return 0;
}

/* ------------------------------------------------------------------ files */

/* 1 when position k of the unit's list is the first mention of that dataset. */
static bool first_mention(const struct xy_demo_unit *u, int k)
{
	for (int j = 0; j < k; j++)
		if (!strcmp(u->provides[j], u->provides[k]))
			return false;
	return true;
}

struct share {
	long total[NELEM(datasets)];	/* records of each dataset */
	int providers[NELEM(datasets)]; /* units providing it */
	int seen[NELEM(datasets)];	/* providers already written */
};

/* XZCF 40% ... SXJL 3% of the records, in proportion over the datasets some unit provides. */
static void share_out(const struct xy_demo_spec *sp, struct share *sh)
{
	long permille = 0;

	memset(sh, 0, sizeof(*sh));
	for (int u = 0; u < sp->nunits; u++) {
		for (int k = 0; k < sp->units[u].nprovides; k++) {
			const struct dataset *ds = find_dataset(sp->units[u].provides[k]);

			if (ds && first_mention(&sp->units[u], k))
				sh->providers[ds - datasets]++;
		}
	}
	for (size_t k = 0; k < NELEM(datasets); k++)
		if (sh->providers[k])
			permille += datasets[k].permille;
	for (size_t k = 0; k < NELEM(datasets) && permille; k++)
		if (sh->providers[k])
			sh->total[k] =
				(long)((int64_t)sp->records * datasets[k].permille / permille);
}

/* Records for the next unit providing ds: an even split, the remainder to the first units. */
static long share_next(struct share *sh, const struct dataset *ds)
{
	size_t k = (size_t)(ds - datasets);
	int m = sh->seen[k]++;

	return sh->total[k] / sh->providers[k] + (m < sh->total[k] % sh->providers[k]);
}

static int write_file(const struct gen *g, const struct xy_demo_unit *u, const struct dataset *ds,
		      long want, const char *outdir, struct out *o, char *path, size_t pathcap,
		      long *rows)
{
	struct unitctx uc;
	int n, rc;

	n = snprintf(path, pathcap, "%s/%s-%s.csv", outdir, ds->code, u->code);
	if (n < 0 || (size_t)n >= pathcap)
		return XY_ELIMIT;
	unit_init(g, u, 0, &uc);
	*rows = rows_possible(g, &uc, ds, want);
	o->f = fopen(path, "we");
	if (!o->f) {
		xy_log_error("%s: %s", path, strerror(errno));
		return XY_EIO;
	}
	rc = write_dataset(g, &uc, ds, *rows, natural_share(g, ds, ds->natural_permille / 1000.0),
			   true, o);
	if (fclose(o->f) && !rc) {
		xy_log_error("%s: %s", path, strerror(errno));
		rc = XY_EIO;
	}
	o->f = NULL;
	return rc;
}

/* Writes every dataset file of one unit. */
static int write_unit(const struct gen *g, const struct xy_demo_unit *u, struct share *sh,
		      const char *outdir, struct out *o,
		      int (*each)(void *, const char *, const char *, const char *, long),
		      void *arg)
{
	char path[4096];

	for (int k = 0; k < u->nprovides; k++) {
		const struct dataset *ds = find_dataset(u->provides[k]);
		long rows;
		int rc;

		if (!ds) {
			xy_log_info("no demo generator for dataset %s: skipped", u->provides[k]);
			continue;
		}
		if (!first_mention(u, k))
			continue;
		rc = write_file(g, u, ds, share_next(sh, ds), outdir, o, path, sizeof(path), &rows);
		if (!rc && each)
			rc = each(arg, ds->code, u->code, path, rows);
		if (rc)
			return rc;
	}
	return 0;
}

int xy_demo_write_files(const struct xy_demo_spec *spec, const char *outdir,
			int (*each)(void *arg, const char *dataset, const char *unit_code,
				    const char *path, long rows),
			void *arg)
{
	struct gen g;
	struct share sh;
	struct out o = {0};
	int rc = check_spec(spec);

	if (rc)
		return rc;
	if (!outdir || !*outdir)
		return bad("no output folder");
	gen_init(&g, spec);
	share_out(spec, &sh);
	o.buf = malloc(OUT_CAP + ROW_MAX);
	if (!o.buf)
		return XY_ENOMEM;
	for (int u = 0; u < spec->nunits && !rc; u++)
		rc = write_unit(&g, &spec->units[u], &sh, outdir, &o, each, arg);
	free(o.buf);
	return rc;
}

int xy_demo_write_rows(const struct xy_demo_spec *spec, const char *dataset,
		       const struct xy_demo_unit *unit, long n, double natural_share_want, FILE *f)
{
	const struct dataset *ds = find_dataset(dataset);
	struct gen g;
	struct unitctx uc;
	struct out o = {0};
	int rc = check_spec(spec);

	if (rc)
		return rc;
	if (!ds || !unit || !f || n < 0 || n > XY_IMPORT_ROWS_MAX ||
	    !(natural_share_want >= 0.0 && natural_share_want <= 1.0))
		return bad("dataset, unit, row count or natural share");
	rc = check_unit(unit);
	if (rc)
		return rc;
	gen_init(&g, spec);
	unit_init(&g, unit, 1, &uc);
	if (rows_possible(&g, &uc, ds, n) < n) {
		if (!rows_possible(&g, &uc, ds, 1))
			return bad("no subjects of the kind the dataset needs");
		xy_log_error("QYSB: more than %d months for each enterprise", QYSB_MONTHS);
		return XY_ELIMIT;
	}
	o.f = f;
	o.buf = malloc(OUT_CAP + ROW_MAX);
	if (!o.buf)
		return XY_ENOMEM;
	rc = write_dataset(&g, &uc, ds, n, natural_share(&g, ds, natural_share_want), false, &o);
	free(o.buf);
	if (!rc && fflush(f))
		rc = XY_EIO;
	return rc;
}

/* ------------------------------------------------------------ subjects API */

/* The subject functions take any spec the write functions accept; they check just enough not
 * to crash on others, and give empty strings then. */
static bool spec_usable(const struct xy_demo_spec *sp, long i)
{
	if (!sp || i < 0 || i >= XY_SUBJECTS_DEMO_MAX || !all_digits(sp->city_code, 6) ||
	    !sp->city_name || sp->natural < 0)
		return false;
	if (sp->ncounties < 0 || (sp->ncounties && !sp->counties))
		return false;
	for (int k = 0; k < sp->ncounties; k++)
		if (!all_digits(sp->counties[k].code, 6) || !sp->counties[k].name)
			return false;
	return true;
}

static void copy_name(char *dst, size_t cap, const char *src)
{
	size_t len = 0;

	if (!cap)
		return;
	dst[0] = '\0';
	cat(dst, cap, &len, src);
}

void xy_demo_legal(const struct xy_demo_spec *spec, long i, char code[19], char *name,
		   size_t namecap)
{
	struct gen g;
	struct legal l;

	code[0] = '\0';
	copy_name(name, namecap, "");
	if (!spec_usable(spec, i))
		return;
	gen_init(&g, spec);
	make_legal(&g, i, &l);
	memcpy(code, l.code, sizeof(l.code));
	copy_name(name, namecap, l.name);
}

void xy_demo_person(const struct xy_demo_spec *spec, long i, char idnum[19], char *name,
		    size_t namecap)
{
	struct gen g;
	struct person p;

	idnum[0] = '\0';
	copy_name(name, namecap, "");
	if (!spec_usable(spec, i))
		return;
	gen_init(&g, spec);
	make_person(&g, i, &p);
	memcpy(idnum, p.id, sizeof(p.id));
	copy_name(name, namecap, p.name);
}
