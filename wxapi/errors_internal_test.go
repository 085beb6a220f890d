package wxapi

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/silenceper/wechat/v2/util"
)

func TestNormalizeSDKErrors(t *testing.T) {
	cases := []struct {
		name     string
		err      error
		code     int
		contains string
	}{
		{"customer string", fmt.Errorf("customer msg send error : errcode=%v , errmsg=%v", 43004, "require subscribe"), 43004, "require subscribe"},
		{"template string", fmt.Errorf("template msg send error : errcode=%v , errmsg=%v", 45009, "reach max api daily quota limit"), 45009, "daily quota"},
		{"user string", fmt.Errorf("GetUserInfo Error , errcode=%d , errmsg=%s", -1, "system error"), -1, "system error"},
		{"common error", util.NewCommonError("SendSubscribeMessage", 43101, "user refuse to accept the msg"), 43101, "refuse"},
		{"token", fmt.Errorf("get stable access_token error : errcode=%v , errormsg=%v", 40013, "invalid appid"), 40013, "access token: invalid appid"},
		{"http status", errors.New("http post error : uri=https://api.weixin.qq.com/cgi-bin/message/custom/send?access_token=TOKEN123 , statusCode=502"), 0, "statusCode=502"},
		{"transport", &url.Error{Op: "Post", URL: "https://api.weixin.qq.com/x?access_token=TOKEN123&a=b", Err: errors.New("connection refused")}, 0, "access_token=REDACTED&a=b"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := normalize("custom.send", c.err)
			if e == nil || e.Code != c.code || e.API != "custom.send" {
				t.Fatalf("normalize = %#v, want code %d", e, c.code)
			}
			if !strings.Contains(e.Error(), c.contains) {
				t.Errorf("error %q lacks %q", e.Error(), c.contains)
			}
			for x := error(e); x != nil; x = errors.Unwrap(x) {
				if strings.Contains(x.Error(), "TOKEN123") {
					t.Errorf("error chain leaks the token: %q", x.Error())
				}
			}
		})
	}
	if normalize("x", nil) != nil {
		t.Error("normalize(nil) != nil")
	}
	orig := &Error{API: "template.send", Code: 45015}
	if got := normalize("custom.send", fmt.Errorf("wrapped: %w", orig)); got != orig {
		t.Errorf("normalize re-wrapped an *Error: %#v", got)
	}
}

func TestRedactSecret(t *testing.T) {
	got := redact("GET https://x/cgi-bin/token?grant_type=client_credential&appid=wx1&secret=abc123 failed")
	if strings.Contains(got, "abc123") || !strings.Contains(got, "appid=wx1") {
		t.Errorf("redact = %q", got)
	}
}
