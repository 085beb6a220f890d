package bot

import (
	"testing"

	"github.com/hospital/wxbot/knowledge"
)

// followUpData is a small hospital for the which-doctor, aspect, range and
// fragment-with-detail mechanisms.
func followUpData() *knowledge.Data {
	return &knowledge.Data{
		Hospital: "随访测试医院",
		Prices: []knowledge.PriceItem{
			{Code: "1", Name: "腹部彩超(肝胆胰脾)", Category: "检查", Unit: "次", Cents: 12000, Insurance: "甲", Note: "需空腹8小时"},
			{Code: "2", Name: "甲状腺彩超", Category: "检查", Unit: "次", Cents: 9000, Insurance: "甲", Note: "不用空腹"},
			{Code: "3", Name: "心脏彩超", Category: "检查", Unit: "次", Cents: 20000, Insurance: "乙"},
			{Code: "4", Name: "幽门螺杆菌呼气试验", Category: "检验", Unit: "次", Cents: 15000, Insurance: "乙", Note: "需空腹，约30分钟出结果"},
			{Code: "5", Name: "乙肝疫苗(重组)", Category: "药品", Unit: "剂", Cents: 6000, Insurance: "自费", Note: "共3剂，按0、1、6个月接种"},
			{Code: "6", Name: "糖耐量试验(OGTT)", Category: "检验", Unit: "次", Cents: 5000, Insurance: "甲", Note: "孕24-28周做"},
			{Code: "7", Name: "针灸治疗(普通)", Category: "治疗", Unit: "次", Cents: 3500, Insurance: "乙"},
			{Code: "8", Name: "从业人员体检(健康证)", Category: "检查", Unit: "人次", Cents: 6000, Insurance: "自费", Note: "约5个工作日出证"},
			{Code: "9", Name: "镇痛分娩", Category: "手术", Unit: "次", Cents: 150000, Insurance: "乙", Note: "孕36周后到麻醉科门诊评估"},
			{Code: "10", Name: "盆底功能评估", Category: "检查", Unit: "次", Cents: 15000, Insurance: "乙", Note: "产后42天后做"},
		},
		Departments: []knowledge.Department{
			{Name: "眼科", Location: "门诊楼5楼", Intro: "诊治白内障、青光眼、眼底病。"},
			{Name: "神经内科", Location: "门诊楼3楼", Intro: "诊治中风（脑梗死、脑出血）、头痛、眩晕。"},
			{Name: "心血管内科", Location: "门诊楼2楼", Intro: "诊治高血压、冠心病。"},
			{Name: "针灸科", Location: "门诊楼6楼", Intro: "针刺、艾灸、拔罐。"},
			{Name: "急诊科", Aliases: []string{"急诊"}, Location: "急诊楼1楼", Intro: "24小时开诊。"},
			{Name: "产后康复科", Aliases: []string{"产康"}, Location: "住院楼2楼", Intro: "产后复查、盆底康复。"},
		},
		Schedules: []knowledge.ClinicSession{
			{Department: "眼科", Doctor: "周文华", Title: "主任医师", Weekday: 2, Period: "上午", Location: "501诊室", Note: "青光眼专病门诊"},
			{Department: "眼科", Doctor: "吴凡", Title: "主治医师", Weekday: 3, Period: "上午", Location: "502诊室"},
			{Department: "心血管内科", Doctor: "陈晓明", Title: "副主任医师", Weekday: 1, Period: "上午", Location: "201诊室"},
			{Department: "神经内科", Doctor: "陈志远", Title: "主任医师", Weekday: 4, Period: "下午", Location: "301诊室"},
			{Department: "针灸科", Doctor: "郑秋", Title: "主治医师", Weekday: 5, Period: "上午", Location: "601诊室", Note: "针灸门诊"},
			{Department: "针灸科", Doctor: "钱多", Title: "医师", Weekday: 5, Period: "下午", Location: "602诊室", Note: "拔罐"},
		},
		Processes: []knowledge.Process{
			{ID: "p1", Title: "孕期检查安排", Keywords: []string{"产检", "产检时间"}, Steps: []string{
				"孕11-13周：NT检查。", "孕24-28周：糖耐量试验。", "孕34周起：每周胎心监护。"}},
			{ID: "p2", Title: "健康证办理", Keywords: []string{"健康证", "办健康证"}, Steps: []string{
				"到体检中心登记。", "带本人身份证原件，前台缴费。", "约5个工作日出证。"}},
			{ID: "p3", Title: "门诊就诊", Keywords: []string{"看病", "就诊"}, Steps: []string{
				"挂号：公众号或自助机挂号。", "检查：彩超在门诊楼4楼超声科，CT在医技楼1楼放射科。"}},
		},
		FAQ: []knowledge.FAQEntry{
			{Questions: []string{"胃镜怎么预约"}, Answer: "在门诊楼4楼内镜中心预约台预约。检查后约30分钟出报告。"},
			{Questions: []string{"晚上在哪取药"}, Answer: "门诊药房晚上不开，夜间请到急诊楼1楼急诊药房取药。"},
		},
	}
}

func newFollowUpHarness(t *testing.T) *harness {
	d := followUpData()
	return newHarness(t, func(o *Options) { o.Knowledge = func() *knowledge.Data { return d } })
}

// TestDoctorByWhatTheClinicIsFor: a doctor chosen by the note of the
// sessions (青光眼专病门诊), by the department's introduction while doctors
// of one surname are told apart, and the price of what the clinic is for
// asked next.
func TestDoctorByWhatTheClinicIsFor(t *testing.T) {
	h := newFollowUpHarness(t)
	r := h.say("u1", "哪个医生看青光眼")
	mustContain(t, r.Text, "周文华", "周二")
	mustNotContain(t, r.Text, "吴凡")

	h.say("u2", "陈医生哪天在")
	r = h.say("u2", "看脑梗的那个")
	mustContain(t, r.Text, "陈志远", "周四")
	mustNotContain(t, r.Text, "陈晓明")

	r = h.say("u3", "想扎针灸 哪个大夫做")
	mustContain(t, r.Text, "郑秋")
	mustNotContain(t, r.Text, "钱多")
	mustContain(t, h.say("u3", "一次多少钱").Text, "针灸治疗(普通)", "35.00")

	// A department and a period named: its doctors then, by the schedule.
	r = h.say("u4", "周五下午针灸科是哪个医生")
	mustContain(t, r.Text, "钱多")
	mustNotContain(t, r.Text, "郑秋")
}

// TestAspectFollowUps: where / how long / how many after a price, an FAQ
// answer, answered from that answer's own text.
func TestAspectFollowUps(t *testing.T) {
	h := newFollowUpHarness(t)
	h.say("u1", "呼气试验多少钱")
	mustContain(t, h.say("u1", "多久出结果").Text, "30分钟")

	h.say("u2", "乙肝疫苗多少钱")
	mustContain(t, h.say("u2", "要打几针").Text, "3剂")

	h.say("u3", "镇痛分娩多少钱")
	r := h.say("u3", "在哪里评估")
	mustContain(t, r.Text, "麻醉科")
	mustNotContain(t, r.Text, "盆底")

	h.say("u4", "胃镜怎么预约")
	mustContain(t, h.say("u4", "多久出报告").Text, "30分钟")
	// The hospital itself is another subject.
	mustNotContain(t, h.say("u4", "医院在哪 坐几路车").Text, "30分钟")

	h.say("u5", "健康证多少钱")
	mustContain(t, h.say("u5", "要带什么去").Text, "身份证")
}

// TestWeekInsideARange: a week of pregnancy inside a step's or a note's
// range (孕24-28周).
func TestWeekInsideARange(t *testing.T) {
	h := newFollowUpHarness(t)
	r := h.say("u1", "孕26周要做什么检查")
	mustContain(t, r.Text, "糖耐量")
	mustNotContain(t, r.Text, "NT")
	mustContain(t, h.say("u2", "怀孕35周了要做啥").Text, "胎心监护")

	h.say("u3", "糖耐量试验多少钱")
	mustContain(t, h.say("u3", "30周了还能做吗").Text, "不在", "孕24-28周")
	h.say("u4", "糖耐量试验多少钱")
	mustContain(t, h.say("u4", "25周能做吗").Text, "在说明的时间范围内")
}

// TestFragmentWithDetailAndPriceWithDetail: a fragment with a detail question
// narrows the last list; a price with a detail question lists the notes on
// it; a bare price after a note answer prices that item.
func TestFragmentWithDetailAndPriceWithDetail(t *testing.T) {
	h := newFollowUpHarness(t)
	h.say("u1", "彩超多少钱")
	r := h.say("u1", "肝胆的 要空腹不")
	mustContain(t, r.Text, "肝胆胰脾", "120.00", "8小时")

	r = h.say("u2", "彩超多少钱 要空腹吗")
	mustContain(t, r.Text, "甲状腺彩超", "需空腹8小时", "不用空腹")

	h.say("u3", "呼气试验要空腹吗")
	mustContain(t, h.say("u3", "多少钱").Text, "150.00")
}

// TestDayWithATopicOfItsOwn: a period after a department answer that names
// a topic an FAQ answers (晚上在哪取药) is that topic, not the department's
// sessions.
func TestDayWithATopicOfItsOwn(t *testing.T) {
	h := newFollowUpHarness(t)
	h.say("u1", "急诊在哪")
	mustContain(t, h.say("u1", "晚上在哪取药").Text, "急诊药房")
}

// TestWhereAServiceIsDone: where a priced service is done is answered by the
// step that says where, and a department named with where is about the
// department, not a listed item's note that shares a word.
func TestWhereAServiceIsDone(t *testing.T) {
	h := newFollowUpHarness(t)
	r := h.say("u1", "彩超在哪栋楼做")
	mustContain(t, r.Text, "门诊楼4楼")
	mustNotContain(t, r.Text, "元/次")

	h.say("u2", "盆底功能评估多少钱")
	r = h.say("u2", "产后康复科在哪里")
	mustContain(t, r.Text, "住院楼2楼")
	mustNotContain(t, r.Text, "42天")
}
