package embedded

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/hospital/wxbot/clock"
)

// rows counts the meta rows in the file, expired or not.
func rows(t *testing.T, s *Store) int {
	t.Helper()
	n := 0
	err := s.db.View(func(tx *bolt.Tx) error {
		n = tx.Bucket(bucketMeta).Stats().KeyN
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestBackgroundSweeperEmptiesFile(t *testing.T) {
	ctx := context.Background()
	clk := clock.NewFake(time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC))
	s, err := Open(filepath.Join(t.TempDir(), "wxbot.db"), Options{Clock: clk, SweepInterval: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, k := range []string{"a", "b", "c"} {
		if err := s.Set(ctx, k, []byte("v"), time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Set(ctx, "keep", []byte("v"), 0); err != nil {
		t.Fatal(err)
	}
	if got := rows(t, s); got != 4 {
		t.Fatalf("rows before expiry = %d; want 4", got)
	}
	clk.Advance(time.Hour)
	deadline := time.Now().Add(10 * time.Second)
	for rows(t, s) != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("background sweeper left %d rows; want 1", rows(t, s))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestSweepRemovesExpiredKeys(t *testing.T) {
	old := sweepBatch
	sweepBatch = 10 // so one Sweep takes several transactions
	defer func() { sweepBatch = old }()

	ctx := context.Background()
	clk := clock.NewFake(time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC))
	s, err := Open(filepath.Join(t.TempDir(), "wxbot.db"), Options{Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i := 0; i < 25; i++ {
		if err := s.Set(ctx, fmt.Sprintf("dedup:%d", i), []byte("1"), time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.HSet(ctx, "session", "f", []byte("v")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Expire(ctx, "session", time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := s.Set(ctx, "keep", []byte("v"), 0); err != nil {
		t.Fatal(err)
	}
	if n, err := s.Sweep(ctx); err != nil || n != 0 {
		t.Fatalf("Sweep before expiry = %d, %v; want 0", n, err)
	}
	clk.Advance(2 * time.Minute)
	if n, err := s.Sweep(ctx); err != nil || n != 26 {
		t.Fatalf("Sweep after expiry = %d, %v; want 26", n, err)
	}
	if n, err := s.Sweep(ctx); err != nil || n != 0 {
		t.Fatalf("second Sweep = %d, %v; want 0", n, err)
	}
	if got := rows(t, s); got != 1 {
		t.Fatalf("rows after Sweep = %d; want 1", got)
	}
	err = s.db.View(func(tx *bolt.Tx) error {
		if n := tx.Bucket(bucketData).Stats().KeyN; n != 0 {
			t.Errorf("data rows after Sweep = %d; want 0 (the hash's fields)", n)
		}
		if n := tx.Bucket(bucketExp).Stats().KeyN; n != 0 {
			t.Errorf("expiry index rows after Sweep = %d; want 0", n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if v, err := s.Get(ctx, "keep"); err != nil || string(v) != "v" {
		t.Fatalf("key without TTL after Sweep = %q, %v", v, err)
	}
}
