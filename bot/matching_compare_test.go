package bot

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/hospital/wxbot/knowledge"
	"github.com/hospital/wxbot/search"
	"github.com/hospital/wxbot/textnorm"
)

// The comparison behind evalrun/MATCHING.md: the same query rewriting
// (cues dropped, typos corrected, synonyms) in front of two retrievers of
// price items — this package's coverage index and a bleve scorch index with
// the cjk (bigram) analyzer — scored on the first price turn of every
// dialogue. Run with WXBOT_COMPARE=1.

type compareTurn struct {
	Say        string   `json:"say"`
	ExpectAll  []string `json:"expect_all"`
	ExpectAny  []string `json:"expect_any"`
	ExpectNone []string `json:"expect_none"`
}

type compareDialog struct {
	ID    string        `json:"id"`
	Tags  []string      `json:"tags"`
	Turns []compareTurn `json:"turns"`
}

func (d compareDialog) has(tag string) bool {
	for _, t := range d.Tags {
		if t == tag {
			return true
		}
	}
	return false
}

// bleveItems is a bleve-backed price item retriever.
type bleveItems struct {
	idx bleve.Index
	syn [][]string
}

func newBleveItems(d *knowledge.Data) (*bleveItems, error) {
	m := bleve.NewIndexMapping()
	m.DefaultAnalyzer = cjk.AnalyzerName
	idx, err := bleve.NewUsing("", m, scorch.Name, scorch.Name, nil)
	if err != nil {
		return nil, err
	}
	batch := idx.NewBatch()
	for i, p := range d.Prices {
		if err := batch.Index(fmt.Sprintf("%06d", i), map[string]string{"name": textnorm.Normalize(p.Name)}); err != nil {
			return nil, err
		}
	}
	if err := idx.Batch(batch); err != nil {
		return nil, err
	}
	var syn [][]string
	for _, g := range d.Synonyms {
		var ng []string
		for _, w := range g {
			ng = append(ng, strings.ReplaceAll(textnorm.Normalize(w), " ", ""))
		}
		syn = append(syn, ng)
	}
	return &bleveItems{idx: idx, syn: syn}, nil
}

// search returns the items scoring at least 90% of the best, up to 10, with
// the query expanded by synonym substitution (OR of variants).
func (b *bleveItems) search(q string) []int {
	variants := []string{q}
	for _, g := range b.syn {
		for _, w := range g {
			if w != "" && strings.Contains(q, w) {
				for _, o := range g {
					if o != w {
						variants = append(variants, strings.Replace(q, w, o, 1))
					}
				}
				break
			}
		}
	}
	var qs []query.Query
	for _, v := range variants {
		mq := bleve.NewMatchQuery(v)
		mq.SetField("name")
		qs = append(qs, mq)
	}
	req := bleve.NewSearchRequestOptions(bleve.NewDisjunctionQuery(qs...), 10, 0, false)
	req.SortBy([]string{"-_score", "_id"})
	res, err := b.idx.Search(req)
	if err != nil || len(res.Hits) == 0 {
		return nil
	}
	top := res.Hits[0].Score
	var out []int
	for _, h := range res.Hits {
		if h.Score < 0.9*top {
			break
		}
		n, _ := strconv.Atoi(h.ID)
		out = append(out, n)
	}
	return out
}

func pseudoReply(d *knowledge.Data, ids []int) string {
	var sb strings.Builder
	for _, id := range ids {
		sb.WriteString(itemLine(d.Prices[id]) + "\n")
	}
	return strings.ToLower(sb.String())
}

func passes(t compareTurn, reply string) bool {
	for _, s := range t.ExpectAll {
		if !strings.Contains(reply, strings.ToLower(s)) {
			return false
		}
	}
	if len(t.ExpectAny) > 0 {
		ok := false
		for _, s := range t.ExpectAny {
			ok = ok || strings.Contains(reply, strings.ToLower(s))
		}
		if !ok {
			return false
		}
	}
	for _, s := range t.ExpectNone {
		if strings.Contains(reply, strings.ToLower(s)) {
			return false
		}
	}
	return true
}

func p99(ds []time.Duration) time.Duration {
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return ds[len(ds)*99/100]
}

func TestCompareMatchers(t *testing.T) {
	if os.Getenv("WXBOT_COMPARE") == "" {
		t.Skip("set WXBOT_COMPARE=1 to compare the coverage index with bleve")
	}
	corpora := []struct{ data, dialogs string }{
		{"../../shared/eval", "../../shared/eval/dialogs.json"},
		{"../../shared/eval", "../evalrun/testdata/eval_extra.json"},
		{"../knowledge/demo/data", "../evalrun/testdata/demo.json"},
	}
	for _, c := range corpora {
		d, err := knowledge.LoadDir(c.data)
		if err != nil {
			t.Skipf("data: %v", err)
		}
		raw, err := os.ReadFile(c.dialogs)
		if err != nil {
			t.Skipf("dialogs: %v", err)
		}
		var ds []compareDialog
		if err := json.Unmarshal(raw, &ds); err != nil {
			t.Fatal(err)
		}
		x := search.Build(d)
		bi, err := newBleveItems(d)
		if err != nil {
			t.Fatal(err)
		}
		n, okOwn, okBleve := 0, 0, 0
		for _, dl := range ds {
			if !(dl.has("price") || dl.has("drug")) || dl.has("unknown") || len(dl.Turns) == 0 {
				continue
			}
			tr := dl.Turns[0]
			q := x.Correct(itemQuery(textnorm.Normalize(tr.Say)))
			n++
			var own []int
			for _, h := range band(x.Items(q)) {
				own = append(own, h.ID)
			}
			if len(own) > 10 {
				own = own[:10]
			}
			if passes(tr, pseudoReply(d, own)) {
				okOwn++
			}
			if passes(tr, pseudoReply(d, bi.search(q))) {
				okBleve++
			}
		}
		t.Logf("%s: first price turns %d: coverage index %d, bleve %d", filepath.Base(c.dialogs), n, okOwn, okBleve)
	}
	// Latency and build time on 10,000 generated items.
	d := generatedData(10000)
	st := time.Now()
	x := search.Build(d)
	ownBuild := time.Since(st)
	st = time.Now()
	bi, err := newBleveItems(d)
	if err != nil {
		t.Fatal(err)
	}
	bleveBuild := time.Since(st)
	var own, bl []time.Duration
	for i := 0; i < 2000; i++ {
		q := itemQuery(textnorm.Normalize(benchQuestions[i%len(benchQuestions)]))
		st := time.Now()
		band(x.Items(q))
		own = append(own, time.Since(st))
		st = time.Now()
		bi.search(q)
		bl = append(bl, time.Since(st))
	}
	t.Logf("10k items: build coverage %v, bleve %v; query p99 coverage %v, bleve %v", ownBuild, bleveBuild, p99(own), p99(bl))
}
