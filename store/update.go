package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
)

// ErrContended is returned by UpdateJSON when other writers changed the value
// every time it tried.
var ErrContended = errors.New("store: changed by other writers on every attempt")

// UpdateJSON is the read-modify-write of a JSON record kept at key: load
// returns the record and the bytes it was decoded from, change modifies it,
// and the result is stored with CompareAndSwap against those bytes, retrying
// from load up to attempts times when another writer got there first. change
// may run more than once. Nothing is written when change left the encoded
// record as it was. Errors from load and change are returned as they are;
// encoding and store errors are wrapped with what ("update notice 7: ...");
// losing every race gives an error wrapping ErrContended.
func UpdateJSON[T any](ctx context.Context, st Store, key, what string, attempts int,
	load func() (*T, []byte, error), change func(*T) error) (*T, error) {
	for range attempts {
		v, old, err := load()
		if err != nil {
			return nil, err
		}
		if err := change(v); err != nil {
			return nil, err
		}
		b, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("update %s: %w", what, err)
		}
		if bytes.Equal(b, old) {
			return v, nil
		}
		ok, err := st.CompareAndSwap(ctx, key, old, b, 0)
		if err != nil {
			return nil, fmt.Errorf("update %s: %w", what, err)
		}
		if ok {
			return v, nil
		}
	}
	return nil, fmt.Errorf("update %s: %w", what, ErrContended)
}
