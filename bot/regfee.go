package bot

import (
	"regexp"
	"strings"

	"github.com/hospital/wxbot/search"
	"github.com/hospital/wxbot/textnorm"
)

// regQuestion finds a registration-fee question: 挂号费, 挂(骨科)专家号,
// 主任号, 普通号.
var regQuestion = regexp.MustCompile(`挂号|挂.{0,8}号|(专家|主任|普通|教授|急诊|夜间|名医|特需|便民|知名)的?号`)

// regQuery is the session query of a registration-fee answer (fragments
// after it are read as doctor titles).
const regQuery = "挂号费"

// regTitles are the doctor-title words patients use for registration, each
// with the words of item names that carry it.
var regTitles = []struct {
	word  string
	names []string
	plain bool // the name word must not follow 副 (主任, not 副主任)
}{
	{"知名专家", []string{"知名"}, false},
	{"名医", []string{"知名", "名医"}, false},
	{"副主任", []string{"副主任"}, false},
	{"副教授", []string{"副主任", "副教授"}, false},
	{"主任", []string{"主任"}, true},
	{"教授", []string{"主任", "教授", "专家"}, true},
	{"专家", []string{"专家", "主任"}, false},
	{"普通", []string{"普通"}, false},
	{"普号", []string{"普通"}, false},
	{"急诊", []string{"急诊"}, false},
	{"夜间", []string{"夜间"}, false},
	{"晚上", []string{"夜间"}, false},
	{"便民", []string{"便民"}, false},
	{"互联网", []string{"互联网"}, false},
	{"网上", []string{"互联网"}, false},
	{"线上", []string{"互联网"}, false},
	{"特需", []string{"特需"}, false},
}

// registrationItems returns the registration-fee items (category 挂号, or
// a name with 挂号费).
func registrationItems(x *search.Index) []int {
	var out []int
	for i, p := range x.Data.Prices {
		if strings.TrimSpace(p.Category) == "挂号" || strings.Contains(textnorm.Normalize(p.Name), "挂号费") {
			out = append(out, i)
		}
	}
	return out
}

// titleWords returns the title words named in s, longest first, without
// words inside a longer one (主任 in 副主任).
func titleWords(s string) []int {
	var out []int
	for k, t := range regTitles {
		i := strings.Index(s, t.word)
		if i < 0 {
			continue
		}
		inside := false
		for _, o := range out {
			if strings.Contains(regTitles[o].word, t.word) && strings.Contains(s, regTitles[o].word) {
				inside = true
			}
		}
		if !inside {
			out = append(out, k)
		}
	}
	return out
}

// matchesTitle reports whether an item name carries title t.
func matchesTitle(name string, t int) bool {
	rt := regTitles[t]
	for _, w := range rt.names {
		for off := 0; ; {
			i := strings.Index(name[off:], w)
			if i < 0 {
				break
			}
			pos := off + i
			if !rt.plain || !strings.HasSuffix(name[:pos], "副") {
				return true
			}
			off = pos + len(w)
		}
	}
	return false
}

// regFee answers a registration-fee question from the registration items,
// narrowed by the doctor title words it names (专家 -> 专家 / 主任 items).
// q is the text holding the title words.
func (b *Bot) regFee(x *search.Index, s *session, q string, requireTitle bool) (string, bool) {
	items := registrationItems(x)
	if len(items) == 0 {
		return "", false
	}
	ts := titleWords(q)
	if len(ts) == 0 {
		if requireTitle {
			return "", false
		}
		return b.showItems(x, s, items, regQuery), true
	}
	var hit []int
	for _, id := range items {
		name := x.ItemName(id)
		for _, t := range ts {
			if matchesTitle(name, t) {
				hit = append(hit, id)
				break
			}
		}
	}
	if len(hit) == 0 {
		return "", false
	}
	return b.showItems(x, s, hit, regQuery), true
}

// isRegQuestion reports whether a price question asks a registration fee.
func isRegQuestion(norm string) bool {
	// Every alternative of regQuestion ends in 号.
	return strings.Contains(norm, "号") && regQuestion.MatchString(norm)
}
