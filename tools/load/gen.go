package main

import (
	"bytes"
	"fmt"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hospital/wxbot/wxsim"
)

// sentinel is a MsgId placeholder, replaced by each request's own id.
const sentinel = int64(7171717171717171717)

// request is one webhook request ready to send.
type request struct {
	url  string
	body []byte
}

// userTmpl is a plaintext-mode template: the signed URL of one user and, for
// each text, the message's XML split around its MsgId.
type userTmpl struct {
	url   string
	texts []bodyTmpl
}

type bodyTmpl struct{ prefix, suffix []byte }

// generator hands out requests whose MsgIds are unique across the whole run:
// id = base + a run-wide counter, base being the start time in nanoseconds, so
// later runs against the same store do not hit the service's dedup either.
//
// Plaintext: the signature covers only token, timestamp and nonce, so each
// user's signed URL is built once and the body is the message XML with the id
// spliced in (a few hundred nanoseconds). Safe mode: the id is inside the
// ciphertext, so a pool of complete requests is encrypted before timing; if the
// run outlasts the pool, workers encrypt further requests themselves and the
// report counts them (their cost then lands on the generator).
type generator struct {
	acct    wxsim.Account
	base    string
	texts   []string
	at      time.Time
	idBase  int64
	openIDs []string

	users []userTmpl // plaintext
	pool  []request  // safe mode

	next     atomic.Int64
	onTheFly atomic.Int64
}

// openID returns user i's OpenID (28 characters, like WeChat's).
func openID(i int) string { return fmt.Sprintf("oLoadTest_%018d", i) }

// pick returns the user and the text of request i: request i comes from user
// i mod users, and each user says the texts in turn, so with several texts
// every patient holds a conversation of varied questions.
func (g *generator) pick(i int64) (user, text int) {
	n := int64(len(g.openIDs))
	return int(i % n), int((i / n) % int64(len(g.texts)))
}

// newGenerator prepares requests from users OpenIDs saying texts in turn.
func newGenerator(acct wxsim.Account, baseURL string, texts []string, users, pool int, at time.Time) (*generator, error) {
	if len(texts) == 0 {
		return nil, fmt.Errorf("no text to send")
	}
	g := &generator{acct: acct, base: baseURL, texts: texts, at: at, idBase: at.UnixNano()}
	for i := 0; i < users; i++ {
		g.openIDs = append(g.openIDs, openID(i))
	}
	if acct.Mode == wxsim.Plain {
		mark := strconv.FormatInt(sentinel, 10)
		for _, u := range g.openIDs {
			req, err := acct.Build(wxsim.Text(acct.OriginalID, u, texts[0], sentinel, at), u, at)
			if err != nil {
				return nil, fmt.Errorf("sign request for %s: %w", u, err)
			}
			ut := userTmpl{url: req.URL(baseURL)}
			for _, text := range texts {
				xml := wxsim.Text(acct.OriginalID, u, text, sentinel, at)
				i := bytes.Index(xml, []byte("<MsgId>"+mark+"</MsgId>"))
				if i < 0 {
					return nil, fmt.Errorf("message template has no MsgId %s", mark)
				}
				i += len("<MsgId>")
				ut.texts = append(ut.texts, bodyTmpl{prefix: xml[:i], suffix: xml[i+len(mark):]})
			}
			g.users = append(g.users, ut)
		}
		return g, nil
	}
	if pool < 1 {
		pool = 1
	}
	g.pool = make([]request, pool)
	workers := runtime.NumCPU()
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < pool; i += workers {
				r, err := g.build(int64(i))
				if err != nil {
					errs[w] = err
					return
				}
				g.pool[i] = r
			}
		}(w)
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return g, nil
}

// build makes the complete request number i (signed and encrypted).
func (g *generator) build(i int64) (request, error) {
	ui, ti := g.pick(i)
	u := g.openIDs[ui]
	req, err := g.acct.Build(wxsim.Text(g.acct.OriginalID, u, g.texts[ti], g.idBase+i, g.at), u, g.at)
	if err != nil {
		return request{}, fmt.Errorf("build request %d: %w", i, err)
	}
	return request{url: req.URL(g.base), body: req.Body}, nil
}

// get returns the next request; every call yields a new MsgId.
func (g *generator) get() (request, error) {
	i := g.next.Add(1) - 1
	if g.acct.Mode == wxsim.Plain {
		ui, ti := g.pick(i)
		t := &g.users[ui].texts[ti]
		body := make([]byte, 0, len(t.prefix)+20+len(t.suffix))
		body = append(body, t.prefix...)
		body = strconv.AppendInt(body, g.idBase+i, 10)
		body = append(body, t.suffix...)
		return request{url: g.users[ui].url, body: body}, nil
	}
	if i < int64(len(g.pool)) {
		r := g.pool[i]
		g.pool[i] = request{} // let it be collected
		return r, nil
	}
	g.onTheFly.Add(1)
	return g.build(i)
}
