// Package evalrun plays test dialogues against the bot (or the real webhook)
// and measures how many turns pass their substring checks, per tag.
package evalrun

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/hospital/wxbot/bot"
)

// Turn is one patient message and the checks on the reply.
type Turn struct {
	Say        string   `json:"say"`
	ExpectAll  []string `json:"expect_all,omitempty"`
	ExpectAny  []string `json:"expect_any,omitempty"`
	ExpectNone []string `json:"expect_none,omitempty"`
}

// Dialog is one conversation of one new user.
type Dialog struct {
	ID           string   `json:"id"`
	Tags         []string `json:"tags"`
	Note         string   `json:"note,omitempty"`
	UnknownTerms []string `json:"unknown_terms,omitempty"`
	Turns        []Turn   `json:"turns"`
}

// HasTag reports whether the dialogue carries tag.
func (d Dialog) HasTag(tag string) bool {
	for _, t := range d.Tags {
		if t == tag {
			return true
		}
	}
	return false
}

// LoadDialogs reads a dialogs.json file.
func LoadDialogs(path string) ([]Dialog, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load dialogs: %w", err)
	}
	var ds []Dialog
	if err := json.Unmarshal(raw, &ds); err != nil {
		return nil, fmt.Errorf("load dialogs %s: %w", path, err)
	}
	for i, d := range ds {
		if d.ID == "" {
			return nil, fmt.Errorf("load dialogs %s: dialogue %d has no id", path, i+1)
		}
	}
	return ds, nil
}

// SayFunc sends one text message as user and returns the reply text.
type SayFunc func(ctx context.Context, user, text string) (string, error)

// BotSay plays messages straight into a Responder (no webhook).
func BotSay(b bot.Responder) SayFunc {
	var id int64
	return func(ctx context.Context, user, text string) (string, error) {
		id++
		r, err := b.Respond(ctx, bot.Message{UserID: user, Kind: bot.KindText, Text: text, MsgID: id, CreateTime: time.Now()})
		if err != nil {
			return "", err
		}
		return r.Text, nil
	}
}

// TurnResult is the outcome of one turn.
type TurnResult struct {
	Dialog string
	Tags   []string
	Index  int // 1-based
	Say    string
	Reply  string
	Err    error
	Passed bool
	// Problems lists the failed checks.
	Problems []string
}

// Result is the outcome of a run.
type Result struct {
	Turns []TurnResult
}

// Check applies a turn's checks to a reply (lower-cased substring match).
func Check(t Turn, reply string) []string {
	r := strings.ToLower(reply)
	var probs []string
	for _, s := range t.ExpectAll {
		if !strings.Contains(r, strings.ToLower(s)) {
			probs = append(probs, "missing "+s)
		}
	}
	if len(t.ExpectAny) > 0 {
		ok := false
		for _, s := range t.ExpectAny {
			if strings.Contains(r, strings.ToLower(s)) {
				ok = true
				break
			}
		}
		if !ok {
			probs = append(probs, "none of "+strings.Join(t.ExpectAny, "/"))
		}
	}
	for _, s := range t.ExpectNone {
		if strings.Contains(r, strings.ToLower(s)) {
			probs = append(probs, "unwanted "+s)
		}
	}
	return probs
}

// Run plays each dialogue as a new user "eval-<id>" and checks every turn.
func Run(ctx context.Context, dialogs []Dialog, say SayFunc) Result {
	var res Result
	for _, d := range dialogs {
		user := "eval-" + d.ID
		for i, t := range d.Turns {
			tr := TurnResult{Dialog: d.ID, Tags: d.Tags, Index: i + 1, Say: t.Say}
			reply, err := say(ctx, user, t.Say)
			tr.Reply, tr.Err = reply, err
			if err != nil {
				tr.Problems = []string{"error: " + err.Error()}
			} else {
				tr.Problems = Check(t, reply)
			}
			tr.Passed = len(tr.Problems) == 0
			res.Turns = append(res.Turns, tr)
		}
	}
	return res
}

// Filter returns the dialogues for which keep is true.
func Filter(ds []Dialog, keep func(Dialog) bool) []Dialog {
	var out []Dialog
	for _, d := range ds {
		if keep(d) {
			out = append(out, d)
		}
	}
	return out
}

// Passed returns the passing and total turn counts.
func (r Result) Passed() (passed, total int) {
	for _, t := range r.Turns {
		total++
		if t.Passed {
			passed++
		}
	}
	return passed, total
}

// Accuracy is the share of passing turns (0 when there are none).
func (r Result) Accuracy() float64 {
	p, t := r.Passed()
	if t == 0 {
		return 0
	}
	return float64(p) / float64(t)
}

// Report prints accuracy overall and per tag, then every failing turn with its reply.
func (r Result) Report(w io.Writer) {
	p, t := r.Passed()
	fmt.Fprintf(w, "turns passed: %d/%d (%.1f%%)\n", p, t, 100*r.Accuracy())
	type agg struct{ p, t int }
	tags := map[string]*agg{}
	for _, tr := range r.Turns {
		for _, tag := range tr.Tags {
			a := tags[tag]
			if a == nil {
				a = &agg{}
				tags[tag] = a
			}
			a.t++
			if tr.Passed {
				a.p++
			}
		}
	}
	names := make([]string, 0, len(tags))
	for n := range tags {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		a := tags[n]
		fmt.Fprintf(w, "  %-14s %3d/%-3d %5.1f%%\n", n, a.p, a.t, 100*float64(a.p)/float64(a.t))
	}
	for _, tr := range r.Turns {
		if tr.Passed {
			continue
		}
		fmt.Fprintf(w, "FAIL %s#%d %q: %s\n", tr.Dialog, tr.Index, tr.Say, strings.Join(tr.Problems, "; "))
		fmt.Fprintf(w, "     reply: %s\n", strings.ReplaceAll(tr.Reply, "\n", " | "))
	}
}
