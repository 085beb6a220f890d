package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"sync"
	"time"

	"github.com/hospital/wxbot/store"
)

// countStore wraps a store and counts every call and the time spent in it, to
// show how many store round trips (and, on the embedded store, commits) one
// message costs.
type countStore struct {
	store.Store
	mu    sync.Mutex
	calls map[string]*opStat
}

type opStat struct {
	n     int
	spent time.Duration
}

func newCountStore(s store.Store) *countStore {
	return &countStore{Store: s, calls: map[string]*opStat{}}
}

func (c *countStore) note(op string, t0 time.Time) {
	d := time.Since(t0)
	c.mu.Lock()
	s := c.calls[op]
	if s == nil {
		s = &opStat{}
		c.calls[op] = s
	}
	s.n++
	s.spent += d
	c.mu.Unlock()
}

func (c *countStore) reset() {
	c.mu.Lock()
	c.calls = map[string]*opStat{}
	c.mu.Unlock()
}

// report writes calls per message and mean latency per call.
func (c *countStore) report(w io.Writer, messages int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ops := make([]string, 0, len(c.calls))
	for op := range c.calls {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	for _, op := range ops {
		s := c.calls[op]
		fmt.Fprintf(w, "  store %-14s %6.2f calls/message  mean %8s\n", op, float64(s.n)/float64(messages), (s.spent / time.Duration(s.n)).Round(time.Microsecond))
	}
}

func (c *countStore) Get(ctx context.Context, key string) ([]byte, error) {
	defer c.note("Get", time.Now())
	return c.Store.Get(ctx, key)
}
func (c *countStore) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	defer c.note("Set", time.Now())
	return c.Store.Set(ctx, key, value, ttl)
}
func (c *countStore) SetNX(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	defer c.note("SetNX", time.Now())
	return c.Store.SetNX(ctx, key, value, ttl)
}
func (c *countStore) CompareAndSwap(ctx context.Context, key string, old, newValue []byte, ttl time.Duration) (bool, error) {
	defer c.note("CompareAndSwap", time.Now())
	return c.Store.CompareAndSwap(ctx, key, old, newValue, ttl)
}
func (c *countStore) Delete(ctx context.Context, keys ...string) error {
	defer c.note("Delete", time.Now())
	return c.Store.Delete(ctx, keys...)
}
func (c *countStore) DeleteIfEquals(ctx context.Context, key string, value []byte) (bool, error) {
	defer c.note("DeleteIfEquals", time.Now())
	return c.Store.DeleteIfEquals(ctx, key, value)
}
func (c *countStore) Expire(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	defer c.note("Expire", time.Now())
	return c.Store.Expire(ctx, key, ttl)
}
func (c *countStore) Incr(ctx context.Context, key string, delta int64) (int64, error) {
	defer c.note("Incr", time.Now())
	return c.Store.Incr(ctx, key, delta)
}
func (c *countStore) HSet(ctx context.Context, key, field string, value []byte) error {
	defer c.note("HSet", time.Now())
	return c.Store.HSet(ctx, key, field, value)
}
func (c *countStore) HGet(ctx context.Context, key, field string) ([]byte, error) {
	defer c.note("HGet", time.Now())
	return c.Store.HGet(ctx, key, field)
}
func (c *countStore) HDel(ctx context.Context, key string, fields ...string) error {
	defer c.note("HDel", time.Now())
	return c.Store.HDel(ctx, key, fields...)
}
func (c *countStore) HGetAll(ctx context.Context, key string) (map[string][]byte, error) {
	defer c.note("HGetAll", time.Now())
	return c.Store.HGetAll(ctx, key)
}
func (c *countStore) HIncr(ctx context.Context, key, field string, delta int64) (int64, error) {
	defer c.note("HIncr", time.Now())
	return c.Store.HIncr(ctx, key, field, delta)
}
func (c *countStore) SAdd(ctx context.Context, key string, members ...string) (int, error) {
	defer c.note("SAdd", time.Now())
	return c.Store.SAdd(ctx, key, members...)
}
func (c *countStore) SRem(ctx context.Context, key string, members ...string) (int, error) {
	defer c.note("SRem", time.Now())
	return c.Store.SRem(ctx, key, members...)
}
func (c *countStore) SIsMember(ctx context.Context, key, member string) (bool, error) {
	defer c.note("SIsMember", time.Now())
	return c.Store.SIsMember(ctx, key, member)
}
func (c *countStore) SCard(ctx context.Context, key string) (int64, error) {
	defer c.note("SCard", time.Now())
	return c.Store.SCard(ctx, key)
}
func (c *countStore) SScan(ctx context.Context, key, cursor string, count int) ([]string, string, error) {
	defer c.note("SScan", time.Now())
	return c.Store.SScan(ctx, key, cursor, count)
}
func (c *countStore) RPush(ctx context.Context, key string, values ...[]byte) (int64, error) {
	defer c.note("RPush", time.Now())
	return c.Store.RPush(ctx, key, values...)
}
func (c *countStore) LRange(ctx context.Context, key string, start, stop int64) ([][]byte, error) {
	defer c.note("LRange", time.Now())
	return c.Store.LRange(ctx, key, start, stop)
}
func (c *countStore) LLen(ctx context.Context, key string) (int64, error) {
	defer c.note("LLen", time.Now())
	return c.Store.LLen(ctx, key)
}
func (c *countStore) LTrim(ctx context.Context, key string, start, stop int64) error {
	defer c.note("LTrim", time.Now())
	return c.Store.LTrim(ctx, key, start, stop)
}
func (c *countStore) Enqueue(ctx context.Context, queue string, items ...string) error {
	defer c.note("Enqueue", time.Now())
	return c.Store.Enqueue(ctx, queue, items...)
}
func (c *countStore) Claim(ctx context.Context, queue string, n int, lease time.Duration) ([]string, error) {
	defer c.note("Claim", time.Now())
	return c.Store.Claim(ctx, queue, n, lease)
}
func (c *countStore) Ack(ctx context.Context, queue string, items ...string) error {
	defer c.note("Ack", time.Now())
	return c.Store.Ack(ctx, queue, items...)
}
func (c *countStore) Release(ctx context.Context, queue string, items ...string) error {
	defer c.note("Release", time.Now())
	return c.Store.Release(ctx, queue, items...)
}
func (c *countStore) QueueLen(ctx context.Context, queue string) (int64, int64, error) {
	defer c.note("QueueLen", time.Now())
	return c.Store.QueueLen(ctx, queue)
}
