package wxapi

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/silenceper/wechat/v2/cache"
	"go.uber.org/zap"

	"github.com/hospital/wxbot/store"
)

// tokenCacheKeyPrefix namespaces the SDK's cache keys inside the store.
const tokenCacheKeyPrefix = "wxapi:cache:"

// storeCache implements the SDK's cache.Cache on store.Store, so every instance
// of the service sharing a store (Redis) shares the access token. The SDK's own
// memory cache is not safe for concurrent use.
type storeCache struct {
	st      store.Store
	log     *zap.Logger
	timeout time.Duration
}

var _ cache.Cache = (*storeCache)(nil)

func (c *storeCache) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), c.timeout)
}

// Get returns the cached string, or nil when missing or unreadable (the SDK then
// fetches a new token, which is harmless with the stable-token API).
func (c *storeCache) Get(key string) interface{} {
	ctx, cancel := c.ctx()
	defer cancel()
	b, err := c.st.Get(ctx, tokenCacheKeyPrefix+key)
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			c.log.Warn("wechat token cache read failed", zap.Error(err))
		}
		return nil
	}
	return string(b)
}

// Set stores a string (or []byte) value. A non-positive timeout means the value
// is already stale: it is not cached.
func (c *storeCache) Set(key string, val interface{}, timeout time.Duration) error {
	var b []byte
	switch v := val.(type) {
	case string:
		b = []byte(v)
	case []byte:
		b = v
	default:
		return fmt.Errorf("wechat token cache: unsupported value type %T", val)
	}
	ctx, cancel := c.ctx()
	defer cancel()
	if timeout <= 0 {
		return c.st.Delete(ctx, tokenCacheKeyPrefix+key)
	}
	if err := c.st.Set(ctx, tokenCacheKeyPrefix+key, b, timeout); err != nil {
		return fmt.Errorf("wechat token cache set: %w", err)
	}
	return nil
}

// IsExist reports whether key holds a value.
func (c *storeCache) IsExist(key string) bool {
	return c.Get(key) != nil
}

// Delete removes key.
func (c *storeCache) Delete(key string) error {
	ctx, cancel := c.ctx()
	defer cancel()
	if err := c.st.Delete(ctx, tokenCacheKeyPrefix+key); err != nil {
		return fmt.Errorf("wechat token cache delete: %w", err)
	}
	return nil
}
