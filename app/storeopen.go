package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/hospital/wxbot/clock"
	"github.com/hospital/wxbot/config"
	"github.com/hospital/wxbot/store"
	"github.com/hospital/wxbot/store/embedded"
	"github.com/hospital/wxbot/store/redisstore"
	"github.com/hospital/wxbot/store/remote"
)

// SocketPath is where a running server offers its embedded store to the
// command-line tools (the bbolt file is locked by the process that opened it).
func SocketPath(cfg *config.Config) string { return cfg.Store.Path + ".sock" }

// OpenStore opens the configured store. For the server (cli=false) a locked
// embedded file is an error naming the other process; for command-line tools it
// means a server is running, and they reach its store through its socket.
func OpenStore(ctx context.Context, cfg *config.Config, log *zap.Logger, cli bool) (store.Store, error) {
	switch cfg.Store.Driver {
	case "redis":
		addrs := cfg.Redis.Addrs
		if len(addrs) == 0 {
			addrs = []string{cfg.Redis.Addr}
		}
		st, err := redisstore.New(redisstore.Options{
			Addrs: addrs, MasterName: cfg.Redis.MasterName, Password: cfg.Redis.Password,
			DB: cfg.Redis.DB, Prefix: cfg.Redis.Prefix,
		})
		if err != nil {
			return nil, fmt.Errorf("redis.addr: %w", err)
		}
		pctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		defer cancel()
		if err := st.Ping(pctx); err != nil {
			st.Close()
			return nil, fmt.Errorf("redis.addr: Redis at %s is unreachable: %w", strings.Join(addrs, ","), err)
		}
		return st, nil
	case "embedded":
		timeout := time.Second
		if cli {
			timeout = 200 * time.Millisecond
		}
		st, err := embedded.Open(cfg.Store.Path, embedded.Options{Timeout: timeout, Clock: clock.System{}, Logger: log})
		if err == nil {
			return st, nil
		}
		if !errors.Is(err, embedded.ErrLocked) {
			return nil, fmt.Errorf("store.path: %w", err)
		}
		sock := SocketPath(cfg)
		if !cli {
			return nil, fmt.Errorf("store.path: %s is in use by another wxbot process (stop it, or use store.driver redis to run several instances): %w", cfg.Store.Path, err)
		}
		if _, serr := os.Stat(sock); serr != nil {
			return nil, fmt.Errorf("store.path: %s is locked by another process and no server socket at %s: %w", cfg.Store.Path, sock, err)
		}
		rs := remote.Dial(sock)
		pctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		defer cancel()
		if err := rs.Ping(pctx); err != nil {
			return nil, fmt.Errorf("store.path: %s is locked and the running server's socket %s does not answer: %w", cfg.Store.Path, sock, err)
		}
		log.Debug("embedded store in use by a running server; using its socket", zap.String("socket", sock))
		return rs, nil
	default:
		return nil, fmt.Errorf("store.driver: unknown driver %q", cfg.Store.Driver)
	}
}

// absDir makes sure the folder of path exists.
func absDir(path string) error {
	return os.MkdirAll(filepath.Dir(path), 0o755)
}
