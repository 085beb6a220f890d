package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/hospital/wxbot/app"
	"github.com/hospital/wxbot/config"
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
	g, err := newGenerator(acct, "http://127.0.0.1/wechat", "血常规多少钱", 1000, b.N+64, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
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

func BenchmarkService(b *testing.B) {
	for _, mode := range []wxsim.Mode{wxsim.Plain, wxsim.Safe} {
		name := map[wxsim.Mode]string{wxsim.Plain: "plain", wxsim.Safe: "safe"}[mode]
		b.Run(name, func(b *testing.B) {
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
			a, err := app.New(context.Background(), app.Options{Config: cfg, SkipBackground: true})
			if err != nil {
				b.Fatal(err)
			}
			defer a.Close()
			drive(b, a.Handler(), acct)
		})
	}
}
