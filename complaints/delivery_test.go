package complaints

import (
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/hospital/wxbot/bot"
	"github.com/hospital/wxbot/store/memstore"
	"github.com/hospital/wxbot/wxapi"
	"github.com/hospital/wxbot/wxapi/fakewx"
)

// withFakeWeChat points the service at a fake WeChat server through the real client.
func withFakeWeChat(t *testing.T) (*fakewx.Server, func(*Options)) {
	t.Helper()
	f := fakewx.New()
	t.Cleanup(f.Close)
	c, err := wxapi.NewClient(wxapi.ClientConfig{AppID: "wx_test", AppSecret: "secret", BaseURL: f.URL(), Timeout: 5 * time.Second},
		memstore.New(), zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	return f, func(o *Options) { o.WeChat = c }
}

// filed runs the chat form for user-1 and returns the ticket number.
func filed(h *harness) string {
	h.t.Helper()
	h.expect("投诉", "描述")
	h.expect(desc, "科室")
	h.expect("儿科", "时间")
	h.expect("跳过", "匿名")
	h.expect("实名", "电话")
	h.expect("13812345678", "确认")
	return numberIn(h.expect("确认", "TS"))
}

func TestReplyInsideWindowIsCustomerServiceMessage(t *testing.T) {
	f, wx := withFakeWeChat(t)
	h := newHarness(t, wx)
	n := filed(h)
	h.clk.Advance(47 * time.Hour)
	tk, err := h.svc.Reply(h.ctx, n, "张三", "已核实，收费窗口高峰期将增开两个。")
	if err != nil {
		t.Fatal(err)
	}
	texts := f.TextsTo("user-1")
	if len(texts) != 1 || !strings.Contains(texts[0], "已核实，收费窗口高峰期将增开两个。") || !strings.Contains(texts[0], n) {
		t.Fatalf("customer-service texts %q", texts)
	}
	if len(f.Sent(fakewx.KindTemplate)) != 0 {
		t.Errorf("a template was sent inside the window")
	}
	d := tk.Answers[0].Delivery
	if d.Status != DeliverySent || d.Channel != ChannelCustom || d.Attempts != 1 {
		t.Errorf("delivery %+v", d)
	}
	if tk.Status != StatusAnswered || tk.AnsweredAt == nil {
		t.Errorf("ticket status %s answered %v", tk.Status, tk.AnsweredAt)
	}
	// The patient sees the answer in 我的投诉.
	h.expect("我的投诉", n, "已答复", "增开两个")
}

func TestReplyOutsideWindowIsTemplate(t *testing.T) {
	f, wx := withFakeWeChat(t)
	h := newHarness(t, wx)
	n := filed(h)
	h.clk.Advance(49 * time.Hour)
	tk, err := h.svc.Reply(h.ctx, n, "张三", "已核实并整改。")
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Calls(fakewx.APICustomSend)) != 0 {
		t.Errorf("a customer-service message was tried outside the window")
	}
	tpl := f.Sent(fakewx.KindTemplate)
	if len(tpl) != 1 || tpl[0].ToUser != "user-1" || tpl[0].Data()["keyword1"] != n || !strings.Contains(tpl[0].Data()["keyword3"], "已核实并整改") {
		t.Fatalf("templates %+v", tpl)
	}
	if d := tk.Answers[0].Delivery; d.Status != DeliverySent || d.Channel != ChannelTemplate {
		t.Errorf("delivery %+v", d)
	}
	// A new message from the patient opens the window again.
	h.say("你好")
	if _, err := h.svc.Reply(h.ctx, n, "张三", "补充说明。"); err != nil {
		t.Fatal(err)
	}
	if texts := f.TextsTo("user-1"); len(texts) != 1 || !strings.Contains(texts[0], "补充说明") {
		t.Errorf("after the patient wrote again: texts %q", texts)
	}
}

func TestReplyFallsBackToTemplateOn45015And45047(t *testing.T) {
	for _, code := range []int{fakewx.CodeOutsideWindow, fakewx.CodeOverCSCount} {
		f, wx := withFakeWeChat(t)
		h := newHarness(t, wx)
		n := filed(h)
		f.Fail(fakewx.APICustomSend, code, 1)
		tk, err := h.svc.Reply(h.ctx, n, "张三", "答复内容")
		if err != nil {
			t.Fatal(err)
		}
		if len(f.Calls(fakewx.APICustomSend)) != 1 {
			t.Errorf("%d: customer-service tries %d, want 1", code, len(f.Calls(fakewx.APICustomSend)))
		}
		if tpl := f.Sent(fakewx.KindTemplate); len(tpl) != 1 || tpl[0].Data()["keyword1"] != n {
			t.Errorf("%d: templates %+v", code, tpl)
		}
		if d := tk.Answers[0].Delivery; d.Status != DeliverySent || d.Channel != ChannelTemplate {
			t.Errorf("%d: delivery %+v", code, d)
		}
	}
}

func TestReplyTransientErrorsRetried(t *testing.T) {
	f, wx := withFakeWeChat(t)
	h := newHarness(t, wx)
	n := filed(h)
	f.Fail(fakewx.APICustomSend, fakewx.CodeBusy, 2)
	tk, err := h.svc.Reply(h.ctx, n, "张三", "第一次答复")
	if err != nil {
		t.Fatal(err)
	}
	if d := tk.Answers[0].Delivery; d.Status != DeliverySent || d.Attempts != 3 {
		t.Errorf("after 2 busy answers: delivery %+v, want sent on attempt 3", d)
	}
	// Still failing after the immediate attempts: queued, and the worker sends it.
	f.Fail(fakewx.APICustomSend, fakewx.CodeBusy, 4)
	tk, err = h.svc.Reply(h.ctx, n, "张三", "第二次答复")
	if err != nil {
		t.Fatal(err)
	}
	if d := tk.Answers[1].Delivery; d.Status != DeliveryRetrying || d.Code != fakewx.CodeBusy {
		t.Fatalf("delivery %+v, want retrying with code -1", d)
	}
	if _, err := h.svc.ProcessDeliveries(h.ctx); err != nil { // attempt 4: busy
		t.Fatal(err)
	}
	if _, err := h.svc.ProcessDeliveries(h.ctx); err != nil { // attempt 5: sent
		t.Fatal(err)
	}
	tk, _ = h.svc.Get(h.ctx, n)
	if d := tk.Answers[1].Delivery; d.Status != DeliverySent || d.Attempts != 5 {
		t.Errorf("after the worker: delivery %+v", d)
	}
	if texts := f.TextsTo("user-1"); len(texts) != 2 {
		t.Errorf("patient got %d texts, want 2 (each answer once)", len(texts))
	}
	if tried, _ := h.svc.ProcessDeliveries(h.ctx); tried != 0 {
		t.Errorf("the queue still had %d items", tried)
	}
}

func TestReplyPermanentFailureShownOnTicket(t *testing.T) {
	f, wx := withFakeWeChat(t)
	h := newHarness(t, wx, func(o *Options) { o.TemplateID = "" })
	n := filed(h)
	f.FailFor(fakewx.APICustomSend, "user-1", fakewx.CodeNotFollowing)
	tk, err := h.svc.Reply(h.ctx, n, "张三", "答复")
	if err != nil {
		t.Fatal(err)
	}
	if d := tk.Answers[0].Delivery; d.Status != DeliveryFailed || d.Code != fakewx.CodeNotFollowing || d.Attempts != 1 {
		t.Errorf("delivery %+v, want failed 43004 after one try", d)
	}
	// Outside the window with no template configured: failed, saying why.
	h.clk.Advance(50 * time.Hour)
	tk, _ = h.svc.Reply(h.ctx, n, "张三", "答复二")
	if d := tk.Answers[1].Delivery; d.Status != DeliveryFailed || !strings.Contains(d.Error, "template") {
		t.Errorf("delivery %+v, want failed naming the missing template", d)
	}
}

func TestCloseSendsResolutionAndAsksRating(t *testing.T) {
	f, wx := withFakeWeChat(t)
	h := newHarness(t, wx)
	n := filed(h)
	tk, err := h.svc.Close(h.ctx, n, "李四", "已向当事人了解情况并致歉。")
	if err != nil {
		t.Fatal(err)
	}
	texts := f.TextsTo("user-1")
	if len(texts) != 1 || !strings.Contains(texts[0], "已向当事人了解情况并致歉") || !strings.Contains(texts[0], "满意") {
		t.Fatalf("texts %q", texts)
	}
	if tk.Status != StatusClosed || tk.FirstFeedbackAt == nil {
		t.Errorf("ticket %s feedback %v", tk.Status, tk.FirstFeedbackAt)
	}
	h.expect("一般", "感谢")
	if tk, _ = h.svc.Get(h.ctx, n); tk.Rating != RatingNeutral {
		t.Errorf("rating %q", tk.Rating)
	}
	if _, err := h.svc.Reply(h.ctx, n, "李四", "x"); err == nil {
		t.Errorf("reply to a closed ticket accepted")
	}
	if tk, err = h.svc.Reopen(h.ctx, n, "李四", "患者不认可"); err != nil || tk.Status != StatusOpen || tk.AnsweredAt != nil {
		t.Errorf("reopen: %v %+v", err, tk)
	}
}

func TestAttachmentsDownloadedFromWeChat(t *testing.T) {
	f, wx := withFakeWeChat(t)
	h := newHarness(t, wx)
	f.AddMedia("img_1", "image/jpeg", []byte("\xff\xd8jpeg-bytes"))
	f.AddMedia("voice_1", "audio/amr", []byte("#!AMR voice"))
	f.AddMedia("img_2", "image/png", []byte("png"))
	h.expect("投诉", "描述")
	h.send(bot.Message{Kind: bot.KindImage, MediaID: "img_1"})
	h.expect(desc, "科室")
	h.send(bot.Message{Kind: bot.KindVoice, MediaID: "voice_1"})
	h.send(bot.Message{Kind: bot.KindImage, MediaID: "gone_1"}) // WeChat no longer has it
	h.expect("跳过", "时间")
	h.send(bot.Message{Kind: bot.KindImage, MediaID: "img_2"})
	h.expect("跳过", "匿名")
	h.expect("匿名", "附件：4个")

	// Stored at once when the WeChat media API answers.
	n := numberIn(h.expect("确认", "TS"))
	tk, _ := h.svc.Get(h.ctx, n)
	want := []struct {
		stored bool
		ct     string
	}{{true, "image/jpeg"}, {true, "audio/amr"}, {false, ""}, {true, "image/png"}}
	for i, w := range want {
		if a := tk.Attachments[i]; a.Stored != w.stored || a.ContentType != w.ct {
			t.Errorf("attachment %d: %+v, want stored=%v %s", i, a, w.stored, w.ct)
		}
	}
	if a := tk.Attachments[2]; a.Error == "" || a.MediaID != "" {
		t.Errorf("the expired media: %+v, want an error and given up", a)
	}
	_, data, err := h.svc.Media(h.ctx, n, 0)
	if err != nil || string(data) != "\xff\xd8jpeg-bytes" {
		t.Errorf("Media(0) = %q, %v", data, err)
	}
	if _, _, err := h.svc.Media(h.ctx, n, 2); err == nil {
		t.Errorf("Media of an attachment never downloaded succeeded")
	}
	// Nothing left to fetch.
	calls := len(f.Calls(fakewx.APIMediaGet))
	if err := h.svc.FetchPendingMedia(h.ctx); err != nil {
		t.Fatal(err)
	}
	if got := len(f.Calls(fakewx.APIMediaGet)); got != calls {
		t.Errorf("FetchPendingMedia downloaded again (%d -> %d calls)", calls, got)
	}
}

func TestAttachmentsRetriedWhenWeChatBusy(t *testing.T) {
	f, wx := withFakeWeChat(t)
	h := newHarness(t, wx)
	f.AddMedia("img_1", "image/jpeg", []byte("jpeg"))
	h.expect("投诉", "描述")
	h.send(bot.Message{Kind: bot.KindImage, MediaID: "img_1"})
	h.expect(desc, "科室")
	h.expect("跳过", "时间")
	h.expect("跳过", "匿名")
	h.expect("匿名", "附件：1个")
	f.Fail(fakewx.APIMediaGet, fakewx.CodeBusy, 1)
	n := numberIn(h.expect("确认", "TS")) // the complaint is filed even so
	tk, _ := h.svc.Get(h.ctx, n)
	if a := tk.Attachments[0]; a.Stored || a.MediaID == "" || a.Error == "" {
		t.Fatalf("after a busy WeChat: %+v, want pending with the error", a)
	}
	h.clk.Advance(time.Hour)
	if err := h.svc.Tick(h.ctx); err != nil {
		t.Fatal(err)
	}
	tk, _ = h.svc.Get(h.ctx, n)
	if a := tk.Attachments[0]; !a.Stored || a.Size != 4 {
		t.Errorf("after Tick: %+v, want stored", a)
	}
}
