package wxapi

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/hospital/wxbot/clock"
	"github.com/hospital/wxbot/store"
)

// Kinds of OutboxMessage.
const (
	KindText      = "text"
	KindTemplate  = "template"
	KindSubscribe = "subscribe"
)

const (
	outboxAllKey   = "outbox:all"
	outboxMenuKey  = "outbox:menu"
	outboxMsgIDKey = "outbox:msgid"
	// OutboxAllCap is how many messages the global outbox list keeps.
	OutboxAllCap = 1000
)

// OutboxKey is the store list holding the messages sent to openID.
func OutboxKey(openID string) string { return "outbox:" + openID }

// OutboxMessage is one message the demo service "sent" to a user.
type OutboxMessage struct {
	Kind       string            `json:"kind"` // KindText, KindTemplate or KindSubscribe
	ToUser     string            `json:"to_user"`
	Text       string            `json:"text"` // the text, or a readable rendering of a template/subscribe message
	TemplateID string            `json:"template_id,omitempty"`
	URL        string            `json:"url,omitempty"` // template URL or subscribe page
	Data       map[string]string `json:"data,omitempty"`
	At         time.Time         `json:"at"`
}

// Outbox is the API used in demo mode: nothing reaches WeChat; every message is
// appended to the store, where the terminal chat client reads it (Messages). It
// is safe for concurrent use.
type Outbox struct {
	st    store.Store
	clock clock.Clock
}

var _ API = (*Outbox)(nil)

// NewOutbox returns an Outbox writing to st, stamping messages with clk.
func NewOutbox(st store.Store, clk clock.Clock) *Outbox {
	if clk == nil {
		clk = clock.System{}
	}
	return &Outbox{st: st, clock: clk}
}

// Messages returns the messages sent to openID from index since on (0 = all);
// a client remembers since += len(result) to show only new ones. An empty openID
// reads the global list of the last OutboxAllCap messages (its indexes shift as
// it is trimmed).
func (o *Outbox) Messages(ctx context.Context, openID string, since int) ([]OutboxMessage, error) {
	if since < 0 {
		since = 0
	}
	key := outboxAllKey
	if openID != "" {
		key = OutboxKey(openID)
	}
	items, err := o.st.LRange(ctx, key, int64(since), -1)
	if err != nil {
		return nil, fmt.Errorf("read outbox: %w", err)
	}
	out := make([]OutboxMessage, 0, len(items))
	for i, b := range items {
		var m OutboxMessage
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("read outbox item %d: %w", since+i, err)
		}
		out = append(out, m)
	}
	return out, nil
}

func (o *Outbox) append(ctx context.Context, api string, m OutboxMessage) error {
	m.At = o.clock.Now()
	b, err := json.Marshal(m)
	if err != nil {
		return &Error{API: api, Message: "encode outbox message: " + err.Error(), Err: err}
	}
	if _, err := o.st.RPush(ctx, OutboxKey(m.ToUser), b); err != nil {
		return &Error{API: api, Message: "outbox: " + err.Error(), Err: err}
	}
	n, err := o.st.RPush(ctx, outboxAllKey, b)
	if err != nil {
		return &Error{API: api, Message: "outbox: " + err.Error(), Err: err}
	}
	if n > OutboxAllCap {
		if err := o.st.LTrim(ctx, outboxAllKey, -OutboxAllCap, -1); err != nil {
			return &Error{API: api, Message: "outbox trim: " + err.Error(), Err: err}
		}
	}
	return nil
}

// SendText records a customer-service text message.
func (o *Outbox) SendText(ctx context.Context, openID, text string) error {
	if openID == "" {
		return &Error{API: APICustomSend, Code: 40003, Message: "invalid openid"}
	}
	return o.append(ctx, APICustomSend, OutboxMessage{Kind: KindText, ToUser: openID, Text: text})
}

// SendTemplate records a template message and returns a made-up msgid.
func (o *Outbox) SendTemplate(ctx context.Context, msg TemplateMessage) (int64, error) {
	if msg.ToUser == "" {
		return 0, &Error{API: APITemplateSend, Code: 40003, Message: "invalid openid"}
	}
	id, err := o.st.Incr(ctx, outboxMsgIDKey, 1)
	if err != nil {
		return 0, &Error{API: APITemplateSend, Message: "outbox: " + err.Error(), Err: err}
	}
	err = o.append(ctx, APITemplateSend, OutboxMessage{
		Kind: KindTemplate, ToUser: msg.ToUser, TemplateID: msg.TemplateID, URL: msg.URL, Data: msg.Data,
		Text: RenderData("【模板消息】", msg.Data, msg.URL),
	})
	if err != nil {
		return 0, err
	}
	return id, nil
}

// SendSubscribe records a subscribe message.
func (o *Outbox) SendSubscribe(ctx context.Context, msg SubscribeMessage) error {
	if msg.ToUser == "" {
		return &Error{API: APISubscribeSend, Code: 40003, Message: "invalid openid"}
	}
	return o.append(ctx, APISubscribeSend, OutboxMessage{
		Kind: KindSubscribe, ToUser: msg.ToUser, TemplateID: msg.TemplateID, URL: msg.Page, Data: msg.Data,
		Text: RenderData("【订阅通知】", msg.Data, msg.Page),
	})
}

// UserInfo returns a made-up follower.
func (o *Outbox) UserInfo(_ context.Context, openID string) (UserInfo, error) {
	return UserInfo{OpenID: openID, Subscribe: true, Nickname: "演示用户"}, nil
}

// CreateMenu keeps the menu JSON in the store (key "outbox:menu").
func (o *Outbox) CreateMenu(ctx context.Context, menuJSON []byte) error {
	if !json.Valid(menuJSON) {
		return &Error{API: APIMenuCreate, Code: 47001, Message: "data format error"}
	}
	if err := o.st.Set(ctx, outboxMenuKey, menuJSON, 0); err != nil {
		return &Error{API: APIMenuCreate, Message: "outbox: " + err.Error(), Err: err}
	}
	return nil
}

// GetMedia always fails with Error 40007: the demo has no media.
func (o *Outbox) GetMedia(_ context.Context, mediaID string) (Media, error) {
	return Media{}, &Error{API: APIMediaGet, Code: 40007, Message: "invalid media_id (demo outbox has no media)"}
}

// RenderData renders template/subscribe data as readable lines: the title, then
// "first", the other fields in natural order (keyword2 before keyword10), then
// "remark", then the link.
func RenderData(title string, data map[string]string, link string) string {
	keys := make([]string, 0, len(data))
	for k := range data {
		if k != "first" && k != "remark" {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool { return naturalLess(keys[i], keys[j]) })
	lines := []string{title}
	if v, ok := data["first"]; ok && v != "" {
		lines = append(lines, v)
	}
	for _, k := range keys {
		if v := data[k]; v != "" {
			lines = append(lines, v)
		}
	}
	if v, ok := data["remark"]; ok && v != "" {
		lines = append(lines, v)
	}
	if link != "" {
		lines = append(lines, "详情："+link)
	}
	return strings.Join(lines, "\n")
}

// naturalLess orders fields by their trailing number, as WeChat numbers them
// ("keyword2" before "keyword10", "thing1" before "time2" before "thing3"), then
// by name.
func naturalLess(a, b string) bool {
	pa, na := splitNum(a)
	pb, nb := splitNum(b)
	if na != nb {
		return na < nb
	}
	if pa != pb {
		return pa < pb
	}
	return a < b
}

func splitNum(s string) (string, int) {
	i := len(s)
	for i > 0 && s[i-1] >= '0' && s[i-1] <= '9' {
		i--
	}
	n, err := strconv.Atoi(s[i:])
	if err != nil {
		return s, -1
	}
	return s[:i], n
}
