package bot

import (
	"os"
	"strings"
	"testing"

	"github.com/hospital/wxbot/knowledge"
	"github.com/hospital/wxbot/search"
	"github.com/hospital/wxbot/textnorm"
)

// TestDebugRoute prints how a message is understood and routed; set
// WXBOT_DEBUG_MSG and WXBOT_DEBUG_DATA to run it.
func TestDebugRoute(t *testing.T) {
	msg, dir := os.Getenv("WXBOT_DEBUG_MSG"), os.Getenv("WXBOT_DEBUG_DATA")
	var before []string
	if i := strings.LastIndex(msg, "|"); i >= 0 {
		before, msg = strings.Split(msg[:i], "|"), msg[i+1:]
	}
	if msg == "" || dir == "" {
		t.Skip("set WXBOT_DEBUG_MSG and WXBOT_DEBUG_DATA to print a route")
	}
	d, err := knowledge.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, func(o *Options) { o.Knowledge = func() *knowledge.Data { return d } })
	x := search.Build(d)
	for _, m := range before {
		t.Logf("earlier %q: %q", m, h.say("dbg", m).Text)
	}
	ss, _ := loadSession(h.ctx, h.st, "dbg")
	t.Logf("session: %+v", ss)
	norm := fixTypos(textnorm.Colloquial(textnorm.Normalize(msg)))
	u := h.b.understand(x, norm, wednesday)
	t.Logf("understanding: %+v", *u)
	t.Logf("processes(tq): %+v", x.Processes(u.tq))
	t.Logf("topic: %+v", h.b.bestTopic(x, contentQuery(u.tq)))
	id, ok := processByHead(x, u.norm)
	t.Logf("processByHead: %d %v", id, ok)
	s := &session{}
	g, ok := h.b.generic(x, s, u, false)
	t.Logf("generic(false): %v %q", ok, g)
	g, ok = h.b.generic(x, s, u, true)
	t.Logf("generic(true): %v %q", ok, g)
	s = &session{}
	g, ok = h.b.route(x, s, u)
	t.Logf("route: %v %q", ok, g)
	r := h.say("dbg", msg)
	t.Logf("reply: %q", r.Text)
}

// TestSecondQuestionsInOneMessageAndNewItemFragments covers a 还有…呢
// second question, a 手续 question naming 住院 with 押金, and a fragment
// naming an item the last list did not show.
func TestSecondQuestionsInOneMessageAndNewItemFragments(t *testing.T) {
	load := func(dir string) *harness {
		d, err := knowledge.LoadDir(dir)
		if err != nil {
			t.Skipf("data %s: %v", dir, err)
		}
		return newHarness(t, func(o *Options) { o.Knowledge = func() *knowledge.Data { return d } })
	}
	f := load("../app/testdata/hospitals/f")
	mustContain(t, f.say("u1", "我想问一下那个胃镜无痛的多少钱还有普通的呢").Text, "598", "210")
	i := load("../app/testdata/hospitals/i")
	r := i.say("u2", "孩子要住院 得办啥手续 押金交多少").Text
	mustContain(t, r, "住院证", "2000")
	mustNotContain(t, r, "出院")
	i.say("u3", "大夫 娃要查个血常规还有微量元素 都多钱")
	mustContain(t, i.say("u3", "那CRP呢").Text, "C反应蛋白", "35")
}
