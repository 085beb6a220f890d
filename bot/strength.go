package bot

import (
	"regexp"
	"strings"

	"github.com/hospital/wxbot/search"
)

// bareAmountRe is a message that is only a number, maybe with a particle
// (0.5的, 20呢, 要0.25的): a strength or size said without its unit.
var bareAmountRe = regexp.MustCompile(`^(?:那|要|就|是)?([0-9]+(?:\.[0-9]+)?)(?:的|呢|的呢|的吧|吧|那个|那种)?$`)

// strengthPick answers a number said without its unit after a list or a
// set of items (0.5的 after 二甲双胍 0.25g / 0.5g): the one item whose name
// holds that number directly followed by a unit (0.5g, 0.5mg, 20ml). ok is
// false unless exactly one item has it.
func (b *Bot) strengthPick(x *search.Index, s *session, norm string) (string, bool) {
	m := bareAmountRe.FindStringSubmatch(norm)
	if m == nil {
		return "", false
	}
	num := m[1]
	// Whole numbers without a particle are list choices (2 = the second).
	if !strings.Contains(num, ".") && norm == num {
		return "", false
	}
	var ids []int
	for _, e := range s.List {
		if e.Kind == listItem {
			ids = append(ids, e.ID)
		}
	}
	if len(ids) == 0 {
		ids = s.Items
	}
	found := -1
	for _, id := range ids {
		if id < 0 || id >= len(x.Data.Prices) || !hasStrength(x.ItemName(id), num) {
			continue
		}
		if found >= 0 && found != id {
			return "", false
		}
		found = id
	}
	if found < 0 {
		return "", false
	}
	s.Intent = intentPrice
	s.Items = []int{found}
	s.Query = x.ItemName(found)
	return itemDetail(x.Data.Prices[found]), true
}

// hasStrength reports whether name holds num as a whole number directly
// followed by a unit letter or a Chinese unit (0.5g, 20mg, 0.5克) — not as
// part of another number (10.5g, 0.55g).
func hasStrength(name, num string) bool {
	for off := 0; ; {
		k := strings.Index(name[off:], num)
		if k < 0 {
			return false
		}
		i := off + k
		end := i + len(num)
		off = i + 1
		if i > 0 && (isDigitByte(name[i-1]) || name[i-1] == '.') {
			continue
		}
		if end >= len(name) {
			continue
		}
		c := name[end]
		if isDigitByte(c) || c == '.' {
			continue
		}
		if c >= 'a' && c <= 'z' || c == '%' || strings.HasPrefix(name[end:], "毫") || strings.HasPrefix(name[end:], "克") ||
			strings.HasPrefix(name[end:], "微") || strings.HasPrefix(name[end:], "万") || strings.HasPrefix(name[end:], "升") {
			return true
		}
	}
}

func isDigitByte(c byte) bool { return c >= '0' && c <= '9' }
