package app

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/hospital/wxbot/chat"
	"github.com/hospital/wxbot/wxsim"
)

// The terminal client talks to the real handler and shows pushed messages.
func TestChatClientAgainstTheDemo(t *testing.T) {
	for _, safe := range []bool{false, true} {
		cfg := demoConfig(t)
		acct := wxsim.Account{Token: "dev-token", OriginalID: "gh_demo"}
		if safe {
			cfg.WeChat.AppID = "wxdemo"
			cfg.WeChat.EncodingAESKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
			cfg.WeChat.Outbox = true
			acct.AppID, acct.EncodingAESKey, acct.Mode = "wxdemo", cfg.WeChat.EncodingAESKey, wxsim.Safe
		}
		_, srv := newApp(t, cfg, nil, nil)
		var out bytes.Buffer
		in := strings.NewReader("你好\n/click HELP\n人工\n/bogus\n/quit\n")
		err := chat.Run(context.Background(), chat.Options{URL: srv.URL + "/wechat", User: "console-1", Account: acct, In: in, Out: &out})
		if err != nil {
			t.Fatal(err)
		}
		s := out.String()
		for _, want := range []string{"投诉", "[转接人工客服]", "[推送 text", "工作人员", "unknown command /bogus"} {
			if !strings.Contains(s, want) {
				t.Errorf("safe=%v: chat output lacks %q:\n%s", safe, want, s)
			}
		}
	}
}
