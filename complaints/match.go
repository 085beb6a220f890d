package complaints

import (
	"regexp"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/hospital/wxbot/knowledge"
	"github.com/hospital/wxbot/textnorm"
)

var (
	mobileRE   = regexp.MustCompile(`^1[3-9]\d{9}$`)
	landlineRE = regexp.MustCompile(`^0\d{2,3}-?\d{7,8}$`)
)

// NormalizePhone returns a contact phone in canonical form (a mainland mobile
// 1[3-9]xxxxxxxxx or a landline 0xxx-xxxxxxxx) and whether s is one. Spaces,
// full-width digits and a +86 prefix on mobiles are accepted.
func NormalizePhone(s string) (string, bool) {
	s = textnorm.Normalize(s)
	s = strings.NewReplacer(" ", "", "(", "", ")", "").Replace(s)
	if strings.HasPrefix(s, "+86") {
		s = s[3:]
	}
	s = strings.TrimPrefix(s, "-")
	if m := strings.ReplaceAll(s, "-", ""); mobileRE.MatchString(m) {
		return m, true
	}
	if landlineRE.MatchString(s) {
		if !strings.Contains(s, "-") {
			// Area codes are 3 digits for 010 and 02x, 4 otherwise.
			n := 4
			if strings.HasPrefix(s, "010") || strings.HasPrefix(s, "02") {
				n = 3
			}
			s = s[:n] + "-" + s[n:]
		}
		return s, true
	}
	return "", false
}

// MaskPhone hides the middle of a phone number: 138****1234, 0736-****1315.
func MaskPhone(p string) string {
	if p == "" {
		return ""
	}
	if i := strings.IndexByte(p, '-'); i > 0 {
		rest := p[i+1:]
		if len(rest) <= 4 {
			return p[:i+1] + "****"
		}
		return p[:i+1] + "****" + rest[len(rest)-4:]
	}
	if len(p) < 8 {
		return "****"
	}
	return p[:3] + "****" + p[len(p)-4:]
}

// deptTerm is one matchable department word.
type deptTerm struct {
	term string // normalised
	name string // the department's name
}

// deptMatcher matches department names and aliases in text; it is rebuilt when
// the knowledge data changes.
type deptMatcher struct {
	mu    sync.Mutex
	data  *knowledge.Data
	terms []deptTerm
}

func (m *deptMatcher) load(d *knowledge.Data) []deptTerm {
	m.mu.Lock()
	defer m.mu.Unlock()
	if d == m.data && m.terms != nil {
		return m.terms
	}
	var terms []deptTerm
	if d != nil {
		for _, dep := range d.Departments {
			for _, w := range append([]string{dep.Name}, dep.Aliases...) {
				if n := textnorm.Normalize(w); utf8.RuneCountInString(n) >= 2 {
					terms = append(terms, deptTerm{term: n, name: dep.Name})
				}
			}
		}
	}
	// Longest first, so 神经外科 wins over the alias 外科 inside it.
	sort.SliceStable(terms, func(i, j int) bool { return len(terms[i].term) > len(terms[j].term) })
	m.data, m.terms = d, terms
	return terms
}

// find returns the departments named in norm (normalised text), in order of
// first mention, without overlaps.
func (m *deptMatcher) find(d *knowledge.Data, norm string) []string {
	terms := m.load(d)
	used := make([]bool, len(norm))
	type hit struct {
		pos  int
		name string
	}
	var hits []hit
	for _, t := range terms {
		from := 0
		for {
			i := strings.Index(norm[from:], t.term)
			if i < 0 {
				break
			}
			i += from
			free := true
			for k := i; k < i+len(t.term); k++ {
				if used[k] {
					free = false
					break
				}
			}
			if free {
				for k := i; k < i+len(t.term); k++ {
					used[k] = true
				}
				hits = append(hits, hit{i, t.name})
			}
			from = i + len(t.term)
		}
	}
	sort.Slice(hits, func(i, j int) bool { return hits[i].pos < hits[j].pos })
	var out []string
	for _, h := range hits {
		if !containsString(out, h.name) {
			out = append(out, h.name)
		}
	}
	return out
}

// exact returns the department whose name or alias equals norm.
func (m *deptMatcher) exact(d *knowledge.Data, norm string) (string, bool) {
	for _, t := range m.load(d) {
		if t.term == norm {
			return t.name, true
		}
	}
	return "", false
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

const (
	cnNum    = `[一二两三四五六七八九十]{1,3}`
	dayWords = `(?:大前天|前天|昨天|昨日|昨晚|昨夜|今天|今日|今早|今晨|前晚|刚才|刚刚|` +
		`(?:上|这|本|上个|这个)?(?:周|星期|礼拜)[一二三四五六日天末]|上周|上个?星期|上个?月|本月|这个月|` +
		`(?:\d{4}年)?(?:\d{1,2}|` + cnNum + `)月(?:\d{1,2}|` + cnNum + `)[日号]|` +
		`\d{4}-\d{1,2}-\d{1,2}|\d{1,2}/\d{1,2}|\d{1,2}日)`
	partWords  = `(?:上午|下午|中午|晚上|早上|早晨|傍晚|凌晨|夜里|半夜|夜间)`
	clockWords = `(?:\d{1,2}|` + cnNum + `)(?:点|时|:\d{2})(?:\d{1,2}分|半|多|左右)?`
)

// whenRE finds a time expression: a day, optionally with a part of the day and
// a clock time, or a clock time with a part of the day.
var whenRE = regexp.MustCompile(dayWords + partWords + `?(?:` + clockWords + `)?|` + partWords + clockWords)

// findWhen returns the first time expression in norm, or "".
func findWhen(norm string) string {
	return whenRE.FindString(norm)
}

// categoryWords guess a category from the description, first match wins.
var categoryWords = []struct {
	category string
	words    []string
}{
	{CategoryFees, []string{"多收", "乱收", "重复收费", "收费不", "收费错", "收费标准", "收错", "费用", "价格", "退费", "发票", "报销", "太贵", "贵了", "多扣"}},
	{CategoryService, []string{"态度", "冷漠", "凶", "骂", "不耐烦", "吼", "不理", "敷衍", "推诿", "脸色"}},
	{CategoryQuality, []string{"误诊", "漏诊", "治疗", "手术", "用药", "开错", "病情", "医疗事故", "感染", "并发症", "副作用"}},
	{CategoryProcess, []string{"排队", "等了", "候诊", "叫号", "挂号", "预约", "窗口", "流程", "等待", "插队", "号源"}},
	{CategoryEnvironment, []string{"环境", "卫生", "厕所", "停车", "电梯", "空调", "噪音", "脏", "设施", "座椅", "饮水"}},
}

// guessCategory returns the category suggested by the description.
func guessCategory(norm string) string {
	for _, c := range categoryWords {
		for _, w := range c.words {
			if strings.Contains(norm, w) {
				return c.category
			}
		}
	}
	return CategoryOther
}

// questionWords mark a message as a question rather than an answer to the form.
var questionWords = []string{"多少钱", "多少", "怎么", "如何", "哪里", "在哪", "哪个", "几点", "什么时候", "几号", "能不能", "可以吗", "要不要", "是否", "吗", "呢", "电话", "号码", "热线"}

// looksLikeQuestion reports whether raw (the message as sent) or norm reads as a question.
func looksLikeQuestion(raw, norm string) bool {
	r := strings.TrimSpace(raw)
	if strings.HasSuffix(r, "?") || strings.HasSuffix(r, "？") {
		return true
	}
	for _, w := range questionWords {
		if strings.Contains(norm, w) {
			return true
		}
	}
	return false
}
