package redisstore_test

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkRedisSetNX is one dedup check of a WeChat message.
func BenchmarkRedisSetNX(b *testing.B) {
	s := newStore(b, redisAddr(b))
	defer s.Close()
	ctx := context.Background()
	for i := 0; b.Loop(); i++ {
		if _, err := s.SetNX(ctx, "dedup:"+strconv.Itoa(i), []byte("1"), time.Hour); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRedisSetNXParallel(b *testing.B) {
	s := newStore(b, redisAddr(b))
	defer s.Close()
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

// BenchmarkRedisClaim is one push worker step: claim 10 recipients, ack them.
func BenchmarkRedisClaim(b *testing.B) {
	s := newStore(b, redisAddr(b))
	defer s.Close()
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
