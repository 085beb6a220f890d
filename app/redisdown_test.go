package app

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hospital/wxbot/internal/testenv"
	"github.com/hospital/wxbot/store/redisstore"
	"github.com/hospital/wxbot/wxsim"
)

// With Redis gone the webhook still answers what needs no store (a price
// question), /readyz says so, and everything works again when Redis returns.
func TestRedisDownAtRuntime(t *testing.T) {
	bin, _ := testenv.RedisBinaries(t)
	port := testenv.FreePort(t)
	srv := testenv.StartRedis(t, bin, port)
	addr := "127.0.0.1:" + strconv.Itoa(port)
	st, err := redisstore.New(redisstore.Options{Addrs: []string{addr},
		DialTimeout: 300 * time.Millisecond, ReadTimeout: 300 * time.Millisecond, WriteTimeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cfg := demoConfig(t)
	cfg.Store.Driver = "redis"
	a, hs := newApp(t, cfg, st, nil)
	c := &wxsim.Client{Account: wxsim.Account{Token: "dev-token", OriginalID: "gh_demo"}, URL: hs.URL + "/wechat"}
	ask := func(text string) string {
		t.Helper()
		r, err := c.SendText("redis-patient", text)
		if err != nil {
			t.Fatal(err)
		}
		return r.Content
	}
	item := a.Knowledge.Current().Prices[0].Name
	if r := ask(item + "多少钱"); !strings.Contains(r, item) {
		t.Fatalf("with Redis up: %q", r)
	}
	ready := func() int {
		resp, err := http.Get(hs.URL + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}

	srv.Process.Kill()
	srv.Wait()
	if r := ask(item + "多少钱"); !strings.Contains(r, item) {
		t.Errorf("with Redis down a price question must still be answered: %q", r)
	}
	if code := ready(); code != http.StatusServiceUnavailable {
		t.Errorf("readyz with Redis down: %d", code)
	}

	testenv.StartRedis(t, bin, port)
	deadline := time.Now().Add(10 * time.Second)
	for ready() != http.StatusOK {
		if time.Now().After(deadline) {
			t.Fatal("did not recover when Redis returned")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if r := ask("你好"); !strings.Contains(r, "投诉") {
		t.Errorf("after Redis returned: %q", r)
	}
	if ok, err := st.SetNX(context.Background(), "probe", []byte("1"), time.Minute); err != nil || !ok {
		t.Errorf("store after recovery: %v %v", ok, err)
	}
}
