package bot

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hospital/wxbot/knowledge"
	"github.com/hospital/wxbot/search"
	"github.com/hospital/wxbot/textnorm"
)

// faq answers an FAQ entry verbatim.
func (b *Bot) faq(x *search.Index, s *session, id int) string {
	s.Intent = intentFAQ
	s.List = nil
	s.Topic = x.Data.FAQ[id].Questions[0]
	return x.Data.FAQ[id].Answer
}

// process answers a whole process.
func (b *Bot) process(x *search.Index, s *session, id int) string {
	s.Intent = intentProcess
	s.Process = id + 1
	s.List = nil
	s.Doctor, s.Doctors = "", nil
	return formatProcess(x.Data.Processes[id], maxReplyRunes-40)
}

// formatProcess renders a process within about limit characters, shortening
// long steps when needed.
func formatProcess(p knowledge.Process, limit int) string {
	render := func(stepMax int) string {
		var sb strings.Builder
		sb.WriteString("【" + p.Title + "】\n")
		for i, st := range p.Steps {
			if stepMax > 0 && utf8.RuneCountInString(st) > stepMax {
				st = string([]rune(st)[:stepMax]) + "…"
			}
			fmt.Fprintf(&sb, "%d. %s\n", i+1, st)
		}
		return strings.TrimSpace(sb.String())
	}
	text := render(0)
	for max := 90; utf8.RuneCountInString(text) > limit && max >= 30; max -= 10 {
		text = render(max)
	}
	return text
}

// processStep answers a follow-up from the steps of the last process
// (取药在哪, 没备案怎么办, 能寄吗), unless the message names another topic better.
func (b *Bot) processStep(x *search.Index, s *session, u *understanding) (string, bool) {
	return b.processStepHop(x, s, u, true)
}

// processStepHop is processStep; mayHop allows one switch to another process
// named by a keyword (and no more: two processes each naming the other's
// keyword must not send the message back and forth).
func (b *Bot) processStepHop(x *search.Index, s *session, u *understanding, mayHop bool) (string, bool) {
	pi := s.Process - 1
	d := x.Data
	if pi < 0 || pi >= len(d.Processes) {
		return "", false
	}
	// Another process named clearly: switch. Named only through a synonym
	// (交钱 ~ 结账) it is no switch when a step of this process says the
	// asked words (缴费).
	if hs := x.Processes(u.tq); len(hs) > 0 && hs[0].Query >= 0.8 && hs[0].ID != pi {
		stay := false
		if !hs[0].Literal {
			st := x.Texts(u.tq, false, func(r search.TextRef) bool { return r.Kind == search.TextStep && r.Index == pi })
			stay = len(st) > 0 && st[0].Query >= 0.8
		}
		if !stay {
			return b.process(x, s, hs[0].ID), true
		}
	}
	// A keyword of another process that the last one never mentions
	// (出院手续 then 异地医保能直接结算吗): the patient changed topic.
	if other, kw := otherProcessKeyword(d.Processes, pi, u.norm); mayHop && other >= 0 {
		s.Process = other + 1
		// The step that names the keyword (异地医保患者：先备案) answers.
		var named []int
		for si, st := range d.Processes[other].Steps {
			if strings.Contains(compactNorm(st), kw) {
				named = append(named, si)
			}
		}
		if len(named) == 1 {
			return b.step(x, s, search.TextRef{Kind: search.TextStep, Index: other, Step: named[0]}), true
		}
		if text, ok := b.processStepHop(x, s, u, false); ok {
			return text, true
		}
		return b.process(x, s, other), true
	}
	// 要带什么东西: the step that says what to bring.
	if hasAny(u.norm, bringCues) {
		if si := bringStep(d.Processes[pi].Steps); si >= 0 {
			return b.step(x, s, search.TextRef{Kind: search.TextStep, Index: pi, Step: si}), true
		}
	}
	// 星期天能办不: the step that says on which days it is done.
	if u.weekdays != nil {
		if si := weekdayStep(d.Processes[pi].Steps, u.weekdays); si >= 0 {
			return b.step(x, s, search.TextRef{Kind: search.TextStep, Index: pi, Step: si}), true
		}
	}
	q := cleanSpaces(removeAll(u.norm, detailFillers))
	q = cleanSpaces(removeAll(q, howCuesSorted))
	if q == "" {
		return "", false
	}
	// 在哪里办 / 去哪交: where the process is done, the step naming a place.
	if u.whereCue {
		if rest := cleanSpaces(removeAll(q, whereCuesSorted)); utf8.RuneCountInString(rest) <= 2 {
			if si := placeStep(d.Processes[pi].Steps, rest, equivalentWords(x, rest)); si >= 0 {
				return b.step(x, s, search.TextRef{Kind: search.TextStep, Index: pi, Step: si}), true
			}
		}
	}
	hs := x.Texts(q, true, func(r search.TextRef) bool { return r.Kind == search.TextStep && r.Index == pi })
	hs = preferAmount(func(r search.TextRef) string { return refText(d, r) }, u.norm, hs)
	// Inside a process the steps are few: a weaker match still points at one.
	if len(hs) == 0 || hs[0].Query < stepThreshold-0.1 {
		return "", false
	}
	// A clearly better FAQ answer wins.
	if fh := x.FAQ(u.fq); len(fh) > 0 && fh[0].Doc >= 0.6 {
		if fh[0].Query >= 0.8 && fh[0].Query > hs[0].Query {
			return b.faq(x, s, fh[0].ID), true
		}
		// A question complete in itself (医院总机电话多少) that a stored
		// question says better than any step's words.
		strict := x.Texts(q, false, func(r search.TextRef) bool { return r.Kind == search.TextStep && r.Index == pi })
		if (fh[0].Query+fh[0].Doc)/2 >= faqThreshold+0.15 && (len(strict) == 0 || strict[0].Query < fh[0].Query) {
			return b.faq(x, s, fh[0].ID), true
		}
	}
	return b.step(x, s, hs[0].Ref), true
}

// refineStep moves from step r to another step of the same process that says
// clearly more of the question's own words (国医大师的号怎么挂: the step
// about 国医大师号, not step 1), counting the words' equivalents from the
// synonym groups (外地 ~ 异地, 社保 ~ 医保). Words of the process's title and
// keywords say nothing about which step answers.
func refineStep(x *search.Index, q string, r search.TextRef) search.TextRef {
	if r.Kind != search.TextStep || r.Index < 0 || r.Index >= len(x.Data.Processes) {
		return r
	}
	p := x.Data.Processes[r.Index]
	head := compactNorm(p.Title + "|" + strings.Join(p.Keywords, "|"))
	q = strings.ReplaceAll(q, " ", "")
	steps := make([]string, len(p.Steps))
	for i, st := range p.Steps {
		steps[i] = compactNorm(st)
	}
	score := make([]int, len(p.Steps))
	// The question's runs of two or more characters found in a step, longest
	// first, each counted once per step.
	rs := []rune(q)
	for i := range steps {
		for k := 0; k < len(rs); {
			n := 0
			for l := min(8, len(rs)-k); l >= 2; l-- {
				if strings.Contains(steps[i], string(rs[k:k+l])) {
					n = l
					break
				}
			}
			if n == 0 {
				k++
				continue
			}
			if w := string(rs[k : k+n]); strings.Contains(head, w) {
				if n >= 3 {
					score[i] += n
				}
			} else {
				// A title word with a character beside it (医保在) says
				// only that character.
				score[i] += n - longestIn(head, []rune(w))
			}
			k += n
		}
	}
	// Equivalent words the patient did not type (异地 for 外地).
	for _, g := range x.Equivalents(q) {
		typed := false
		for _, w := range g {
			if strings.Contains(q, w) {
				typed = true
				if strings.Contains(head, w) {
					// A title word's equivalents (医保 ~ 居民医保) say no more
					// about the step than the word itself.
					typed = false
					break
				}
			}
		}
		if !typed {
			continue
		}
		for i := range steps {
			for _, w := range g {
				if !strings.Contains(q, w) && utf8.RuneCountInString(w) >= 2 && strings.Contains(steps[i], w) {
					score[i] += utf8.RuneCountInString(w)
					break
				}
			}
		}
	}
	best := r.Step
	for i := range score {
		if score[i] > score[best] {
			best = i
		}
	}
	if best != r.Step && score[best] >= score[r.Step]+2 {
		r.Step = best
	}
	return r
}

// longestIn is the length of the longest run of two or more characters of w
// found in s, or 0.
func longestIn(s string, w []rune) int {
	for l := len(w); l >= 2; l-- {
		for k := 0; k+l <= len(w); k++ {
			if strings.Contains(s, string(w[k:k+l])) {
				return l
			}
		}
	}
	return 0
}

// step answers one step of a process and remembers the process.
func (b *Bot) step(x *search.Index, s *session, r search.TextRef) string {
	p := x.Data.Processes[r.Index]
	s.Intent = intentProcess
	s.Process = r.Index + 1
	s.List = nil
	return fmt.Sprintf("【%s】第%d步：%s\n回复「%s」查看完整流程。", p.Title, r.Step+1, p.Steps[r.Step], p.Title)
}

// processMenu lists the processes.
func (b *Bot) processMenu(x *search.Index) string {
	d := x.Data
	if len(d.Processes) == 0 {
		return "暂无就医流程信息。"
	}
	var sb strings.Builder
	sb.WriteString("可以查询这些就医流程，直接发送名称即可：\n")
	for _, p := range d.Processes {
		sb.WriteString("· " + p.Title + "\n")
	}
	return b.finish(x, sb.String())
}

// hospitalName is the configured or data hospital name.
func (b *Bot) hospitalName(x *search.Index) string {
	if b.opts.Hospital != "" {
		return b.opts.Hospital
	}
	if x.Data.Hospital != "" {
		return x.Data.Hospital
	}
	return "本院"
}

// welcome is the greeting and help text.
func (b *Bot) welcome(x *search.Index, follow bool) string {
	var sb strings.Builder
	if follow {
		fmt.Fprintf(&sb, "您好，欢迎关注%s！", b.hospitalName(x))
	} else {
		fmt.Fprintf(&sb, "您好，这里是%s院务公开服务。", b.hospitalName(x))
	}
	sb.WriteString("您可以直接发文字问我：\n")
	sb.WriteString("· 价格/收费：如「血常规多少钱」「CT价格」\n")
	sb.WriteString("· 就医流程：如「住院流程」「怎么复印病历」\n")
	sb.WriteString("· 科室位置：如「儿科在哪」\n")
	sb.WriteString("· 医生出诊：如「儿科周六有门诊吗」\n")
	sb.WriteString("· 挂号：如「怎么挂号」\n")
	sb.WriteString("· 投诉：发送「投诉」，查看进度发送「我的投诉」\n")
	sb.WriteString("· 订阅公示：发送「订阅」查看类别\n")
	sb.WriteString("· 人工：发送「人工」联系工作人员")
	return sb.String()
}

var phoneRe = regexp.MustCompile(`\d{3,4}-\d{7,8}`)

// human is the contact text for 人工.
func (b *Bot) human(x *search.Index) string {
	var sb strings.Builder
	sb.WriteString("好的，正在为您转接人工客服，请稍候。工作人员不在线时，也可以电话联系：\n")
	best, bestN := "", 0
	for _, e := range x.Data.FAQ {
		if !strings.Contains(e.Answer, "电话") && !strings.Contains(e.Answer, "总机") {
			continue
		}
		if n := len(phoneRe.FindAllString(e.Answer, -1)); n > bestN {
			best, bestN = e.Answer, n
		}
	}
	switch {
	case best != "":
		sb.WriteString(best)
	default:
		var phones []string
		for _, dep := range x.Data.Departments {
			if dep.Phone != "" && hasAny(dep.Name+strings.Join(dep.Aliases, ""), []string{"服务", "客服", "导医", "投诉"}) {
				phones = append(phones, dep.Name+" "+dep.Phone)
			}
		}
		if len(phones) > 0 {
			sb.WriteString(strings.Join(phones, "；"))
		} else {
			sb.WriteString("请到门诊服务台找工作人员咨询。")
		}
	}
	return sb.String()
}

// unknown says honestly that nothing was found, with up to three close topics
// (names only, never prices).
func (b *Bot) unknown(x *search.Index, s *session, u *understanding) string {
	// The last list survives a failed turn: a number after it still picks
	// from it.
	s.Intent = intentUnknown
	// Quote the patient's own words (烤瓷牙, not the part an item knows).
	subject := u.iqFull
	if utf8.RuneCountInString(subject) < 2 {
		subject = u.iq
	}
	if utf8.RuneCountInString(subject) < 2 {
		subject = u.norm
	}
	content := u.iqFull
	if !u.priceCue {
		content = contentQuery(u.tq)
	}
	var sb strings.Builder
	if u.priceCue {
		fmt.Fprintf(&sb, "抱歉，没有找到「%s」的收费项目，价格表中暂无此项。", subject)
	} else {
		fmt.Fprintf(&sb, "抱歉，没有找到与「%s」相关的信息。", subject)
	}
	var sugg []string
	add := func(name string) {
		if len(sugg) >= 3 || contains(sugg, name) {
			return
		}
		if strings.Contains(name, "人工") && !strings.Contains(u.iq, "人工") {
			return
		}
		// A suggestion shares a content word with the question, not only
		// its question words (种植牙多少钱 is not 停车多少钱).
		if content != "" && !sharesWord(x, content, name) {
			return
		}
		sugg = append(sugg, name)
	}
	if u.iq != "" {
		for _, h := range x.Items(u.iq) {
			if h.Query < suggestThreshold {
				break
			}
			add(coreName(x.Data.Prices[h.ID].Name))
		}
	}
	if u.tq != "" {
		for _, h := range x.Processes(u.tq) {
			if h.Query < suggestThreshold {
				break
			}
			add(x.Data.Processes[h.ID].Title)
		}
	}
	for _, h := range x.FAQ(u.fq) {
		if h.Query < suggestThreshold+0.1 {
			break
		}
		add(x.Data.FAQ[h.ID].Questions[0])
	}
	if len(sugg) > 0 {
		sb.WriteString("\n您是不是想问：" + strings.Join(sugg, "、") + "？")
	}
	sb.WriteString("\n回复「人工」联系工作人员，或回复「帮助」查看能问什么。")
	return sb.String()
}

// Place words in a step's text: floors and areas weigh most.
var (
	floorRe = regexp.MustCompile(`\d+\s*(楼|层)|[A-Za-z]\s*区|负\s*\d|[一二三四五六七八九十]+(楼|层)`)
	placeRe = regexp.MustCompile(`中心|窗口|服务台|护士站|收费处|大厅|药房|科室|诊室|楼`)
)

// verbKin are verbs patients ask about a place with, and the words steps
// write them with (交 -> 缴纳).
var verbKin = map[string][]string{
	"交": {"交", "缴"}, "缴": {"交", "缴"}, "办": {"办"}, "取": {"取", "领", "拿"}, "拿": {"取", "领", "拿"},
	"领": {"取", "领", "拿"}, "打": {"打印"}, "印": {"打印"}, "报": {"报到", "登记"}, "看": {"就诊", "看"},
}

// equivalentWords returns the words of every synonym group (the data's and
// the concept groups) that a word of text belongs to: 交钱 -> 缴费, 付款 ...
func equivalentWords(x *search.Index, text string) []string {
	var out []string
	for _, g := range x.Equivalents(text) {
		out = append(out, g...)
	}
	return out
}

// placeStep returns the step of steps that says where to go (a floor or
// area first, then a named place), preferring one that also names the
// asked verb, or one of its equivalents (交钱: 缴费); -1 when no step names
// a place.
func placeStep(steps []string, verb string, equivalents []string) int {
	best, bestScore := -1, 0
	for i, st := range steps {
		score := 2*len(floorRe.FindAllString(st, -1)) + len(placeRe.FindAllString(st, -1))
		if score == 0 {
			continue
		}
		for _, r := range verb {
			for _, w := range verbKin[string(r)] {
				if strings.Contains(st, w) {
					score += 2
					break
				}
			}
		}
		// The asked action itself (取药, 拿药 ~ 取药) beats a step that
		// names more places.
		for _, v := range append(actionVariants(verb), equivalents...) {
			if utf8.RuneCountInString(v) >= 2 && strings.Contains(st, v) {
				score += 8
				break
			}
		}
		if score > bestScore {
			best, bestScore = i, score
		}
	}
	return best
}

// actionVariants returns verb (two characters or more) and its forms with the
// first character replaced by its kin (拿药: 取药, 领药); nil for shorter verbs.
func actionVariants(verb string) []string {
	rs := []rune(verb)
	if len(rs) < 2 {
		return nil
	}
	out := []string{verb}
	for _, w := range verbKin[string(rs[0])] {
		out = append(out, w+string(rs[1:]))
	}
	return out
}

// bringCues ask what to bring or prepare.
var bringCues = []string{"带什么", "带啥", "要带", "带哪些", "带些什么", "准备什么", "准备啥", "准备哪些", "什么材料", "哪些材料", "啥材料",
	"什么证件", "哪些证件", "什么资料", "哪些资料", "要什么东西", "需要什么东西", "什么证"}

// bringWords weigh how much a step is about what to bring.
var bringWords = []struct {
	w  string
	sc float64
}{{"携带", 3}, {"带上", 3}, {"带好", 3}, {"带齐", 3}, {"材料", 2}, {"资料", 2}, {"证件", 2}, {"身份证", 1}, {"医保卡", 1}, {"社保卡", 1}, {"凭", 0.5}}

// bringStep returns the step of steps that best says what to bring, -1 when none does.
func bringStep(steps []string) int {
	best, bi := 0.0, -1
	for i, st := range steps {
		sc := 0.0
		for _, bw := range bringWords {
			if strings.Contains(st, bw.w) {
				sc += bw.sc
			}
		}
		if sc > best {
			best, bi = sc, i
		}
	}
	return bi
}

// otherProcessKeyword returns the process other than cur whose keyword of two
// or more characters msg contains (the longest such keyword) when the
// keyword occurs nowhere in cur's title, keywords or steps, and that keyword
// normalised; -1 if none.
func otherProcessKeyword(ps []knowledge.Process, cur int, msg string) (int, string) {
	msg = strings.ReplaceAll(msg, " ", "")
	curText := compactNorm(ps[cur].Title + "|" + strings.Join(ps[cur].Keywords, "|") + "|" + strings.Join(ps[cur].Steps, "|"))
	best, bestLen, bestKw, tie := -1, 0, "", false
	for i, p := range ps {
		if i == cur {
			continue
		}
		for _, k := range p.Keywords {
			k = compactNorm(k)
			n := utf8.RuneCountInString(k)
			if n < 2 || !strings.Contains(msg, k) || strings.Contains(curText, k) {
				continue
			}
			switch {
			case n > bestLen:
				best, bestLen, bestKw, tie = i, n, k, false
			case n == bestLen && i != best:
				tie = true
			}
		}
	}
	if tie || best < 0 {
		return -1, ""
	}
	return best, bestKw
}

// weekdayStep returns the step that names one of the asked weekdays (周六周日
// 9:00-12:00 for 星期天能办吗, 周末上午照常办理 for 周六呢), else the only
// step that names any weekday (its hours say the asked day is not one of
// them); -1 when no step speaks of weekdays.
func weekdayStep(steps []string, wds []int) int {
	any, anyN := -1, 0
	for si, st := range steps {
		named := parseWeekdays(textnorm.Normalize(st), time.Time{})
		if named == nil {
			continue
		}
		for _, w := range wds {
			for _, n := range named {
				if w == n {
					return si
				}
			}
		}
		any, anyN = si, anyN+1
	}
	if anyN == 1 {
		return any
	}
	return -1
}
