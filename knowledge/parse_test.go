package knowledge

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"

	"golang.org/x/text/encoding/simplifiedchinese"
)

func TestLoadDirEvalData(t *testing.T) {
	d, err := LoadDir(evalDir(t))
	if err != nil {
		t.Fatalf("LoadDir: %v", err)
	}
	counts := map[string][2]int{
		"prices":      {len(d.Prices), 321},
		"departments": {len(d.Departments), 27},
		"schedules":   {len(d.Schedules), 99},
		"processes":   {len(d.Processes), 10},
		"faq":         {len(d.FAQ), 30},
		"synonyms":    {len(d.Synonyms), 40},
	}
	for kind, c := range counts {
		if c[0] != c[1] {
			t.Errorf("%s: got %d rows, want %d", kind, c[0], c[1])
		}
	}
	first := PriceItem{Code: "110100001", Name: "普通门诊挂号费", Category: "挂号", Unit: "次", Cents: 100, Insurance: "甲"}
	if d.Prices[0] != first {
		t.Errorf("first price = %+v, want %+v", d.Prices[0], first)
	}
	// The quoted note holding a comma stays one field.
	var quoted *PriceItem
	for i := range d.Prices {
		if d.Prices[i].Code == "210300009" {
			quoted = &d.Prices[i]
		}
	}
	if quoted == nil || quoted.Note != "不含造影剂,不含胶片" || quoted.Cents != 65000 {
		t.Errorf("price 210300009 = %+v, want note 不含造影剂,不含胶片 and 65000 fen", quoted)
	}
	if got := d.Departments[0].Aliases; !reflect.DeepEqual(got, []string{"急诊", "急诊室", "急救中心"}) {
		t.Errorf("急诊科 aliases = %q", got)
	}
	s := d.Schedules[0]
	if s.Weekday != 1 || s.Period != "上午" || s.Doctor != "张立新" {
		t.Errorf("first session = %+v, want 张立新 周一 上午", s)
	}
	p := d.Processes[0]
	if p.ID != "01-outpatient" || p.Title != "门诊就诊流程" || len(p.Steps) != 7 || p.Keywords[0] != "门诊" {
		t.Errorf("first process = %+v", p)
	}
	if strings.HasPrefix(p.Steps[0], "1.") {
		t.Errorf("step keeps its number: %q", p.Steps[0])
	}
	if d.Synonyms[0][0] != "磁共振" || len(d.Synonyms[0]) != 5 {
		t.Errorf("first synonym group = %q", d.Synonyms[0])
	}
	if len(d.FAQ[0].Questions) != 3 || !strings.HasPrefix(d.FAQ[0].Answer, "门诊时间") {
		t.Errorf("first FAQ = %+v", d.FAQ[0])
	}
}

func TestLoadDirIgnoresOtherFilesAndMissingOnes(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("synonyms.txt", "核磁,MRI\n")
	write("prices-bad.csv", "this is not,a valid\"file\n")
	write("README.md", "# notes\n")
	write("dialogs.json", "{")
	write("processes/README.md", "about these files\n")
	d, err := LoadDir(dir)
	if err != nil {
		t.Fatalf("LoadDir: %v", err)
	}
	if len(d.Synonyms) != 1 || len(d.Prices) != 0 || len(d.Processes) != 0 {
		t.Errorf("got %d synonyms, %d prices, %d processes; want 1, 0, 0", len(d.Synonyms), len(d.Prices), len(d.Processes))
	}
}

func TestParseFS(t *testing.T) {
	fsys := fstest.MapFS{
		"prices.csv":        {Data: []byte("code,name,category,unit,price,insurance,note\nA1,挂号费,挂号,次,1,甲,\n")},
		"processes/x.md":    {Data: []byte("# 住院\nkeywords：住院、入院\n1. 开住院证\n2. 办手续\n")},
		"processes/bad.txt": {Data: []byte("ignored")},
	}
	d, err := ParseFS(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Prices) != 1 || d.Prices[0].Cents != 100 {
		t.Errorf("prices = %+v", d.Prices)
	}
	want := Process{ID: "x", Title: "住院", Keywords: []string{"住院", "入院"}, Steps: []string{"开住院证", "办手续"}}
	if len(d.Processes) != 1 || !reflect.DeepEqual(d.Processes[0], want) {
		t.Errorf("processes = %+v, want %+v", d.Processes, want)
	}
}

func TestGBKPricesEqualFirst40(t *testing.T) {
	utf, err := Parse(KindPrices, "prices.csv", readEval(t, "prices.csv"))
	if err != nil {
		t.Fatal(err)
	}
	gbk, err := Parse(KindPrices, "prices-gbk.csv", readEval(t, "prices-gbk.csv"))
	if err != nil {
		t.Fatalf("GBK file: %v", err)
	}
	if !reflect.DeepEqual(gbk.Prices, utf.Prices[:40]) {
		t.Errorf("GBK prices differ from the first 40 UTF-8 rows")
	}
}

func TestEncodings(t *testing.T) {
	text := "code,name,category,unit,price,insurance,note\n110100001,普通门诊挂号费,挂号,次,1.00,甲,备注\n"
	gb, err := simplifiedchinese.GB18030.NewEncoder().String(text)
	if err != nil {
		t.Fatal(err)
	}
	utf16 := []byte{0xFF, 0xFE}
	for _, r := range text {
		utf16 = append(utf16, byte(r), byte(r>>8))
	}
	for name, raw := range map[string][]byte{
		"utf8":     []byte(text),
		"utf8-bom": append([]byte{0xEF, 0xBB, 0xBF}, text...),
		"crlf":     []byte(strings.ReplaceAll(text, "\n", "\r\n")),
		"gb18030":  []byte(gb),
		"utf16":    utf16,
	} {
		d, err := Parse(KindPrices, "prices.csv", raw)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		want := PriceItem{Code: "110100001", Name: "普通门诊挂号费", Category: "挂号", Unit: "次", Cents: 100, Insurance: "甲", Note: "备注"}
		if len(d.Prices) != 1 || d.Prices[0] != want {
			t.Errorf("%s: got %+v", name, d.Prices)
		}
	}
}

func TestBadPricesFileNamesLines5And9(t *testing.T) {
	d, err := Parse(KindPrices, "prices-bad.csv", readEval(t, "prices-bad.csv"))
	if d != nil {
		t.Errorf("a bad file returned data: %d prices", len(d.Prices))
	}
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("err = %v, want *ValidationError", err)
	}
	lines := []int{}
	for _, p := range ve.Problems {
		lines = append(lines, p.Line)
	}
	if !reflect.DeepEqual(lines, []int{5, 9}) {
		t.Errorf("problem lines = %v, want [5 9]", lines)
	}
	msg := err.Error()
	for _, want := range []string{`line 5: price "abc" is not a number`, "line 9: expected 7 fields, got 6"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q lacks %q", msg, want)
		}
	}
}

// problemsOf parses and returns the problems as strings (nil when valid).
func problemsOf(t *testing.T, kind Kind, name, text string) []string {
	t.Helper()
	_, err := Parse(kind, name, []byte(text))
	if err == nil {
		return nil
	}
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("err = %v, want *ValidationError", err)
	}
	var out []string
	for _, p := range ve.Problems {
		out = append(out, p.String())
	}
	return out
}

func TestPriceValidation(t *testing.T) {
	const header = "code,name,category,unit,price,insurance,note\n"
	tests := []struct {
		name, body string
		want       []string
	}{
		{"ok", "A,血常规,检验,次,22,乙类,\n", nil},
		{"empty code", ",血常规,检验,次,22,甲,\n", []string{"line 2: code is empty"}},
		{"empty name", "A,,检验,次,22,甲,\n", []string{"line 2: name is empty"}},
		{"negative", "A,x,检验,次,-1,甲,\n", []string{`line 2: price "-1" is negative`}},
		{"3 decimals", "A,x,检验,次,1.005,甲,\n", []string{`line 2: price "1.005" has more than 2 decimals`}},
		{"empty price", "A,x,检验,次,,甲,\n", []string{"line 2: price is empty"}},
		{"insurance", "A,x,检验,次,1,丁,\n", []string{`line 2: insurance "丁" is not one of 甲 乙 丙 自费`}},
		{"duplicate code", "A,x,检验,次,1,甲,\nA,y,检验,次,2,甲,\n", []string{`line 3: duplicate code "A" (first on line 2)`}},
		{"bare quote", "A,x\"y,检验,次,1,甲,\nB,z,检验,次,2,甲,\n", []string{`line 2: a quote (") appears inside a field that is not quoted`}},
		{"all rows reported", "A,x,检验,次,abc,甲,\nB,y,检验,次\nC,z,检验,次,1,丁,\n", []string{
			`line 2: price "abc" is not a number`, "line 3: expected 7 fields, got 4", `line 4: insurance "丁" is not one of 甲 乙 丙 自费`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := problemsOf(t, KindPrices, "prices.csv", header+tt.body)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("problems = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestPriceAmounts(t *testing.T) {
	for in, want := range map[string]int64{"150": 15000, "150.5": 15050, "150.00": 15000, "0.01": 1, "0": 0, " 16.80 ": 1680, ".5": 50} {
		got, reason := parseYuan(strings.TrimSpace(in))
		if reason != "" || got != want {
			t.Errorf("parseYuan(%q) = %d, %q; want %d", in, got, reason, want)
		}
	}
}

func TestCSVHeaderByName(t *testing.T) {
	d, err := Parse(KindPrices, "prices.csv", []byte("Price,Name,Code,extra,unit,category,insurance\n9.90,布洛芬,YP1,x,盒,药品,\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := PriceItem{Code: "YP1", Name: "布洛芬", Category: "药品", Unit: "盒", Cents: 990}
	if d.Prices[0] != want {
		t.Errorf("got %+v, want %+v", d.Prices[0], want)
	}
	got := problemsOf(t, KindPrices, "prices.csv", "code,name,category,unit,insurance\nA,x,检验,次,甲\n")
	if len(got) != 1 || !strings.Contains(got[0], `lacks required column "price"`) {
		t.Errorf("missing price column: problems = %q", got)
	}
	if got := problemsOf(t, KindPrices, "prices.csv", ""); len(got) != 1 || !strings.Contains(got[0], "header") {
		t.Errorf("empty file: problems = %q", got)
	}
	if got := problemsOf(t, KindPrices, "prices.csv", "code,name,category,unit,price,insurance\n"); len(got) != 1 || !strings.Contains(got[0], "no prices rows") {
		t.Errorf("header only: problems = %q", got)
	}
}

func TestDepartmentsAndSchedules(t *testing.T) {
	d, err := Parse(KindDepartments, "departments.csv", []byte("name,aliases,location,phone,intro\n儿科, 小儿科 | 儿童科||,门诊楼2楼,123,\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := d.Departments[0].Aliases; !reflect.DeepEqual(got, []string{"小儿科", "儿童科"}) {
		t.Errorf("aliases = %q", got)
	}
	if got := problemsOf(t, KindDepartments, "departments.csv", "name,aliases,location,phone,intro\n,x,y,z,\n"); !reflect.DeepEqual(got, []string{"line 2: name is empty"}) {
		t.Errorf("empty name: %q", got)
	}

	const header = "department,doctor,title,weekday,period,location,note\n"
	d, err = Parse(KindSchedules, "schedules.csv", []byte(header+
		"儿科,甲,主任医师,3,上午,,\n儿科,乙,主任医师,星期日,晚上,,\n儿科,丙,主任医师,周天,下午,,\n"))
	if err != nil {
		t.Fatal(err)
	}
	got := [][2]any{}
	for _, s := range d.Schedules {
		got = append(got, [2]any{s.Weekday, s.Period})
	}
	if want := [][2]any{{3, "上午"}, {7, "夜间"}, {7, "下午"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("sessions = %v, want %v", got, want)
	}
	probs := problemsOf(t, KindSchedules, "schedules.csv", header+",甲,主任医师,8,中午,,\n")
	want := []string{"line 2: department is empty", `line 2: weekday "8" is not 1-7 or 周一..周日`, `line 2: period "中午" is not one of 上午 下午 夜间`}
	if !reflect.DeepEqual(probs, want) {
		t.Errorf("problems = %q, want %q", probs, want)
	}
}

func TestProcessParsing(t *testing.T) {
	d, err := Parse(KindProcesses, "processes/06-insurance.md", []byte(
		"\ufeff# 医保报销\n\n关键词：医保, 报销，异地\n说明文字\n1. 第一步\n   续行\n2、第二步\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := Process{ID: "06-insurance", Title: "医保报销", Keywords: []string{"医保", "报销", "异地"}, Steps: []string{"第一步\n续行", "第二步"}}
	if !reflect.DeepEqual(d.Processes[0], want) {
		t.Errorf("got %+v, want %+v", d.Processes[0], want)
	}
	got := problemsOf(t, KindProcesses, "empty-steps.md", "# 标题\nkeywords: a\n没有步骤\n")
	if len(got) != 1 || !strings.HasPrefix(got[0], "empty-steps.md: no steps") {
		t.Errorf("no steps: problems = %q", got)
	}
	got = problemsOf(t, KindProcesses, "x.md", "标题\n1. a\n")
	if len(got) != 1 || !strings.HasPrefix(got[0], "x.md line 1: first line must be the title") {
		t.Errorf("no title: problems = %q", got)
	}
}

func TestFAQParsing(t *testing.T) {
	d, err := Parse(KindFAQ, "faq.yaml", []byte("- questions: [\"几点上班\", \"  \", \"几点上班\"]\n  answer: \"8点\"\n- question: 停车\n  answer: 有\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []FAQEntry{{Questions: []string{"几点上班"}, Answer: "8点"}, {Questions: []string{"停车"}, Answer: "有"}}
	if !reflect.DeepEqual(d.FAQ, want) {
		t.Errorf("got %+v, want %+v", d.FAQ, want)
	}
	got := problemsOf(t, KindFAQ, "faq.yaml", "- questions: [\"a\"]\n  answer: \"b\"\n- questions: []\n  answer: \"c\"\n- questions: [\"d\"]\n")
	if want := []string{"line 3: entry has no question", "line 5: entry has no answer"}; !reflect.DeepEqual(got, want) {
		t.Errorf("problems = %q, want %q", got, want)
	}
	got = problemsOf(t, KindFAQ, "faq.yaml", "- questions: [\"a\"\n  answer: x\n")
	if len(got) != 1 || !strings.Contains(got[0], "not valid YAML") {
		t.Errorf("syntax error: problems = %q", got)
	}
}

func TestSynonymParsing(t *testing.T) {
	d, err := Parse(KindSynonyms, "synonyms.txt", []byte("# 注释\n\n核磁，磁共振, MRI\r\n彩超,B超\n"))
	if err != nil {
		t.Fatal(err)
	}
	if want := [][]string{{"核磁", "磁共振", "MRI"}, {"彩超", "B超"}}; !reflect.DeepEqual(d.Synonyms, want) {
		t.Errorf("got %q, want %q", d.Synonyms, want)
	}
	got := problemsOf(t, KindSynonyms, "synonyms.txt", "a,b\n孤词\n")
	if len(got) != 1 || !strings.HasPrefix(got[0], "line 2: a synonym group needs at least 2 words") {
		t.Errorf("problems = %q", got)
	}
}

func TestParseKind(t *testing.T) {
	if k, err := ParseKind(" FAQ "); err != nil || k != KindFAQ {
		t.Errorf("ParseKind(FAQ) = %q, %v", k, err)
	}
	if _, err := ParseKind("drugs"); err == nil || !strings.Contains(err.Error(), "prices") {
		t.Errorf("ParseKind(drugs) error = %v, want one naming the valid kinds", err)
	}
}

func TestUndecodableFileIsRejected(t *testing.T) {
	got := problemsOf(t, KindSynonyms, "synonyms.txt", "\xff\xff\xff,\x81")
	if len(got) != 1 || !strings.Contains(got[0], "neither UTF-8 nor GB18030") {
		t.Errorf("problems = %q, want one naming the encoding", got)
	}
}
