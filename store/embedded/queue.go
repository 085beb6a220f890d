package embedded

import (
	"bytes"
	"context"
	"encoding/binary"
	"time"

	bolt "go.etcd.io/bbolt"
)

// A queue is a nested bucket under "queues" holding:
//
//	w   seq(8) -> item          waiting items in order
//	wi  item -> seq(8)          index of waiting items
//	l   item -> expiry(8)       leased items
//	le  expiry(8) | item -> nil leases by expiry, to find the ended ones
//	nw, nl                      waiting and leased counts
//
// Queues live apart from keys: Delete and Expire do not touch them.
var (
	qWaiting      = []byte("w")
	qWaitingIndex = []byte("wi")
	qLeased       = []byte("l")
	qLeaseExpiry  = []byte("le")
	qNumWaiting   = []byte("nw")
	qNumLeased    = []byte("nl")
)

// queueTx is one queue inside a write or read transaction.
type queueTx struct {
	root                  *bolt.Bucket
	w, wi, l, le          *bolt.Bucket
	numWaiting, numLeased int64
}

func openQueue(tx *bolt.Tx, name string, create bool) (*queueTx, error) {
	parent := tx.Bucket(bucketQueues)
	root := parent.Bucket(ukey(name))
	if root == nil {
		if !create {
			return nil, nil
		}
		var err error
		if root, err = parent.CreateBucket(ukey(name)); err != nil {
			return nil, err
		}
		for _, n := range [][]byte{qWaiting, qWaitingIndex, qLeased, qLeaseExpiry} {
			if _, err := root.CreateBucket(n); err != nil {
				return nil, err
			}
		}
	}
	q := &queueTx{
		root: root,
		w:    root.Bucket(qWaiting), wi: root.Bucket(qWaitingIndex),
		l: root.Bucket(qLeased), le: root.Bucket(qLeaseExpiry),
	}
	if v := root.Get(qNumWaiting); v != nil {
		q.numWaiting = int64(binary.BigEndian.Uint64(v))
	}
	if v := root.Get(qNumLeased); v != nil {
		q.numLeased = int64(binary.BigEndian.Uint64(v))
	}
	return q, nil
}

// save writes the counts back, or drops the queue when it is empty.
func (q *queueTx) save(tx *bolt.Tx, name string) error {
	if q.numWaiting == 0 && q.numLeased == 0 {
		return tx.Bucket(bucketQueues).DeleteBucket(ukey(name))
	}
	if err := q.root.Put(qNumWaiting, u64(uint64(q.numWaiting))); err != nil {
		return err
	}
	return q.root.Put(qNumLeased, u64(uint64(q.numLeased)))
}

// push adds item at the end of the waiting list unless it is waiting or leased.
func (q *queueTx) push(item string) error {
	k := ukey(item)
	if q.wi.Get(k) != nil || q.l.Get(k) != nil {
		return nil
	}
	seq, err := q.root.NextSequence()
	if err != nil {
		return err
	}
	if err := q.w.Put(u64(seq), k); err != nil {
		return err
	}
	if err := q.wi.Put(k, u64(seq)); err != nil {
		return err
	}
	q.numWaiting++
	return nil
}

// unlease drops item's lease; it reports whether item was leased.
func (q *queueTx) unlease(item string) (bool, error) {
	k := ukey(item)
	until := q.l.Get(k)
	if until == nil {
		return false, nil
	}
	if err := q.le.Delete(append(append([]byte{}, until...), k...)); err != nil {
		return false, err
	}
	if err := q.l.Delete(k); err != nil {
		return false, err
	}
	q.numLeased--
	return true, nil
}

// unwait drops item from the waiting list; it reports whether it was waiting.
func (q *queueTx) unwait(item string) (bool, error) {
	k := ukey(item)
	seq := q.wi.Get(k)
	if seq == nil {
		return false, nil
	}
	if err := q.w.Delete(seq); err != nil {
		return false, err
	}
	if err := q.wi.Delete(k); err != nil {
		return false, err
	}
	q.numWaiting--
	return true, nil
}

// ended returns the items whose lease ended by now (at most limit; 0 = all).
func (q *queueTx) ended(now time.Time, limit int) []string {
	var items []string
	until := micros(now)
	c := q.le.Cursor()
	for k, _ := c.First(); k != nil && bytes.Compare(k[:8], until) <= 0; k, _ = c.Next() {
		items = append(items, ustr(k[8:]))
		if limit > 0 && len(items) >= limit {
			break
		}
	}
	return items
}

// Enqueue appends items; an item already waiting or leased is not added twice.
func (s *Store) Enqueue(ctx context.Context, name string, items ...string) error {
	if len(items) == 0 {
		return nil
	}
	return s.update(ctx, "enqueue", func(tx *bolt.Tx) error {
		q, err := openQueue(tx, name, true)
		if err != nil {
			return err
		}
		for _, item := range items {
			if err := q.push(item); err != nil {
				return err
			}
		}
		return q.save(tx, name)
	})
}

// Claim leases up to n items for lease: items whose lease ended first, then
// waiting items in order.
func (s *Store) Claim(ctx context.Context, name string, n int, lease time.Duration) ([]string, error) {
	if n <= 0 {
		return nil, nil
	}
	var claimed []string
	err := s.update(ctx, "claim", func(tx *bolt.Tx) error {
		claimed = nil
		q, err := openQueue(tx, name, false)
		if err != nil || q == nil {
			return err
		}
		now := s.clock.Now()
		until := micros(now.Add(lease))
		// Items whose lease ended are given out again with a new lease.
		for _, item := range q.ended(now, n) {
			k := ukey(item)
			old := q.l.Get(k)
			if err := q.le.Delete(append(append([]byte{}, old...), k...)); err != nil {
				return err
			}
			if err := q.l.Put(k, until); err != nil {
				return err
			}
			if err := q.le.Put(append(append([]byte{}, until...), k...), nil); err != nil {
				return err
			}
			claimed = append(claimed, item)
		}
		var seqs [][]byte
		c := q.w.Cursor()
		for k, v := c.First(); k != nil && len(claimed) < n; k, v = c.Next() {
			seqs = append(seqs, append([]byte{}, k...))
			claimed = append(claimed, ustr(v))
		}
		for i, seq := range seqs {
			item := claimed[len(claimed)-len(seqs)+i]
			k := ukey(item)
			if err := q.w.Delete(seq); err != nil {
				return err
			}
			if err := q.wi.Delete(k); err != nil {
				return err
			}
			if err := q.l.Put(k, until); err != nil {
				return err
			}
			if err := q.le.Put(append(append([]byte{}, until...), k...), nil); err != nil {
				return err
			}
		}
		q.numWaiting -= int64(len(seqs))
		q.numLeased += int64(len(seqs))
		return q.save(tx, name)
	})
	return claimed, err
}

// Ack removes items from the queue for good, leased or waiting.
func (s *Store) Ack(ctx context.Context, name string, items ...string) error {
	if len(items) == 0 {
		return nil
	}
	return s.update(ctx, "ack", func(tx *bolt.Tx) error {
		q, err := openQueue(tx, name, false)
		if err != nil || q == nil {
			return err
		}
		for _, item := range items {
			if _, err := q.unlease(item); err != nil {
				return err
			}
			if _, err := q.unwait(item); err != nil {
				return err
			}
		}
		return q.save(tx, name)
	})
}

// Release returns leased items to the end of the waiting list.
func (s *Store) Release(ctx context.Context, name string, items ...string) error {
	if len(items) == 0 {
		return nil
	}
	return s.update(ctx, "release", func(tx *bolt.Tx) error {
		q, err := openQueue(tx, name, false)
		if err != nil || q == nil {
			return err
		}
		for _, item := range items {
			leased, err := q.unlease(item)
			if err != nil {
				return err
			}
			if leased {
				if err := q.push(item); err != nil {
					return err
				}
			}
		}
		return q.save(tx, name)
	})
}

// QueueLen returns (waiting, leased) counts; items whose lease ended count as waiting.
func (s *Store) QueueLen(ctx context.Context, name string) (int64, int64, error) {
	var waiting, leased int64
	err := s.view(ctx, "queuelen", func(tx *bolt.Tx) error {
		waiting, leased = 0, 0
		q, err := openQueue(tx, name, false)
		if err != nil || q == nil {
			return err
		}
		ended := int64(len(q.ended(s.clock.Now(), 0)))
		waiting, leased = q.numWaiting+ended, q.numLeased-ended
		return nil
	})
	return waiting, leased, err
}
