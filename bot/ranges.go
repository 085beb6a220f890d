package bot

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/hospital/wxbot/search"
)

// askedAgeRe finds the patient's own week of pregnancy, month or age in a
// message (孕24周, 35周了, 8个月的宝宝, 3岁).
var askedAgeRe = regexp.MustCompile(`([0-9]{1,2})(?:\+[0-9])?\s*(?:个)?(周|月|岁)`)

// textRangeRe finds a range of weeks, months or years in a text (孕24-28周,
// 11-13+6周, 6~12个月) and textFromRe an open one (孕34周起, 孕20周后).
var (
	textRangeRe = regexp.MustCompile(`([0-9]{1,2})(?:\+[0-9])?\s*(?:周|个月|月|岁)?\s*(?:-|~|～|—|至|到)\s*([0-9]{1,2})(?:\+[0-9])?\s*(?:个)?(周|月|岁)`)
	textFromRe  = regexp.MustCompile(`([0-9]{1,2})\s*(?:个)?(周|月|岁)(?:起|后|以后|之后|以上)`)
)

// askedAge returns the number and unit (周, 月, 岁) a message states, ok
// false when it states none or several.
func askedAge(norm string) (int, string, bool) {
	ms := askedAgeRe.FindAllStringSubmatch(strings.ReplaceAll(norm, " ", ""), -1)
	if len(ms) != 1 {
		return 0, "", false
	}
	n, err := strconv.Atoi(ms[0][1])
	if err != nil || n <= 0 {
		return 0, "", false
	}
	return n, ms[0][2], true
}

// inTextRange reports whether text states a range of unit that holds n
// (24 in 孕24-28周; 35 in 孕34周起).
func inTextRange(text string, n int, unit string) bool {
	for _, m := range textRangeRe.FindAllStringSubmatch(text, -1) {
		lo, _ := strconv.Atoi(m[1])
		hi, _ := strconv.Atoi(m[2])
		if m[3] == unit && lo <= n && n <= hi {
			return true
		}
	}
	for _, m := range textFromRe.FindAllStringSubmatch(text, -1) {
		lo, _ := strconv.Atoi(m[1])
		if m[2] == unit && lo <= n {
			return true
		}
	}
	return false
}

// statesRange reports whether text states any range (or open range) of unit.
func statesRange(text, unit string) bool {
	for _, m := range textRangeRe.FindAllStringSubmatch(text, -1) {
		if m[3] == unit {
			return true
		}
	}
	for _, m := range textFromRe.FindAllStringSubmatch(text, -1) {
		if m[2] == unit {
			return true
		}
	}
	return false
}

// rangeAskCues ask what is done at a time (孕24周要做什么检查).
var rangeAskCues = []string{"什么", "啥", "哪些", "哪几", "做", "查", "检查", "注意", "能", "可以", "要"}

// rangeRestDrop are the words of a what-is-done-then question besides the time.
var rangeRestDrop = byLenDesc([]string{"怀孕", "孕", "了", "的", "要", "做", "什么", "啥", "哪些", "哪几项", "检查", "项目", "需要", "该", "应该",
	"可以", "能", "吗", "呢", "啊", "查", "宝宝", "孩子", "小孩", "我", "时候", "注意", "事项"})

// byAgeRange answers what is done at the week, month or age the patient
// states (孕24周要做什么检查) from the texts whose range holds it: the steps of
// the process with most such steps, else the price items whose notes say so,
// else the FAQ sentences. ok is false when no text states such a range.
func (b *Bot) byAgeRange(x *search.Index, s *session, u *understanding) (string, bool) {
	n, unit, ok := askedAge(u.norm)
	if !ok || u.priceCue || !hasAny(u.norm, rangeAskCues) {
		return "", false
	}
	// Nothing named besides the time and the asking (孕24周要做什么检查,
	// not NT12周能做吗).
	rest := removeAll(askedAgeRe.ReplaceAllString(u.norm, " "), fillersSorted)
	rest = cleanSpaces(removeAll(rest, rangeRestDrop))
	if rest != "" && x.Known(rest) {
		return "", false
	}
	d := x.Data
	// Steps: the process with most steps in range.
	bestP, bestN := -1, 0
	for pi, p := range d.Processes {
		k := 0
		for _, st := range p.Steps {
			if inTextRange(st, n, unit) {
				k++
			}
		}
		if k > bestN {
			bestP, bestN = pi, k
		}
	}
	if bestP >= 0 {
		p := d.Processes[bestP]
		var sb strings.Builder
		fmt.Fprintf(&sb, "【%s】%d%s：\n", p.Title, n, unit)
		for _, st := range p.Steps {
			if inTextRange(st, n, unit) {
				sb.WriteString(st + "\n")
			}
		}
		s.Intent = intentProcess
		s.Process = bestP + 1
		s.List = nil
		s.Doctor, s.Doctors = "", nil
		sb.WriteString("回复「" + p.Title + "」查看完整流程。")
		return sb.String(), true
	}
	var lines []string
	var ids []int
	for i, p := range d.Prices {
		if p.Note != "" && inTextRange(p.Note, n, unit) {
			ids = append(ids, i)
			lines = append(lines, itemLine(p)+"（"+p.Note+"）")
			if len(ids) == pageSize {
				break
			}
		}
	}
	if len(ids) > 0 {
		s.Intent = intentPrice
		s.Items = ids
		s.Query = ""
		s.List = nil
		return fmt.Sprintf("%d%s可做的项目：\n", n, unit) + strings.Join(lines, "\n"), true
	}
	for i, f := range d.FAQ {
		for _, sent := range splitSentenceParts(f.Answer) {
			if inTextRange(sent, n, unit) {
				b.faq(x, s, i)
				return sent, true
			}
		}
	}
	return "", false
}

// fitAskCues ask whether something can be done at a time.
var fitAskCues = []string{"能", "可以", "行不行", "行吗", "合适", "适合", "来得及", "晚不晚", "早不早", "晚了", "早了", "吗", "不"}

// rangeFollowUp answers whether the last item fits the week, month or age
// the patient states (24周了能做吗 after an item noted 孕24-28周做), from the
// items' notes that state a range of that unit.
func (b *Bot) rangeFollowUp(x *search.Index, s *session, u *understanding) (string, bool) {
	n, unit, ok := askedAge(u.norm)
	if !ok || u.priceCue || s.Intent != intentPrice || len(s.Items) == 0 || len(s.Items) > 3 {
		return "", false
	}
	// A question whether it fits (24周了能做吗), not a fragment narrowing
	// the list (1岁以上的).
	if !hasAny(u.norm, fitAskCues) {
		return "", false
	}
	var lines []string
	for _, id := range s.Items {
		if id < 0 || id >= len(x.Data.Prices) {
			return "", false
		}
		p := x.Data.Prices[id]
		if p.Note == "" || !statesRange(p.Note, unit) {
			continue
		}
		verdict := "不在说明的时间范围内"
		if inTextRange(p.Note, n, unit) {
			verdict = "在说明的时间范围内"
		}
		lines = append(lines, fmt.Sprintf("%s：%d%s%s（%s）", p.Name, n, unit, verdict, p.Note))
	}
	if len(lines) == 0 {
		return "", false
	}
	return strings.Join(lines, "\n") + "\n具体请以医生的安排为准。", true
}
