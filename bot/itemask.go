package bot

import (
	"strings"
	"unicode/utf8"

	"github.com/hospital/wxbot/search"
)

// askStops are question words and verbs around an item in a question about
// it (叶酸片什么时候开始吃 -> 开始), removed before comparing with its note.
var askStops = byLenDesc([]string{
	"什么时候", "啥时候", "多长时间", "要不要", "需不需要", "能不能", "可不可以", "用不用", "是不是", "会不会",
	"可以", "能", "吗", "呢", "吧", "啊", "要", "需要", "一般", "大概", "什么", "啥", "怎么", "的", "了", "是",
	"做", "拍", "吃", "用", "打", "查", "照", "住",
})

// namedItem finds the item a question names by its heaviest run of item
// words (叶酸片 in 叶酸片什么时候开始吃, 胸片 in 孕妇能拍胸片吗): the items
// matching that run alone with confidence (at most three, best first), the
// run, and the rest of the message.
func namedItem(x *search.Index, u *understanding) ([]int, string, string) {
	q := removeAll(u.iq, detailCuesSorted)
	q = removeAll(q, askCueWords)
	q = cleanSpaces(q)
	for _, sp := range x.ItemSpans(q) {
		if sp.Glued || utf8.RuneCountInString(sp.Text) < 2 {
			continue
		}
		hs := x.Items(sp.Text)
		if len(hs) == 0 || hs[0].Query < 0.8 {
			return nil, "", ""
		}
		var ids []int
		for _, h := range hs {
			if h.Query < hs[0].Query-bandMargin || len(ids) == 3 {
				break
			}
			ids = append(ids, h.ID)
		}
		rest := strings.Replace(x.Correct(u.norm), sp.Text, " ", 1)
		if rest == x.Correct(u.norm) {
			rest = u.norm
		}
		return ids, sp.Text, rest
	}
	return nil, "", ""
}

// itemAsk answers a question about an item the message names (not its
// price) from the item's note when the note speaks of the question's
// words (糖耐要空腹吗, 孕妇能拍胸片吗); with switchDetail, a detail question
// (剖腹产一般住几天) about a newly named item is answered for that item.
func (b *Bot) itemAsk(x *search.Index, s *session, u *understanding, switchDetail bool) (string, bool) {
	if u.priceCue || !(u.detailCue || isQuestion(u.norm)) {
		return "", false
	}
	ids, span, rest := namedItem(x, u)
	if len(ids) == 0 {
		return "", false
	}
	probe := cleanSpaces(removeAll(removeAll(rest, fillersSorted), askStops))
	if probe == "" {
		return "", false
	}
	d := x.Data
	var lines []string
	for _, id := range ids {
		p := d.Prices[id]
		if p.Note != "" && sharesWord(x, probe, p.Note) {
			lines = append(lines, p.Name+"："+p.Note)
		}
	}
	if len(lines) > 0 {
		s.Intent, s.Items, s.Query, s.List = intentPrice, ids, span, nil
		return strings.Join(lines, "\n"), true
	}
	if switchDetail && u.detailCue && !containsAny(s.Items, ids) {
		s.Intent, s.Items, s.Query, s.List = intentPrice, ids[:1], span, nil
		return b.itemDetailQuestion(x, s, u)
	}
	return "", false
}

func containsAny(xs, ys []int) bool {
	for _, y := range ys {
		if containsInt(xs, y) {
			return true
		}
	}
	return false
}

// askCueWords are the cue words that never name an item in a question about one.
var askCueWords = byLenDesc(append(append(append(append([]string{}, apptCues...), scheduleCues...), howCues...), whereCues...))
