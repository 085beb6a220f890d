package fakewx_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/hospital/wxbot/wxapi/fakewx"
)

type answer struct {
	ErrCode     int    `json:"errcode"`
	ErrMsg      string `json:"errmsg"`
	AccessToken string `json:"access_token"`
	ExpiresIn   int    `json:"expires_in"`
	MsgID       int64  `json:"msgid"`
	Subscribe   int    `json:"subscribe"`
	Nickname    string `json:"nickname"`
}

func post(t testing.TB, url string, body any) answer {
	t.Helper()
	b, _ := json.Marshal(body)
	resp, err := http.Post(url, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var a answer
	if err := json.NewDecoder(resp.Body).Decode(&a); err != nil {
		t.Fatalf("decode %s: %v", url, err)
	}
	return a
}

func get(t testing.TB, url string) (answer, *http.Response, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var a answer
	_ = json.Unmarshal(raw, &a)
	return a, resp, raw
}

func stableToken(t testing.TB, s *fakewx.Server, force bool) string {
	t.Helper()
	a := post(t, s.URL()+"/cgi-bin/stable_token", map[string]any{
		"grant_type": "client_credential", "appid": "wx1", "secret": "sec", "force_refresh": force})
	if a.ErrCode != 0 || a.AccessToken == "" || a.ExpiresIn != 7200 {
		t.Fatalf("stable_token = %+v", a)
	}
	return a.AccessToken
}

func text(to, content string) map[string]any {
	return map[string]any{"touser": to, "msgtype": "text", "text": map[string]any{"content": content}}
}

func TestTokensAreIssuedAndChecked(t *testing.T) {
	s := fakewx.New()
	defer s.Close()
	send := s.URL() + "/cgi-bin/message/custom/send?access_token="

	tok := stableToken(t, s, false)
	if again := stableToken(t, s, false); again != tok {
		t.Error("stable_token without force_refresh changed the token")
	}
	if a := post(t, send+tok, text("oA", "你好")); a.ErrCode != 0 {
		t.Fatalf("send with a good token: %+v", a)
	}
	if a := post(t, send, text("oA", "你好")); a.ErrCode != fakewx.CodeMissingToken {
		t.Errorf("no token: errcode %d, want 41001", a.ErrCode)
	}
	if a := post(t, send+"made-up", text("oA", "你好")); a.ErrCode != fakewx.CodeInvalidToken {
		t.Errorf("unknown token: errcode %d, want 40001", a.ErrCode)
	}

	forced := stableToken(t, s, true)
	if forced == tok {
		t.Error("force_refresh returned the same token")
	}

	s.ExpireTokens()
	if a := post(t, send+forced, text("oA", "你好")); a.ErrCode != fakewx.CodeExpiredToken {
		t.Errorf("expired token: errcode %d, want 42001", a.ErrCode)
	}
	fresh := stableToken(t, s, false)
	s.InvalidateTokens()
	if a := post(t, send+fresh, text("oA", "你好")); a.ErrCode != fakewx.CodeInvalidToken {
		t.Errorf("invalidated token: errcode %d, want 40001", a.ErrCode)
	}

	// /cgi-bin/token: each fetch replaces the previous token.
	a1, _, _ := get(t, s.URL()+"/cgi-bin/token?grant_type=client_credential&appid=wx1&secret=sec")
	a2, _, _ := get(t, s.URL()+"/cgi-bin/token?grant_type=client_credential&appid=wx1&secret=sec")
	if a1.AccessToken == "" || a2.AccessToken == a1.AccessToken {
		t.Fatalf("token answers %+v %+v", a1, a2)
	}
	if a := post(t, send+a1.AccessToken, text("oA", "x")); a.ErrCode != fakewx.CodeInvalidToken {
		t.Errorf("replaced /cgi-bin/token token: errcode %d, want 40001", a.ErrCode)
	}
	if a := post(t, send+a2.AccessToken, text("oA", "x")); a.ErrCode != 0 {
		t.Errorf("latest /cgi-bin/token token: errcode %d", a.ErrCode)
	}
	for _, c := range s.Calls(fakewx.APIToken) {
		if c.Query.Get("secret") != "" {
			t.Error("the recorded token call keeps the secret")
		}
	}
	if n := s.TokensIssued(); n != 5 {
		t.Errorf("TokensIssued = %d, want 5", n)
	}
}

func TestCallsAreRecordedAndFailuresInjected(t *testing.T) {
	s := fakewx.New()
	defer s.Close()
	tok := stableToken(t, s, false)
	send := s.URL() + "/cgi-bin/message/custom/send?access_token=" + tok
	tpl := s.URL() + "/cgi-bin/message/template/send?access_token=" + tok

	s.Fail(fakewx.APICustomSend, fakewx.CodeBusy, 2)
	s.FailFor(fakewx.APICustomSend, "oBlocked", fakewx.CodeRefused)
	codes := []int{
		post(t, send, text("oA", "1")).ErrCode,
		post(t, send, text("oA", "2")).ErrCode,
		post(t, send, text("oA", "3")).ErrCode,
		post(t, send, text("oBlocked", "4")).ErrCode,
		post(t, send, text("oBlocked", "5")).ErrCode,
	}
	want := []int{-1, -1, 0, fakewx.CodeRefused, fakewx.CodeRefused}
	for i := range want {
		if codes[i] != want[i] {
			t.Errorf("call %d: errcode %d, want %d", i, codes[i], want[i])
		}
	}
	if got := s.TextsTo("oA"); len(got) != 1 || got[0] != "3" {
		t.Errorf("accepted texts to oA = %q, want [3]", got)
	}
	calls := s.Calls(fakewx.APICustomSend)
	if len(calls) != 5 || calls[0].Code != -1 || calls[3].ToUser != "oBlocked" || calls[2].Text() != "3" {
		t.Errorf("recorded calls = %+v", calls)
	}
	if calls[0].Query.Get("access_token") != "" {
		t.Error("recorded query keeps the access token")
	}

	a := post(t, tpl, map[string]any{"touser": "oA", "template_id": "T1", "data": map[string]any{"first": map[string]any{"value": "v"}}})
	b := post(t, tpl, map[string]any{"touser": "oA", "template_id": "T1", "data": map[string]any{}})
	if a.ErrCode != 0 || a.MsgID == 0 || b.MsgID == a.MsgID {
		t.Errorf("template answers %+v %+v: want distinct msgids", a, b)
	}
	if c := post(t, tpl, map[string]any{"touser": "oA"}); c.ErrCode != fakewx.CodeInvalidTplID {
		t.Errorf("template without template_id: %+v", c)
	}
	if sent := s.Sent(fakewx.KindTemplate); len(sent) != 2 || sent[0].Data()["first"] != "v" {
		t.Errorf("Sent(template) = %+v", sent)
	}

	s.FailStatus(fakewx.APITemplateSend, http.StatusBadGateway, 1)
	resp, err := http.Post(tpl, "application/json", strings.NewReader(`{"touser":"oA","template_id":"T"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadGateway {
		t.Errorf("FailStatus: status %d, want 502", resp.StatusCode)
	}

	s.Reset()
	if n := len(s.Calls("")); n != 0 {
		t.Errorf("calls after Reset = %d", n)
	}
	if a := post(t, send, text("oBlocked", "6")); a.ErrCode != 0 {
		t.Errorf("after Reset the FailFor rule still applies: %+v", a)
	}
}

func TestUserMenuAndMedia(t *testing.T) {
	s := fakewx.New()
	defer s.Close()
	tok := stableToken(t, s, false)
	base := s.URL() + "/cgi-bin/"

	s.SetNickname("oA", "李四")
	if a, _, _ := get(t, base+"user/info?access_token="+tok+"&openid=oA&lang=zh_CN"); a.Subscribe != 1 || a.Nickname != "李四" {
		t.Errorf("user.info = %+v", a)
	}
	s.Unfollow("oA")
	if a, _, _ := get(t, base+"user/info?access_token="+tok+"&openid=oA"); a.ErrCode != 0 || a.Subscribe != 0 {
		t.Errorf("user.info unfollowed = %+v", a)
	}
	if a := post(t, base+"message/custom/send?access_token="+tok, text("oA", "x")); a.ErrCode != fakewx.CodeNotFollowing {
		t.Errorf("send to unfollowed: %+v, want 43004", a)
	}
	s.Follow("oA")
	if a := post(t, base+"message/custom/send?access_token="+tok, text("oA", "x")); a.ErrCode != 0 {
		t.Errorf("send after Follow: %+v", a)
	}

	if a := post(t, base+"menu/create?access_token="+tok, map[string]any{"button": []any{map[string]any{"name": "帮助"}}}); a.ErrCode != 0 {
		t.Errorf("menu.create: %+v", a)
	}
	if !strings.Contains(string(s.Menu()), "帮助") {
		t.Errorf("Menu() = %s", s.Menu())
	}
	if a := post(t, base+"menu/create?access_token="+tok, map[string]any{"button": []any{}}); a.ErrCode != fakewx.CodeNoButton {
		t.Errorf("empty menu: %+v, want 40016", a)
	}

	s.AddMedia("IMG1", "image/png", []byte("\x89PNG"))
	_, resp, raw := get(t, base+"media/get?access_token="+tok+"&media_id=IMG1")
	if resp.Header.Get("Content-Type") != "image/png" || string(raw) != "\x89PNG" {
		t.Errorf("media.get = %s %q", resp.Header.Get("Content-Type"), raw)
	}
	if a, _, _ := get(t, base+"media/get?access_token="+tok+"&media_id=NOPE"); a.ErrCode != fakewx.CodeInvalidMedia {
		t.Errorf("unknown media: %+v, want 40007", a)
	}
}

func TestFailRateIsRepeatable(t *testing.T) {
	run := func() []int {
		s := fakewx.New()
		defer s.Close()
		tok := stableToken(t, s, false)
		s.FailRate(fakewx.APICustomSend, fakewx.CodeBusy, 0.2, 42)
		var codes []int
		for i := 0; i < 200; i++ {
			codes = append(codes, post(t, s.URL()+"/cgi-bin/message/custom/send?access_token="+tok, text("oA", "x")).ErrCode)
		}
		return codes
	}
	a, b := run(), run()
	failed := 0
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("call %d: %d then %d with the same seed", i, a[i], b[i])
		}
		if a[i] == fakewx.CodeBusy {
			failed++
		}
	}
	if failed < 20 || failed > 60 {
		t.Errorf("%d of 200 calls failed at rate 0.2", failed)
	}
}

func TestConcurrentCallsAreAllRecorded(t *testing.T) {
	s := fakewx.New()
	defer s.Close()
	tok := stableToken(t, s, false)
	url := s.URL() + "/cgi-bin/message/custom/send?access_token=" + tok
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				if a := post(t, url, text("oA", "x")); a.ErrCode != 0 {
					t.Errorf("errcode %d", a.ErrCode)
					return
				}
				_ = s.Calls(fakewx.APICustomSend)
			}
		}()
	}
	wg.Wait()
	if n := len(s.Sent(fakewx.KindText)); n != 400 {
		t.Errorf("recorded %d texts, want 400", n)
	}
}

func BenchmarkCustomSend(b *testing.B) {
	s := fakewx.New()
	defer s.Close()
	tok := stableToken(b, s, false)
	url := s.URL() + "/cgi-bin/message/custom/send?access_token=" + tok
	body, _ := json.Marshal(text("oBench", "您好"))
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, err := client.Post(url, "application/json", bytes.NewReader(body))
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	})
}
