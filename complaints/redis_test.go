package complaints

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/hospital/wxbot/clock"
	"github.com/hospital/wxbot/store/redisstore"
)

// redisStore opens a Redis store with a unique prefix, skipping the test when
// Redis does not answer; the prefix's keys are removed afterwards.
func redisStore(t *testing.T, prefix string) *redisstore.Store {
	t.Helper()
	addr := os.Getenv("WXBOT_TEST_REDIS")
	if addr == "" {
		addr = "127.0.0.1:6379"
	}
	st, err := redisstore.New(redisstore.Options{Addrs: []string{addr}, Prefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := st.Ping(ctx); err != nil {
		st.Close()
		t.Skipf("redis not reachable at %s; start redis-server or set WXBOT_TEST_REDIS to run this test", addr)
	}
	t.Cleanup(func() {
		ctx := context.Background()
		c := st.Client()
		var cursor uint64
		for {
			keys, next, err := c.Scan(ctx, cursor, prefix+"*", 500).Result()
			if err != nil {
				break
			}
			if len(keys) > 0 {
				c.Del(ctx, keys...)
			}
			if cursor = next; cursor == 0 {
				break
			}
		}
		st.Close()
	})
	return st
}

// Two instances, each with its own Redis connection, file complaints at once:
// every number is unique and every ticket is listed by both.
func TestTwoInstancesOnRedisGiveUniqueNumbers(t *testing.T) {
	prefix := fmt.Sprintf("wxbot-test-complaints-%d:", time.Now().UnixNano())
	clk := clock.NewFake(start)
	a := newHarnessOn(t, clk, redisStore(t, prefix))
	b := newHarnessOn(t, clk, redisStore(t, prefix))
	const each = 20
	var (
		mu      sync.Mutex
		numbers = map[string]bool{}
		wg      sync.WaitGroup
	)
	for i := range each {
		for j, h := range []*harness{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n, err := h.svc.Submit(h.ctx, &Draft{OpenID: fmt.Sprintf("r-%d-%d", j, i), Description: desc})
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				defer mu.Unlock()
				if numbers[n] {
					t.Errorf("number %s given twice", n)
				}
				numbers[n] = true
			}()
		}
	}
	wg.Wait()
	if len(numbers) != 2*each {
		t.Errorf("%d unique numbers, want %d", len(numbers), 2*each)
	}
	if n := len(b.tickets()); n != 2*each {
		t.Errorf("instance b lists %d tickets, want %d", n, 2*each)
	}
}
