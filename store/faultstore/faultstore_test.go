package faultstore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hospital/wxbot/clock"
	"github.com/hospital/wxbot/store"
	"github.com/hospital/wxbot/store/faultstore"
	"github.com/hospital/wxbot/store/memstore"
	"github.com/hospital/wxbot/store/storetest"
)

func TestConformanceWhenHealthy(t *testing.T) {
	storetest.RunWithClock(t, func(t *testing.T, clk *clock.Fake) store.Store {
		return faultstore.Wrap(memstore.NewWithClock(clk))
	})
}

var ctx = context.Background()

func TestFailAll(t *testing.T) {
	f := faultstore.Wrap(memstore.New())
	defer f.Close()
	if err := f.Set(ctx, "k", []byte("v"), 0); err != nil {
		t.Fatal(err)
	}
	f.FailAll(nil)
	if _, err := f.Get(ctx, "k"); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("Get after FailAll(nil): %v; want ErrUnavailable", err)
	}
	if err := f.Ping(ctx); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("Ping after FailAll(nil): %v; want ErrUnavailable", err)
	}
	if _, err := f.Claim(ctx, "q", 1, time.Minute); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("Claim after FailAll(nil): %v; want ErrUnavailable", err)
	}
	if err := f.Set(ctx, "k", []byte("changed"), 0); err == nil {
		t.Fatal("Set after FailAll: no error")
	}
	f.Heal()
	if v, err := f.Get(ctx, "k"); err != nil || string(v) != "v" {
		t.Fatalf("Get after Heal = %q, %v; want v (the failed Set must not have reached the store)", v, err)
	}
}

func TestFailOnOneMethod(t *testing.T) {
	f := faultstore.Wrap(memstore.New())
	defer f.Close()
	diskFull := errors.New("disk full")
	f.FailOn("HSet", diskFull)
	if err := f.HSet(ctx, "complaints", "TS1", []byte("{}")); !errors.Is(err, diskFull) {
		t.Fatalf("HSet: %v; want the injected error", err)
	}
	if _, err := f.HGet(ctx, "complaints", "TS1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("HGet: %v; want ErrNotFound (HSet never stored)", err)
	}
	if err := f.Set(ctx, "other", []byte("v"), 0); err != nil {
		t.Fatalf("Set with only HSet failing: %v", err)
	}
	if n := f.Calls("HSet"); n != 1 {
		t.Fatalf("Calls(HSet) = %d; want 1", n)
	}
}

func TestFailOnKey(t *testing.T) {
	f := faultstore.Wrap(memstore.New())
	defer f.Close()
	f.FailOnKey("HSet", "complaint", nil)
	if err := f.HSet(ctx, "complaints", "TS1", []byte("{}")); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("HSet on a complaint key: %v; want ErrUnavailable", err)
	}
	if err := f.HSet(ctx, "notices", "1", []byte("{}")); err != nil {
		t.Fatalf("HSet on another key: %v", err)
	}
}

func TestFailIfRule(t *testing.T) {
	f := faultstore.Wrap(memstore.New())
	defer f.Close()
	boom := errors.New("boom")
	n := 0
	f.FailIf(func(c faultstore.Call) error {
		if c.Method == "Incr" {
			n++
			if n == 2 {
				return boom
			}
		}
		return nil
	})
	if _, err := f.Incr(ctx, "seq", 1); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Incr(ctx, "seq", 1); !errors.Is(err, boom) {
		t.Fatalf("second Incr: %v; want boom", err)
	}
	if v, err := f.Incr(ctx, "seq", 1); err != nil || v != 2 {
		t.Fatalf("third Incr = %d, %v; want 2", v, err)
	}
}

func TestFailOnUnknownMethodPanics(t *testing.T) {
	f := faultstore.Wrap(memstore.New())
	defer func() {
		if recover() == nil {
			t.Fatal("FailOn(\"Hset\") did not panic")
		}
	}()
	f.FailOn("Hset", nil)
}

func TestCloseIsNeverFailed(t *testing.T) {
	f := faultstore.Wrap(memstore.New())
	f.FailAll(errors.New("down"))
	if err := f.Close(); err != nil {
		t.Fatalf("Close under FailAll: %v", err)
	}
}
