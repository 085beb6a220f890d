package memstore_test

import (
	"testing"

	"github.com/hospital/wxbot/clock"
	"github.com/hospital/wxbot/store"
	"github.com/hospital/wxbot/store/memstore"
	"github.com/hospital/wxbot/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.RunWithClock(t, func(t *testing.T, clk *clock.Fake) store.Store {
		return memstore.NewWithClock(clk)
	})
}

func TestConformanceRealClock(t *testing.T) {
	if testing.Short() {
		t.Skip("sleeps about a second for TTLs")
	}
	storetest.Run(t, func(t *testing.T) store.Store { return memstore.New() })
}
