// Package testenv finds what tests need from the machine: a Redis server and
// the shared evaluation data. A test that needs Redis skips with a line saying
// how to run it — unless WXBOT_REQUIRE_REDIS=1 (set by .ci/run), where a
// missing Redis fails the test instead.
package testenv

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
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

// RedisBinaries returns the paths of redis-server and redis-cli, skipping the
// test when they are not on PATH (failing under WXBOT_REQUIRE_REDIS=1).
func RedisBinaries(t testing.TB) (server, cli string) {
	t.Helper()
	server, err1 := exec.LookPath("redis-server")
	cli, err2 := exec.LookPath("redis-cli")
	if err1 != nil || err2 != nil {
		msg := "redis-server and redis-cli not on PATH; install Redis to run this test"
		if os.Getenv("WXBOT_REQUIRE_REDIS") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return server, cli
}

// FreePort returns a TCP port nothing listens on right now.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// StartRedis runs a throwaway redis-server on port (killed at the end of the
// test) and waits until it answers PING.
func StartRedis(t testing.TB, bin string, port int, extra ...string) *exec.Cmd {
	t.Helper()
	args := append([]string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"}, extra...)
	cmd := exec.Command(bin, args...)
	if err := cmd.Start(); err != nil {
		t.Fatalf("start redis-server: %v", err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	addr := "127.0.0.1:" + strconv.Itoa(port)
	for deadline := time.Now().Add(10 * time.Second); ; {
		if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
			c.SetDeadline(time.Now().Add(time.Second))
			_, werr := c.Write([]byte("PING\r\n"))
			buf := make([]byte, 7)
			n, _ := c.Read(buf)
			c.Close()
			if werr == nil && strings.HasPrefix(string(buf[:n]), "+PONG") {
				return cmd
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("redis-server on port %d did not answer", port)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
