package bot

import (
	"testing"

	"github.com/hospital/wxbot/knowledge"
)

// round6Data is round4Data (with an emergency department and a 推拿 clinic
// for 颈肩腰腿) plus a rehabilitation department whose introduction names
// back pain, registration fees by title and an insurance process comparing
// two schemes.
func round6Data() *knowledge.Data {
	d := round4Data()
	d.Departments = append(d.Departments,
		knowledge.Department{Name: "康复医学科", Aliases: []string{"理疗科"}, Location: "住院楼1楼", Phone: "0736-1801", Intro: "颈腰痛理疗、术后康复训练。"},
	)
	d.Prices = append(d.Prices,
		knowledge.PriceItem{Code: "60", Name: "主任医师挂号费", Category: "挂号", Unit: "次", Cents: 700, Insurance: "甲"},
		knowledge.PriceItem{Code: "61", Name: "副主任医师挂号费", Category: "挂号", Unit: "次", Cents: 400, Insurance: "甲"},
	)
	d.Synonyms = append(d.Synonyms, []string{"主任医师挂号费", "专家号"})
	d.Processes = append(d.Processes, knowledge.Process{ID: "yb", Title: "医保报销", Keywords: []string{"医保", "报销"},
		Steps: []string{"持医保卡到收费处结算。", "城镇职工医保与城乡居民医保的区别：起付线和报销比例不同。"}})
	return d
}

// TestBackPainWithANumbLegGoesToOrthopaedics: a spinal nerve complaint
// (腰疼腿发麻) goes to 骨科 even though another department's introduction
// names back pain; back pain alone may still go there.
func TestBackPainWithANumbLegGoesToOrthopaedics(t *testing.T) {
	h := round4Harness(t, round6Data())
	r := h.say("u1", "腰疼腿发麻看哪个科").Text
	mustContain(t, r, "骨科")
	mustNotContain(t, r, "康复医学科")
}

// TestAComplaintInTheSmallHoursGoesToTheEmergencyDepartment: 半夜 with a
// child's complaint answers the emergency department first, naming the
// daytime department.
func TestAComplaintInTheSmallHoursGoesToTheEmergencyDepartment(t *testing.T) {
	h := round4Harness(t, round6Data())
	r := h.say("u1", "半夜孩子肚子疼得哭 去哪里看").Text
	mustContain(t, r, "夜间请到急诊就诊", "急诊楼1楼", "白天门诊可看消化内科")
	// In the daytime the same complaint goes to the department itself.
	mustNotContain(t, h.say("u2", "孩子肚子疼去哪里看").Text, "急诊")
}

// TestBeijingTianjinQuestionWords: 多儿钱 = 多少钱, 挂嘛科 = 挂什么科,
// 咱这儿 = 你们这里, 费好多 = 费多少, and 有什么 carries no topic.
func TestBeijingTianjinQuestionWords(t *testing.T) {
	h := round4Harness(t, round6Data())
	mustContain(t, h.say("u1", "血常规多儿钱").Text, "血常规", "22.00")
	mustContain(t, h.say("u2", "孩子拉肚子挂嘛科").Text, "儿科")
	r := h.say("u3", "专家号挂号费好多").Text
	mustContain(t, r, "主任医师挂号费")
	mustNotContain(t, r, "没有找到")
	r = h.say("u4", "职工医保跟居民医保报销有嘛不一样").Text
	mustContain(t, r, "起付线")
}

// A detail asked with a price (要空腹吗) names no item: the item is what the
// rest of the message names, never one whose name holds the detail's words.
func TestDetailWordsDoNotChooseTheItem(t *testing.T) {
	d := phrasingData()
	d.Prices = append(d.Prices,
		knowledge.PriceItem{Code: "60", Name: "糖化血红蛋白", Category: "检验", Unit: "次", Cents: 7200, Insurance: "甲", Note: "无需空腹"},
		knowledge.PriceItem{Code: "61", Name: "空腹血糖", Category: "检验", Unit: "次", Cents: 600, Insurance: "甲", Note: "需空腹8小时"})
	h := newHarness(t, func(o *Options) { o.Knowledge = func() *knowledge.Data { return d } })
	r := h.say("u1", "糖化多少钱 要空腹吗").Text
	mustContain(t, r, "糖化血红蛋白", "72.00元")
	mustNotContain(t, r, "空腹血糖")
	mustContain(t, h.say("u2", "空腹血糖多少钱 要空腹吗").Text, "空腹血糖", "6.00元")
}
