package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"

	"github.com/hospital/wxbot/store"
	"github.com/hospital/wxbot/store/memstore"
)

type counter struct{ N int }

func loadCounter(ctx context.Context, st store.Store, key string) func() (*counter, []byte, error) {
	return func() (*counter, []byte, error) {
		raw, err := st.Get(ctx, key)
		if err != nil {
			return nil, nil, err
		}
		var c counter
		if err := json.Unmarshal(raw, &c); err != nil {
			return nil, nil, err
		}
		return &c, raw, nil
	}
}

func TestUpdateJSONConcurrentWritersLoseNothing(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	if err := st.Set(ctx, "c", []byte(`{"N":0}`), 0); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := store.UpdateJSON(ctx, st, "c", "counter", 1000, loadCounter(ctx, st, "c"),
				func(c *counter) error { c.N++; return nil }); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	c, _, err := loadCounter(ctx, st, "c")()
	if err != nil || c.N != 20 {
		t.Errorf("after 20 concurrent increments: %+v %v", c, err)
	}
}

func TestUpdateJSONErrors(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	_ = st.Set(ctx, "c", []byte(`{"N":1}`), 0)
	refused := errors.New("refused")
	if _, err := store.UpdateJSON(ctx, st, "c", "counter", 3, loadCounter(ctx, st, "c"),
		func(*counter) error { return refused }); !errors.Is(err, refused) {
		t.Errorf("change's error not returned: %v", err)
	}
	// Every attempt loses the race: a writer changes the value after each load.
	other := 100
	racing := func() (*counter, []byte, error) {
		c, raw, err := loadCounter(ctx, st, "c")()
		other++
		b, _ := json.Marshal(counter{N: other})
		_ = st.Set(ctx, "c", b, 0)
		return c, raw, err
	}
	if _, err := store.UpdateJSON(ctx, st, "c", "counter", 3, racing,
		func(c *counter) error { c.N++; return nil }); !errors.Is(err, store.ErrContended) {
		t.Errorf("want ErrContended, got %v", err)
	}
}
