package bot

import (
	"strings"
	"unicode/utf8"

	"github.com/hospital/wxbot/search"
)

// fragmentDetail answers a fragment with a detail question over the last
// price list (肝胆的 要空腹不 after 彩超多少钱): the fragment narrows the last
// question to one item, whose detail (price and note) answers both. ok is
// false unless the fragment narrows to exactly one item.
func (b *Bot) fragmentDetail(x *search.Index, s *session, u *understanding) (string, bool) {
	if s.Query == "" || s.Query == regQuery || !u.detailCue || u.priceCue || len(s.Items) < 2 && len(s.List) < 2 {
		return "", false
	}
	f := removeAll(u.norm, detailSplitSorted)
	f = removeAll(f, fillersSorted)
	f = cleanSpaces(removeAll(f, fragDetailDrop))
	if utf8.RuneCountInString(strings.ReplaceAll(f, " ", "")) < 2 {
		return "", false
	}
	f = x.Correct(f)
	c := s.clone()
	text, ok := b.priceFragment(x, c, f)
	if !ok || len(c.Items) != 1 || (len(s.Items) > 0 && containsInt(s.Items, c.Items[0]) && len(s.Items) == 1) {
		return "", false
	}
	// The fragment is said by the item's name (肝胆 in ...(肝胆胰脾)), not
	// only by its note.
	if x.ItemCoverage(f, c.Items[0]).Query < itemThreshold {
		return "", false
	}
	*s = *c
	return text, true
}

// fragDetailDrop are particles around a fragment with a detail question.
var fragDetailDrop = byLenDesc([]string{"的", "呢", "吗", "不", "没", "么", "嘛", "啊", "那", "那个", "这个", "要", "得", "是", "做", "查"})

// detailWordsAsked returns the detail words (空腹, 医保, 预约 ...) a message
// asks besides a price.
func detailWordsAsked(norm string) []string {
	var out []string
	for _, w := range byLenDesc(detailCues) {
		if strings.Contains(norm, w) && !contains(out, w) {
			covered := false
			for _, o := range out {
				if strings.Contains(o, w) {
					covered = true
				}
			}
			if !covered {
				out = append(out, w)
			}
		}
	}
	return out
}

// listDetailNotes is, for a price list answering a message that also asks a
// detail (四维彩超多少钱 要空腹不), the notes of the listed items that speak
// of it, one line each; "" when none does. Insurance questions are left to
// the follow-up (the list shows no class).
func listDetailNotes(x *search.Index, s *session, norm string) string {
	if len(s.Items) < 2 {
		return ""
	}
	words := detailWordsAsked(norm)
	if len(words) == 0 || hasAny(norm, []string{"医保", "报销", "能报", "可以报", "甲类", "乙类", "丙类", "自费"}) {
		return ""
	}
	var lines []string
	for i, id := range s.Items {
		if i == pageSize {
			break
		}
		if id < 0 || id >= len(x.Data.Prices) {
			return ""
		}
		p := x.Data.Prices[id]
		if p.Note == "" {
			continue
		}
		for _, w := range words {
			if sharesWord(x, w, p.Note) {
				lines = append(lines, p.Name+"："+p.Note)
				break
			}
		}
	}
	if len(lines) == 0 {
		return ""
	}
	return "\n" + strings.Join(lines, "\n")
}
