package bot

import (
	"testing"

	"github.com/hospital/wxbot/knowledge"
)

// round5Data is testData with items whose names share words (鼻中隔矫正术,
// 鼻侧固定夹板), a knee film among other films, a bone-density scan and a
// check-up package noting it, a gastric lavage noted for poisoning, and the
// synonym groups patients' words need.
func round5Data() *knowledge.Data {
	d := testData()
	d.Prices = append(d.Prices,
		knowledge.PriceItem{Code: "50", Name: "鼻中隔矫正术", Category: "手术", Unit: "次", Cents: 150000, Insurance: "乙"},
		knowledge.PriceItem{Code: "51", Name: "鼻侧固定夹板", Category: "材料", Unit: "副", Cents: 120000, Insurance: "自费"},
		knowledge.PriceItem{Code: "52", Name: "DR膝关节正侧位片", Category: "检查", Unit: "次", Cents: 6000, Insurance: "甲"},
		knowledge.PriceItem{Code: "53", Name: "DR胸部正位片", Category: "检查", Unit: "次", Cents: 5000, Insurance: "甲"},
		knowledge.PriceItem{Code: "54", Name: "双能X线骨密度测定", Category: "检查", Unit: "次", Cents: 15000, Insurance: "乙"},
		knowledge.PriceItem{Code: "55", Name: "老年体检套餐", Category: "检查", Unit: "人次", Cents: 98000, Insurance: "自费", Note: "血常规、胸片、骨密度"},
		knowledge.PriceItem{Code: "56", Name: "洗胃(电动洗胃机)", Category: "治疗", Unit: "次", Cents: 8000, Insurance: "甲", Note: "口服农药等中毒急救"},
		knowledge.PriceItem{Code: "57", Name: "肝功能(八项)", Category: "检验", Unit: "次", Cents: 4800, Insurance: "甲"},
		knowledge.PriceItem{Code: "58", Name: "肺功能检查", Category: "检查", Unit: "次", Cents: 8000, Insurance: "乙"},
	)
	d.Synonyms = append(d.Synonyms, []string{"膝关节", "膝盖", "磕膝头"}, []string{"DR", "拍片", "片子"},
		[]string{"骨密度", "骨密度测定"}, []string{"农药中毒", "喝农药", "吃农药"}, []string{"肝功能", "肝功"})
	return d
}

// TestWordsOfTwoItemsNameNeither: a weak match whose best item has a
// different word sharing a character with the part another item has is
// not found, with both named as suggestions, never listed with prices.
func TestWordsOfTwoItemsNameNeither(t *testing.T) {
	h := round4Harness(t, round5Data())
	r := h.say("u1", "鼻侧矫正多少钱").Text
	mustContain(t, r, "没有找到", "鼻中隔矫正术")
	mustNotContain(t, r, "1500.00", "1200.00")
	// The exact item is still priced.
	mustContain(t, h.say("u2", "鼻中隔矫正术多少钱").Text, "1500.00")
}

// TestHomophoneTyposOfWhichAndExamination: 那 for 哪 before 科, 检察 for 检查.
func TestHomophoneTyposOfWhichAndExamination(t *testing.T) {
	h := round4Harness(t, round5Data())
	r := h.say("u1", "检察肝功能多少钱").Text
	mustContain(t, r, "肝功能", "48.00")
	mustNotContain(t, r, "肺功能")
	mustContain(t, h.say("u2", "拉肚子看那个科").Text, "消化内科")
}

// TestChoiceBetweenDepartmentsIsDecidedByTheComplaint: 挂内科还是外科
// after a complaint answers the department that sees the complaint.
func TestChoiceBetweenDepartmentsIsDecidedByTheComplaint(t *testing.T) {
	h := round4Harness(t, round5Data())
	mustContain(t, h.say("u1", "拉肚子好几天了 挂内科还是外科").Text, "消化内科")
	if got := deptChoice("挂内科还是外科"); got != "挂内科还是外科" {
		t.Errorf("a choice without a complaint was rewritten: %q", got)
	}
}

// TestPinyinParticleAfterAFragment: xcg ne is 血常规呢.
func TestPinyinParticleAfterAFragment(t *testing.T) {
	h := round4Harness(t, round5Data())
	h.say("u1", "尿常规多少钱")
	mustContain(t, h.say("u1", "xcg ne").Text, "血常规", "22.00")
}

// TestClauseNamingAnItemBeatsANoteGuess: a price clause naming an item
// answers over an item whose note only mentions the word.
func TestClauseNamingAnItemBeatsANoteGuess(t *testing.T) {
	h := round4Harness(t, round5Data())
	r := h.say("u1", "骨密度多少钱 我爸七十多了想看看骨头松不松").Text
	mustContain(t, r, "双能X线骨密度测定", "150.00")
	mustNotContain(t, r, "980.00")
}

// TestBodyPartAndExamSaidApart: a body part and an exam kind said in
// different clauses of a chatty message are priced together; an unknown
// name right before the price is not replaced by them.
func TestBodyPartAndExamSaidApart(t *testing.T) {
	h := round4Harness(t, round5Data())
	r := h.say("u1", "我是乡下的 磕膝头痛了好几年 走路都难 想来拍个片子看一下 不晓得要多少钱").Text
	mustContain(t, r, "DR膝关节正侧位片", "60.00")
	r = h.say("u2", "膝盖疼了好几年 想拍片子 听说有个博力康的 博力康的多少钱").Text
	mustNotContain(t, r, "60.00", "50.00")
}

// TestComplaintRunIsContextForTheItem: 喝农药 (a synonym only notes use)
// does not hide the item named after it.
func TestComplaintRunIsContextForTheItem(t *testing.T) {
	h := round4Harness(t, round5Data())
	mustContain(t, h.say("u1", "吃农药了洗胃要多少钱").Text, "洗胃", "80.00")
}
