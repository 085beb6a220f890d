// Package audit keeps the log of every change staff make through the admin API
// or the console: who, what, on which record, when and from which address.
package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hospital/wxbot/clock"
	"github.com/hospital/wxbot/store"
)

// key is the store list holding entries, oldest first.
const key = "audit:log"

// Entry is one audited change.
type Entry struct {
	At         time.Time `json:"at"`
	Actor      string    `json:"actor"`                 // staff member id, or "system"
	ActorName  string    `json:"actor_name,omitempty"`  // the member's name at the time
	Action     string    `json:"action"`                // e.g. "notice.approve"
	Target     string    `json:"target,omitempty"`      // e.g. "notice:12"
	Detail     string    `json:"detail,omitempty"`      // short, never a patient's text
	RemoteAddr string    `json:"remote_addr,omitempty"` // the client's address
}

// Log appends entries to and reads them from a store.Store. It is safe for
// concurrent use by several instances.
type Log struct {
	st  store.Store
	clk clock.Clock
}

// New returns a Log on st; clk stamps entries that carry no time.
func New(st store.Store, clk clock.Clock) *Log {
	if clk == nil {
		clk = clock.System{}
	}
	return &Log{st: st, clk: clk}
}

// Record appends e, stamping it with the clock's time when e.At is zero.
// Returns the store's error wrapped.
func (l *Log) Record(ctx context.Context, e Entry) error {
	if e.At.IsZero() {
		e.At = l.clk.Now()
	}
	e.At = e.At.UTC()
	b, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("audit record %s: %w", e.Action, err)
	}
	if _, err := l.st.RPush(ctx, key, b); err != nil {
		return fmt.Errorf("audit record %s: %w", e.Action, err)
	}
	return nil
}

// List returns up to limit entries, newest first, skipping the offset newest.
// A limit <= 0 means 50. Entries that cannot be decoded are skipped.
func (l *Log) List(ctx context.Context, limit, offset int) ([]Entry, error) {
	if limit <= 0 {
		limit = 50
	}
	if offset < 0 {
		offset = 0
	}
	// Newest is at -1: entries offset..offset+limit-1 from the end.
	stop := int64(-1 - offset)
	start := int64(-offset - limit)
	n, err := l.st.LLen(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("audit list: %w", err)
	}
	if int64(offset) >= n {
		return []Entry{}, nil
	}
	if -start > n {
		start = -n
	}
	raw, err := l.st.LRange(ctx, key, start, stop)
	if err != nil {
		return nil, fmt.Errorf("audit list: %w", err)
	}
	out := make([]Entry, 0, len(raw))
	for i := len(raw) - 1; i >= 0; i-- {
		var e Entry
		if json.Unmarshal(raw[i], &e) == nil {
			out = append(out, e)
		}
	}
	return out, nil
}

// Count returns the number of entries.
func (l *Log) Count(ctx context.Context) (int64, error) {
	n, err := l.st.LLen(ctx, key)
	if err != nil {
		return 0, fmt.Errorf("audit count: %w", err)
	}
	return n, nil
}
