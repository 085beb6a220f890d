package bot

import (
	"testing"

	"github.com/hospital/wxbot/knowledge"
)

// phrasingData is testData with operations, an endoscopy family, liver
// tests, a massage family, a breast department and an FAQ entry without any
// fee, for the mechanisms below.
func phrasingData() *knowledge.Data {
	d := testData()
	d.Prices = append(d.Prices,
		knowledge.PriceItem{Code: "40", Name: "无痛胃镜检查(含静脉麻醉)", Category: "检查", Unit: "次", Cents: 62000, Insurance: "乙"},
		knowledge.PriceItem{Code: "41", Name: "混合痔外剥内扎术", Category: "手术", Unit: "次", Cents: 120000, Insurance: "乙"},
		knowledge.PriceItem{Code: "42", Name: "白内障超声乳化摘除+人工晶体植入术", Category: "手术", Unit: "单眼", Cents: 220000, Insurance: "乙"},
		knowledge.PriceItem{Code: "43", Name: "肝功能(常规8项)", Category: "检验", Unit: "次", Cents: 5800, Insurance: "甲", Note: "需空腹8小时"},
		knowledge.PriceItem{Code: "44", Name: "葡萄糖测定(空腹血糖)", Category: "检验", Unit: "次", Cents: 500, Insurance: "甲", Note: "需空腹8小时"},
		knowledge.PriceItem{Code: "45", Name: "颈椎病推拿治疗", Category: "治疗", Unit: "次", Cents: 5000, Insurance: "甲"},
		knowledge.PriceItem{Code: "46", Name: "小儿推拿治疗", Category: "治疗", Unit: "次", Cents: 4000, Insurance: "乙"},
		knowledge.PriceItem{Code: "47", Name: "三伏贴(成人一疗程)", Category: "治疗", Unit: "疗程", Cents: 18000, Insurance: "自费"},
	)
	d.Departments = append(d.Departments,
		knowledge.Department{Name: "乳腺外科", Aliases: []string{"乳腺科"}, Location: "门诊楼3楼A区", Phone: "0736-1010", Intro: "乳腺肿块、乳腺结节"},
		knowledge.Department{Name: "发热门诊", Location: "急诊楼东侧", Phone: "0736-1011", Intro: "发热、发烧患者"},
	)
	d.Departments[0].Intro = "儿童发热、咳嗽、腹泻"
	d.FAQ = append(d.FAQ,
		knowledge.FAQEntry{Questions: []string{"针灸要预约吗", "针灸多久扎一次"}, Answer: "针灸推拿科在门诊楼2楼，需先挂号由医生辨证后安排治疗；一般10次为一个疗程，每天或隔天一次。"},
		knowledge.FAQEntry{Questions: []string{"三伏贴什么时候贴"}, Answer: "三伏贴在每年初伏、中伏、末伏第一天开始贴敷。"},
	)
	d.Synonyms = append(d.Synonyms, []string{"痔疮", "混合痔", "内痔"}, []string{"推拿", "按摩"})
	return d
}

func newPhrasingHarness(t *testing.T) *harness {
	d := phrasingData()
	return newHarness(t, func(o *Options) { o.Knowledge = func() *knowledge.Data { return d } })
}

// An unknown head after a known modifier (无痛分娩: 分娩 is no item) is
// not answered with the items the modifier names (无痛胃镜).
func TestUnknownHeadIsNotAnsweredByItsModifier(t *testing.T) {
	h := newPhrasingHarness(t)
	r := h.say("u1", "无痛分娩多少钱").Text
	mustContain(t, r, "没有找到")
	mustNotContain(t, r, "620.00元")
	mustContain(t, h.say("u2", "无痛胃镜多少钱").Text, "620.00元")
}

// 手术 after what is operated on finds the catalogue's name ending in 术.
func TestSurgeryWordFindsOperations(t *testing.T) {
	h := newPhrasingHarness(t)
	mustContain(t, h.say("u1", "痔疮手术多少钱").Text, "混合痔外剥内扎术", "1200.00元")
	mustContain(t, h.say("u2", "老人白内障 手术多少钱").Text, "白内障超声乳化摘除", "2200.00元")
	mustContain(t, h.say("u3", "人工流产手术费多少").Text, "人工流产术", "300.00元")
	if q, before, ok := surgeryQuery("痔疮手术"); !ok || q != "痔疮术" || before != "痔疮" {
		t.Errorf("surgeryQuery = %q %q %v", q, before, ok)
	}
	if _, _, ok := surgeryQuery("手术室在哪"); ok {
		t.Error("a message starting with 手术 names no operation")
	}
}

// A detail question in a price question (要不要空腹) keeps the item's own
// words: 要不要 is dropped whole and 能 of 肝功能 stays.
func TestDetailQuestionKeepsTheItemsWords(t *testing.T) {
	h := newPhrasingHarness(t)
	r := h.say("u1", "明天早上去抽血化验肝功能 要不要空腹 多少钱嘛").Text
	mustContain(t, r, "肝功能", "58.00元")
	mustNotContain(t, r, "空腹血糖")
}

// A one-character body part narrows the last list (腰的 after CT).
func TestBodyPartCharacterNarrowsTheList(t *testing.T) {
	h := newPhrasingHarness(t)
	h.say("u1", "CT多少钱")
	r := h.say("u1", "腰的").Text
	mustContain(t, r, "腰椎CT平扫", "170.00元")
	mustNotContain(t, r, "颈椎")
	h.say("u2", "CT多少钱")
	r = h.say("u2", "头的").Text
	mustContain(t, r, "头颅CT平扫")
	mustNotContain(t, r, "胸部", "腰椎")
}

// A price question is not answered by an FAQ entry that names no fee.
func TestFeelessFAQDoesNotAnswerAPrice(t *testing.T) {
	h := newPhrasingHarness(t)
	r := h.say("u1", "推拿按摩一次多少钱").Text
	mustContain(t, r, "推拿治疗")
	mustNotContain(t, r, "疗程")
}

// When something is done, asked with its price, in an FAQ question: the
// answer and the price.
func TestWhenAndPriceInOneMessage(t *testing.T) {
	h := newPhrasingHarness(t)
	r := h.say("u1", "三伏贴啥时候贴 多少钱").Text
	mustContain(t, r, "初伏", "180.00元")
}

// Complaints that go to a specialty before the general fever (奶堵 with a
// fever is the breast clinic's), and leg pain to orthopaedics.
func TestSpecificComplaintsPickTheirDepartment(t *testing.T) {
	h := newPhrasingHarness(t)
	r := h.say("u1", "月子里奶堵了好痛还有点发烧 看哪个科").Text
	mustContain(t, r, "乳腺外科")
	mustNotContain(t, r, "儿科")
	mustContain(t, h.say("u2", "腿疼挂哪个科").Text, "骨科")
}

// A day for a child, nothing else named: the paediatric sessions.
func TestChildOnADayAsksThePaediatricSessions(t *testing.T) {
	h := newPhrasingHarness(t)
	r := h.say("u1", "礼拜六娃看病有大夫没").Text
	mustContain(t, r, "刘晓红", "陈思远")
	mustNotContain(t, r, "王建国")
	if childOnly("周六孩子能打疫苗吗") {
		t.Error("a vaccine is something else than the child")
	}
}

// 什么 at the end of a piece is a word, not 什 and the particle 么.
func TestTrimFillersKeepsShenme(t *testing.T) {
	if got := trimFillers("孕24周要什么"); got != "孕24周要什么" {
		t.Errorf("trimFillers = %q", got)
	}
	if got := trimFillers("要空腹么"); got != "要空腹" {
		t.Errorf("trimFillers = %q", got)
	}
}

// Another thing of the same kind (大便的呢 after 尿常规) and a finger-prick
// test named the way patients say it (扎手指那个).
func TestSameKindAndFingerPrickFragments(t *testing.T) {
	d := phrasingData()
	d.Prices = append(d.Prices,
		knowledge.PriceItem{Code: "50", Name: "大便常规", Category: "检验", Unit: "次", Cents: 1000, Insurance: "甲"},
		knowledge.PriceItem{Code: "51", Name: "血常规+C反应蛋白(指尖血)", Category: "检验", Unit: "次", Cents: 4500, Insurance: "甲"},
	)
	h := newHarness(t, func(o *Options) { o.Knowledge = func() *knowledge.Data { return d } })
	h.say("u1", "尿常规多少钱")
	mustContain(t, h.say("u1", "大便的呢").Text, "大便常规", "10.00元")
	h.say("u2", "血常规多少钱")
	r := h.say("u2", "扎手指那个").Text
	mustContain(t, r, "指尖血", "45.00元")
}

// 想办个 / 咋弄 ask how a process is done, even with a complaint around.
func TestHowIsItDoneColloquially(t *testing.T) {
	d := phrasingData()
	d.Processes = append(d.Processes, knowledge.Process{ID: "09", Title: "门诊慢特病（慢病卡）办理",
		Keywords: []string{"慢病卡", "慢病", "慢特病"}, Steps: []string{"带病历和诊断证明到医保窗口申请。", "审核通过后门诊直接结算。"}})
	h := newHarness(t, func(o *Options) { o.Knowledge = func() *knowledge.Data { return d } })
	r := h.say("u1", "我妈糖尿病好几年了 想办个慢病卡 咋弄").Text
	mustContain(t, r, "诊断证明")
}
