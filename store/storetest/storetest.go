// Package storetest is the conformance suite every store.Store backend must
// pass, so code written against the memory store behaves the same on the
// embedded file and on Redis.
//
// A backend's test calls Run (real time: the expiry checks sleep once, about
// 1.2 s) or RunWithClock (a fake clock the backend reads: no sleeping). Each
// subtest asks the factory for a fresh, empty store and closes it at the end.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/hospital/wxbot/clock"
	"github.com/hospital/wxbot/store"
)

// env is one subtest's store and the way to let time pass for it.
type env struct {
	s       store.Store
	advance func(time.Duration)
}

type factory func(t *testing.T) env

// Run runs the suite against stores from newStore, on the real clock. The
// factory must return a fresh, empty store (for Redis: a unique key prefix)
// and arrange its cleanup; the suite closes the store itself at the end of
// each subtest, so Close must tolerate being called twice.
func Run(t *testing.T, newStore func(t *testing.T) store.Store) {
	run(t, func(t *testing.T) env {
		s := newStore(t)
		t.Cleanup(func() { s.Close() })
		return env{s: s, advance: time.Sleep}
	})
}

// RunWithClock runs the suite with a fake clock: newStore must build a store
// that reads time from clk, and expiry checks advance clk instead of sleeping.
func RunWithClock(t *testing.T, newStore func(t *testing.T, clk *clock.Fake) store.Store) {
	run(t, func(t *testing.T) env {
		clk := clock.NewFake(time.Date(2025, 3, 1, 8, 0, 0, 0, time.FixedZone("CST", 8*3600)))
		s := newStore(t, clk)
		t.Cleanup(func() { s.Close() })
		return env{s: s, advance: clk.Advance}
	})
}

func run(t *testing.T, f factory) {
	tests := []struct {
		name string
		fn   func(t *testing.T, f factory)
	}{
		{"Strings", testStrings},
		{"SetNX", testSetNX},
		{"CompareAndSwap", testCompareAndSwap},
		{"DeleteAndDeleteIfEquals", testDelete},
		{"Incr", testIncr},
		{"Hashes", testHashes},
		{"Sets", testSets},
		{"SScanLargeSet", testSScanLarge},
		{"SScanWhileAdding", testSScanWhileAdding},
		{"Lists", testLists},
		{"WrongKind", testWrongKind},
		{"Queue", testQueue},
		{"QueueOrderAndDuplicates", testQueueOrder},
		{"QueueConcurrentClaimers", testQueueConcurrent},
		{"ConcurrentIncr", testConcurrentIncr},
		{"ConcurrentSetNX", testConcurrentSetNX},
		{"Expiry", testExpiry},
		{"Ping", testPing},
		{"Closed", testClosed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, f) })
	}
}

var ctx = context.Background()

// must fails the test at once on err.
func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func mustGet(t *testing.T, s store.Store, key string, want string) {
	t.Helper()
	got, err := s.Get(ctx, key)
	if err != nil {
		t.Fatalf("Get(%q): %v; want %q", key, err, want)
	}
	if string(got) != want {
		t.Fatalf("Get(%q) = %q; want %q", key, got, want)
	}
}

func mustMissing(t *testing.T, s store.Store, key string) {
	t.Helper()
	got, err := s.Get(ctx, key)
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Get(%q) = %q, %v; want ErrNotFound", key, got, err)
	}
}

func testStrings(t *testing.T, f factory) {
	s := f(t).s
	mustMissing(t, s, "nothing")
	must(t, s.Set(ctx, "k", []byte("v1"), 0))
	mustGet(t, s, "k", "v1")
	must(t, s.Set(ctx, "k", []byte("v2"), 0))
	mustGet(t, s, "k", "v2")

	zh := "挂号费多少钱？\x00\xff"
	must(t, s.Set(ctx, "患者:o6_bmjrPTlm6_2sgVt7hMZOPfL2M", []byte(zh), 0))
	mustGet(t, s, "患者:o6_bmjrPTlm6_2sgVt7hMZOPfL2M", zh)

	must(t, s.Set(ctx, "empty", []byte{}, 0))
	got, err := s.Get(ctx, "empty")
	if err != nil || len(got) != 0 {
		t.Fatalf("Get(empty value) = %q, %v; want empty value, no error", got, err)
	}

	// The caller's slice may be reused after Set.
	buf := []byte("abc")
	must(t, s.Set(ctx, "copy", buf, 0))
	buf[0] = 'X'
	mustGet(t, s, "copy", "abc")
}

func testSetNX(t *testing.T, f factory) {
	s := f(t).s
	ok, err := s.SetNX(ctx, "dedup:msg:1", []byte("first"), time.Hour)
	must(t, err)
	if !ok {
		t.Fatal("SetNX on a missing key = false; want true")
	}
	ok, err = s.SetNX(ctx, "dedup:msg:1", []byte("second"), time.Hour)
	must(t, err)
	if ok {
		t.Fatal("SetNX on an existing key = true; want false")
	}
	mustGet(t, s, "dedup:msg:1", "first")
}

func testCompareAndSwap(t *testing.T, f factory) {
	s := f(t).s
	swap := func(key string, old, newValue []byte, want bool) {
		t.Helper()
		ok, err := s.CompareAndSwap(ctx, key, old, newValue, 0)
		must(t, err)
		if ok != want {
			t.Fatalf("CompareAndSwap(%q, %q -> %q) = %v; want %v", key, old, newValue, ok, want)
		}
	}
	swap("state", nil, []byte("draft"), true) // nil old: create when missing
	mustGet(t, s, "state", "draft")
	swap("state", nil, []byte("other"), false) // nil old: key exists
	swap("state", []byte("review"), []byte("approved"), false)
	mustGet(t, s, "state", "draft")
	swap("state", []byte("draft"), []byte("review"), true)
	mustGet(t, s, "state", "review")

	swap("missing", []byte{}, []byte("x"), false) // empty old is a value, not "missing"
	mustMissing(t, s, "missing")
	must(t, s.Set(ctx, "blank", []byte{}, 0))
	swap("blank", nil, []byte("x"), false)
	swap("blank", []byte{}, []byte("filled"), true)
	mustGet(t, s, "blank", "filled")
}

func testDelete(t *testing.T, f factory) {
	s := f(t).s
	must(t, s.Set(ctx, "a", []byte("1"), 0))
	must(t, s.Set(ctx, "b", []byte("2"), 0))
	must(t, s.HSet(ctx, "h", "f", []byte("v")))
	_, err := s.SAdd(ctx, "set", "m")
	must(t, err)
	_, err = s.RPush(ctx, "list", []byte("x"))
	must(t, err)
	must(t, s.Delete(ctx, "a", "b", "h", "set", "list", "never-existed"))
	must(t, s.Delete(ctx))
	mustMissing(t, s, "a")
	mustMissing(t, s, "b")
	if _, err := s.HGet(ctx, "h", "f"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("HGet after Delete: %v; want ErrNotFound", err)
	}
	if n, err := s.SCard(ctx, "set"); err != nil || n != 0 {
		t.Fatalf("SCard after Delete = %d, %v; want 0", n, err)
	}
	if n, err := s.LLen(ctx, "list"); err != nil || n != 0 {
		t.Fatalf("LLen after Delete = %d, %v; want 0", n, err)
	}

	must(t, s.Set(ctx, "lock", []byte("owner-1"), 0))
	ok, err := s.DeleteIfEquals(ctx, "lock", []byte("owner-2"))
	must(t, err)
	if ok {
		t.Fatal("DeleteIfEquals with another owner's value = true; want false")
	}
	mustGet(t, s, "lock", "owner-1")
	ok, err = s.DeleteIfEquals(ctx, "lock", []byte("owner-1"))
	must(t, err)
	if !ok {
		t.Fatal("DeleteIfEquals with the owner's value = false; want true")
	}
	mustMissing(t, s, "lock")
	ok, err = s.DeleteIfEquals(ctx, "lock", []byte("owner-1"))
	must(t, err)
	if ok {
		t.Fatal("DeleteIfEquals on a missing key = true; want false")
	}

	ok, err = s.Expire(ctx, "lock", time.Hour)
	must(t, err)
	if ok {
		t.Fatal("Expire on a missing key = true; want false")
	}
}

func testIncr(t *testing.T, f factory) {
	s := f(t).s
	for i, want := range []int64{5, 10, 7} {
		delta := []int64{5, 5, -3}[i]
		n, err := s.Incr(ctx, "counter", delta)
		must(t, err)
		if n != want {
			t.Fatalf("Incr(%d) = %d; want %d", delta, n, want)
		}
	}
	mustGet(t, s, "counter", "7")
	must(t, s.Set(ctx, "ticket", []byte("41"), 0))
	n, err := s.Incr(ctx, "ticket", 1)
	must(t, err)
	if n != 42 {
		t.Fatalf("Incr on \"41\" = %d; want 42", n)
	}
	must(t, s.Set(ctx, "text", []byte("四十二"), 0))
	if _, err := s.Incr(ctx, "text", 1); err == nil {
		t.Fatal("Incr on a non-integer value: no error")
	}
	mustGet(t, s, "text", "四十二")
}

func testHashes(t *testing.T, f factory) {
	s := f(t).s
	if _, err := s.HGet(ctx, "notices", "1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("HGet on a missing hash: %v; want ErrNotFound", err)
	}
	all, err := s.HGetAll(ctx, "notices")
	must(t, err)
	if all == nil || len(all) != 0 {
		t.Fatalf("HGetAll on a missing hash = %#v; want an empty map", all)
	}
	must(t, s.HSet(ctx, "notices", "1", []byte(`{"title":"门诊时间调整"}`)))
	must(t, s.HSet(ctx, "notices", "2", []byte("two")))
	must(t, s.HSet(ctx, "notices", "2", []byte("二")))
	must(t, s.HSet(ctx, "notices", "", []byte("empty field")))
	if _, err := s.HGet(ctx, "notices", "3"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("HGet of a missing field: %v; want ErrNotFound", err)
	}
	v, err := s.HGet(ctx, "notices", "2")
	must(t, err)
	if string(v) != "二" {
		t.Fatalf("HGet = %q; want 二", v)
	}
	all, err = s.HGetAll(ctx, "notices")
	must(t, err)
	want := map[string]string{"1": `{"title":"门诊时间调整"}`, "2": "二", "": "empty field"}
	if len(all) != len(want) {
		t.Fatalf("HGetAll = %q; want %q", all, want)
	}
	for k, w := range want {
		if string(all[k]) != w {
			t.Fatalf("HGetAll[%q] = %q; want %q", k, all[k], w)
		}
	}
	must(t, s.HDel(ctx, "notices", "1", "nope"))
	must(t, s.HDel(ctx, "notices"))
	if _, err := s.HGet(ctx, "notices", "1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("HGet after HDel: %v; want ErrNotFound", err)
	}

	for i, want := range []int64{3, 1} {
		n, err := s.HIncr(ctx, "stats", "科室:眼科", []int64{3, -2}[i])
		must(t, err)
		if n != want {
			t.Fatalf("HIncr = %d; want %d", n, want)
		}
	}
	v, err = s.HGet(ctx, "stats", "科室:眼科")
	must(t, err)
	if string(v) != "1" {
		t.Fatalf("HGet after HIncr = %q; want 1", v)
	}
	if _, err := s.HIncr(ctx, "notices", "2", 1); err == nil {
		t.Fatal("HIncr on a non-integer field: no error")
	}

	must(t, s.HDel(ctx, "stats", "科室:眼科"))
	all, err = s.HGetAll(ctx, "stats")
	must(t, err)
	if len(all) != 0 {
		t.Fatalf("HGetAll after deleting every field = %q; want empty", all)
	}
	must(t, s.HSet(ctx, "stats", "again", []byte("1")))
	if v, err := s.HGet(ctx, "stats", "again"); err != nil || string(v) != "1" {
		t.Fatalf("HGet on a hash emptied then refilled = %q, %v; want 1", v, err)
	}
}

// scanAll pages through a set and returns each member returned and how many pages.
func scanAll(t *testing.T, s store.Store, key string, count int) (map[string]int, int) {
	t.Helper()
	seen := map[string]int{}
	cursor, pages := "", 0
	for {
		members, next, err := s.SScan(ctx, key, cursor, count)
		must(t, err)
		pages++
		for _, m := range members {
			seen[m]++
		}
		if next == "" {
			return seen, pages
		}
		if pages > 100000 {
			t.Fatal("SScan does not finish")
		}
		cursor = next
	}
}

func testSets(t *testing.T, f factory) {
	s := f(t).s
	n, err := s.SAdd(ctx, "subs:门诊", "u1", "u2", "u2", "u3")
	must(t, err)
	if n != 3 {
		t.Fatalf("SAdd of 3 new members (one repeated) = %d; want 3", n)
	}
	n, err = s.SAdd(ctx, "subs:门诊", "u3", "u4")
	must(t, err)
	if n != 1 {
		t.Fatalf("SAdd of 1 new, 1 old = %d; want 1", n)
	}
	n, err = s.SAdd(ctx, "subs:门诊")
	must(t, err)
	if n != 0 {
		t.Fatalf("SAdd of nothing = %d; want 0", n)
	}
	card, err := s.SCard(ctx, "subs:门诊")
	must(t, err)
	if card != 4 {
		t.Fatalf("SCard = %d; want 4", card)
	}
	for m, want := range map[string]bool{"u1": true, "u4": true, "u9": false} {
		ok, err := s.SIsMember(ctx, "subs:门诊", m)
		must(t, err)
		if ok != want {
			t.Fatalf("SIsMember(%q) = %v; want %v", m, ok, want)
		}
	}
	n, err = s.SRem(ctx, "subs:门诊", "u1", "u9")
	must(t, err)
	if n != 1 {
		t.Fatalf("SRem of 1 present, 1 absent = %d; want 1", n)
	}
	seen, _ := scanAll(t, s, "subs:门诊", 2)
	if len(seen) != 3 || seen["u2"] == 0 || seen["u3"] == 0 || seen["u4"] == 0 {
		t.Fatalf("SScan = %v; want u2, u3, u4", seen)
	}

	// The empty string is a member like any other, even at the end of a page.
	_, err = s.SAdd(ctx, "odd", "", "a", "b")
	must(t, err)
	if seen, _ := scanAll(t, s, "odd", 1); len(seen) != 3 || seen[""] == 0 {
		t.Fatalf("SScan one by one over {\"\", a, b} = %v; want all three", seen)
	}

	members, next, err := s.SScan(ctx, "subs:none", "", 10)
	must(t, err)
	if len(members) != 0 || next != "" {
		t.Fatalf("SScan of a missing set = %q, %q; want nothing, \"\"", members, next)
	}
	if ok, err := s.SIsMember(ctx, "subs:none", "u1"); err != nil || ok {
		t.Fatalf("SIsMember of a missing set = %v, %v; want false", ok, err)
	}
	if n, err := s.SRem(ctx, "subs:none", "u1"); err != nil || n != 0 {
		t.Fatalf("SRem of a missing set = %d, %v; want 0", n, err)
	}

	n, err = s.SRem(ctx, "subs:门诊", "u2", "u3", "u4")
	must(t, err)
	if n != 3 {
		t.Fatalf("SRem of the last 3 = %d; want 3", n)
	}
	if card, err := s.SCard(ctx, "subs:门诊"); err != nil || card != 0 {
		t.Fatalf("SCard of an emptied set = %d, %v; want 0", card, err)
	}
	if n, err := s.SAdd(ctx, "subs:门诊", "u5"); err != nil || n != 1 {
		t.Fatalf("SAdd to an emptied set = %d, %v; want 1", n, err)
	}
}

func members(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%05d", prefix, i)
	}
	return out
}

func testSScanLarge(t *testing.T, f factory) {
	s := f(t).s
	all := members("oPatient_", 5000)
	for i := 0; i < len(all); i += 500 {
		_, err := s.SAdd(ctx, "subs:all", all[i:i+500]...)
		must(t, err)
	}
	if card, err := s.SCard(ctx, "subs:all"); err != nil || card != 5000 {
		t.Fatalf("SCard = %d, %v; want 5000", card, err)
	}
	seen, pages := scanAll(t, s, "subs:all", 100)
	for _, m := range all {
		if seen[m] == 0 {
			t.Fatalf("SScan over 5,000 members missed %q", m)
		}
	}
	if len(seen) != 5000 {
		t.Fatalf("SScan returned %d distinct members; want 5000", len(seen))
	}
	if pages < 5 {
		t.Fatalf("SScan with count 100 returned 5,000 members in %d pages; want them streamed", pages)
	}
}

func testSScanWhileAdding(t *testing.T, f factory) {
	s := f(t).s
	old := members("old", 1000)
	_, err := s.SAdd(ctx, "subs", old...)
	must(t, err)
	seen := map[string]bool{}
	cursor, added := "", 0
	for page := 0; ; page++ {
		ms, next, err := s.SScan(ctx, "subs", cursor, 50)
		must(t, err)
		for _, m := range ms {
			seen[m] = true
		}
		if page < 10 {
			_, err := s.SAdd(ctx, "subs", members(fmt.Sprintf("new%d-", page), 100)...)
			must(t, err)
			added += 100
		}
		if next == "" {
			break
		}
		cursor = next
	}
	for _, m := range old {
		if !seen[m] {
			t.Fatalf("SScan while %d members were added missed %q, present all along", added, m)
		}
	}
}

func testLists(t *testing.T, f factory) {
	s := f(t).s
	items, err := s.LRange(ctx, "turns", 0, -1)
	must(t, err)
	if len(items) != 0 {
		t.Fatalf("LRange of a missing list = %q; want nothing", items)
	}
	n, err := s.RPush(ctx, "turns", []byte("a"), []byte("b"), []byte("c"))
	must(t, err)
	if n != 3 {
		t.Fatalf("RPush of 3 = %d; want 3", n)
	}
	n, err = s.RPush(ctx, "turns", []byte("d"), []byte("挂号"))
	must(t, err)
	if n != 5 {
		t.Fatalf("RPush of 2 more = %d; want 5", n)
	}
	check := func(start, stop int64, want ...string) {
		t.Helper()
		got, err := s.LRange(ctx, "turns", start, stop)
		must(t, err)
		var gs []string
		for _, g := range got {
			gs = append(gs, string(g))
		}
		if fmt.Sprint(gs) != fmt.Sprint(want) {
			t.Fatalf("LRange(%d, %d) = %q; want %q", start, stop, gs, want)
		}
	}
	check(0, -1, "a", "b", "c", "d", "挂号")
	check(1, 2, "b", "c")
	check(-2, -1, "d", "挂号")
	check(-100, 1, "a", "b")
	check(3, 100, "d", "挂号")
	check(4, 2)
	check(5, 10)
	check(-1, -2)
	if l, err := s.LLen(ctx, "turns"); err != nil || l != 5 {
		t.Fatalf("LLen = %d, %v; want 5", l, err)
	}
	must(t, s.LTrim(ctx, "turns", -3, -1))
	check(0, -1, "c", "d", "挂号")
	n, err = s.RPush(ctx, "turns", []byte("e"))
	must(t, err)
	if n != 4 {
		t.Fatalf("RPush after LTrim = %d; want 4", n)
	}
	must(t, s.LTrim(ctx, "turns", 1, 2))
	check(0, -1, "d", "挂号")
	must(t, s.LTrim(ctx, "turns", 5, 10))
	if l, err := s.LLen(ctx, "turns"); err != nil || l != 0 {
		t.Fatalf("LLen after trimming everything = %d, %v; want 0", l, err)
	}
	must(t, s.LTrim(ctx, "never", 0, 1))
	n, err = s.RPush(ctx, "turns", []byte("fresh"))
	must(t, err)
	if n != 1 {
		t.Fatalf("RPush to an emptied list = %d; want 1", n)
	}
}

func testWrongKind(t *testing.T, f factory) {
	s := f(t).s
	must(t, s.HSet(ctx, "hash", "f", []byte("v")))
	if _, err := s.Get(ctx, "hash"); err == nil || errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("Get of a hash key: %v; want a wrong-kind error", err)
	}
	if _, err := s.SAdd(ctx, "hash", "m"); err == nil {
		t.Fatal("SAdd to a hash key: no error")
	}
	if _, err := s.RPush(ctx, "hash", []byte("x")); err == nil {
		t.Fatal("RPush to a hash key: no error")
	}
	// Set replaces a key of any kind.
	must(t, s.Set(ctx, "hash", []byte("now a string"), 0))
	mustGet(t, s, "hash", "now a string")
}

func queueLen(t *testing.T, s store.Store, q string, waiting, leased int64) {
	t.Helper()
	w, l, err := s.QueueLen(ctx, q)
	must(t, err)
	if w != waiting || l != leased {
		t.Fatalf("QueueLen(%q) = %d waiting, %d leased; want %d, %d", q, w, l, waiting, leased)
	}
}

func sorted(items []string) []string {
	out := append([]string(nil), items...)
	sort.Strings(out)
	return out
}

func testQueue(t *testing.T, f factory) {
	s := f(t).s
	const q = "push:{42}:queue"
	queueLen(t, s, q, 0, 0)
	got, err := s.Claim(ctx, q, 5, time.Minute)
	must(t, err)
	if len(got) != 0 {
		t.Fatalf("Claim from an empty queue = %q; want nothing", got)
	}
	must(t, s.Enqueue(ctx, q, "o1", "o2", "o3"))
	must(t, s.Enqueue(ctx, q))
	queueLen(t, s, q, 3, 0)

	a, err := s.Claim(ctx, q, 2, time.Minute)
	must(t, err)
	if len(a) != 2 || a[0] == a[1] {
		t.Fatalf("Claim(2) = %q; want 2 different items", a)
	}
	queueLen(t, s, q, 1, 2)
	must(t, s.Ack(ctx, q, a[0]))
	queueLen(t, s, q, 1, 1)
	must(t, s.Release(ctx, q, a[1]))
	queueLen(t, s, q, 2, 0)

	b, err := s.Claim(ctx, q, 10, time.Minute)
	must(t, err)
	var rest []string
	for _, item := range []string{"o1", "o2", "o3"} {
		if item != a[0] {
			rest = append(rest, item)
		}
	}
	if fmt.Sprint(sorted(b)) != fmt.Sprint(rest) {
		t.Fatalf("Claim after Ack(%s) and Release(%s) = %q; want %q", a[0], a[1], b, rest)
	}
	must(t, s.Ack(ctx, q, b...))
	queueLen(t, s, q, 0, 0)
	got, err = s.Claim(ctx, q, 10, time.Minute)
	must(t, err)
	if len(got) != 0 {
		t.Fatalf("Claim after every item was acked = %q; want nothing", got)
	}

	// Ack also removes an item that is waiting; Release of an item not leased is a no-op.
	must(t, s.Enqueue(ctx, "plain", "x", "y"))
	must(t, s.Ack(ctx, "plain", "x"))
	must(t, s.Release(ctx, "plain", "y", "zzz"))
	queueLen(t, s, "plain", 1, 0)
	got, err = s.Claim(ctx, "plain", 10, time.Minute)
	must(t, err)
	if fmt.Sprint(got) != "[y]" {
		t.Fatalf("Claim = %q; want [y]", got)
	}
	queueLen(t, s, q, 0, 0) // queues are independent
}

func testQueueOrder(t *testing.T, f factory) {
	s := f(t).s
	const q = "jobs"
	must(t, s.Enqueue(ctx, q, "1", "2", "3"))
	must(t, s.Enqueue(ctx, q, "4", "2"))
	queueLen(t, s, q, 4, 0)
	var order []string
	for {
		got, err := s.Claim(ctx, q, 1, time.Minute)
		must(t, err)
		if len(got) == 0 {
			break
		}
		order = append(order, got...)
		// Enqueueing an item already leased does not hand it out twice.
		must(t, s.Enqueue(ctx, q, got[0]))
	}
	if fmt.Sprint(order) != "[1 2 3 4]" {
		t.Fatalf("Claim order = %q; want [1 2 3 4] (first in, first out; no repeats)", order)
	}
	queueLen(t, s, q, 0, 4)
	must(t, s.Ack(ctx, q, "1"))
	must(t, s.Enqueue(ctx, q, "1")) // acked items may come back
	queueLen(t, s, q, 1, 3)
}

func testQueueConcurrent(t *testing.T, f factory) {
	s := f(t).s
	const q = "push:{7}:queue"
	items := members("openid-", 300)
	must(t, s.Enqueue(ctx, q, items...))
	var (
		mu     sync.Mutex
		counts = map[string]int{}
	)
	concurrently(t, 8, func(int) error {
		for {
			got, err := s.Claim(ctx, q, 7, time.Hour)
			if err != nil || len(got) == 0 {
				return err
			}
			mu.Lock()
			for _, item := range got {
				counts[item]++
			}
			mu.Unlock()
			if err := s.Ack(ctx, q, got...); err != nil {
				return err
			}
		}
	})
	for _, item := range items {
		if counts[item] != 1 {
			t.Fatalf("item %s was claimed %d times by 8 concurrent claimers; want exactly 1", item, counts[item])
		}
	}
	if len(counts) != len(items) {
		t.Fatalf("claimed %d distinct items; want %d", len(counts), len(items))
	}
	queueLen(t, s, q, 0, 0)
}

// concurrently runs fn(0) .. fn(n-1) in n goroutines at once and fails t with
// the first error any of them returns.
func concurrently(t *testing.T, n int, fn func(w int) error) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for w := 0; w < n; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := fn(w); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

func testConcurrentIncr(t *testing.T, f factory) {
	s := f(t).s
	const workers, each = 20, 25
	concurrently(t, workers, func(int) error {
		for i := 0; i < each; i++ {
			if _, err := s.Incr(ctx, "ticket:seq", 1); err != nil {
				return err
			}
			if _, err := s.HIncr(ctx, "stats", "asked", 2); err != nil {
				return err
			}
		}
		return nil
	})
	mustGet(t, s, "ticket:seq", strconv.Itoa(workers*each))
	v, err := s.HGet(ctx, "stats", "asked")
	must(t, err)
	if string(v) != strconv.Itoa(2*workers*each) {
		t.Fatalf("HIncr from %d goroutines = %s; want %d", workers, v, 2*workers*each)
	}
}

func testConcurrentSetNX(t *testing.T, f factory) {
	s := f(t).s
	const workers = 20
	wins := make(chan string, workers)
	concurrently(t, workers, func(w int) error {
		me := fmt.Sprintf("instance-%d", w)
		ok, err := s.SetNX(ctx, "lock:token", []byte(me), time.Hour)
		if ok {
			wins <- me
		}
		return err
	})
	close(wins)
	var winners []string
	for w := range wins {
		winners = append(winners, w)
	}
	if len(winners) != 1 {
		t.Fatalf("SetNX from %d goroutines: %d winners %q; want exactly 1", workers, len(winners), winners)
	}
	mustGet(t, s, "lock:token", winners[0])
}

// testExpiry sets everything up with a short TTL, lets time pass once, then
// checks that expired keys behave as missing everywhere and others survived.
func testExpiry(t *testing.T, f factory) {
	e := f(t)
	s := e.s
	const ttl, wait = time.Second, 1200 * time.Millisecond

	must(t, s.Set(ctx, "short", []byte("v"), ttl))
	must(t, s.Set(ctx, "long", []byte("v"), time.Hour))
	must(t, s.Set(ctx, "forever", []byte("v"), 0))
	must(t, s.Set(ctx, "reset", []byte("v"), ttl))
	must(t, s.Set(ctx, "reset", []byte("v2"), 0)) // Set replaces the TTL
	ok, err := s.SetNX(ctx, "nx", []byte("v"), ttl)
	must(t, err)
	if !ok {
		t.Fatal("SetNX on a missing key = false")
	}
	ok, err = s.CompareAndSwap(ctx, "cas", nil, []byte("v"), ttl)
	must(t, err)
	if !ok {
		t.Fatal("CompareAndSwap on a missing key = false")
	}
	must(t, s.Set(ctx, "extended", []byte("v"), ttl))
	if ok, err := s.Expire(ctx, "extended", time.Hour); err != nil || !ok {
		t.Fatalf("Expire on an existing key = %v, %v; want true", ok, err)
	}
	must(t, s.Set(ctx, "persisted", []byte("v"), ttl))
	if ok, err := s.Expire(ctx, "persisted", 0); err != nil || !ok {
		t.Fatalf("Expire(0) on an existing key = %v, %v; want true", ok, err)
	}
	must(t, s.Set(ctx, "counter", []byte("1"), ttl))
	if n, err := s.Incr(ctx, "counter", 1); err != nil || n != 2 {
		t.Fatalf("Incr = %d, %v; want 2", n, err)
	}
	must(t, s.Set(ctx, "lock", []byte("me"), ttl))
	must(t, s.HSet(ctx, "hash", "f", []byte("v")))
	_, err = s.SAdd(ctx, "set", "a", "b")
	must(t, err)
	_, err = s.RPush(ctx, "list", []byte("a"))
	must(t, err)
	for _, k := range []string{"hash", "set", "list"} {
		if ok, err := s.Expire(ctx, k, ttl); err != nil || !ok {
			t.Fatalf("Expire(%q) = %v, %v; want true", k, ok, err)
		}
	}
	must(t, s.Enqueue(ctx, "q", "short-lease", "long-lease"))
	first, err := s.Claim(ctx, "q", 1, ttl)
	must(t, err)
	second, err := s.Claim(ctx, "q", 1, time.Hour)
	must(t, err)
	if len(first) != 1 || len(second) != 1 {
		t.Fatalf("Claim = %q then %q; want one item each", first, second)
	}
	mustGet(t, s, "short", "v") // not yet expired
	queueLen(t, s, "q", 0, 2)

	e.advance(wait)

	for _, k := range []string{"short", "nx", "cas", "counter", "lock"} {
		mustMissing(t, s, k)
	}
	for _, k := range []string{"long", "forever", "extended", "persisted"} {
		mustGet(t, s, k, "v")
	}
	mustGet(t, s, "reset", "v2")
	if ok, err := s.DeleteIfEquals(ctx, "lock", []byte("me")); err != nil || ok {
		t.Fatalf("DeleteIfEquals on an expired key = %v, %v; want false", ok, err)
	}
	if ok, err := s.Expire(ctx, "short", time.Hour); err != nil || ok {
		t.Fatalf("Expire on an expired key = %v, %v; want false", ok, err)
	}
	if ok, err := s.CompareAndSwap(ctx, "cas", []byte("v"), []byte("w"), 0); err != nil || ok {
		t.Fatalf("CompareAndSwap against an expired value = %v, %v; want false", ok, err)
	}
	if ok, err := s.SetNX(ctx, "nx", []byte("again"), 0); err != nil || !ok {
		t.Fatalf("SetNX on an expired key = %v, %v; want true", ok, err)
	}
	mustGet(t, s, "nx", "again")
	if n, err := s.Incr(ctx, "counter", 1); err != nil || n != 1 {
		t.Fatalf("Incr on an expired counter = %d, %v; want 1 (starts from 0)", n, err)
	}
	if _, err := s.HGet(ctx, "hash", "f"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("HGet on an expired hash: %v; want ErrNotFound", err)
	}
	if all, err := s.HGetAll(ctx, "hash"); err != nil || len(all) != 0 {
		t.Fatalf("HGetAll on an expired hash = %q, %v; want empty", all, err)
	}
	if n, err := s.SCard(ctx, "set"); err != nil || n != 0 {
		t.Fatalf("SCard on an expired set = %d, %v; want 0", n, err)
	}
	if ok, err := s.SIsMember(ctx, "set", "a"); err != nil || ok {
		t.Fatalf("SIsMember on an expired set = %v, %v; want false", ok, err)
	}
	if ms, _, err := s.SScan(ctx, "set", "", 10); err != nil || len(ms) != 0 {
		t.Fatalf("SScan on an expired set = %q, %v; want nothing", ms, err)
	}
	if n, err := s.LLen(ctx, "list"); err != nil || n != 0 {
		t.Fatalf("LLen on an expired list = %d, %v; want 0", n, err)
	}
	if n, err := s.SAdd(ctx, "set", "c"); err != nil || n != 1 {
		t.Fatalf("SAdd to an expired set = %d, %v; want 1", n, err)
	}
	if n, err := s.SCard(ctx, "set"); err != nil || n != 1 {
		t.Fatalf("SCard after SAdd to an expired set = %d, %v; want 1 (old members gone)", n, err)
	}

	// The lease that ended makes its item claimable again, before items that
	// arrived since; the other item stays leased.
	queueLen(t, s, "q", 1, 1)
	must(t, s.Enqueue(ctx, "q", "newcomer"))
	queueLen(t, s, "q", 2, 1)
	again, err := s.Claim(ctx, "q", 1, time.Hour)
	must(t, err)
	if fmt.Sprint(again) != fmt.Sprint(first) {
		t.Fatalf("Claim after the lease ended = %q; want %q (the item whose lease ended)", again, first)
	}
	queueLen(t, s, "q", 1, 2)
	rest, err := s.Claim(ctx, "q", 5, time.Hour)
	must(t, err)
	if fmt.Sprint(rest) != "[newcomer]" {
		t.Fatalf("Claim = %q; want [newcomer]", rest)
	}
}

func testPing(t *testing.T, f factory) {
	s := f(t).s
	must(t, s.Ping(ctx))
}

func testClosed(t *testing.T, f factory) {
	s := f(t).s
	must(t, s.Set(ctx, "k", []byte("v"), 0))
	must(t, s.Close())
	if err := s.Ping(ctx); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("Ping after Close: %v; want ErrUnavailable", err)
	}
	if _, err := s.Get(ctx, "k"); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("Get after Close: %v; want ErrUnavailable", err)
	}
	if err := s.Set(ctx, "k", []byte("v"), 0); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("Set after Close: %v; want ErrUnavailable", err)
	}
}
