package noticeskill_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hospital/wxbot/bot"
	"github.com/hospital/wxbot/clock"
	"github.com/hospital/wxbot/notices"
	"github.com/hospital/wxbot/notices/noticeskill"
	"github.com/hospital/wxbot/staff"
	"github.com/hospital/wxbot/store/memstore"
	"github.com/hospital/wxbot/textnorm"
)

type fixture struct {
	svc   *notices.Service
	skill *noticeskill.Skill
	clk   *clock.Fake
}

func newFixture(t *testing.T) *fixture {
	st := memstore.New()
	t.Cleanup(func() { st.Close() })
	clk := clock.NewFake(time.Date(2025, 3, 3, 2, 0, 0, 0, time.UTC))
	svc := notices.NewService(st, clk, notices.Config{}, nil)
	return &fixture{svc: svc, skill: noticeskill.New(svc, 5), clk: clk}
}

// say sends text as the bot would (with the normalised text) and returns the reply.
func (f *fixture) say(t *testing.T, user, text string) (string, bool) {
	t.Helper()
	turn := &bot.Turn{Msg: bot.Message{UserID: user, Kind: bot.KindText, Text: text}, Norm: textnorm.Normalize(text)}
	r, handled, err := f.skill.Handle(context.Background(), turn)
	if err != nil {
		t.Fatalf("%q: %v", text, err)
	}
	return r.Text, handled
}

func (f *fixture) event(t *testing.T, user, event, key string) (string, bool) {
	t.Helper()
	turn := &bot.Turn{Msg: bot.Message{UserID: user, Kind: bot.KindEvent, Event: event, EventKey: key}}
	r, handled, err := f.skill.Handle(context.Background(), turn)
	if err != nil {
		t.Fatal(err)
	}
	return r.Text, handled
}

func containsAll(s string, subs ...string) bool {
	for _, x := range subs {
		if !strings.Contains(s, x) {
			return false
		}
	}
	return true
}

func TestSubscribeDialogue(t *testing.T) {
	f := newFixture(t)
	// The eval corpus dialogue A39.
	r, ok := f.say(t, "eval-A39", "订阅 价格调整")
	if !ok || !strings.Contains(r, "已订阅") || !strings.Contains(r, "价格调整") {
		t.Fatalf("订阅 价格调整 -> %q, %v", r, ok)
	}
	r, _ = f.say(t, "eval-A39", "我的订阅")
	if !strings.Contains(r, "价格调整") {
		t.Fatalf("我的订阅 -> %q", r)
	}
	r, _ = f.say(t, "eval-A39", "退订 价格调整")
	if !strings.Contains(r, "已退订") {
		t.Fatalf("退订 -> %q", r)
	}
	r, _ = f.say(t, "eval-A39", "我的订阅")
	if !(strings.Contains(r, "没有") || strings.Contains(r, "暂无")) || strings.Contains(r, "没有找到") || strings.Contains(r, "未找到") {
		t.Fatalf("我的订阅 with none -> %q", r)
	}
}

func TestSubscribeForms(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for i, text := range []string{"订阅价格调整", "订阅  招标采购", "訂閱 人事任免", "订阅「服务公告」", "订阅：设备采购"} {
		r, ok := f.say(t, "u1", text)
		if !ok || !strings.Contains(r, "已订阅") {
			t.Errorf("%d %q -> %q, %v", i, text, r, ok)
		}
	}
	mine, _ := f.svc.Subscriptions().Of(ctx, "u1")
	if strings.Join(mine, ",") != "招标采购,设备采购,人事任免,价格调整,服务公告" {
		t.Fatalf("subscriptions %v", mine)
	}
	r, _ := f.say(t, "u1", "订阅 价格调整")
	if !strings.Contains(r, "已订阅") {
		t.Fatalf("repeated subscription -> %q", r)
	}
	// A unique part of a name is enough; an ambiguous one is asked back.
	r, _ = f.say(t, "u2", "订阅 三重")
	if !strings.Contains(r, "已订阅「三重一大」") {
		t.Fatalf("订阅 三重 -> %q", r)
	}
	r, _ = f.say(t, "u2", "订阅 采购")
	if !containsAll(r, "招标采购", "设备采购") || strings.Contains(r, "已订阅") {
		t.Fatalf("订阅 采购 -> %q", r)
	}
}

func TestSubscribeAloneListsCategoriesAndUnknownIsRefused(t *testing.T) {
	f := newFixture(t)
	r, ok := f.say(t, "u1", "订阅")
	if !ok || !containsAll(r, notices.DefaultCategories...) {
		t.Fatalf("订阅 -> %q", r)
	}
	r, ok = f.say(t, "u1", "订阅 八卦")
	if !ok || !containsAll(r, "八卦") || !containsAll(r, notices.DefaultCategories...) || strings.Contains(r, "已订阅") {
		t.Fatalf("unknown category -> %q", r)
	}
	if mine, _ := f.svc.Subscriptions().Of(context.Background(), "u1"); len(mine) != 0 {
		t.Fatalf("subscribed to %v", mine)
	}
	r, _ = f.say(t, "u1", "退订 八卦")
	if !containsAll(r, notices.DefaultCategories...) {
		t.Fatalf("unknown unsubscribe -> %q", r)
	}
}

func TestUnsubscribeVariants(t *testing.T) {
	f := newFixture(t)
	f.say(t, "u1", "订阅 价格调整")
	f.say(t, "u1", "订阅 招标采购")
	r, _ := f.say(t, "u1", "退订")
	if !containsAll(r, "价格调整", "招标采购") {
		t.Fatalf("退订 alone -> %q", r)
	}
	r, _ = f.say(t, "u1", "取消订阅 招标采购")
	if !strings.Contains(r, "已退订「招标采购」") {
		t.Fatalf("取消订阅 -> %q", r)
	}
	r, _ = f.say(t, "u1", "退订 招标采购")
	if !strings.Contains(r, "没有订阅") {
		t.Fatalf("退订 twice -> %q", r)
	}
	r, _ = f.say(t, "u1", "退订 全部")
	if !strings.Contains(r, "已退订") {
		t.Fatalf("退订 全部 -> %q", r)
	}
	if mine, _ := f.svc.Subscriptions().Of(context.Background(), "u1"); len(mine) != 0 {
		t.Fatalf("still subscribed to %v", mine)
	}
}

func TestOtherMessagesPassOn(t *testing.T) {
	f := newFixture(t)
	for _, text := range []string{"头颅CT多少钱", "投诉", "帮助", "订阅号是什么", "订阅了会收到什么消息吗", "我想退订阅读的杂志可以吗", "人工", "1", "更多", ""} {
		if r, ok := f.say(t, "u1", text); ok {
			t.Errorf("%q was caught: %q", text, r)
		}
	}
	for _, ev := range [][2]string{{bot.EventSubscribe, ""}, {bot.EventClick, bot.KeyComplaint}, {bot.EventClick, bot.KeyPrices}, {bot.EventView, "https://x"}} {
		if _, ok := f.event(t, "u1", ev[0], ev[1]); ok {
			t.Errorf("event %v was caught", ev)
		}
	}
	turn := &bot.Turn{Msg: bot.Message{UserID: "u1", Kind: bot.KindImage, MediaID: "m"}}
	if _, ok, _ := f.skill.Handle(context.Background(), turn); ok {
		t.Error("an image was caught")
	}
}

func TestLatestNotices(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	r, ok := f.say(t, "u1", "最新公示")
	if !ok || !(strings.Contains(r, "暂无") || strings.Contains(r, "没有")) || strings.Contains(r, "没有找到") {
		t.Fatalf("最新公示 with none -> %q", r)
	}
	author := &staff.Member{ID: "1", Name: "编辑", Roles: []staff.Role{staff.RoleEditor}}
	rev := &staff.Member{ID: "2", Name: "审核", Roles: []staff.Role{staff.RoleReviewer}}
	publish := func(title, link string) *notices.Notice {
		n, err := f.svc.Create(ctx, author, notices.Input{Title: &title, Category: ptr("服务公告"), Link: &link})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Submit(ctx, author, n.ID); err != nil {
			t.Fatal(err)
		}
		n, err = f.svc.Approve(ctx, rev, n.ID)
		if err != nil || n.State != notices.StatePublished {
			t.Fatalf("publish: %v", err)
		}
		f.clk.Advance(24 * time.Hour)
		return n
	}
	a := publish("春节门诊安排", "https://h.example.cn/a")
	publish("新院区启用公告", "https://h.example.cn/b")
	// A draft is never shown.
	if _, err := f.svc.Create(ctx, author, notices.Input{Title: ptr("草稿"), Category: ptr("服务公告")}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Retract(ctx, rev, a.ID, "有误"); err != nil {
		t.Fatal(err)
	}
	r, _ = f.say(t, "u1", "最新公示")
	if !containsAll(r, "新院区启用公告", "2025-03-04", "https://h.example.cn/b", "春节门诊安排", "已撤回") {
		t.Fatalf("最新公示 -> %q", r)
	}
	if strings.Contains(r, "草稿") || strings.Contains(r, "https://h.example.cn/a") {
		t.Fatalf("shows a draft or the retracted link: %q", r)
	}
	if strings.Index(r, "新院区启用公告") > strings.Index(r, "春节门诊安排") {
		t.Fatalf("not newest first: %q", r)
	}
	r2, ok := f.event(t, "u1", bot.EventClick, bot.KeyNotices)
	if !ok || r2 != r {
		t.Fatalf("NOTICES menu key -> %q", r2)
	}
}

func TestMenuKeyAndUnsubscribeEvent(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	r, ok := f.event(t, "u1", bot.EventClick, bot.KeySubscriptions)
	if !ok || !strings.Contains(r, "没有订阅") || !containsAll(r, notices.DefaultCategories...) {
		t.Fatalf("SUBSCRIPTIONS key -> %q", r)
	}
	f.say(t, "u1", "订阅 价格调整")
	f.say(t, "u1", "订阅 人事任免")
	r, _ = f.event(t, "u1", bot.EventClick, bot.KeySubscriptions)
	if !containsAll(r, "您已订阅", "价格调整", "人事任免") {
		t.Fatalf("SUBSCRIPTIONS key -> %q", r)
	}
	if _, ok := f.event(t, "u1", bot.EventUnsubscribe, ""); ok {
		t.Fatal("the unsubscribe event should pass on to other skills")
	}
	for _, c := range f.svc.Categories() {
		if in, _ := f.svc.Subscriptions().IsSubscribed(ctx, "u1", c); in {
			t.Fatalf("still subscribed to %s after unfollowing", c)
		}
	}
	if mine, _ := f.svc.Subscriptions().Of(ctx, "u1"); len(mine) != 0 {
		t.Fatalf("user set %v", mine)
	}
}

func ptr[T any](v T) *T { return &v }
