package notices_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hospital/wxbot/clock"
	"github.com/hospital/wxbot/notices"
	"github.com/hospital/wxbot/store"
	"github.com/hospital/wxbot/store/memstore"
	"github.com/hospital/wxbot/wxapi/fakewx"
)

// Benchmarks of the push fan-out (figures in README):
//
//	go test -run '^$' -bench 'Push' -benchtime 1x ./notices/
//
// BenchmarkPushUnlimited and BenchmarkPushRate go through the real wxapi.Client
// to the fake WeChat API with 20 ms latency per call; sends/s is the figure.
// BenchmarkPushMemory100k pushes to 100,000 subscribers and reports the
// resident memory growth (peak RSS during the push minus RSS before it).

// benchPush publishes one notice to subs subscribers and runs a pool until it
// is pushed; it returns the sends and the elapsed time.
func benchPush(b *testing.B, st store.Store, subs int, opts notices.PoolOptions, latency time.Duration) (int, time.Duration) {
	b.Helper()
	ctx := context.Background()
	svc := notices.NewService(st, clock.NewFake(t0), notices.Config{}, nil)
	srv, api := newWeChat(b, st)
	srv.SetLatency(fakewx.APITemplateSend, latency)
	users := make([]string, subs)
	for i := range users {
		users[i] = fmt.Sprintf("b%06d", i)
	}
	for i := 0; i < len(users); i += 1000 {
		end := min(i+1000, len(users))
		if _, err := st.SAdd(ctx, notices.CategoryKey(category), users[i:end]...); err != nil {
			b.Fatal(err)
		}
	}
	n := publish(b, svc)
	pool := notices.NewPool(svc, newSender(b, api), opts, nil, nil)
	start := time.Now()
	runUntilDone(b, svc, n.ID, pool)
	elapsed := time.Since(start)
	sent := len(srv.Sent(fakewx.KindTemplate))
	if sent != subs {
		b.Fatalf("sent %d of %d", sent, subs)
	}
	return sent, elapsed
}

func BenchmarkPushUnlimited(b *testing.B) {
	opts := notices.PoolOptions{Workers: 64, Batch: 10, PollInterval: 20 * time.Millisecond}
	var sent int
	var took time.Duration
	for i := 0; i < b.N; i++ {
		st := memstore.New()
		s, d := benchPush(b, st, 5000, opts, 20*time.Millisecond)
		st.Close()
		sent += s
		took += d
	}
	b.ReportMetric(float64(sent)/took.Seconds(), "sends/s")
}

func BenchmarkPushRate(b *testing.B) {
	const rate = 300.0
	opts := notices.PoolOptions{Workers: 64, Batch: 10, PollInterval: 20 * time.Millisecond, RatePerSecond: rate}
	var sent int
	var took time.Duration
	for i := 0; i < b.N; i++ {
		st := memstore.New()
		s, d := benchPush(b, st, 3000, opts, 20*time.Millisecond)
		st.Close()
		sent += s
		took += d
	}
	got := float64(sent) / took.Seconds()
	b.ReportMetric(got, "sends/s")
	b.ReportMetric(100*(got-rate)/rate, "%off-rate")
}

// rssBytes reads the resident set size from /proc/self/status (0 elsewhere).
func rssBytes() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "VmRSS:") {
			fields := strings.Fields(line)
			kb, _ := strconv.ParseInt(fields[1], 10, 64)
			return kb * 1024
		}
	}
	return 0
}

// memoryPush pushes to 100,000 subscribers on st through a sender that only
// counts, and reports the RSS growth during the push.
func memoryPush(b *testing.B, st store.Store) {
	ctx := context.Background()
	const subs = 100000
	svc := notices.NewService(st, clock.NewFake(t0), notices.Config{}, nil)
	users := make([]string, 0, 1000)
	for i := 0; i < subs; i++ {
		users = append(users, fmt.Sprintf("oXyZ-openid-%08d", i))
		if len(users) == cap(users) {
			if _, err := st.SAdd(ctx, notices.CategoryKey(category), users...); err != nil {
				b.Fatal(err)
			}
			users = users[:0]
		}
	}
	var sent atomic.Int64
	sender := notices.SenderFunc(func(context.Context, *notices.Notice, string) error {
		sent.Add(1)
		return nil
	})
	runtime.GC()
	before := rssBytes()
	var peak atomic.Int64
	peak.Store(before)
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				if r := rssBytes(); r > peak.Load() {
					peak.Store(r)
				}
			}
		}
	}()
	n := publish(b, svc)
	start := time.Now()
	runUntilDone(b, svc, n.ID, notices.NewPool(svc, sender, notices.PoolOptions{Workers: 32, Batch: 50, PollInterval: 20 * time.Millisecond}, nil, nil))
	took := time.Since(start)
	close(stop)
	<-sampled
	if sent.Load() != subs {
		b.Fatalf("sent %d of %d", sent.Load(), subs)
	}
	b.ReportMetric(float64(peak.Load()-before)/(1<<20), "MB-rss-growth")
	b.ReportMetric(float64(subs)/took.Seconds(), "sends/s")
}

func BenchmarkPushMemory100kMemstore(b *testing.B) {
	for i := 0; i < b.N; i++ {
		st := memstore.New()
		memoryPush(b, st)
		st.Close()
	}
}

func BenchmarkPushMemory100kRedis(b *testing.B) {
	addr := redisAddr(b)
	for i := 0; i < b.N; i++ {
		prefix := "wxbot-bench-notices-" + strconv.FormatInt(time.Now().UnixNano(), 36) + ":"
		cleanupRedis(b, addr, prefix)
		memoryPush(b, redisStore(b, addr, prefix))
	}
}
