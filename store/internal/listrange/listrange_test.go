package listrange

import "testing"

func TestBounds(t *testing.T) {
	cases := []struct {
		start, stop, n int64
		lo, hi         int64
		ok             bool
	}{
		{0, -1, 5, 0, 5, true},
		{-2, -1, 5, 3, 5, true},
		{1, 2, 5, 1, 3, true},
		{-100, 100, 5, 0, 5, true},
		{3, 1, 5, 0, 0, false},
		{5, 10, 5, 0, 0, false},
		{0, -1, 0, 0, 0, false},
		{-1, -1, 1, 0, 1, true},
		{0, -6, 5, 0, 0, false},
	}
	for _, c := range cases {
		lo, hi, ok := Bounds(c.start, c.stop, c.n)
		if lo != c.lo || hi != c.hi || ok != c.ok {
			t.Errorf("Bounds(%d, %d, %d) = %d, %d, %v; want %d, %d, %v", c.start, c.stop, c.n, lo, hi, ok, c.lo, c.hi, c.ok)
		}
	}
}
