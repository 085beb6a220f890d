// Package dedup remembers which WeChat deliveries were already taken, so the
// retries WeChat sends when an answer is slow get no second answer.
//
// Several instances share the store (Redis): an id is taken by whoever sets it
// first (Shared). One machine keeps the ids in memory (Local): two
// generations of 64-bit hashes of the ids, without pointers, so a busy account
// holding millions of ids costs about 10 bytes each and nothing at garbage
// collection, where a store entry cost ~250 bytes and was scanned at every
// cycle.
package dedup

import (
	"context"
	"hash/maphash"
	"sync"
	"time"

	"github.com/hospital/wxbot/clock"
	"github.com/hospital/wxbot/store"
)

// Set answers whether a delivery is the first of its id.
type Set interface {
	// First reports whether key is seen for the first time within ttl, and
	// records it.
	First(ctx context.Context, key string, ttl time.Duration) (bool, error)
}

// Shared keeps the ids in a store shared by every instance.
type Shared struct{ Store store.Store }

// First sets key in the store unless it is there.
func (s Shared) First(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	return s.Store.SetNX(ctx, key, []byte("1"), ttl)
}

// Local keeps the ids of one machine in memory. An id is remembered for at
// least ttl (the ttl of the first call) and at most twice as long.
type Local struct {
	clock clock.Clock
	seed  maphash.Seed

	mu      sync.Mutex
	ttl     time.Duration
	rotated time.Time
	cur     map[uint64]struct{}
	prev    map[uint64]struct{}
}

// NewLocal returns an empty Local on clk (nil: the system clock).
func NewLocal(clk clock.Clock) *Local {
	if clk == nil {
		clk = clock.System{}
	}
	return &Local{clock: clk, seed: maphash.MakeSeed(), cur: map[uint64]struct{}{}, prev: map[uint64]struct{}{}}
}

// First records key and reports whether it was new.
func (l *Local) First(_ context.Context, key string, ttl time.Duration) (bool, error) {
	h := maphash.String(l.seed, key)
	now := l.clock.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ttl == 0 {
		l.ttl, l.rotated = ttl, now
	}
	// Every ttl the current generation becomes the previous one and the
	// previous one is dropped: an id lives ttl to 2*ttl.
	if elapsed := now.Sub(l.rotated); elapsed >= l.ttl {
		if elapsed >= 2*l.ttl {
			l.prev = map[uint64]struct{}{}
		} else {
			l.prev = l.cur
		}
		l.cur = make(map[uint64]struct{}, len(l.prev))
		l.rotated = now
	}
	if _, ok := l.cur[h]; ok {
		return false, nil
	}
	if _, ok := l.prev[h]; ok {
		return false, nil
	}
	l.cur[h] = struct{}{}
	return true, nil
}

// Len is how many ids are remembered.
func (l *Local) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.cur) + len(l.prev)
}
