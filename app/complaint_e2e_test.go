package app

import (
	"bytes"
	"context"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/hospital/wxbot/staff"
	"github.com/hospital/wxbot/store/memstore"
	"github.com/hospital/wxbot/wxapi"
	"github.com/hospital/wxbot/wxapi/fakewx"
	"github.com/hospital/wxbot/wxsim"
)

// A patient complains through the webhook with a photo; the photo is fetched
// from WeChat's media API into the store; staff answer over the API and the
// answer reaches the patient as a customer-service message.
func TestComplaintWithPhotoAnsweredInWeChat(t *testing.T) {
	fake := fakewx.New()
	defer fake.Close()
	fake.AddMedia("photo-1", "image/jpeg", []byte("\xff\xd8\xff jpeg bytes"))
	cfg := demoConfig(t)
	cfg.WeChat.AppID, cfg.WeChat.AppSecret, cfg.WeChat.APIBaseURL = "wxtest", "secret", fake.URL()
	st := memstore.New()
	api, err := wxapi.NewClient(wxapi.ClientConfig{AppID: "wxtest", AppSecret: "secret", BaseURL: fake.URL()}, st, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	a, err := New(context.Background(), Options{Config: cfg, Log: zap.NewNop(), Store: st, API: api, SkipBackground: true})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	srv := newTestServer(t, a)
	c := &wxsim.Client{Account: wxsim.Account{Token: "dev-token", AppID: "wxtest", OriginalID: "gh_demo"}, URL: srv + "/wechat"}
	send := func(text string) string {
		t.Helper()
		r, err := c.SendText("photo-patient", text)
		if err != nil {
			t.Fatal(err)
		}
		return r.Content
	}
	send("我要投诉")
	send("输液室的护士扎了三次针都没扎上，态度还很不耐烦")
	now := time.Now()
	if _, _, err := c.Send(wxsim.Image("gh_demo", "photo-patient", "photo-1", now.UnixNano(), now), "photo-patient"); err != nil {
		t.Fatal(err)
	}
	var reply string
	for _, answer := range []string{"跳过", "跳过", "跳过", "匿名", "跳过", "确认", "确认"} {
		reply = send(answer)
		if strings.Contains(reply, "TS") {
			break
		}
	}
	number := regexp.MustCompile(`TS\d{8}-\d{4}`).FindString(reply)
	if number == "" {
		t.Fatalf("no ticket number after confirming: %q", reply)
	}
	tk, err := a.parts.complaints.Get(context.Background(), number)
	if err != nil {
		t.Fatal(err)
	}
	if len(tk.Attachments) != 1 {
		t.Fatalf("the photo was not attached: %+v", tk.Attachments)
	}
	_, data, err := a.parts.complaints.Media(context.Background(), number, 0)
	if err != nil || !bytes.Contains(data, []byte("jpeg bytes")) {
		t.Errorf("the photo was not kept: %v", err)
	}

	ctx := context.Background()
	_, tok, err := staff.NewService(st, nil).Add(ctx, "投诉办", []staff.Role{staff.RoleComplaints})
	if err != nil {
		t.Fatal(err)
	}
	code, body := apiCall(t, "POST", srv+"/api/v1/complaints/"+number+"/reply", tok, `{"text":"已核实，输液室已安排培训，向您致歉。"}`)
	if code != 200 {
		t.Fatalf("reply: %d %v", code, body)
	}
	found := false
	for _, m := range fake.TextsTo("photo-patient") {
		if strings.Contains(m, "已安排培训") {
			found = true
		}
	}
	if !found {
		t.Errorf("the answer did not reach the patient: %q", fake.TextsTo("photo-patient"))
	}
}

func newTestServer(t *testing.T, a *App) string {
	t.Helper()
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)
	return srv.URL
}
