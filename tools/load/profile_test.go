package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-redis/redis/v8"
	"github.com/sirupsen/logrus"
	"go.uber.org/zap"

	"github.com/hospital/wxbot/app"
	"github.com/hospital/wxbot/config"
	"github.com/hospital/wxbot/store"
	"github.com/hospital/wxbot/store/memstore"
	"github.com/hospital/wxbot/store/tiered"
	"github.com/hospital/wxbot/wxsim"
)

// These benchmarks run the same requests as the load command in-process (no
// sockets), to profile where the CPU goes:
//
//	go test ./tools/load -run '^$' -bench 'Service/plain' -benchtime 20000x -cpuprofile /tmp/svc.prof
//	go tool pprof -top -cum /tmp/svc.prof

const benchAESKey = "6D1N6og36xIaB48eo8WzMiyz9mlxxpIVgvEcDOFSsVI"

func benchAccount(mode wxsim.Mode) wxsim.Account {
	a := wxsim.Account{Token: "dev-token", AppID: "wxdemo", OriginalID: "gh_loadtest", Mode: mode}
	if mode == wxsim.Safe {
		a.EncodingAESKey = benchAESKey
	}
	return a
}

// drive sends b.N unique messages through h from parallel goroutines and
// checks that every answer is a real one.
func drive(b *testing.B, h http.Handler, acct wxsim.Account) {
	b.Helper()
	g, err := newGenerator(acct, "http://127.0.0.1/wechat", []string{"血常规多少钱"}, 1000, b.N+64, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetParallelism(16) // 32 goroutines on 2 cores, like the load command's 32 connections
	b.ResetTimer()
	cpu0 := selfCPU()
	defer func() {
		// CPU time per message is robust to other processes sharing the machine;
		// ns/op is not.
		b.ReportMetric(float64(selfCPU()-cpu0)/float64(b.N)/1e3, "cpu-µs/op")
	}()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			q, err := g.get()
			if err != nil {
				b.Error(err)
				return
			}
			req := httptest.NewRequest(http.MethodPost, q.url, bytes.NewReader(q.body))
			req.Header.Set("Content-Type", "text/xml")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK || strings.TrimSpace(rec.Body.String()) == "success" {
				b.Errorf("status %d, body %.80q", rec.Code, rec.Body.String())
				return
			}
		}
	})
}

func BenchmarkEcho(b *testing.B) {
	logrus.SetOutput(io.Discard)
	for _, mode := range []wxsim.Mode{wxsim.Plain, wxsim.Safe} {
		name := map[wxsim.Mode]string{wxsim.Plain: "plain", wxsim.Safe: "safe"}[mode]
		b.Run(name, func(b *testing.B) {
			acct := benchAccount(mode)
			h := echoHandler(options{token: acct.Token, appID: acct.AppID, aesKey: acct.EncodingAESKey})
			drive(b, h, acct)
		})
	}
}

// BenchmarkService runs the whole service (app.New, every route and
// middleware) per store backend. The store is wrapped to count the calls one
// message costs (printed with -v).
func BenchmarkService(b *testing.B) {
	for _, mode := range []wxsim.Mode{wxsim.Plain, wxsim.Safe} {
		for _, backend := range []string{"embedded", "memstore", "redis"} {
			name := map[wxsim.Mode]string{wxsim.Plain: "plain", wxsim.Safe: "safe"}[mode] + "/" + backend
			b.Run(name, func(b *testing.B) {
				benchService(b, mode, backend)
			})
		}
	}
}

func benchService(b *testing.B, mode wxsim.Mode, backend string) {
	acct := benchAccount(mode)
	cfg, err := config.Load("")
	if err != nil {
		b.Fatal(err)
	}
	cfg.Store.Path = filepath.Join(b.TempDir(), "wxbot.db")
	if mode == wxsim.Safe {
		cfg.WeChat.EncodingAESKey = acct.EncodingAESKey
		cfg.WeChat.AppID = acct.AppID
		cfg.WeChat.Outbox = true
	}
	ctx := context.Background()
	var st store.Store
	switch backend {
	case "memstore":
		st = memstore.New()
	case "redis":
		addr := os.Getenv("WXBOT_TEST_REDIS")
		if addr == "" {
			addr = "127.0.0.1:6379"
		}
		cfg.Store.Driver, cfg.Redis.Addr = "redis", addr
		cfg.Redis.Prefix = fmt.Sprintf("wxbotloadbench%d:", time.Now().UnixNano())
		st, err = app.OpenStore(ctx, cfg, zap.NewNop(), false)
		if err != nil {
			b.Skipf("redis not reachable at %s; start redis-server or set WXBOT_TEST_REDIS: %v", addr, err)
		}
		defer cleanRedis(b, addr, cfg.Redis.Prefix)
	default:
		st, err = app.OpenStore(ctx, cfg, zap.NewNop(), false)
		if err != nil {
			b.Fatal(err)
		}
		// As app.New does for the embedded store: minutes-long keys in memory.
		st = tiered.New(st, memstore.New(), app.VolatilePrefixes...)
	}
	cs := newCountStore(st)
	a, err := app.New(ctx, app.Options{Config: cfg, Store: cs, SkipBackground: true})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	defer a.Close()
	cs.reset()
	drive(b, a.Handler(), acct)
	b.StopTimer()
	var sb strings.Builder
	cs.report(&sb, b.N)
	b.Logf("store calls per message (%d messages):\n%s", b.N, sb.String())
}

// cleanRedis deletes the benchmark's keys.
func cleanRedis(b *testing.B, addr, prefix string) {
	c := redis.NewClient(&redis.Options{Addr: addr})
	defer c.Close()
	ctx := context.Background()
	iter := c.Scan(ctx, 0, prefix+"*", 1000).Iterator()
	var keys []string
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
	}
	for len(keys) > 0 {
		n := min(len(keys), 500)
		if err := c.Del(ctx, keys[:n]...).Err(); err != nil {
			b.Logf("clean redis: %v", err)
			return
		}
		keys = keys[n:]
	}
}
