package console

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/alexedwards/scs/v2"

	"github.com/hospital/wxbot/clock"
	"github.com/hospital/wxbot/store"
)

// SessionKeyPrefix prefixes the store keys of console sessions.
const SessionKeyPrefix = "console:session:"

// SessionStore keeps scs sessions in a store.Store, so that several instances
// on one Redis share the staff's sessions. Each value holds the session's
// expiry followed by scs's encoded data; the store key expires with it too.
// The expiry is checked against the clock on every read, so tests with a
// fake clock see idle sessions end.
type SessionStore struct {
	st  store.Store
	clk clock.Clock
}

var (
	_ scs.Store    = (*SessionStore)(nil)
	_ scs.CtxStore = (*SessionStore)(nil)
)

// NewSessionStore returns the adapter on st; clk (nil: the system clock)
// decides when a session has expired.
func NewSessionStore(st store.Store, clk clock.Clock) *SessionStore {
	if clk == nil {
		clk = clock.System{}
	}
	return &SessionStore{st: st, clk: clk}
}

// FindCtx returns the session data of token; found is false for an unknown
// or expired token. Errors are store failures only.
func (s *SessionStore) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	raw, err := s.st.Get(ctx, SessionKeyPrefix+token)
	if errors.Is(err, store.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("console session find: %w", err)
	}
	if len(raw) < 8 {
		return nil, false, nil
	}
	expiry := time.Unix(0, int64(binary.BigEndian.Uint64(raw[:8])))
	if !s.clk.Now().Before(expiry) {
		return nil, false, nil
	}
	return raw[8:], true, nil
}

// CommitCtx stores the session data of token until expiry (replacing any).
// scs computes expiry from the system clock; the session keeps the same time
// left on the store's clock, so a fake clock in tests moves sessions to
// their end exactly as time would.
func (s *SessionStore) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	ttl := time.Until(expiry)
	if ttl <= 0 {
		return s.DeleteCtx(ctx, token)
	}
	expiry = s.clk.Now().Add(ttl)
	// The store key lives a little longer than the session: the expiry in
	// the value is what counts, and a clock a little off must not cut it short.
	ttl += time.Minute
	v := make([]byte, 8+len(b))
	binary.BigEndian.PutUint64(v[:8], uint64(expiry.UnixNano()))
	copy(v[8:], b)
	if err := s.st.Set(ctx, SessionKeyPrefix+token, v, ttl); err != nil {
		return fmt.Errorf("console session commit: %w", err)
	}
	return nil
}

// DeleteCtx removes the session of token; an unknown token is not an error.
func (s *SessionStore) DeleteCtx(ctx context.Context, token string) error {
	if err := s.st.Delete(ctx, SessionKeyPrefix+token); err != nil {
		return fmt.Errorf("console session delete: %w", err)
	}
	return nil
}

// Find is FindCtx without a context (scs.Store).
func (s *SessionStore) Find(token string) ([]byte, bool, error) {
	return s.FindCtx(context.Background(), token)
}

// Commit is CommitCtx without a context (scs.Store).
func (s *SessionStore) Commit(token string, b []byte, expiry time.Time) error {
	return s.CommitCtx(context.Background(), token, b, expiry)
}

// Delete is DeleteCtx without a context (scs.Store).
func (s *SessionStore) Delete(token string) error {
	return s.DeleteCtx(context.Background(), token)
}
