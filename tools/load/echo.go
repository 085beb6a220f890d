package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/silenceper/wechat/v2/officialaccount"
	oaconfig "github.com/silenceper/wechat/v2/officialaccount/config"
	"github.com/silenceper/wechat/v2/officialaccount/message"
	"github.com/sirupsen/logrus"

	"github.com/hospital/wxbot/wxsim"
)

// noCache satisfies the SDK's cache.Cache; the echo handler never needs an
// access token, and the SDK's own memory cache is not safe for concurrent use.
type noCache struct{}

func (noCache) Get(string) interface{}                       { return nil }
func (noCache) Set(string, interface{}, time.Duration) error { return nil }
func (noCache) IsExist(string) bool                          { return false }
func (noCache) Delete(string) error                          { return nil }

// echoHandler is the bare SDK webhook: verify (and decrypt), answer the text
// back (encrypted in safe mode). It is the floor the service is compared to.
func echoHandler(o options) http.Handler {
	oa := officialaccount.NewOfficialAccount(&oaconfig.Config{
		AppID: o.appID, Token: o.token, EncodingAESKey: o.aesKey, Cache: noCache{},
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		srv := oa.GetServer(r, w)
		srv.SetMessageHandler(func(m *message.MixMessage) *message.Reply {
			return &message.Reply{MsgType: message.MsgTypeText, MsgData: message.NewText(m.Content)}
		})
		if err := srv.Serve(); err != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		if err := srv.Send(); err != nil {
			http.Error(w, "reply failed", http.StatusInternalServerError)
		}
	})
}

// runEcho serves the echo handler on o.echoAddr until ctx ends. Plaintext
// requests are answered in plaintext; with --aes-key, requests with
// encrypt_type=aes are decrypted and answered encrypted (the SDK decides per
// request, as in the service).
func runEcho(ctx context.Context, o options) error {
	logrus.SetOutput(io.Discard)
	if o.aesKey != "" {
		if _, err := wxsim.AESKey(o.aesKey); err != nil {
			return fmt.Errorf("--aes-key: %w", err)
		}
	}
	mux := http.NewServeMux()
	mux.Handle("/wechat", echoHandler(o))
	ln, err := net.Listen("tcp", o.echoAddr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", o.echoAddr, err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second}
	mode := "plaintext"
	if o.aesKey != "" {
		mode = "plaintext and safe (AppID " + o.appID + ")"
	}
	fmt.Fprintf(os.Stderr, "echo server on http://%s/wechat, token %q, %s\n", ln.Addr(), o.token, mode)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	}
}
