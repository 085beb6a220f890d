package memstore

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hospital/wxbot/clock"
)

// Dedup keys are written once and never read again: writes alone must drop
// them after they expire, or a busy account's memory would grow without end.
func TestExpiredKeysNeverReadAreDroppedByLaterWrites(t *testing.T) {
	ctx := context.Background()
	clk := clock.NewFake(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC))
	s := NewWithClock(clk)
	const n = 20000
	for i := range n {
		if _, err := s.SetNX(ctx, fmt.Sprintf("wx:dedup:old%d", i), []byte("1"), time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	clk.Advance(2 * time.Minute)
	for i := range n {
		if _, err := s.SetNX(ctx, fmt.Sprintf("wx:dedup:new%d", i), []byte("1"), time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	s.mu.Lock()
	held := len(s.keys)
	s.mu.Unlock()
	if held > n+n/4 {
		t.Errorf("after %d expired and %d live keys the store holds %d keys, want at most %d", n, n, held, n+n/4)
	}
}
