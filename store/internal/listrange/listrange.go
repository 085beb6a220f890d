// Package listrange turns Redis-style list indexes (negative counts from the
// end) into plain slice bounds, so every store backend reads them the same way.
package listrange

// Bounds converts start..stop inclusive (negative = from the end, -1 is the
// last item) for a list of length n into the half-open range [lo, hi). ok is
// false when the range selects nothing.
func Bounds(start, stop, n int64) (lo, hi int64, ok bool) {
	if start < 0 {
		start += n
	}
	if stop < 0 {
		stop += n
	}
	if start < 0 {
		start = 0
	}
	if stop >= n {
		stop = n - 1
	}
	if n == 0 || start > stop || start >= n {
		return 0, 0, false
	}
	return start, stop + 1, true
}
