// Package store defines what the service keeps and the errors its backends
// return. Two backends implement Store: an embedded one (bbolt, one file) for a
// single machine and a Redis one for several instances. Both pass the shared
// conformance suite in store/storetest.
//
// Keys are plain strings chosen by the caller. Keys that belong to one job (for
// example a push job's queue and its leases) should share a Redis hash tag
// ("push:{42}:queue", "push:{42}:leases") so a Redis Cluster keeps them in one slot.
package store

import (
	"context"
	"errors"
	"strconv"
	"time"
)

// ErrNotFound is returned by reads of a key, field or item that does not exist.
var ErrNotFound = errors.New("store: not found")

// NotFoundError is ErrNotFound for one key. It is built without formatting:
// reads of absent keys are everyday (most patients have no complaint draft).
type NotFoundError struct{ Op, Key string }

func (e *NotFoundError) Error() string {
	return e.Op + " " + strconv.Quote(e.Key) + ": " + ErrNotFound.Error()
}

// Unwrap makes errors.Is(err, ErrNotFound) true.
func (e *NotFoundError) Unwrap() error { return ErrNotFound }

// ErrUnavailable wraps every failure to reach the backend (Redis down, file closed).
// Callers test it with errors.Is to tell "not there" from "could not look".
var ErrUnavailable = errors.New("store: unavailable")

// Store is everything the service keeps. Every method is safe for concurrent use
// by many goroutines and, for the Redis backend, many processes.
//
// TTL arguments: 0 means the key never expires. Expired keys behave exactly as
// missing keys for every method.
//
// Every key holds one kind of value (string, hash, set or list). Set replaces a
// key of any kind; other methods used on a key of another kind return an error
// that is neither ErrNotFound nor ErrUnavailable. A hash, set or list emptied
// by HDel, SRem or LTrim disappears, as in Redis. Expire works on every kind.
//
// Work queues live apart from keys: Delete and Expire do not touch them, and an
// emptied queue (nothing waiting or leased) leaves nothing behind. The Redis
// backend keeps a queue in keys named "<queue>:w", "<queue>:l" and
// "<queue>:seq" (the name wrapped in {} unless it has a hash tag): do not use
// such names for keys.
//
// Backends: store/memstore (tests), store/embedded (one file, the default),
// store/redisstore (several instances), store/remote (the store of a running
// server, over its unix socket); store/faultstore wraps any of them to inject
// failures in tests.
type Store interface {
	// Get returns the value at key, or ErrNotFound.
	Get(ctx context.Context, key string) ([]byte, error)
	// Set stores value at key, replacing any value and its TTL.
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
	// SetNX stores value at key only if key does not exist; it reports whether it stored.
	// It is the primitive for dedup keys and locks.
	SetNX(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error)
	// CompareAndSwap replaces the value at key with newValue only if the current value
	// equals old (old == nil means "key must not exist"); it reports whether it swapped.
	// The TTL is set to ttl on success.
	CompareAndSwap(ctx context.Context, key string, old, newValue []byte, ttl time.Duration) (bool, error)
	// Delete removes keys; missing keys are not an error.
	Delete(ctx context.Context, keys ...string) error
	// DeleteIfEquals removes key only if its value equals value (lock release).
	DeleteIfEquals(ctx context.Context, key string, value []byte) (bool, error)
	// Expire sets a new TTL on an existing key; it reports whether the key existed.
	Expire(ctx context.Context, key string, ttl time.Duration) (bool, error)

	// Incr adds delta to the integer at key (missing = 0) and returns the new value.
	Incr(ctx context.Context, key string, delta int64) (int64, error)

	// HSet sets field of the hash at key. Hashes hold records of one collection
	// (notices by id, complaints by number).
	HSet(ctx context.Context, key, field string, value []byte) error
	// HGet returns one field or ErrNotFound.
	HGet(ctx context.Context, key, field string) ([]byte, error)
	// HDel removes fields; missing fields are not an error.
	HDel(ctx context.Context, key string, fields ...string) error
	// HGetAll returns every field of the hash (empty map when missing).
	HGetAll(ctx context.Context, key string) (map[string][]byte, error)
	// HIncr adds delta to the integer field and returns the new value.
	HIncr(ctx context.Context, key, field string, delta int64) (int64, error)

	// SAdd adds members to the set at key and returns how many were new.
	SAdd(ctx context.Context, key string, members ...string) (int, error)
	// SRem removes members and returns how many were present.
	SRem(ctx context.Context, key string, members ...string) (int, error)
	// SIsMember reports whether member is in the set.
	SIsMember(ctx context.Context, key, member string) (bool, error)
	// SCard returns the number of members.
	SCard(ctx context.Context, key string) (int64, error)
	// SScan returns up to about count members after cursor ("" starts) and the next
	// cursor ("" when done). Every member present for the whole scan is returned at
	// least once; callers must tolerate repeats. Large sets are streamed this way,
	// never loaded at once.
	SScan(ctx context.Context, key, cursor string, count int) (members []string, next string, err error)

	// RPush appends values to the list at key and returns its new length.
	RPush(ctx context.Context, key string, values ...[]byte) (int64, error)
	// LRange returns list items start..stop inclusive; negative indexes count from
	// the end (-1 is the last), as in Redis.
	LRange(ctx context.Context, key string, start, stop int64) ([][]byte, error)
	// LLen returns the list's length.
	LLen(ctx context.Context, key string) (int64, error)
	// LTrim keeps items start..stop inclusive (same index rules as LRange).
	LTrim(ctx context.Context, key string, start, stop int64) error

	// Enqueue appends items (unique ids) to a work queue. An item already
	// waiting or leased in that queue is not added again, so re-enqueueing after
	// a crash does not repeat anyone; an acked item may be enqueued anew.
	Enqueue(ctx context.Context, queue string, items ...string) error
	// Claim leases up to n items for lease; an item is given to one claimer at a
	// time. Items whose lease expired without Ack are claimable again (crash
	// recovery) and are given out first; then waiting items, oldest first.
	// An empty or missing queue gives no items and no error.
	Claim(ctx context.Context, queue string, n int, lease time.Duration) ([]string, error)
	// Ack removes items from the queue for good, whether leased or waiting.
	Ack(ctx context.Context, queue string, items ...string) error
	// Release returns leased items to the end of the queue at once (retry later
	// by anyone); items not leased are ignored.
	Release(ctx context.Context, queue string, items ...string) error
	// QueueLen returns (waiting, leased) counts; items whose lease expired
	// count as waiting.
	QueueLen(ctx context.Context, queue string) (waiting, leased int64, err error)

	// Ping reports whether the backend answers (readiness).
	Ping(ctx context.Context) error
	// Close releases the backend; later calls fail with ErrUnavailable.
	// Calling Close twice is harmless.
	Close() error
}
