package app

import (
	"context"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"

	"go.uber.org/zap"

	"github.com/hospital/wxbot/config"
	"github.com/hospital/wxbot/evalrun"
	"github.com/hospital/wxbot/store/memstore"
	"github.com/hospital/wxbot/wxsim"
)

// Eval loads dir's data files into a throwaway in-memory store through the
// service's own import, starts the real HTTP handler, and plays dir's
// dialogs.json through POST /wechat as WeChat would (one user per dialogue).
// A turn's reply is the passive reply plus every message pushed to the user
// for it (the outbox).
func Eval(ctx context.Context, dir string, log *zap.Logger) (evalrun.Result, error) {
	return EvalDialogs(ctx, dir, filepath.Join(dir, "dialogs.json"), log)
}

// EvalDialogs is Eval with the dialogues read from dialogsPath.
func EvalDialogs(ctx context.Context, dir, dialogsPath string, log *zap.Logger) (evalrun.Result, error) {
	dialogs, err := evalrun.LoadDialogs(dialogsPath)
	if err != nil {
		return evalrun.Result{}, err
	}
	cfg, err := config.Load("")
	if err != nil {
		return evalrun.Result{}, err
	}
	cfg.Knowledge.Dir = dir
	cfg.WeChat.Token = "eval-token"
	cfg.WeChat.Outbox = true
	a, err := New(ctx, Options{Config: cfg, Log: log, Store: memstore.New(), SkipBackground: true})
	if err != nil {
		return evalrun.Result{}, fmt.Errorf("eval %s: %w", dir, err)
	}
	defer a.Close()
	srv := httptest.NewServer(a.Handler())
	defer srv.Close()
	say := WebhookSay(a, srv.URL+"/wechat")
	return evalrun.Run(ctx, dialogs, say), nil
}

// WebhookSay returns an evalrun.SayFunc that sends each line to the app's
// webhook at url as WeChat would and collects the passive reply and the
// messages pushed to that user meanwhile.
func WebhookSay(a *App, url string) evalrun.SayFunc {
	client := &wxsim.Client{Account: wxsim.Account{Token: a.Cfg.WeChat.Token, AppID: a.Cfg.WeChat.AppID, OriginalID: "gh_eval"}, URL: url}
	var mu sync.Mutex
	seen := map[string]int{}
	return func(ctx context.Context, user, text string) (string, error) {
		mu.Lock()
		defer mu.Unlock()
		r, err := client.SendText(user, text)
		if err != nil {
			return "", err
		}
		var parts []string
		if !r.Success && r.Content != "" {
			parts = append(parts, r.Content)
		}
		// Late answers and a transfer's text go out as customer-service messages.
		a.Webhook.Wait()
		if a.Outbox != nil {
			msgs, err := a.Outbox.Messages(ctx, user, seen[user])
			if err != nil {
				return "", err
			}
			seen[user] += len(msgs)
			for _, m := range msgs {
				parts = append(parts, m.Text)
			}
		}
		return strings.Join(parts, "\n"), nil
	}
}
