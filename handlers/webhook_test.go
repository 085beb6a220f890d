package handlers

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/hospital/wxbot/bot"
	"github.com/hospital/wxbot/clock"
	"github.com/hospital/wxbot/internal/testenv"
	"github.com/hospital/wxbot/store"
	"github.com/hospital/wxbot/store/memstore"
	"github.com/hospital/wxbot/wxapi"
	"github.com/hospital/wxbot/wxsim"
)

// recBot records what it was asked and echoes text back.
type recBot struct {
	mu    sync.Mutex
	msgs  []bot.Message
	delay time.Duration
	reply func(bot.Message) bot.Reply
}

func (b *recBot) Respond(ctx context.Context, m bot.Message) (bot.Reply, error) {
	b.mu.Lock()
	b.msgs = append(b.msgs, m)
	d := b.delay
	b.mu.Unlock()
	if d > 0 {
		time.Sleep(d)
	}
	if b.reply != nil {
		return b.reply(m), nil
	}
	return bot.Reply{Text: "答:" + m.Text}, nil
}

func (b *recBot) calls() []bot.Message {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]bot.Message(nil), b.msgs...)
}

// recAPI records customer-service messages.
type recAPI struct {
	wxapi.API
	mu   sync.Mutex
	sent []string
	got  chan struct{}
}

func newRecAPI() *recAPI { return &recAPI{got: make(chan struct{}, 16)} }

func (a *recAPI) SendText(ctx context.Context, openID, text string) error {
	a.mu.Lock()
	a.sent = append(a.sent, openID+"|"+text)
	a.mu.Unlock()
	a.got <- struct{}{}
	return nil
}

const testKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"

type fixture struct {
	hook  *Webhook
	bot   *recBot
	api   *recAPI
	clk   *clock.Fake
	acct  wxsim.Account
	store store.Store
}

func newFixture(t *testing.T, mode wxsim.Mode, mutate func(*WebhookConfig)) *fixture {
	t.Helper()
	clk := clock.NewFake(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC))
	acct := wxsim.Account{Token: "tok", AppID: "wxapp", OriginalID: "gh_test", Mode: mode}
	cfg := WebhookConfig{Token: "tok", AppID: "wxapp", MaxClockSkew: 5 * time.Minute, ReplyBudget: time.Second}
	if mode != wxsim.Plain {
		acct.EncodingAESKey = testKey
		cfg.EncodingAESKey = testKey
	}
	if mutate != nil {
		mutate(&cfg)
	}
	b := &recBot{}
	api := newRecAPI()
	st := memstore.New()
	h := NewWebhook(cfg, b, st, api, clk, zap.NewNop(), nil)
	return &fixture{hook: h, bot: b, api: api, clk: clk, acct: acct, store: st}
}

func (f *fixture) post(t *testing.T, xmlMsg []byte, user string) *httptest.ResponseRecorder {
	t.Helper()
	req, err := f.acct.Build(xmlMsg, user, f.clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	return f.do(req.HTTP("http://svc/wechat"))
}

func (f *fixture) do(r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	f.hook.ServeHTTP(w, r)
	return w
}

func (f *fixture) text(t *testing.T, user, content string, id int64) *httptest.ResponseRecorder {
	return f.post(t, wxsim.Text("gh_test", user, content, id, f.clk.Now()), user)
}

func TestOfficialSampleAccepted(t *testing.T) {
	v, err := wxsim.LoadVectors(testenv.SharedDir(t, "wechat-vectors.json"))
	if err != nil {
		t.Fatal(err)
	}
	s := v.SafeModeDecrypt
	var sec int64
	fmt.Sscan(s.Timestamp, &sec)
	clk := clock.NewFake(time.Unix(sec, 0))
	b := &recBot{}
	h := NewWebhook(WebhookConfig{Token: s.Token, AppID: s.AppID, EncodingAESKey: s.EncodingAESKey, MaxClockSkew: 5 * time.Minute},
		b, memstore.New(), newRecAPI(), clk, zap.NewNop(), nil)
	q := url.Values{}
	q.Set("signature", s.Signature)
	q.Set("timestamp", s.Timestamp)
	q.Set("nonce", s.Nonce)
	q.Set("encrypt_type", "aes")
	q.Set("msg_signature", s.MsgSignature)
	body := strings.Replace(s.PostBody, "ENCRYPT", s.Encrypt, 1)
	req := httptest.NewRequest(http.MethodPost, "/wechat?"+q.Encode(), strings.NewReader(body))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != http.StatusOK {
		t.Fatalf("official sample refused: %d %s", w.Code, w.Body)
	}
	calls := b.calls()
	if len(calls) != 1 || calls[0].Text != "abcdteT" || calls[0].UserID != "oyORnuP8q7ou2gfYjqLzSIWZf0rs" {
		t.Fatalf("bot saw %+v", calls)
	}
	acct := wxsim.Account{Token: s.Token, EncodingAESKey: s.EncodingAESKey, AppID: s.AppID}
	reply, err := acct.ParseReply(w.Body.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if reply.Content != "答:abcdteT" || reply.ToUser != "oyORnuP8q7ou2gfYjqLzSIWZf0rs" {
		t.Errorf("reply %+v", reply)
	}
}

func TestAnswersInEveryMode(t *testing.T) {
	for _, mode := range []wxsim.Mode{wxsim.Plain, wxsim.Compatible, wxsim.Safe} {
		f := newFixture(t, mode, nil)
		w := f.text(t, "u1", "血常规多少钱", 1)
		if w.Code != 200 {
			t.Fatalf("mode %d: status %d %s", mode, w.Code, w.Body)
		}
		r, err := f.acct.ParseReply(w.Body.Bytes())
		if err != nil {
			t.Fatalf("mode %d: %v", mode, err)
		}
		if r.MsgType != "text" || r.Content != "答:血常规多少钱" || r.ToUser != "u1" {
			t.Errorf("mode %d: reply %+v", mode, r)
		}
		if mode != wxsim.Plain && strings.Contains(w.Body.String(), "血常规") {
			t.Errorf("mode %d: reply must be encrypted", mode)
		}
	}
}

func TestHandshake(t *testing.T) {
	f := newFixture(t, wxsim.Plain, nil)
	q := f.acct.Handshake("echo123", f.clk.Now())
	w := f.do(httptest.NewRequest(http.MethodGet, "/wechat?"+q.Encode(), nil))
	if w.Code != 200 || w.Body.String() != "echo123" {
		t.Errorf("handshake: %d %q", w.Code, w.Body)
	}
	q.Set("signature", "bad")
	if w := f.do(httptest.NewRequest(http.MethodGet, "/wechat?"+q.Encode(), nil)); w.Code != http.StatusUnauthorized {
		t.Errorf("bad handshake signature answered %d", w.Code)
	}
}

func TestPreviousKeyDuringRotation(t *testing.T) {
	newKey := "ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvut"
	f := newFixture(t, wxsim.Safe, func(c *WebhookConfig) {
		c.EncodingAESKey = newKey
		c.PreviousEncodingAESKey = testKey
	})
	// A message still encrypted with the previous key is accepted ...
	w := f.text(t, "u1", "旧密钥", 1)
	if w.Code != 200 {
		t.Fatalf("previous key refused: %d %s", w.Code, w.Body)
	}
	if r, err := f.acct.ParseReply(w.Body.Bytes()); err != nil || r.Content != "答:旧密钥" {
		t.Errorf("reply with previous key: %+v %v", r, err)
	}
	// ... and one with the new key too.
	f.acct.EncodingAESKey = newKey
	if w := f.text(t, "u1", "新密钥", 2); w.Code != 200 {
		t.Fatalf("new key refused: %d", w.Code)
	}
	// A third key is refused and the bot never sees it.
	f.acct.EncodingAESKey = "0000000000000000000000000000000000000000000"
	if w := f.text(t, "u1", "别的密钥", 3); w.Code != http.StatusUnauthorized {
		t.Errorf("unknown key answered %d", w.Code)
	}
	if n := len(f.bot.calls()); n != 2 {
		t.Errorf("bot called %d times, want 2", n)
	}
}

func TestBadInputRefusedAndNothingProcessed(t *testing.T) {
	cases := []struct {
		name   string
		mode   wxsim.Mode
		build  func(f *fixture) *http.Request
		status int
	}{
		{"bad signature", wxsim.Plain, func(f *fixture) *http.Request {
			req, _ := f.acct.Build(wxsim.Text("gh", "u", "x", 1, f.clk.Now()), "u", f.clk.Now())
			req.Query.Set("signature", "0000")
			return req.HTTP("http://svc/wechat")
		}, http.StatusUnauthorized},
		{"no signature", wxsim.Plain, func(f *fixture) *http.Request {
			return httptest.NewRequest(http.MethodPost, "/wechat", strings.NewReader("<xml/>"))
		}, http.StatusUnauthorized},
		{"bad msg_signature", wxsim.Safe, func(f *fixture) *http.Request {
			req, _ := f.acct.Build(wxsim.Text("gh", "u", "x", 1, f.clk.Now()), "u", f.clk.Now())
			req.Query.Set("msg_signature", "0000")
			return req.HTTP("http://svc/wechat")
		}, http.StatusUnauthorized},
		{"wrong AppID inside", wxsim.Safe, func(f *fixture) *http.Request {
			a := f.acct
			a.AppID = "wxother"
			req, _ := a.Build(wxsim.Text("gh", "u", "x", 1, f.clk.Now()), "u", f.clk.Now())
			return req.HTTP("http://svc/wechat")
		}, http.StatusUnauthorized},
		{"plaintext to a safe-mode account", wxsim.Safe, func(f *fixture) *http.Request {
			a := f.acct
			a.Mode = wxsim.Plain
			req, _ := a.Build(wxsim.Text("gh", "u", "x", 1, f.clk.Now()), "u", f.clk.Now())
			return req.HTTP("http://svc/wechat")
		}, http.StatusUnauthorized},
		{"malformed XML", wxsim.Plain, func(f *fixture) *http.Request {
			req, _ := f.acct.Build([]byte("<xml><ToUserName>gh</ToUser"), "u", f.clk.Now())
			return req.HTTP("http://svc/wechat")
		}, http.StatusBadRequest},
		{"malformed XML inside encryption", wxsim.Safe, func(f *fixture) *http.Request {
			req, _ := f.acct.Build([]byte("<xml><Content>unterminated"), "u", f.clk.Now())
			return req.HTTP("http://svc/wechat")
		}, http.StatusBadRequest},
		{"malformed envelope", wxsim.Safe, func(f *fixture) *http.Request {
			req, _ := f.acct.Build(wxsim.Text("gh", "u", "x", 1, f.clk.Now()), "u", f.clk.Now())
			req.Body = []byte("<xml><Encrypt>")
			return req.HTTP("http://svc/wechat")
		}, http.StatusBadRequest},
		{"no sender", wxsim.Plain, func(f *fixture) *http.Request {
			req, _ := f.acct.Build([]byte("<xml><MsgType>text</MsgType><Content>hi</Content></xml>"), "u", f.clk.Now())
			return req.HTTP("http://svc/wechat")
		}, http.StatusBadRequest},
		{"body over 64 KiB", wxsim.Plain, func(f *fixture) *http.Request {
			big := wxsim.Text("gh", "u", strings.Repeat("长", 30000), 1, f.clk.Now())
			req, _ := f.acct.Build(big, "u", f.clk.Now())
			return req.HTTP("http://svc/wechat")
		}, http.StatusRequestEntityTooLarge},
		{"replayed old request", wxsim.Plain, func(f *fixture) *http.Request {
			old := f.clk.Now().Add(-10 * time.Minute)
			req, _ := f.acct.Build(wxsim.Text("gh", "u", "x", 1, old), "u", old)
			return req.HTTP("http://svc/wechat")
		}, http.StatusForbidden},
		{"PUT", wxsim.Plain, func(f *fixture) *http.Request {
			return httptest.NewRequest(http.MethodPut, "/wechat", nil)
		}, http.StatusMethodNotAllowed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t, c.mode, nil)
			w := f.do(c.build(f))
			if w.Code != c.status {
				t.Errorf("status %d, want %d (%s)", w.Code, c.status, strings.TrimSpace(w.Body.String()))
			}
			if strings.TrimSpace(w.Body.String()) == "" {
				t.Error("a refusal must say why")
			}
			if n := len(f.bot.calls()); n != 0 {
				t.Errorf("bot was called %d times for a refused request", n)
			}
		})
	}
}

func TestClockSkewZeroTurnsCheckOff(t *testing.T) {
	f := newFixture(t, wxsim.Plain, func(c *WebhookConfig) { c.MaxClockSkew = 0 })
	old := f.clk.Now().Add(-24 * time.Hour)
	req, _ := f.acct.Build(wxsim.Text("gh", "u", "x", 1, old), "u", old)
	if w := f.do(req.HTTP("http://svc/wechat")); w.Code != 200 {
		t.Errorf("with max_clock_skew 0 an old timestamp must pass, got %d", w.Code)
	}
}

func TestUnknownTypesAnswerSuccess(t *testing.T) {
	for _, mode := range []wxsim.Mode{wxsim.Plain, wxsim.Safe} {
		f := newFixture(t, mode, nil)
		unknown := []byte(fmt.Sprintf("<xml><ToUserName>gh</ToUserName><FromUserName>u</FromUserName><CreateTime>%d</CreateTime><MsgType>hologram</MsgType><MsgId>9</MsgId></xml>", f.clk.Now().Unix()))
		for _, m := range [][]byte{unknown, wxsim.Event("gh", "u", "TEMPLATESENDJOBFINISH", "", f.clk.Now())} {
			w := f.post(t, m, "u")
			if w.Code != 200 || w.Body.String() != "success" {
				t.Errorf("mode %d: unknown type answered %d %q", mode, w.Code, w.Body)
			}
		}
		if n := len(f.bot.calls()); n != 0 {
			t.Errorf("bot saw %d unknown messages", n)
		}
	}
}

func TestEventsReachTheBot(t *testing.T) {
	f := newFixture(t, wxsim.Plain, nil)
	f.bot.reply = func(m bot.Message) bot.Reply { return bot.Reply{Text: m.Event + ":" + m.EventKey} }
	for i, ev := range []struct{ event, key string }{
		{"subscribe", "qrscene_lobby"}, {"CLICK", bot.KeyPrices}, {"VIEW", "https://h/x"}, {"SCAN", "ward5"}, {"unsubscribe", ""},
	} {
		f.clk.Advance(time.Second)
		w := f.post(t, wxsim.Event("gh", fmt.Sprintf("u%d", i), ev.event, ev.key, f.clk.Now()), "u")
		r, _ := f.acct.ParseReply(w.Body.Bytes())
		if r.Content != ev.event+":"+ev.key {
			t.Errorf("%s: reply %+v", ev.event, r)
		}
	}
	scene, err := f.store.HGet(context.Background(), "wx:qrscene:user", "u0")
	if err != nil || string(scene) != "lobby" {
		t.Errorf("QR scene of the subscribe not recorded: %q %v", scene, err)
	}
}

func TestRetriesAnsweredOnce(t *testing.T) {
	f := newFixture(t, wxsim.Safe, nil)
	xmlMsg := wxsim.Text("gh", "u1", "血常规多少钱", 777, f.clk.Now())
	first := f.post(t, xmlMsg, "u1")
	if r, _ := f.acct.ParseReply(first.Body.Bytes()); r.Content == "" {
		t.Fatalf("first delivery not answered: %s", first.Body)
	}
	for i := 0; i < 2; i++ {
		w := f.post(t, xmlMsg, "u1")
		if w.Body.String() != "success" {
			t.Errorf("retry %d answered %q, want plain success", i, w.Body)
		}
	}
	if n := len(f.bot.calls()); n != 1 {
		t.Errorf("bot answered %d times", n)
	}
}

func TestConcurrentRetriesAnsweredOnce(t *testing.T) {
	f := newFixture(t, wxsim.Plain, nil)
	f.bot.delay = 50 * time.Millisecond
	xmlMsg := wxsim.Text("gh", "u1", "CT多少钱", 4242, f.clk.Now())
	var wg sync.WaitGroup
	answers := make(chan string, 3)
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := f.post(t, xmlMsg, "u1")
			answers <- w.Body.String()
		}()
	}
	wg.Wait()
	close(answers)
	real := 0
	for a := range answers {
		if a != "success" {
			real++
		}
	}
	if real != 1 || len(f.bot.calls()) != 1 {
		t.Errorf("%d answers and %d bot calls for one message delivered 3 times at once", real, len(f.bot.calls()))
	}
}

func TestSlowAnswerGoesOutAsCustomerServiceMessage(t *testing.T) {
	f := newFixture(t, wxsim.Safe, func(c *WebhookConfig) { c.ReplyBudget = 20 * time.Millisecond })
	f.bot.delay = 200 * time.Millisecond
	w := f.text(t, "u9", "慢问题", 5)
	if w.Body.String() != "success" {
		t.Fatalf("over-budget answer must be plain success even in safe mode, got %q", w.Body)
	}
	select {
	case <-f.api.got:
	case <-time.After(5 * time.Second):
		t.Fatal("late answer never sent")
	}
	f.hook.Wait()
	if len(f.api.sent) != 1 || f.api.sent[0] != "u9|答:慢问题" {
		t.Errorf("customer-service messages %q", f.api.sent)
	}
}

func TestTransferToHumanCarriesText(t *testing.T) {
	f := newFixture(t, wxsim.Plain, nil)
	f.bot.reply = func(bot.Message) bot.Reply {
		return bot.Reply{Text: "正在为您转接人工客服", TransferToCS: true}
	}
	w := f.text(t, "u2", "人工", 6)
	r, err := f.acct.ParseReply(w.Body.Bytes())
	if err != nil || r.MsgType != "transfer_customer_service" {
		t.Fatalf("reply %+v %v", r, err)
	}
	<-f.api.got
	f.hook.Wait()
	if len(f.api.sent) != 1 || !strings.Contains(f.api.sent[0], "人工客服") {
		t.Errorf("text with the transfer not sent: %q", f.api.sent)
	}
}

func TestStoreDownStillAnswers(t *testing.T) {
	f := newFixture(t, wxsim.Plain, nil)
	f.hook.store = downStore{}
	w := f.text(t, "u3", "你好", 7)
	if r, _ := f.acct.ParseReply(w.Body.Bytes()); r.Content != "答:你好" {
		t.Errorf("with the store down the webhook must still answer: %q", w.Body)
	}
}

type downStore struct{ store.Store }

func (downStore) SetNX(context.Context, string, []byte, time.Duration) (bool, error) {
	return false, fmt.Errorf("dial: %w", store.ErrUnavailable)
}

func TestVoiceUsesRecognition(t *testing.T) {
	f := newFixture(t, wxsim.Plain, nil)
	f.post(t, wxsim.Voice("gh", "u4", "media1", "血常规多少钱", 8, f.clk.Now()), "u4")
	c := f.bot.calls()
	if len(c) != 1 || c[0].Kind != bot.KindVoice || c[0].Text != "血常规多少钱" || c[0].MediaID != "media1" {
		t.Errorf("voice reached the bot as %+v", c)
	}
}

func BenchmarkWebhook(b *testing.B) {
	for _, mode := range []wxsim.Mode{wxsim.Plain, wxsim.Safe} {
		name := map[wxsim.Mode]string{wxsim.Plain: "plain", wxsim.Safe: "safe"}[mode]
		b.Run(name, func(b *testing.B) {
			t := &testing.T{}
			f := newFixture(t, mode, nil)
			f.hook.log = zap.NewNop()
			reqs := make([]wxsim.Request, b.N)
			for i := range reqs {
				reqs[i], _ = f.acct.Build(wxsim.Text("gh", "u", "血常规多少钱", int64(i+1), f.clk.Now()), "u", f.clk.Now())
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				w := httptest.NewRecorder()
				f.hook.ServeHTTP(w, reqs[i].HTTP("http://svc/wechat"))
				if w.Code != 200 {
					b.Fatal(w.Code)
				}
			}
		})
	}
}

var _ = io.Discard
