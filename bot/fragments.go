package bot

import (
	"strings"

	"github.com/hospital/wxbot/search"
)

// numeralDigits maps Chinese numerals to the digits item names often use
// (甲状腺功能(5项), 九价 written 9价).
var numeralDigits = strings.NewReplacer("一", "1", "二", "2", "两", "2", "三", "3", "四", "4", "五", "5", "六", "6", "七", "7", "八", "8", "九", "9", "十", "10")

// countedNarrow answers a fragment that names a count (五项的, 三项呢, 4维的)
// after a list of price items: the one listed item whose name says that
// count, in Chinese numerals or digits.
func (b *Bot) countedNarrow(x *search.Index, s *session, norm string) (string, bool) {
	if len(s.Items) < 2 {
		return "", false
	}
	f := strings.ReplaceAll(trimFillers(norm), " ", "")
	f = cleanSpaces(removeAll(f, formFillers))
	if f == "" || !strings.ContainsAny(f, "一二两三四五六七八九十0123456789") {
		return "", false
	}
	variants := []string{f, numeralDigits.Replace(f)}
	hit := -1
	for _, id := range s.Items {
		if id < 0 || id >= len(x.Data.Prices) {
			return "", false
		}
		name := compactNorm(x.Data.Prices[id].Name)
		for _, v := range variants {
			if strings.Contains(name, v) {
				if hit >= 0 && hit != id {
					return "", false
				}
				hit = id
			}
		}
	}
	if hit < 0 {
		return "", false
	}
	return b.showItems(x, s, []int{hit}, s.Query), true
}

// plainWords ask for the plain form of what was just priced (普通的呢 after
// 二甲双胍缓释片): the sibling without the modifier.
var plainWords = []string{"普通的", "普通", "一般的", "平常的", "普通型", "普通款", "不是缓释的", "不缓释的"}

// plainVariant answers 普通的呢 after one item was priced and no item of
// its family says 普通: the other item of the same family whose name the
// last item's name holds most of (盐酸二甲双胍片 for 盐酸二甲双胍缓释片).
func (b *Bot) plainVariant(x *search.Index, s *session, norm string) (string, bool) {
	if len(s.Items) != 1 || s.Query == "" {
		return "", false
	}
	if !isOneOf(trimFillers(strings.ReplaceAll(norm, " ", "")), plainWords) {
		return "", false
	}
	cur := s.Items[0]
	hs := x.Items(s.Query)
	best, bestDoc := -1, 0.0
	for _, h := range hs {
		if h.ID == cur || h.Query < itemThreshold {
			continue
		}
		if strings.Contains(compactNorm(x.Data.Prices[h.ID].Name), "普通") {
			// The family names its plain member: the usual fragment
			// matching finds it.
			return "", false
		}
		if h.Doc > bestDoc+1e-9 {
			best, bestDoc = h.ID, h.Doc
		}
	}
	if best < 0 || bestDoc < 0.6 {
		return "", false
	}
	return b.showItems(x, s, []int{best}, x.ItemName(best)), true
}
