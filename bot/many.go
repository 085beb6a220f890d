package bot

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/hospital/wxbot/search"
)

// itemJoiners join several items in one price question (血常规+尿常规,
// 肝功能和肾功能).
var itemJoiners = []string{"+", "和", "跟", "、", "以及", "还有", "加上", "加", "与"}

// splitItems splits an item query at joiner words; nil when there is only one part.
func splitItems(q string) []string {
	if !hasAny(q, itemJoiners) {
		// One part at most: nothing to split.
		return nil
	}
	parts := []string{q}
	for _, j := range itemJoiners {
		var next []string
		for _, p := range parts {
			for _, t := range strings.Split(p, j) {
				if t = cleanSpaces(t); t != "" {
					next = append(next, t)
				}
			}
		}
		parts = next
	}
	if len(parts) < 2 {
		return nil
	}
	return parts
}

// maxPerPart bounds the items one part of a several-item question may name.
const maxPerPart = 3

// priceMany answers a price question naming several items (血常规+尿常规
// 一共多少钱): every part must name items with confidence; the prices are
// listed and, when each part is one item, added up.
func (b *Bot) priceMany(x *search.Index, s *session, u *understanding) (string, bool) {
	return b.priceParts(x, s, u, splitItems(u.norm))
}

// priceJuxtaposed answers a price question naming two items side by side
// without a joiner (肝功肾功多少钱) as priceMany does.
func (b *Bot) priceJuxtaposed(x *search.Index, s *session, u *understanding) (string, bool) {
	if u.iqAlt != "" || u.detailCue || u.iq != u.iqFull || splitItems(u.norm) != nil || spanHit(x, u.iq) {
		return "", false
	}
	return b.priceParts(x, s, u, juxtaposed(x, u.iq))
}

// priceParts prices the items each part of a price question names (nil
// parts: none).
func (b *Bot) priceParts(x *search.Index, s *session, u *understanding, parts []string) (string, bool) {
	if parts == nil {
		return "", false
	}
	q := u.iq
	// A name holding the joiner (便常规+隐血) is one item.
	for _, h := range x.Items(q) {
		if h.Query < 0.9 {
			break
		}
		name := x.ItemName(h.ID)
		for _, j := range itemJoiners {
			if strings.Contains(u.norm, j) && strings.Contains(name, j) {
				return "", false
			}
		}
	}
	for i, p := range parts {
		p = x.Correct(itemQuery(p))
		if t := x.TrimForeignEdges(p); t != "" {
			p = t
		}
		// Who it is for (孩子查血常规) names no item.
		if !spanHit(x, p) {
			t := x.TrimChatter(cleanSpaces(removeAll(removeAll(p, whoWords), kinWords)))
			// A verb before the item (查血常规).
			if r, n := utf8.DecodeRuneInString(t); n > 0 && search.ObjectVerb(string(r)) && !spanHit(x, t) {
				t = t[n:]
			}
			if t != "" && spanHit(x, t) {
				p = t
			}
		}
		parts[i] = p
	}
	// One item naming every part (便常规和隐血: 便常规+隐血) answers it.
	for k, h := range x.Items(q) {
		if k >= 5 || h.Query < itemThreshold {
			break
		}
		all := true
		for _, p := range parts {
			if x.ItemCoverage(p, h.ID).Query < 0.9 {
				all = false
				break
			}
		}
		if all {
			return "", false
		}
	}
	var all []int
	single := true
	for _, p := range parts {
		hs := x.Items(p)
		if len(hs) == 0 || hs[0].Query < spanConfidence || !substantial(p) {
			return "", false
		}
		ids := chooseItems(x, p, band(hs))
		if len(ids) == 0 || len(ids) > maxPerPart {
			return "", false
		}
		if len(ids) > 1 {
			single = false
		}
		for _, id := range ids {
			if !containsInt(all, id) {
				all = append(all, id)
			}
		}
	}
	d := x.Data
	var sb strings.Builder
	var sum int64
	s.Intent = intentPrice
	s.Items = all
	s.Query = q
	s.List = s.List[:0]
	s.Page = 1
	s.Doctor, s.Doctors = "", nil
	for i, id := range all {
		p := d.Prices[id]
		fmt.Fprintf(&sb, "%d. %s", i+1, itemLine(p))
		if l := insuranceLabel(p.Insurance); l != "" {
			sb.WriteString("（" + l + "）")
		}
		sb.WriteString("\n")
		sum += p.Cents
		s.List = append(s.List, listEntry{Kind: listItem, ID: id})
	}
	s.ListTitle = fmt.Sprintf("找到%d项相关收费", len(all))
	if single {
		fmt.Fprintf(&sb, "合计：%s\n", yuan(sum))
	}
	sb.WriteString("回复序号查看详情。")
	return sb.String(), true
}

// spanHit reports whether q names an item with a part's confidence.
func spanHit(x *search.Index, q string) bool {
	hs := x.Items(q)
	return len(hs) > 0 && hs[0].Query >= spanConfidence
}

// juxtaposedConfidence is how well each side of two names said side by side
// must match an item: all but exactly.
const juxtaposedConfidence = 0.95

// juxtaposed splits an item query naming two items side by side without a
// joiner (肝功肾功, 血常规尿常规) where each side alone names an item with a
// part's confidence (a verb before the first, 查肝功, left out) and both are
// of one category; of several
// such splits, the one whose weaker side matches best. nil when there is none.
func juxtaposed(x *search.Index, q string) []string {
	rs := []rune(strings.ReplaceAll(q, " ", ""))
	if len(rs) < 4 || len(rs) > 20 {
		return nil
	}
	score := func(p string) (float64, string) {
		if r, n := utf8.DecodeRuneInString(p); n > 0 && search.ObjectVerb(string(r)) && !spanHit(x, p) {
			p = p[n:]
		}
		if !substantial(p) {
			return 0, ""
		}
		hs := x.Items(p)
		if len(hs) == 0 || hs[0].Query < juxtaposedConfidence {
			return 0, ""
		}
		return hs[0].Query, x.Data.Prices[hs[0].ID].Category
	}
	var best []string
	bestScore := 0.0
	for i := 2; i <= len(rs)-2; i++ {
		if !isHanRune(rs[i-1]) && !isHanRune(rs[i]) {
			continue // never inside a Latin word or a number
		}
		l, r := string(rs[:i]), string(rs[i:])
		sl, cl := score(l)
		if sl == 0 {
			continue
		}
		// Names listed side by side are of one kind (two tests): a
		// modifier before a head (hpv疫苗) names two kinds.
		if sr, cr := score(r); sr > 0 && cr == cl && min(sl, sr) > bestScore {
			best, bestScore = []string{l, r}, min(sl, sr)
		}
	}
	return best
}
