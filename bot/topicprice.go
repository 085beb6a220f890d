package bot

import (
	"strings"

	"github.com/hospital/wxbot/search"
	"github.com/hospital/wxbot/textnorm"
)

// priceOfTopic answers a bare price question (好多钱一次, 几钱一页) after an
// FAQ answer or a process: the price of the item the topic's own words name
// (三伏贴什么时候贴 -> 穴位贴敷(三伏贴); 病历复印 -> 病历复印费). An FAQ answer
// that itself states a fee is answered again when no item is named. ok is
// false when the topic names no item with confidence.
func (b *Bot) priceOfTopic(x *search.Index, s *session) (string, bool) {
	var phrases []string
	faqID := -1
	switch {
	case s.Intent == intentFAQ && s.Topic != "":
		for i, f := range x.Data.FAQ {
			if len(f.Questions) > 0 && f.Questions[0] == s.Topic {
				faqID = i
				phrases = append(phrases, f.Questions...)
				break
			}
		}
		if faqID < 0 {
			phrases = []string{s.Topic}
		}
	case s.Intent == intentSchedule && s.Doctor != "" && s.Topic != "" && strings.Contains(doctorNotes(x, []string{s.Doctor})[s.Doctor], s.Topic):
		// A doctor chosen by what the clinic is for (小儿推拿): its price.
		phrases = []string{s.Topic}
	case s.Intent == intentProcess && s.Process > 0 && s.Process <= len(x.Data.Processes):
		p := x.Data.Processes[s.Process-1]
		phrases = append([]string{p.Title}, p.Keywords...)
	default:
		return "", false
	}
	best, bestQ := 0.0, ""
	for _, ph := range phrases {
		q := x.Correct(itemQuery(textnorm.Query(ph)))
		if t := x.TrimChatter(q); t != "" {
			q = t
		}
		if q == "" {
			continue
		}
		if hs := x.Items(q); len(hs) > 0 && hs[0].Query >= itemThreshold && hs[0].Query > best {
			best, bestQ = hs[0].Query, q
		}
	}
	if bestQ != "" {
		if text, ok := b.priceFresh(x, s, bestQ); ok {
			return text, true
		}
	}
	if faqID >= 0 && moneyText(x.Data.FAQ[faqID].Answer) {
		return b.faq(x, s, faqID), true
	}
	return "", false
}
