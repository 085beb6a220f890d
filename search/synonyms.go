package search

import "github.com/hospital/wxbot/textnorm"

// synonyms holds the data's synonym groups as unit sequences, indexed by
// their first unit for fast scanning.
type synonyms struct {
	words   [][][]string // group -> words -> units
	byFirst map[string][]wordRef
}

type wordRef struct{ group, word int }

func newSynonyms(groups [][]string) *synonyms {
	s := &synonyms{byFirst: map[string][]wordRef{}}
	for _, g := range groups {
		var ws [][]string
		seen := map[string]bool{}
		for _, w := range g {
			n := textnorm.Normalize(w)
			us := Units(n)
			if len(us) == 0 || seen[join(us)] {
				continue
			}
			seen[join(us)] = true
			ws = append(ws, us)
		}
		if len(ws) < 2 {
			continue
		}
		gi := len(s.words)
		s.words = append(s.words, ws)
		for wi, us := range ws {
			s.byFirst[us[0]] = append(s.byFirst[us[0]], wordRef{gi, wi})
		}
	}
	return s
}

// find returns every occurrence of a synonym word in us.
func (s *synonyms) find(us []string) []occurrence {
	var out []occurrence
	for i, u := range us {
		for _, ref := range s.byFirst[u] {
			w := s.words[ref.group][ref.word]
			if i+len(w) > len(us) {
				continue
			}
			ok := true
			for k := range w {
				if us[i+k] != w[k] {
					ok = false
					break
				}
			}
			if ok {
				out = append(out, occurrence{group: ref.group, start: i, end: i + len(w)})
			}
		}
	}
	// A word inside a longer word of another group is not that word:
	// 超声 in 超声洁牙 (洗牙), 平片 in 氨氯地平片 (氨氯地平).
	kept := out[:0]
	for _, o := range out {
		shadowed := false
		for _, p := range out {
			if p.group != o.group && p.end-p.start > o.end-o.start && p.start < o.end && o.start < p.end {
				shadowed = true
				break
			}
		}
		if !shadowed {
			kept = append(kept, o)
		}
	}
	return kept
}

// group returns the words of group g as text.
func (s *synonyms) group(g int) []string {
	out := make([]string, 0, len(s.words[g]))
	for _, w := range s.words[g] {
		out = append(out, join(w))
	}
	return out
}

// Equivalents returns, for each word of text found in a synonym group (the
// data's groups and the hospital-independent concept groups), the words of
// that group: 外地 -> 异地, 外省 ...; 社保 -> 医保 ...
func (x *Index) Equivalents(text string) [][]string {
	var out [][]string
	seen := map[int]bool{}
	for _, o := range x.synText.find(Units(compact(textnorm.Normalize(text)))) {
		if !seen[o.group] {
			seen[o.group] = true
			out = append(out, x.synText.group(o.group))
		}
	}
	return out
}
