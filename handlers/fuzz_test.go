package handlers

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/hospital/wxbot/clock"
	"github.com/hospital/wxbot/store/memstore"
	"github.com/hospital/wxbot/wxsim"
)

// FuzzWebhook feeds arbitrary bodies, correctly signed, to the webhook in
// plaintext and in safe mode (arbitrary plaintext inside a valid encryption,
// and an arbitrary Encrypt field). Whatever arrives, the webhook must answer
// one of its documented statuses and never panic.
func FuzzWebhook(f *testing.F) {
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	for _, s := range [][]byte{
		wxsim.Text("gh", "u", "血常规多少钱", 1, now),
		wxsim.Voice("gh", "u", "m", "", 2, now),
		wxsim.Image("gh", "u", "m", 3, now),
		wxsim.Event("gh", "u", "subscribe", "qrscene_x", now),
		wxsim.Event("gh", "u", "CLICK", "COMPLAINT", now),
		[]byte("<xml><ToUserName>gh</ToUserName><FromUserName>u</FromUserName><MsgType>text</MsgType></xml>"),
		[]byte("<xml><Encrypt><![CDATA[AAAA]]></Encrypt></xml>"),
		[]byte("<xml>"), []byte(""), []byte("<!DOCTYPE x [<!ENTITY a 'b'>]><xml>&a;</xml>"),
	} {
		f.Add(s, uint8(0))
		f.Add(s, uint8(1))
		f.Add(s, uint8(2))
	}
	clk := clock.NewFake(now)
	b := &recBot{}
	api := newRecAPI()
	api.got = make(chan struct{}, 1<<20)
	plain := NewWebhook(WebhookConfig{Token: "tok", AppID: "wxapp", MaxClockSkew: time.Minute, ReplyBudget: time.Second},
		b, memstore.New(), api, clk, zap.NewNop(), nil)
	safe := NewWebhook(WebhookConfig{Token: "tok", AppID: "wxapp", EncodingAESKey: testKey, MaxClockSkew: time.Minute, ReplyBudget: time.Second},
		b, memstore.New(), api, clk, zap.NewNop(), nil)
	ok := map[int]bool{200: true, 400: true, 401: true, 413: true}
	f.Fuzz(func(t *testing.T, body []byte, mode uint8) {
		ts := strconv.FormatInt(now.Unix(), 10)
		q := url.Values{"timestamp": {ts}, "nonce": {"42"}, "signature": {wxsim.Signature("tok", ts, "42")}}
		h := plain
		switch mode % 3 {
		case 1: // arbitrary plaintext inside a valid encryption
			enc, err := wxsim.Encrypt(testKey, "wxapp", body)
			if err != nil {
				t.Fatal(err)
			}
			body = []byte("<xml><Encrypt><![CDATA[" + enc + "]]></Encrypt></xml>")
			q.Set("encrypt_type", "aes")
			q.Set("msg_signature", wxsim.Signature("tok", ts, "42", enc))
			h = safe
		case 2: // an arbitrary envelope, signed over whatever Encrypt it may carry
			enc := ""
			if i := strings.Index(string(body), "<Encrypt>"); i >= 0 {
				enc = string(body[i+len("<Encrypt>"):])
				if j := strings.Index(enc, "</Encrypt>"); j >= 0 {
					enc = enc[:j]
				}
			}
			q.Set("encrypt_type", "aes")
			q.Set("msg_signature", wxsim.Signature("tok", ts, "42", enc))
			h = safe
		}
		req, _ := http.NewRequest(http.MethodPost, "/wechat?"+q.Encode(), strings.NewReader(string(body)))
		w := newBuffer()
		h.ServeHTTP(w, req)
		if !ok[w.status] {
			t.Fatalf("status %d for body %q", w.status, body)
		}
	})
}
