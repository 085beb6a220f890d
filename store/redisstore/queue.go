package redisstore

import (
	"context"
	"strings"
	"time"

	"github.com/go-redis/redis/v8"
)

// A queue is three keys with one hash tag:
//
//	<tag>:w    sorted set: waiting items, scored by arrival number
//	<tag>:l    sorted set: leased items, scored by lease end (server ms)
//	<tag>:seq  arrival counter
//
// Every change runs as one Lua script, so claimers on many instances never get
// the same item.

// hasHashTag reports whether key has a Redis Cluster hash tag: a "{" followed
// later by a "}" with something between.
func hasHashTag(key string) bool {
	i := strings.IndexByte(key, '{')
	if i < 0 {
		return false
	}
	j := strings.IndexByte(key[i+1:], '}')
	return j > 0
}

// queueKeys returns the waiting, leased and counter keys of queue name.
func (s *Store) queueKeys(name string) []string {
	base := s.prefix + name
	if !hasHashTag(base) {
		base = s.prefix + "{" + name + "}"
	}
	return []string{base + ":w", base + ":l", base + ":seq"}
}

// nowMS reads the Redis server's clock in milliseconds. Scripts that write
// after TIME need effects replication, the default since Redis 5.
const nowMS = `
if redis.replicate_commands then pcall(redis.replicate_commands) end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`

var enqueueScript = redis.NewScript(`
for _, item in ipairs(ARGV) do
  if not redis.call('ZSCORE', KEYS[1], item) and not redis.call('ZSCORE', KEYS[2], item) then
    redis.call('ZADD', KEYS[1], redis.call('INCR', KEYS[3]), item)
  end
end
return 1
`)

var claimScript = redis.NewScript(nowMS + `
local n = tonumber(ARGV[1])
local deadline = now + tonumber(ARGV[2])
local out = {}
local ended = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, n)
for _, item in ipairs(ended) do
  redis.call('ZADD', KEYS[2], deadline, item)
  out[#out + 1] = item
end
if #out < n then
  local items = redis.call('ZRANGE', KEYS[1], 0, n - #out - 1)
  for _, item in ipairs(items) do
    redis.call('ZREM', KEYS[1], item)
    redis.call('ZADD', KEYS[2], deadline, item)
    out[#out + 1] = item
  end
end
return out
`)

var ackScript = redis.NewScript(`
for _, item in ipairs(ARGV) do
  redis.call('ZREM', KEYS[1], item)
  redis.call('ZREM', KEYS[2], item)
end
if redis.call('ZCARD', KEYS[1]) == 0 and redis.call('ZCARD', KEYS[2]) == 0 then
  redis.call('DEL', KEYS[3])
end
return 1
`)

var releaseScript = redis.NewScript(`
for _, item in ipairs(ARGV) do
  if redis.call('ZREM', KEYS[2], item) == 1 then
    redis.call('ZADD', KEYS[1], redis.call('INCR', KEYS[3]), item)
  end
end
return 1
`)

var queueLenScript = redis.NewScript(nowMS + `
local ended = redis.call('ZCOUNT', KEYS[2], '-inf', now)
return {redis.call('ZCARD', KEYS[1]) + ended, redis.call('ZCARD', KEYS[2]) - ended}
`)

// chunk bounds how many items one script call carries, so one call never
// blocks Redis for long.
const chunk = 1000

// runItems runs script over items in chunks.
func (s *Store) runItems(ctx context.Context, op string, script *redis.Script, name string, items []string) error {
	keys := s.queueKeys(name)
	for len(items) > 0 {
		n := min(len(items), chunk)
		if err := script.Run(ctx, s.c, keys, toArgs(items[:n])...).Err(); err != nil {
			return wrap(op, err)
		}
		items = items[n:]
	}
	return nil
}

// Enqueue appends items; an item already waiting or leased is not added twice.
func (s *Store) Enqueue(ctx context.Context, name string, items ...string) error {
	return s.runItems(ctx, "enqueue", enqueueScript, name, items)
}

// Claim leases up to n items for lease: items whose lease ended first, then
// waiting items in order.
func (s *Store) Claim(ctx context.Context, name string, n int, lease time.Duration) ([]string, error) {
	if n <= 0 {
		return nil, nil
	}
	items, err := claimScript.Run(ctx, s.c, s.queueKeys(name), n, ms(lease)).StringSlice()
	if err != nil {
		return nil, wrap("claim", err)
	}
	return items, nil
}

// Ack removes items from the queue for good, leased or waiting.
func (s *Store) Ack(ctx context.Context, name string, items ...string) error {
	return s.runItems(ctx, "ack", ackScript, name, items)
}

// Release returns leased items to the end of the waiting list.
func (s *Store) Release(ctx context.Context, name string, items ...string) error {
	return s.runItems(ctx, "release", releaseScript, name, items)
}

// QueueLen returns (waiting, leased) counts; items whose lease ended count as waiting.
func (s *Store) QueueLen(ctx context.Context, name string) (int64, int64, error) {
	v, err := queueLenScript.Run(ctx, s.c, s.queueKeys(name)[:2]).Int64Slice()
	if err != nil {
		return 0, 0, wrap("queuelen", err)
	}
	return v[0], v[1], nil
}
