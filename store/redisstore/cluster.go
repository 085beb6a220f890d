package redisstore

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"strconv"
	"strings"
	"sync"

	"github.com/go-redis/redis/v8"
)

// go-redis v8 reads the slot map with CLUSTER SLOTS and rejects the reply of
// Redis 7 and later (which adds a fourth element per node: "got 4 elements in
// cluster info address, expected 2 or 3"), so a Cluster client could not run a
// single command. slotLoader reads CLUSTER NODES instead, whose text format is
// the same on every Redis version, and hands the map to go-redis through
// ClusterOptions.ClusterSlots.
type slotLoader struct {
	seeds []string
	opts  *redis.Options // template for the seed connections

	mu      sync.Mutex
	clients map[string]*redis.Client
}

func (l *slotLoader) client(addr string) *redis.Client {
	l.mu.Lock()
	defer l.mu.Unlock()
	c := l.clients[addr]
	if c == nil {
		o := *l.opts
		o.Addr = addr
		c = redis.NewClient(&o)
		l.clients[addr] = c
	}
	return c
}

// slots asks the seeds, in random order, for the cluster's slot map.
func (l *slotLoader) slots(ctx context.Context) ([]redis.ClusterSlot, error) {
	var errs []error
	for _, i := range rand.Perm(len(l.seeds)) {
		addr := l.seeds[i]
		text, err := l.client(addr).ClusterNodes(ctx).Result()
		if err != nil {
			errs = append(errs, fmt.Errorf("cluster nodes from %s: %w", addr, err))
			continue
		}
		host, _, _ := net.SplitHostPort(addr)
		slots, err := parseClusterNodes(text, host)
		if err != nil {
			errs = append(errs, fmt.Errorf("cluster nodes from %s: %w", addr, err))
			continue
		}
		return slots, nil
	}
	return nil, errors.Join(errs...)
}

func (l *slotLoader) close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	var errs []error
	for _, c := range l.clients {
		if err := c.Close(); err != nil && !errors.Is(err, redis.ErrClosed) {
			errs = append(errs, err)
		}
	}
	l.clients = map[string]*redis.Client{}
	return errors.Join(errs...)
}

// parseClusterNodes turns a CLUSTER NODES reply into slot ranges, each served
// by its master first and then the master's replicas. A node that does not know
// its own address (":6379") gets seedHost.
func parseClusterNodes(text, seedHost string) ([]redis.ClusterSlot, error) {
	type node struct {
		id, addr string
		master   string
		slots    [][2]int
		isMaster bool
	}
	var nodes []node
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		f := strings.Fields(line)
		if len(f) < 8 {
			continue
		}
		flags := "," + f[2] + ","
		if strings.Contains(flags, ",fail,") || strings.Contains(flags, ",handshake,") || strings.Contains(flags, ",noaddr,") {
			continue
		}
		addr := f[1]
		if i := strings.IndexAny(addr, "@,"); i >= 0 {
			addr = addr[:i]
		}
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, fmt.Errorf("node address %q: %w", f[1], err)
		}
		if host == "" {
			host = seedHost
		}
		n := node{id: f[0], addr: net.JoinHostPort(host, port), master: f[3], isMaster: strings.Contains(flags, ",master,")}
		for _, r := range f[8:] {
			if strings.HasPrefix(r, "[") { // a slot being migrated or imported
				continue
			}
			lo, hi, found := strings.Cut(r, "-")
			if !found {
				hi = lo
			}
			a, err1 := strconv.Atoi(lo)
			b, err2 := strconv.Atoi(hi)
			if err1 != nil || err2 != nil {
				return nil, fmt.Errorf("slot range %q", r)
			}
			n.slots = append(n.slots, [2]int{a, b})
		}
		nodes = append(nodes, n)
	}
	replicas := map[string][]redis.ClusterNode{}
	for _, n := range nodes {
		if !n.isMaster && n.master != "-" {
			replicas[n.master] = append(replicas[n.master], redis.ClusterNode{ID: n.id, Addr: n.addr})
		}
	}
	var out []redis.ClusterSlot
	for _, n := range nodes {
		if !n.isMaster {
			continue
		}
		for _, r := range n.slots {
			serving := append([]redis.ClusterNode{{ID: n.id, Addr: n.addr}}, replicas[n.id]...)
			out = append(out, redis.ClusterSlot{Start: r[0], End: r[1], Nodes: serving})
		}
	}
	if len(out) == 0 {
		return nil, errors.New("no master serves any slot")
	}
	return out, nil
}

// A Cluster client also needs each command's key position, which go-redis v8
// reads with COMMAND and fails to parse on Redis 7 ("got 10 elements in COMMAND
// reply, wanted 7"). It then retries COMMAND before every command and sends
// each command to a random node (one MOVED redirect and a slot-map reload in
// most calls). commandInfoHook catches that failure, reads COMMAND as a generic
// reply and gives go-redis the fields it knows.
type commandInfoHook struct{ c *redis.Client }

// BeforeProcess does nothing.
func (commandInfoHook) BeforeProcess(ctx context.Context, _ redis.Cmder) (context.Context, error) {
	return ctx, nil
}

// AfterProcess repairs a failed COMMAND reply.
func (h commandInfoHook) AfterProcess(ctx context.Context, cmd redis.Cmder) error {
	ci, ok := cmd.(*redis.CommandsInfoCmd)
	if !ok || ci.Err() == nil {
		return nil
	}
	raw, err := h.c.Do(ctx, "command").Slice()
	if err != nil {
		return nil // keep the original error
	}
	if info := parseCommandInfo(raw); len(info) > 0 {
		ci.SetVal(info)
		ci.SetErr(nil)
	}
	return nil
}

// BeforeProcessPipeline does nothing.
func (commandInfoHook) BeforeProcessPipeline(ctx context.Context, _ []redis.Cmder) (context.Context, error) {
	return ctx, nil
}

// AfterProcessPipeline does nothing.
func (commandInfoHook) AfterProcessPipeline(context.Context, []redis.Cmder) error { return nil }

// parseCommandInfo reads the first six fields of each COMMAND entry: name,
// arity, flags, first key, last key, step.
func parseCommandInfo(raw []interface{}) map[string]*redis.CommandInfo {
	out := make(map[string]*redis.CommandInfo, len(raw))
	for _, e := range raw {
		f, ok := e.([]interface{})
		if !ok || len(f) < 6 {
			continue
		}
		name, _ := f[0].(string)
		arity, _ := f[1].(int64)
		first, _ := f[3].(int64)
		last, _ := f[4].(int64)
		step, _ := f[5].(int64)
		if name == "" {
			continue
		}
		info := &redis.CommandInfo{
			Name: strings.ToLower(name), Arity: int8(arity),
			FirstKeyPos: int8(first), LastKeyPos: int8(last), StepCount: int8(step),
		}
		if flags, ok := f[2].([]interface{}); ok {
			for _, fl := range flags {
				if s, ok := fl.(string); ok {
					info.Flags = append(info.Flags, s)
					if s == "readonly" {
						info.ReadOnly = true
					}
				}
			}
		}
		out[info.Name] = info
	}
	return out
}
