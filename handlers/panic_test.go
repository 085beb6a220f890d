package handlers

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/hospital/wxbot/bot"
	"github.com/hospital/wxbot/clock"
	"github.com/hospital/wxbot/store/memstore"
	"github.com/hospital/wxbot/wxsim"
)

// A message the bot panics on is answered as a failure; the service lives on
// and answers the next message; the log has the stack but not the text.
func TestBotPanicIsAnsweredAndTheServiceLivesOn(t *testing.T) {
	core, logs := observer.New(zap.DebugLevel)
	b := &recBot{reply: func(m bot.Message) bot.Reply {
		if m.Text == "病历里的秘密" {
			var list []int
			_ = list[len(m.Text)] // index out of range
		}
		return bot.Reply{Text: "答:" + m.Text}
	}}
	clk := clock.NewFake(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC))
	reg := prometheus.NewRegistry()
	m := NewMetrics(reg)
	f := &fixture{bot: b, clk: clk, acct: wxsim.Account{Token: "tok", AppID: "wxapp", OriginalID: "gh_test", Mode: wxsim.Plain}}
	f.hook = NewWebhook(WebhookConfig{Token: "tok", AppID: "wxapp", MaxClockSkew: 5 * time.Minute, ReplyBudget: time.Second},
		b, memstore.New(), newRecAPI(), clk, zap.New(core), m)

	w := f.text(t, "o1", "病历里的秘密", 1)
	if w.Code != 200 || !strings.Contains(w.Body.String(), "繁忙") {
		t.Errorf("panicking message answered %d %q, want 200 with an apology", w.Code, w.Body.String())
	}
	if w := f.text(t, "o1", "你好", 2); !strings.Contains(w.Body.String(), "答:你好") {
		t.Errorf("next message answered %q", w.Body.String())
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	n := 0.0
	for _, mf := range mfs {
		if mf.GetName() == "wxbot_bot_panics_total" {
			n = mf.GetMetric()[0].GetCounter().GetValue()
		}
	}
	if n != 1 {
		t.Errorf("wxbot_bot_panics_total = %v, want 1", n)
	}
	if logs.FilterMessage("bot panicked").Len() != 1 {
		t.Errorf("the panic was not logged")
	}
	for _, e := range logs.All() {
		for _, fld := range e.Context {
			if strings.Contains(fld.String, "病历里的秘密") || strings.Contains(e.Message, "病历里的秘密") {
				t.Errorf("the patient's text reached the log: %s %v", e.Message, fld)
			}
		}
	}
}
