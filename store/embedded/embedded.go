// Package embedded is the default store.Store: one bbolt file on the local disk,
// for a service that runs as a single process. Every write is one transaction,
// flushed to disk (fsync) before the call returns.
//
// The file is locked by the process that opens it; a second Open of the same
// file (another process, or the same one) fails with an error wrapping ErrLocked
// after Options.Timeout.
//
// Layout of the file (all user strings are stored behind a 0 byte so that the
// empty string is a valid key, field or member):
//
//	meta   key -> kind(1) | expiry(8, unix µs, 0 = never) | payload
//	data   key -> nested bucket (hash fields, set members, list items)
//	exp    expiry(8) | key -> nil   (the sweeper's index)
//	queues name -> nested bucket (see queue.go)
package embedded

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
	"go.uber.org/zap"

	"github.com/hospital/wxbot/clock"
	"github.com/hospital/wxbot/store"
	"github.com/hospital/wxbot/store/internal/listrange"
)

// ErrLocked is wrapped by Open's error when another process (or another Open in
// this one) holds the file. Commands that find the file locked should talk to
// the running server instead (see store/remote).
var ErrLocked = errors.New("embedded store: file is locked by another process")

// errWrongType and errNotInteger are caller mistakes, not backend failures.
var (
	errWrongType  = errors.New("key holds a value of another kind")
	errNotInteger = errors.New("value is not an integer")
)

// Options tune Open. The zero value is usable.
type Options struct {
	// Timeout is how long Open waits for the file lock (default 1s).
	Timeout time.Duration
	// Clock tells the time for TTLs and leases (default clock.System).
	Clock clock.Clock
	// Logger receives sweeper failures (default: none).
	Logger *zap.Logger
	// SweepInterval is how often expired keys are removed from the file
	// (default 1m). Expired keys are invisible at once either way.
	SweepInterval time.Duration
}

type kind byte

const (
	kindString kind = 's'
	kindHash   kind = 'h'
	kindSet    kind = 'S'
	kindList   kind = 'l'
)

var (
	bucketMeta   = []byte("meta")
	bucketData   = []byte("data")
	bucketExp    = []byte("exp")
	bucketQueues = []byte("queues")
)

// Store is a store.Store kept in one bbolt file.
type Store struct {
	db    *bolt.DB
	clock clock.Clock
	log   *zap.Logger

	writes     chan *write
	stop       chan struct{}
	done       chan struct{} // sweeper stopped
	writerDone chan struct{}
	closeOnce  sync.Once
	closeErr   error
}

var _ store.Store = (*Store)(nil)

// Open opens (creating it and its folder if needed) the store file at path.
// When another process holds the file it returns an error wrapping ErrLocked.
func Open(path string, opts Options) (*Store, error) {
	if opts.Timeout <= 0 {
		opts.Timeout = time.Second
	}
	if opts.Clock == nil {
		opts.Clock = clock.System{}
	}
	if opts.Logger == nil {
		opts.Logger = zap.NewNop()
	}
	if opts.SweepInterval <= 0 {
		opts.SweepInterval = time.Minute
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("open store %s: create folder: %w", path, err)
		}
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: opts.Timeout})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("open store %s: %w (waited %s)", path, ErrLocked, opts.Timeout)
	}
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bucketMeta, bucketData, bucketExp, bucketQueues} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	s := &Store{
		db:         db,
		clock:      opts.Clock,
		log:        opts.Logger.With(zap.String("store", path)),
		writes:     make(chan *write),
		stop:       make(chan struct{}),
		done:       make(chan struct{}),
		writerDone: make(chan struct{}),
	}
	go s.writeLoop()
	go s.sweepLoop(opts.SweepInterval)
	return s, nil
}

// Path returns the file's path.
func (s *Store) Path() string { return s.db.Path() }

// Close stops the sweeper and closes the file; later calls fail with
// store.ErrUnavailable.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		close(s.stop)
		<-s.done
		<-s.writerDone
		s.closeErr = s.db.Close()
	})
	return s.closeErr
}

// Ping checks that the file is open and readable.
func (s *Store) Ping(ctx context.Context) error {
	return s.view(ctx, "ping", func(tx *bolt.Tx) error { return nil })
}

// --- transactions and errors ---

// wrap classifies err: caller mistakes and ErrNotFound pass through, anything
// from the file is store.ErrUnavailable.
func wrap(op string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, store.ErrNotFound), errors.Is(err, errWrongType), errors.Is(err, errNotInteger),
		errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("%s: %w", op, err)
	}
	return fmt.Errorf("%s: %w: %w", op, store.ErrUnavailable, err)
}

// update runs fn in a write transaction. Concurrent writers are committed
// together (group commit): one fsync serves every write that arrived while the
// previous commit was flushing, and a lone writer never waits for company.
func (s *Store) update(ctx context.Context, op string, fn func(tx *bolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return wrap(op, err)
	}
	w := &write{fn: fn, done: make(chan error, 1)}
	select {
	case s.writes <- w:
	case <-s.stop:
		return wrap(op, bolterrors.ErrDatabaseNotOpen)
	case <-ctx.Done():
		return wrap(op, ctx.Err())
	}
	return wrap(op, <-w.done)
}

// write is one caller's transaction function waiting for the writer.
type write struct {
	fn   func(tx *bolt.Tx) error
	done chan error
}

// maxGroup bounds how many writes share one transaction.
const maxGroup = 128

// writeLoop is the only goroutine that writes to the file.
func (s *Store) writeLoop() {
	defer close(s.writerDone)
	for {
		var first *write
		select {
		case first = <-s.writes:
		case <-s.stop:
			return
		}
		group := []*write{first}
	collect:
		for len(group) < maxGroup {
			select {
			case w := <-s.writes:
				group = append(group, w)
			default:
				break collect
			}
		}
		s.commit(group)
	}
}

// errGroupMember rolls back a group transaction when one of its writes failed.
var errGroupMember = errors.New("a write in the group failed")

// commit runs group in one transaction. If one write fails, the transaction is
// rolled back, that write runs alone (so its caller gets its own error) and the
// others are committed again without it.
func (s *Store) commit(group []*write) {
	for len(group) > 0 {
		if len(group) == 1 {
			group[0].done <- s.db.Update(group[0].fn)
			return
		}
		failed := -1
		err := s.db.Update(func(tx *bolt.Tx) error {
			for i, w := range group {
				if err := w.fn(tx); err != nil {
					failed = i
					return errGroupMember
				}
			}
			return nil
		})
		if failed < 0 {
			for _, w := range group {
				w.done <- err
			}
			return
		}
		w := group[failed]
		w.done <- s.db.Update(w.fn)
		group = append(group[:failed:failed], group[failed+1:]...)
	}
}

func (s *Store) view(ctx context.Context, op string, fn func(tx *bolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return wrap(op, err)
	}
	return wrap(op, s.db.View(fn))
}

// --- encoding ---

// ukey turns a user string into a bbolt key (never empty).
func ukey(s string) []byte {
	b := make([]byte, 1+len(s))
	copy(b[1:], s)
	return b
}

// ustr is the inverse of ukey.
func ustr(b []byte) string { return string(b[1:]) }

// micros encodes a time as a sortable 8-byte value (sign bit flipped).
func micros(t time.Time) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(t.UnixMicro())^(1<<63))
	return b[:]
}

func fromMicros(b []byte) time.Time {
	return time.UnixMicro(int64(binary.BigEndian.Uint64(b) ^ (1 << 63)))
}

func u64(n uint64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], n)
	return b[:]
}

// record is one key's meta row.
type record struct {
	kind    kind
	expires time.Time // zero = never
	payload []byte    // string value; count for hash/set; head|tail for list
}

func (r record) encode() []byte {
	b := make([]byte, 9+len(r.payload))
	b[0] = byte(r.kind)
	if !r.expires.IsZero() {
		copy(b[1:9], micros(r.expires))
	}
	copy(b[9:], r.payload)
	return b
}

func decode(b []byte) record {
	r := record{kind: kind(b[0]), payload: append([]byte{}, b[9:]...)}
	if !bytes.Equal(b[1:9], make([]byte, 8)) {
		r.expires = fromMicros(b[1:9])
	}
	return r
}

func (r record) expired(now time.Time) bool {
	return !r.expires.IsZero() && !now.Before(r.expires)
}

func (r record) count() int64 {
	if len(r.payload) < 8 {
		return 0
	}
	return int64(binary.BigEndian.Uint64(r.payload))
}

func (r *record) setCount(n int64) { r.payload = u64(uint64(n)) }

func expiry(now time.Time, ttl time.Duration) time.Time {
	if ttl <= 0 {
		return time.Time{}
	}
	return now.Add(ttl)
}

// --- key access inside transactions ---

// get returns key's live record (false when missing or expired).
func get(tx *bolt.Tx, key string, now time.Time) (record, bool) {
	v := tx.Bucket(bucketMeta).Get(ukey(key))
	if v == nil {
		return record{}, false
	}
	r := decode(v)
	if r.expired(now) {
		return record{}, false
	}
	return r, true
}

// getKind is get that fails when the key holds another kind.
func getKind(tx *bolt.Tx, key string, k kind, now time.Time) (record, bool, error) {
	r, ok := get(tx, key, now)
	if ok && r.kind != k {
		return record{}, false, fmt.Errorf("%q: %w", key, errWrongType)
	}
	return r, ok, nil
}

// prepare is getKind for writers: an expired key is removed first.
func prepare(tx *bolt.Tx, key string, k kind, now time.Time) (record, bool, error) {
	if v := tx.Bucket(bucketMeta).Get(ukey(key)); v != nil && decode(v).expired(now) {
		if err := remove(tx, key); err != nil {
			return record{}, false, err
		}
	}
	return getKind(tx, key, k, now)
}

// put writes key's meta row, keeping the sweeper's index in step.
func put(tx *bolt.Tx, key string, r record) error {
	meta, exp := tx.Bucket(bucketMeta), tx.Bucket(bucketExp)
	k := ukey(key)
	if old := meta.Get(k); old != nil {
		if o := decode(old); !o.expires.IsZero() && !o.expires.Equal(r.expires) {
			if err := exp.Delete(append(micros(o.expires), k...)); err != nil {
				return err
			}
		}
	}
	if !r.expires.IsZero() {
		if err := exp.Put(append(micros(r.expires), k...), nil); err != nil {
			return err
		}
	}
	return meta.Put(k, r.encode())
}

// remove deletes key of any kind, live or expired.
func remove(tx *bolt.Tx, key string) error {
	meta := tx.Bucket(bucketMeta)
	k := ukey(key)
	v := meta.Get(k)
	if v == nil {
		return nil
	}
	r := decode(v)
	if !r.expires.IsZero() {
		if err := tx.Bucket(bucketExp).Delete(append(micros(r.expires), k...)); err != nil {
			return err
		}
	}
	if r.kind != kindString {
		if err := tx.Bucket(bucketData).DeleteBucket(k); err != nil && !errors.Is(err, bolterrors.ErrBucketNotFound) {
			return err
		}
	}
	return meta.Delete(k)
}

// data returns the nested bucket holding key's members (nil if none).
func data(tx *bolt.Tx, key string) *bolt.Bucket {
	return tx.Bucket(bucketData).Bucket(ukey(key))
}

func dataCreate(tx *bolt.Tx, key string) (*bolt.Bucket, error) {
	return tx.Bucket(bucketData).CreateBucketIfNotExists(ukey(key))
}

// --- strings ---

// Get returns the value at key, or store.ErrNotFound.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	var out []byte
	missing := false
	err := s.view(ctx, "get", func(tx *bolt.Tx) error {
		r, ok, err := getKind(tx, key, kindString, s.clock.Now())
		if err != nil {
			return err
		}
		missing = !ok
		out = r.payload
		return nil
	})
	if err == nil && missing {
		return nil, &store.NotFoundError{Op: "get", Key: key}
	}
	return out, err
}

// Set stores value at key, replacing any value (of any kind) and TTL.
func (s *Store) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	return s.update(ctx, "set", func(tx *bolt.Tx) error {
		now := s.clock.Now()
		if err := remove(tx, key); err != nil {
			return err
		}
		return put(tx, key, record{kind: kindString, expires: expiry(now, ttl), payload: value})
	})
}

// SetNX stores value at key only if key does not exist.
func (s *Store) SetNX(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	var stored bool
	err := s.update(ctx, "setnx", func(tx *bolt.Tx) error {
		stored = false
		now := s.clock.Now()
		if v := tx.Bucket(bucketMeta).Get(ukey(key)); v != nil {
			if !decode(v).expired(now) {
				return nil
			}
			if err := remove(tx, key); err != nil {
				return err
			}
		}
		stored = true
		return put(tx, key, record{kind: kindString, expires: expiry(now, ttl), payload: value})
	})
	return stored, err
}

// CompareAndSwap replaces key's value with newValue if it equals old (nil old =
// key must be missing); the TTL becomes ttl.
func (s *Store) CompareAndSwap(ctx context.Context, key string, old, newValue []byte, ttl time.Duration) (bool, error) {
	var swapped bool
	err := s.update(ctx, "cas", func(tx *bolt.Tx) error {
		swapped = false
		now := s.clock.Now()
		r, ok, err := prepare(tx, key, kindString, now)
		if err != nil {
			return err
		}
		if (old == nil) == ok || (ok && !bytes.Equal(r.payload, old)) {
			return nil
		}
		swapped = true
		return put(tx, key, record{kind: kindString, expires: expiry(now, ttl), payload: newValue})
	})
	return swapped, err
}

// Delete removes keys of any kind.
func (s *Store) Delete(ctx context.Context, keys ...string) error {
	if len(keys) == 0 {
		return nil
	}
	return s.update(ctx, "delete", func(tx *bolt.Tx) error {
		for _, k := range keys {
			if err := remove(tx, k); err != nil {
				return err
			}
		}
		return nil
	})
}

// DeleteIfEquals removes key only if its value equals value.
func (s *Store) DeleteIfEquals(ctx context.Context, key string, value []byte) (bool, error) {
	var deleted bool
	err := s.update(ctx, "delete if equals", func(tx *bolt.Tx) error {
		deleted = false
		r, ok, err := prepare(tx, key, kindString, s.clock.Now())
		if err != nil || !ok || !bytes.Equal(r.payload, value) {
			return err
		}
		deleted = true
		return remove(tx, key)
	})
	return deleted, err
}

// Expire sets a new TTL (0 = never) on an existing key of any kind.
func (s *Store) Expire(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	var existed bool
	err := s.update(ctx, "expire", func(tx *bolt.Tx) error {
		existed = false
		now := s.clock.Now()
		v := tx.Bucket(bucketMeta).Get(ukey(key))
		if v == nil {
			return nil
		}
		r := decode(v)
		if r.expired(now) {
			return remove(tx, key)
		}
		existed = true
		r.expires = expiry(now, ttl)
		return put(tx, key, r)
	})
	return existed, err
}

// Incr adds delta to the integer at key (missing = 0); the TTL is kept.
func (s *Store) Incr(ctx context.Context, key string, delta int64) (int64, error) {
	var n int64
	err := s.update(ctx, "incr", func(tx *bolt.Tx) error {
		r, ok, err := prepare(tx, key, kindString, s.clock.Now())
		if err != nil {
			return err
		}
		var cur int64
		if ok {
			if cur, err = strconv.ParseInt(string(r.payload), 10, 64); err != nil {
				return fmt.Errorf("%q: %w", key, errNotInteger)
			}
		} else {
			r = record{kind: kindString}
		}
		n = cur + delta
		r.payload = strconv.AppendInt(nil, n, 10)
		return put(tx, key, r)
	})
	return n, err
}

// --- hashes ---

// HSet sets field of the hash at key.
func (s *Store) HSet(ctx context.Context, key, field string, value []byte) error {
	return s.update(ctx, "hset", func(tx *bolt.Tx) error {
		_, err := s.hset(tx, key, field, func([]byte) ([]byte, error) { return value, nil })
		return err
	})
}

// hset updates one field through fn (given the old value or nil) and returns
// the new value.
func (s *Store) hset(tx *bolt.Tx, key, field string, fn func(old []byte) ([]byte, error)) ([]byte, error) {
	r, ok, err := prepare(tx, key, kindHash, s.clock.Now())
	if err != nil {
		return nil, err
	}
	if !ok {
		r = record{kind: kindHash}
	}
	b, err := dataCreate(tx, key)
	if err != nil {
		return nil, err
	}
	f := ukey(field)
	old := b.Get(f)
	v, err := fn(old)
	if err != nil {
		return nil, err
	}
	if err := b.Put(f, v); err != nil {
		return nil, err
	}
	if old == nil || !ok {
		r.setCount(r.count() + 1)
		return v, put(tx, key, r)
	}
	return v, nil
}

// HGet returns one field or store.ErrNotFound.
func (s *Store) HGet(ctx context.Context, key, field string) ([]byte, error) {
	var out []byte
	err := s.view(ctx, "hget", func(tx *bolt.Tx) error {
		_, ok, err := getKind(tx, key, kindHash, s.clock.Now())
		if err != nil {
			return err
		}
		if ok {
			if v := data(tx, key).Get(ukey(field)); v != nil {
				out = append([]byte{}, v...)
				return nil
			}
		}
		return fmt.Errorf("%q %q: %w", key, field, store.ErrNotFound)
	})
	return out, err
}

// HDel removes fields; an emptied hash disappears.
func (s *Store) HDel(ctx context.Context, key string, fields ...string) error {
	if len(fields) == 0 {
		return nil
	}
	return s.update(ctx, "hdel", func(tx *bolt.Tx) error {
		r, ok, err := prepare(tx, key, kindHash, s.clock.Now())
		if err != nil || !ok {
			return err
		}
		n, err := removeMembers(data(tx, key), fields)
		if err != nil || n == 0 {
			return err
		}
		if r.count()-n <= 0 {
			return remove(tx, key)
		}
		r.setCount(r.count() - n)
		return put(tx, key, r)
	})
}

// removeMembers deletes names from b and returns how many were there.
func removeMembers(b *bolt.Bucket, names []string) (int64, error) {
	var n int64
	for _, name := range names {
		k := ukey(name)
		if b.Get(k) == nil {
			continue
		}
		if err := b.Delete(k); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// HGetAll returns every field (empty map when missing).
func (s *Store) HGetAll(ctx context.Context, key string) (map[string][]byte, error) {
	out := map[string][]byte{}
	err := s.view(ctx, "hgetall", func(tx *bolt.Tx) error {
		_, ok, err := getKind(tx, key, kindHash, s.clock.Now())
		if err != nil || !ok {
			return err
		}
		return data(tx, key).ForEach(func(k, v []byte) error {
			out[ustr(k)] = append([]byte{}, v...)
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// HIncr adds delta to the integer field and returns the new value.
func (s *Store) HIncr(ctx context.Context, key, field string, delta int64) (int64, error) {
	var n int64
	err := s.update(ctx, "hincr", func(tx *bolt.Tx) error {
		_, err := s.hset(tx, key, field, func(old []byte) ([]byte, error) {
			var cur int64
			if old != nil {
				var err error
				if cur, err = strconv.ParseInt(string(old), 10, 64); err != nil {
					return nil, fmt.Errorf("%q %q: %w", key, field, errNotInteger)
				}
			}
			n = cur + delta
			return strconv.AppendInt(nil, n, 10), nil
		})
		return err
	})
	return n, err
}

// --- sets ---

// SAdd adds members and returns how many were new.
func (s *Store) SAdd(ctx context.Context, key string, members ...string) (int, error) {
	if len(members) == 0 {
		return 0, nil
	}
	var added int
	err := s.update(ctx, "sadd", func(tx *bolt.Tx) error {
		added = 0
		r, ok, err := prepare(tx, key, kindSet, s.clock.Now())
		if err != nil {
			return err
		}
		if !ok {
			r = record{kind: kindSet}
		}
		b, err := dataCreate(tx, key)
		if err != nil {
			return err
		}
		for _, m := range members {
			k := ukey(m)
			if b.Get(k) != nil {
				continue
			}
			if err := b.Put(k, []byte{}); err != nil {
				return err
			}
			added++
		}
		if added == 0 && ok {
			return nil
		}
		r.setCount(r.count() + int64(added))
		return put(tx, key, r)
	})
	return added, err
}

// SRem removes members and returns how many were present; an emptied set disappears.
func (s *Store) SRem(ctx context.Context, key string, members ...string) (int, error) {
	var removed int64
	err := s.update(ctx, "srem", func(tx *bolt.Tx) error {
		removed = 0
		r, ok, err := prepare(tx, key, kindSet, s.clock.Now())
		if err != nil || !ok {
			return err
		}
		if removed, err = removeMembers(data(tx, key), members); err != nil || removed == 0 {
			return err
		}
		if r.count()-removed <= 0 {
			return remove(tx, key)
		}
		r.setCount(r.count() - removed)
		return put(tx, key, r)
	})
	return int(removed), err
}

// SIsMember reports whether member is in the set.
func (s *Store) SIsMember(ctx context.Context, key, member string) (bool, error) {
	var found bool
	err := s.view(ctx, "sismember", func(tx *bolt.Tx) error {
		_, ok, err := getKind(tx, key, kindSet, s.clock.Now())
		if err != nil || !ok {
			return err
		}
		found = data(tx, key).Get(ukey(member)) != nil
		return nil
	})
	return found, err
}

// SCard returns the number of members.
func (s *Store) SCard(ctx context.Context, key string) (int64, error) {
	var n int64
	err := s.view(ctx, "scard", func(tx *bolt.Tx) error {
		r, ok, err := getKind(tx, key, kindSet, s.clock.Now())
		if err != nil || !ok {
			return err
		}
		n = r.count()
		return nil
	})
	return n, err
}

// SScan returns up to count members in byte order after cursor and the next
// cursor ("" when done). A cursor is ">" followed by the last member returned,
// so that even the empty member can end a page.
func (s *Store) SScan(ctx context.Context, key, cursor string, count int) ([]string, string, error) {
	if count <= 0 {
		count = 10
	}
	var (
		members []string
		next    string
	)
	err := s.view(ctx, "sscan", func(tx *bolt.Tx) error {
		_, ok, err := getKind(tx, key, kindSet, s.clock.Now())
		if err != nil || !ok {
			return err
		}
		last, resume := strings.CutPrefix(cursor, ">")
		if cursor != "" && !resume {
			return fmt.Errorf("%q: bad cursor %q", key, cursor)
		}
		c := data(tx, key).Cursor()
		var k []byte
		if !resume {
			k, _ = c.First()
		} else {
			start := ukey(last)
			if k, _ = c.Seek(start); k != nil && bytes.Equal(k, start) {
				k, _ = c.Next()
			}
		}
		for ; k != nil && len(members) < count; k, _ = c.Next() {
			members = append(members, ustr(k))
		}
		if k != nil {
			next = ">" + members[len(members)-1]
		}
		return nil
	})
	return members, next, err
}

// --- lists ---

// listBounds reads a list record's head and tail sequence numbers (items are
// head..tail-1).
func listBounds(r record) (head, tail uint64) {
	if len(r.payload) < 16 {
		return 0, 0
	}
	return binary.BigEndian.Uint64(r.payload[:8]), binary.BigEndian.Uint64(r.payload[8:16])
}

func setListBounds(r *record, head, tail uint64) {
	r.payload = append(u64(head), u64(tail)...)
}

// RPush appends values and returns the list's new length.
func (s *Store) RPush(ctx context.Context, key string, values ...[]byte) (int64, error) {
	var n int64
	err := s.update(ctx, "rpush", func(tx *bolt.Tx) error {
		n = 0
		r, ok, err := prepare(tx, key, kindList, s.clock.Now())
		if err != nil {
			return err
		}
		if len(values) == 0 {
			head, tail := listBounds(r)
			n = int64(tail - head)
			return nil
		}
		if !ok {
			r = record{kind: kindList}
		}
		b, err := dataCreate(tx, key)
		if err != nil {
			return err
		}
		head, tail := listBounds(r)
		for _, v := range values {
			if err := b.Put(u64(tail), v); err != nil {
				return err
			}
			tail++
		}
		setListBounds(&r, head, tail)
		n = int64(tail - head)
		return put(tx, key, r)
	})
	return n, err
}

// LRange returns items start..stop inclusive (negative = from the end).
func (s *Store) LRange(ctx context.Context, key string, start, stop int64) ([][]byte, error) {
	var out [][]byte
	err := s.view(ctx, "lrange", func(tx *bolt.Tx) error {
		r, ok, err := getKind(tx, key, kindList, s.clock.Now())
		if err != nil || !ok {
			return err
		}
		head, tail := listBounds(r)
		lo, hi, ok := listrange.Bounds(start, stop, int64(tail-head))
		if !ok {
			return nil
		}
		c := data(tx, key).Cursor()
		k, v := c.Seek(u64(head + uint64(lo)))
		for i := lo; i < hi && k != nil; i++ {
			out = append(out, append([]byte{}, v...))
			k, v = c.Next()
		}
		return nil
	})
	return out, err
}

// LLen returns the list's length.
func (s *Store) LLen(ctx context.Context, key string) (int64, error) {
	var n int64
	err := s.view(ctx, "llen", func(tx *bolt.Tx) error {
		r, ok, err := getKind(tx, key, kindList, s.clock.Now())
		if err != nil || !ok {
			return err
		}
		head, tail := listBounds(r)
		n = int64(tail - head)
		return nil
	})
	return n, err
}

// LTrim keeps items start..stop inclusive; an emptied list disappears.
func (s *Store) LTrim(ctx context.Context, key string, start, stop int64) error {
	return s.update(ctx, "ltrim", func(tx *bolt.Tx) error {
		r, ok, err := prepare(tx, key, kindList, s.clock.Now())
		if err != nil || !ok {
			return err
		}
		head, tail := listBounds(r)
		lo, hi, ok := listrange.Bounds(start, stop, int64(tail-head))
		if !ok {
			return remove(tx, key)
		}
		b := data(tx, key)
		newHead, newTail := head+uint64(lo), head+uint64(hi)
		for seq := head; seq < newHead; seq++ {
			if err := b.Delete(u64(seq)); err != nil {
				return err
			}
		}
		for seq := newTail; seq < tail; seq++ {
			if err := b.Delete(u64(seq)); err != nil {
				return err
			}
		}
		setListBounds(&r, newHead, newTail)
		return put(tx, key, r)
	})
}

// --- sweeping ---

func (s *Store) sweepLoop(every time.Duration) {
	defer close(s.done)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			if n, err := s.Sweep(context.Background()); err != nil {
				s.log.Warn("sweep expired keys", zap.Error(err))
			} else if n > 0 {
				s.log.Debug("swept expired keys", zap.Int("keys", n))
			}
		}
	}
}

// sweepBatch bounds one sweeping transaction so writers are not held up long
// (a variable so tests can make it small).
var sweepBatch = 1000

// Sweep removes every expired key from the file now and returns how many it
// removed. It runs in the background every Options.SweepInterval; expired keys
// are invisible to reads whether or not they were swept.
func (s *Store) Sweep(ctx context.Context) (int, error) {
	total := 0
	for {
		var n int
		err := s.update(ctx, "sweep", func(tx *bolt.Tx) error {
			n = 0
			now := micros(s.clock.Now())
			var keys []string
			c := tx.Bucket(bucketExp).Cursor()
			for k, _ := c.First(); k != nil && bytes.Compare(k[:8], now) <= 0 && len(keys) < sweepBatch; k, _ = c.Next() {
				keys = append(keys, ustr(k[8:]))
			}
			for _, key := range keys {
				if err := remove(tx, key); err != nil {
					return err
				}
			}
			n = len(keys)
			return nil
		})
		total += n
		if err != nil || n < sweepBatch {
			return total, err
		}
	}
}
