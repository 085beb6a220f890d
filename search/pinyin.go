package search

import (
	"strings"
	"sync"

	"github.com/mozillazg/go-pinyin"
)

// maxReadings bounds the reading combinations computed for one word
// (polyphonic characters multiply them).
const maxReadings = 16

var pyArgs = func() pinyin.Args {
	a := pinyin.NewArgs()
	a.Style = pinyin.Normal
	a.Heteronym = true
	return a
}()

// readings returns the toneless pinyin spellings of a Chinese word, one per
// combination of its characters' readings (bounded), and the matching
// initials ("xuechanggui", "xcg"). ok is false when a character has no reading.
func readings(word string) (full, initials []string, ok bool) {
	type rd struct{ f, i string }
	cur := []rd{{"", ""}}
	for _, r := range word {
		rs := runeReadings(r)
		if len(rs) == 0 {
			return nil, nil, false
		}
		next := make([]rd, 0, len(cur)*len(rs))
		for _, c := range cur {
			for _, p := range rs {
				if len(next) >= maxReadings || p == "" {
					break
				}
				next = append(next, rd{c.f + p, c.i + p[:1]})
			}
		}
		cur = next
	}
	seenF, seenI := map[string]bool{}, map[string]bool{}
	for _, c := range cur {
		if !seenF[c.f] {
			seenF[c.f] = true
			full = append(full, c.f)
		}
		if !seenI[c.i] {
			seenI[c.i] = true
			initials = append(initials, c.i)
		}
	}
	return full, initials, len(full) > 0
}

// readingCache holds each character's readings (go-pinyin is slow per call).
var readingCache sync.Map // rune -> []string

func runeReadings(r rune) []string {
	if v, ok := readingCache.Load(r); ok {
		return v.([]string)
	}
	rs := pinyin.SinglePinyin(r, pyArgs)
	readingCache.Store(r, rs)
	return rs
}

// pinyinDict maps spellings of curated words (item names, aliases, synonyms,
// doctors, keywords) back to the words.
type pinyinDict struct {
	full     map[string][]string
	initials map[string][]string
	added    map[string]bool
}

func newPinyinDict() *pinyinDict {
	return &pinyinDict{full: map[string][]string{}, initials: map[string][]string{}, added: map[string]bool{}}
}

func addUnique(m map[string][]string, k, v string) {
	for _, x := range m[k] {
		if x == v {
			return
		}
	}
	m[k] = append(m[k], v)
}

// add records a Chinese word of two or more characters.
func (p *pinyinDict) add(word string) {
	if len([]rune(word)) < 2 || p.added[word] {
		return
	}
	p.added[word] = true
	for _, r := range word {
		if !isHan(r) {
			return
		}
	}
	full, ini, ok := readings(word)
	if !ok {
		return
	}
	for _, f := range full {
		addUnique(p.full, f, word)
	}
	if len([]rune(word)) >= 3 {
		for _, i := range ini {
			addUnique(p.initials, i, word)
		}
	}
}

// lookupHan returns the curated word that sounds like the Chinese text s.
func (p *pinyinDict) lookupHan(s string) (string, bool) {
	var buf [8]string
	return p.lookupHanUnits(append(buf[:0], s))
}

// lookupHanUnits is lookupHan on the concatenation of units: it tries the
// same spellings as readings, in the same order, without building them all.
func (p *pinyinDict) lookupHanUnits(units []string) (string, bool) {
	var rsBuf [8][]string
	rss := rsBuf[:0]
	for _, u := range units {
		for _, r := range u {
			rss = append(rss, runeReadings(r))
		}
	}
	return p.lookupReadings(rss)
}

// lookupReadings is lookupHan given each character's readings.
func (p *pinyinDict) lookupReadings(rss [][]string) (string, bool) {
	for _, rs := range rss {
		if len(rs) == 0 {
			return "", false
		}
	}
	// Level k holds the combinations of the first k+1 characters, each as
	// (index of its prefix in level k-1, reading of character k), bounded
	// and ordered exactly as readings builds them.
	type node struct{ parent, pick int }
	var lvBuf [8][maxReadings]node
	var levels [][maxReadings]node
	if len(rss) <= len(lvBuf) {
		levels = lvBuf[:len(rss)]
	} else {
		levels = make([][maxReadings]node, len(rss))
	}
	prev := 1
	for k, rs := range rss {
		n := 0
		for c := 0; c < prev; c++ {
			for pi, r := range rs {
				if n >= maxReadings || r == "" {
					break
				}
				levels[k][n] = node{c, pi}
				n++
			}
		}
		prev = n
	}
	if len(rss) == 0 {
		return "", false
	}
	var picks [8]int
	pk := picks[:0]
	if len(rss) > len(picks) {
		pk = make([]int, 0, len(rss))
	}
	var sb [64]byte
	for e := 0; e < prev; e++ {
		pk = pk[:len(rss)]
		for k, i := len(rss)-1, e; k >= 0; k-- {
			pk[k] = levels[k][i].pick
			i = levels[k][i].parent
		}
		b := sb[:0]
		for k, pi := range pk {
			b = append(b, rss[k][pi]...)
		}
		if ws := p.full[string(b)]; len(ws) > 0 {
			return ws[0], true
		}
	}
	return "", false
}

// lookupLatin returns the curated word spelt by a pinyin string: full
// pinyin first, then initials (only when they name exactly one word).
func (p *pinyinDict) lookupLatin(s string) (string, bool) {
	s = strings.ToLower(s)
	if ws := p.full[s]; len(ws) > 0 {
		return ws[0], true
	}
	if ws := p.initials[s]; len(ws) == 1 {
		return ws[0], true
	}
	return "", false
}

// sameSound reports whether two Chinese characters share a toneless reading.
func sameSound(a, b rune) bool {
	for _, x := range runeReadings(a) {
		for _, y := range runeReadings(b) {
			if x == y {
				return true
			}
		}
	}
	return false
}

// NearName reports whether the Chinese text q is a window of name with one
// character typed wrong: a homophone (阿奇梅素 ~ 阿奇霉素), or any character
// when q has four or more (奥美拉挫 ~ 奥美拉唑). q must have at least three
// characters, all Chinese; an exact window is not near (it is a match).
func NearName(q, name string) bool {
	qr, nr := []rune(q), []rune(name)
	if len(qr) < 3 {
		return false
	}
	for _, r := range qr {
		if !isHan(r) {
			return false
		}
	}
	for i := 0; i+len(qr) <= len(nr); i++ {
		diff := -1
		ok := true
		for k, r := range qr {
			if nr[i+k] == r {
				continue
			}
			if diff >= 0 {
				ok = false
				break
			}
			diff = k
		}
		if !ok || diff < 0 {
			continue
		}
		if len(qr) >= 4 || sameSound(qr[diff], nr[i+diff]) {
			return true
		}
	}
	return false
}
