package wxapi

import (
	"errors"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/silenceper/wechat/v2/util"
)

// Names of the WeChat APIs, used in Error.API, in metric labels and by the fake
// server (wxapi/fakewx uses the same strings).
const (
	APICustomSend    = "custom.send"       // POST /cgi-bin/message/custom/send
	APITemplateSend  = "template.send"     // POST /cgi-bin/message/template/send
	APISubscribeSend = "subscribe.bizsend" // POST /cgi-bin/message/subscribe/bizsend
	APIUserInfo      = "user.info"         // GET /cgi-bin/user/info
	APIMenuCreate    = "menu.create"       // POST /cgi-bin/menu/create
	APIMediaGet      = "media.get"         // GET /cgi-bin/media/get
)

var (
	// secretRE finds credentials the SDK puts into URLs (and so into its error strings).
	secretRE = regexp.MustCompile(`(access_token|secret)=[^&\s"',;]*`)
	// errcodeRE finds the errcode in the SDK's string errors ("errcode=43004 , errmsg=...").
	errcodeRE = regexp.MustCompile(`errcode\s*[=:]\s*(-?\d+)`)
	// errmsgRE finds the errmsg that follows it ("errmsg=" or the token API's "errormsg=").
	errmsgRE = regexp.MustCompile(`(?:errmsg|errormsg)\s*[=:]\s*(.*)$`)
)

// redact replaces every access_token or secret value in s.
func redact(s string) string {
	if !strings.Contains(s, "access_token=") && !strings.Contains(s, "secret=") {
		return s
	}
	return secretRE.ReplaceAllString(s, "$1=REDACTED")
}

// sanitize returns err with every credential removed from its text while keeping
// what callers test for (timeouts through *url.Error, the cause chain).
func sanitize(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return &url.Error{Op: ue.Op, URL: redact(ue.URL), Err: sanitizeLeaf(ue.Err)}
	}
	return sanitizeLeaf(err)
}

func sanitizeLeaf(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if r := redact(msg); r != msg {
		return errors.New(r)
	}
	return err
}

// normalize turns any error out of the SDK into *Error with the API name and
// WeChat's errcode (0 for a transport failure). It returns nil for nil.
func normalize(api string, err error) *Error {
	if err == nil {
		return nil
	}
	var we *Error
	if errors.As(err, &we) {
		return we
	}
	var ce *util.CommonError
	if errors.As(err, &ce) && ce.ErrCode != 0 {
		return &Error{API: api, Code: int(ce.ErrCode), Message: redact(ce.ErrMsg)}
	}
	msg := err.Error()
	if m := errcodeRE.FindStringSubmatch(msg); m != nil {
		code, convErr := strconv.Atoi(m[1])
		if convErr == nil && code != 0 {
			text := ""
			if mm := errmsgRE.FindStringSubmatch(msg); mm != nil {
				text = strings.TrimSpace(mm[1])
			}
			if strings.Contains(msg, "access_token") {
				text = "get access token: " + text
			}
			return &Error{API: api, Code: code, Message: redact(text)}
		}
	}
	clean := sanitize(err)
	return &Error{API: api, Code: 0, Message: clean.Error(), Err: clean}
}

// isTokenError reports whether WeChat rejected the access token itself.
func isTokenError(err *Error) bool {
	return err != nil && (err.Code == CodeInvalidToken || err.Code == CodeExpiredToken)
}
