package search

import (
	"reflect"
	"testing"

	"github.com/hospital/wxbot/knowledge"
)

func smallData() *knowledge.Data {
	return &knowledge.Data{
		Prices: []knowledge.PriceItem{
			{Name: "血常规(五分类)"}, {Name: "头颅CT平扫"}, {Name: "降钙素原(PCT)"},
			{Name: "头颅磁共振平扫"}, {Name: "膝关节核磁共振平扫"}, {Name: "阿莫西林胶囊 0.25g*24粒"},
		},
		Departments: []knowledge.Department{{Name: "普通外科", Aliases: []string{"外科"}}, {Name: "神经外科"}, {Name: "内分泌科"}},
		Schedules:   []knowledge.ClinicSession{{Department: "神经外科", Doctor: "王建国"}, {Department: "普通外科", Doctor: "王建华"}},
		Synonyms:    [][]string{{"磁共振", "核磁共振", "MRI"}},
	}
}

func TestUnits(t *testing.T) {
	got := Units("阿莫西林胶囊0.25g*24粒")
	want := []string{"阿", "莫", "西", "林", "胶", "囊", "0.25g", sep, "24", "粒"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Units = %q, want %q", got, want)
	}
}

func TestItemsLatinWordsAreWhole(t *testing.T) {
	x := Build(smallData())
	hs := x.Items("ct")
	if len(hs) != 1 || hs[0].ID != 1 {
		t.Fatalf("ct should match the CT scan only, got %+v", hs)
	}
}

func TestItemsSynonyms(t *testing.T) {
	x := Build(smallData())
	hs := x.Items("mri")
	if len(hs) < 2 || hs[0].Query < 0.9 || hs[1].Query < 0.9 {
		t.Fatalf("MRI should reach 磁共振 and 核磁共振 items: %+v", hs)
	}
}

func TestCorrectTyposAndPinyin(t *testing.T) {
	x := Build(smallData())
	for in, want := range map[string]string{"血长规": "血常规", "xuechanggui": "血常规", "xcg": "血常规", "头颅ct": "头颅ct"} {
		if got := x.Correct(in); got != want {
			t.Errorf("Correct(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDepartmentsPreferLongestMention(t *testing.T) {
	x := Build(smallData())
	if got := x.Departments("神经外科在哪"); !reflect.DeepEqual(got, []int{1}) {
		t.Errorf("Departments = %v, want [1] (not 外科)", got)
	}
	if got := x.DepartmentsLoose("内分泌那个"); !reflect.DeepEqual(got, []int{2}) {
		t.Errorf("DepartmentsLoose = %v, want [2]", got)
	}
	if got := x.DoctorsBySurname("王"); len(got) != 2 {
		t.Errorf("DoctorsBySurname = %v", got)
	}
}

func TestCovers(t *testing.T) {
	x := Build(smallData())
	if !x.Covers("血常规", "血常规") || x.Covers("头颅ct", "头颅ct平扫") || !x.Covers("核磁共振", "磁共振") {
		t.Error("Covers wrong")
	}
}

func understandingData() *knowledge.Data {
	return &knowledge.Data{
		Prices: []knowledge.PriceItem{
			{Name: "头颅CT平扫", Category: "检查"},
			{Name: "阻生牙拔除术", Category: "治疗"},
			{Name: "普通牙拔除术", Category: "治疗"},
			{Name: "中频脉冲电治疗", Category: "治疗", Note: "理疗"},
			{Name: "红外线照射治疗", Category: "治疗", Note: "理疗，每次20分钟"},
			{Name: "静脉输液(第一组)", Category: "治疗"},
			{Name: "腹部彩超", Category: "检查"},
			{Name: "甲状腺彩超", Category: "检查"},
			{Name: "超声洁牙(全口)", Category: "治疗"},
		},
		FAQ: []knowledge.FAQEntry{
			{Questions: []string{"医院有WiFi吗"}, Answer: "免费无线网络名称为Guest，连接后即可上网。"},
			{Questions: []string{"被狗咬了去哪"}, Answer: "被猫狗抓伤咬伤请到犬伤门诊接种狂犬疫苗。"},
		},
		Synonyms: [][]string{{"彩超", "B超", "超声"}},
	}
}

func TestItemSpansDropChatter(t *testing.T) {
	x := Build(understandingData())
	sp := x.ItemSpans("我妈想头颅ct")
	if len(sp) == 0 || sp[0].Text != "头颅ct" {
		t.Errorf("spans = %+v, want 头颅ct first", sp)
	}
}

func TestPatientWordsAndReorder(t *testing.T) {
	x := Build(understandingData())
	for q, want := range map[string]string{"拔智齿": "阻生牙拔除术", "打吊针": "静脉输液(第一组)", "智齿拔掉": "阻生牙拔除术"} {
		hs := x.Items(q)
		if len(hs) == 0 || x.Data.Prices[hs[0].ID].Name != want || hs[0].Query < 0.6 {
			t.Errorf("%s: got %+v, want %s first", q, hs, want)
		}
	}
	// An ultrasound question must not match tooth cleaning as well as scans.
	hs := x.Items("b超")
	for _, h := range hs {
		if x.Data.Prices[h.ID].Name == "超声洁牙(全口)" && h.Query > hs[0].Query-0.1 {
			t.Errorf("b超 matches 超声洁牙 at %.2f (best %.2f)", h.Query, hs[0].Query)
		}
	}
}

func TestItemsByNote(t *testing.T) {
	x := Build(understandingData())
	if ids := x.ItemsByNote("理疗"); len(ids) != 2 {
		t.Errorf("理疗 -> %v, want the two items noted 理疗", ids)
	}
	if ids := x.ItemsByNote("每次"); len(ids) != 0 {
		t.Errorf("a note fragment should not match: %v", ids)
	}
}

func TestTopicsUseAnswersAndConcepts(t *testing.T) {
	x := Build(understandingData())
	for q, want := range map[string]int{"wifi连": 0, "被猫抓打疫苗": 1} {
		hs := x.Topics(q)
		if len(hs) == 0 || hs[0].Ref.Kind != TextFAQ || hs[0].Ref.Index != want || hs[0].Query < 0.7 {
			t.Errorf("%s: got %+v, want FAQ %d", q, hs, want)
		}
	}
}

func TestNearName(t *testing.T) {
	for _, c := range []struct {
		q, name string
		want    bool
	}{
		{"阿奇梅素", "阿奇霉素片", true},    // homophone
		{"奥美拉挫", "奥美拉唑肠溶胶囊", true}, // four characters, one wrong
		{"血长规", "血常规", true},       // three characters, homophone
		{"血短规", "血常规", false},      // three characters, not a homophone
		{"阿奇霉素", "阿奇霉素片", false},   // exact: a match, not a near name
		{"种植牙", "普通牙拔除术", false},
	} {
		if got := NearName(c.q, c.name); got != c.want {
			t.Errorf("NearName(%q, %q) = %v, want %v", c.q, c.name, got, c.want)
		}
	}
}

func TestDepartmentsByPlaceStem(t *testing.T) {
	x := Build(&knowledge.Data{Departments: []knowledge.Department{
		{Name: "检验科", Aliases: []string{"抽血处", "化验室"}},
		{Name: "健康管理中心"},
	}})
	if ds := x.DepartmentsLoose("抽血在哪"); len(ds) != 1 || ds[0] != 0 {
		t.Errorf("抽血在哪 -> %v, want the 检验科", ds)
	}
	if ds := x.DepartmentsLoose("健康管理在几楼"); len(ds) != 1 || ds[0] != 1 {
		t.Errorf("健康管理在几楼 -> %v, want 健康管理中心", ds)
	}
	if ms := x.LooseMentions("化验报告"); len(ms) != 1 || ms[0] != "化验" {
		t.Errorf("LooseMentions = %v", ms)
	}
}

func TestDepartmentsByTopicFindsIntroWords(t *testing.T) {
	d := smallData()
	d.Departments = append(d.Departments,
		knowledge.Department{Name: "新生儿科", Intro: "新生儿黄疸、早产儿的救治"},
		knowledge.Department{Name: "儿科", Intro: "诊治儿童发热、咳嗽、腹泻"})
	x := Build(d)
	hs := x.DepartmentsByTopic("黄疸")
	if len(hs) == 0 || d.Departments[hs[0].ID].Name != "新生儿科" {
		t.Fatalf("黄疸 should find 新生儿科 by its introduction, got %+v", hs)
	}
}

func TestTrimChatterKeepsWholeWords(t *testing.T) {
	d := smallData()
	d.Departments = append(d.Departments, knowledge.Department{Name: "生殖科", Aliases: []string{"不孕不育科"}})
	x := Build(d)
	if got := x.TrimChatter("看不孕不育"); got != "不孕不育" {
		t.Errorf("TrimChatter(看不孕不育) = %q, want 不孕不育 (看 is chatter, 不 starts a word)", got)
	}
	if got := x.TrimChatter("孩子咳嗽"); got != "孩子咳嗽" {
		t.Errorf("TrimChatter(孩子咳嗽) = %q, want it whole (孩子 is a word)", got)
	}
	if got := x.TrimForeignEdges("我妈想头颅ct"); got != "头颅ct" {
		t.Errorf("TrimForeignEdges(我妈想头颅ct) = %q, want 头颅ct", got)
	}
}

// A homophone correction that needs rare readings of several characters (个
// as gan, 胆 as da; 不 as fu) is no typo a patient made.
func TestCorrectNeedsPlausibleReadings(t *testing.T) {
	d := smallData()
	d.Prices = append(d.Prices, knowledge.PriceItem{Name: "肝胆彩超"})
	d.Departments = append(d.Departments, knowledge.Department{Name: "妇科"}, knowledge.Department{Name: "急诊科", Aliases: []string{"急诊"}})
	d.Prices = append(d.Prices, knowledge.PriceItem{Name: "急诊诊查费"})
	x := Build(d)
	for in, want := range map[string]string{
		"哪个大夫":    "哪个大夫",
		"可不可以报":   "可不可以报",
		"血长规多少钱":  "血常规多少钱",
		"干胆彩超多少钱": "肝胆彩超多少钱",
		"要打几针":    "要打几针",
	} {
		if got := x.Correct(in); got != want {
			t.Errorf("Correct(%q) = %q, want %q", in, got, want)
		}
	}
}
