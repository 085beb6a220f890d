package notices

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/hospital/wxbot/wxapi"
)

// Push modes (config push.mode).
const (
	ModeTemplate  = "template"  // template message (服务号 template, push.template_id)
	ModeSubscribe = "subscribe" // subscribe message (bizsend)
)

// Field sources a message field can be filled from. A source "text:..." is
// the literal text after the colon.
const (
	SourceTitle    = "title"
	SourceCategory = "category"
	SourceDate     = "date"
	SourceSummary  = "summary"
	SourceRemark   = "remark"
	SourceLink     = "link"
)

// DefaultTemplateFields maps a classic template's fields to notice fields.
var DefaultTemplateFields = map[string]string{
	"first":    SourceTitle,
	"keyword1": SourceCategory,
	"keyword2": SourceDate,
	"keyword3": SourceSummary,
	"remark":   SourceRemark,
}

// DefaultSubscribeFields maps a typical subscribe template's fields
// (thing = up to 20 characters, time = a date) to notice fields.
var DefaultSubscribeFields = map[string]string{
	"thing1": SourceTitle,
	"time2":  SourceDate,
	"thing3": SourceSummary,
}

// DefaultRemark is the remark text; {category} is replaced by the notice's category.
const DefaultRemark = "回复「退订 {category}」不再接收此类公示"

// SenderConfig chooses how a notice is sent to one patient.
type SenderConfig struct {
	Mode       string            // ModeTemplate (default) or ModeSubscribe
	TemplateID string            // push.template_id
	Fields     map[string]string // WeChat field name -> source; defaults by mode
	Remark     string            // DefaultRemark when empty
	// MaxFieldRunes truncates each field value (subscribe "thing" fields take
	// 20 characters); 0 = 20 in subscribe mode, unlimited in template mode.
	MaxFieldRunes int
}

// Sender sends one notice to one patient. Errors are *wxapi.Error (or a
// transport/context error); the pool decides from the code what to do.
type Sender interface {
	Send(ctx context.Context, n *Notice, openID string) error
}

// SenderFunc adapts a function to Sender.
type SenderFunc func(ctx context.Context, n *Notice, openID string) error

// Send calls f.
func (f SenderFunc) Send(ctx context.Context, n *Notice, openID string) error {
	return f(ctx, n, openID)
}

type wxSender struct {
	api wxapi.API
	cfg SenderConfig
}

// NewSender returns the Sender for cfg over api (the real client, the demo
// outbox or a fake). Returns an error for an unknown mode or field source.
func NewSender(api wxapi.API, cfg SenderConfig) (Sender, error) {
	if cfg.Mode == "" {
		cfg.Mode = ModeTemplate
	}
	switch cfg.Mode {
	case ModeTemplate:
		if len(cfg.Fields) == 0 {
			cfg.Fields = DefaultTemplateFields
		}
	case ModeSubscribe:
		if len(cfg.Fields) == 0 {
			cfg.Fields = DefaultSubscribeFields
		}
		if cfg.MaxFieldRunes == 0 {
			cfg.MaxFieldRunes = 20
		}
	default:
		return nil, fmt.Errorf("push mode %q: want %s or %s", cfg.Mode, ModeTemplate, ModeSubscribe)
	}
	names := make([]string, 0, len(cfg.Fields))
	for k := range cfg.Fields {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if err := checkSource(cfg.Fields[k]); err != nil {
			return nil, fmt.Errorf("push field %s: %w", k, err)
		}
	}
	if cfg.Remark == "" {
		cfg.Remark = DefaultRemark
	}
	return &wxSender{api: api, cfg: cfg}, nil
}

func checkSource(src string) error {
	switch src {
	case SourceTitle, SourceCategory, SourceDate, SourceSummary, SourceRemark, SourceLink:
		return nil
	}
	if strings.HasPrefix(src, "text:") {
		return nil
	}
	return fmt.Errorf("unknown source %q (title, category, date, summary, remark, link or text:...)", src)
}

// Fields renders the message fields of n for cfg.
func (s *wxSender) fields(n *Notice) map[string]string {
	out := make(map[string]string, len(s.cfg.Fields))
	for field, src := range s.cfg.Fields {
		var v string
		switch src {
		case SourceTitle:
			v = n.Title
		case SourceCategory:
			v = n.Category
		case SourceDate:
			v = n.Date()
		case SourceSummary:
			v = n.Summary
			if v == "" {
				v = n.Title
			}
		case SourceRemark:
			v = strings.ReplaceAll(s.cfg.Remark, "{category}", n.Category)
		case SourceLink:
			v = n.Link
		default:
			v = strings.TrimPrefix(src, "text:")
		}
		out[field] = truncate(v, s.cfg.MaxFieldRunes)
	}
	return out
}

func truncate(s string, max int) string {
	if max <= 0 || utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return string(r[:max-1]) + "…"
}

// Send sends n to openID as a template or subscribe message.
func (s *wxSender) Send(ctx context.Context, n *Notice, openID string) error {
	data := s.fields(n)
	if s.cfg.Mode == ModeSubscribe {
		return s.api.SendSubscribe(ctx, wxapi.SubscribeMessage{ToUser: openID, TemplateID: s.cfg.TemplateID, Page: n.Link, Data: data})
	}
	_, err := s.api.SendTemplate(ctx, wxapi.TemplateMessage{ToUser: openID, TemplateID: s.cfg.TemplateID, URL: n.Link, Data: data})
	return err
}
