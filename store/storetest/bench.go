package storetest

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hospital/wxbot/store"
)

// The benchmarks below measure the operations the service leans on, the same
// way on every backend; a backend's BenchmarkXxx calls them with its store.

// BenchSetNX measures one dedup check of a WeChat message.
func BenchSetNX(b *testing.B, s store.Store) {
	ctx := context.Background()
	for i := 0; b.Loop(); i++ {
		if _, err := s.SetNX(ctx, "dedup:"+strconv.Itoa(i), []byte("1"), time.Hour); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchSetNXParallel measures dedup checks from 8 goroutines per CPU at once.
func BenchSetNXParallel(b *testing.B, s store.Store) {
	ctx := context.Background()
	var n atomic.Int64
	b.SetParallelism(8)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := s.SetNX(ctx, "dedup:"+strconv.FormatInt(n.Add(1), 10), []byte("1"), time.Hour); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchClaim measures one push worker step: claim 10 recipients, ack them.
// Refilling the queue is not timed.
func BenchClaim(b *testing.B, s store.Store) {
	ctx := context.Background()
	const batch = 10
	left := 0
	for b.Loop() {
		if left == 0 {
			b.StopTimer()
			items := make([]string, 1000)
			for i := range items {
				items[i] = "o" + strconv.Itoa(i)
			}
			if err := s.Enqueue(ctx, "push:{1}", items...); err != nil {
				b.Fatal(err)
			}
			left = len(items)
			b.StartTimer()
		}
		got, err := s.Claim(ctx, "push:{1}", batch, time.Minute)
		if err != nil || len(got) != batch {
			b.Fatalf("Claim = %d items, %v", len(got), err)
		}
		if err := s.Ack(ctx, "push:{1}", got...); err != nil {
			b.Fatal(err)
		}
		left -= batch
	}
}
