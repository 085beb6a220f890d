package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hospital/wxbot/store"
)

// SessionTTL is how long a patient's conversation context lives without a message.
const SessionTTL = 30 * time.Minute

// sessionKey is the store key of a patient's session.
func sessionKey(openID string) string { return "bot:sess:" + openID }

// Intents remembered in a session.
const (
	intentPrice       = "price"
	intentSchedule    = "schedule"
	intentAppointment = "appointment"
	intentProcess     = "process"
	intentFAQ         = "faq"
	intentDepartment  = "department"
	intentUnknown     = "unknown"
)

// List entry kinds.
const (
	listItem    = "item"
	listDoctor  = "doctor"
	listProcess = "process"
	listDept    = "dept"
)

// listEntry is one numbered line of the last list shown.
type listEntry struct {
	Kind string `json:"k"`
	ID   int    `json:"i,omitempty"`
	Name string `json:"n,omitempty"`
}

// session is what the bot remembers of one patient's conversation.
type session struct {
	Version int64 `json:"v"` // data version the indexes below refer to

	Intent string `json:"intent,omitempty"`
	// Query is the effective item query of the last price answer (what a
	// fragment such as 那增强呢 narrows).
	Query string `json:"q,omitempty"`
	// Items are the price items of the last answer (one when a detail was shown).
	Items []int `json:"items,omitempty"`

	List      []listEntry `json:"list,omitempty"`
	ListTitle string      `json:"lt,omitempty"`
	Page      int         `json:"page,omitempty"` // pages shown so far (1 = the first)

	Dept     int      `json:"dept"` // department index + 1 (0 = none)
	Doctor   string   `json:"doc,omitempty"`
	Doctors  []string `json:"docs,omitempty"` // candidates being clarified
	Weekdays []int    `json:"wd,omitempty"`
	Period   string   `json:"period,omitempty"`

	Process int    `json:"proc"` // process index + 1 (0 = none)
	Topic   string `json:"topic,omitempty"`
}

// loadSession reads a session; a missing or unreadable one is empty. The
// error reports only store failures.
func loadSession(ctx context.Context, st store.Store, openID string) (*session, error) {
	raw, err := loadSessionRaw(ctx, st, openID)
	return decodeSession(raw), err
}

// loadSessionRaw reads a session's stored form (nil when there is none).
func loadSessionRaw(ctx context.Context, st store.Store, openID string) ([]byte, error) {
	if st == nil || openID == "" {
		return nil, nil
	}
	raw, err := st.Get(ctx, sessionKey(openID))
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load session: %w", err)
	}
	return raw, nil
}

// decodeSession decodes a stored session; a missing or unreadable one is empty.
func decodeSession(raw []byte) *session {
	s := &session{}
	if len(raw) == 0 {
		return s
	}
	if err := json.Unmarshal(raw, s); err != nil {
		return &session{}
	}
	return s
}

// encodeSession is a session's stored form.
func encodeSession(s *session) ([]byte, error) {
	raw, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("encode session: %w", err)
	}
	return raw, nil
}

// saveSession writes a session with the idle TTL.
func saveSession(ctx context.Context, st store.Store, openID string, s *session) error {
	if st == nil || openID == "" {
		return nil
	}
	raw, err := encodeSession(s)
	if err != nil {
		return fmt.Errorf("save session: %w", err)
	}
	return saveSessionRaw(ctx, st, openID, raw)
}

// saveSessionRaw writes a session's stored form with the idle TTL.
func saveSessionRaw(ctx context.Context, st store.Store, openID string, raw []byte) error {
	if st == nil || openID == "" {
		return nil
	}
	if err := st.Set(ctx, sessionKey(openID), raw, SessionTTL); err != nil {
		return fmt.Errorf("save session: %w", err)
	}
	return nil
}

// clone returns a deep copy of s.
func (s *session) clone() *session {
	c := *s
	c.Items = append([]int(nil), s.Items...)
	c.List = append([]listEntry(nil), s.List...)
	c.Doctors = append([]string(nil), s.Doctors...)
	c.Weekdays = append([]int(nil), s.Weekdays...)
	return &c
}
