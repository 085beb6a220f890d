package main

import (
	"bytes"
	"context"
	"encoding/xml"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hospital/wxbot/wxsim"
)

// Every request the generator hands out carries its own MsgId, also past the
// pre-built pool, and is signed (and encrypted) so a webhook accepts it; each
// patient says the texts in turn.
func TestGeneratorGivesUniqueSignedMessages(t *testing.T) {
	texts := []string{"血常规多少钱", "住院流程", "儿科周六有门诊吗"}
	for _, mode := range []wxsim.Mode{wxsim.Plain, wxsim.Safe} {
		acct := benchAccount(mode)
		g, err := newGenerator(acct, "http://127.0.0.1/wechat", texts, 7, 50, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		seen := map[int64]bool{}
		for i := 0; i < 200; i++ {
			r, err := g.get()
			if err != nil {
				t.Fatal(err)
			}
			u, err := url.Parse(r.url)
			if err != nil {
				t.Fatal(err)
			}
			q := u.Query()
			if wxsim.Signature(acct.Token, q.Get("timestamp"), q.Get("nonce")) != q.Get("signature") {
				t.Fatalf("mode %d request %d: signature does not verify", mode, i)
			}
			plain := r.body
			if mode == wxsim.Safe {
				var env struct{ Encrypt string }
				if err := xml.Unmarshal(r.body, &env); err != nil {
					t.Fatal(err)
				}
				if wxsim.Signature(acct.Token, q.Get("timestamp"), q.Get("nonce"), env.Encrypt) != q.Get("msg_signature") {
					t.Fatalf("request %d: msg_signature does not verify", i)
				}
				var appID string
				if plain, appID, err = wxsim.Decrypt(acct.EncodingAESKey, env.Encrypt); err != nil || appID != acct.AppID {
					t.Fatalf("request %d: decrypt: %v, AppID %q", i, err, appID)
				}
			}
			var m struct {
				FromUserName, Content string
				MsgID                 int64 `xml:"MsgId"`
			}
			if err := xml.Unmarshal(plain, &m); err != nil {
				t.Fatalf("request %d: %v in %s", i, err, plain)
			}
			if seen[m.MsgID] {
				t.Fatalf("mode %d request %d: MsgId %d repeated", mode, i, m.MsgID)
			}
			seen[m.MsgID] = true
			if want := texts[(i/7)%3]; m.Content != want || m.FromUserName != openID(i%7) || m.FromUserName != q.Get("openid") {
				t.Fatalf("request %d: content %q from %q, openid %q; want %q from %q", i, m.Content, m.FromUserName, q.Get("openid"), want, openID(i%7))
			}
		}
		if mode == wxsim.Safe && g.onTheFly.Load() != 150 {
			t.Errorf("safe mode: %d requests built on the fly, want 150", g.onTheFly.Load())
		}
	}
}

// A run against the bare SDK echo server answers every message with its text.
func TestLoadAgainstEchoServer(t *testing.T) {
	for _, mode := range []string{"plain", "safe"} {
		acct := benchAccount(map[string]wxsim.Mode{"plain": wxsim.Plain, "safe": wxsim.Safe}[mode])
		o := options{token: acct.Token, appID: acct.AppID, aesKey: acct.EncodingAESKey, originalID: acct.OriginalID,
			mode: mode, conns: 4, requests: 300, text: "血常规多少钱", users: 10, rateHint: 100, verify: 1, timeout: 5 * time.Second}
		srv := httptest.NewServer(echoHandler(o))
		o.url = srv.URL + "/wechat"
		var out bytes.Buffer
		err := runLoad(context.Background(), o, &out)
		srv.Close()
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"requests   300 in", "(300 answered 200, 0 errors)", "100.0% real answers (300)", "300 parsed in full", "sample     血常规多少钱", "errors     none"} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("%s mode: report lacks %q:\n%s", mode, want, out.String())
			}
		}
	}
}

// Refused requests are reported by status, not counted as answers.
func TestLoadReportsRefusals(t *testing.T) {
	acct := benchAccount(wxsim.Plain)
	srv := httptest.NewServer(echoHandler(options{token: "another-token"}))
	defer srv.Close()
	o := options{url: srv.URL + "/wechat", token: acct.Token, originalID: acct.OriginalID, mode: "plain",
		conns: 2, requests: 40, text: "你好", users: 3, verify: 1, timeout: 5 * time.Second}
	var out bytes.Buffer
	if err := runLoad(context.Background(), o, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "(0 answered 200, 40 errors)") || !strings.Contains(out.String(), "HTTP 400") {
		t.Errorf("report:\n%s", out.String())
	}
}
