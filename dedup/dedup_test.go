package dedup

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hospital/wxbot/clock"
	"github.com/hospital/wxbot/store/memstore"
)

func TestLocalTakesEachIDOnceWithinTheTTL(t *testing.T) {
	ctx := context.Background()
	clk := clock.NewFake(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC))
	l := NewLocal(clk)
	const ttl = 2 * time.Minute
	for i, want := range []bool{true, false, false} {
		if got, _ := l.First(ctx, "wx:dedup:m:1", ttl); got != want {
			t.Errorf("delivery %d: First = %v, want %v", i+1, got, want)
		}
		clk.Advance(5 * time.Second) // WeChat's retries come 5 s apart
	}
	if got, _ := l.First(ctx, "wx:dedup:m:2", ttl); !got {
		t.Error("another id was taken as a repeat")
	}
	// Still remembered just under the ttl, across a generation change.
	clk.Advance(ttl - 5*time.Second) // 115 s after it was taken; the generations turn meanwhile
	if got, _ := l.First(ctx, "wx:dedup:m:2", ttl); got {
		t.Error("id forgotten before its ttl")
	}
	// Forgotten after twice the ttl: memory does not grow without end.
	clk.Advance(2*ttl + time.Second)
	if got, _ := l.First(ctx, "wx:dedup:m:1", ttl); !got {
		t.Error("id still held after twice its ttl")
	}
	if n := l.Len(); n != 1 {
		t.Errorf("%d ids held, want 1", n)
	}
}

func TestLocalConcurrentDeliveriesOneWins(t *testing.T) {
	l := NewLocal(nil)
	var wins atomic.Int32
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if ok, _ := l.First(context.Background(), "wx:dedup:m:42", time.Minute); ok {
				wins.Add(1)
			}
		}()
	}
	wg.Wait()
	if wins.Load() != 1 {
		t.Errorf("%d deliveries taken, want 1", wins.Load())
	}
}

func TestSharedUsesTheStore(t *testing.T) {
	st := memstore.New()
	a, b := Shared{Store: st}, Shared{Store: st} // two instances
	if ok, err := a.First(context.Background(), "wx:dedup:m:7", time.Minute); !ok || err != nil {
		t.Fatalf("first delivery: %v %v", ok, err)
	}
	if ok, _ := b.First(context.Background(), "wx:dedup:m:7", time.Minute); ok {
		t.Error("the other instance took the same delivery")
	}
}

// BenchmarkLocalFirst: one id per delivery, as under load.
func BenchmarkLocalFirst(b *testing.B) {
	l := NewLocal(nil)
	ctx := context.Background()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		_, _ = l.First(ctx, fmt.Sprint("wx:dedup:m:", i), 2*time.Minute)
	}
}
