// Package tiered keeps short-lived keys in a fast store and everything else in
// a durable one. With the embedded (bbolt) store every write is an fsync; keys
// that only matter for minutes — WeChat dedup ids, conversation sessions, the
// customer-service window — are kept in memory instead, so a patient's message
// costs no disk write unless it changes lasting data. Only for a single
// instance: several instances share Redis, where everything is fast.
package tiered

import (
	"context"
	"strings"
	"time"

	"github.com/hospital/wxbot/store"
)

// Store routes each key to Fast when it starts with one of the prefixes, to
// Durable otherwise.
type Store struct {
	durable, fast store.Store
	prefixes      []string
}

var _ store.Store = (*Store)(nil)

// New returns a Store sending keys that start with one of prefixes to fast.
func New(durable, fast store.Store, prefixes ...string) *Store {
	return &Store{durable: durable, fast: fast, prefixes: prefixes}
}

func (s *Store) pick(key string) store.Store {
	for _, p := range s.prefixes {
		if strings.HasPrefix(key, p) {
			return s.fast
		}
	}
	return s.durable
}

// Get reads key from its tier.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	return s.pick(key).Get(ctx, key)
}

// Set writes key to its tier.
func (s *Store) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	return s.pick(key).Set(ctx, key, value, ttl)
}

// SetNX writes key to its tier if absent.
func (s *Store) SetNX(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	return s.pick(key).SetNX(ctx, key, value, ttl)
}

// CompareAndSwap swaps key in its tier.
func (s *Store) CompareAndSwap(ctx context.Context, key string, old, newValue []byte, ttl time.Duration) (bool, error) {
	return s.pick(key).CompareAndSwap(ctx, key, old, newValue, ttl)
}

// Delete removes keys from their tiers.
func (s *Store) Delete(ctx context.Context, keys ...string) error {
	var fast, durable []string
	for _, k := range keys {
		if s.pick(k) == s.fast {
			fast = append(fast, k)
		} else {
			durable = append(durable, k)
		}
	}
	if len(fast) > 0 {
		if err := s.fast.Delete(ctx, fast...); err != nil {
			return err
		}
	}
	if len(durable) > 0 {
		return s.durable.Delete(ctx, durable...)
	}
	return nil
}

// DeleteIfEquals removes key from its tier when it holds value.
func (s *Store) DeleteIfEquals(ctx context.Context, key string, value []byte) (bool, error) {
	return s.pick(key).DeleteIfEquals(ctx, key, value)
}

// Expire sets key's TTL in its tier.
func (s *Store) Expire(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	return s.pick(key).Expire(ctx, key, ttl)
}

// Incr adds to a counter in its tier.
func (s *Store) Incr(ctx context.Context, key string, delta int64) (int64, error) {
	return s.pick(key).Incr(ctx, key, delta)
}

// HSet sets a hash field in the hash's tier.
func (s *Store) HSet(ctx context.Context, key, field string, value []byte) error {
	return s.pick(key).HSet(ctx, key, field, value)
}

// HGet reads a hash field.
func (s *Store) HGet(ctx context.Context, key, field string) ([]byte, error) {
	return s.pick(key).HGet(ctx, key, field)
}

// HDel removes hash fields.
func (s *Store) HDel(ctx context.Context, key string, fields ...string) error {
	return s.pick(key).HDel(ctx, key, fields...)
}

// HGetAll reads a whole hash.
func (s *Store) HGetAll(ctx context.Context, key string) (map[string][]byte, error) {
	return s.pick(key).HGetAll(ctx, key)
}

// HIncr adds to a hash field.
func (s *Store) HIncr(ctx context.Context, key, field string, delta int64) (int64, error) {
	return s.pick(key).HIncr(ctx, key, field, delta)
}

// SAdd adds set members.
func (s *Store) SAdd(ctx context.Context, key string, members ...string) (int, error) {
	return s.pick(key).SAdd(ctx, key, members...)
}

// SRem removes set members.
func (s *Store) SRem(ctx context.Context, key string, members ...string) (int, error) {
	return s.pick(key).SRem(ctx, key, members...)
}

// SIsMember tests set membership.
func (s *Store) SIsMember(ctx context.Context, key, member string) (bool, error) {
	return s.pick(key).SIsMember(ctx, key, member)
}

// SCard counts set members.
func (s *Store) SCard(ctx context.Context, key string) (int64, error) {
	return s.pick(key).SCard(ctx, key)
}

// SScan scans a set.
func (s *Store) SScan(ctx context.Context, key, cursor string, count int) ([]string, string, error) {
	return s.pick(key).SScan(ctx, key, cursor, count)
}

// RPush appends to a list.
func (s *Store) RPush(ctx context.Context, key string, values ...[]byte) (int64, error) {
	return s.pick(key).RPush(ctx, key, values...)
}

// LRange reads a list range.
func (s *Store) LRange(ctx context.Context, key string, start, stop int64) ([][]byte, error) {
	return s.pick(key).LRange(ctx, key, start, stop)
}

// LLen counts list items.
func (s *Store) LLen(ctx context.Context, key string) (int64, error) {
	return s.pick(key).LLen(ctx, key)
}

// LTrim trims a list.
func (s *Store) LTrim(ctx context.Context, key string, start, stop int64) error {
	return s.pick(key).LTrim(ctx, key, start, stop)
}

// Enqueue adds work items to a queue.
func (s *Store) Enqueue(ctx context.Context, queue string, items ...string) error {
	return s.pick(queue).Enqueue(ctx, queue, items...)
}

// Claim leases queue items.
func (s *Store) Claim(ctx context.Context, queue string, n int, lease time.Duration) ([]string, error) {
	return s.pick(queue).Claim(ctx, queue, n, lease)
}

// Ack finishes queue items.
func (s *Store) Ack(ctx context.Context, queue string, items ...string) error {
	return s.pick(queue).Ack(ctx, queue, items...)
}

// Release returns queue items.
func (s *Store) Release(ctx context.Context, queue string, items ...string) error {
	return s.pick(queue).Release(ctx, queue, items...)
}

// QueueLen counts a queue's items.
func (s *Store) QueueLen(ctx context.Context, queue string) (int64, int64, error) {
	return s.pick(queue).QueueLen(ctx, queue)
}

// Ping checks the durable tier (the fast one is in memory).
func (s *Store) Ping(ctx context.Context) error {
	if err := s.fast.Ping(ctx); err != nil {
		return err
	}
	return s.durable.Ping(ctx)
}

// Close closes both tiers.
func (s *Store) Close() error {
	ferr := s.fast.Close()
	if err := s.durable.Close(); err != nil {
		return err
	}
	return ferr
}
