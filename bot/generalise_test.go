package bot

import (
	"testing"

	"github.com/hospital/wxbot/knowledge"
)

// moreData is testData with a few more items, departments, sessions and a
// process, for the mechanisms below.
func moreData() *knowledge.Data {
	d := testData()
	d.Prices = append(d.Prices,
		knowledge.PriceItem{Code: "30", Name: "甲状腺功能(3项)", Category: "检验", Unit: "次", Cents: 9000, Insurance: "乙"},
		knowledge.PriceItem{Code: "31", Name: "甲状腺功能(5项)", Category: "检验", Unit: "次", Cents: 15000, Insurance: "乙"},
		knowledge.PriceItem{Code: "32", Name: "盐酸二甲双胍片 0.5g*48片", Category: "药品", Unit: "盒", Cents: 620, Insurance: "甲"},
		knowledge.PriceItem{Code: "33", Name: "盐酸二甲双胍缓释片 0.5g*30片", Category: "药品", Unit: "盒", Cents: 870, Insurance: "甲"},
		knowledge.PriceItem{Code: "34", Name: "人用狂犬病疫苗(Vero细胞)", Category: "药品", Unit: "支", Cents: 6200, Insurance: "自费"},
		knowledge.PriceItem{Code: "35", Name: "病历复印费", Category: "材料", Unit: "页", Cents: 50, Insurance: "自费"},
		knowledge.PriceItem{Code: "36", Name: "HPV分型检测(23型)", Category: "检验", Unit: "次", Cents: 28000, Insurance: "自费"},
	)
	d.Departments = append(d.Departments,
		knowledge.Department{Name: "口腔科", Location: "门诊楼5楼", Phone: "0736-1005", Intro: "补牙、拔牙、洗牙"},
		knowledge.Department{Name: "康复医学科", Location: "康复楼2楼", Phone: "0736-1006", Intro: "中风后康复训练、牵引"},
		knowledge.Department{Name: "老年病科", Aliases: []string{"老年科"}, Location: "门诊楼2楼C区", Phone: "0736-1007", Intro: "多病共管"},
	)
	d.Schedules = append(d.Schedules,
		knowledge.ClinicSession{Department: "儿科", Doctor: "赵川", Title: "主治医师", Weekday: 1, Period: "夜间", Location: "门诊楼1楼B区 103诊室"},
		knowledge.ClinicSession{Department: "老年病科", Doctor: "王桂兰", Title: "主任医师", Weekday: 2, Period: "上午", Location: "门诊楼2楼C区 221诊室"},
	)
	d.Processes = append(d.Processes,
		knowledge.Process{ID: "04", Title: "门诊看病流程", Keywords: []string{"门诊", "看病"}, Steps: []string{
			"挂号：公众号或自助机挂号。", "缴费：诊间扫码或门诊楼1楼收费处缴费。", "取药：西药房在门诊楼1楼东侧，中药房在2楼，夜间到急诊楼1楼取药。"}},
		knowledge.Process{ID: "05", Title: "病历复印", Keywords: []string{"复印病历", "病历复印"}, Steps: []string{"出院7个工作日后到病案室复印。"}},
	)
	d.Processes[1].Keywords = append(d.Processes[1].Keywords, "结账")
	d.Processes[1].Steps = append(d.Processes[1].Steps, "结算窗口周一至周五8:00-17:30；周六周日9:00-12:00也可办理。")
	return d
}

func newMoreHarness(t *testing.T) *harness {
	d := moreData()
	return newHarness(t, func(o *Options) { o.Knowledge = func() *knowledge.Data { return d } })
}

// Reported speech (医生喊) is chatter, and a measure word before a Latin
// name (照个CT) is folded like before a Chinese one.
func TestReportedSpeechAroundAPriceQuestion(t *testing.T) {
	if got := collapseMeasure("做个ct"); got != "做ct" {
		t.Errorf("collapseMeasure(做个ct) = %q", got)
	}
	h := newMoreHarness(t)
	r := h.say("u1", "我头痛 医生喊照个头颅CT平扫 多少钱").Text
	mustContain(t, r, "头颅CT平扫", "160.00元")
	mustNotContain(t, r, "停车")
}

// A bare price question never answers an FAQ entry on its own; after an
// FAQ answer or a process it asks the price of that topic.
func TestBarePriceQuestionAsksAboutTheTopic(t *testing.T) {
	h := newMoreHarness(t)
	mustNotContain(t, h.say("u1", "多少钱").Text, "30分钟内免费")
	h.say("u2", "病历复印怎么办理")
	mustContain(t, h.say("u2", "几钱一页").Text, "病历复印费", "0.50元")
	h.say("u3", "停车怎么收费")
	mustContain(t, h.say("u3", "多少钱一次").Text, "停车场30分钟内免费")
}

// A how question naming a day and a process is the process; a weekday
// follow-up inside a process is the step that names the day.
func TestHowOnADayAndWeekdayStep(t *testing.T) {
	h := newMoreHarness(t)
	r := h.say("u1", "我妈明天出院 要怎么结账").Text
	mustContain(t, r, "出院结算流程")
	mustNotContain(t, r, "有门诊的科室")
	mustContain(t, h.say("u1", "星期天能办吗").Text, "周六周日9:00-12:00")
}

// Regional words for a complaint, a complaint the hospital's words do not
// place (腰痛 -> 骨科), and a department dedicated to someone.
func TestSymptomToTheUsualDepartment(t *testing.T) {
	h := newMoreHarness(t)
	mustContain(t, h.say("u1", "腰杆痛 挂啥子科嘛").Text, "骨科")
	mustContain(t, h.say("u2", "牙痛睇边科").Text, "口腔科")
	mustContain(t, h.say("u3", "我爸血压高又有糖尿病 有没有专门看老年人的科室").Text, "老年病科")
	// 王医生 right after 老年病科 is that department's 王桂兰, not the
	// orthopaedist or gastroenterologist 王.
	mustContain(t, h.say("u3", "王医生哪天在").Text, "王桂兰")
}

// A weekday follow-up whose carried period has no session that day shows
// the day's other sessions.
func TestCarriedPeriodFallsBackToTheDay(t *testing.T) {
	h := newMoreHarness(t)
	mustContain(t, h.say("u1", "儿科晚上有没有医生").Text, "赵川")
	r := h.say("u1", "星期六呢").Text
	mustContain(t, r, "刘晓红", "陈思远", "无门诊")
	mustNotContain(t, r, "赵川")
}

// A counted fragment (五项的) picks the listed item by the count in digits;
// 普通的呢 after a modified drug is its plain sibling.
func TestCountedAndPlainFragments(t *testing.T) {
	h := newMoreHarness(t)
	mustContain(t, h.say("u1", "甲功多少钱").Text, "甲状腺功能(3项)", "甲状腺功能(5项)")
	mustContain(t, h.say("u1", "五项的").Text, "甲状腺功能(5项)", "150.00元")
	mustContain(t, h.say("u2", "二甲双胍缓释片多少钱").Text, "8.70元")
	mustContain(t, h.say("u2", "普通的呢").Text, "盐酸二甲双胍片", "6.20元")
}

// 九价 is a valency, not a price cue, and a Latin name the best item lacks
// (hpv, which the data knows from another item, against 狂犬病疫苗) is no
// confident match.
func TestValencyAndUnmatchedLatinName(t *testing.T) {
	h := newMoreHarness(t)
	if got := itemQuery("九价hpv疫苗多少钱"); got != "九价hpv疫苗" {
		t.Errorf("itemQuery = %q", got)
	}
	r := h.say("u1", "九价HPV疫苗几多钱").Text
	mustContain(t, r, "没有找到")
	mustNotContain(t, r, "62.00元")
}

// Inside a process, where to pay is the step that says 缴费 (交钱's
// equivalent), not another process whose keyword is a synonym (结账).
func TestWhereInAProcessByEquivalentWords(t *testing.T) {
	h := newMoreHarness(t)
	mustContain(t, h.say("u1", "门诊看病流程").Text, "门诊看病流程")
	r := h.say("u1", "在哪里交钱").Text
	mustContain(t, r, "缴费")
	mustNotContain(t, r, "出院")
	mustContain(t, h.say("u1", "取药呢").Text, "西药房")
}

// Statements around a question in one message are context.
func TestStatementsAreNotQuestions(t *testing.T) {
	h := newMoreHarness(t)
	x := h.b.index()
	for _, c := range []struct {
		text string
		asks bool
	}{{"眼睛看不清楚了", false}, {"医生你好", false}, {"血常规多少钱", true}, {"医保报得到吗", true}, {"在哪里", true}} {
		if got := asksSomething(h.b.understand(x, c.text, wednesday)); got != c.asks {
			t.Errorf("asksSomething(%q) = %v, want %v", c.text, got, c.asks)
		}
	}
}
