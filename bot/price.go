package bot

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/hospital/wxbot/knowledge"
	"github.com/hospital/wxbot/search"
	"github.com/hospital/wxbot/textnorm"
)

// yuan formats fen as yuan with two decimals: 16000 -> "160.00元".
func yuan(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return fmt.Sprintf("%s%d.%02d元", sign, cents/100, cents%100)
}

// insuranceLabel names an insurance class for patients.
func insuranceLabel(c string) string {
	switch strings.TrimSpace(c) {
	case "甲", "甲类":
		return "医保甲类"
	case "乙", "乙类":
		return "医保乙类"
	case "丙", "丙类":
		return "医保丙类"
	case "自费", "":
		if c == "" {
			return ""
		}
		return "自费"
	}
	return c
}

// insuranceAnswer explains an insurance class.
func insuranceAnswer(c string) string {
	switch insuranceLabel(c) {
	case "医保甲类":
		return "属于医保甲类，可按医保规定报销"
	case "医保乙类":
		return "属于医保乙类，可报销，个人需先自付一定比例（按医保规定）"
	case "医保丙类":
		return "属于医保丙类，医保一般不报销或仅部分报销（以医保规定为准）"
	case "自费":
		return "属于自费项目，医保不报销"
	}
	return "收费目录未注明医保类别"
}

// coreName is an item name without its trailing parenthesis or strength:
// 血常规(五分类) -> 血常规, 阿莫西林胶囊 0.25g*24粒 -> 阿莫西林胶囊.
func coreName(name string) string {
	n := textnorm.Normalize(name)
	if i := strings.IndexAny(n, "("); i > 0 {
		n = n[:i]
	}
	if i := strings.Index(n, " "); i > 0 {
		n = n[:i]
	}
	return strings.TrimSpace(n)
}

// band returns the hits whose score is within bandMargin of the best.
func band(hs []search.Hit) []search.Hit {
	if len(hs) == 0 {
		return nil
	}
	top := hs[0].Query
	var out []search.Hit
	for _, h := range hs {
		if h.Query >= top-bandMargin && h.Query >= itemThreshold {
			out = append(out, h)
		}
	}
	return out
}

// chooseItems narrows equally good items to those the query names exactly
// (血常规 -> 血常规(五分类), not a longer name), when there are such.
func chooseItems(x *search.Index, q string, hs []search.Hit) []int {
	var exact, all []int
	covers := x.Coverer(q)
	for i, h := range hs {
		all = append(all, h.ID)
		// Exact names sort first among equals (they have the highest
		// document coverage), so the head of a long band is enough.
		if i < 100 && covers(x.ItemCore(h.ID)) {
			exact = append(exact, h.ID)
		}
	}
	if len(exact) > 0 {
		return exact
	}
	return all
}

// priceFresh answers a price question on item query q.
func (b *Bot) priceFresh(x *search.Index, s *session, q string) (string, bool) {
	if q == "" {
		return "", false
	}
	all := x.Items(q)
	surgery := false
	if sq, before, ok := surgeryQuery(q); ok && (len(all) == 0 || all[0].Query < spanConfidence && !headCovered(x, q, all[0].ID)) {
		// 痔疮手术 for 混合痔外剥内扎术: price lists name operations
		// with the suffix 术; what is operated on must end the rest.
		if alt := x.Items(sq); len(alt) > 0 && alt[0].Query >= itemThreshold && strings.Contains(x.ItemName(alt[0].ID), "术") && headCovered(x, before, alt[0].ID) {
			q, all = sq, alt
			surgery = true
		}
	}
	if len(all) > 0 && all[0].Query < spanConfidence && !surgery && !headCovered(x, q, all[0].ID) {
		// A weak match that leaves the end of the question (the head of a
		// Chinese noun phrase: 无痛人流) unmatched names something else.
		return "", false
	}
	if len(all) > 0 && all[0].Query < spanConfidence && !latinCovered(x, q, all[0].ID) {
		// A Latin name the best item does not know (hpv疫苗 against
		// 狂犬病疫苗) names another thing of the same kind.
		return "", false
	}
	hs := band(all)
	if len(hs) == 0 {
		return "", false
	}
	if hs[0].Query < spanConfidence && splitBand(x, q, hs) {
		// 舌侧矫正 against 舌系带矫正术 and 舌侧固定保持器: each item has a
		// different part of the name, none has the whole — nothing in the
		// list is what was asked for.
		return "", false
	}
	items := chooseItems(x, q, hs)
	return b.showItems(x, s, items, q), true
}

// splitBand reports whether a weak match's best item has a different word
// sharing a character with a piece of q that another item has (鼻侧矫正:
// 鼻中隔矫正术 has 矫正 and the 鼻 of 鼻中隔, 鼻侧切开术 has 鼻侧), while
// that other item lacks a piece the best has. The question then joins words
// of different items and names neither. A piece the best item lacks
// entirely (住院 of 住院床位费 against 床位费) is only a modifier it does not
// spell out, and a question holding the start of the best item's name names
// it (肾功 of 肾功能 in 查肝功肾功: two names side by side).
func splitBand(x *search.Index, q string, hs []search.Hit) bool {
	pieces := queryPieces(q)
	if len(hs) == 0 || len(pieces) < 2 {
		return false
	}
	top := hs[0].ID
	if r := []rune(x.ItemCore(top)); len(r) >= 2 && strings.Contains(q, string(r[:2])) {
		return false
	}
	covered := func(p string, id int) bool { return x.ItemCoverage(p, id).Query >= 0.9 }
	name := x.ItemName(top)
	for _, p := range pieces {
		if utf8.RuneCountInString(p) != 2 || !strings.ContainsAny(name, p) || covered(p, top) {
			continue
		}
		os := x.Items(p)
		if len(os) == 0 || os[0].Query < 0.9 || os[0].ID == top {
			continue
		}
		for _, t := range pieces {
			if covered(t, top) && !covered(t, os[0].ID) {
				return true
			}
		}
	}
	return false
}

// queryPieces returns the adjacent two-character pieces of the Chinese
// runs of q and its Latin words.
func queryPieces(q string) []string {
	var out []string
	var han []rune
	var lat []rune
	flush := func() {
		for i := 0; i+1 < len(han); i++ {
			out = append(out, string(han[i:i+2]))
		}
		if len(lat) >= 2 {
			out = append(out, string(lat))
		}
		han, lat = han[:0], lat[:0]
	}
	for _, r := range q {
		switch {
		case isHanRune(r):
			if len(lat) > 0 {
				flush()
			}
			han = append(han, r)
		case r >= 'a' && r <= 'z':
			if len(han) > 0 {
				flush()
			}
			lat = append(lat, r)
		default:
			flush()
		}
	}
	flush()
	return out
}

// surgeryQuery rewrites the word 手术 (手术费) after the name of what is
// operated on as the suffix 术 catalogue names use (痔疮手术 -> 痔疮术,
// 剖宫产手术费 -> 剖宫产术); before is the text ahead of 手术. ok is false
// when q says no such thing.
func surgeryQuery(q string) (out, before string, ok bool) {
	i := strings.Index(q, "手术")
	if i <= 0 {
		return "", "", false
	}
	before = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(q[:i]), "做"))
	if r, _ := utf8.DecodeLastRuneInString(before); !isHanRune(r) {
		return "", "", false
	}
	out = strings.Replace(strings.Replace(q, "手术费", "术", 1), "手术", "术", 1)
	return out, before, out != q
}

// priceFragment narrows the last price question with a fragment (那增强呢,
// 胸部的呢, 0.5g的): the fragment must match, the last question breaks ties.
func (b *Bot) priceFragment(x *search.Index, s *session, f string) (string, bool) {
	if f == "" {
		return "", false
	}
	if s.Query == regQuery {
		if text, ok := b.regFee(x, s, f, true); ok {
			return text, true
		}
	}
	// A fragment that is an item's own name or code, for an item the last
	// answer did not list (那CRP呢 after 血常规 and 微量元素), asks afresh.
	if namesNewItem(x, s, f) {
		if text, ok := b.priceFresh(x, s, f); ok {
			return text, true
		}
	}
	hs := x.Items(f)
	if len(hs) == 0 || hs[0].Query < itemThreshold {
		if text, ok := b.partFragment(x, s, f); ok {
			return text, true
		}
		if text, ok := b.kindFragment(x, s, f); ok {
			return text, true
		}
		return b.noteFragment(x, s, f)
	}
	bestF := hs[0].Query
	type cand struct {
		id         int
		comb, fcov float64
	}
	var cs []cand
	for _, h := range hs {
		if h.Query < bestF-fragBand {
			continue
		}
		p := x.ItemCoverage(s.Query, h.ID).Query
		// The last question's own words break ties its synonyms leave
		// (正侧位的 after 胸片: the chest one).
		p += 0.25 * literalShare(x, s.Query, h.ID)
		cs = append(cs, cand{h.ID, 0.6*h.Query + 0.4*p, h.Query})
	}
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].comb > cs[j].comb+1e-9 })
	var chosen []search.Hit
	for _, c := range cs {
		if c.comb >= cs[0].comb-bandMargin*0.5 {
			chosen = append(chosen, search.Hit{ID: c.id, Coverage: search.Coverage{Query: c.comb}})
		}
	}
	merged := f
	if len(chosen) > 1 {
		// Keep the words of the last question that every chosen item shares.
		for _, t := range terms(s.Query) {
			all := true
			for _, h := range chosen {
				if x.ItemCoverage(t, h.ID).Query < 0.9 {
					all = false
					break
				}
			}
			if all && !strings.Contains(merged, t) {
				merged += t
			}
		}
	}
	items := chooseItems(x, merged, chosen)
	return b.showItems(x, s, items, merged), true
}

// partChars are one-character body parts patients narrow a list with (腰的,
// 头的 after a list of CT scans), with the characters catalogue names use
// for them (颅脑 for the head).
var partChars = map[string][]string{
	"头": {"头", "颅", "脑"}, "脑": {"脑", "颅"}, "腰": {"腰"}, "胸": {"胸"}, "肺": {"肺", "胸"}, "腹": {"腹"}, "肚": {"腹"},
	"颈": {"颈"}, "脖": {"颈"}, "膝": {"膝"}, "腿": {"腿", "膝", "下肢"}, "手": {"手", "腕"}, "脚": {"足", "踝", "脚"}, "肩": {"肩"},
	"心": {"心"}, "肝": {"肝"}, "胃": {"胃"}, "肠": {"肠"}, "眼": {"眼"}, "牙": {"牙"}, "鼻": {"鼻"}, "耳": {"耳"},
}

// partFragment narrows the last list by a one-character body part (腰的
// after 14 CT scans): the listed items whose names hold that part, when
// some but not all do.
func (b *Bot) partFragment(x *search.Index, s *session, f string) (string, bool) {
	f = strings.ReplaceAll(trimFillers(f), " ", "")
	words, ok := partChars[f]
	if !ok || len(s.Items) < 2 {
		return "", false
	}
	var hit []int
	for _, id := range s.Items {
		if id < 0 || id >= len(x.Data.Prices) {
			return "", false
		}
		if hasAny(coreName(x.Data.Prices[id].Name), words) {
			hit = append(hit, id)
		}
	}
	if len(hit) == 0 || len(hit) == len(s.Items) {
		return "", false
	}
	return b.showItems(x, s, hit, s.Query), true
}

// kindFragment answers a fragment naming another thing of the same kind
// (大便的呢 after 尿常规: 大便常规) by the fragment with the last item's
// head (the last two characters of its core name), when that names an item
// with confidence.
func (b *Bot) kindFragment(x *search.Index, s *session, f string) (string, bool) {
	f = strings.ReplaceAll(trimFillers(f), " ", "")
	if len(s.Items) != 1 || s.Items[0] < 0 || s.Items[0] >= len(x.Data.Prices) || f == "" {
		return "", false
	}
	core := []rune(coreName(x.Data.Prices[s.Items[0]].Name))
	if len(core) < 3 || !isHanRune(core[len(core)-1]) || !isHanRune(core[len(core)-2]) {
		return "", false
	}
	head := string(core[len(core)-2:])
	if strings.Contains(f, head) {
		return "", false
	}
	q := f + head
	hs := x.Items(q)
	if len(hs) == 0 || hs[0].Query < spanConfidence || hs[0].ID == s.Items[0] {
		return "", false
	}
	return b.priceFresh(x, s, q)
}

// terms splits a query into runs of Chinese characters and Latin tokens.
func terms(q string) []string {
	var out []string
	var cur []rune
	curHan := false
	flush := func() {
		if len(cur) > 0 {
			out = append(out, string(cur))
		}
		cur = cur[:0]
	}
	for _, r := range q {
		han := r >= 0x3400 && r <= 0x9fff
		if r == ' ' {
			flush()
			continue
		}
		if len(cur) > 0 && han != curHan {
			flush()
		}
		curHan = han
		cur = append(cur, r)
	}
	flush()
	return out
}

// showItems answers with one item's details or a numbered list.
func (b *Bot) showItems(x *search.Index, s *session, items []int, q string) string {
	total := len(items)
	s.Intent = intentPrice
	s.Items = items
	s.Doctor, s.Doctors = "", nil
	if len(items) == 1 {
		s.Query = x.ItemName(items[0])
		s.List = nil
		return itemDetail(x.Data.Prices[items[0]])
	}
	s.Query = q
	s.List = s.List[:0]
	if len(items) > maxListed {
		items = items[:maxListed]
		s.Items = items
	}
	for _, id := range items {
		s.List = append(s.List, listEntry{Kind: listItem, ID: id})
	}
	s.ListTitle = fmt.Sprintf("找到%d项相关收费", len(s.List))
	if total > maxListed {
		s.ListTitle = fmt.Sprintf("相关收费较多，以下是最相近的%d项（可说得更具体些）", maxListed)
	}
	s.Page = 0
	return b.page(x, s)
}

// itemDetail shows one price item.
func itemDetail(p knowledge.PriceItem) string {
	var sb strings.Builder
	sb.WriteString(p.Name)
	sb.WriteString("：")
	sb.WriteString(yuan(p.Cents))
	if p.Unit != "" {
		sb.WriteString("/" + p.Unit)
	}
	if l := insuranceLabel(p.Insurance); l != "" {
		sb.WriteString("\n医保类别：" + l)
	}
	if p.Category != "" {
		sb.WriteString("\n收费类别：" + p.Category)
	}
	if strings.TrimSpace(p.Note) != "" {
		sb.WriteString("\n说明：" + p.Note)
	}
	return sb.String()
}

// itemLine is one numbered line of a price list.
func itemLine(p knowledge.PriceItem) string {
	line := p.Name + " " + yuan(p.Cents)
	if p.Unit != "" {
		line += "/" + p.Unit
	}
	return line
}

// page shows the next page of the session's list.
func (b *Bot) page(x *search.Index, s *session) string {
	total := len(s.List)
	start := s.Page * pageSize
	if start >= total {
		return "已经是最后一页了。回复序号查看详情，或直接提出新问题。"
	}
	end := min(start+pageSize, total)
	pages := (total + pageSize - 1) / pageSize
	var sb strings.Builder
	if pages > 1 {
		fmt.Fprintf(&sb, "%s（第%d/%d页）：\n", s.ListTitle, s.Page+1, pages)
	} else {
		fmt.Fprintf(&sb, "%s：\n", s.ListTitle)
	}
	for i := start; i < end; i++ {
		fmt.Fprintf(&sb, "%d. %s\n", i+1, b.listLine(x, s.List[i]))
	}
	s.Page++
	sb.WriteString("回复序号查看详情")
	if end < total {
		sb.WriteString("，回复「更多」看下一页")
	}
	sb.WriteString("。")
	return sb.String()
}

// listLine renders one list entry.
func (b *Bot) listLine(x *search.Index, e listEntry) string {
	d := x.Data
	switch e.Kind {
	case listItem:
		if e.ID >= 0 && e.ID < len(d.Prices) {
			return itemLine(d.Prices[e.ID])
		}
	case listDoctor:
		return doctorLabel(x, e.Name)
	case listProcess:
		if e.ID >= 0 && e.ID < len(d.Processes) {
			return d.Processes[e.ID].Title
		}
	case listDept:
		if e.ID >= 0 && e.ID < len(d.Departments) {
			return d.Departments[e.ID].Name
		}
	}
	return e.Name
}

// more answers 更多.
func (b *Bot) more(x *search.Index, s *session) string {
	if len(s.List) == 0 {
		return "目前没有可以翻页的列表。您可以直接提问，例如「CT多少钱」「儿科周六有门诊吗」。"
	}
	return b.page(x, s)
}

// pick answers a bare number after a list.
func (b *Bot) pick(x *search.Index, s *session, n int) string {
	if n < 1 || n > len(s.List) {
		return fmt.Sprintf("请回复1-%d之间的序号。", len(s.List))
	}
	e := s.List[n-1]
	switch e.Kind {
	case listItem:
		s.Intent = intentPrice
		s.Items = []int{e.ID}
		s.Query = x.ItemName(e.ID)
		return itemDetail(x.Data.Prices[e.ID])
	case listDoctor:
		s.Doctors = nil
		return b.doctorSchedule(x, s, e.Name, nil, "")
	case listProcess:
		return b.process(x, s, e.ID)
	case listDept:
		return b.deptInfo(x, s, e.ID)
	}
	return "请直接提出您的问题。"
}

// itemDetailQuestion answers a question about the last item(s): 要空腹吗,
// 多久出结果, 医保能报吗 — from the note and insurance class, then from the
// processes, FAQ and departments that mention the item.
func (b *Bot) itemDetailQuestion(x *search.Index, s *session, u *understanding) (string, bool) {
	items := s.Items
	if len(items) > 3 {
		items = items[:3]
	}
	d := x.Data
	for _, id := range items {
		if id < 0 || id >= len(d.Prices) {
			return "", false
		}
	}
	q := cleanSpaces(removeAll(u.norm, fillersSorted))
	if hasAny(u.norm, []string{"医保", "报销", "能报", "可以报", "甲类", "乙类", "丙类", "自费"}) {
		var lines []string
		for _, id := range items {
			p := d.Prices[id]
			lines = append(lines, p.Name+"："+insuranceAnswer(p.Insurance)+"。")
		}
		return strings.Join(lines, "\n"), true
	}
	// Who makes it: the note, where the price list names the maker.
	if hasAny(u.norm, makerCues) {
		var lines []string
		for _, id := range items {
			if p := d.Prices[id]; p.Note != "" {
				lines = append(lines, p.Name+"："+p.Note)
			}
		}
		if len(lines) > 0 {
			return strings.Join(lines, "\n"), true
		}
	}
	// The item's own note.
	var lines []string
	for _, id := range items {
		p := d.Prices[id]
		if p.Note != "" && sharesWord(x, q, p.Note) {
			lines = append(lines, p.Name+"："+p.Note)
		}
	}
	if len(lines) > 0 {
		return strings.Join(lines, "\n"), true
	}
	// Texts that mention the item (or the last question's words).
	topic := coreName(d.Prices[items[0]].Name)
	if len(items) > 1 && s.Query != "" {
		topic = s.Query
	}
	probe := cleanSpaces(removeAll(q, detailFillers))
	hs := x.Texts(topic+probe, true, nil)
	for _, h := range hs {
		if h.Query < stepThreshold {
			break
		}
		text := refText(d, h.Ref)
		if !sharesWord(x, probe, text) {
			continue
		}
		sent := x.BestSentence(probe, text)
		if sent == "" {
			sent = text
		}
		name := d.Prices[items[0]].Name
		if len(items) > 1 {
			name = topic
		}
		return name + "：" + sent, true
	}
	var sb strings.Builder
	sb.WriteString("收费目录中没有写明这方面的说明，请以开单医生或检查科室的告知为准。以下是该项目的信息：\n")
	sb.WriteString(itemDetail(d.Prices[items[0]]))
	return sb.String(), true
}

// detailFillers are removed from a detail question before looking for it.
var detailFillers = byLenDesc([]string{"吗", "呢", "吧", "要", "能", "可以", "需要", "一般", "大概", "这个", "那个", "请问"})

// sharesWord reports whether a and b share a Chinese bigram or a synonym
// group or a Latin token (loose test that a note is about the question).
func sharesWord(x *search.Index, a, b string) bool {
	an := compactNorm(a)
	bn := compactNorm(b)
	ar := []rune(an)
	for i := 0; i+1 < len(ar); i++ {
		if strings.Contains(bn, string(ar[i:i+2])) {
			return true
		}
	}
	for _, g := range x.SynonymsOf(an) {
		for _, w := range g {
			if strings.Contains(bn, w) {
				return true
			}
		}
	}
	for _, g := range builtinSynonymWords(an) {
		if strings.Contains(bn, g) {
			return true
		}
	}
	return false
}

// builtinSynonymWords expands a few general words for sharesWord.
func builtinSynonymWords(s string) []string {
	groups := [][]string{
		{"多久", "多长时间", "几天", "小时", "分钟", "工作日"},
		{"出结果", "出报告", "报告", "结果"},
		{"寄", "邮寄", "快递"},
		{"在哪", "位置", "楼"},
		{"空腹", "吃东西", "吃饭", "进食", "禁食", "喝水", "吃早饭", "吃早餐"},
		{"陪同", "陪着", "陪护", "家属", "有人陪"},
		{"拍片", "牙片", "片子", "胸片", "x光"},
		{"小孩", "孩子", "儿童", "小儿", "宝宝", "婴儿", "幼儿", "婴幼儿", "未成年", "岁以下", "岁及以下"},
		{"大人", "成人", "成年人"},
		{"孕妇", "怀孕", "孕期", "孕早期", "妊娠"},
	}
	var out []string
	for _, g := range groups {
		for _, w := range g {
			if strings.Contains(s, w) {
				out = append(out, g...)
				break
			}
		}
	}
	return out
}

func compactNorm(s string) string { return strings.ReplaceAll(textnorm.Normalize(s), " ", "") }

// refText returns the text of a text document.
func refText(d *knowledge.Data, r search.TextRef) string {
	switch r.Kind {
	case search.TextStep:
		if r.Index < len(d.Processes) && r.Step < len(d.Processes[r.Index].Steps) {
			return d.Processes[r.Index].Steps[r.Step]
		}
	case search.TextFAQ:
		if r.Index < len(d.FAQ) {
			return d.FAQ[r.Index].Answer
		}
	case search.TextDepartment:
		if r.Index < len(d.Departments) {
			return d.Departments[r.Index].Intro
		}
	}
	return ""
}

// noteFragment narrows the last list by the items' notes (儿童用的 picks the
// item noted 儿童) when the fragment names no item.
func (b *Bot) noteFragment(x *search.Index, s *session, f string) (string, bool) {
	if len(s.Items) < 2 {
		return "", false
	}
	var hit []int
	for _, id := range s.Items {
		if id < 0 || id >= len(x.Data.Prices) {
			return "", false
		}
		if n := x.Data.Prices[id].Note; n != "" && sharesWord(x, f, n) {
			hit = append(hit, id)
		}
	}
	if len(hit) == len(s.Items) || len(hit) == 0 {
		// Every note shares a word (1岁以下 / 1岁以上): the notes holding
		// the longest piece of the fragment.
		hit = longestNoteMatch(x, s.Items, f)
	}
	if len(hit) == 0 || len(hit) == len(s.Items) {
		return "", false
	}
	return b.showItems(x, s, hit, s.Query), true
}

// longestNoteMatch returns the items whose notes hold the longest run (at
// least two characters) of f's characters.
func longestNoteMatch(x *search.Index, items []int, f string) []int {
	fr := []rune(compactNorm(f))
	best := 1
	var out []int
	for _, id := range items {
		note := compactNorm(x.Data.Prices[id].Note)
		if note == "" {
			continue
		}
		l := 0
		for i := range fr {
			for j := len(fr); j > i+l; j-- {
				if strings.Contains(note, string(fr[i:j])) {
					l = j - i
					break
				}
			}
		}
		switch {
		case l > best:
			best, out = l, []int{id}
		case l == best && l > 1:
			out = append(out, id)
		}
	}
	return out
}

// namesNewItem reports whether fragment f is the whole name of an item, or
// the Latin code of one (its code column or the letters in its name's
// parenthesis, CRP in C反应蛋白(CRP)), that the session's last answer did
// not list.
func namesNewItem(x *search.Index, s *session, f string) bool {
	f = strings.ReplaceAll(f, " ", "")
	if f == "" {
		return false
	}
	// Codes are Latin words (crp, hba1c); a bare number picks from a list.
	code := romanOnly(f)
	for _, r := range f {
		code = code && r < 0x80
	}
	listed := map[int]bool{}
	for _, id := range s.Items {
		listed[id] = true
	}
	for _, e := range s.List {
		if e.Kind == listItem {
			listed[e.ID] = true
		}
	}
	for i := range x.Data.Prices {
		if listed[i] {
			continue
		}
		name := x.ItemName(i)
		if name == f || x.ItemCore(i) == f {
			return true
		}
		if !code {
			continue
		}
		if strings.EqualFold(x.Data.Prices[i].Code, f) {
			return true
		}
		if j := strings.Index(name, "("); j >= 0 {
			if k := strings.Index(name[j:], ")"); k > 0 && strings.EqualFold(name[j+1:j+k], f) {
				return true
			}
		}
	}
	return false
}

// latinCovered reports whether item id covers every Latin word (two letters
// or more: hpv, ct, mri) of q, by its name or synonyms.
func latinCovered(x *search.Index, q string, id int) bool {
	for _, w := range strings.FieldsFunc(q, func(r rune) bool { return r < 'a' || r > 'z' }) {
		if len(w) >= 2 && x.ItemCoverage(w, id).Query < 0.5 {
			return false
		}
	}
	return true
}
