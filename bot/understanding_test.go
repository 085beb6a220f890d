package bot

import (
	"context"
	"strings"
	"testing"

	"github.com/hospital/wxbot/knowledge"
)

// withMoreItems adds registration fees and item families to the test data.
func withMoreItems(o *Options) {
	d := testData()
	d.Prices = append(d.Prices,
		knowledge.PriceItem{Code: "20", Name: "普通门诊挂号费", Category: "挂号", Unit: "次", Cents: 100, Insurance: "甲"},
		knowledge.PriceItem{Code: "21", Name: "专家门诊挂号费(副主任医师)", Category: "挂号", Unit: "次", Cents: 500, Insurance: "乙"},
		knowledge.PriceItem{Code: "22", Name: "专家门诊挂号费(主任医师)", Category: "挂号", Unit: "次", Cents: 800, Insurance: "乙"},
		knowledge.PriceItem{Code: "23", Name: "主任医师门诊诊查费", Category: "诊查", Unit: "次", Cents: 3000, Insurance: "乙"},
		knowledge.PriceItem{Code: "24", Name: "静脉输液(第一组)", Category: "治疗", Unit: "组", Cents: 800, Insurance: "甲"},
		knowledge.PriceItem{Code: "25", Name: "静脉输液(每增加一组)", Category: "治疗", Unit: "组", Cents: 200, Insurance: "甲"},
		knowledge.PriceItem{Code: "26", Name: "布洛芬混悬液 100ml", Category: "药品", Unit: "瓶", Cents: 1680, Insurance: "甲"},
		knowledge.PriceItem{Code: "27", Name: "布洛芬缓释胶囊 0.3g*20粒", Category: "药品", Unit: "盒", Cents: 1120, Insurance: "甲"},
		knowledge.PriceItem{Code: "28", Name: "超声洁治(全口洁牙)", Category: "治疗", Unit: "次", Cents: 15000, Insurance: "自费"},
		knowledge.PriceItem{Code: "29", Name: "阿奇霉素片 0.25g*6片", Category: "药品", Unit: "盒", Cents: 890, Insurance: "甲"},
	)
	d.Synonyms = append(d.Synonyms, []string{"输液", "打点滴", "挂水"}, []string{"洁牙", "洗牙", "超声洁治"})
	d.Processes[0].Steps = []string{"医生开具住院证。", "到住院部1楼住院服务中心登记。", "缴纳住院预交金，内科一般3000元起。"}
	o.Knowledge = func() *knowledge.Data { return d }
}

func TestTwoQuestionsInOneMessage(t *testing.T) {
	h := newHarness(t, withMoreItems)
	r := h.say("a", "洗牙要多少钱 医保报不报").Text
	mustContain(t, r, "超声洁治", "150.00元", "自费")
	mustNotContain(t, r, "没有找到")
}

func TestSeveralItemsArePricedAndAdded(t *testing.T) {
	h := newHarness(t)
	r := h.say("a", "血常规＋尿常规 一共多少钱？").Text
	mustContain(t, r, "血常规", "22.00元", "尿常规", "12.00元", "合计：34.00元")
}

func TestRegistrationFeeByDoctorTitle(t *testing.T) {
	h := newHarness(t, withMoreItems)
	r := h.say("a", "挂骨科专家号多少钱").Text
	mustContain(t, r, "专家门诊挂号费(副主任医师)", "专家门诊挂号费(主任医师)")
	mustNotContain(t, r, "诊查费", "普通门诊", "没有找到")
	r = h.say("a", "主任医师的呢").Text
	mustContain(t, r, "专家门诊挂号费(主任医师)", "8.00元")
	mustNotContain(t, r, "5.00元")
	mustContain(t, h.say("b", "普通号多少钱").Text, "普通门诊挂号费", "1.00元")
}

func TestPickByPriceFromTheLastList(t *testing.T) {
	h := newHarness(t, withMoreItems)
	h.say("a", "布洛芬多少钱")
	r := h.say("a", "那个贵的").Text
	mustContain(t, r, "布洛芬混悬液", "16.80元")
	mustNotContain(t, r, "11.20")
	h.say("b", "布洛芬多少钱")
	mustContain(t, h.say("b", "最便宜的是哪个").Text, "布洛芬缓释胶囊", "11.20元")
}

func TestFragmentFoundInsideAFamilyMembersName(t *testing.T) {
	h := newHarness(t, withMoreItems)
	mustContain(t, h.say("a", "打点滴一次多少钱").Text, "静脉输液")
	r := h.say("a", "再加一组呢").Text
	mustContain(t, r, "静脉输液(每增加一组)", "2.00元")
	mustNotContain(t, r, "8.00元")
}

func TestOneNearNameIsAnsweredAndSaidSo(t *testing.T) {
	h := newHarness(t, withMoreItems)
	r := h.say("a", "阿奇梅素多少钱").Text
	mustContain(t, r, "您问的可能是", "阿奇霉素片", "8.90元")
}

func TestWhereFollowUpAnswersFromTheProcess(t *testing.T) {
	h := newHarness(t, withMoreItems)
	mustContain(t, h.say("a", "住院流程").Text, "住院办理流程")
	mustContain(t, h.say("a", "在哪里办").Text, "住院服务中心")
}

func TestUnknownQuotesThePatientsWordsAndRelatedSuggestionsOnly(t *testing.T) {
	h := newHarness(t)
	r := h.say("a", "种植牙一颗多少钱").Text
	mustContain(t, r, "种植牙")
	mustNotContain(t, r, "停车", "元")
}

func TestSkillAnswerHandlesChatterAndTwoQuestions(t *testing.T) {
	var got []string
	skill := SkillFunc(func(ctx context.Context, t *Turn) (Reply, bool, error) {
		r, ok := t.Answer(ctx, t.Msg.Text)
		if !ok {
			return Reply{}, false, nil
		}
		got = append(got, r.Text)
		return Reply{Text: r.Text + "\n请问发生在哪个科室？"}, true, nil
	})
	h := newHarness(t, withMoreItems, func(o *Options) { o.Skills = []Skill{skill} })
	r := h.say("a", "对了顺便问下血常规多少钱").Text
	mustContain(t, r, "22.00元", "科室")
	r = h.say("b", "洗牙要多少钱 医保报不报").Text
	mustContain(t, r, "150.00元", "自费", "科室")
	if len(got) != 2 {
		t.Errorf("core answered %d of 2 questions", len(got))
	}
}

func TestSplitClauses(t *testing.T) {
	for in, want := range map[string]string{
		"洗牙要多少钱 医保报不报": "洗牙要多少钱|医保报不报",
		"你好，CT多少钱？":    "ct多少钱",
		"胸部 CT  平扫多少钱": "胸部|ct|平扫多少钱",
		"mri t2 多少钱":   "mri t2|多少钱",
		"胃镜多少钱另外要空腹吗":  "胃镜多少钱|要空腹吗",
		"ＭＲＩ　头颅平扫多少钱？": "mri|头颅平扫多少钱",
	} {
		if got := strings.Join(splitClauses(in), "|"); got != want {
			t.Errorf("splitClauses(%q) = %q, want %q", in, got, want)
		}
	}
}
