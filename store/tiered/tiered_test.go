package tiered

import (
	"context"
	"errors"
	"testing"

	"github.com/hospital/wxbot/clock"
	"github.com/hospital/wxbot/store"
	"github.com/hospital/wxbot/store/memstore"
	"github.com/hospital/wxbot/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.RunWithClock(t, func(t *testing.T, c *clock.Fake) store.Store {
		// Route half the suite's keys to each tier: behaviour must not change.
		return New(memstore.NewWithClock(c), memstore.NewWithClock(c), "a", "q", "s")
	})
}

func TestKeysGoToTheirTier(t *testing.T) {
	ctx := context.Background()
	durable, fast := memstore.New(), memstore.New()
	s := New(durable, fast, "wx:dedup:", "bot:sess:")
	if err := s.Set(ctx, "bot:sess:u1", []byte("ctx"), 0); err != nil {
		t.Fatal(err)
	}
	if err := s.Set(ctx, "complaint:ticket:1", []byte("kept"), 0); err != nil {
		t.Fatal(err)
	}
	if _, err := durable.Get(ctx, "bot:sess:u1"); !errors.Is(err, store.ErrNotFound) {
		t.Error("a session reached the durable tier")
	}
	if v, err := fast.Get(ctx, "bot:sess:u1"); err != nil || string(v) != "ctx" {
		t.Errorf("session not in the fast tier: %q %v", v, err)
	}
	if v, err := durable.Get(ctx, "complaint:ticket:1"); err != nil || string(v) != "kept" {
		t.Errorf("a ticket must be durable: %q %v", v, err)
	}
	if err := s.Delete(ctx, "bot:sess:u1", "complaint:ticket:1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, "complaint:ticket:1"); !errors.Is(err, store.ErrNotFound) {
		t.Error("delete across tiers left the durable key")
	}
}
