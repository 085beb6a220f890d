package wxapi_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/hospital/wxbot/store/redisstore"
	"github.com/hospital/wxbot/wxapi/fakewx"
)

// TestInstancesSharingRedisFetchTheTokenOnce is two service instances (two
// Redis connections, one key prefix) talking to one fake WeChat.
func TestInstancesSharingRedisFetchTheTokenOnce(t *testing.T) {
	addr := os.Getenv("WXBOT_TEST_REDIS")
	if addr == "" {
		addr = "127.0.0.1:6379"
	}
	prefix := fmt.Sprintf("wxapitest:%d:", time.Now().UnixNano())
	open := func() *redisstore.Store {
		st, err := redisstore.New(redisstore.Options{Addrs: []string{addr}, Prefix: prefix, DialTimeout: time.Second})
		if err != nil {
			t.Skipf("redis not reachable at %s (%v); start redis-server or set WXBOT_TEST_REDIS to run this test", addr, err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if err := st.Ping(ctx); err != nil {
			st.Close()
			t.Skipf("redis not reachable at %s (%v); start redis-server or set WXBOT_TEST_REDIS to run this test", addr, err)
		}
		return st
	}
	st1, st2 := open(), open()
	t.Cleanup(func() {
		_ = st1.Delete(context.Background(), "wxapi:cache:gowechat_officialaccount__stable_access_token_wx_test_app")
		st1.Close()
		st2.Close()
	})

	f := newFake(t)
	a := newClient(t, f, st1, 0)
	b := newClient(t, f, st2, 0)
	ctx := context.Background()
	if err := a.SendText(ctx, "oA", "甲"); err != nil {
		t.Fatal(err)
	}
	if err := b.SendText(ctx, "oB", "乙"); err != nil {
		t.Fatal(err)
	}
	if n := len(f.Calls(fakewx.APIStableToken)); n != 1 {
		t.Errorf("stable_token calls = %d, want 1 (token shared through Redis)", n)
	}

	// One instance meets a rotated token, drops it from Redis and fetches a new
	// one; the other then uses the new one without another fetch.
	f.InvalidateTokens()
	if err := a.SendText(ctx, "oA", "丙"); err != nil {
		t.Fatal(err)
	}
	if err := b.SendText(ctx, "oB", "丁"); err != nil {
		t.Fatal(err)
	}
	if n := len(f.Calls(fakewx.APIStableToken)); n != 2 {
		t.Errorf("stable_token calls after rotation = %d, want 2", n)
	}
}
