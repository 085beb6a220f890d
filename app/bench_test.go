package app

import (
	"fmt"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/hospital/wxbot/store/memstore"
	"github.com/hospital/wxbot/wxsim"
)

// BenchmarkServiceText measures one price question through the whole service
// (webhook, dedup, bot with session, skills) in-process, on the embedded store
// and on an in-memory store, plaintext and safe mode.
func BenchmarkServiceText(b *testing.B) {
	for _, backend := range []string{"embedded", "memory"} {
		for _, safe := range []bool{false, true} {
			name := fmt.Sprintf("%s/plain", backend)
			if safe {
				name = fmt.Sprintf("%s/safe", backend)
			}
			b.Run(name, func(b *testing.B) {
				cfg := demoConfig(&testing.T{})
				cfg.Store.Path = b.TempDir() + "/wxbot.db"
				acct := wxsim.Account{Token: "dev-token", OriginalID: "gh_demo"}
				if safe {
					cfg.WeChat.AppID, cfg.WeChat.EncodingAESKey, cfg.WeChat.Outbox = "wxdemo", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", true
					acct.AppID, acct.EncodingAESKey, acct.Mode = "wxdemo", cfg.WeChat.EncodingAESKey, wxsim.Safe
				}
				opts := Options{Config: cfg, Log: zap.NewNop(), SkipBackground: true}
				if backend == "memory" {
					opts.Store = memstore.New()
				}
				a, err := New(b.Context(), opts)
				if err != nil {
					b.Fatal(err)
				}
				defer a.Close()
				h := a.Handler()
				now := time.Now()
				var id atomic.Int64
				b.ReportAllocs()
				b.ResetTimer()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						n := id.Add(1)
						user := fmt.Sprintf("bench-%d", n%1000)
						req, err := acct.Build(wxsim.Text("gh_demo", user, "血常规多少钱", n, now), user, now)
						if err != nil {
							b.Fatal(err)
						}
						w := httptest.NewRecorder()
						h.ServeHTTP(w, req.HTTP("http://svc/wechat"))
						if w.Code != 200 {
							b.Fatal(w.Code)
						}
					}
				})
			})
		}
	}
}
