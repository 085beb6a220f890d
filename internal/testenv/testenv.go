// Package testenv finds what tests need from the machine: a Redis server and
// the shared evaluation data. A test that needs Redis skips with a line saying
// how to run it — unless WXBOT_REQUIRE_REDIS=1 (set by .ci/run), where a
// missing Redis fails the test instead.
package testenv

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// RedisAddr returns the address of the test Redis (WXBOT_TEST_REDIS, default
// 127.0.0.1:6379). When nothing answers there the test is skipped, or failed
// under WXBOT_REQUIRE_REDIS=1.
func RedisAddr(t testing.TB) string {
	t.Helper()
	addr := os.Getenv("WXBOT_TEST_REDIS")
	if addr == "" {
		addr = "127.0.0.1:6379"
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", addr)
	if err == nil {
		c.Close()
		return addr
	}
	msg := "redis not reachable at " + addr + ": start one (redis-server --daemonize yes --port 6379 --save \"\") or set WXBOT_TEST_REDIS to run this test"
	if os.Getenv("WXBOT_REQUIRE_REDIS") == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// SharedDir returns the path of shared/<rel> found by walking up from the
// working directory (or $WXBOT_SHARED_DIR/<rel>); the test is skipped with a
// message when it is absent.
func SharedDir(t testing.TB, rel string) string {
	t.Helper()
	if p := FindShared(rel); p != "" {
		return p
	}
	t.Skipf("shared/%s not found above the working directory (set WXBOT_SHARED_DIR to the shared folder to run this test)", rel)
	return ""
}

// FindShared is SharedDir without the testing.TB: "" when absent.
func FindShared(rel string) string {
	if root := os.Getenv("WXBOT_SHARED_DIR"); root != "" {
		p := filepath.Join(root, rel)
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		p := filepath.Join(dir, "shared", rel)
		if _, err := os.Stat(p); err == nil {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}
