// Package memstore is an in-memory store.Store for tests and demos. Nothing
// survives the process. Time comes from an injectable clock, so tests can expire
// keys and leases without sleeping.
package memstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hospital/wxbot/clock"
	"github.com/hospital/wxbot/store"
	"github.com/hospital/wxbot/store/internal/listrange"
)

// errClosed is returned (wrapped in store.ErrUnavailable) after Close.
var errClosed = errors.New("memstore: closed")

type kind int

const (
	kindString kind = iota + 1
	kindHash
	kindSet
	kindList
)

// String names the kind in error messages.
func (k kind) String() string {
	switch k {
	case kindString:
		return "string"
	case kindHash:
		return "hash"
	case kindSet:
		return "set"
	case kindList:
		return "list"
	}
	return "unknown"
}

// entry is one key: its kind, expiry (zero = never) and value.
type entry struct {
	kind    kind
	expires time.Time
	str     []byte
	hash    map[string][]byte
	set     map[string]struct{}
	list    [][]byte
}

// queue is a work queue: waiting items in order and leased items with their
// lease expiry.
type queue struct {
	waiting []string
	queued  map[string]struct{}
	leases  map[string]time.Time
}

// Store is an in-memory store.Store. The zero value is not usable; call New.
type Store struct {
	clock clock.Clock

	mu     sync.Mutex
	keys   map[string]*entry
	queues map[string]*queue
	writes int
	closed bool
}

var _ store.Store = (*Store)(nil)

// New returns an empty store on the system clock.
func New() *Store { return NewWithClock(clock.System{}) }

// NewWithClock returns an empty store that reads time from c (for TTLs and leases).
func NewWithClock(c clock.Clock) *Store {
	if c == nil {
		c = clock.System{}
	}
	return &Store{clock: c, keys: map[string]*entry{}, queues: map[string]*queue{}}
}

// lock takes the mutex and fails if the store is closed. The caller must unlock
// only when lock returned nil.
func (s *Store) lock(op string) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return fmt.Errorf("%s: %w: %w", op, store.ErrUnavailable, errClosed)
	}
	return nil
}

// expiry turns a TTL into a deadline (zero = never).
func (s *Store) expiry(now time.Time, ttl time.Duration) time.Time {
	if ttl <= 0 {
		return time.Time{}
	}
	return now.Add(ttl)
}

// live returns key's entry if it exists and has not expired; expired entries are
// dropped.
func (s *Store) live(key string, now time.Time) *entry {
	e, ok := s.keys[key]
	if !ok {
		return nil
	}
	if !e.expires.IsZero() && !now.Before(e.expires) {
		delete(s.keys, key)
		return nil
	}
	return e
}

// typed returns key's live entry of kind k, nil when missing, or a wrong-type error.
func (s *Store) typed(op, key string, k kind, now time.Time) (*entry, error) {
	e := s.live(key, now)
	if e == nil {
		return nil, nil
	}
	if e.kind != k {
		return nil, fmt.Errorf("%s %q: key holds a %s, not a %s", op, key, e.kind, k)
	}
	return e, nil
}

// Expiry sampling: every sweepEvery-th write looks at sweepSample keys.
const (
	sweepEvery  = 4
	sweepSample = 16
)

// wrote drops expired keys among a few picked at random (Go starts each map
// iteration at a random place), as Redis's active expiry does: every
// sweepEvery writes remove about sweepSample times the expired share, so keys
// that are never read again (WeChat dedup ids) stay under about
// sweepEvery/sweepSample of the live keys, at a constant cost per write.
func (s *Store) wrote(now time.Time) {
	if s.writes++; s.writes%sweepEvery != 0 {
		return
	}
	n := 0
	for k, e := range s.keys {
		if !e.expires.IsZero() && !now.Before(e.expires) {
			delete(s.keys, k)
		}
		if n++; n == sweepSample {
			return
		}
	}
}

func clone(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append([]byte{}, b...)
}

// Get returns the value at key, or store.ErrNotFound.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	if err := s.lock("get"); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	e, err := s.typed("get", key, kindString, s.clock.Now())
	if err != nil {
		return nil, err
	}
	if e == nil {
		return nil, &store.NotFoundError{Op: "get", Key: key}
	}
	return append([]byte{}, e.str...), nil
}

// Set stores value at key, replacing any value and TTL.
func (s *Store) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if err := s.lock("set"); err != nil {
		return err
	}
	defer s.mu.Unlock()
	now := s.clock.Now()
	s.keys[key] = &entry{kind: kindString, str: append([]byte{}, value...), expires: s.expiry(now, ttl)}
	s.wrote(now)
	return nil
}

// SetNX stores value at key only if key does not exist.
func (s *Store) SetNX(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	if err := s.lock("setnx"); err != nil {
		return false, err
	}
	defer s.mu.Unlock()
	now := s.clock.Now()
	if s.live(key, now) != nil {
		return false, nil
	}
	s.keys[key] = &entry{kind: kindString, str: append([]byte{}, value...), expires: s.expiry(now, ttl)}
	s.wrote(now)
	return true, nil
}

// CompareAndSwap replaces key's value with newValue if it equals old (nil old =
// key must be missing).
func (s *Store) CompareAndSwap(ctx context.Context, key string, old, newValue []byte, ttl time.Duration) (bool, error) {
	if err := s.lock("cas"); err != nil {
		return false, err
	}
	defer s.mu.Unlock()
	now := s.clock.Now()
	e, err := s.typed("cas", key, kindString, now)
	if err != nil {
		return false, err
	}
	switch {
	case old == nil && e != nil:
		return false, nil
	case old != nil && (e == nil || !bytes.Equal(e.str, old)):
		return false, nil
	}
	s.keys[key] = &entry{kind: kindString, str: append([]byte{}, newValue...), expires: s.expiry(now, ttl)}
	s.wrote(now)
	return true, nil
}

// Delete removes keys.
func (s *Store) Delete(ctx context.Context, keys ...string) error {
	if err := s.lock("delete"); err != nil {
		return err
	}
	defer s.mu.Unlock()
	for _, k := range keys {
		delete(s.keys, k)
	}
	return nil
}

// DeleteIfEquals removes key only if its value equals value.
func (s *Store) DeleteIfEquals(ctx context.Context, key string, value []byte) (bool, error) {
	if err := s.lock("delete if equals"); err != nil {
		return false, err
	}
	defer s.mu.Unlock()
	e, err := s.typed("delete if equals", key, kindString, s.clock.Now())
	if err != nil || e == nil || !bytes.Equal(e.str, value) {
		return false, err
	}
	delete(s.keys, key)
	return true, nil
}

// Expire sets a new TTL (0 = never) on an existing key of any kind.
func (s *Store) Expire(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	if err := s.lock("expire"); err != nil {
		return false, err
	}
	defer s.mu.Unlock()
	now := s.clock.Now()
	e := s.live(key, now)
	if e == nil {
		return false, nil
	}
	e.expires = s.expiry(now, ttl)
	return true, nil
}

// Incr adds delta to the integer at key (missing = 0); the TTL is kept.
func (s *Store) Incr(ctx context.Context, key string, delta int64) (int64, error) {
	if err := s.lock("incr"); err != nil {
		return 0, err
	}
	defer s.mu.Unlock()
	now := s.clock.Now()
	e, err := s.typed("incr", key, kindString, now)
	if err != nil {
		return 0, err
	}
	var n int64
	if e != nil {
		if n, err = strconv.ParseInt(string(e.str), 10, 64); err != nil {
			return 0, fmt.Errorf("incr %q: value is not an integer", key)
		}
	} else {
		e = &entry{kind: kindString}
		s.keys[key] = e
	}
	n += delta
	e.str = strconv.AppendInt(nil, n, 10)
	s.wrote(now)
	return n, nil
}

// hashFor returns key's hash, creating it when create is set (nil otherwise).
func (s *Store) hashFor(op, key string, create bool, now time.Time) (*entry, error) {
	e, err := s.typed(op, key, kindHash, now)
	if err != nil || e != nil || !create {
		return e, err
	}
	e = &entry{kind: kindHash, hash: map[string][]byte{}}
	s.keys[key] = e
	return e, nil
}

// HSet sets field of the hash at key.
func (s *Store) HSet(ctx context.Context, key, field string, value []byte) error {
	if err := s.lock("hset"); err != nil {
		return err
	}
	defer s.mu.Unlock()
	now := s.clock.Now()
	e, err := s.hashFor("hset", key, true, now)
	if err != nil {
		return err
	}
	e.hash[field] = append([]byte{}, value...)
	s.wrote(now)
	return nil
}

// HGet returns one field or store.ErrNotFound.
func (s *Store) HGet(ctx context.Context, key, field string) ([]byte, error) {
	if err := s.lock("hget"); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	e, err := s.hashFor("hget", key, false, s.clock.Now())
	if err != nil {
		return nil, err
	}
	if e != nil {
		if v, ok := e.hash[field]; ok {
			return append([]byte{}, v...), nil
		}
	}
	return nil, fmt.Errorf("hget %q %q: %w", key, field, store.ErrNotFound)
}

// HDel removes fields; an emptied hash disappears.
func (s *Store) HDel(ctx context.Context, key string, fields ...string) error {
	if err := s.lock("hdel"); err != nil {
		return err
	}
	defer s.mu.Unlock()
	e, err := s.hashFor("hdel", key, false, s.clock.Now())
	if err != nil || e == nil {
		return err
	}
	for _, f := range fields {
		delete(e.hash, f)
	}
	if len(e.hash) == 0 {
		delete(s.keys, key)
	}
	return nil
}

// HGetAll returns every field (empty map when missing).
func (s *Store) HGetAll(ctx context.Context, key string) (map[string][]byte, error) {
	if err := s.lock("hgetall"); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	e, err := s.hashFor("hgetall", key, false, s.clock.Now())
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	if e != nil {
		for f, v := range e.hash {
			out[f] = append([]byte{}, v...)
		}
	}
	return out, nil
}

// HIncr adds delta to the integer field and returns the new value.
func (s *Store) HIncr(ctx context.Context, key, field string, delta int64) (int64, error) {
	if err := s.lock("hincr"); err != nil {
		return 0, err
	}
	defer s.mu.Unlock()
	now := s.clock.Now()
	e, err := s.hashFor("hincr", key, true, now)
	if err != nil {
		return 0, err
	}
	var n int64
	if v, ok := e.hash[field]; ok {
		if n, err = strconv.ParseInt(string(v), 10, 64); err != nil {
			return 0, fmt.Errorf("hincr %q %q: value is not an integer", key, field)
		}
	}
	n += delta
	e.hash[field] = strconv.AppendInt(nil, n, 10)
	s.wrote(now)
	return n, nil
}

// setFor returns key's set, creating it when create is set.
func (s *Store) setFor(op, key string, create bool, now time.Time) (*entry, error) {
	e, err := s.typed(op, key, kindSet, now)
	if err != nil || e != nil || !create {
		return e, err
	}
	e = &entry{kind: kindSet, set: map[string]struct{}{}}
	s.keys[key] = e
	return e, nil
}

// SAdd adds members and returns how many were new.
func (s *Store) SAdd(ctx context.Context, key string, members ...string) (int, error) {
	if err := s.lock("sadd"); err != nil {
		return 0, err
	}
	defer s.mu.Unlock()
	if len(members) == 0 {
		return 0, nil
	}
	now := s.clock.Now()
	e, err := s.setFor("sadd", key, true, now)
	if err != nil {
		return 0, err
	}
	added := 0
	for _, m := range members {
		if _, ok := e.set[m]; !ok {
			e.set[m] = struct{}{}
			added++
		}
	}
	s.wrote(now)
	return added, nil
}

// SRem removes members and returns how many were present.
func (s *Store) SRem(ctx context.Context, key string, members ...string) (int, error) {
	if err := s.lock("srem"); err != nil {
		return 0, err
	}
	defer s.mu.Unlock()
	e, err := s.setFor("srem", key, false, s.clock.Now())
	if err != nil || e == nil {
		return 0, err
	}
	removed := 0
	for _, m := range members {
		if _, ok := e.set[m]; ok {
			delete(e.set, m)
			removed++
		}
	}
	if len(e.set) == 0 {
		delete(s.keys, key)
	}
	return removed, nil
}

// SIsMember reports whether member is in the set.
func (s *Store) SIsMember(ctx context.Context, key, member string) (bool, error) {
	if err := s.lock("sismember"); err != nil {
		return false, err
	}
	defer s.mu.Unlock()
	e, err := s.setFor("sismember", key, false, s.clock.Now())
	if err != nil || e == nil {
		return false, err
	}
	_, ok := e.set[member]
	return ok, nil
}

// SCard returns the number of members.
func (s *Store) SCard(ctx context.Context, key string) (int64, error) {
	if err := s.lock("scard"); err != nil {
		return 0, err
	}
	defer s.mu.Unlock()
	e, err := s.setFor("scard", key, false, s.clock.Now())
	if err != nil || e == nil {
		return 0, err
	}
	return int64(len(e.set)), nil
}

// SScan returns up to count members in byte order after cursor and the next
// cursor ("" when done). A cursor is ">" followed by the last member returned,
// so that even the empty member can end a page.
func (s *Store) SScan(ctx context.Context, key, cursor string, count int) ([]string, string, error) {
	if err := s.lock("sscan"); err != nil {
		return nil, "", err
	}
	defer s.mu.Unlock()
	e, err := s.setFor("sscan", key, false, s.clock.Now())
	if err != nil || e == nil {
		return nil, "", err
	}
	if count <= 0 {
		count = 10
	}
	last, resume := strings.CutPrefix(cursor, ">")
	if cursor != "" && !resume {
		return nil, "", fmt.Errorf("sscan %q: bad cursor %q", key, cursor)
	}
	var after []string
	for m := range e.set {
		if !resume || m > last {
			after = append(after, m)
		}
	}
	sort.Strings(after)
	if len(after) <= count {
		return after, "", nil
	}
	page := after[:count]
	return page, ">" + page[len(page)-1], nil
}

// listFor returns key's list, creating it when create is set.
func (s *Store) listFor(op, key string, create bool, now time.Time) (*entry, error) {
	e, err := s.typed(op, key, kindList, now)
	if err != nil || e != nil || !create {
		return e, err
	}
	e = &entry{kind: kindList}
	s.keys[key] = e
	return e, nil
}

// RPush appends values and returns the list's new length.
func (s *Store) RPush(ctx context.Context, key string, values ...[]byte) (int64, error) {
	if err := s.lock("rpush"); err != nil {
		return 0, err
	}
	defer s.mu.Unlock()
	now := s.clock.Now()
	e, err := s.listFor("rpush", key, len(values) > 0, now)
	if err != nil || e == nil {
		return 0, err
	}
	for _, v := range values {
		e.list = append(e.list, append([]byte{}, v...))
	}
	s.wrote(now)
	return int64(len(e.list)), nil
}

// LRange returns items start..stop inclusive (negative = from the end).
func (s *Store) LRange(ctx context.Context, key string, start, stop int64) ([][]byte, error) {
	if err := s.lock("lrange"); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	e, err := s.listFor("lrange", key, false, s.clock.Now())
	if err != nil || e == nil {
		return nil, err
	}
	lo, hi, ok := listrange.Bounds(start, stop, int64(len(e.list)))
	if !ok {
		return nil, nil
	}
	out := make([][]byte, 0, hi-lo)
	for _, v := range e.list[lo:hi] {
		out = append(out, append([]byte{}, v...))
	}
	return out, nil
}

// LLen returns the list's length.
func (s *Store) LLen(ctx context.Context, key string) (int64, error) {
	if err := s.lock("llen"); err != nil {
		return 0, err
	}
	defer s.mu.Unlock()
	e, err := s.listFor("llen", key, false, s.clock.Now())
	if err != nil || e == nil {
		return 0, err
	}
	return int64(len(e.list)), nil
}

// LTrim keeps items start..stop inclusive; an emptied list disappears.
func (s *Store) LTrim(ctx context.Context, key string, start, stop int64) error {
	if err := s.lock("ltrim"); err != nil {
		return err
	}
	defer s.mu.Unlock()
	e, err := s.listFor("ltrim", key, false, s.clock.Now())
	if err != nil || e == nil {
		return err
	}
	lo, hi, ok := listrange.Bounds(start, stop, int64(len(e.list)))
	if !ok {
		delete(s.keys, key)
		return nil
	}
	e.list = append([][]byte(nil), e.list[lo:hi]...)
	return nil
}

// queueFor returns the named queue, creating it when create is set. Queues live
// apart from keys: Delete and Expire do not touch them.
func (s *Store) queueFor(name string, create bool) *queue {
	q := s.queues[name]
	if q == nil && create {
		q = &queue{queued: map[string]struct{}{}, leases: map[string]time.Time{}}
		s.queues[name] = q
	}
	return q
}

// ended returns the items whose lease ended by now, earliest lease end first.
func (q *queue) ended(now time.Time) []string {
	var items []string
	for item, until := range q.leases {
		if !now.Before(until) {
			items = append(items, item)
		}
	}
	sort.Slice(items, func(i, j int) bool {
		a, b := q.leases[items[i]], q.leases[items[j]]
		if !a.Equal(b) {
			return a.Before(b)
		}
		return items[i] < items[j]
	})
	return items
}

func (q *queue) push(item string) {
	if _, ok := q.queued[item]; ok {
		return
	}
	if _, ok := q.leases[item]; ok {
		return
	}
	q.queued[item] = struct{}{}
	q.waiting = append(q.waiting, item)
}

// Enqueue appends items; an item already waiting or leased is not added twice.
func (s *Store) Enqueue(ctx context.Context, name string, items ...string) error {
	if err := s.lock("enqueue"); err != nil {
		return err
	}
	defer s.mu.Unlock()
	q := s.queueFor(name, true)
	for _, item := range items {
		q.push(item)
	}
	return nil
}

// Claim leases up to n waiting items (or items whose lease ended) for lease.
func (s *Store) Claim(ctx context.Context, name string, n int, lease time.Duration) ([]string, error) {
	if err := s.lock("claim"); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	q := s.queueFor(name, false)
	if q == nil || n <= 0 {
		return nil, nil
	}
	now := s.clock.Now()
	items := q.ended(now)
	if len(items) > n {
		items = items[:n]
	}
	take := min(n-len(items), len(q.waiting))
	for _, item := range q.waiting[:take] {
		delete(q.queued, item)
		items = append(items, item)
	}
	q.waiting = q.waiting[take:]
	for _, item := range items {
		q.leases[item] = now.Add(lease)
	}
	return items, nil
}

// Ack removes items from the queue for good (leased or waiting).
func (s *Store) Ack(ctx context.Context, name string, items ...string) error {
	if err := s.lock("ack"); err != nil {
		return err
	}
	defer s.mu.Unlock()
	q := s.queueFor(name, false)
	if q == nil {
		return nil
	}
	drop := map[string]bool{}
	for _, item := range items {
		delete(q.leases, item)
		if _, ok := q.queued[item]; ok {
			delete(q.queued, item)
			drop[item] = true
		}
	}
	if len(drop) > 0 {
		kept := q.waiting[:0]
		for _, item := range q.waiting {
			if !drop[item] {
				kept = append(kept, item)
			}
		}
		q.waiting = kept
	}
	if len(q.waiting) == 0 && len(q.leases) == 0 {
		delete(s.queues, name)
	}
	return nil
}

// Release returns leased items to the end of the waiting list.
func (s *Store) Release(ctx context.Context, name string, items ...string) error {
	if err := s.lock("release"); err != nil {
		return err
	}
	defer s.mu.Unlock()
	q := s.queueFor(name, false)
	if q == nil {
		return nil
	}
	for _, item := range items {
		if _, ok := q.leases[item]; ok {
			delete(q.leases, item)
			q.push(item)
		}
	}
	return nil
}

// QueueLen returns (waiting, leased) counts; items whose lease ended count as waiting.
func (s *Store) QueueLen(ctx context.Context, name string) (int64, int64, error) {
	if err := s.lock("queuelen"); err != nil {
		return 0, 0, err
	}
	defer s.mu.Unlock()
	q := s.queueFor(name, false)
	if q == nil {
		return 0, 0, nil
	}
	now := s.clock.Now()
	var expired int64
	for _, until := range q.leases {
		if !now.Before(until) {
			expired++
		}
	}
	return int64(len(q.waiting)) + expired, int64(len(q.leases)) - expired, nil
}

// Ping fails after Close.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.lock("ping"); err != nil {
		return err
	}
	s.mu.Unlock()
	return nil
}

// Close drops everything; later calls fail with store.ErrUnavailable.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	s.keys = nil
	s.queues = nil
	return nil
}
