// Package faultstore wraps a store.Store so tests can make it fail on demand:
// every call, one method, or calls that match a rule (say, the HSet that
// stores a complaint). Faults apply to calls made after they are set; Heal
// clears them. Close is never failed, so test cleanup always works.
package faultstore

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/hospital/wxbot/store"
)

// Call describes one call to the store, for rules set with FailIf.
type Call struct {
	// Method is the store.Store method name, e.g. "HSet".
	Method string
	// Key is the first key (the queue name for queue methods; "" for Ping).
	Key string
}

// Store is a store.Store that passes calls to the wrapped store unless a fault
// says otherwise.
type Store struct {
	inner store.Store

	mu    sync.Mutex
	rules []func(Call) error
	calls map[string]int
}

var _ store.Store = (*Store)(nil)

// Wrap returns a faultless wrapper around s.
func Wrap(s store.Store) *Store {
	return &Store{inner: s, calls: map[string]int{}}
}

// Unwrap returns the wrapped store.
func (f *Store) Unwrap() store.Store { return f.inner }

// injected is the error used when a fault is set with a nil error: the store
// looks unreachable.
func injected(err error) error {
	if err == nil {
		return fmt.Errorf("faultstore: injected fault: %w", store.ErrUnavailable)
	}
	return err
}

// FailAll makes every call (but Close) return err; nil err means an error
// wrapping store.ErrUnavailable.
func (f *Store) FailAll(err error) {
	err = injected(err)
	f.FailIf(func(Call) error { return err })
}

// methods are the names of store.Store's methods.
var methods = func() map[string]bool {
	m := map[string]bool{}
	t := reflect.TypeFor[store.Store]()
	for i := 0; i < t.NumMethod(); i++ {
		m[t.Method(i).Name] = true
	}
	return m
}()

// FailOn makes calls of method (a store.Store method name such as "HSet")
// return err; nil err means an error wrapping store.ErrUnavailable. It panics on
// a name that is not a store.Store method, which is a bug in the test.
func (f *Store) FailOn(method string, err error) {
	if !methods[method] || method == "Close" {
		panic(fmt.Sprintf("faultstore: FailOn(%q): not a store.Store method", method))
	}
	err = injected(err)
	f.FailIf(func(c Call) error {
		if c.Method == method {
			return err
		}
		return nil
	})
}

// FailOnKey makes calls of method on keys starting with keyPrefix return err
// (nil err: store.ErrUnavailable).
func (f *Store) FailOnKey(method, keyPrefix string, err error) {
	if !methods[method] || method == "Close" {
		panic(fmt.Sprintf("faultstore: FailOnKey(%q): not a store.Store method", method))
	}
	err = injected(err)
	f.FailIf(func(c Call) error {
		if c.Method == method && strings.HasPrefix(c.Key, keyPrefix) {
			return err
		}
		return nil
	})
}

// FailIf adds a rule: a call for which rule returns an error fails with it
// without reaching the wrapped store.
func (f *Store) FailIf(rule func(Call) error) {
	f.mu.Lock()
	f.rules = append(f.rules, rule)
	f.mu.Unlock()
}

// Heal removes every fault.
func (f *Store) Heal() {
	f.mu.Lock()
	f.rules = nil
	f.mu.Unlock()
}

// Calls returns how many times method was called (failed calls included).
func (f *Store) Calls(method string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[method]
}

// check counts the call and returns the fault for it, if any.
func (f *Store) check(method, key string) error {
	f.mu.Lock()
	f.calls[method]++
	rules := f.rules
	f.mu.Unlock()
	for _, r := range rules {
		if err := r(Call{Method: method, Key: key}); err != nil {
			return fmt.Errorf("%s %q: %w", strings.ToLower(method), key, err)
		}
	}
	return nil
}

func first(keys []string) string {
	if len(keys) == 0 {
		return ""
	}
	return keys[0]
}

// Get implements store.Store.
func (f *Store) Get(ctx context.Context, key string) ([]byte, error) {
	if err := f.check("Get", key); err != nil {
		return nil, err
	}
	return f.inner.Get(ctx, key)
}

// Set implements store.Store.
func (f *Store) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if err := f.check("Set", key); err != nil {
		return err
	}
	return f.inner.Set(ctx, key, value, ttl)
}

// SetNX implements store.Store.
func (f *Store) SetNX(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	if err := f.check("SetNX", key); err != nil {
		return false, err
	}
	return f.inner.SetNX(ctx, key, value, ttl)
}

// CompareAndSwap implements store.Store.
func (f *Store) CompareAndSwap(ctx context.Context, key string, old, newValue []byte, ttl time.Duration) (bool, error) {
	if err := f.check("CompareAndSwap", key); err != nil {
		return false, err
	}
	return f.inner.CompareAndSwap(ctx, key, old, newValue, ttl)
}

// Delete implements store.Store.
func (f *Store) Delete(ctx context.Context, keys ...string) error {
	if err := f.check("Delete", first(keys)); err != nil {
		return err
	}
	return f.inner.Delete(ctx, keys...)
}

// DeleteIfEquals implements store.Store.
func (f *Store) DeleteIfEquals(ctx context.Context, key string, value []byte) (bool, error) {
	if err := f.check("DeleteIfEquals", key); err != nil {
		return false, err
	}
	return f.inner.DeleteIfEquals(ctx, key, value)
}

// Expire implements store.Store.
func (f *Store) Expire(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	if err := f.check("Expire", key); err != nil {
		return false, err
	}
	return f.inner.Expire(ctx, key, ttl)
}

// Incr implements store.Store.
func (f *Store) Incr(ctx context.Context, key string, delta int64) (int64, error) {
	if err := f.check("Incr", key); err != nil {
		return 0, err
	}
	return f.inner.Incr(ctx, key, delta)
}

// HSet implements store.Store.
func (f *Store) HSet(ctx context.Context, key, field string, value []byte) error {
	if err := f.check("HSet", key); err != nil {
		return err
	}
	return f.inner.HSet(ctx, key, field, value)
}

// HGet implements store.Store.
func (f *Store) HGet(ctx context.Context, key, field string) ([]byte, error) {
	if err := f.check("HGet", key); err != nil {
		return nil, err
	}
	return f.inner.HGet(ctx, key, field)
}

// HDel implements store.Store.
func (f *Store) HDel(ctx context.Context, key string, fields ...string) error {
	if err := f.check("HDel", key); err != nil {
		return err
	}
	return f.inner.HDel(ctx, key, fields...)
}

// HGetAll implements store.Store.
func (f *Store) HGetAll(ctx context.Context, key string) (map[string][]byte, error) {
	if err := f.check("HGetAll", key); err != nil {
		return nil, err
	}
	return f.inner.HGetAll(ctx, key)
}

// HIncr implements store.Store.
func (f *Store) HIncr(ctx context.Context, key, field string, delta int64) (int64, error) {
	if err := f.check("HIncr", key); err != nil {
		return 0, err
	}
	return f.inner.HIncr(ctx, key, field, delta)
}

// SAdd implements store.Store.
func (f *Store) SAdd(ctx context.Context, key string, members ...string) (int, error) {
	if err := f.check("SAdd", key); err != nil {
		return 0, err
	}
	return f.inner.SAdd(ctx, key, members...)
}

// SRem implements store.Store.
func (f *Store) SRem(ctx context.Context, key string, members ...string) (int, error) {
	if err := f.check("SRem", key); err != nil {
		return 0, err
	}
	return f.inner.SRem(ctx, key, members...)
}

// SIsMember implements store.Store.
func (f *Store) SIsMember(ctx context.Context, key, member string) (bool, error) {
	if err := f.check("SIsMember", key); err != nil {
		return false, err
	}
	return f.inner.SIsMember(ctx, key, member)
}

// SCard implements store.Store.
func (f *Store) SCard(ctx context.Context, key string) (int64, error) {
	if err := f.check("SCard", key); err != nil {
		return 0, err
	}
	return f.inner.SCard(ctx, key)
}

// SScan implements store.Store.
func (f *Store) SScan(ctx context.Context, key, cursor string, count int) ([]string, string, error) {
	if err := f.check("SScan", key); err != nil {
		return nil, "", err
	}
	return f.inner.SScan(ctx, key, cursor, count)
}

// RPush implements store.Store.
func (f *Store) RPush(ctx context.Context, key string, values ...[]byte) (int64, error) {
	if err := f.check("RPush", key); err != nil {
		return 0, err
	}
	return f.inner.RPush(ctx, key, values...)
}

// LRange implements store.Store.
func (f *Store) LRange(ctx context.Context, key string, start, stop int64) ([][]byte, error) {
	if err := f.check("LRange", key); err != nil {
		return nil, err
	}
	return f.inner.LRange(ctx, key, start, stop)
}

// LLen implements store.Store.
func (f *Store) LLen(ctx context.Context, key string) (int64, error) {
	if err := f.check("LLen", key); err != nil {
		return 0, err
	}
	return f.inner.LLen(ctx, key)
}

// LTrim implements store.Store.
func (f *Store) LTrim(ctx context.Context, key string, start, stop int64) error {
	if err := f.check("LTrim", key); err != nil {
		return err
	}
	return f.inner.LTrim(ctx, key, start, stop)
}

// Enqueue implements store.Store.
func (f *Store) Enqueue(ctx context.Context, queue string, items ...string) error {
	if err := f.check("Enqueue", queue); err != nil {
		return err
	}
	return f.inner.Enqueue(ctx, queue, items...)
}

// Claim implements store.Store.
func (f *Store) Claim(ctx context.Context, queue string, n int, lease time.Duration) ([]string, error) {
	if err := f.check("Claim", queue); err != nil {
		return nil, err
	}
	return f.inner.Claim(ctx, queue, n, lease)
}

// Ack implements store.Store.
func (f *Store) Ack(ctx context.Context, queue string, items ...string) error {
	if err := f.check("Ack", queue); err != nil {
		return err
	}
	return f.inner.Ack(ctx, queue, items...)
}

// Release implements store.Store.
func (f *Store) Release(ctx context.Context, queue string, items ...string) error {
	if err := f.check("Release", queue); err != nil {
		return err
	}
	return f.inner.Release(ctx, queue, items...)
}

// QueueLen implements store.Store.
func (f *Store) QueueLen(ctx context.Context, queue string) (int64, int64, error) {
	if err := f.check("QueueLen", queue); err != nil {
		return 0, 0, err
	}
	return f.inner.QueueLen(ctx, queue)
}

// Ping implements store.Store.
func (f *Store) Ping(ctx context.Context) error {
	if err := f.check("Ping", ""); err != nil {
		return err
	}
	return f.inner.Ping(ctx)
}

// Close closes the wrapped store; it is never failed.
func (f *Store) Close() error {
	f.mu.Lock()
	f.calls["Close"]++
	f.mu.Unlock()
	return f.inner.Close()
}
