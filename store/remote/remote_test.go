package remote_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hospital/wxbot/clock"
	"github.com/hospital/wxbot/store"
	"github.com/hospital/wxbot/store/embedded"
	"github.com/hospital/wxbot/store/faultstore"
	"github.com/hospital/wxbot/store/memstore"
	"github.com/hospital/wxbot/store/remote"
	"github.com/hospital/wxbot/store/storetest"
)

// socketPath returns a short socket path (unix socket paths are limited to
// about 100 bytes) in a folder removed after the test.
func socketPath(t *testing.T) string {
	dir, err := os.MkdirTemp("", "wxs")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return filepath.Join(dir, "store.sock")
}

// serve serves s on a new unix socket and returns its path.
func serve(t *testing.T, s store.Store) string {
	t.Helper()
	path := socketPath(t)
	l, err := remote.Listen(path)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(remote.Handler(s))
	srv.Listener.Close()
	srv.Listener = l
	srv.Start()
	t.Cleanup(srv.Close)
	return path
}

func TestConformance(t *testing.T) {
	storetest.RunWithClock(t, func(t *testing.T, clk *clock.Fake) store.Store {
		backend := memstore.NewWithClock(clk)
		t.Cleanup(func() { backend.Close() })
		return remote.Dial(serve(t, backend))
	})
}

var ctx = context.Background()

func TestCommandUsesStoreOfRunningServer(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "wxbot.db")
	held, err := embedded.Open(dbPath, embedded.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	sock := serve(t, held)

	// A second process cannot open the file...
	if _, err := embedded.Open(dbPath, embedded.Options{Timeout: 50 * time.Millisecond}); !errors.Is(err, embedded.ErrLocked) {
		t.Fatalf("second Open: %v; want ErrLocked", err)
	}
	// ...but reaches the same data through the server.
	c := remote.Dial(sock)
	defer c.Close()
	if err := c.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.HSet(ctx, "staff", "张医生", []byte(`{"roles":["editor"]}`)); err != nil {
		t.Fatal(err)
	}
	v, err := held.HGet(ctx, "staff", "张医生")
	if err != nil || string(v) != `{"roles":["editor"]}` {
		t.Fatalf("server's store after a remote HSet = %q, %v", v, err)
	}
}

func TestNoServerIsUnavailable(t *testing.T) {
	c := remote.Dial(filepath.Join(t.TempDir(), "nobody.sock"))
	defer c.Close()
	if err := c.Ping(ctx); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("Ping without a server: %v; want ErrUnavailable", err)
	}
	if _, err := c.Get(ctx, "k"); !errors.Is(err, store.ErrUnavailable) || errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Get without a server: %v; want ErrUnavailable", err)
	}
}

func TestErrorsCrossTheWire(t *testing.T) {
	f := faultstore.Wrap(memstore.New())
	defer f.Close()
	c := remote.Dial(serve(t, f))
	defer c.Close()

	f.FailOn("Get", nil)
	if _, err := c.Get(ctx, "k"); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("Get with the server's store down: %v; want ErrUnavailable", err)
	}
	f.Heal()
	if _, err := c.Get(ctx, "k"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Get of a missing key: %v; want ErrNotFound", err)
	}
	f.FailOn("Incr", errors.New("value is not an integer"))
	_, err := c.Incr(ctx, "k", 1)
	if err == nil || errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("Incr with a plain failure: %v; want a plain error", err)
	}
	if !strings.Contains(err.Error(), "value is not an integer") {
		t.Fatalf("Incr error %q lost the server's message", err)
	}
}

func TestHandlerRejectsBadRequests(t *testing.T) {
	h := remote.Handler(memstore.New())
	cases := []struct {
		method, path, body string
		status             int
	}{
		{http.MethodGet, "/v1/Get", "", http.StatusMethodNotAllowed},
		{http.MethodPost, "/v1/Nope", "{}", http.StatusNotFound},
		{http.MethodPost, "/v1/Close", "{}", http.StatusNotFound},
		{http.MethodPost, "/Get", "{}", http.StatusNotFound},
		{http.MethodPost, "/v1/Get", "{not json", http.StatusBadRequest},
	}
	for _, c := range cases {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(c.method, c.path, strings.NewReader(c.body)))
		if rec.Code != c.status {
			t.Errorf("%s %s: status %d; want %d", c.method, c.path, rec.Code, c.status)
		}
		if !strings.Contains(rec.Body.String(), `"error"`) {
			t.Errorf("%s %s: body %q is not an error object", c.method, c.path, rec.Body.String())
		}
	}
}

func TestListen(t *testing.T) {
	path := socketPath(t)
	l, err := remote.Listen(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("socket mode %v; want 0600", fi.Mode().Perm())
	}
	if _, err := remote.Listen(path); err == nil {
		t.Fatal("Listen on a socket a live server holds: no error")
	}
	l.Close()
	// A socket file left behind (as after a crash) is replaced.
	stale, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	stale.(*net.UnixListener).SetUnlinkOnClose(false)
	stale.Close()
	if _, err := os.Lstat(path); err != nil {
		t.Fatalf("stale socket not left behind: %v", err)
	}
	l, err = remote.Listen(path)
	if err != nil {
		t.Fatalf("Listen over a stale socket file: %v", err)
	}
	l.Close()

	// Any other file is left alone.
	other := filepath.Join(filepath.Dir(path), "wxbot.db")
	if err := os.WriteFile(other, []byte("data"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := remote.Listen(other); err == nil {
		t.Fatal("Listen over a regular file: no error")
	}
	if b, err := os.ReadFile(other); err != nil || string(b) != "data" {
		t.Fatalf("regular file after Listen = %q, %v; want it untouched", b, err)
	}
}
