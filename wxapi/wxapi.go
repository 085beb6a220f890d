// Package wxapi holds every outbound call to WeChat behind one interface, so the
// service can talk to the real API, to a local fake in tests, or to an outbox in
// demo mode.
package wxapi

import (
	"context"
	"errors"
	"fmt"
)

// WeChat error codes the service reacts to.
const (
	CodeBusy              = -1
	CodeInvalidToken      = 40001
	CodeExpiredToken      = 42001
	CodeNotFollowing      = 43004
	CodeRefused           = 43101
	CodeDailyQuota        = 45009
	CodeOutsideWindow     = 45015
	CodeOverCSCount       = 45047
	CodeUnauthorizedScope = 48001
)

// Error is the one error type for every failed WeChat call: it carries the API
// name and WeChat's errcode. Transport failures (timeouts, refused connections)
// use Code CodeBusy semantics through Temporary.
type Error struct {
	API     string // e.g. "custom.send", "template.send"
	Code    int    // WeChat errcode; 0 for a transport failure
	Message string // WeChat errmsg or the transport error text (never a token)
	Err     error  // the underlying transport error, if any
}

func (e *Error) Error() string {
	if e.Code == 0 {
		return fmt.Sprintf("wechat %s: %s", e.API, e.Message)
	}
	return fmt.Sprintf("wechat %s: errcode=%d %s", e.API, e.Code, e.Message)
}

// Unwrap returns the transport error.
func (e *Error) Unwrap() error { return e.Err }

// Temporary reports whether retrying the same call later may succeed
// (WeChat busy, a transport failure or timeout).
func (e *Error) Temporary() bool { return e.Code == CodeBusy || e.Code == 0 }

// Code returns the WeChat errcode carried by err, or 0 when err is not an *Error
// or is a transport failure.
func Code(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return 0
}

// Temporary reports whether err is worth retrying (see Error.Temporary). A
// non-*Error error (a context deadline, say) counts as temporary.
func Temporary(err error) bool {
	if err == nil {
		return false
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Temporary()
	}
	return true
}

// TemplateMessage is a template message to one user.
type TemplateMessage struct {
	ToUser     string
	TemplateID string
	URL        string
	Data       map[string]string // field name -> value
}

// SubscribeMessage is a subscribe (bizsend) message to one user.
type SubscribeMessage struct {
	ToUser     string
	TemplateID string
	Page       string
	Data       map[string]string
}

// UserInfo is what WeChat tells about a follower.
type UserInfo struct {
	OpenID    string
	Subscribe bool
	Nickname  string
	UnionID   string
}

// Media is a downloaded temporary media file.
type Media struct {
	ContentType string
	Data        []byte
}

// API is every outbound WeChat call the service makes. Implementations: the real
// client (NewClient), the demo Outbox, and fakes in tests.
type API interface {
	// SendText sends a customer-service text message (48-hour window after the
	// user's last message; 45015 outside it, 45047 over the count).
	SendText(ctx context.Context, openID, text string) error
	// SendTemplate sends a template message and returns WeChat's msgid.
	SendTemplate(ctx context.Context, msg TemplateMessage) (int64, error)
	// SendSubscribe sends a subscribe (bizsend) message.
	SendSubscribe(ctx context.Context, msg SubscribeMessage) error
	// UserInfo fetches a follower's info.
	UserInfo(ctx context.Context, openID string) (UserInfo, error)
	// CreateMenu sets the custom menu from its JSON definition (WeChat's format:
	// {"button":[...]}).
	CreateMenu(ctx context.Context, menuJSON []byte) error
	// GetMedia downloads a temporary media file (images, voice) by media id.
	GetMedia(ctx context.Context, mediaID string) (Media, error)
}
