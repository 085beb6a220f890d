package bot

import (
	"strings"
	"unicode/utf8"

	"github.com/hospital/wxbot/search"
	"github.com/hospital/wxbot/textnorm"
)

// superlativeWords pick from the last list by price: 贵的 / 最便宜的.
var (
	dearWords  = []string{"最贵", "贵一点", "贵点", "贵些", "贵的", "高一点", "好一点", "贵"}
	cheapWords = []string{"最便宜", "便宜一点", "便宜点", "便宜些", "便宜的", "最低", "实惠", "便宜"}
	// superFillers may surround a superlative without naming anything.
	superFillers = byLenDesc([]string{"那个", "哪个", "哪一个", "哪种", "是", "的", "要", "呢", "吗", "啊", "一个", "一种", "那", "最", "多少钱", "多少", "价格", "我要", "给我", "看看", "一点", "点"})
)

// priceSuperlative answers 贵的那个 / 最便宜的是哪个 over the items of the
// last list: the dearest or the cheapest one.
func (b *Bot) priceSuperlative(x *search.Index, s *session, norm string) (string, bool) {
	if len(s.Items) < 2 {
		return "", false
	}
	dear, cheap := hasAny(norm, dearWords), hasAny(norm, cheapWords)
	if dear == cheap {
		return "", false
	}
	rest := removeAll(removeAll(removeAll(norm, dearWordsSorted), cheapWordsSorted), superFillers)
	if cleanSpaces(rest) != "" {
		return "", false
	}
	d := x.Data
	best := -1
	for _, id := range s.Items {
		if id < 0 || id >= len(d.Prices) {
			return "", false
		}
		if best < 0 || (dear && d.Prices[id].Cents > d.Prices[best].Cents) || (cheap && d.Prices[id].Cents < d.Prices[best].Cents) {
			best = id
		}
	}
	word := "最便宜的"
	if dear {
		word = "最贵的"
	}
	return "刚才列出的项目中" + word + "是：\n" + b.showItems(x, s, []int{best}, s.Query), true
}

// familyFragment narrows to the members of the last item's family whose
// name holds a piece of the message literally (再加一组 -> 静脉输液(每增加一
// 组) after 静脉输液): for words no synonym or index weighting knows.
// minRunes is the shortest piece looked for.
func (b *Bot) familyFragment(x *search.Index, s *session, norm string, minRunes int) (string, bool) {
	if len(s.Items) == 0 {
		return "", false
	}
	family := s.Query
	if len(s.Items) == 1 && s.Items[0] >= 0 && s.Items[0] < len(x.Data.Prices) {
		family = x.ItemCore(s.Items[0])
	}
	if family == "" {
		return "", false
	}
	var members []int
	for _, h := range x.Items(family) {
		if h.Query < spanConfidence {
			break
		}
		members = append(members, h.ID)
	}
	if len(members) < 2 {
		return "", false
	}
	text := strings.ReplaceAll(removeAll(norm, priceCuesSorted), " ", "")
	rs := []rune(text)
	for l := len(rs); l >= minRunes; l-- {
		for i := 0; i+l <= len(rs); i++ {
			piece := string(rs[i : i+l])
			if !substantial(piece) || edgeParticle(piece) {
				continue
			}
			var hit []int
			for _, id := range members {
				if strings.Contains(x.ItemName(id), piece) {
					hit = append(hit, id)
				}
			}
			if len(hit) == 0 || len(hit) == len(members) || sameSet(hit, s.Items) ||
				(len(s.Items) > 1 && !subset(hit, s.Items)) {
				continue
			}
			hit = keepLiteral(x, family, hit)
			return b.showItems(x, s, hit, family), true
		}
	}
	return "", false
}

// sameSet reports whether a and b hold the same ids.
func sameSet(a, b []int) bool {
	return len(a) == len(b) && subset(a, b)
}

// subset reports whether every id of a is in b.
func subset(a, b []int) bool {
	for _, v := range a {
		if !containsInt(b, v) {
			return false
		}
	}
	return true
}

// literalShare is the share of q's characters (Han characters and Latin
// words) that item id's name holds literally: 胸片 shares 胸 with 胸部正侧
// 位DR摄影 and nothing with 颈椎正侧位DR摄影, though both are 胸片 by synonym.
func literalShare(x *search.Index, q string, id int) float64 {
	us := search.Units(strings.ReplaceAll(textnorm.Normalize(q), " ", ""))
	if len(us) == 0 {
		return 0
	}
	name := x.ItemName(id)
	n, hit := 0, 0
	for _, u := range us {
		if u == "" {
			continue
		}
		if r, _ := utf8.DecodeRuneInString(u); isHanRune(r) || (r >= 'a' && r <= 'z') {
			n++
			if strings.Contains(name, u) {
				hit++
			}
		}
	}
	if n == 0 {
		return 0
	}
	return float64(hit) / float64(n)
}

// edgeParticle reports whether a piece starts or ends with a particle (那,
// 的, 呢 ...), which no item name is looked up by.
func edgeParticle(p string) bool {
	for _, w := range trailFillers {
		if strings.HasSuffix(p, w) {
			return true
		}
	}
	for _, w := range []string{"那", "的", "还", "再", "就"} {
		if strings.HasPrefix(p, w) {
			return true
		}
	}
	return false
}

// keepLiteral keeps the items sharing most of q's own words literally (胸
// of 胸片), when some share more than others.
func keepLiteral(x *search.Index, q string, ids []int) []int {
	best, worst := -1.0, 2.0
	shares := make([]float64, len(ids))
	for i, id := range ids {
		shares[i] = literalShare(x, q, id)
		best = max(best, shares[i])
		worst = min(worst, shares[i])
	}
	if best <= 0 || best-worst < 1e-9 {
		return ids
	}
	var out []int
	for i, id := range ids {
		if shares[i] > best-1e-9 {
			out = append(out, id)
		}
	}
	return out
}

// nearItem answers a price question whose words name no item but are one
// mistyped character away from exactly one item name (阿奇梅素 -> 阿奇霉素
// 片), saying which item it took the question for.
func (b *Bot) nearItem(x *search.Index, s *session, q string) (string, bool) {
	q = strings.ReplaceAll(q, " ", "")
	if utf8.RuneCountInString(q) < 3 {
		return "", false
	}
	var cores []string
	var ids []int
	for k, h := range x.Items(q) {
		if k >= 30 || h.Query < suggestThreshold {
			break
		}
		core := hanHead(x.ItemCore(h.ID))
		if !search.NearName(q, core) {
			continue
		}
		if !contains(cores, core) {
			cores = append(cores, core)
		}
		ids = append(ids, h.ID)
	}
	if len(cores) != 1 {
		return "", false
	}
	text := b.showItems(x, s, ids, cores[0])
	return "您问的可能是「" + cores[0] + "」：\n" + text, true
}

// hanHead returns the leading Chinese characters of a name (阿奇霉素片 of
// 阿奇霉素片0.25g*6片).
func hanHead(n string) string {
	for i, r := range n {
		if !isHanRune(r) {
			return n[:i]
		}
	}
	return n
}

// bloodWords ask the price of "a blood test" without naming one.
var bloodWords = []string{"抽血", "采血", "验血", "查血", "抽血化验", "抽血检查", "化验", "验个血"}

// bloodDrop removes what a blood-test question holds besides the words.
var bloodDrop = strings.NewReplacer(" ", "", "钱", "", "要", "", "的", "")

// dearWordsSorted and cheapWordsSorted are dearWords and cheapWords, longest first.
var (
	dearWordsSorted  = byLenDesc(dearWords)
	cheapWordsSorted = byLenDesc(cheapWords)
)

// bloodTests answers 抽个血多少钱 (no test named) with the lab tests on
// blood (category 检验, a name with 血): a blood draw is paid by its tests.
// norm is the whole message.
func (b *Bot) bloodTests(x *search.Index, s *session, norm string) (string, bool) {
	// Every blood word holds 血 or 验, and the query below only drops text.
	if !strings.ContainsAny(norm, "血验") {
		return "", false
	}
	iq := norm
	iq = removeAll(removeAll(iq, priceCuesSorted), fillersSorted)
	iq = bloodDrop.Replace(iq)
	if !isOneOf(iq, bloodWords) || confident(x, iq) {
		return "", false
	}
	blood := strings.Contains(iq, "血")
	var ids []int
	for i, p := range x.Data.Prices {
		if strings.TrimSpace(p.Category) != "检验" {
			continue
		}
		if blood && !strings.Contains(p.Name, "血") {
			continue
		}
		ids = append(ids, i)
	}
	if len(ids) == 0 {
		return "", false
	}
	text := b.showItems(x, s, ids, iq)
	return iq + "按所查的检验项目收费，请问您要查哪一项？常见项目：\n" + text, true
}

// drugForms are the form words of a drug's name (布洛芬栓, 布洛芬混悬液): a
// fragment naming one (栓的呢) narrows the last list to that form.
var drugForms = byLenDesc([]string{"混悬滴剂", "混悬液", "口服液", "口服溶液", "颗粒", "胶囊", "糖浆", "滴剂", "喷雾", "喷剂", "软膏", "乳膏", "栓", "片", "针", "注射液", "贴"})

// formFillers may surround a form word without naming anything.
var formFillers = byLenDesc([]string{"那个", "那", "的", "呢", "吗", "啊", "要", "是", "剂", "型", "多少钱", "多少", "价格", "这个", "有没有", "有"})

// formNarrow answers a drug-form fragment (栓的呢 after 布洛芬多少钱) with
// the items of the last list whose names hold the form word.
func (b *Bot) formNarrow(x *search.Index, s *session, norm string) (string, bool) {
	if len(s.Items) < 2 {
		return "", false
	}
	t := strings.ReplaceAll(norm, " ", "")
	form := ""
	for _, f := range drugForms {
		if strings.Contains(t, f) {
			form = f
			break
		}
	}
	if form == "" || cleanSpaces(removeAll(strings.Replace(t, form, "", 1), formFillers)) != "" {
		return "", false
	}
	var hit []int
	for _, id := range s.Items {
		if id < 0 || id >= len(x.Data.Prices) {
			return "", false
		}
		// The form word in the name, not its pack size (0.25g*6片).
		if strings.Contains(hanHead(coreName(x.Data.Prices[id].Name)), form) {
			hit = append(hit, id)
		}
	}
	if len(hit) == 0 || len(hit) == len(s.Items) {
		return "", false
	}
	list, title := append([]listEntry(nil), s.List...), s.ListTitle
	text := b.showItems(x, s, hit, s.Query)
	if len(hit) == 1 && len(list) > 0 {
		// One form chosen: the list stays for picking another by number.
		s.List, s.ListTitle = list, title
	}
	return text, true
}
