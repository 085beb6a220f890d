package notices

import (
	"context"
	"fmt"
	"time"

	"golang.org/x/time/rate"

	"github.com/hospital/wxbot/store"
)

// rateGate holds sends to a global rate across instances: a local token bucket
// smooths this instance's sends, and a per-second counter in the store
// (push:rate:<unix second>, Incr, short TTL) caps the sum of all instances.
// A nil *rateGate lets everything through (rate 0 = unlimited).
type rateGate struct {
	st    store.Store
	limit int64
	local *rate.Limiter
}

func newRateGate(st store.Store, perSecond float64) *rateGate {
	if perSecond <= 0 {
		return nil
	}
	limit := int64(perSecond)
	if limit < 1 {
		limit = 1
	}
	return &rateGate{st: st, limit: limit, local: rate.NewLimiter(rate.Limit(perSecond), 1)}
}

// Wait blocks until one send may go, or ctx ends.
func (g *rateGate) Wait(ctx context.Context) error {
	if g == nil {
		return nil
	}
	if err := g.local.Wait(ctx); err != nil {
		return err
	}
	for {
		now := time.Now()
		sec := now.Unix()
		key := rateKey(sec)
		n, err := g.st.Incr(ctx, key, 1)
		if err != nil {
			return fmt.Errorf("push rate counter: %w", err)
		}
		if n == 1 {
			if _, err := g.st.Expire(ctx, key, 5*time.Second); err != nil {
				return fmt.Errorf("push rate counter: %w", err)
			}
		}
		if n <= g.limit {
			return nil
		}
		// This second's budget is spent (by all instances): wait for the next.
		next := time.Unix(sec+1, 0)
		t := time.NewTimer(next.Sub(now))
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}
