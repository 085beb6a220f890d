package bot

import (
	"strings"
	"time"
	"unicode"

	"github.com/hospital/wxbot/search"
	"github.com/hospital/wxbot/textnorm"
)

// clauseJoiners are words that start a second question inside one message
// (洗牙多少钱另外医保报不报, 对了顺便问下肠镜多少钱).
var clauseJoiners = []string{"顺便问一下", "顺便问下", "顺便问问", "顺便", "另外", "还有就是", "还想问", "再问一下", "再问下", "对了"}

// splitClauses splits a raw message into its clauses before normalisation
// glues them: at spaces between words, sentence punctuation and words that
// start another question. Clauses with no content of their own (你好,
// 请问) are dropped.
func splitClauses(raw string) []string {
	var parts []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			parts = append(parts, string(cur))
		}
		cur = cur[:0]
	}
	rs := []rune(raw)
	for i, r := range rs {
		switch {
		case strings.ContainsRune("，,。？?！!；;～~\n\r\t…", r):
			flush()
		case unicode.IsSpace(r) || r == '\u3000':
			// A space between two Latin words is part of a name (ct 平扫 is
			// kept together by normalisation anyway); between Chinese words
			// it separates clauses.
			prev, next := rune(0), rune(0)
			if len(cur) > 0 {
				prev = cur[len(cur)-1]
			}
			for k := i + 1; k < len(rs); k++ {
				if !unicode.IsSpace(rs[k]) && rs[k] != '\u3000' {
					next = rs[k]
					break
				}
			}
			if prev != 0 && next != 0 && prev < 0x80 && next < 0x80 {
				cur = append(cur, ' ')
				continue
			}
			flush()
		default:
			cur = append(cur, r)
		}
	}
	flush()
	var out []string
	for _, p := range parts {
		for _, q := range splitAtJoiners(p) {
			n := textnorm.Query(q)
			if n == "" || isHelp(n) || cleanSpaces(removeAll(n, fillersSorted)) == "" {
				continue
			}
			out = append(out, n)
		}
	}
	return out
}

// splitAtJoiners splits a clause before each joiner word.
func splitAtJoiners(p string) []string {
	for _, j := range clauseJoiners {
		if i := strings.Index(p, j); i >= 0 {
			head, tail := p[:i], p[i+len(j):]
			var out []string
			if strings.TrimSpace(head) != "" {
				out = append(out, splitAtJoiners(head)...)
			}
			if strings.TrimSpace(tail) != "" {
				out = append(out, splitAtJoiners(tail)...)
			}
			return out
		}
	}
	// 还有 opens a second question when what follows is a fragment of its
	// own (胃镜无痛的多少钱还有普通的呢): ending in 呢 or 的, after a first
	// question. Elsewhere it joins items of one question (血常规还有微量元素).
	if i := strings.LastIndex(p, "还有"); i > 0 {
		head, tail := p[:i], strings.TrimRightFunc(p[i+len("还有"):], func(r rune) bool {
			return unicode.IsSpace(r) || unicode.IsPunct(r)
		})
		if strings.TrimSpace(head) != "" && tail != "呢" && (strings.HasSuffix(tail, "呢") || strings.HasSuffix(tail, "的")) {
			return append(splitAtJoiners(head), tail)
		}
	}
	return []string{p}
}

// clauses answers a message of several clauses that failed as a whole: each
// clause is understood on its own, in order, with the session carried from
// one to the next (so 医保报不报 after 洗牙多少钱 asks about 洗牙). The
// answers found are joined; ok is false when no clause was answered.
func (b *Bot) clauses(x *search.Index, s *session, raw string, now time.Time) (string, bool) {
	cs := splitClauses(raw)
	if len(cs) < 2 {
		return "", false
	}
	us := make([]*understanding, len(cs))
	asking := 0
	for i, c := range cs {
		us[i] = b.understand(x, c, now)
		if asksSomething(us[i]) {
			asking++
		}
	}
	var texts []string
	for i := range cs {
		u := us[i]
		if asking > 0 && !asksSomething(u) {
			// A statement around the questions (眼睛看不清楚了, 我女儿说是
			// 白内障要做手术) is context, not a question of its own.
			continue
		}
		text, ok := b.route(x, s, u)
		if !ok || text == "" {
			continue
		}
		dup := false
		for _, t := range texts {
			if strings.Contains(t, text) || strings.Contains(text, t) {
				dup = true
				break
			}
		}
		if !dup {
			texts = append(texts, text)
		}
	}
	if len(texts) == 0 {
		return "", false
	}
	return strings.Join(texts, "\n\n"), true
}

// askWords make a clause a question: question words and particles, and asks
// for a schedule beyond naming a doctor (医生你好 asks nothing).
var askWords = byLenDesc(append(append(append(append([]string{}, questionMarks...), deptAskCues...), howCues...),
	"哪天", "星期几", "周几", "几时", "几点", "什么时候", "出诊", "坐诊", "上班", "有号", "能不能", "可以", "要不要", "不要", "报不报", "吗"))

// asksSomething reports whether a clause asks anything: a price, a place, a
// phone number, an appointment, a detail, a day, or a question word. A
// clause that asks nothing is a statement.
func asksSomething(u *understanding) bool {
	return u.priceCue || u.whereCue || u.phoneCue || u.apptCue || u.detailCue || u.weekdays != nil || u.period != "" ||
		hasAny(u.norm, askWords)
}
