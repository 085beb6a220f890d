package embedded_test

import (
	"context"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hospital/wxbot/store/embedded"
)

func openBench(b *testing.B) *embedded.Store {
	b.Helper()
	s, err := embedded.Open(filepath.Join(b.TempDir(), "bench.db"), embedded.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// BenchmarkEmbeddedSetNX is one dedup check of a WeChat message (one fsync).
func BenchmarkEmbeddedSetNX(b *testing.B) {
	s := openBench(b)
	ctx := context.Background()
	for i := 0; b.Loop(); i++ {
		if _, err := s.SetNX(ctx, "dedup:"+strconv.Itoa(i), []byte("1"), time.Hour); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEmbeddedSetNXParallel shows group commit: concurrent writers share fsyncs.
func BenchmarkEmbeddedSetNXParallel(b *testing.B) {
	s := openBench(b)
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

func BenchmarkEmbeddedGet(b *testing.B) {
	s := openBench(b)
	ctx := context.Background()
	if err := s.Set(ctx, "session:o1", []byte(`{"turns":3}`), time.Hour); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := s.Get(ctx, "session:o1"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEmbeddedClaim is one push worker step: claim 10 recipients, ack them.
func BenchmarkEmbeddedClaim(b *testing.B) {
	s := openBench(b)
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
