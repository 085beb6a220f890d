package app

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hospital/wxbot/store/faultstore"
	"github.com/hospital/wxbot/store/memstore"
	"github.com/hospital/wxbot/wxsim"
)

// An answer over the reply budget: WeChat receives `success`, complete on the
// wire, within the budget while the bot is still working (the store answers
// slowly); the answer follows as a customer-service message.
func TestSlowAnswerAnswersWeChatWithinTheBudget(t *testing.T) {
	cfg := demoConfig(t)
	cfg.WeChat.ReplyBudget = 100 * time.Millisecond
	const storeDelay = 1500 * time.Millisecond
	fs := faultstore.Wrap(memstore.New())
	fs.FailIf(func(c faultstore.Call) error {
		if c.Method == "Get" && strings.HasPrefix(c.Key, "bot:sess:slow") {
			time.Sleep(storeDelay)
		}
		return nil
	})
	a, srv := newApp(t, cfg, fs, nil)
	acct := wxsim.Account{Token: "dev-token", OriginalID: "gh_demo"}
	now := time.Now()
	req, err := acct.Build(wxsim.Text("gh_demo", "slow-1", "血常规多少钱", now.UnixNano(), now), "slow-1", now)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	resp, err := http.DefaultClient.Do(req.HTTP(srv.URL + "/wechat"))
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	took := time.Since(start)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || string(body) != "success" {
		t.Fatalf("answered %d %q, want 200 success", resp.StatusCode, body)
	}
	if took >= storeDelay {
		t.Errorf("WeChat got its answer after %v, only when the bot was done; want it within the budget", took)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		msgs, err := a.Outbox.Messages(context.Background(), "slow-1", 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(msgs) > 0 {
			if !strings.Contains(msgs[0].Text, "血常规") {
				t.Errorf("late answer %q", msgs[0].Text)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the late answer never reached the patient")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// On one machine (embedded store) WeChat's retries are remembered in memory:
// the same message delivered three times, twice at once, is answered once.
func TestRetriesAnsweredOnceOnOneMachine(t *testing.T) {
	_, srv := newApp(t, demoConfig(t), nil, nil)
	c := &wxsim.Client{Account: wxsim.Account{Token: "dev-token", OriginalID: "gh_demo"}, URL: srv.URL + "/wechat"}
	now := time.Now()
	msg := wxsim.Text("gh_demo", "retry-user", "血常规多少钱", now.UnixNano(), now)
	answers := make(chan bool, 3)
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, _, err := c.Send(msg, "retry-user")
			if err != nil {
				t.Error(err)
			}
			answers <- !r.Success
		}()
	}
	wg.Wait()
	r, _, err := c.Send(msg, "retry-user")
	if err != nil {
		t.Fatal(err)
	}
	answers <- !r.Success
	close(answers)
	real := 0
	for a := range answers {
		if a {
			real++
		}
	}
	if real != 1 {
		t.Errorf("%d real answers to one message delivered three times, want 1", real)
	}
}
