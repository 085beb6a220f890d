package knowledge

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/hospital/wxbot/clock"
	"github.com/hospital/wxbot/store"
	"github.com/hospital/wxbot/store/memstore"
)

var testTime = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)

func newTestRepo(st store.Store) *Repo {
	return NewRepo(st, zap.NewNop(), clock.NewFake(testTime))
}

// flakyStore fails every call that reads or writes the knowledge keys while
// down is set, as an unreachable Redis would.
type flakyStore struct {
	store.Store
	down  atomic.Bool
	reads chan struct{} // receives (without blocking) on each failed Get
}

func (f *flakyStore) fail() error { return fmt.Errorf("flaky: %w", store.ErrUnavailable) }

func (f *flakyStore) Get(ctx context.Context, key string) ([]byte, error) {
	if f.down.Load() {
		select {
		case f.reads <- struct{}{}:
		default:
		}
		return nil, f.fail()
	}
	return f.Store.Get(ctx, key)
}

func (f *flakyStore) Set(ctx context.Context, key string, v []byte, ttl time.Duration) error {
	if f.down.Load() {
		return f.fail()
	}
	return f.Store.Set(ctx, key, v, ttl)
}

func (f *flakyStore) Incr(ctx context.Context, key string, delta int64) (int64, error) {
	if f.down.Load() {
		return 0, f.fail()
	}
	return f.Store.Incr(ctx, key, delta)
}

func (f *flakyStore) CompareAndSwap(ctx context.Context, key string, old, v []byte, ttl time.Duration) (bool, error) {
	if f.down.Load() {
		return false, f.fail()
	}
	return f.Store.CompareAndSwap(ctx, key, old, v, ttl)
}

func TestRepoServesEmptyDataBeforeLoad(t *testing.T) {
	r := newTestRepo(memstore.New())
	if d := r.Current(); d == nil || d.Version != 0 || len(d.Prices) != 0 {
		t.Fatalf("Current() = %+v, want empty data", d)
	}
	if err := r.Load(context.Background()); err != nil {
		t.Fatalf("Load on an empty store: %v", err)
	}
	if d := r.Current(); d == nil || d.Version != 0 {
		t.Fatalf("after Load: %+v, want empty data", d)
	}
}

func TestImportKeepsOtherKindsAndCountsChanges(t *testing.T) {
	ctx := context.Background()
	r := newTestRepo(memstore.New())
	prices := readEval(t, "prices.csv")

	res, err := r.Import(ctx, KindPrices, "prices.csv", prices)
	if err != nil {
		t.Fatal(err)
	}
	if want := (ImportResult{Kind: KindPrices, Rows: 321, Version: 1, Added: 321}); res != want {
		t.Errorf("first import = %+v, want %+v", res, want)
	}
	res, err = r.Import(ctx, KindSynonyms, "synonyms.txt", readEval(t, "synonyms.txt"))
	if err != nil {
		t.Fatal(err)
	}
	d := r.Current()
	if res.Version != 2 || d.Version != 2 || len(d.Prices) != 321 || len(d.Synonyms) != 40 {
		t.Errorf("after synonyms: result %+v, data v%d with %d prices and %d synonym groups", res, d.Version, len(d.Prices), len(d.Synonyms))
	}
	if !d.UpdatedAt.Equal(testTime) {
		t.Errorf("UpdatedAt = %v, want %v", d.UpdatedAt, testTime)
	}

	// The same file again changes nothing and writes no version.
	res, err = r.Import(ctx, KindPrices, "prices.csv", prices)
	if err != nil {
		t.Fatal(err)
	}
	if want := (ImportResult{Kind: KindPrices, Rows: 321, Version: 2}); res != want {
		t.Errorf("same file again = %+v, want %+v", res, want)
	}

	// One price changed, one removed, one added.
	text := string(prices)
	text = strings.Replace(text, "110100001,普通门诊挂号费,挂号,次,1.00,甲,", "110100001,普通门诊挂号费,挂号,次,2.00,甲,", 1)
	text = strings.Replace(text, "110100002,急诊挂号费,挂号,次,1.00,甲,\n", "", 1)
	text += "X1,新项目,检查,次,5.00,自费,\n"
	res, err = r.Import(ctx, KindPrices, "prices.csv", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	if want := (ImportResult{Kind: KindPrices, Rows: 321, Version: 3, Added: 1, Changed: 1, Removed: 1}); res != want {
		t.Errorf("edited file = %+v, want %+v", res, want)
	}
	if got := r.Current().Prices[0].Cents; got != 200 {
		t.Errorf("changed price serves %d fen, want 200", got)
	}
}

func TestBadFileLeavesPreviousVersionServing(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	r := newTestRepo(st)
	if _, err := r.Import(ctx, KindPrices, "prices.csv", readEval(t, "prices.csv")); err != nil {
		t.Fatal(err)
	}
	before := r.Current()

	_, err := r.Import(ctx, KindPrices, "prices-bad.csv", readEval(t, "prices-bad.csv"))
	if err == nil {
		t.Fatal("bad file imported without error")
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, `import prices: line 5: price "abc" is not a number`) || !strings.Contains(msg, "line 9:") {
		t.Errorf("error = %q, want it to start with import prices: line 5 and name line 9", msg)
	}
	var ve *ValidationError
	if !errors.As(err, &ve) || ve.Kind != KindPrices {
		t.Errorf("error %v does not unwrap to a prices *ValidationError", err)
	}
	if r.Current() != before || len(r.Current().Prices) != 321 {
		t.Errorf("current data changed after a rejected import")
	}
	other := newTestRepo(st)
	if err := other.Load(ctx); err != nil {
		t.Fatal(err)
	}
	if d := other.Current(); d.Version != before.Version || len(d.Prices) != 321 {
		t.Errorf("store serves v%d with %d prices, want v%d with 321", d.Version, len(d.Prices), before.Version)
	}
}

func TestSecondRepoPicksUpImportByLoad(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	a, b := newTestRepo(st), newTestRepo(st)
	if _, err := a.Import(ctx, KindFAQ, "faq.yaml", readEval(t, "faq.yaml")); err != nil {
		t.Fatal(err)
	}
	if err := b.Load(ctx); err != nil {
		t.Fatal(err)
	}
	if d := b.Current(); d.Version != 1 || len(d.FAQ) != 30 {
		t.Errorf("second repo serves v%d with %d FAQ entries, want v1 with 30", d.Version, len(d.FAQ))
	}
}

func TestSecondRepoPicksUpImportByWatch(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st := memstore.New()
	a, b := newTestRepo(st), newTestRepo(st)
	changes := make(chan *Data, 10)
	b.OnChange(func(d *Data) { changes <- d })
	done := make(chan struct{})
	go func() { b.Watch(ctx, 5*time.Millisecond); close(done) }()

	if _, err := a.Import(ctx, KindSchedules, "schedules.csv", readEval(t, "schedules.csv")); err != nil {
		t.Fatal(err)
	}
	select {
	case d := <-changes:
		if d.Version != 1 || len(d.Schedules) != 99 {
			t.Errorf("watcher got v%d with %d sessions, want v1 with 99", d.Version, len(d.Schedules))
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the watching repo never picked up the import")
	}
	if b.Current().Version != 1 {
		t.Errorf("watching repo serves v%d, want v1", b.Current().Version)
	}
	cancel()
	<-done
}

func TestWatchKeepsServingWhenStoreIsDown(t *testing.T) {
	ctx := context.Background()
	st := &flakyStore{Store: memstore.New(), reads: make(chan struct{}, 1)}
	core, logs := observer.New(zapcore.InfoLevel)
	a := newTestRepo(st)
	b := NewRepo(st, zap.New(core), clock.NewFake(testTime))
	if _, err := a.Import(ctx, KindPrices, "prices.csv", readEval(t, "prices.csv")); err != nil {
		t.Fatal(err)
	}
	if err := b.Load(ctx); err != nil {
		t.Fatal(err)
	}
	st.down.Store(true)

	if err := b.Load(ctx); !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("Load with the store down = %v, want store.ErrUnavailable", err)
	}
	if _, err := a.Import(ctx, KindPrices, "prices.csv", readEval(t, "prices.csv")); !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("Import with the store down = %v, want store.ErrUnavailable", err)
	}

	select { // the failed Load and Import above left a signal behind
	case <-st.reads:
	default:
	}
	wctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { b.Watch(wctx, time.Millisecond); close(done) }()
	<-st.reads // Watch's first poll failed
	<-st.reads // its second began, so the first has been logged
	cancel()
	<-done

	if d := b.Current(); d.Version != 1 || len(d.Prices) != 321 {
		t.Errorf("with the store down the repo serves v%d with %d prices, want v1 with 321", d.Version, len(d.Prices))
	}
	if n := logs.FilterMessageSnippet("cannot read the store").Len(); n != 1 {
		t.Errorf("logged the outage %d times, want once", n)
	}
}

func TestConcurrentImportsOnTwoReposKeepBoth(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	a, b := newTestRepo(st), newTestRepo(st)
	files := []struct {
		r    *Repo
		kind Kind
		name string
	}{
		{a, KindPrices, "prices.csv"}, {b, KindFAQ, "faq.yaml"},
		{a, KindDepartments, "departments.csv"}, {b, KindSynonyms, "synonyms.txt"},
	}
	var wg sync.WaitGroup
	for _, f := range files {
		raw := readEval(t, f.name)
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := f.r.Import(ctx, f.kind, f.name, raw); err != nil {
				t.Errorf("import %s: %v", f.kind, err)
			}
		}()
	}
	wg.Wait()
	c := newTestRepo(st)
	if err := c.Load(ctx); err != nil {
		t.Fatal(err)
	}
	d := c.Current()
	// Version numbers increase but may skip one lost to a race.
	if d.Version < 4 || len(d.Prices) != 321 || len(d.FAQ) != 30 || len(d.Departments) != 27 || len(d.Synonyms) != 40 {
		t.Errorf("after 4 concurrent imports: v%d, %d prices, %d faq, %d departments, %d synonyms; want v4 or later with all",
			d.Version, len(d.Prices), len(d.FAQ), len(d.Departments), len(d.Synonyms))
	}
}

// Two admins on two instances add FAQ entries at the same moment: every
// entry is kept.
func TestConcurrentFAQAddsOnTwoReposKeepEvery(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	a, b := newTestRepo(st), newTestRepo(st)
	if _, err := a.Import(ctx, KindFAQ, "faq.yaml", readEval(t, "faq.yaml")); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 16 {
		r := a
		if i%2 == 1 {
			r = b
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			e := FAQEntry{Questions: []string{fmt.Sprintf("第%d个新问题", i)}, Answer: fmt.Sprintf("答案%d", i)}
			if _, err := r.AddFAQ(ctx, e); err != nil {
				t.Errorf("add %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	c := newTestRepo(st)
	if err := c.Load(ctx); err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, e := range c.Current().FAQ {
		got[e.Questions[0]] = true
	}
	if len(c.Current().FAQ) != 30+16 {
		t.Errorf("%d FAQ entries after 16 concurrent adds to 30, want 46", len(c.Current().FAQ))
	}
	for i := range 16 {
		if q := fmt.Sprintf("第%d个新问题", i); !got[q] {
			t.Errorf("entry %q lost", q)
		}
	}
}

func TestCurrentDuringImportsSeesWholeVersions(t *testing.T) {
	ctx := context.Background()
	r := newTestRepo(memstore.New())
	full := readEval(t, "prices.csv")
	short := readEval(t, "prices-gbk.csv")
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var reads atomic.Int64
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				d := r.Current()
				reads.Add(1)
				if n := len(d.Prices); n != 0 && n != 40 && n != 321 {
					t.Errorf("reader saw %d prices: a partial version", n)
					return
				}
			}
		}()
	}
	// Let the readers start before the imports, so they overlap on any scheduler.
	for reads.Load() == 0 {
		runtime.Gosched()
	}
	for i := range 6 {
		raw := full
		if i%2 == 1 {
			raw = short
		}
		if _, err := r.Import(ctx, KindPrices, "prices.csv", raw); err != nil {
			t.Error(err)
		}
	}
	close(stop)
	wg.Wait()
	if r.Current().Version != 6 || len(r.Current().Prices) != 40 {
		t.Errorf("after 6 imports: v%d with %d prices, want v6 with 40", r.Current().Version, len(r.Current().Prices))
	}
	if reads.Load() == 0 {
		t.Error("readers never ran")
	}
}

func TestOldVersionsArePruned(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	r := newTestRepo(st)
	for i := range 6 {
		text := fmt.Sprintf("核磁,MRI\n词%d,同义%d\n", i, i)
		if _, err := r.Import(ctx, KindSynonyms, "synonyms.txt", []byte(text)); err != nil {
			t.Fatal(err)
		}
	}
	for v := int64(1); v <= 6; v++ {
		_, err := st.Get(ctx, dataKey(v))
		kept := v > 6-keepVersions
		if kept && err != nil {
			t.Errorf("version %d was deleted: %v", v, err)
		}
		if !kept && !errors.Is(err, store.ErrNotFound) {
			t.Errorf("version %d still stored (err %v)", v, err)
		}
	}
}

func TestImportDirAndOnChange(t *testing.T) {
	ctx := context.Background()
	r := newTestRepo(memstore.New())
	var got []int64
	r.OnChange(func(d *Data) { got = append(got, d.Version) })
	if err := r.ImportDir(ctx, evalDir(t)); err != nil {
		t.Fatal(err)
	}
	d := r.Current()
	if d.Version != 1 || len(d.Prices) != 321 || len(d.Processes) != 10 || len(d.Schedules) != 99 {
		t.Errorf("ImportDir: v%d, %d prices, %d processes, %d sessions", d.Version, len(d.Prices), len(d.Processes), len(d.Schedules))
	}
	// The same folder again (a restart with knowledge.dir) writes nothing.
	if err := r.ImportDir(ctx, evalDir(t)); err != nil {
		t.Fatal(err)
	}
	if r.Current().Version != 1 {
		t.Errorf("re-importing the same folder made v%d", r.Current().Version)
	}
	var late []int64
	r.OnChange(func(d *Data) { late = append(late, d.Version) })
	if fmt.Sprint(got) != "[1]" || fmt.Sprint(late) != "[1]" {
		t.Errorf("callbacks saw versions %v and (registered late) %v, want [1] and [1]", got, late)
	}
}

func TestImportFile(t *testing.T) {
	ctx := context.Background()
	dir := evalDir(t)
	r := newTestRepo(memstore.New())

	res, err := ImportFile(ctx, r, KindProcesses, filepath.Join(dir, "processes"))
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows != 10 || res.Added != 10 {
		t.Errorf("processes folder: %+v, want 10 rows added", res)
	}
	one := filepath.Join(t.TempDir(), "02-emergency.md")
	if err := os.WriteFile(one, []byte("# 急诊\nkeywords: 急诊\n1. 直接去急诊楼\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err = ImportFile(ctx, r, KindProcesses, one)
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows != 10 || res.Changed != 1 || res.Added != 0 {
		t.Errorf("one process file: %+v, want 10 rows with 1 changed", res)
	}
	if p := r.Current().Processes[1]; p.ID != "02-emergency" || p.Title != "急诊" {
		t.Errorf("process 02-emergency = %+v", p)
	}

	if _, err := ImportFile(ctx, r, KindPrices, filepath.Join(dir, "prices.csv")); err != nil {
		t.Fatal(err)
	}
	_, err = ImportFile(ctx, r, KindPrices, filepath.Join(dir, "prices-bad.csv"))
	if err == nil || !strings.HasPrefix(err.Error(), `import prices: line 5: price "abc" is not a number`) {
		t.Errorf("bad prices: error = %v", err)
	}
	if _, err := ImportFile(ctx, r, KindFAQ, dir); err != nil {
		t.Errorf("faq from a knowledge folder: %v", err)
	}
	if len(r.Current().FAQ) != 30 || len(r.Current().Prices) != 321 {
		t.Errorf("serving %d FAQ and %d prices, want 30 and 321", len(r.Current().FAQ), len(r.Current().Prices))
	}
	if _, err := ImportFile(ctx, r, KindSynonyms, filepath.Join(dir, "missing.txt")); err == nil || !strings.HasPrefix(err.Error(), "import synonyms:") {
		t.Errorf("missing file: error = %v", err)
	}
}
