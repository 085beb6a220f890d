package wxapi_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hospital/wxbot/clock"
	"github.com/hospital/wxbot/store/memstore"
	"github.com/hospital/wxbot/wxapi"
)

func TestOutboxKeepsWhatWasSentPerUser(t *testing.T) {
	ctx := context.Background()
	clk := clock.NewFake(time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC))
	ob := wxapi.NewOutbox(memstore.New(), clk)

	if err := ob.SendText(ctx, "oDemo", "挂号费 15 元。"); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Minute)
	id, err := ob.SendTemplate(ctx, wxapi.TemplateMessage{
		ToUser: "oDemo", TemplateID: "TPL", URL: "https://example.org/n/1",
		Data: map[string]string{"remark": "请相互转告", "keyword10": "十", "keyword2": "二", "first": "停诊通知"},
	})
	if err != nil || id == 0 {
		t.Fatalf("SendTemplate = %d, %v", id, err)
	}
	if err := ob.SendSubscribe(ctx, wxapi.SubscribeMessage{ToUser: "oOther", TemplateID: "S",
		Data: map[string]string{"thing3": "三", "time2": "二", "thing1": "一"}}); err != nil {
		t.Fatal(err)
	}

	msgs, err := ob.Messages(ctx, "oDemo", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 2 {
		t.Fatalf("messages for oDemo = %d, want 2: %+v", len(msgs), msgs)
	}
	if m := msgs[0]; m.Kind != wxapi.KindText || m.Text != "挂号费 15 元。" || m.ToUser != "oDemo" || !m.At.Equal(time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("first message = %+v", m)
	}
	want := "【模板消息】\n停诊通知\n二\n十\n请相互转告\n详情：https://example.org/n/1"
	if m := msgs[1]; m.Kind != wxapi.KindTemplate || m.Text != want || m.TemplateID != "TPL" {
		t.Errorf("template message text = %q, want %q", m.Text, want)
	}

	// Index-based: a client that has seen 1 message gets only the new one.
	msgs, err = ob.Messages(ctx, "oDemo", 1)
	if err != nil || len(msgs) != 1 || msgs[0].Kind != wxapi.KindTemplate {
		t.Errorf("Messages(since 1) = %+v, %v", msgs, err)
	}
	msgs, err = ob.Messages(ctx, "oDemo", 2)
	if err != nil || len(msgs) != 0 {
		t.Errorf("Messages(since 2) = %+v, %v; want none", msgs, err)
	}

	other, err := ob.Messages(ctx, "oOther", 0)
	if err != nil || len(other) != 1 || other[0].Text != "【订阅通知】\n一\n二\n三" {
		t.Errorf("oOther messages = %+v, %v", other, err)
	}
	none, err := ob.Messages(ctx, "oNobody", 0)
	if err != nil || len(none) != 0 {
		t.Errorf("unknown user messages = %+v, %v", none, err)
	}
	all, err := ob.Messages(ctx, "", 0)
	if err != nil || len(all) != 3 {
		t.Errorf("global outbox = %d messages, %v; want 3", len(all), err)
	}
}

func TestOutboxGlobalListIsCapped(t *testing.T) {
	ctx := context.Background()
	ob := wxapi.NewOutbox(memstore.New(), clock.System{})
	for i := 0; i < wxapi.OutboxAllCap+5; i++ {
		if err := ob.SendText(ctx, "oMany", fmt.Sprint(i)); err != nil {
			t.Fatal(err)
		}
	}
	all, err := ob.Messages(ctx, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != wxapi.OutboxAllCap || all[0].Text != "5" || all[len(all)-1].Text != fmt.Sprint(wxapi.OutboxAllCap+4) {
		t.Errorf("global outbox: %d messages from %q, want the last %d", len(all), all[0].Text, wxapi.OutboxAllCap)
	}
	mine, err := ob.Messages(ctx, "oMany", 0)
	if err != nil || len(mine) != wxapi.OutboxAllCap+5 {
		t.Errorf("per-user outbox = %d, %v; want all %d", len(mine), err, wxapi.OutboxAllCap+5)
	}
}

func TestOutboxOtherCalls(t *testing.T) {
	ctx := context.Background()
	ob := wxapi.NewOutbox(memstore.New(), nil)
	info, err := ob.UserInfo(ctx, "oDemo")
	if err != nil || !info.Subscribe || info.OpenID != "oDemo" || info.Nickname == "" {
		t.Errorf("UserInfo = %+v, %v", info, err)
	}
	if _, err := ob.GetMedia(ctx, "M1"); wxapi.Code(err) != 40007 {
		t.Errorf("GetMedia = %v, want 40007", err)
	}
	if err := ob.CreateMenu(ctx, []byte(`{"button":[]}`)); err != nil {
		t.Errorf("CreateMenu: %v", err)
	}
	if err := ob.CreateMenu(ctx, []byte(`{`)); wxapi.Code(err) != 47001 {
		t.Errorf("CreateMenu(bad json) = %v, want 47001", err)
	}
	if err := ob.SendText(ctx, "", "x"); wxapi.Code(err) != 40003 {
		t.Errorf("SendText to nobody = %v, want 40003", err)
	}
}
