package bot

import (
	"strings"
	"unicode/utf8"

	"github.com/hospital/wxbot/search"
)

// detailSplitSorted are the words of a detail question asked in the same
// message as a price (…多少钱，要不要空腹): removed to find the item.
var detailSplitSorted = byLenDesc(append(append(append([]string{}, detailCues...), whenCues...),
	"要不要", "需不需要", "用不用", "需要", "是不是", "能不能", "可不可以", "可以", "能否"))

// whenCues ask when something is done (大排畸什么时候做): asked with a
// price, a second question the item's note may answer.
var whenCues = []string{"什么时候", "啥时候", "第几周", "几周", "哪个时候"}

// Span retry thresholds.
const (
	spanConfidence = 0.8 // the span must match an item this well
	spanShare      = 0.4 // and carry this share of the query's item vocabulary
)

// priceRetry answers a price question whose whole item query matched
// nothing with confidence: without a second (detail) question, then by the
// run of item vocabulary that carries the question (我妈想问头颅CT -> 头颅CT),
// then by the items' notes (理疗 noted on four items).
func (b *Bot) priceRetry(x *search.Index, s *session, u *understanding) (string, bool) {
	if u.iqAlt != "" && u.iqAlt != u.iq && confident(x, u.iqAlt) {
		return b.priceFresh(x, s, u.iqAlt)
	}
	if text, ok := b.priceSpan(x, s, u.iq, u.iqFull); ok {
		return text, true
	}
	if text, ok := b.priceJoinedSpans(x, s, u.iq, u.norm); ok {
		return text, true
	}
	for _, q := range []string{u.iq, u.iqAlt} {
		if q == "" {
			continue
		}
		if x.GluedTrim(u.iqFull, q) {
			continue
		}
		if ids := x.ItemsByNote(q); len(ids) > 0 {
			u.noteGuess = true
			return b.showItems(x, s, ids, q), true
		}
		for _, sp := range x.ItemSpans(q) {
			if sp.Glued {
				continue
			}
			if ids := x.ItemsByNote(sp.Text); len(ids) > 0 {
				u.noteGuess = true
				return b.showItems(x, s, ids, sp.Text), true
			}
		}
	}
	return "", false
}

// priceSpan answers the heaviest run of item vocabulary in q when it alone
// names an item with confidence and carries most of q's item words. full is
// the item query before chatter was trimmed: the span must end it too (a
// stray character trimmed off the end may be the head of an unknown word,
// 娩 of 无痛分娩, and 无痛 then only qualifies what is asked).
func (b *Bot) priceSpan(x *search.Index, s *session, q, full string) (string, bool) {
	spans := x.ItemSpans(q)
	if len(spans) == 0 {
		return "", false
	}
	total := 0.0
	for _, sp := range spans {
		// A run that names no item by itself (喝农药, a synonym of a
		// complaint items' notes mention) is context, not the item.
		if hs := x.Items(sp.Text); len(hs) > 0 && hs[0].Query >= itemThreshold {
			total += sp.Weight
		}
	}
	for _, sp := range spans {
		if sp.Weight < spanShare*total {
			break
		}
		if sp.Text == q || !substantial(sp.Text) || !endsQuery(q, sp.Text) {
			continue
		}
		if full != "" && full != q && strings.Contains(strings.ReplaceAll(full, " ", ""), strings.ReplaceAll(sp.Text, " ", "")) && !endsQuery(full, sp.Text) {
			continue
		}
		if hs := x.Items(sp.Text); len(hs) > 0 && hs[0].Query >= spanConfidence {
			return b.priceFresh(x, s, sp.Text)
		}
	}
	return "", false
}

// priceJoinedSpans answers the two heaviest runs of item vocabulary of a
// long, chatty q joined in their order, when together they carry most of
// q's item words and name an item with confidence: a body part and an exam
// said apart (磕膝头痛了好几年…想来拍个片子 -> 磕膝头拍片子). Nothing
// but small words may stand between the later run and the price asked in
// norm: an unknown name there (进口的士卓曼的多少钱) is what is asked.
func (b *Bot) priceJoinedSpans(x *search.Index, s *session, q, norm string) (string, bool) {
	spans := x.ItemSpans(q)
	if len(spans) < 2 || !substantial(spans[0].Text) || !substantial(spans[1].Text) {
		return "", false
	}
	total := 0.0
	for _, sp := range spans {
		total += sp.Weight
	}
	if spans[0].Weight+spans[1].Weight < 0.7*total || spans[1].Weight < spanShare*spans[0].Weight {
		return "", false
	}
	c := strings.ReplaceAll(q, " ", "")
	a, z := strings.ReplaceAll(spans[0].Text, " ", ""), strings.ReplaceAll(spans[1].Text, " ", "")
	i, j := strings.Index(c, a), strings.Index(c, z)
	if i < 0 || j < 0 || i == j {
		return "", false
	}
	if j < i {
		a, z = z, a
	}
	if !priceFollows(norm, z) {
		return "", false
	}
	joined := a + z
	hs := x.Items(joined)
	if len(hs) == 0 || hs[0].Query < spanConfidence {
		return "", false
	}
	// Each part must count: the item found covers both.
	if x.ItemCoverage(a, hs[0].ID).Query < itemThreshold || x.ItemCoverage(z, hs[0].ID).Query < itemThreshold {
		return "", false
	}
	return b.priceFresh(x, s, joined)
}

// askFillers are the small words allowed between an item's name and the
// price asked of it (片子看不知道要多少钱).
var askFillers = byLenDesc([]string{"不知道", "不晓得", "晓不得", "不清楚", "想问", "问一下", "问下", "一下", "大概", "大约", "需要",
	"看", "做", "查", "拍", "照", "的", "要", "了", "得", "是", "去", "来", "下"})

// priceFollows reports whether a price cue follows span in norm with only
// askFillers between them.
func priceFollows(norm, span string) bool {
	i := strings.LastIndex(norm, span)
	if i < 0 {
		return false
	}
	rest := norm[i+len(span):]
	k := strings.Index(rest, "钱")
	if k < 0 {
		return false
	}
	between := removeAll(strings.TrimSuffix(strings.TrimSuffix(rest[:k], "多少"), "好多"), askFillers)
	return strings.TrimSpace(between) == ""
}

// endsQuery reports whether span ends q (at most one character after it):
// a Chinese noun phrase ends with its head, so an unknown word after the
// span is what was asked (无痛人流: 人流 is asked, 无痛 only qualifies it).
func endsQuery(q, span string) bool {
	q = strings.ReplaceAll(q, " ", "")
	i := strings.LastIndex(q, strings.ReplaceAll(span, " ", ""))
	if i < 0 {
		return false
	}
	return utf8.RuneCountInString(q[i+len(strings.ReplaceAll(span, " ", "")):]) <= 1
}

// headCovered reports whether item id matches the end of q (its last Latin
// word or last two Chinese characters), literally or by synonym.
func headCovered(x *search.Index, q string, id int) bool {
	us := search.Units(strings.ReplaceAll(q, " ", ""))
	if len(us) == 0 {
		return false
	}
	tail := us[len(us)-1]
	if r, _ := utf8.DecodeRuneInString(tail); isHanRune(r) {
		if len(us) < 2 {
			return true
		}
		tail = us[len(us)-2] + tail
	}
	return x.ItemCoverage(tail, id).Query >= 0.9
}

// substantial reports whether a span can name an item: two Chinese
// characters or a Latin word.
func substantial(t string) bool {
	han := 0
	for _, r := range t {
		if isHanRune(r) {
			han++
		} else if r >= 'a' && r <= 'z' {
			return true
		}
	}
	return han >= 2
}

// itemNoteFollowUp answers a question about the last item(s) from their
// notes when the question shares words with a note (要家属陪着吗 after 无痛
// 胃镜: 检查当天须家属陪同), naming the item.
func (b *Bot) itemNoteFollowUp(x *search.Index, s *session, u *understanding) (string, bool) {
	items := s.Items
	if len(items) == 0 || len(items) > 3 || u.priceCue || !isQuestion(u.norm) {
		return "", false
	}
	// A department named with where or when (产后康复科在哪里) asks about
	// the department.
	if len(u.depts) > 0 && (u.whereCue || u.phoneCue || u.schedCue) {
		return "", false
	}
	// A message naming another item literally is about that item.
	if hs := x.Items(u.iq); len(hs) > 0 && hs[0].Literal && hs[0].Query >= 0.9 && !containsInt(items, hs[0].ID) {
		return "", false
	}
	q := cleanSpaces(removeAll(u.norm, fillersSorted))
	q = cleanSpaces(removeAll(q, detailFillers))
	if q == "" {
		return "", false
	}
	var lines []string
	for _, id := range items {
		if id < 0 || id >= len(x.Data.Prices) {
			return "", false
		}
		p := x.Data.Prices[id]
		if p.Note != "" && sharesWord(x, q, p.Note) {
			lines = append(lines, p.Name+"："+p.Note)
		}
	}
	if len(lines) == 0 {
		return "", false
	}
	return strings.Join(lines, "\n"), true
}

// itemProcessStep answers a follow-up about the last items (代煎 then 可以寄到家里吗)
// from a step of a process whose keyword names one of those items, when a
// step matches the question clearly.
func (b *Bot) itemProcessStep(x *search.Index, s *session, u *understanding) (string, bool) {
	items := s.Items
	if len(items) == 0 || len(items) > 3 || u.priceCue || !isQuestion(u.norm) {
		return "", false
	}
	namesOther := func() bool {
		hs := x.Items(u.iq)
		return len(hs) > 0 && hs[0].Literal && hs[0].Query >= 0.9 && !containsInt(items, hs[0].ID)
	}
	procs := map[int]bool{}
	for _, id := range items {
		if id < 0 || id >= len(x.Data.Prices) {
			return "", false
		}
		name := compactNorm(x.Data.Prices[id].Name)
		for pi, p := range x.Data.Processes {
			for _, k := range p.Keywords {
				if k = compactNorm(k); utf8.RuneCountInString(k) >= 2 && strings.Contains(name, k) {
					procs[pi] = true
				}
			}
		}
	}
	if len(procs) == 0 {
		return "", false
	}
	// 要带什么去: the step of the item's one process that says what to bring
	// (one character left, 去, names no other item).
	if pi, ok := longestKeywordProcess(x, items); ok && hasAny(u.norm, bringCues) && (utf8.RuneCountInString(u.iq) < 2 || !namesOther()) {
		if si := bringStep(x.Data.Processes[pi].Steps); si >= 0 {
			return b.step(x, s, search.TextRef{Kind: search.TextStep, Index: pi, Step: si}), true
		}
	}
	if namesOther() {
		return "", false
	}
	q := cleanSpaces(removeAll(u.norm, fillersSorted))
	q = cleanSpaces(removeAll(q, detailFillers))
	if q == "" {
		return "", false
	}
	hs := x.Texts(q, true, func(r search.TextRef) bool { return r.Kind == search.TextStep && procs[r.Index] })
	if len(hs) == 0 || hs[0].Query < stepThreshold {
		return "", false
	}
	return b.step(x, s, hs[0].Ref), true
}

// longestKeywordProcess returns the one process with the longest keyword
// (two characters or more) that an item's name contains (健康证 over 体检 for
// 从业人员健康体检(健康证)); ok is false on a tie between processes.
func longestKeywordProcess(x *search.Index, items []int) (int, bool) {
	best, bestLen, tie := -1, 0, false
	for _, id := range items {
		if id < 0 || id >= len(x.Data.Prices) {
			return 0, false
		}
		name := compactNorm(x.Data.Prices[id].Name)
		for pi, p := range x.Data.Processes {
			for _, k := range p.Keywords {
				k = compactNorm(k)
				n := utf8.RuneCountInString(k)
				if n < 2 || !strings.Contains(name, k) {
					continue
				}
				switch {
				case n > bestLen:
					best, bestLen, tie = pi, n, false
				case n == bestLen && pi != best:
					tie = true
				}
			}
		}
	}
	return best, best >= 0 && !tie
}

func containsInt(xs []int, v int) bool {
	for _, x := range xs {
		if x == v {
			return true
		}
	}
	return false
}

// isQuestion reports whether a message reads as a question (rather than a
// fragment narrowing a list: 儿童用的).
func isQuestion(norm string) bool {
	for _, w := range []string{"吗", "么", "嘛", "不", "没", "没有"} {
		if strings.HasSuffix(norm, w) {
			return true
		}
	}
	return hasAny(norm, []string{"要不要", "需不需要", "能不能", "可不可以", "用不用", "是不是", "会不会", "多久", "多长", "什么", "怎么", "几", "哪"})
}
