package embedded_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/hospital/wxbot/store/embedded"
	"github.com/hospital/wxbot/store/storetest"
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
func BenchmarkEmbeddedSetNX(b *testing.B) { storetest.BenchSetNX(b, openBench(b)) }

// BenchmarkEmbeddedSetNXParallel shows group commit: concurrent writers share fsyncs.
func BenchmarkEmbeddedSetNXParallel(b *testing.B) { storetest.BenchSetNXParallel(b, openBench(b)) }

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
func BenchmarkEmbeddedClaim(b *testing.B) { storetest.BenchClaim(b, openBench(b)) }
