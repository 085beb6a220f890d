package search

import (
	"math"
	"sort"
	"strings"
)

// synMatchQuality is the credit a query word gets when the document holds
// another word of its synonym group rather than the word itself: slightly
// less than a literal match, so literal matches sort first.
const synMatchQuality = 0.97

// singleCharCredit is the credit of a lone character found in a document.
const singleCharCredit = 0.3

// occurrence is one synonym-group word found in a unit sequence.
type occurrence struct {
	group      int
	start, end int // unit offsets, end exclusive
}

// corpus is a set of short documents (unit sequences) searchable by
// coverage: how much of a query (weighted by rarity) the document contains.
type corpus struct {
	docs [][]string
	// ids numbers every distinct unit of the documents; docIDs is each
	// document as those numbers (units compare as numbers in scoring).
	ids    map[string]int32
	docIDs [][]int32
	occ    [][]occurrence // synonym-group words in each doc
	df     map[string]int
	post   map[string][]int32 // Han unit, Han bigram ("a|b"), Latin token -> docs
	latin  []string           // distinct Latin tokens
	groups map[int][]int32    // synonym group -> docs containing one of its words
	syn    *synonyms

	// cat is each document's category (price items only) and groupCat the
	// category most documents holding a synonym group's words share: a
	// synonym match into another category (超声 of 彩超 in a dental
	// cleaning) earns less.
	cat      []string
	groupCat map[int]string
}

// crossCategoryQuality is the credit of a synonym match into a document
// outside the group's usual category.
const crossCategoryQuality = 0.7

// reorderCredit is the credit of a character next to a matched word in the
// query and next to it in the document too, in another order (拔智齿 ~
// 智齿拔除).
const reorderCredit = 0.85

// setCategories records the documents' categories and each synonym group's
// dominant one (held by at least 60 % of its documents).
func (c *corpus) setCategories(cats []string) {
	c.cat = cats
	c.groupCat = map[int]string{}
	for g, ids := range c.groups {
		n := map[string]int{}
		for _, id := range ids {
			if int(id) < len(cats) && cats[id] != "" {
				n[cats[id]]++
			}
		}
		for k, v := range n {
			if float64(v) >= 0.6*float64(len(ids)) && len(ids) >= 2 {
				c.groupCat[g] = k
			}
		}
	}
}

func newCorpus(syn *synonyms) *corpus {
	return &corpus{df: map[string]int{}, post: map[string][]int32{}, groups: map[int][]int32{}, syn: syn, ids: map[string]int32{}}
}

// add appends a document and returns its number.
func (c *corpus) add(us []string) int {
	id := int32(len(c.docs))
	c.docs = append(c.docs, us)
	dids := make([]int32, len(us))
	for i, u := range us {
		n, ok := c.ids[u]
		if !ok {
			n = int32(len(c.ids))
			c.ids[u] = n
		}
		dids[i] = n
	}
	c.docIDs = append(c.docIDs, dids)
	oc := c.syn.find(us)
	c.occ = append(c.occ, oc)
	seen := map[string]bool{}
	post := func(k string) {
		if !seen[k] {
			seen[k] = true
			c.post[k] = append(c.post[k], id)
		}
	}
	for i, u := range us {
		if u == sep {
			continue
		}
		if !seen[u] {
			c.df[u]++
			if isLatin(u) && len(c.post[u]) == 0 {
				c.latin = append(c.latin, u)
			}
		}
		post(u)
		if i+1 < len(us) && !isLatin(u) && us[i+1] != sep && !isLatin(us[i+1]) {
			post(u + "|" + us[i+1])
		}
	}
	gs := map[int]bool{}
	for _, o := range oc {
		if !gs[o.group] {
			gs[o.group] = true
			c.groups[o.group] = append(c.groups[o.group], id)
		}
	}
	return int(id)
}

// weight is the rarity of unit u in the corpus (inverse document frequency).
func (c *corpus) weight(u string) float64 {
	if u == sep {
		return 0
	}
	// Square-rooted IDF: rare characters count more, but one rare modifier
	// (住院 in 住院床位费) must not outweigh the word it qualifies.
	w := math.Sqrt(math.Log(1 + float64(len(c.docs)+1)/float64(c.df[u]+1)))
	if isLatin(u) {
		if hasLetter(u) {
			// A Latin token is a whole word (ct, mri), not one character.
			w *= 1.5
		} else {
			// Bare numbers (strengths, counts) say less than words.
			w *= 0.6
		}
	}
	return w
}

// candidates returns the documents sharing something with the query: a Han
// bigram (or a Han unit when loose), a Latin token, or a synonym group.
func (c *corpus) candidates(us []string, occ []occurrence, loose bool) []int32 {
	mark := make([]uint64, (len(c.docs)+63)/64)
	n := 0
	addAll := func(ids []int32) {
		for _, id := range ids {
			if mark[id>>6]&(1<<(id&63)) == 0 {
				mark[id>>6] |= 1 << (id & 63)
				n++
			}
		}
	}
	for i, u := range us {
		if u == sep {
			continue
		}
		if isLatin(u) {
			addAll(c.post[u])
			if len(u) >= 2 && hasLetter(u) {
				for _, t := range c.latin {
					if t != u && unitMatch(u, t) > 0 {
						addAll(c.post[t])
					}
				}
			}
			continue
		}
		if loose {
			addAll(c.post[u])
		}
		if i+1 < len(us) && us[i+1] != sep && !isLatin(us[i+1]) {
			addAll(c.post[u+"|"+us[i+1]])
		}
	}
	for _, o := range occ {
		addAll(c.groups[o.group])
	}
	out := make([]int32, 0, n)
	for w, bits := range mark {
		for bits != 0 {
			b := bits & -bits
			k := 0
			for b>>uint(k) != 1 {
				k++
			}
			out = append(out, int32(w*64+k))
			bits &^= b
		}
	}
	return out
}

// Coverage is how a query and one document overlap.
type Coverage struct {
	// Query is the share of the query's weight found in the document (0..1).
	Query float64
	// Doc is the share of the document's units the query matched (0..1).
	Doc float64
	// Literal is true when every matched query unit matched literally (no synonym).
	Literal bool
}

// score computes the coverage of query q by document d. Runs of Han units
// must be at least minHan long to count (1 lets single characters count).
func (c *corpus) score(us []string, occ []occurrence, d int, minHan int) Coverage {
	w := make([]float64, len(us))
	for i, u := range us {
		w[i] = c.weight(u)
	}
	var dm []bool
	return c.scoreW(us, c.unitIDs(us), w, occ, d, minHan, make([]float64, len(us)), &dm)
}

// unitIDs returns the numbers of query units us (-1 for a unit no document
// holds, which then equals no document unit).
func (c *corpus) unitIDs(us []string) []int32 {
	out := make([]int32, len(us))
	for i, u := range us {
		if n, ok := c.ids[u]; ok {
			out[i] = n
		} else {
			out[i] = -1
		}
	}
	return out
}

// scoreW is score with the query's unit numbers (unitIDs) and weights
// computed and scratch buffers supplied (qm has len(us); *dmBuf is grown as
// needed and kept for the next call).
func (c *corpus) scoreW(us []string, qids []int32, wts []float64, occ []occurrence, d int, minHan int, qm []float64, dmBuf *[]bool) Coverage {
	doc := c.docs[d]
	dids := c.docIDs[d]
	for i := range qm {
		qm[i] = 0
	}
	if cap(*dmBuf) < len(doc) {
		*dmBuf = make([]bool, len(doc))
	}
	dm := (*dmBuf)[:len(doc)]
	for i := range dm {
		dm[i] = false
	}
	for i := 0; i < len(us); {
		if us[i] == sep {
			i++
			continue
		}
		bestL, bestJ := 0, -1
		bestQ := 0.0
		q, qid := us[i], qids[i]
		// Only a Latin word of two or more characters matches other than
		// literally (unitMatch); the rest match equal units only.
		prefixable := len(q) >= 2 && isLatin(q) && hasLetter(q)
		for j := 0; j < len(doc); j++ {
			var m float64
			if dids[j] == qid {
				m = 1 // q is never sep here
			} else if prefixable {
				m = unitMatch(q, doc[j])
			}
			if m == 0 {
				continue
			}
			l := 1
			// unitMatch is 1 exactly for equal units other than sep.
			for i+l < len(us) && j+l < len(doc) && us[i+l] != sep && qids[i+l] == dids[j+l] {
				l++
			}
			if l > bestL || (l == bestL && m > bestQ) {
				bestL, bestJ, bestQ = l, j, m
			}
		}
		min := minHan
		if isLatin(us[i]) {
			min = 1
		}
		if bestL >= min && bestJ >= 0 {
			for k := 0; k < bestL; k++ {
				q := 1.0
				if k == 0 {
					q = bestQ
				}
				qm[i+k] = q
				dm[bestJ+k] = true
			}
			i += bestL
			continue
		}
		i++
	}
	// Single characters found elsewhere in the document earn a little
	// credit (挂专家号 vs 专家门诊挂号费), far less than a matched word.
	if minHan > 1 {
		for i, u := range us {
			if qm[i] > 0 || u == sep || isLatin(u) {
				continue
			}
			for _, du := range dids {
				if du == qids[i] {
					qm[i] = singleCharCredit
					break
				}
			}
		}
	}
	literal := true
	if len(occ) > 0 && len(c.occ[d]) > 0 {
		for _, o := range occ {
			var hit *occurrence
			for k := range c.occ[d] {
				if c.occ[d][k].group == o.group {
					hit = &c.occ[d][k]
					break
				}
			}
			if hit == nil {
				continue
			}
			quality := synMatchQuality
			if gc := c.groupCat[o.group]; gc != "" && d < len(c.cat) && c.cat[d] != gc {
				quality = crossCategoryQuality
			}
			improved := false
			for k := o.start; k < o.end; k++ {
				if qm[k] < quality {
					qm[k] = quality
					improved = true
				}
			}
			if improved {
				literal = false
				for k := hit.start; k < hit.end; k++ {
					dm[k] = true
				}
			}
		}
	}
	if minHan > 1 {
		c.reorder(us, qids, dids, qm, dm)
	}
	var got, total float64
	for i := range us {
		total += wts[i]
		got += wts[i] * qm[i]
	}
	n, m := 0, 0
	for k, u := range doc {
		if u == sep {
			continue
		}
		n++
		if dm[k] {
			m++
		}
	}
	cov := Coverage{Literal: literal}
	if total > 0 {
		cov.Query = got / total
	}
	if n > 0 {
		cov.Doc = float64(m) / float64(n)
	}
	return cov
}

// reorder credits a query character left unmatched (or matched only as a
// lone character) that sits next to a matched word in the query and occurs
// in the document right next to the matched part: the same words in another
// order (拔智齿 ~ 阻生智齿拔除术, 智齿拔掉 ~ 智齿拔除).
func (c *corpus) reorder(us []string, qids, doc []int32, qm []float64, dm []bool) {
	for i, u := range us {
		if qm[i] >= reorderCredit || u == sep || isLatin(u) {
			continue
		}
		near := (i > 0 && qm[i-1] >= synMatchQuality-1e-9 && !isLatin(us[i-1])) ||
			(i+1 < len(us) && qm[i+1] >= synMatchQuality-1e-9 && !isLatin(us[i+1]))
		if !near {
			continue
		}
		for j, du := range doc {
			if du != qids[i] || dm[j] {
				continue
			}
			if (j > 0 && dm[j-1]) || (j+1 < len(doc) && dm[j+1]) {
				qm[i] = reorderCredit
				break
			}
		}
	}
}

// docText returns document d as text.
func (c *corpus) docText(d int) string { return join(c.docs[d]) }

// hasTerm reports whether unit sequence us contains term units t (Latin
// units compared whole).
func hasTerm(us, t []string) bool {
	return indexUnits(us, t) >= 0
}

// indexUnits returns the first offset of t in us, or -1.
func indexUnits(us, t []string) int {
	if len(t) == 0 || len(t) > len(us) {
		return -1
	}
outer:
	for i := 0; i+len(t) <= len(us); i++ {
		for k := range t {
			if us[i+k] != t[k] {
				continue outer
			}
		}
		return i
	}
	return -1
}

// compact removes spaces from normalised text.
func compact(s string) string { return strings.ReplaceAll(s, " ", "") }

// Hit is one scored document.
type Hit struct {
	ID int
	Coverage
}

// search scores every candidate document for query units us and returns
// those with any coverage, best first (query coverage, then literal, then
// document coverage, then document order).
func (c *corpus) search(us []string, loose bool) []Hit {
	if len(us) == 0 {
		return nil
	}
	occ := c.syn.find(us)
	minHan := 2
	if loose {
		minHan = 1
	}
	wts := make([]float64, len(us))
	var total float64
	for i, u := range us {
		wts[i] = c.weight(u)
		total += wts[i]
	}
	cands := c.candidates(us, occ, loose)
	if len(cands) > prefilterAbove && total > 0 {
		cands = c.prefilter(us, wts, occ, cands, total)
	}
	qm := make([]float64, len(us))
	qids := c.unitIDs(us)
	var dm []bool
	var out []Hit
	best := 0.0
	for _, id := range cands {
		cov := c.scoreW(us, qids, wts, occ, int(id), minHan, qm, &dm)
		if cov.Query <= 0 || cov.Query < best-keepBelowBest {
			continue
		}
		if cov.Query > best {
			best = cov.Query
		}
		out = append(out, Hit{ID: int(id), Coverage: cov})
	}
	// Drop what fell far below the best found later.
	kept := out[:0]
	for _, h := range out {
		if h.Query >= best-keepBelowBest {
			kept = append(kept, h)
		}
	}
	sortHits(kept)
	return kept
}

// Search tuning: hits further than keepBelowBest below the best are never
// useful (lists use a much smaller margin, suggestions a fixed floor).
const (
	keepBelowBest  = 0.45
	prefilterAbove = 200
)

// prefilter drops candidates whose best possible coverage (the weight of the
// query units they contain at all) is too low to matter.
func (c *corpus) prefilter(us []string, wts []float64, occ []occurrence, cands []int32, total float64) []int32 {
	ub := make([]float64, len(c.docs))
	in := make([]bool, len(c.docs))
	for _, id := range cands {
		in[id] = true
	}
	seen := map[string]bool{}
	for i, u := range us {
		if u == sep || seen[u] {
			continue
		}
		seen[u] = true
		w := 0.0
		for k, v := range us {
			if v == u {
				w += wts[k]
			}
		}
		for _, id := range c.post[u] {
			if in[id] {
				ub[id] += w
			}
		}
		if isLatin(u) && len(u) >= 2 && hasLetter(u) {
			for _, t := range c.latin {
				if t != u && unitMatch(u, t) > 0 {
					for _, id := range c.post[t] {
						if in[id] {
							ub[id] += w
						}
					}
				}
			}
		}
		_ = i
	}
	for _, o := range occ {
		w := 0.0
		for k := o.start; k < o.end; k++ {
			w += wts[k]
		}
		for _, id := range c.groups[o.group] {
			if in[id] {
				ub[id] += w
			}
		}
	}
	best := 0.0
	for _, id := range cands {
		if ub[id] > best {
			best = ub[id]
		}
	}
	floor := best - keepBelowBest*total
	out := cands[:0]
	for _, id := range cands {
		if ub[id] >= floor {
			out = append(out, id)
		}
	}
	return out
}

// sortHits orders hits best first.
func sortHits(hs []Hit) {
	sort.Slice(hs, func(i, j int) bool {
		a, b := hs[i], hs[j]
		if d := a.Query - b.Query; d > 1e-9 || d < -1e-9 {
			return d > 0
		}
		if a.Literal != b.Literal {
			return a.Literal
		}
		if d := a.Doc - b.Doc; d > 1e-9 || d < -1e-9 {
			return d > 0
		}
		return a.ID < b.ID
	})
}
