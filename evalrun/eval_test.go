package evalrun

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hospital/wxbot/bot"
	"github.com/hospital/wxbot/clock"
	"github.com/hospital/wxbot/knowledge"
	"github.com/hospital/wxbot/knowledge/demo"
	"github.com/hospital/wxbot/store/memstore"
)

// evalDir finds the public evaluation folder: WXBOT_EVAL_DIR, or the first
// shared/eval/dialogs.json found walking up from the working directory.
func evalDir(t *testing.T) string {
	t.Helper()
	if d := os.Getenv("WXBOT_EVAL_DIR"); d != "" {
		return d
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		for _, c := range []string{filepath.Join(dir, "shared", "eval"), filepath.Join(dir, "..", "shared", "eval")} {
			if _, err := os.Stat(filepath.Join(c, "dialogs.json")); err == nil {
				return c
			}
		}
		if filepath.Dir(dir) == dir {
			break
		}
	}
	t.Skip("evaluation data not found: set WXBOT_EVAL_DIR to the folder holding dialogs.json")
	return ""
}

// evalClock is a fixed Wednesday morning, so 今天 / 明天 are reproducible.
var evalClock = clock.NewFake(time.Date(2026, 11, 25, 9, 0, 0, 0, time.FixedZone("CST", 8*3600)))

func newBot(t testing.TB, d *knowledge.Data) *bot.Bot {
	t.Helper()
	return bot.New(bot.Options{Store: memstore.New(), Knowledge: func() *knowledge.Data { return d }, Clock: evalClock})
}

func loadData(t testing.TB, dir string) *knowledge.Data {
	t.Helper()
	d, err := knowledge.LoadDir(dir)
	if err != nil {
		t.Fatalf("load %s: %v", dir, err)
	}
	d.Version = 1
	d.UpdatedAt = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	return d
}

// coreDialogs leaves out the dialogues that need the complaint and
// subscription skills (other packages).
func coreDialogs(ds []Dialog) []Dialog {
	return Filter(ds, func(d Dialog) bool { return !d.HasTag("complaint") && !d.HasTag("subscription") })
}

// digitsNotAsked returns the turns whose reply contains an expect_none
// string made of digits (an invented or unasked price).
func digitsNotAsked(ds []Dialog, r Result) []string {
	byID := map[string]Dialog{}
	for _, d := range ds {
		byID[d.ID] = d
	}
	var bad []string
	for _, tr := range r.Turns {
		turn := byID[tr.Dialog].Turns[tr.Index-1]
		for _, n := range turn.ExpectNone {
			if strings.Trim(n, "0123456789.") == "" && strings.Contains(tr.Reply, n) {
				bad = append(bad, tr.Dialog+" "+n)
			}
		}
	}
	return bad
}

func TestPublicCorpus(t *testing.T) {
	dir := evalDir(t)
	ds, err := LoadDialogs(filepath.Join(dir, "dialogs.json"))
	if err != nil {
		t.Fatal(err)
	}
	ds = coreDialogs(ds)
	b := newBot(t, loadData(t, dir))
	res := Run(context.Background(), ds, BotSay(b))
	var buf bytes.Buffer
	res.Report(&buf)
	t.Logf("public corpus (%s, without complaint/subscription dialogues):\n%s", dir, buf.String())
	if acc := res.Accuracy(); acc < 0.95 {
		t.Errorf("accuracy %.1f%% < 95%%", 100*acc)
	}
	if bad := digitsNotAsked(ds, res); len(bad) > 0 {
		t.Errorf("replies state prices not asked for: %v", bad)
	}
}

// TestOwnDialogsEval plays dialogues written for this package (other
// phrasings than the public corpus) against the public data.
func TestOwnDialogsEval(t *testing.T) {
	dir := evalDir(t)
	ds, err := LoadDialogs(filepath.Join("testdata", "eval_extra.json"))
	if err != nil {
		t.Fatal(err)
	}
	runOwn(t, "own dialogues on the public data", ds, loadData(t, dir))
}

// TestOwnDialogsDemo plays dialogues written for the demo hospital
// (knowledge/demo): different names, prices, doctors and synonyms.
func TestOwnDialogsDemo(t *testing.T) {
	d, err := knowledge.ParseFS(demo.FS())
	if err != nil {
		t.Fatalf("demo data: %v", err)
	}
	d.Hospital = demo.Name()
	d.Version = 1
	ds, err := LoadDialogs(filepath.Join("testdata", "demo.json"))
	if err != nil {
		t.Fatal(err)
	}
	runOwn(t, "own dialogues on the demo hospital", ds, d)
}

func runOwn(t *testing.T, what string, ds []Dialog, d *knowledge.Data) {
	t.Helper()
	res := Run(context.Background(), ds, BotSay(newBot(t, d)))
	var buf bytes.Buffer
	res.Report(&buf)
	t.Logf("%s:\n%s", what, buf.String())
	if acc := res.Accuracy(); acc < 0.95 {
		t.Errorf("accuracy %.1f%% < 95%%", 100*acc)
	}
	if bad := digitsNotAsked(ds, res); len(bad) > 0 {
		t.Errorf("replies state prices not asked for: %v", bad)
	}
}

// TestBlindDemoCorpus plays knowledge/demo/dialogs.json (written blind
// against the demo data by another author) without the complaint and
// subscription dialogues, as a regression guard for generalisation.
func TestBlindDemoCorpus(t *testing.T) {
	ds, err := LoadDialogs(filepath.Join("..", "knowledge", "demo", "dialogs.json"))
	if err != nil {
		t.Skipf("blind demo corpus not available: %v", err)
	}
	d, err := knowledge.ParseFS(demo.FS())
	if err != nil {
		t.Fatalf("demo data: %v", err)
	}
	d.Version = 1
	ds = coreDialogs(ds)
	res := Run(context.Background(), ds, BotSay(newBot(t, d)))
	var buf bytes.Buffer
	res.Report(&buf)
	t.Logf("blind demo corpus (without complaint/subscription dialogues):\n%s", buf.String())
	if acc := res.Accuracy(); acc < 0.80 {
		t.Errorf("accuracy %.1f%% < 80%%", 100*acc)
	}
	if bad := digitsNotAsked(ds, res); len(bad) > 0 {
		t.Errorf("replies state prices not asked for: %v", bad)
	}
}
