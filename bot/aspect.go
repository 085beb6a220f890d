package bot

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/hospital/wxbot/search"
)

// aspect is what a short follow-up asks about the thing just answered: where
// it is done, when or how long, or how many times.
type aspect int

const (
	aspectNone  aspect = iota
	aspectWhere        // 在哪做, 在哪里评估, 哪栋楼
	aspectWhen         // 多久出报告, 什么时候, 第几周, 要吃到什么时候
	aspectCount        // 要打几针, 抽几次血
)

// aspectWhereCues ask where something is done.
var aspectWhereCues = byLenDesc(append(append(append([]string{}, whereCues...), placeAskCues...),
	"哪栋楼", "哪个楼", "哪层", "哪一层", "哪个窗口", "什么地方", "啥地方"))

// aspectWhenCues ask when something is done or how long it takes.
var aspectWhenCues = byLenDesc([]string{
	"多久", "多长时间", "多长时候", "什么时候", "啥时候", "几时", "第几周", "几周", "多少周", "第几个月", "几个月",
	"几天", "几点", "多少天", "哪天",
})

// aspectCountRe asks how many times or doses (几针, 抽几次, 多少剂).
var aspectCountRe = regexp.MustCompile(`(?:几|多少)(?:个)?(针|剂|次|管|袋|疗程|回)`)

// askedAspect returns what a message asks about the last answer's subject.
func askedAspect(norm string) aspect {
	switch {
	case aspectCountRe.MatchString(norm):
		return aspectCount
	case hasAny(norm, aspectWhenCues):
		return aspectWhen
	case hasAny(norm, aspectWhereCues):
		return aspectWhere
	}
	return aspectNone
}

// Texts that state an aspect: a place, a time or duration, a number of doses.
var (
	aspectPlaceRe     = regexp.MustCompile(`[0-9一二三四五六七八九十]+\s*(?:楼|层|号楼|栋)|楼[0-9一二三四五六七八九十]|诊室|窗口|大厅|[东西南北]侧|旁|[东西南北]区|门诊|科|中心|室|处`)
	aspectTimeRe      = regexp.MustCompile(`次日|当天|当日|隔天|第二天|即时|立等|[0-9一二三四五六七八九十两半]+\s*(?:个)?(?:多)?(?:工作日|天|日|小时|分钟|周|个月|月|年)|[0-9]+\s*点|[0-9]+:[0-9]{2}|孕[早中晚]期|孕前|孕[0-9]|产后|月龄|[0-9]+\s*岁|之前|以后|上午|下午`)
	aspectCountTextRe = regexp.MustCompile(`[0-9一二三四五六七八九十两]+\s*(?:个)?(?:针|剂|次|管|袋|疗程)`)
)

// statesAspect reports whether text states what aspect a asks.
func statesAspect(text string, a aspect) bool {
	switch a {
	case aspectWhere:
		return aspectPlaceRe.MatchString(text)
	case aspectWhen:
		return aspectTimeRe.MatchString(text)
	case aspectCount:
		return aspectCountTextRe.MatchString(text)
	}
	return false
}

// takeVerbs are verbs of getting or paying and the words texts write them
// with (拿到 -> 次日可取).
var takeVerbs = map[string][]string{"拿": {"取", "领"}, "领": {"取", "拿"}, "取": {"拿", "领"}, "交": {"缴"}, "缴": {"交"}}

// lightVerbs are one-character verbs that say nothing of their own in an
// aspect question (要打几针, 在哪做).
var lightVerbs = []string{"打", "做", "吃", "用", "喝", "查", "抽", "看", "去", "来", "拍", "办", "弄", "搞", "验", "测"}

// aspectDrop are the words of an aspect question besides what it is about.
var aspectDrop = byLenDesc(append(append(append([]string{}, aspectWhereCues...), aspectWhenCues...),
	"要", "能", "可以", "需要", "得", "吗", "呢", "啊", "吧", "了", "的", "去", "到", "做", "是", "在", "那", "这", "个", "几", "多少", "一般", "大概"))

// aspectFillers are the fillers but the hospital itself: 医院在哪 asks where
// the hospital is, not where the last thing is done.
var aspectFillers = func() []string {
	var out []string
	for _, f := range fillersSorted {
		if !strings.Contains(f, "医院") && !strings.Contains(f, "院") {
			out = append(out, f)
		}
	}
	return out
}()

// aspectRest is what an aspect question names besides the asking (评估 in
// 在哪里评估, 出报告 in 多久出报告), compact.
func aspectRest(norm string) string {
	q := aspectCountRe.ReplaceAllString(norm, " ")
	q = removeAll(q, aspectFillers)
	q = removeAll(q, aspectDrop)
	return strings.ReplaceAll(q, " ", "")
}

// aspectSentences returns the sentences of text that state aspect a, those
// that also share a word with rest first; "" when none states it.
func aspectSentences(x *search.Index, text string, a aspect, rest string) string {
	var shared, other []string
	for _, p := range splitSentenceParts(text) {
		if !statesAspect(p, a) {
			continue
		}
		if rest != "" && sharesWord(x, rest, p) {
			shared = append(shared, p)
		} else {
			other = append(other, p)
		}
	}
	if len(shared) > 0 {
		return strings.Join(shared, "")
	}
	if len(other) > 0 && utf8.RuneCountInString(strings.Join(other, "")) <= 160 {
		return strings.Join(other, "")
	}
	if len(other) > 0 {
		return other[0]
	}
	return ""
}

// splitSentenceParts splits text after 。；;!?！？ and line breaks.
func splitSentenceParts(text string) []string {
	var out []string
	start := 0
	for i, r := range text {
		switch r {
		case '。', '；', ';', '!', '?', '！', '？', '\n':
			end := i + utf8.RuneLen(r)
			if p := strings.TrimSpace(text[start:end]); p != "" {
				out = append(out, p)
			}
			start = end
		}
	}
	if p := strings.TrimSpace(text[start:]); p != "" {
		out = append(out, p)
	}
	return out
}

// maxAspectRest is the most an aspect follow-up may name besides the asking.
const maxAspectRest = 4

// aspectFollowUp answers a short question about where, when, how long or how
// many times (在哪做, 多久出报告, 要打几针) after a price, an FAQ answer or a
// process, from that answer's own text: the items' notes, the FAQ answer, the
// process's steps, then the FAQ answers and steps that speak of the items. A
// question that names something else is left to the other answers.
func (b *Bot) aspectFollowUp(x *search.Index, s *session, u *understanding) (string, bool) {
	a := askedAspect(u.norm)
	if a == aspectNone || u.priceCue || len(u.doctors) > 0 || len(u.depts) > 0 {
		return "", false
	}
	rest := aspectRest(u.norm)
	if utf8.RuneCountInString(rest) > maxAspectRest {
		// A question of its own (产妇住院了几点能去看她), not a follow-up.
		return "", false
	}
	light := rest == "" || isOneOf(rest, lightVerbs)
	// said: the text says the rest of the question (评估, 出报告), or the
	// question has no rest but the asking.
	said := func(text string) bool {
		if light || sharesWord(x, rest, text) {
			return true
		}
		// The verb as texts write it (拿到 -> 次日可取).
		for _, r := range rest {
			for _, w := range takeVerbs[string(r)] {
				if strings.Contains(text, w) {
					return true
				}
			}
		}
		return false
	}
	// unknown: the rest is words the data never uses (拿到, 吃到): any text
	// stating the aspect may answer.
	unknown := light || utf8.RuneCountInString(rest) >= 2 && !x.Known(rest)
	d := x.Data
	switch s.Intent {
	case intentPrice:
		items := s.Items
		if len(items) == 0 || len(items) > 3 {
			return "", false
		}
		notes := func(ok func(string) bool) string {
			var lines []string
			for _, id := range items {
				if p := d.Prices[id]; p.Note != "" && statesAspect(p.Note, a) && ok(p.Note) {
					lines = append(lines, p.Name+"："+p.Note)
				}
			}
			return strings.Join(lines, "\n")
		}
		for _, id := range items {
			if id < 0 || id >= len(d.Prices) {
				return "", false
			}
		}
		if text := notes(said); text != "" {
			return text, true
		}
		// The FAQ answers and steps that speak of the items and say the
		// rest of the question.
		topic := coreName(d.Prices[items[0]].Name)
		if len(items) > 1 && s.Query != "" {
			topic = s.Query
		}
		for _, h := range x.Texts(topic, true, func(r search.TextRef) bool { return r.Kind != search.TextDepartment }) {
			if h.Query < topicThreshold {
				break
			}
			text := refText(d, h.Ref)
			if !said(text) {
				continue
			}
			if sent := aspectSentences(x, text, a, rest); sent != "" && said(sent) {
				return topic + "：" + sent, true
			}
		}
		if unknown {
			if text := notes(func(string) bool { return true }); text != "" {
				return text, true
			}
		}
	case intentFAQ:
		for i, f := range d.FAQ {
			if len(f.Questions) == 0 || f.Questions[0] != s.Topic {
				continue
			}
			if !said(f.Answer) && !unknown {
				return "", false
			}
			if sent := aspectSentences(x, f.Answer, a, rest); sent != "" {
				b.faq(x, s, i)
				return sent, true
			}
			return "", false
		}
	case intentProcess:
		if s.Process <= 0 || s.Process > len(d.Processes) {
			return "", false
		}
		p := d.Processes[s.Process-1]
		if rest == "" || utf8.RuneCountInString(rest) < 2 {
			// Which step: one that says the rest; without any, none.
			return "", false
		}
		for i, st := range p.Steps {
			if sharesWord(x, rest, st) && statesAspect(st, a) {
				return b.step(x, s, search.TextRef{Kind: search.TextStep, Index: s.Process - 1, Step: i}), true
			}
		}
	}
	return "", false
}
