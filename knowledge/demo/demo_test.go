package demo

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hospital/wxbot/knowledge"
)

// load parses the embedded data with the service's own parser, failing the
// test on any validation problem.
func load(t *testing.T) *knowledge.Data {
	t.Helper()
	d, err := knowledge.ParseFS(FS())
	if err != nil {
		t.Fatalf("demo data has validation problems: %v", err)
	}
	return d
}

func TestName(t *testing.T) {
	if got, want := Name(), "澜川市中心医院"; got != want {
		t.Fatalf("Name() = %q, want %q", got, want)
	}
}

func TestParsesWithMinimumCounts(t *testing.T) {
	d := load(t)
	doctors := map[string]bool{}
	for _, s := range d.Schedules {
		doctors[s.Department+"/"+s.Doctor] = true
	}
	for _, c := range []struct {
		what      string
		got, want int
	}{
		{"price items", len(d.Prices), 230},
		{"departments", len(d.Departments), 18},
		{"clinic sessions", len(d.Schedules), 60},
		{"doctors", len(doctors), 35},
		{"processes", len(d.Processes), 10},
		{"FAQ entries", len(d.FAQ), 28},
		{"synonym groups", len(d.Synonyms), 40},
	} {
		if c.got < c.want {
			t.Errorf("%s: %d, want at least %d", c.what, c.got, c.want)
		}
	}
}

// TestCSVShape reads the CSV files with encoding/csv directly, so a row with
// an unquoted comma is caught whatever the service's parser tolerates.
func TestCSVShape(t *testing.T) {
	price := regexp.MustCompile(`^[0-9]+\.[0-9]{2}$`)
	for _, c := range []struct {
		file   string
		fields int
	}{{"prices.csv", 7}, {"departments.csv", 5}, {"schedules.csv", 7}} {
		raw, err := fs.ReadFile(FS(), c.file)
		if err != nil {
			t.Fatal(err)
		}
		r := csv.NewReader(bytes.NewReader(raw))
		r.FieldsPerRecord = c.fields
		rows, err := r.ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", c.file, err)
		}
		seen := map[string]int{}
		for i, row := range rows {
			for j, f := range row {
				if f != strings.TrimSpace(f) {
					t.Errorf("%s line %d field %d has stray spaces: %q", c.file, i+1, j+1, f)
				}
			}
			if i == 0 || c.file != "prices.csv" {
				continue
			}
			if !price.MatchString(row[4]) {
				t.Errorf("prices.csv line %d: price %q is not yuan with two decimals", i+1, row[4])
			}
			if prev, dup := seen[row[0]]; dup {
				t.Errorf("prices.csv line %d: code %s repeats line %d", i+1, row[0], prev)
			}
			seen[row[0]] = i + 1
		}
	}
}

func TestPriceFamiliesForClarification(t *testing.T) {
	d := load(t)
	names := map[string]knowledge.PriceItem{}
	for _, p := range d.Prices {
		names[p.Name] = p
	}
	has := func(sub string) int {
		n := 0
		for name := range names {
			if strings.Contains(name, sub) {
				n++
			}
		}
		return n
	}
	for _, site := range []string{"头颅", "胸部", "上腹部", "全腹部", "盆腔", "颈椎", "腰椎", "鼻窦"} {
		for _, kind := range []string{"平扫", "增强"} {
			if _, ok := names[site+"CT"+kind]; !ok {
				t.Errorf("missing CT item %sCT%s", site, kind)
			}
		}
	}
	for _, want := range []string{
		"普通门诊挂号费", "副主任医师门诊挂号费", "主任医师门诊挂号费", "知名专家门诊挂号费", "急诊挂号费", "夜间门诊挂号费",
		"普通门诊诊查费", "尿常规", "便常规", "便常规+隐血", "血脂四项", "空腹血糖", "凝血四项", "C反应蛋白(CRP)",
		"降钙素原(PCT)", "电子胃镜检查", "电子肠镜检查", "常规心电图(十二导联)", "普通针刺",
		"普通病房床位费(三人间)", "普通病房床位费(双人间)", "普通病房床位费(单人间)", "重症监护病房(ICU)床位费",
	} {
		if _, ok := names[want]; !ok {
			t.Errorf("missing price item %q", want)
		}
	}
	for _, c := range []struct {
		sub  string
		min  int
		why  string
		none bool
	}{
		{sub: "冠脉CTA", min: 1},
		{sub: "核磁共振", min: 3, why: "MRI items named 核磁共振"},
		{sub: "磁共振平扫", min: 5},
		{sub: "磁共振增强", min: 3},
		{sub: "彩超", min: 10},
		{sub: "DR", min: 5},
		{sub: "动态心电图", min: 1},
		{sub: "动态血压", min: 1},
		{sub: "无痛", min: 2},
		{sub: "血常规", min: 1},
		{sub: "肝功能", min: 1},
		{sub: "肾功能", min: 1},
		{sub: "糖化", min: 1},
		{sub: "甲状腺功能", min: 2},
		{sub: "TCT", min: 1},
		{sub: "HPV", min: 1},
		{sub: "核酸", min: 2},
		{sub: "输液", min: 2},
		{sub: "注射", min: 3},
		{sub: "雾化", min: 2},
		{sub: "换药", min: 3},
		{sub: "推拿", min: 2},
		{sub: "洁牙", min: 1},
		{sub: "补牙", min: 2},
		{sub: "拔除", min: 3},
		{sub: "根管", min: 2},
		{sub: "护理", min: 4},
		{sub: "阿莫西林胶囊", min: 2, why: "two strengths"},
		{sub: "布洛芬", min: 3, why: "three forms"},
		{sub: "头孢", min: 3},
		{sub: "二甲双胍", min: 1},
		{sub: "氨氯地平", min: 1},
		{sub: "阿托伐他汀", min: 1},
		{sub: "奥美拉唑", min: 1},
		{sub: "蒙脱石散", min: 1},
		{sub: "种植", none: true, why: "the demo leaves 种植牙 unknown"},
	} {
		n := has(c.sub)
		if c.none && n > 0 {
			t.Errorf("%d items contain %q, want none (%s)", n, c.sub, c.why)
		}
		if !c.none && n < c.min {
			t.Errorf("%d items contain %q, want at least %d %s", n, c.sub, c.min, c.why)
		}
	}

	byCat := map[string]int{}
	ins := map[string]int{}
	strength := regexp.MustCompile(`[0-9]`)
	for _, p := range d.Prices {
		byCat[p.Category]++
		ins[p.Insurance]++
		if p.Category == "药品" && (!strings.Contains(p.Name, " ") || !strength.MatchString(p.Name)) {
			t.Errorf("drug %q lacks strength and pack after a space", p.Name)
		}
		if p.Cents <= 0 {
			t.Errorf("%s %q has price %d fen", p.Code, p.Name, p.Cents)
		}
	}
	for cat, min := range map[string]int{"挂号": 6, "诊查": 3, "检查": 40, "检验": 30, "治疗": 20, "手术": 3, "护理": 3, "床位": 4, "材料": 3, "药品": 60} {
		if byCat[cat] < min {
			t.Errorf("category %s has %d items, want at least %d", cat, byCat[cat], min)
		}
	}
	for _, class := range []string{"甲", "乙", "丙", "自费"} {
		if ins[class] == 0 {
			t.Errorf("no item of insurance class %s", class)
		}
	}
	for name, note := range map[string]string{"腹部彩超(肝胆胰脾)": "空腹8小时", "头颅CT增强": "不含造影剂", "头颅CT平扫": "报告时间"} {
		if !strings.Contains(names[name].Note, note) {
			t.Errorf("note of %s = %q, want it to mention %s", name, names[name].Note, note)
		}
	}
}

func TestSchedules(t *testing.T) {
	d := load(t)
	depts := map[string]bool{}
	for _, dep := range d.Departments {
		depts[dep.Name] = true
		if len(dep.Aliases) == 0 || dep.Location == "" || dep.Phone == "" || dep.Intro == "" {
			t.Errorf("department %s lacks aliases, location, phone or intro", dep.Name)
		}
	}
	surnames := map[string]map[string]bool{}
	weekend := map[string]bool{}
	pedsNights := map[int]bool{}
	for _, s := range d.Schedules {
		if !depts[s.Department] {
			t.Errorf("session of %s names unknown department %s", s.Doctor, s.Department)
		}
		sn := string([]rune(s.Doctor)[:1])
		if surnames[sn] == nil {
			surnames[sn] = map[string]bool{}
		}
		surnames[sn][s.Doctor] = true
		if s.Weekday >= 6 {
			weekend[s.Department] = true
		}
		if s.Department == "儿科" && s.Period == "夜间" {
			pedsNights[s.Weekday] = true
		}
	}
	for _, sn := range []string{"王", "李"} {
		if len(surnames[sn]) < 2 {
			t.Errorf("want two doctors surnamed %s, have %v", sn, surnames[sn])
		}
	}
	if len(weekend) < 3 || !weekend["儿科"] {
		t.Errorf("departments open at weekends: %v, want at least 3 including 儿科", weekend)
	}
	for wd := 1; wd <= 5; wd++ {
		if !pedsNights[wd] {
			t.Errorf("儿科 has no 夜间 session on weekday %d", wd)
		}
	}
	if weekend["心血管内科"] || weekend["神经外科"] {
		t.Errorf("most departments should be closed at weekends; got %v", weekend)
	}
}

func TestProcessesCoverTopics(t *testing.T) {
	d := load(t)
	for _, p := range d.Processes {
		if len(p.Steps) < 3 || len(p.Keywords) < 3 {
			t.Errorf("process %s (%s): %d steps, %d keywords; want at least 3 of each", p.ID, p.Title, len(p.Steps), len(p.Keywords))
		}
	}
	for _, topic := range []string{"门诊", "急诊", "预约挂号", "住院", "出院", "异地医保", "报告", "病历复印", "体检", "核酸", "发热门诊", "互联网医院"} {
		found := false
		for _, p := range d.Processes {
			if strings.Contains(p.Title, topic) || contains(p.Keywords, topic) {
				found = true
			}
		}
		if !found {
			t.Errorf("no process has %q in its title or keywords", topic)
		}
	}
}

func TestFAQ(t *testing.T) {
	d := load(t)
	var all strings.Builder
	for i, e := range d.FAQ {
		if len(e.Questions) < 2 || len(e.Questions) > 4 {
			t.Errorf("FAQ entry %d has %d phrasings, want 2-4", i+1, len(e.Questions))
		}
		all.WriteString(strings.Join(e.Questions, " ") + " " + e.Answer + "\n")
	}
	text := all.String()
	for _, topic := range []string{"门诊时间", "停车", "地址", "WiFi", "探视", "发票", "医保卡", "食堂", "陪护", "轮椅", "支付宝", "退费", "诊断证明", "夜间药房", "母婴室", "失物招领", "总机", "投诉电话"} {
		if !strings.Contains(text, topic) {
			t.Errorf("no FAQ entry mentions %s", topic)
		}
	}
	// The FAQ's phone numbers agree with departments.csv.
	phones := map[string]string{}
	for _, dep := range d.Departments {
		phones[dep.Name] = dep.Phone
	}
	for _, dep := range []string{"急诊医学科", "感染性疾病科", "健康管理中心"} {
		if phones[dep] == "" || !strings.Contains(text, phones[dep]) {
			t.Errorf("FAQ does not give %s's phone %q", dep, phones[dep])
		}
	}
}

// TestFAQPlainYAML checks faq.yaml keeps to the plain subset of the
// evaluation data: every value a JSON literal on one line.
func TestFAQPlainYAML(t *testing.T) {
	raw, err := fs.ReadFile(FS(), "faq.yaml")
	if err != nil {
		t.Fatal(err)
	}
	q := regexp.MustCompile(`^- questions: (\[.*\])$`)
	a := regexp.MustCompile(`^  answer: (".*")$`)
	for i, line := range strings.Split(strings.TrimRight(string(raw), "\n"), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		var v any
		switch {
		case q.MatchString(line):
			var list []string
			v = &list
			line = q.FindStringSubmatch(line)[1]
		case a.MatchString(line):
			var s string
			v = &s
			line = a.FindStringSubmatch(line)[1]
		default:
			t.Errorf("faq.yaml line %d is neither a questions nor an answer line: %q", i+1, line)
			continue
		}
		if err := json.Unmarshal([]byte(line), v); err != nil {
			t.Errorf("faq.yaml line %d: value is not a JSON literal: %v", i+1, err)
		}
	}
}

func TestSynonyms(t *testing.T) {
	d := load(t)
	for _, want := range [][]string{{"核磁", "磁共振", "MRI"}, {"彩超", "B超"}, {"美林", "布洛芬"}, {"思密达", "蒙脱石散"}} {
		found := false
		for _, g := range d.Synonyms {
			ok := true
			for _, w := range want {
				ok = ok && contains(g, w)
			}
			found = found || ok
		}
		if !found {
			t.Errorf("no synonym group holds all of %v", want)
		}
	}
}

// TestDiffersFromEvalData guards against the demo drifting into a copy of the
// evaluation hospital: acceptance runs a held-back hospital, so the demo must
// be data of its own.
func TestDiffersFromEvalData(t *testing.T) {
	dir := findEvalDir()
	if dir == "" {
		t.Skip("shared/eval not found above the working directory; set WXBOT_EVAL_DIR to run this test")
	}
	eval, err := knowledge.LoadDir(dir)
	if err != nil {
		t.Fatalf("load eval data: %v", err)
	}
	d := load(t)
	doctors := map[string]bool{}
	for _, s := range eval.Schedules {
		doctors[s.Doctor] = true
	}
	for _, s := range d.Schedules {
		if doctors[s.Doctor] {
			t.Errorf("doctor %s also appears in the evaluation data", s.Doctor)
		}
	}
	phones := map[string]bool{}
	for _, dep := range eval.Departments {
		phones[dep.Phone] = true
	}
	for _, dep := range d.Departments {
		if phones[dep.Phone] {
			t.Errorf("phone %s of %s also appears in the evaluation data", dep.Phone, dep.Name)
		}
	}
	// Standard item names (头颅CT平扫, 尿常规) are shared by every hospital;
	// the same name at the same price would be a copied row.
	codes := map[string]bool{}
	prices := map[string]int64{}
	for _, p := range eval.Prices {
		codes[p.Code] = true
		prices[p.Name] = p.Cents
	}
	for _, p := range d.Prices {
		if codes[p.Code] {
			t.Errorf("price code %s also appears in the evaluation data", p.Code)
		}
		if c, ok := prices[p.Name]; ok && c == p.Cents {
			t.Errorf("price item %s has the same price as in the evaluation data", p.Name)
		}
	}

}

func findEvalDir() string {
	if dir := os.Getenv("WXBOT_EVAL_DIR"); dir != "" {
		return dir
	}
	wd, err := os.Getwd()
	if err != nil {
		return ""
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		cand := filepath.Join(dir, "shared", "eval")
		if _, err := os.Stat(filepath.Join(cand, "prices.csv")); err == nil {
			return cand
		}
		if filepath.Dir(dir) == dir {
			return ""
		}
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
