package remote

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/hospital/wxbot/store"
)

// Client is a store.Store that calls a server's Handler over a unix socket.
type Client struct {
	http   *http.Client
	closed atomic.Bool
}

var _ store.Store = (*Client)(nil)

// Dial returns a store that calls the server listening on the unix socket at
// socketPath. It does not connect: call Ping to check that a server answers.
// Failures to reach the server wrap store.ErrUnavailable.
func Dial(socketPath string) store.Store {
	d := &net.Dialer{Timeout: 2 * time.Second}
	return &Client{http: &http.Client{
		Timeout: time.Minute,
		Transport: &http.Transport{
			DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
				return d.DialContext(ctx, "unix", socketPath)
			},
			MaxIdleConnsPerHost: 16,
			IdleConnTimeout:     time.Minute,
		},
	}}
}

// call posts req to /v1/<op> and decodes the answer into resp.
func (c *Client) call(ctx context.Context, op string, req request) (response, error) {
	var resp response
	if c.closed.Load() {
		return resp, fmt.Errorf("remote %s: %w: client closed", op, store.ErrUnavailable)
	}
	body, err := json.Marshal(req)
	if err != nil {
		return resp, fmt.Errorf("remote %s: %w", op, err)
	}
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://store/v1/"+op, bytes.NewReader(body))
	if err != nil {
		return resp, fmt.Errorf("remote %s: %w", op, err)
	}
	hreq.Header.Set("Content-Type", "application/json")
	hresp, err := c.http.Do(hreq)
	if err != nil {
		return resp, fmt.Errorf("remote %s: %w: %w", op, store.ErrUnavailable, err)
	}
	defer hresp.Body.Close()
	if hresp.StatusCode != http.StatusOK {
		return resp, readError(op, hresp.StatusCode, hresp.Body)
	}
	if err := json.NewDecoder(hresp.Body).Decode(&resp); err != nil {
		return resp, fmt.Errorf("remote %s: %w: read answer: %w", op, store.ErrUnavailable, err)
	}
	return resp, nil
}

// Get implements store.Store.
func (c *Client) Get(ctx context.Context, key string) ([]byte, error) {
	r, err := c.call(ctx, "Get", request{Key: key})
	if err != nil {
		return nil, err
	}
	if r.Value == nil {
		r.Value = []byte{}
	}
	return r.Value, nil
}

// Set implements store.Store.
func (c *Client) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	_, err := c.call(ctx, "Set", request{Key: key, Value: value, TTL: ttl})
	return err
}

// SetNX implements store.Store.
func (c *Client) SetNX(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	r, err := c.call(ctx, "SetNX", request{Key: key, Value: value, TTL: ttl})
	return r.OK, err
}

// CompareAndSwap implements store.Store.
func (c *Client) CompareAndSwap(ctx context.Context, key string, old, newValue []byte, ttl time.Duration) (bool, error) {
	r, err := c.call(ctx, "CompareAndSwap", request{Key: key, Old: old, Value: newValue, TTL: ttl})
	return r.OK, err
}

// Delete implements store.Store.
func (c *Client) Delete(ctx context.Context, keys ...string) error {
	if len(keys) == 0 {
		return nil
	}
	_, err := c.call(ctx, "Delete", request{Keys: keys})
	return err
}

// DeleteIfEquals implements store.Store.
func (c *Client) DeleteIfEquals(ctx context.Context, key string, value []byte) (bool, error) {
	r, err := c.call(ctx, "DeleteIfEquals", request{Key: key, Value: value})
	return r.OK, err
}

// Expire implements store.Store.
func (c *Client) Expire(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	r, err := c.call(ctx, "Expire", request{Key: key, TTL: ttl})
	return r.OK, err
}

// Incr implements store.Store.
func (c *Client) Incr(ctx context.Context, key string, delta int64) (int64, error) {
	r, err := c.call(ctx, "Incr", request{Key: key, Delta: delta})
	return r.N, err
}

// HSet implements store.Store.
func (c *Client) HSet(ctx context.Context, key, field string, value []byte) error {
	_, err := c.call(ctx, "HSet", request{Key: key, Field: field, Value: value})
	return err
}

// HGet implements store.Store.
func (c *Client) HGet(ctx context.Context, key, field string) ([]byte, error) {
	r, err := c.call(ctx, "HGet", request{Key: key, Field: field})
	if err != nil {
		return nil, err
	}
	if r.Value == nil {
		r.Value = []byte{}
	}
	return r.Value, nil
}

// HDel implements store.Store.
func (c *Client) HDel(ctx context.Context, key string, fields ...string) error {
	if len(fields) == 0 {
		return nil
	}
	_, err := c.call(ctx, "HDel", request{Key: key, Fields: fields})
	return err
}

// HGetAll implements store.Store.
func (c *Client) HGetAll(ctx context.Context, key string) (map[string][]byte, error) {
	r, err := c.call(ctx, "HGetAll", request{Key: key})
	if err != nil {
		return nil, err
	}
	if r.Map == nil {
		r.Map = map[string][]byte{}
	}
	return r.Map, nil
}

// HIncr implements store.Store.
func (c *Client) HIncr(ctx context.Context, key, field string, delta int64) (int64, error) {
	r, err := c.call(ctx, "HIncr", request{Key: key, Field: field, Delta: delta})
	return r.N, err
}

// SAdd implements store.Store.
func (c *Client) SAdd(ctx context.Context, key string, members ...string) (int, error) {
	if len(members) == 0 {
		return 0, nil
	}
	r, err := c.call(ctx, "SAdd", request{Key: key, Items: members})
	return int(r.N), err
}

// SRem implements store.Store.
func (c *Client) SRem(ctx context.Context, key string, members ...string) (int, error) {
	if len(members) == 0 {
		return 0, nil
	}
	r, err := c.call(ctx, "SRem", request{Key: key, Items: members})
	return int(r.N), err
}

// SIsMember implements store.Store.
func (c *Client) SIsMember(ctx context.Context, key, member string) (bool, error) {
	r, err := c.call(ctx, "SIsMember", request{Key: key, Field: member})
	return r.OK, err
}

// SCard implements store.Store.
func (c *Client) SCard(ctx context.Context, key string) (int64, error) {
	r, err := c.call(ctx, "SCard", request{Key: key})
	return r.N, err
}

// SScan implements store.Store.
func (c *Client) SScan(ctx context.Context, key, cursor string, count int) ([]string, string, error) {
	r, err := c.call(ctx, "SScan", request{Key: key, Cursor: cursor, Count: count})
	return r.Items, r.Next, err
}

// RPush implements store.Store.
func (c *Client) RPush(ctx context.Context, key string, values ...[]byte) (int64, error) {
	r, err := c.call(ctx, "RPush", request{Key: key, Values: values})
	return r.N, err
}

// LRange implements store.Store.
func (c *Client) LRange(ctx context.Context, key string, start, stop int64) ([][]byte, error) {
	r, err := c.call(ctx, "LRange", request{Key: key, Start: start, Stop: stop})
	return r.Values, err
}

// LLen implements store.Store.
func (c *Client) LLen(ctx context.Context, key string) (int64, error) {
	r, err := c.call(ctx, "LLen", request{Key: key})
	return r.N, err
}

// LTrim implements store.Store.
func (c *Client) LTrim(ctx context.Context, key string, start, stop int64) error {
	_, err := c.call(ctx, "LTrim", request{Key: key, Start: start, Stop: stop})
	return err
}

// Enqueue implements store.Store.
func (c *Client) Enqueue(ctx context.Context, queue string, items ...string) error {
	if len(items) == 0 {
		return nil
	}
	_, err := c.call(ctx, "Enqueue", request{Key: queue, Items: items})
	return err
}

// Claim implements store.Store.
func (c *Client) Claim(ctx context.Context, queue string, n int, lease time.Duration) ([]string, error) {
	r, err := c.call(ctx, "Claim", request{Key: queue, N: n, TTL: lease})
	return r.Items, err
}

// Ack implements store.Store.
func (c *Client) Ack(ctx context.Context, queue string, items ...string) error {
	if len(items) == 0 {
		return nil
	}
	_, err := c.call(ctx, "Ack", request{Key: queue, Items: items})
	return err
}

// Release implements store.Store.
func (c *Client) Release(ctx context.Context, queue string, items ...string) error {
	if len(items) == 0 {
		return nil
	}
	_, err := c.call(ctx, "Release", request{Key: queue, Items: items})
	return err
}

// QueueLen implements store.Store.
func (c *Client) QueueLen(ctx context.Context, queue string) (int64, int64, error) {
	r, err := c.call(ctx, "QueueLen", request{Key: queue})
	return r.Waiting, r.Leased, err
}

// Ping reports whether the server answers and its store is reachable.
func (c *Client) Ping(ctx context.Context) error {
	_, err := c.call(ctx, "Ping", request{})
	return err
}

// Close closes the client's connections; the server's store stays open.
func (c *Client) Close() error {
	c.closed.Store(true)
	c.http.CloseIdleConnections()
	return nil
}
