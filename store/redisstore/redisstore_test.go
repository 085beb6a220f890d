package redisstore_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-redis/redis/v8"

	"github.com/hospital/wxbot/internal/testenv"
	"github.com/hospital/wxbot/store"
	"github.com/hospital/wxbot/store/redisstore"
	"github.com/hospital/wxbot/store/storetest"
)

// redisAddr returns the test Redis address; without one the test is skipped
// (failed under WXBOT_REQUIRE_REDIS=1).
func redisAddr(t testing.TB) string { return testenv.RedisAddr(t) }

// newPrefix returns a key prefix no other test uses.
func newPrefix(t testing.TB) string {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return "wxbot-test:" + hex.EncodeToString(b) + ":"
}

// cleanup deletes every key under prefix at the end of the test.
func cleanup(t testing.TB, addr, prefix string) {
	t.Cleanup(func() {
		c := redis.NewClient(&redis.Options{Addr: addr})
		defer c.Close()
		ctx := context.Background()
		iter := c.Scan(ctx, 0, prefix+"*", 1000).Iterator()
		var keys []string
		for iter.Next(ctx) {
			keys = append(keys, iter.Val())
		}
		if err := iter.Err(); err != nil {
			t.Errorf("clean up %s*: %v", prefix, err)
			return
		}
		for len(keys) > 0 {
			n := min(len(keys), 500)
			if err := c.Del(ctx, keys[:n]...).Err(); err != nil {
				t.Errorf("clean up %s*: %v", prefix, err)
				return
			}
			keys = keys[n:]
		}
	})
}

func newStore(t testing.TB, addr string) *redisstore.Store {
	t.Helper()
	prefix := newPrefix(t)
	cleanup(t, addr, prefix)
	s, err := redisstore.New(redisstore.Options{Addrs: []string{addr}, Prefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConformance(t *testing.T) {
	addr := redisAddr(t)
	storetest.Run(t, func(t *testing.T) store.Store { return newStore(t, addr) })
}

func TestKeysArePrefixed(t *testing.T) {
	addr := redisAddr(t)
	s := newStore(t, addr)
	defer s.Close()
	ctx := context.Background()
	if err := s.Set(ctx, "k", []byte("v"), 0); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"jobs", "push:{42}"} {
		if err := s.Enqueue(ctx, q, "a", "b"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Claim(ctx, q, 1, time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	c := s.Client()
	want := []string{"k", "{jobs}:w", "{jobs}:l", "{jobs}:seq", "push:{42}:w", "push:{42}:l", "push:{42}:seq"}
	for _, k := range want {
		n, err := c.Exists(ctx, s.Prefix()+k).Result()
		if err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Errorf("key %q not found in Redis", s.Prefix()+k)
		}
	}
}

func TestUnreachableIsUnavailable(t *testing.T) {
	s, err := redisstore.New(redisstore.Options{
		Addrs:       []string{"127.0.0.1:1"},
		DialTimeout: 200 * time.Millisecond, ReadTimeout: 200 * time.Millisecond, WriteTimeout: 200 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	if err := s.Ping(ctx); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("Ping of a closed port: %v; want ErrUnavailable", err)
	}
	if _, err := s.Get(ctx, "k"); !errors.Is(err, store.ErrUnavailable) || errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Get from a closed port: %v; want ErrUnavailable (not ErrNotFound)", err)
	}
	if _, err := s.Claim(ctx, "q", 1, time.Minute); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("Claim from a closed port: %v; want ErrUnavailable", err)
	}
	if _, err := s.CompareAndSwap(ctx, "k", nil, []byte("v"), 0); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("CompareAndSwap on a closed port: %v; want ErrUnavailable", err)
	}
}

func TestNewRejectsBadOptions(t *testing.T) {
	if _, err := redisstore.New(redisstore.Options{}); err == nil {
		t.Fatal("New without an address: no error")
	}
	if _, err := redisstore.New(redisstore.Options{Addrs: []string{"a:1", "b:1"}, DB: 2}); err == nil {
		t.Fatal("New for a cluster with db 2: no error")
	}
}

func TestRecoversWhenRedisReturns(t *testing.T) {
	bin, _ := testenv.RedisBinaries(t)
	port := testenv.FreePort(t)
	srv := testenv.StartRedis(t, bin, port)
	s, err := redisstore.New(redisstore.Options{
		Addrs:       []string{"127.0.0.1:" + strconv.Itoa(port)},
		DialTimeout: 300 * time.Millisecond, ReadTimeout: 300 * time.Millisecond, WriteTimeout: 300 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	if err := s.Set(ctx, "k", []byte("before"), 0); err != nil {
		t.Fatal(err)
	}

	srv.Process.Kill()
	srv.Wait()
	if _, err := s.Get(ctx, "k"); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("Get while Redis is down: %v; want ErrUnavailable", err)
	}
	if err := s.Ping(ctx); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("Ping while Redis is down: %v; want ErrUnavailable", err)
	}

	testenv.StartRedis(t, bin, port)
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("Ping after Redis came back: %v", err)
	}
	if err := s.Set(ctx, "k", []byte("after"), 0); err != nil {
		t.Fatalf("Set after Redis came back: %v", err)
	}
	if v, err := s.Get(ctx, "k"); err != nil || string(v) != "after" {
		t.Fatalf("Get after Redis came back = %q, %v; want after", v, err)
	}
}

// TestConformanceOnCluster runs the suite on a three-node Redis Cluster started
// for the test, which rejects any script or command whose keys span slots.
func TestConformanceOnCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Redis Cluster")
	}
	bin, cli := testenv.RedisBinaries(t)
	dir := t.TempDir()
	var addrs []string
	for i := 0; i < 3; i++ {
		port := testenv.FreePort(t)
		testenv.StartRedis(t, bin, port, "--cluster-enabled", "yes",
			"--cluster-config-file", filepath.Join(dir, "nodes-"+strconv.Itoa(port)+".conf"), "--dir", dir)
		addrs = append(addrs, "127.0.0.1:"+strconv.Itoa(port))
	}
	args := append([]string{"--cluster", "create"}, addrs...)
	args = append(args, "--cluster-replicas", "0", "--cluster-yes")
	if out, err := exec.Command(cli, args...).CombinedOutput(); err != nil {
		t.Fatalf("redis-cli --cluster create: %v\n%s", err, out)
	}
	c := redis.NewClient(&redis.Options{Addr: addrs[0]})
	defer c.Close()
	for deadline := time.Now().Add(20 * time.Second); ; {
		info, _ := c.ClusterInfo(context.Background()).Result()
		if strings.Contains(info, "cluster_state:ok") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("cluster not ready:\n%s", info)
		}
		time.Sleep(50 * time.Millisecond)
	}
	n := 0
	storetest.Run(t, func(t *testing.T) store.Store {
		n++
		s, err := redisstore.New(redisstore.Options{Addrs: addrs, Prefix: "t" + strconv.Itoa(n) + ":"})
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

// TestConformanceThroughSentinel runs the suite on a master found through a
// Redis Sentinel started for the test (Options.MasterName).
func TestConformanceThroughSentinel(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Redis and a Sentinel")
	}
	bin, _ := testenv.RedisBinaries(t)
	dir := t.TempDir()
	masterPort := testenv.FreePort(t)
	testenv.StartRedis(t, bin, masterPort, "--dir", dir)
	sentinelPort := testenv.FreePort(t)
	conf := filepath.Join(dir, "sentinel.conf")
	err := os.WriteFile(conf, []byte("port "+strconv.Itoa(sentinelPort)+"\nbind 127.0.0.1\n"+
		"sentinel monitor wxbot 127.0.0.1 "+strconv.Itoa(masterPort)+" 1\n"), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, conf, "--sentinel")
	if err := cmd.Start(); err != nil {
		t.Fatalf("start sentinel: %v", err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	sc := redis.NewSentinelClient(&redis.Options{Addr: "127.0.0.1:" + strconv.Itoa(sentinelPort), MaxRetries: -1})
	defer sc.Close()
	for deadline := time.Now().Add(10 * time.Second); ; {
		if addr, err := sc.GetMasterAddrByName(context.Background(), "wxbot").Result(); err == nil && len(addr) == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("sentinel did not learn the master")
		}
		time.Sleep(20 * time.Millisecond)
	}
	n := 0
	storetest.Run(t, func(t *testing.T) store.Store {
		n++
		s, err := redisstore.New(redisstore.Options{
			Addrs: []string{"127.0.0.1:" + strconv.Itoa(sentinelPort)}, MasterName: "wxbot",
			DB: 1, Prefix: "t" + strconv.Itoa(n) + ":",
		})
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}
