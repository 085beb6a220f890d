package embedded_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hospital/wxbot/clock"
	"github.com/hospital/wxbot/store"
	"github.com/hospital/wxbot/store/embedded"
	"github.com/hospital/wxbot/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.RunWithClock(t, func(t *testing.T, clk *clock.Fake) store.Store {
		s, err := embedded.Open(filepath.Join(t.TempDir(), "wxbot.db"), embedded.Options{Clock: clk})
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestConformanceRealClock(t *testing.T) {
	if testing.Short() {
		t.Skip("sleeps about a second for TTLs")
	}
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := embedded.Open(filepath.Join(t.TempDir(), "wxbot.db"), embedded.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestOpenCreatesFolder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data", "nested", "wxbot.db")
	s, err := embedded.Open(path, embedded.Options{})
	if err != nil {
		t.Fatalf("Open in a missing folder: %v", err)
	}
	defer s.Close()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("store file not created: %v", err)
	}
}

func TestSecondOpenIsLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "wxbot.db")
	s, err := embedded.Open(path, embedded.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = embedded.Open(path, embedded.Options{Timeout: 50 * time.Millisecond})
	if !errors.Is(err, embedded.ErrLocked) {
		t.Fatalf("second Open while the file is held: %v; want ErrLocked", err)
	}
	if !strings.Contains(err.Error(), path) {
		t.Fatalf("lock error %q does not name the file", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2, err := embedded.Open(path, embedded.Options{Timeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatalf("Open after the holder closed: %v", err)
	}
	s2.Close()
}

func TestDataSurvivesReopen(t *testing.T) {
	ctx := context.Background()
	clk := clock.NewFake(time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC))
	path := filepath.Join(t.TempDir(), "wxbot.db")
	s, err := embedded.Open(path, embedded.Options{Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.Set(ctx, "complaint:seq", []byte("17"), 0))
	must(s.Set(ctx, "session:o1", []byte("ctx"), time.Hour))
	must(s.HSet(ctx, "complaints", "TS20250301-0017", []byte(`{"status":"new"}`)))
	_, err = s.SAdd(ctx, "subs:门诊", "o1", "o2")
	must(err)
	_, err = s.RPush(ctx, "audit", []byte("a"), []byte("b"))
	must(err)
	must(s.Enqueue(ctx, "push:{1}", "o1", "o2"))
	claimed, err := s.Claim(ctx, "push:{1}", 1, 10*time.Minute)
	must(err)
	must(s.Close())

	s, err = embedded.Open(path, embedded.Options{Clock: clk})
	must(err)
	defer s.Close()
	if v, err := s.Get(ctx, "complaint:seq"); err != nil || string(v) != "17" {
		t.Fatalf("counter after reopen = %q, %v", v, err)
	}
	if v, err := s.HGet(ctx, "complaints", "TS20250301-0017"); err != nil || string(v) != `{"status":"new"}` {
		t.Fatalf("complaint after reopen = %q, %v", v, err)
	}
	if n, err := s.SCard(ctx, "subs:门诊"); err != nil || n != 2 {
		t.Fatalf("subscribers after reopen = %d, %v", n, err)
	}
	if items, err := s.LRange(ctx, "audit", 0, -1); err != nil || len(items) != 2 {
		t.Fatalf("audit list after reopen = %q, %v", items, err)
	}
	if w, l, err := s.QueueLen(ctx, "push:{1}"); err != nil || w != 1 || l != 1 {
		t.Fatalf("queue after reopen = %d waiting, %d leased, %v; want 1, 1", w, l, err)
	}
	clk.Advance(2 * time.Hour)
	if _, err := s.Get(ctx, "session:o1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("session after its TTL (across a restart): %v; want ErrNotFound", err)
	}
	again, err := s.Claim(ctx, "push:{1}", 5, time.Minute)
	must(err)
	if len(again) != 2 || (again[0] != claimed[0] && again[1] != claimed[0]) {
		t.Fatalf("Claim after restart and lease end = %q; want both items, including %q", again, claimed[0])
	}
}
