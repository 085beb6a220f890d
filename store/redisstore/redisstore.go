// Package redisstore is the store.Store for several instances of the service:
// Redis through go-redis v8, as a single node, a Sentinel-watched master or a
// Cluster.
//
// Every key is prefixed with Options.Prefix. A work queue is three keys that
// share one hash tag, so a Cluster keeps them in one slot: a queue named
// "push:{42}" uses "push:{42}:w", "push:{42}:l" and "push:{42}:seq"; a name
// without a tag is wrapped ("jobs" -> "{jobs}:w"). Queue leases are timed by the
// Redis server's clock, so instances with skewed clocks agree.
//
// Failures to reach Redis (refused, timed out, closed client, Redis loading or
// read-only, the cluster down) wrap store.ErrUnavailable; redis.Nil becomes
// store.ErrNotFound; other Redis replies (a key of another kind, a non-integer
// counter) are returned as plain errors.
package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/go-redis/redis/v8"

	"github.com/hospital/wxbot/store"
)

// Options say how to reach Redis.
type Options struct {
	// Addrs: one address for a single node (or the Sentinels when MasterName
	// is set); several for a Cluster.
	Addrs []string
	// MasterName selects Sentinel mode: Addrs are the Sentinels.
	MasterName string
	// Password authenticates to Redis.
	Password string
	// DB selects the database (single node and Sentinel only).
	DB int
	// Prefix is put before every key, e.g. "wxbot:" (keep hash tags out of it).
	Prefix string
	// Timeouts for connecting and for each read and write (go-redis defaults
	// when zero: 5s, 3s, 3s).
	DialTimeout, ReadTimeout, WriteTimeout time.Duration
}

// Store is a store.Store on Redis.
type Store struct {
	c       redis.UniversalClient
	prefix  string
	onClose func() error
}

var _ store.Store = (*Store)(nil)

// New builds a client from opts. It does not connect: call Ping to check that
// Redis answers. For a Cluster it reads the slot map with CLUSTER NODES (see
// cluster.go: go-redis v8 cannot parse Redis 7's CLUSTER SLOTS).
func New(opts Options) (*Store, error) {
	if len(opts.Addrs) == 0 {
		return nil, errors.New("redis store: no address")
	}
	if len(opts.Addrs) > 1 && opts.MasterName == "" && opts.DB != 0 {
		return nil, fmt.Errorf("redis store: db %d: a cluster has only db 0", opts.DB)
	}
	uo := &redis.UniversalOptions{
		Addrs:        opts.Addrs,
		MasterName:   opts.MasterName,
		Password:     opts.Password,
		DB:           opts.DB,
		DialTimeout:  opts.DialTimeout,
		ReadTimeout:  opts.ReadTimeout,
		WriteTimeout: opts.WriteTimeout,
	}
	if len(opts.Addrs) == 1 || opts.MasterName != "" {
		return NewFromClient(redis.NewUniversalClient(uo), opts.Prefix), nil
	}
	co := uo.Cluster()
	loader := &slotLoader{
		seeds: opts.Addrs,
		opts: &redis.Options{
			Password: opts.Password, MaxRetries: -1,
			DialTimeout: opts.DialTimeout, ReadTimeout: opts.ReadTimeout, WriteTimeout: opts.WriteTimeout,
		},
		clients: map[string]*redis.Client{},
	}
	co.ClusterSlots = loader.slots
	co.NewClient = func(o *redis.Options) *redis.Client {
		c := redis.NewClient(o)
		c.AddHook(commandInfoHook{c: c})
		return c
	}
	s := NewFromClient(redis.NewClusterClient(co), opts.Prefix)
	s.onClose = loader.close
	return s, nil
}

// NewFromClient wraps an existing client; every key gets prefix. Close closes c.
func NewFromClient(c redis.UniversalClient, prefix string) *Store {
	return &Store{c: c, prefix: prefix}
}

// Client returns the underlying client (for Redis-only abilities).
func (s *Store) Client() redis.UniversalClient { return s.c }

// Prefix returns the key prefix.
func (s *Store) Prefix() string { return s.prefix }

func (s *Store) key(k string) string { return s.prefix + k }

// unavailableReplies are server replies that mean "cannot serve now".
var unavailableReplies = []string{"ERR max number of clients", "LOADING", "READONLY", "MASTERDOWN", "CLUSTERDOWN", "TRYAGAIN", "NOAUTH", "WRONGPASS", "BUSY", "NOREPLICAS"}

// wrap classifies a go-redis error (see the package comment).
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, redis.Nil) {
		return fmt.Errorf("%s: %w", op, store.ErrNotFound)
	}
	var re redis.Error
	if errors.As(err, &re) {
		msg := err.Error()
		unavailable := false
		for _, p := range unavailableReplies {
			if strings.HasPrefix(msg, p) {
				unavailable = true
				break
			}
		}
		if !unavailable {
			return fmt.Errorf("%s: %w", op, err)
		}
	}
	return fmt.Errorf("%s: %w: %w", op, store.ErrUnavailable, err)
}

// ms converts a TTL or lease to whole milliseconds (at least 1 when positive).
func ms(d time.Duration) int64 {
	if d <= 0 {
		return 0
	}
	if m := d.Milliseconds(); m > 0 {
		return m
	}
	return 1
}

// ttlArg is d for go-redis calls where 0 means "no expiry".
func ttlArg(d time.Duration) time.Duration {
	return time.Duration(ms(d)) * time.Millisecond
}

// --- strings ---

// Get returns the value at key, or store.ErrNotFound.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	v, err := s.c.Get(ctx, s.key(key)).Bytes()
	return v, wrap("get", err)
}

// Set stores value at key, replacing any value and TTL.
func (s *Store) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	return wrap("set", s.c.Set(ctx, s.key(key), value, ttlArg(ttl)).Err())
}

// SetNX stores value at key only if key does not exist.
func (s *Store) SetNX(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	ok, err := s.c.SetNX(ctx, s.key(key), value, ttlArg(ttl)).Result()
	return ok, wrap("setnx", err)
}

var casScript = redis.NewScript(`
local cur = redis.call('GET', KEYS[1])
if ARGV[1] == '1' then
  if cur then return 0 end
elseif (not cur) or cur ~= ARGV[2] then
  return 0
end
if tonumber(ARGV[4]) > 0 then
  redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[4])
else
  redis.call('SET', KEYS[1], ARGV[3])
end
return 1
`)

// CompareAndSwap replaces key's value with newValue if it equals old (nil old =
// key must be missing); the TTL becomes ttl.
func (s *Store) CompareAndSwap(ctx context.Context, key string, old, newValue []byte, ttl time.Duration) (bool, error) {
	missing := "0"
	if old == nil {
		missing = "1"
	}
	n, err := casScript.Run(ctx, s.c, []string{s.key(key)}, missing, old, newValue, ms(ttl)).Int()
	return n == 1, wrap("cas", err)
}

// Delete removes keys (each on its own, so keys may live in different Cluster slots).
func (s *Store) Delete(ctx context.Context, keys ...string) error {
	switch len(keys) {
	case 0:
		return nil
	case 1:
		return wrap("delete", s.c.Del(ctx, s.key(keys[0])).Err())
	}
	_, err := s.c.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, k := range keys {
			p.Del(ctx, s.key(k))
		}
		return nil
	})
	return wrap("delete", err)
}

var deleteIfEqualsScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
`)

// DeleteIfEquals removes key only if its value equals value.
func (s *Store) DeleteIfEquals(ctx context.Context, key string, value []byte) (bool, error) {
	n, err := deleteIfEqualsScript.Run(ctx, s.c, []string{s.key(key)}, value).Int()
	return n == 1, wrap("delete if equals", err)
}

var expireScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if tonumber(ARGV[1]) > 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
else
  redis.call('PERSIST', KEYS[1])
end
return 1
`)

// Expire sets a new TTL (0 = never) on an existing key.
func (s *Store) Expire(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	n, err := expireScript.Run(ctx, s.c, []string{s.key(key)}, ms(ttl)).Int()
	return n == 1, wrap("expire", err)
}

// Incr adds delta to the integer at key (missing = 0); the TTL is kept.
func (s *Store) Incr(ctx context.Context, key string, delta int64) (int64, error) {
	n, err := s.c.IncrBy(ctx, s.key(key), delta).Result()
	return n, wrap("incr", err)
}

// --- hashes ---

// HSet sets field of the hash at key.
func (s *Store) HSet(ctx context.Context, key, field string, value []byte) error {
	return wrap("hset", s.c.HSet(ctx, s.key(key), field, value).Err())
}

// HGet returns one field or store.ErrNotFound.
func (s *Store) HGet(ctx context.Context, key, field string) ([]byte, error) {
	v, err := s.c.HGet(ctx, s.key(key), field).Bytes()
	return v, wrap("hget", err)
}

// HDel removes fields.
func (s *Store) HDel(ctx context.Context, key string, fields ...string) error {
	if len(fields) == 0 {
		return nil
	}
	return wrap("hdel", s.c.HDel(ctx, s.key(key), fields...).Err())
}

// HGetAll returns every field (empty map when missing).
func (s *Store) HGetAll(ctx context.Context, key string) (map[string][]byte, error) {
	m, err := s.c.HGetAll(ctx, s.key(key)).Result()
	if err != nil {
		return nil, wrap("hgetall", err)
	}
	out := make(map[string][]byte, len(m))
	for f, v := range m {
		out[f] = []byte(v)
	}
	return out, nil
}

// HIncr adds delta to the integer field and returns the new value.
func (s *Store) HIncr(ctx context.Context, key, field string, delta int64) (int64, error) {
	n, err := s.c.HIncrBy(ctx, s.key(key), field, delta).Result()
	return n, wrap("hincr", err)
}

// --- sets ---

func toArgs(items []string) []interface{} {
	out := make([]interface{}, len(items))
	for i, m := range items {
		out[i] = m
	}
	return out
}

// SAdd adds members and returns how many were new.
func (s *Store) SAdd(ctx context.Context, key string, members ...string) (int, error) {
	if len(members) == 0 {
		return 0, nil
	}
	n, err := s.c.SAdd(ctx, s.key(key), toArgs(members)...).Result()
	return int(n), wrap("sadd", err)
}

// SRem removes members and returns how many were present.
func (s *Store) SRem(ctx context.Context, key string, members ...string) (int, error) {
	if len(members) == 0 {
		return 0, nil
	}
	n, err := s.c.SRem(ctx, s.key(key), toArgs(members)...).Result()
	return int(n), wrap("srem", err)
}

// SIsMember reports whether member is in the set.
func (s *Store) SIsMember(ctx context.Context, key, member string) (bool, error) {
	ok, err := s.c.SIsMember(ctx, s.key(key), member).Result()
	return ok, wrap("sismember", err)
}

// SCard returns the number of members.
func (s *Store) SCard(ctx context.Context, key string) (int64, error) {
	n, err := s.c.SCard(ctx, s.key(key)).Result()
	return n, wrap("scard", err)
}

// SScan pages through the set with Redis SSCAN; the cursor is Redis's, as a
// decimal string ("" starts and ends).
func (s *Store) SScan(ctx context.Context, key, cursor string, count int) ([]string, string, error) {
	var cur uint64
	if cursor != "" {
		var err error
		if cur, err = strconv.ParseUint(cursor, 10, 64); err != nil {
			return nil, "", fmt.Errorf("sscan %q: bad cursor %q", key, cursor)
		}
	}
	if count <= 0 {
		count = 10
	}
	members, next, err := s.c.SScan(ctx, s.key(key), cur, "", int64(count)).Result()
	if err != nil {
		return nil, "", wrap("sscan", err)
	}
	if next == 0 {
		return members, "", nil
	}
	return members, strconv.FormatUint(next, 10), nil
}

// --- lists ---

// RPush appends values and returns the list's new length.
func (s *Store) RPush(ctx context.Context, key string, values ...[]byte) (int64, error) {
	if len(values) == 0 {
		return s.LLen(ctx, key)
	}
	args := make([]interface{}, len(values))
	for i, v := range values {
		args[i] = v
	}
	n, err := s.c.RPush(ctx, s.key(key), args...).Result()
	return n, wrap("rpush", err)
}

// LRange returns items start..stop inclusive (negative = from the end).
func (s *Store) LRange(ctx context.Context, key string, start, stop int64) ([][]byte, error) {
	items, err := s.c.LRange(ctx, s.key(key), start, stop).Result()
	if err != nil {
		return nil, wrap("lrange", err)
	}
	out := make([][]byte, len(items))
	for i, v := range items {
		out[i] = []byte(v)
	}
	return out, nil
}

// LLen returns the list's length.
func (s *Store) LLen(ctx context.Context, key string) (int64, error) {
	n, err := s.c.LLen(ctx, s.key(key)).Result()
	return n, wrap("llen", err)
}

// LTrim keeps items start..stop inclusive.
func (s *Store) LTrim(ctx context.Context, key string, start, stop int64) error {
	return wrap("ltrim", s.c.LTrim(ctx, s.key(key), start, stop).Err())
}

// Ping reports whether Redis answers.
func (s *Store) Ping(ctx context.Context) error {
	return wrap("ping", s.c.Ping(ctx).Err())
}

// Close closes the client.
func (s *Store) Close() error {
	err := s.c.Close()
	if errors.Is(err, redis.ErrClosed) {
		err = nil
	}
	if s.onClose != nil {
		err = errors.Join(err, s.onClose())
	}
	return err
}
