package wxapi_test

// These tests run the real SDK path against wxapi/fakewx. The SDK's HTTP client
// is a process global pointed at the latest Client's BaseURL, so no test here
// calls t.Parallel.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/hospital/wxbot/store"
	"github.com/hospital/wxbot/store/memstore"
	"github.com/hospital/wxbot/wxapi"
	"github.com/hospital/wxbot/wxapi/fakewx"
)

func newFake(t testing.TB) *fakewx.Server {
	t.Helper()
	f := fakewx.New()
	t.Cleanup(f.Close)
	return f
}

func newClient(t testing.TB, f *fakewx.Server, st store.Store, timeout time.Duration) *wxapi.Client {
	t.Helper()
	if st == nil {
		st = memstore.New()
	}
	c, err := wxapi.NewClient(wxapi.ClientConfig{
		AppID: "wx_test_app", AppSecret: "s3cret-value", Token: "dev-token",
		BaseURL: f.URL(), Timeout: timeout,
	}, st, zap.NewNop())
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return c
}

func asError(t *testing.T, err error) *wxapi.Error {
	t.Helper()
	var we *wxapi.Error
	if !errors.As(err, &we) {
		t.Fatalf("error %v (%T) is not *wxapi.Error", err, err)
	}
	return we
}

func TestNewClientRejectsBadConfig(t *testing.T) {
	st := memstore.New()
	cases := []wxapi.ClientConfig{
		{AppSecret: "x"},
		{AppID: "wx1"},
		{AppID: "wx1", AppSecret: "x", BaseURL: "ftp://example.com"},
		{AppID: "wx1", AppSecret: "x", BaseURL: "no-scheme"},
	}
	for _, cfg := range cases {
		if _, err := wxapi.NewClient(cfg, st, nil); err == nil {
			t.Errorf("NewClient(%+v) succeeded, want an error", cfg)
		}
	}
	if _, err := wxapi.NewClient(wxapi.ClientConfig{AppID: "wx1", AppSecret: "x"}, nil, nil); err == nil {
		t.Error("NewClient without a store succeeded, want an error")
	}
}

func TestClientCallsReachWeChatWithTheRightBody(t *testing.T) {
	f := newFake(t)
	c := newClient(t, f, nil, 0)
	ctx := context.Background()

	if err := c.SendText(ctx, "oPatient1", "您的投诉已受理，编号 TS-0001。"); err != nil {
		t.Fatalf("SendText: %v", err)
	}
	if got := f.TextsTo("oPatient1"); len(got) != 1 || got[0] != "您的投诉已受理，编号 TS-0001。" {
		t.Errorf("texts to oPatient1 = %q", got)
	}

	id, err := c.SendTemplate(ctx, wxapi.TemplateMessage{
		ToUser: "oPatient2", TemplateID: "TPL_NOTICE", URL: "https://example.org/n/1",
		Data: map[string]string{"first": "院务公开", "keyword1": "门诊时间调整"},
	})
	if err != nil {
		t.Fatalf("SendTemplate: %v", err)
	}
	if id == 0 {
		t.Error("SendTemplate returned msgid 0")
	}
	tpl := f.Sent(fakewx.KindTemplate)
	if len(tpl) != 1 {
		t.Fatalf("template messages = %d, want 1", len(tpl))
	}
	if tpl[0].ToUser != "oPatient2" || tpl[0].Body["template_id"] != "TPL_NOTICE" || tpl[0].Body["url"] != "https://example.org/n/1" {
		t.Errorf("template body = %s", tpl[0].Raw)
	}
	if d := tpl[0].Data(); d["first"] != "院务公开" || d["keyword1"] != "门诊时间调整" {
		t.Errorf("template data = %v", d)
	}

	err = c.SendSubscribe(ctx, wxapi.SubscribeMessage{
		ToUser: "oPatient3", TemplateID: "SUB_1", Page: "https://example.org/p",
		Data: map[string]string{"thing1": "停诊通知"},
	})
	if err != nil {
		t.Fatalf("SendSubscribe: %v", err)
	}
	sub := f.Sent(fakewx.KindSubscribe)
	if len(sub) != 1 || sub[0].ToUser != "oPatient3" || sub[0].Body["template_id"] != "SUB_1" ||
		sub[0].Body["page"] != "https://example.org/p" || sub[0].Data()["thing1"] != "停诊通知" {
		t.Errorf("subscribe calls = %+v", sub)
	}

	f.SetNickname("oPatient4", "张三")
	info, err := c.UserInfo(ctx, "oPatient4")
	if err != nil {
		t.Fatalf("UserInfo: %v", err)
	}
	if info.OpenID != "oPatient4" || !info.Subscribe || info.Nickname != "张三" || info.UnionID == "" {
		t.Errorf("UserInfo = %+v", info)
	}
	f.Unfollow("oGone")
	info, err = c.UserInfo(ctx, "oGone")
	if err != nil || info.Subscribe {
		t.Errorf("UserInfo(unfollowed) = %+v, %v; want Subscribe false", info, err)
	}

	menu := []byte(`{"button":[{"type":"click","name":"投诉","key":"COMPLAINT"}]}`)
	if err := c.CreateMenu(ctx, menu); err != nil {
		t.Fatalf("CreateMenu: %v", err)
	}
	if !bytes.Contains(f.Menu(), []byte(`"COMPLAINT"`)) {
		t.Errorf("menu on server = %s", f.Menu())
	}

	f.AddMedia("MEDIA_1", "image/jpeg", []byte("\xff\xd8jpegdata"))
	m, err := c.GetMedia(ctx, "MEDIA_1")
	if err != nil {
		t.Fatalf("GetMedia: %v", err)
	}
	if m.ContentType != "image/jpeg" || string(m.Data) != "\xff\xd8jpegdata" {
		t.Errorf("GetMedia = %q %q", m.ContentType, m.Data)
	}
	_, err = c.GetMedia(ctx, "MEDIA_UNKNOWN")
	if we := asError(t, err); we.Code != 40007 || we.API != wxapi.APIMediaGet {
		t.Errorf("GetMedia(unknown) = %v, want 40007", err)
	}

	if n := len(f.Calls(fakewx.APIStableToken)); n != 1 {
		t.Errorf("stable_token calls = %d, want 1 (token cached)", n)
	}
	if n := len(f.Calls(fakewx.APIToken)); n != 0 {
		t.Errorf("/cgi-bin/token calls = %d, want 0 (stable token only)", n)
	}
}

// calls runs each API method once; names match wxapi.API* constants.
var apiCalls = map[string]func(c wxapi.API) error{
	wxapi.APICustomSend: func(c wxapi.API) error { return c.SendText(context.Background(), "oUser", "你好") },
	wxapi.APITemplateSend: func(c wxapi.API) error {
		_, err := c.SendTemplate(context.Background(), wxapi.TemplateMessage{ToUser: "oUser", TemplateID: "T", Data: map[string]string{"first": "x"}})
		return err
	},
	wxapi.APISubscribeSend: func(c wxapi.API) error {
		return c.SendSubscribe(context.Background(), wxapi.SubscribeMessage{ToUser: "oUser", TemplateID: "S", Data: map[string]string{"thing1": "x"}})
	},
	wxapi.APIUserInfo: func(c wxapi.API) error {
		_, err := c.UserInfo(context.Background(), "oUser")
		return err
	},
	wxapi.APIMenuCreate: func(c wxapi.API) error {
		return c.CreateMenu(context.Background(), []byte(`{"button":[{"type":"click","name":"帮助","key":"HELP"}]}`))
	},
	wxapi.APIMediaGet: func(c wxapi.API) error {
		_, err := c.GetMedia(context.Background(), "M1")
		return err
	},
}

func TestInjectedErrorCodesComeBackTyped(t *testing.T) {
	f := newFake(t)
	f.AddMedia("M1", "audio/amr", []byte("amr"))
	c := newClient(t, f, nil, 0)
	codes := []int{-1, 40001, 42001, 43004, 43101, 45009, 45015, 45047, 48001}
	for api, run := range apiCalls {
		if err := run(c); err != nil {
			t.Fatalf("%s without injection: %v", api, err)
		}
		for _, code := range codes {
			t.Run(fmt.Sprintf("%s/%d", api, code), func(t *testing.T) {
				f.Reset()
				// Token errors are retried once: inject twice so the code comes back.
				times := 1
				if code == wxapi.CodeInvalidToken || code == wxapi.CodeExpiredToken {
					times = 2
				}
				f.Fail(api, code, times)
				err := run(c)
				we := asError(t, err)
				if we.Code != code || we.API != api {
					t.Errorf("got Code %d API %q (%v), want %d %q", we.Code, we.API, err, code, api)
				}
				if wxapi.Code(err) != code {
					t.Errorf("wxapi.Code = %d, want %d", wxapi.Code(err), code)
				}
				if got, want := wxapi.Temporary(err), code == -1; got != want {
					t.Errorf("Temporary = %v, want %v", got, want)
				}
				if !strings.Contains(err.Error(), fmt.Sprint(code)) {
					t.Errorf("error text %q lacks the code", err)
				}
				if err := run(c); err != nil {
					t.Errorf("call after the injected failures: %v", err)
				}
			})
		}
	}
}

func TestFailForOneUserOnly(t *testing.T) {
	f := newFake(t)
	c := newClient(t, f, nil, 0)
	f.FailFor(fakewx.APICustomSend, "oLeft", wxapi.CodeNotFollowing)
	ctx := context.Background()
	for i := 0; i < 2; i++ {
		if code := wxapi.Code(c.SendText(ctx, "oLeft", "通知")); code != wxapi.CodeNotFollowing {
			t.Errorf("send %d to oLeft: code %d, want 43004", i, code)
		}
	}
	if err := c.SendText(ctx, "oStays", "通知"); err != nil {
		t.Errorf("send to another user: %v", err)
	}
	f.Unfollow("oUnfollowed")
	if code := wxapi.Code(c.SendText(ctx, "oUnfollowed", "通知")); code != wxapi.CodeNotFollowing {
		t.Errorf("send to unfollowed user: code %d, want 43004", code)
	}
}

func TestRejectedTokenIsDroppedAndTheCallRetriedOnce(t *testing.T) {
	ctx := context.Background()
	t.Run("rotated", func(t *testing.T) {
		f := newFake(t)
		c := newClient(t, f, nil, 0)
		if err := c.SendText(ctx, "oA", "一"); err != nil {
			t.Fatal(err)
		}
		f.InvalidateTokens()
		if err := c.SendText(ctx, "oA", "二"); err != nil {
			t.Fatalf("send after token rotation: %v", err)
		}
		if got := f.TextsTo("oA"); len(got) != 2 {
			t.Errorf("delivered %q, want both", got)
		}
		if n := f.TokensIssued(); n != 2 {
			t.Errorf("tokens issued = %d, want 2", n)
		}
		sends := f.Calls(fakewx.APICustomSend)
		if len(sends) != 3 || sends[1].Code != wxapi.CodeInvalidToken {
			t.Errorf("custom.send calls = %d (second code %d), want 3 with a 40001 between", len(sends), sends[1].Code)
		}
	})
	t.Run("expired", func(t *testing.T) {
		f := newFake(t)
		c := newClient(t, f, nil, 0)
		if err := c.SendText(ctx, "oA", "一"); err != nil {
			t.Fatal(err)
		}
		f.ExpireTokens()
		if err := c.SendText(ctx, "oA", "二"); err != nil {
			t.Fatalf("send after token expiry: %v", err)
		}
		if n := f.TokensIssued(); n != 2 {
			t.Errorf("tokens issued = %d, want 2", n)
		}
	})
	t.Run("injected once", func(t *testing.T) {
		f := newFake(t)
		c := newClient(t, f, nil, 0)
		f.Fail(fakewx.APITemplateSend, wxapi.CodeInvalidToken, 1)
		if _, err := c.SendTemplate(ctx, wxapi.TemplateMessage{ToUser: "oA", TemplateID: "T"}); err != nil {
			t.Fatalf("SendTemplate after one 40001: %v", err)
		}
		if n := len(f.Calls(fakewx.APIStableToken)); n != 2 {
			t.Errorf("stable_token calls = %d, want 2 (cached token dropped)", n)
		}
	})
	t.Run("only once", func(t *testing.T) {
		f := newFake(t)
		c := newClient(t, f, nil, 0)
		f.Fail(fakewx.APICustomSend, wxapi.CodeInvalidToken, 10)
		err := c.SendText(ctx, "oA", "一")
		if wxapi.Code(err) != wxapi.CodeInvalidToken {
			t.Fatalf("err = %v, want 40001", err)
		}
		if n := len(f.Calls(fakewx.APICustomSend)); n != 2 {
			t.Errorf("custom.send attempts = %d, want 2 (one retry)", n)
		}
	})
}

func TestTokenFetchFailureIsTyped(t *testing.T) {
	f := newFake(t)
	c := newClient(t, f, nil, 0)
	f.Fail(fakewx.APIStableToken, -1, 1)
	err := c.SendText(context.Background(), "oA", "一")
	if we := asError(t, err); we.Code != -1 || we.API != wxapi.APICustomSend || !we.Temporary() {
		t.Errorf("err = %v, want a temporary -1 on custom.send", err)
	}
	if n := len(f.Calls(fakewx.APICustomSend)); n != 0 {
		t.Errorf("custom.send calls = %d, want 0 without a token", n)
	}
	if err := c.SendText(context.Background(), "oA", "二"); err != nil {
		t.Errorf("next send: %v", err)
	}
}

func TestSlowWeChatIsATemporaryTransportError(t *testing.T) {
	f := newFake(t)
	c := newClient(t, f, nil, 300*time.Millisecond)
	if err := c.SendText(context.Background(), "oA", "预热"); err != nil {
		t.Fatal(err)
	}
	f.SetLatency(fakewx.APICustomSend, 3*time.Second)
	err := c.SendText(context.Background(), "oA", "超时")
	we := asError(t, err)
	if we.Code != 0 || !we.Temporary() || !wxapi.Temporary(err) {
		t.Errorf("err = %v (code %d), want a temporary transport error", err, we.Code)
	}
	var ue *url.Error
	if !errors.As(err, &ue) || !ue.Timeout() {
		t.Errorf("err = %v, want a *url.Error timeout underneath", err)
	}
}

func TestCallerContextEndsTheCall(t *testing.T) {
	f := newFake(t)
	c := newClient(t, f, nil, time.Second)
	if err := c.SendText(context.Background(), "oA", "预热"); err != nil {
		t.Fatal(err)
	}
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	err := c.SendText(canceled, "oA", "不发")
	if !errors.Is(err, context.Canceled) || !wxapi.Temporary(err) {
		t.Errorf("canceled ctx: err = %v, want context.Canceled", err)
	}
	if n := len(f.Calls(fakewx.APICustomSend)); n != 1 {
		t.Errorf("custom.send calls = %d, want 1 (nothing sent with a canceled ctx)", n)
	}

	f.SetLatency(fakewx.APICustomSend, time.Second)
	ctx, cancel2 := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel2()
	err = c.SendText(ctx, "oA", "慢")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("deadline: err = %v, want context.DeadlineExceeded", err)
	}
	if wxapi.Code(err) != 0 {
		t.Errorf("deadline: code %d, want 0", wxapi.Code(err))
	}
}

func TestTwoInstancesSharingAStoreFetchTheTokenOnce(t *testing.T) {
	f := newFake(t)
	st := memstore.New()
	a := newClient(t, f, st, 0)
	b := newClient(t, f, st, 0)
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		if err := a.SendText(ctx, "oA", "甲"); err != nil {
			t.Fatal(err)
		}
		if err := b.SendText(ctx, "oB", "乙"); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(f.Calls(fakewx.APIStableToken)); n != 1 {
		t.Errorf("stable_token calls = %d, want 1", n)
	}
	if n := len(f.Calls(fakewx.APIToken)); n != 0 {
		t.Errorf("/cgi-bin/token calls = %d, want 0 (it would invalidate other instances' tokens)", n)
	}
}

func TestConcurrentFirstCallsFetchOneToken(t *testing.T) {
	f := newFake(t)
	c := newClient(t, f, nil, 0)
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- c.SendText(context.Background(), "oA", "并发")
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("SendText: %v", err)
		}
	}
	if n := len(f.Sent(fakewx.KindText)); n != 20 {
		t.Errorf("delivered %d texts, want 20", n)
	}
	if n := len(f.Calls(fakewx.APIStableToken)); n != 1 {
		t.Errorf("stable_token calls = %d, want 1", n)
	}
}

func TestNoAccessTokenInAnyError(t *testing.T) {
	f := newFake(t)
	f.AddMedia("M1", "image/png", []byte("png"))
	c := newClient(t, f, nil, 300*time.Millisecond)
	var errs []error
	for api, run := range apiCalls {
		if err := run(c); err != nil {
			t.Fatalf("%s: %v", api, err)
		}
		f.Fail(api, wxapi.CodeNotFollowing, 1)
		errs = append(errs, run(c))
		f.FailStatus(api, 502, 1)
		errs = append(errs, run(c))
		f.Fail(api, wxapi.CodeInvalidToken, 2)
		errs = append(errs, run(c))
		f.SetLatency(api, 2*time.Second)
		errs = append(errs, run(c))
		f.SetLatency(api, 0)
	}
	tokens := f.Tokens()
	if len(tokens) == 0 {
		t.Fatal("no token issued")
	}
	for _, err := range errs {
		if err == nil {
			t.Error("an injected failure returned no error")
			continue
		}
		for e := err; e != nil; e = errors.Unwrap(e) {
			text := e.Error() + fmt.Sprintf(" %+v", e)
			if strings.Contains(text, "s3cret-value") {
				t.Errorf("error %q contains the app secret", text)
			}
			for _, tok := range tokens {
				if strings.Contains(text, tok) {
					t.Errorf("error %q contains an access token", text)
				}
			}
		}
	}
}

func TestLocalChecksNeedNoCall(t *testing.T) {
	f := newFake(t)
	c := newClient(t, f, nil, 0)
	ctx := context.Background()
	if _, err := c.UserInfo(ctx, "o&lang=en"); wxapi.Code(err) != 40003 {
		t.Errorf("UserInfo(bad openid) = %v, want 40003", err)
	}
	if err := c.CreateMenu(ctx, []byte(`{"button":`)); wxapi.Code(err) != 47001 {
		t.Errorf("CreateMenu(bad json) = %v, want 47001", err)
	}
	if n := len(f.Calls("")); n != 0 {
		t.Errorf("calls made = %d, want 0", n)
	}
}

func BenchmarkSendText(b *testing.B) {
	f := newFake(b)
	c := newClient(b, f, nil, 0)
	ctx := context.Background()
	if err := c.SendText(ctx, "oBench", "预热"); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := c.SendText(ctx, "oBench", "您好，门诊时间为周一至周五 8:00-17:00。"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSendTextParallel(b *testing.B) {
	f := newFake(b)
	c := newClient(b, f, nil, 0)
	ctx := context.Background()
	if err := c.SendText(ctx, "oBench", "预热"); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := c.SendText(ctx, "oBench", "您好，门诊时间为周一至周五 8:00-17:00。"); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
