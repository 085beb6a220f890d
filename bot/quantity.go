package bot

import (
	"regexp"
	"strings"

	"github.com/hospital/wxbot/search"
)

// quantityAskRe finds a question about an amount with its unit (能提前几天,
// 多少分钟, 住几天): the answer is the text that states such an amount.
var quantityAskRe = regexp.MustCompile(`(?:几|多少)(?:个)?(天|日|周|星期|个月|月|年|小时|分钟|次|楼|层|岁|号)`)

// quantityLongRe is a how-long question without a unit (多久, 多长时间).
var quantityLongRe = regexp.MustCompile(`多久|多长时间|多长时候`)

// askedUnits returns the units an amount question asks about, nil when the
// message asks none.
func askedUnits(norm string) []string {
	var out []string
	for _, m := range quantityAskRe.FindAllStringSubmatch(norm, -1) {
		u := m[1]
		switch u {
		case "个月":
			u = "月"
		case "楼":
			out = append(out, "层")
		case "层":
			out = append(out, "楼")
		case "星期":
			out = append(out, "周")
		}
		out = append(out, u)
	}
	if quantityLongRe.MatchString(norm) {
		out = append(out, "天", "日", "周", "月", "小时", "分钟", "工作日")
	}
	return out
}

// statesAmount reports whether text states a number followed by one of units
// (7天内, 30分钟, 5个工作日).
func statesAmount(text string, units []string) bool {
	for _, u := range units {
		re := amountRes[u]
		if re == nil {
			re = regexp.MustCompile(`[0-9一二三四五六七八九十两]+\s*(?:个)?(?:多)?(?:工作)?` + regexp.QuoteMeta(u))
		}
		if re.MatchString(text) {
			return true
		}
	}
	return false
}

var amountRes = func() map[string]*regexp.Regexp {
	m := map[string]*regexp.Regexp{}
	for _, u := range []string{"天", "日", "周", "星期", "月", "年", "小时", "分钟", "次", "楼", "层", "岁", "号", "工作日"} {
		m[u] = regexp.MustCompile(`[0-9一二三四五六七八九十两]+\s*(?:个)?(?:多)?(?:工作)?` + regexp.QuoteMeta(u))
	}
	return m
}()

// quantityMargin is how far below the best a text that states the asked
// amount may score and still be preferred.
const quantityMargin = 0.2

// preferAmount moves to the front the best hit within quantityMargin of the
// first whose text states an amount in the unit the question asks for
// (能提前几天约: the step with 7天, not the one with 提前20分钟).
func preferAmount(d textSource, norm string, hs []search.TextHit) []search.TextHit {
	units := askedUnits(norm)
	if len(units) == 0 || len(hs) < 2 {
		return hs
	}
	// Best: the amount right after one of the question's words (提前14天
	// for 能提前几天约).
	for i := 0; i < len(hs); i++ {
		if hs[i].Query < hs[0].Query-quantityMargin {
			break
		}
		if amountAfterWord(d(hs[i].Ref), units, norm) {
			out := append([]search.TextHit{hs[i]}, hs[:i]...)
			return append(out, hs[i+1:]...)
		}
	}
	if statesAmount(d(hs[0].Ref), units) {
		return hs
	}
	for i := 1; i < len(hs); i++ {
		if hs[i].Query < hs[0].Query-quantityMargin {
			break
		}
		if statesAmount(d(hs[i].Ref), units) {
			out := append([]search.TextHit{hs[i]}, hs[:i]...)
			return append(out, hs[i+1:]...)
		}
	}
	return hs
}

// textSource returns the text a hit refers to.
type textSource func(search.TextRef) string

// amountAfterWord reports whether text states an amount in one of units
// right after two characters that the question also holds (提前14天 for
// 能提前几天约).
func amountAfterWord(text string, units []string, norm string) bool {
	for _, u := range units {
		re := amountRes[u]
		if re == nil {
			continue
		}
		for _, loc := range re.FindAllStringIndex(text, -1) {
			before := []rune(text[:loc[0]])
			if len(before) < 2 {
				continue
			}
			if w := string(before[len(before)-2:]); strings.Contains(norm, w) {
				return true
			}
		}
	}
	return false
}
