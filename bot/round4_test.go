package bot

import (
	"strings"
	"testing"

	"github.com/hospital/wxbot/knowledge"
	"github.com/hospital/wxbot/search"
)

// round4Data is testData with an emergency department, a few dental
// departments, items sold per gram and per session, and a massage
// department whose alias names a priced item.
func round4Data() *knowledge.Data {
	d := testData()
	d.Departments = append(d.Departments,
		knowledge.Department{Name: "急诊医学科", Aliases: []string{"急诊"}, Location: "急诊楼1楼", Phone: "0736-1120", Intro: "24小时开诊；胸痛、卒中走绿色通道。"},
		knowledge.Department{Name: "口腔颌面外科", Aliases: []string{"拔牙门诊"}, Location: "门诊楼6楼", Phone: "0736-1601", Intro: "拔牙、智齿、颌面部外伤。"},
		knowledge.Department{Name: "牙周科", Location: "门诊楼3楼", Phone: "0736-1302", Intro: "牙龈出血、牙龈红肿、牙周炎、洗牙。"},
		knowledge.Department{Name: "颞下颌关节科", Location: "门诊楼5楼", Phone: "0736-1502", Intro: "张嘴时关节弹响、张口受限、夜磨牙。"},
		knowledge.Department{Name: "推拿科", Aliases: []string{"小儿推拿"}, Location: "康复楼2楼", Phone: "0736-1403", Intro: "颈肩腰腿推拿。"},
	)
	d.Prices = append(d.Prices,
		knowledge.PriceItem{Code: "40", Name: "黄芪", Category: "药品", Unit: "克", Cents: 12, Insurance: "乙"},
		knowledge.PriceItem{Code: "41", Name: "普通针刺", Category: "治疗", Unit: "次", Cents: 3000, Insurance: "甲"},
		knowledge.PriceItem{Code: "42", Name: "外伤牙再植术", Category: "手术", Unit: "牙", Cents: 40000, Insurance: "甲"},
		knowledge.PriceItem{Code: "43", Name: "小儿推拿治疗", Category: "治疗", Unit: "次", Cents: 3500, Insurance: "甲"},
		knowledge.PriceItem{Code: "44", Name: "狂犬病疫苗", Category: "药品", Unit: "支", Cents: 6200, Insurance: "自费"},
		knowledge.PriceItem{Code: "45", Name: "HPV分型检测", Category: "检验", Unit: "次", Cents: 28000, Insurance: "自费"},
		knowledge.PriceItem{Code: "46", Name: "肝功能(八项)", Category: "检验", Unit: "次", Cents: 4800, Insurance: "甲"},
		knowledge.PriceItem{Code: "47", Name: "肾功能(三项)", Category: "检验", Unit: "次", Cents: 3000, Insurance: "甲"},
	)
	d.Synonyms = append(d.Synonyms, []string{"普通针刺", "针灸", "扎针"}, []string{"肝功能", "肝功"}, []string{"肾功能", "肾功"})
	return d
}

func round4Harness(t *testing.T, d *knowledge.Data) *harness {
	return newHarness(t, func(o *Options) { o.Knowledge = func() *knowledge.Data { return d } })
}

func TestUrgentSignsGetTheEmergencyLineFirst(t *testing.T) {
	h := round4Harness(t, round4Data())
	r := h.say("u1", "我爸突然说话不利索 嘴也歪了 咋办啊")
	mustContain(t, r.Text, "120", "急诊医学科", "急诊楼1楼", "0736-1120", "绿色通道")
	if !strings.HasPrefix(r.Text, "情况紧急") {
		t.Errorf("the emergency line should come first:\n%s", r.Text)
	}
	// Whatever else is answered comes after it.
	r = h.say("u2", "胸口痛喘不上气 挂什么科")
	mustContain(t, r.Text, "120", "急诊医学科")
	// A knocked-out tooth: first aid with it.
	mustContain(t, h.say("u3", "儿子摔了一跤门牙磕掉了 现在怎么办").Text, "120", "牛奶", "1小时")
	// No urgent sign, no emergency line.
	mustNotContain(t, h.say("u4", "血常规多少钱").Text, "120", "情况紧急")
	// Without an emergency department the patient is still told to call 120.
	mustContain(t, newHarness(t).say("u5", "我妈昏迷了叫不醒").Text, "120")
}

func TestLateNightQuestionsGoToTheEmergencyDepartment(t *testing.T) {
	h := round4Harness(t, round4Data())
	r := h.say("u1", "牙疼得睡不着觉 现在半夜了 能看吗")
	mustContain(t, r.Text, "急诊医学科", "急诊楼1楼")
	mustNotContain(t, r.Text, "没有找到")
}

func TestPriceWithTheUnitAfterTheCue(t *testing.T) {
	h := round4Harness(t, round4Data())
	mustContain(t, h.say("u1", "黄芪多少钱一克").Text, "黄芪", "0.12元")
	mustContain(t, h.say("u2", "扎针灸一回多钱").Text, "普通针刺", "30.00元")
	mustContain(t, h.say("u3", "特需病房床位费多少").Text, "260.00元")
}

func TestTwoNamesSideBySideAreBothPriced(t *testing.T) {
	h := round4Harness(t, round4Data())
	r := h.say("u1", "查个肝功肾功多少钱")
	mustContain(t, r.Text, "肝功能(八项)", "肾功能(三项)")
	x := search.Build(round4Data())
	if got := juxtaposed(x, "查肝功肾功"); strings.Join(got, "|") != "查肝功|肾功" {
		t.Errorf("juxtaposed(查肝功肾功) = %q", got)
	}
	// A modifier before a head of another kind is no list of two.
	if got := juxtaposed(x, "hpv疫苗"); got != nil {
		t.Errorf("juxtaposed(hpv疫苗) = %q", got)
	}
	mustNotContain(t, h.say("u2", "hpv疫苗多少钱").Text, "合计")
}

func TestDepartmentForComplaintsAndChildren(t *testing.T) {
	h := round4Harness(t, round4Data())
	// Several complaints: the first named decides.
	mustContain(t, h.say("u1", "智齿发炎牙龈肿了 看哪个科").Text, "口腔颌面外科")
	// A clicking jaw that will not open, and 科 heard as 可.
	mustContain(t, h.say("u2", "张嘴的时候下巴咔咔响嘴巴张不大要看什么可").Text, "颞下颌关节科")
	// A child (by age, or a grandchild) with a complaint no department's
	// words name: the paediatric department.
	mustContain(t, h.say("u3", "我孙子七岁了老做噩梦 挂什么科好").Text, "儿科")
	mustContain(t, h.say("u4", "囡囡8岁 下面门牙里面又长出来一排 看什么科").Text, "儿科")
	// A hospital whose only children's department is a specialty.
	d := round4Data()
	d.Departments[0] = knowledge.Department{Name: "儿童口腔科", Aliases: []string{"儿牙科"}, Location: "门诊楼2楼"}
	h2 := round4Harness(t, d)
	mustContain(t, h2.say("u5", "孩子8岁 下面门牙里面又长出来一排 看什么科").Text, "儿童口腔科")
}

func TestLeadFillerKeptWhenItStartsAName(t *testing.T) {
	h := round4Harness(t, round4Data())
	mustContain(t, h.say("u1", "再植要多少钱").Text, "外伤牙再植术", "400.00元")
}

func TestOneDepartmentOpenShowsItsDoctors(t *testing.T) {
	h := round4Harness(t, round4Data())
	// Only 消化内科 sees patients on Thursdays.
	mustContain(t, h.say("u1", "礼拜四是哪个医生").Text, "王建华")
}

func TestWhereANamedDepartmentIsAfterAPrice(t *testing.T) {
	h := round4Harness(t, round4Data())
	mustContain(t, h.say("u1", "小儿推拿多少钱").Text, "35.00元")
	mustContain(t, h.say("u1", "推拿在哪做").Text, "康复楼2楼")
}
