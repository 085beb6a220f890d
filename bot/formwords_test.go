package bot

import (
	"testing"

	"github.com/hospital/wxbot/textnorm"
)

func TestFormReplyRefusesCommandWordsButNotQuestions(t *testing.T) {
	for _, w := range []string{"确认", "修改", "取消", "跳过", "匿名", "实名", "是", "否", "好的", "重新填", "儿科"} {
		if !formReply(textnorm.Query(w)) {
			t.Errorf("%q should read as a reply to the form", w)
		}
	}
	for _, q := range []string{"出院手续咋办", "住院流程", "CT多少钱", "在哪吗"} {
		if formReply(textnorm.Query(q)) {
			t.Errorf("%q is a question of its own", q)
		}
	}
}

func TestStrengthWithoutUnit(t *testing.T) {
	for _, c := range []struct {
		name, num string
		want      bool
	}{
		{"盐酸二甲双胍片0.5g*20片", "0.5", true},
		{"盐酸二甲双胍片0.25g*48片", "0.5", false},
		{"阿托伐他汀钙片20mg*7片", "20", true},
		{"阿托伐他汀钙片20mg*7片", "7", false},
		{"某药10.5g", "0.5", false},
	} {
		if got := hasStrength(c.name, c.num); got != c.want {
			t.Errorf("hasStrength(%q, %q) = %v", c.name, c.num, got)
		}
	}
}

func TestAmountQuestionPrefersStatedAmount(t *testing.T) {
	if u := askedUnits("能提前几天约"); len(u) == 0 || u[0] != "天" {
		t.Fatalf("askedUnits = %v", u)
	}
	if !amountAfterWord("普通号提前14天放号", []string{"天"}, "能提前几天约") {
		t.Error("提前14天 should answer 提前几天")
	}
	if statesAmount("就诊当天提前20分钟签到", []string{"天"}) {
		t.Error("当天 states no amount of days")
	}
}
