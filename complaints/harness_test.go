package complaints

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/hospital/wxbot/bot"
	"github.com/hospital/wxbot/clock"
	"github.com/hospital/wxbot/knowledge"
	"github.com/hospital/wxbot/store"
	"github.com/hospital/wxbot/store/memstore"
	"github.com/hospital/wxbot/textnorm"
	"github.com/hospital/wxbot/workdays"
	"github.com/hospital/wxbot/wxapi"
)

// testData is a small hospital: enough departments to match names and aliases.
var testData = &knowledge.Data{
	Hospital: "测试医院",
	Departments: []knowledge.Department{
		{Name: "儿科", Aliases: []string{"小儿科", "儿童科", "儿内科"}},
		{Name: "普通外科", Aliases: []string{"普外科", "外科"}},
		{Name: "神经外科", Aliases: []string{"脑外科", "神外"}},
		{Name: "检验科", Aliases: []string{"化验室", "抽血处"}},
		{Name: "患者服务中心", Aliases: []string{"服务台", "投诉办"}},
	},
}

// knownAnswers are the core bot's confident answers in tests.
var knownAnswers = map[string]string{
	"胸部CT平扫多少钱": "胸部CT平扫：170.00元/次（乙类）",
	"血常规多少钱":    "血常规：22.00元/次（甲类）",
	"怎么投诉":      "您可以在公众号直接发送“投诉”在线填写；也可拨打投诉电话0736-88661315。",
	"儿科在哪":      "儿科在门诊楼1楼B区。",
}

// fakeAPI is a wxapi.API whose calls tests set one by one.
type fakeAPI struct {
	mu       sync.Mutex
	texts    []string
	SendFn   func(openID, text string) error
	MediaFn  func(id string) (wxapi.Media, error)
	TplFn    func(m wxapi.TemplateMessage) error
	media    int
	template []wxapi.TemplateMessage
}

var _ wxapi.API = (*fakeAPI)(nil)

func (f *fakeAPI) SendText(_ context.Context, openID, text string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.SendFn != nil {
		if err := f.SendFn(openID, text); err != nil {
			return err
		}
	}
	f.texts = append(f.texts, openID+": "+text)
	return nil
}
func (f *fakeAPI) SendTemplate(_ context.Context, m wxapi.TemplateMessage) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.TplFn != nil {
		if err := f.TplFn(m); err != nil {
			return 0, err
		}
	}
	f.template = append(f.template, m)
	return 1, nil
}
func (f *fakeAPI) SendSubscribe(context.Context, wxapi.SubscribeMessage) error { return nil }
func (f *fakeAPI) UserInfo(context.Context, string) (wxapi.UserInfo, error) {
	return wxapi.UserInfo{}, nil
}
func (f *fakeAPI) CreateMenu(context.Context, []byte) error { return nil }
func (f *fakeAPI) GetMedia(_ context.Context, id string) (wxapi.Media, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.media++
	if f.MediaFn != nil {
		return f.MediaFn(id)
	}
	return wxapi.Media{ContentType: "image/jpeg", Data: []byte("jpeg:" + id)}, nil
}

// harness is one service, its skill and the chat, on a fake clock.
type harness struct {
	t     *testing.T
	ctx   context.Context
	clk   *clock.Fake
	st    store.Store
	svc   *Service
	skill *Skill
	wx    *fakeAPI
	logs  *observer.ObservedLogs
}

// start is a Friday before a normal week: 2026-11-27 10:00 China time.
var start = time.Date(2026, 11, 27, 10, 0, 0, 0, workdays.China)

func newHarness(t *testing.T, mod ...func(*Options)) *harness {
	t.Helper()
	clk := clock.NewFake(start)
	st := memstore.NewWithClock(clk)
	return newHarnessOn(t, clk, st, mod...)
}

func newHarnessOn(t *testing.T, clk *clock.Fake, st store.Store, mod ...func(*Options)) *harness {
	t.Helper()
	core, logs := observer.New(zap.DebugLevel)
	wx := &fakeAPI{}
	opts := Options{
		Clock: clk, WeChat: wx, TemplateID: "tpl-1", Logger: zap.New(core),
		Sleep: func(context.Context, time.Duration) error { return nil },
	}
	for _, m := range mod {
		m(&opts)
	}
	svc := New(st, opts)
	return &harness{t: t, ctx: context.Background(), clk: clk, st: st, svc: svc, wx: wx, logs: logs,
		skill: NewSkill(svc, func() *knowledge.Data { return testData })}
}

// turn builds the skill's view of a message.
func turn(msg bot.Message) *bot.Turn {
	return &bot.Turn{
		Msg:  msg,
		Norm: textnorm.Normalize(msg.Text),
		Answer: func(_ context.Context, text string) (bot.Reply, bool) {
			a, ok := knownAnswers[strings.TrimSpace(text)]
			return bot.Reply{Text: a}, ok
		},
	}
}

// send passes one message to the skill.
func (h *harness) send(msg bot.Message) (string, bool) {
	h.t.Helper()
	if msg.UserID == "" {
		msg.UserID = "user-1"
	}
	if msg.Kind == "" {
		msg.Kind = bot.KindText
	}
	r, handled, err := h.skill.Handle(h.ctx, turn(msg))
	if err != nil {
		h.t.Fatalf("Handle(%q): %v", msg.Text, err)
	}
	if !handled && r.Text != "" {
		h.t.Fatalf("Handle(%q) passed the turn but said %q", msg.Text, r.Text)
	}
	return r.Text, handled
}

// say sends a text from user-1.
func (h *harness) say(text string) (string, bool) {
	h.t.Helper()
	return h.send(bot.Message{Text: text})
}

// sayAs sends a text from user.
func (h *harness) sayAs(user, text string) (string, bool) {
	h.t.Helper()
	return h.send(bot.Message{UserID: user, Text: text})
}

// expect sends text and checks the reply contains every want.
func (h *harness) expect(text string, want ...string) string {
	h.t.Helper()
	r, handled := h.say(text)
	if !handled {
		h.t.Fatalf("say %q: not handled by the complaints skill", text)
	}
	for _, w := range want {
		if !strings.Contains(r, w) {
			h.t.Fatalf("say %q: reply %q lacks %q", text, r, w)
		}
	}
	return r
}

// tickets lists every stored ticket.
func (h *harness) tickets() []Ticket {
	h.t.Helper()
	ts, err := h.svc.List(h.ctx, Filter{})
	if err != nil {
		h.t.Fatal(err)
	}
	return ts
}

// file submits a complaint directly (no chat) at the clock's time.
func (h *harness) file(openID, desc string, depts ...string) *Ticket {
	h.t.Helper()
	n, err := h.svc.Submit(h.ctx, &Draft{OpenID: openID, Description: desc, Departments: depts, Phone: "13812345678"})
	if err != nil {
		h.t.Fatalf("Submit: %v", err)
	}
	t, err := h.svc.Get(h.ctx, n)
	if err != nil {
		h.t.Fatal(err)
	}
	return t
}

// numberIn finds a ticket number in a reply.
func numberIn(s string) string {
	i := strings.Index(s, "TS")
	if i < 0 || len(s) < i+15 {
		return ""
	}
	return s[i : i+15]
}
