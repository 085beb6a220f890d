// Package search finds what a patient's words refer to in the hospital's
// data: price items, departments, doctors, processes, process steps and FAQ
// entries. Matching is by coverage over Chinese characters and Latin tokens,
// with the data's synonym groups, rarity weights, and pinyin for typos and
// romanised input. An Index is built once per data version and is safe for
// concurrent use.
package search

import (
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/hospital/wxbot/knowledge"
	"github.com/hospital/wxbot/textnorm"
)

// TextKind says where a text document comes from.
type TextKind int

// Text document kinds.
const (
	TextStep TextKind = iota
	TextFAQ
	TextDepartment
)

// TextRef locates one text document (a process step, an FAQ answer, a
// department's introduction).
type TextRef struct {
	Kind  TextKind
	Index int // process, FAQ entry or department index
	Step  int // step index for TextStep
}

// Index is the searchable form of one version of knowledge.Data.
type Index struct {
	// Data is the data the index was built from.
	Data *knowledge.Data

	syn     *synonyms
	synText *synonyms

	items     *corpus    // doc i = Data.Prices[i]
	itemNorm  []string   // normalised item names
	itemTerms [][]string // Han runs of each item name (length >= 2)
	itemCore  []string   // names without trailing parenthesis or strength

	faq      *corpus // one doc per question
	faqEntry []int

	procs  *corpus // title and keyword docs
	procOf []int

	texts   *corpus
	textRef []TextRef

	// topics holds one document per FAQ entry (questions and answer) and
	// per process step (title, keywords and step), for questions phrased
	// unlike any stored question.
	topics     *corpus
	topicHeads *corpus // the same documents' questions, or title and keywords
	topicRef   []TextRef

	noteTags map[string][]int // a note's comma-separated part -> items

	deptNames [][]string      // normalised name then aliases, per department
	deptDocs  *corpus         // per department: name, aliases and introduction
	words     map[string]bool // Han bigrams of curated words (names, aliases, synonyms, lexicon)
	doctors   []string        // distinct doctor names, data order
	docSess   map[string][]int

	bigrams map[string]bool // every Han bigram of the data
	latin   map[string]bool // every Latin token of the data
	py      *pinyinDict
}

// Build indexes d. It never fails; empty data gives an index that finds nothing.
func Build(d *knowledge.Data) *Index {
	if d == nil {
		d = &knowledge.Data{}
	}
	x := &Index{
		Data:    d,
		syn:     newSynonyms(d.Synonyms),
		bigrams: map[string]bool{},
		latin:   map[string]bool{},
		py:      newPinyinDict(),
		docSess: map[string][]int{},
	}
	var names []string
	for _, p := range d.Prices {
		names = append(names, compact(textnorm.Normalize(p.Name)))
	}
	patient := applicableGroups(patientItemGroups, names)
	x.syn = newSynonyms(append(append([][]string{}, d.Synonyms...), patient...))
	x.synText = newSynonyms(append(append(append([][]string{}, d.Synonyms...), conceptGroups...), patient...))
	x.items = newCorpus(x.syn)
	x.topics = newCorpus(x.synText)
	x.topicHeads = newCorpus(x.synText)
	x.noteTags = map[string][]int{}
	x.faq = newCorpus(x.synText)
	x.procs = newCorpus(x.synText)
	x.texts = newCorpus(x.synText)
	x.deptDocs = newCorpus(x.synText)
	x.words = map[string]bool{}

	for _, p := range d.Prices {
		n := compact(textnorm.Normalize(p.Name))
		us := Units(n)
		x.items.add(us)
		x.itemNorm = append(x.itemNorm, n)
		terms := hanRuns(us)
		x.itemTerms = append(x.itemTerms, terms)
		x.itemCore = append(x.itemCore, coreOf(textnorm.Normalize(p.Name)))
		for _, t := range terms {
			x.py.add(t)
		}
		x.vocab(us)
		for _, tag := range noteParts(p.Note) {
			x.noteTags[tag] = append(x.noteTags[tag], len(x.itemNorm)-1)
		}
	}
	cats := make([]string, len(d.Prices))
	for i, p := range d.Prices {
		cats[i] = p.Category
	}
	x.items.setCategories(cats)
	for ei, e := range d.FAQ {
		for _, q := range e.Questions {
			us := Units(compact(textnorm.Normalize(q)))
			x.faq.add(us)
			x.faqEntry = append(x.faqEntry, ei)
			x.vocab(us)
		}
		us := Units(compact(textnorm.Normalize(e.Answer)))
		x.addText(us, TextRef{Kind: TextFAQ, Index: ei})
		var all []string
		for _, q := range e.Questions {
			all = append(append(all, Units(compact(textnorm.Normalize(q)))...), sep)
		}
		x.topics.add(append(append([]string{}, all...), us...))
		x.topicHeads.add(all)
		x.topicRef = append(x.topicRef, TextRef{Kind: TextFAQ, Index: ei})
	}
	for pi, p := range d.Processes {
		title := Units(compact(textnorm.Normalize(p.Title)))
		x.procs.add(title)
		x.procOf = append(x.procOf, pi)
		x.vocab(title)
		for _, k := range p.Keywords {
			n := compact(textnorm.Normalize(k))
			us := Units(n)
			if len(us) == 0 {
				continue
			}
			x.procs.add(us)
			x.procOf = append(x.procOf, pi)
			x.py.add(n)
			x.vocab(us)
		}
		head := append(append([]string{}, title...), sep)
		for _, k := range p.Keywords {
			head = append(append(head, Units(compact(textnorm.Normalize(k)))...), sep)
		}
		for si, s := range p.Steps {
			st := Units(compact(textnorm.Normalize(s)))
			us := append(append(append([]string{}, title...), sep), st...)
			x.addText(us, TextRef{Kind: TextStep, Index: pi, Step: si})
			x.topics.add(append(append([]string{}, head...), st...))
			x.topicHeads.add(head)
			x.topicRef = append(x.topicRef, TextRef{Kind: TextStep, Index: pi, Step: si})
		}
	}
	for di, dep := range d.Departments {
		names := []string{compact(textnorm.Normalize(dep.Name))}
		for _, a := range dep.Aliases {
			if n := compact(textnorm.Normalize(a)); n != "" {
				names = append(names, n)
			}
		}
		x.deptNames = append(x.deptNames, names)
		for _, n := range names {
			x.py.add(n)
			x.vocab(Units(n))
		}
		us := append(append(Units(names[0]), sep), Units(compact(textnorm.Normalize(dep.Intro)))...)
		x.addText(us, TextRef{Kind: TextDepartment, Index: di})
		var doc []string
		for _, n := range names {
			doc = append(append(doc, Units(n)...), sep)
			x.addWord(n)
		}
		x.deptDocs.add(append(doc, Units(compact(textnorm.Normalize(dep.Intro)))...))
	}
	for si, s := range d.Schedules {
		n := compact(textnorm.Normalize(s.Doctor))
		if n == "" {
			continue
		}
		if _, ok := x.docSess[n]; !ok {
			x.doctors = append(x.doctors, n)
			x.py.add(n)
		}
		x.docSess[n] = append(x.docSess[n], si)
	}
	for _, g := range d.Synonyms {
		for _, w := range g {
			n := compact(textnorm.Normalize(w))
			x.py.add(n)
			x.vocab(Units(n))
		}
	}
	for _, n := range x.itemNorm {
		x.addWord(n)
	}
	for _, p := range d.Processes {
		x.addWord(compact(textnorm.Normalize(p.Title)))
		for _, k := range p.Keywords {
			x.addWord(compact(textnorm.Normalize(k)))
		}
	}
	for _, gs := range [][][]string{d.Synonyms, patientItemGroups, conceptGroups} {
		for _, g := range gs {
			for _, w := range g {
				x.addWord(compact(textnorm.Normalize(w)))
			}
		}
	}
	return x
}

// addWord records the Han bigrams of a curated word.
func (x *Index) addWord(n string) {
	us := Units(n)
	for i := 0; i+1 < len(us); i++ {
		if us[i] != sep && us[i+1] != sep && !isLatin(us[i]) && !isLatin(us[i+1]) {
			x.words[us[i]+us[i+1]] = true
		}
	}
}

// DepartmentsByTopic scores departments by their name, aliases and
// introduction against text (a symptom or service: 黄疸, 咳嗽, 羊水穿刺),
// best first.
func (x *Index) DepartmentsByTopic(text string) []Hit {
	return x.deptDocs.search(Units(compact(text)), false)
}

// addText adds a text document and its vocabulary.
func (x *Index) addText(us []string, ref TextRef) {
	x.texts.add(us)
	x.textRef = append(x.textRef, ref)
	x.vocab(us)
}

// vocab records the Han bigrams and Latin tokens of us.
func (x *Index) vocab(us []string) {
	for i, u := range us {
		if u == sep {
			continue
		}
		if isLatin(u) {
			x.latin[u] = true
			continue
		}
		if i+1 < len(us) && us[i+1] != sep && !isLatin(us[i+1]) {
			x.bigrams[u+us[i+1]] = true
		}
	}
}

// hanRuns returns the maximal runs of two or more Han units.
func hanRuns(us []string) []string {
	var out []string
	start := -1
	flush := func(end int) {
		if start >= 0 && end-start >= 2 {
			out = append(out, strings.Join(us[start:end], ""))
		}
		start = -1
	}
	for i, u := range us {
		if u != sep && !isLatin(u) {
			if start < 0 {
				start = i
			}
			continue
		}
		flush(i)
	}
	flush(len(us))
	return out
}

// Correct rewrites normalised text: romanised words (full pinyin or
// initials of a curated word) and Chinese chunks that occur nowhere in the
// data but sound like a curated word (homophone typos) are replaced by that
// word. Everything else is kept.
func (x *Index) Correct(norm string) string {
	us := Units(compact(norm))
	if len(us) == 0 {
		return ""
	}
	var out []string
	for i := 0; i < len(us); {
		u := us[i]
		if isLatin(u) && hasLetter(u) && !x.latin[u] {
			// A run of unknown Latin tokens: try it whole, then one by one.
			j := i
			for j < len(us) && isLatin(us[j]) && hasLetter(us[j]) && !x.latin[us[j]] {
				j++
			}
			if w, ok := x.py.lookupLatin(strings.Join(us[i:j], "")); ok {
				out = append(out, Units(w)...)
				i = j
				continue
			}
			if w, ok := x.py.lookupLatin(u); ok {
				out = append(out, Units(w)...)
			} else if w, ok := x.segmentLatin(u); ok {
				out = append(out, Units(w)...)
			} else {
				out = append(out, u)
			}
			i++
			continue
		}
		out = append(out, u)
		i++
	}
	return join(x.correctHan(out))
}

// pinyinPhrases are question words patients type in pinyin, spelt without
// tones or spaces (duoshaoqian).
var pinyinPhrases = map[string]string{
	"duoshaoqian": "多少钱", "duoshao": "多少", "jiage": "价格", "shoufei": "收费", "feiyong": "费用",
	"qian": "钱", "guabugui": "贵不贵", "zenmeban": "怎么办", "zenme": "怎么", "liucheng": "流程",
	"shouxu": "手续", "zaina": "在哪", "zainali": "在哪里", "jidian": "几点", "shenmeshihou": "什么时候",
	"youmeiyou": "有没有", "guahao": "挂号", "chuzhen": "出诊", "yici": "一次", "ma": "吗", "ne": "呢",
	"de": "的", "yao": "要", "zuo": "做", "kan": "看", "jiqian": "多少钱", "jiduoqian": "多少钱",
}

// segmentLatin spells a run of pinyin words typed together (tuinaduoshaoqian,
// after spaces were collapsed) as curated words and question words, using
// the fewest parts; curated words are read from full pinyin only.
func (x *Index) segmentLatin(s string) (string, bool) {
	s = strings.ToLower(s)
	n := len(s)
	if n < 4 || n > 64 {
		return "", false
	}
	type cell struct {
		parts int
		prev  int
		word  string
		item  bool
	}
	best := make([]cell, n+1)
	for i := 1; i <= n; i++ {
		best[i].parts = -1
	}
	for i := 0; i < n; i++ {
		if i > 0 && best[i].parts < 0 {
			continue
		}
		for j := i + 2; j <= n; j++ {
			piece := s[i:j]
			w, item := "", false
			if ws := x.py.full[piece]; len(ws) > 0 {
				w, item = ws[0], true
			} else if p, ok := pinyinPhrases[piece]; ok {
				w = p
			}
			if w == "" {
				continue
			}
			if c := best[i].parts + 1; best[j].parts < 0 || c < best[j].parts {
				best[j] = cell{parts: c, prev: i, word: w, item: item || best[i].item}
			}
		}
	}
	if best[n].parts < 0 || !best[n].item {
		return "", false
	}
	var words []string
	for j := n; j > 0; j = best[j].prev {
		words = append([]string{best[j].word}, words...)
	}
	return strings.Join(words, ""), true
}

// correctHan replaces Chinese chunks not covered by any bigram of the data
// with a curated word of the same pinyin.
func (x *Index) correctHan(us []string) []string {
	covered := make([]bool, len(us))
	// Each Han unit's readings, looked up once (units are single characters).
	// nil for a unit that is not one character (looked up the long way).
	rd := make([][]string, len(us))
	readUnit := func(k int) {
		rd[k] = nil
		if r, n := utf8.DecodeRuneInString(us[k]); n == len(us[k]) && isHan(r) {
			rd[k] = runeReadings(r)
			if alt, ok := nearForms[r]; ok {
				// A look-alike character's readings too (针炙 -> 针灸).
				rd[k] = append(append([]string(nil), rd[k]...), runeReadings(alt)...)
			}
			if rd[k] == nil {
				rd[k] = []string{}
			}
		}
	}
	for k := range us {
		readUnit(k)
	}
	for i := 0; i+1 < len(us); i++ {
		if isHanUnit(us[i]) && isHanUnit(us[i+1]) && x.bigrams[us[i]+us[i+1]] {
			covered[i], covered[i+1] = true, true
		}
		// How many (几针, 几次, 几天) is a question, never a typo of a
		// word that sounds alike (急诊).
		if us[i] == "几" && strings.Contains(countUnits, us[i+1]) {
			covered[i], covered[i+1] = true, true
		}
	}
	for i := 0; i < len(us); i++ {
		if !isHanUnit(us[i]) || covered[i] {
			continue
		}
		// Windows of 2..5 Han units containing position i, longest first.
		done := false
		for l := 5; l >= 2 && !done; l-- {
			for s := i - l + 1; s <= i && !done; s++ {
				if s < 0 || s+l > len(us) {
					continue
				}
				ok := true
				for k := s; k < s+l; k++ {
					if !isHanUnit(us[k]) {
						ok = false
						break
					}
				}
				if !ok {
					continue
				}
				var w string
				var found bool
				if oneChar(rd[s : s+l]) {
					w, found = x.py.lookupReadings(rd[s : s+l])
				} else {
					w, found = x.py.lookupHanUnits(us[s : s+l])
				}
				if !found || w == strings.Join(us[s:s+l], "") {
					continue
				}
				wu := Units(w)
				if len(wu) != l || !plausibleSound(us[s:s+l], wu) {
					continue
				}
				copy(us[s:s+l], wu)
				for k := s; k < s+l; k++ {
					covered[k] = true
					readUnit(k)
				}
				done = true
			}
		}
	}
	return us
}

// countUnits are measure words asked about with 几 (几针, 几次).
const countUnits = "针次天个盒瓶周岁号点剂片粒支袋贴顿回遍年月小时分钟"

// plausibleSound reports whether a homophone correction of units got into
// word needs a secondary reading (a heteronym) for at most a third of its
// characters: 血长规 -> 血常规 takes 长 as chang, but 哪个大夫 -> 哪肝胆夫
// took 个 as gan and 胆 as da, and 不可 -> 妇科 不 as fu, readings no
// patient means. A position counts as natural when the two
// characters are the same, look alike (nearForms), or share their first
// readings.
func plausibleSound(units, word []string) bool {
	odd := 0
	for k := range units {
		a, _ := utf8.DecodeRuneInString(units[k])
		b, _ := utf8.DecodeRuneInString(word[k])
		if a == b || nearForms[a] == b {
			continue
		}
		ra, rb := runeReadings(a), runeReadings(b)
		if len(ra) > 0 && len(rb) > 0 && ra[0] == rb[0] {
			continue
		}
		odd++
	}
	return odd*3 <= len(units)
}

// nearForms are characters patients type for a look-alike one (炙 for 灸):
// a chunk found nowhere in the data may be a curated word with the other.
var nearForms = map[rune]rune{
	'炙': '灸', '灸': '炙', '己': '已', '已': '己', '末': '未', '未': '末', '拨': '拔', '拔': '拨',
	'刺': '剌', '剌': '刺', '束': '枣', '枣': '束', '戌': '戍', '戍': '戌', '盲': '肓', '肓': '盲',
	'祛': '怯', '怯': '祛', '嗽': '漱', '漱': '嗽',
}

// oneChar reports whether every unit of a window had its readings looked
// up as one character.
func oneChar(rd [][]string) bool {
	for _, r := range rd {
		if r == nil {
			return false
		}
	}
	return true
}

func isHanUnit(u string) bool {
	if u == "" {
		return false
	}
	r, _ := utf8.DecodeRuneInString(u)
	return isHan(r)
}

// Items scores price items against text (normalised, question words removed).
func (x *Index) Items(text string) []Hit {
	return x.items.search(Units(compact(text)), false)
}

// ItemCoverage scores one price item against text.
func (x *Index) ItemCoverage(text string, item int) Coverage {
	us := Units(compact(text))
	return x.items.score(us, x.syn.find(us), item, 2)
}

// ItemName returns the normalised name of item i.
func (x *Index) ItemName(i int) string { return x.itemNorm[i] }

// ItemCore returns item i's normalised name without its trailing
// parenthesis or strength: 血常规(五分类) -> 血常规.
func (x *Index) ItemCore(i int) string { return x.itemCore[i] }

func coreOf(n string) string {
	if i := strings.IndexAny(n, "("); i > 0 {
		n = n[:i]
	}
	if i := strings.Index(n, " "); i > 0 {
		n = n[:i]
	}
	return strings.TrimSpace(n)
}

// ItemTerms returns the Chinese words (runs of two or more characters) of item i's name.
func (x *Index) ItemTerms(i int) []string { return x.itemTerms[i] }

// FAQ scores FAQ entries (best question per entry) against text.
func (x *Index) FAQ(text string) []Hit {
	us := Units(compact(text))
	hs := x.faq.search(us, false)
	return bestPer(hs, x.faqEntry)
}

// Processes scores processes (best of title and keywords) against text.
func (x *Index) Processes(text string) []Hit {
	us := Units(compact(text))
	hs := x.procs.search(us, false)
	return bestPer(hs, x.procOf)
}

// bestPer keeps the best hit per owner, renumbering hits by owner.
func bestPer(hs []Hit, owner []int) []Hit {
	seen := map[int]bool{}
	var out []Hit
	for _, h := range hs {
		o := owner[h.ID]
		if seen[o] {
			continue
		}
		seen[o] = true
		h.ID = o
		out = append(out, h)
	}
	return out
}

// TextHit is a scored text document.
type TextHit struct {
	Ref TextRef
	Coverage
}

// Texts scores process steps, FAQ answers and department introductions
// against text; loose lets single characters count. keep, when non-nil,
// filters the documents considered.
func (x *Index) Texts(text string, loose bool, keep func(TextRef) bool) []TextHit {
	us := Units(compact(text))
	hs := x.texts.search(us, loose)
	var out []TextHit
	for _, h := range hs {
		r := x.textRef[h.ID]
		if keep != nil && !keep(r) {
			continue
		}
		out = append(out, TextHit{Ref: r, Coverage: h.Coverage})
	}
	return out
}

// Departments returns the departments named in text (by name or alias),
// longest mention first; overlapping shorter mentions are dropped.
func (x *Index) Departments(norm string) []int {
	s := compact(norm)
	type m struct{ dept, start, end int }
	var ms []m
	for di, names := range x.deptNames {
		for _, n := range names {
			if n == "" {
				continue
			}
			for off := 0; ; {
				k := strings.Index(s[off:], n)
				if k < 0 {
					break
				}
				ms = append(ms, m{di, off + k, off + k + len(n)})
				off += k + len(n)
			}
		}
	}
	sort.SliceStable(ms, func(i, j int) bool { return ms[i].end-ms[i].start > ms[j].end-ms[j].start })
	var taken []m
	var out []int
	seen := map[int]bool{}
	for _, c := range ms {
		overlap := false
		for _, t := range taken {
			if c.start < t.end && t.start < c.end && t.dept != c.dept {
				overlap = true
				break
			}
		}
		if overlap {
			continue
		}
		taken = append(taken, c)
		if !seen[c.dept] {
			seen[c.dept] = true
			out = append(out, c.dept)
		}
	}
	return out
}

// DepartmentsLoose is Departments that also accepts names without their
// place suffix 科 / 室 / 处 / 中心 (内分泌 for 内分泌科, 抽血 for 抽血处),
// keeping at least two characters.
func (x *Index) DepartmentsLoose(norm string) []int {
	if ds := x.Departments(norm); len(ds) > 0 {
		return ds
	}
	s := compact(norm)
	var out []int
	for di, names := range x.deptNames {
		for _, n := range names {
			stem := placeStem(n)
			if stem == "" {
				continue
			}
			if strings.Contains(s, stem) {
				out = append(out, di)
				break
			}
		}
	}
	return out
}

// LooseMentions returns the department name stems (names without their
// place suffix) found in text, to strip them from a query.
func (x *Index) LooseMentions(norm string) []string {
	s := compact(norm)
	var out []string
	for _, names := range x.deptNames {
		for _, n := range names {
			if stem := placeStem(n); stem != "" && strings.Contains(s, stem) {
				out = append(out, stem)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out
}

// placeSuffixes end names of places (抽血处, 化验室, 体检中心): the stem
// before them names the place too.
var placeSuffixes = []string{"中心", "科", "室", "处"}

// placeStem returns a department name or alias without its place suffix,
// keeping at least two characters; "" when it has none.
func placeStem(n string) string {
	for _, suf := range placeSuffixes {
		if strings.HasSuffix(n, suf) {
			stem := strings.TrimSuffix(n, suf)
			if utf8.RuneCountInString(stem) >= 2 {
				return stem
			}
		}
	}
	return ""
}

// DepartmentMentions returns the department names and aliases found in text
// (to strip them from a query).
func (x *Index) DepartmentMentions(norm string) []string {
	s := compact(norm)
	var out []string
	for _, names := range x.deptNames {
		for _, n := range names {
			if n != "" && strings.Contains(s, n) {
				out = append(out, n)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out
}

// Doctors returns the doctors whose full name occurs in text.
func (x *Index) Doctors(norm string) []string {
	s := compact(norm)
	var out []string
	for _, d := range x.doctors {
		if strings.Contains(s, d) {
			out = append(out, d)
		}
	}
	return out
}

// DoctorsBySurname returns the doctors whose name starts with surname.
func (x *Index) DoctorsBySurname(surname string) []string {
	var out []string
	for _, d := range x.doctors {
		if strings.HasPrefix(d, surname) && d != surname {
			out = append(out, d)
		}
	}
	return out
}

// DoctorSessions returns the indexes (into Data.Schedules) of doctor's sessions.
func (x *Index) DoctorSessions(doctor string) []int { return x.docSess[doctor] }

// SynonymsOf returns the words of every synonym group word found in text.
func (x *Index) SynonymsOf(text string) [][]string {
	us := Units(compact(text))
	var out [][]string
	seen := map[int]bool{}
	for _, o := range x.syn.find(us) {
		if !seen[o.group] {
			seen[o.group] = true
			out = append(out, x.syn.group(o.group))
		}
	}
	return out
}

// Known reports whether text has at least one Han bigram or Latin token that
// occurs somewhere in the data.
func (x *Index) Known(text string) bool {
	us := Units(compact(text))
	for i, u := range us {
		if isLatin(u) && x.latin[u] {
			return true
		}
		if i+1 < len(us) && isHanUnit(u) && isHanUnit(us[i+1]) && x.bigrams[u+us[i+1]] {
			return true
		}
	}
	return false
}

// Covers reports whether every unit of text appears in query, literally or
// through a synonym group the query names ("便常规" is covered by "大便常规").
func (x *Index) Covers(query, text string) bool {
	return x.Coverer(query)(text)
}

// Coverer prepares query once for many Covers tests.
func (x *Index) Coverer(query string) func(text string) bool {
	qu := Units(compact(query))
	have := map[string]bool{}
	for _, u := range qu {
		have[u] = true
	}
	qg := map[int]bool{}
	for _, o := range x.syn.find(qu) {
		qg[o.group] = true
	}
	return func(text string) bool { return x.covers(have, qg, text) }
}

func (x *Index) covers(have map[string]bool, qg map[int]bool, text string) bool {
	tu := Units(compact(text))
	if len(tu) == 0 {
		return false
	}
	ok := make([]bool, len(tu))
	for _, o := range x.syn.find(tu) {
		if qg[o.group] {
			for k := o.start; k < o.end; k++ {
				ok[k] = true
			}
		}
	}
	for i, u := range tu {
		if u == sep || ok[i] || have[u] {
			continue
		}
		return false
	}
	return true
}

// BestSentence returns the sentence of text (split at 。；;!?！？ and line
// breaks) that best matches query, or "" when none shares anything.
func (x *Index) BestSentence(query, text string) string {
	parts := splitSentences(text)
	if len(parts) == 0 {
		return ""
	}
	c := newCorpus(x.synText)
	for _, p := range parts {
		c.add(Units(compact(textnorm.Normalize(p))))
	}
	hs := c.search(Units(compact(query)), true)
	if len(hs) == 0 {
		return ""
	}
	return parts[hs[0].ID]
}

func splitSentences(text string) []string {
	var out []string
	var b strings.Builder
	flush := func() {
		if s := strings.TrimSpace(b.String()); s != "" {
			out = append(out, s)
		}
		b.Reset()
	}
	for _, r := range text {
		switch r {
		case '。', '；', ';', '!', '?', '！', '？', '\n':
			b.WriteRune(r)
			flush()
		default:
			b.WriteRune(r)
		}
	}
	flush()
	return out
}

// TrimForeignEdges removes leading characters that occur in no price item
// name (我妈想头颅CT -> 头颅CT), and one such trailing character, so chatter
// around an item name does not dilute its match. Latin tokens are kept.
func (x *Index) TrimForeignEdges(text string) string { return x.trimEdges(text, false) }

// TrimChatter is TrimForeignEdges that never cuts the first character of a
// curated word (孩子咳嗽 stays whole, 看不孕不育 -> 不孕不育).
func (x *Index) TrimChatter(text string) string { return x.trimEdges(text, true) }

// objectVerbs are verbs patients put before an item (拍胸片, 做胃镜, 吃叶酸):
// never part of the item's word.
const objectVerbs = "拍做查抽打照验测洗拔补开挂输扎看种换剪配量割镶装戴吃用买"

// GluedTrim reports whether trimmed (from TrimForeignEdges or TrimChatter)
// lost characters glued to its first word (玻 of 玻尿酸 -> 尿酸): the
// trimmed text may then be part of another word.
func (x *Index) GluedTrim(full, trimmed string) bool {
	if trimmed == "" || full == trimmed {
		return false
	}
	us := Units(compact(full))
	ts := Units(compact(trimmed))
	for i := 1; i+len(ts) <= len(us); i++ {
		if join(us[i:i+len(ts)]) == join(ts) {
			p := us[i-1]
			return isHanUnit(p) && x.items.df[p] == 0 && !strings.Contains(objectVerbs, p) && !(i >= 2 && x.words[us[i-2]+p])
		}
	}
	return false
}

func (x *Index) trimEdges(text string, words bool) string {
	us := Units(compact(text))
	protected := make([]bool, len(us))
	for _, o := range x.syn.find(us) {
		for k := o.start; k < o.end; k++ {
			protected[k] = true
		}
	}
	known := func(k int) bool {
		u := us[k]
		return u != sep && (protected[k] || isLatin(u) || x.items.df[u] > 0)
	}
	// A character that begins a curated word (孩子, 不孕, 月子) is the start
	// of what is asked, not chatter.
	startsWord := func(k int) bool {
		return words && k+1 < len(us) && us[k] != sep && us[k+1] != sep && x.words[us[k]+us[k+1]]
	}
	i, j := 0, len(us)
	for i < j && !known(i) && !startsWord(i) {
		i++
	}
	// At the end only a single stray character goes: a longer unknown word
	// there is the head of what is asked (头颅磁共振 is not 头颅CT).
	if j > i+1 && !known(j-1) && known(j-2) {
		j--
	}
	if i == 0 && j == len(us) {
		return text
	}
	return join(us[i:j])
}

// noteParts splits an item's note at commas and similar marks into short
// normalised parts (理疗, 洗牙, 黄连素): the tags a note gives its item.
func noteParts(note string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(note, func(r rune) bool {
		return strings.ContainsRune("，,、；;。:： ", r)
	}) {
		n := compact(textnorm.Normalize(p))
		if l := utf8.RuneCountInString(n); l >= 2 && l <= 8 {
			out = append(out, n)
		}
	}
	return out
}

// ItemsByNote returns the items whose note has a part equal to text (a
// word the price list gives an item only in its note: 理疗, 洗牙), or that
// part's synonym.
func (x *Index) ItemsByNote(text string) []int {
	n := compact(text)
	if ids := x.noteTags[n]; len(ids) > 0 {
		return ids
	}
	for _, g := range x.SynonymsOf(n) {
		if !contains(g, n) {
			continue
		}
		for _, w := range g {
			if ids := x.noteTags[w]; len(ids) > 0 {
				return ids
			}
		}
	}
	return nil
}

func contains(xs []string, v string) bool {
	for _, x := range xs {
		if x == v {
			return true
		}
	}
	return false
}

// Topics scores FAQ entries (questions and answer together) and process
// steps (with their process's title and keywords) against text.
func (x *Index) Topics(text string) []TextHit {
	us := Units(compact(text))
	hs := x.topics.search(us, false)
	out := make([]TextHit, 0, len(hs))
	for _, h := range hs {
		out = append(out, TextHit{Ref: x.topicRef[h.ID], Coverage: h.Coverage})
	}
	return out
}

// Span is a run of a query made of item vocabulary.
type Span struct {
	Text   string
	Weight float64 // summed rarity of its units among item names
	// Glued is true when a Han character no item name has touches the
	// span (玻 in 玻尿酸): the span may be part of another word.
	Glued bool
}

// ItemSpans splits text into the runs made of item vocabulary (characters in
// a two-character word of some item name or in a synonym word, Latin tokens
// of item names), heaviest first. The rest is chatter around the item
// (我妈想问, 医生我高血压吃的).
func (x *Index) ItemSpans(text string) []Span {
	us := Units(compact(text))
	in := make([]bool, len(us))
	for _, o := range x.syn.find(us) {
		for k := o.start; k < o.end; k++ {
			in[k] = true
		}
	}
	for i, u := range us {
		if u == sep {
			continue
		}
		if isLatin(u) {
			if len(x.items.post[u]) > 0 {
				in[i] = true
			}
			continue
		}
		if i+1 < len(us) && isHanUnit(us[i+1]) && len(x.items.post[u+"|"+us[i+1]]) > 0 {
			in[i], in[i+1] = true, true
		}
	}
	var out []Span
	for i := 0; i < len(us); {
		if !in[i] {
			i++
			continue
		}
		j := i
		w := 0.0
		for j < len(us) && in[j] {
			w += x.items.weight(us[j])
			j++
		}
		foreign := func(k int) bool {
			return k >= 0 && k < len(us) && isHanUnit(us[k]) && x.items.df[us[k]] == 0 && !strings.Contains(objectVerbs, us[k])
		}
		// A foreign neighbour that ends or starts a curated word (孩子) is
		// a word of its own.
		glued := (foreign(i-1) && !(i >= 2 && x.words[us[i-2]+us[i-1]])) ||
			(foreign(j) && !(j+1 < len(us) && x.words[us[j]+us[j+1]]))
		out = append(out, Span{Text: join(us[i:j]), Weight: w, Glued: glued})
		i = j
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].Weight > out[b].Weight })
	return out
}

// TopicCoverage scores text against the topic document of hit h.
func (x *Index) TopicCoverage(text string, h TextHit) float64 {
	return x.topicScore(x.topics, text, h)
}

// TopicHeadCoverage scores text against the questions of an FAQ hit, or the
// title and keywords of a step's process.
func (x *Index) TopicHeadCoverage(text string, h TextHit) float64 {
	return x.topicScore(x.topicHeads, text, h)
}

func (x *Index) topicScore(c *corpus, text string, h TextHit) float64 {
	for i, r := range x.topicRef {
		if r == h.Ref {
			us := Units(compact(text))
			return c.score(us, x.synText.find(us), i, 2).Query
		}
	}
	return 0
}

// ObjectVerb reports whether w is a verb patients put before an item (查 of
// 查血常规, 做 of 做胃镜).
func ObjectVerb(w string) bool {
	return utf8.RuneCountInString(w) == 1 && strings.Contains(objectVerbs, w)
}
