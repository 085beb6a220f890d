package knowledge

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/hospital/wxbot/clock"
	"github.com/hospital/wxbot/store"
)

// Store keys. A version's data is written under its own key first; only then
// does the pointer move to it (compare-and-swap), so a reader following the
// pointer always finds a complete version.
const (
	// keyVersion is the counter handing out version numbers (Incr).
	keyVersion = "knowledge:version"
	// keyCurrent points at the current version: JSON {"version": N}.
	keyCurrent = "knowledge:data"
	// keyDataPrefix + N holds version N's complete Data as JSON.
	keyDataPrefix = "knowledge:data:"
	// keyVersions lists written versions, oldest first, for pruning.
	keyVersions = "knowledge:versions"
	// keepVersions is how many versions stay in the store (the current one
	// and a few before it, for instances still reading them).
	keepVersions = 3
	// maxCommitAttempts bounds retries when another instance imports at the
	// same moment.
	maxCommitAttempts = 20
)

// backoff waits a random few milliseconds, more after each lost race, so
// instances importing at the same moment take turns.
func (r *Repo) backoff(ctx context.Context, attempt int) {
	t := time.NewTimer(time.Duration(rand.Int64N(int64(attempt+1) * int64(2*time.Millisecond))))
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// ImportResult describes one successful import.
type ImportResult struct {
	// Kind is the kind imported; empty for a whole folder (ImportDir, ImportData).
	Kind Kind `json:"kind"`
	// Rows is how many items of Kind (of every kind for a folder) the new
	// version holds.
	Rows int `json:"rows"`
	// Version is the version now serving. Versions increase but may skip
	// numbers (one lost to a concurrent import). When the file changed
	// nothing, no version is written and Version is the current one.
	Version int64 `json:"version"`
	// Added, Changed and Removed compare the new version with the previous
	// one, by code (prices), name (departments), department+doctor+day+period
	// (schedules), file name (processes), first question (FAQ) and first word
	// (synonyms).
	Added   int `json:"added"`
	Changed int `json:"changed"`
	Removed int `json:"removed"`
}

// pointer is the JSON value at keyCurrent.
type pointer struct {
	Version int64 `json:"version"`
}

// Repo holds the hospital's current data: it validates and imports files as
// new versions in a shared store.Store and swaps the version every reader
// sees atomically. Several instances on one store converge on the newest
// version through Load or Watch. A Repo is safe for concurrent use.
type Repo struct {
	st  store.Store
	log *zap.Logger
	clk clock.Clock

	cur atomic.Pointer[Data]

	// mu serialises writes, loads and change callbacks, so callbacks see
	// versions in the order they were swapped in. Current never takes it.
	mu       sync.Mutex
	onChange []func(*Data)
}

// NewRepo returns a Repo serving empty data until Load, Watch or an import
// fills it. log may be nil.
func NewRepo(st store.Store, log *zap.Logger, clk clock.Clock) *Repo {
	if log == nil {
		log = zap.NewNop()
	}
	if clk == nil {
		clk = clock.System{}
	}
	r := &Repo{st: st, log: log.With(zap.String("component", "knowledge")), clk: clk}
	r.cur.Store(&Data{})
	return r
}

// Current returns the data serving now; never nil (empty Data before
// anything was loaded). It takes no lock. The returned Data is shared by
// every reader and must not be modified.
func (r *Repo) Current() *Data { return r.cur.Load() }

// OnChange registers fn to be called with each new version after it is
// swapped in (by an import here or by Load/Watch seeing another instance's
// import). If data is already loaded, fn is called at once with it, so no
// version is missed. Calls are serialised; fn should return quickly and must
// not call the Repo's import or load methods.
func (r *Repo) OnChange(fn func(*Data)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.onChange = append(r.onChange, fn)
	if d := r.cur.Load(); d.Version > 0 {
		r.call(fn, d)
	}
}

// Import parses and validates one data file of kind and stores the result as
// a new version holding the other kinds unchanged. processes takes one .md
// file and adds or replaces that process (by file name); every other kind
// replaces its whole list. On any error nothing changes: a validation error is
// returned wrapped, as `import prices: line 5: price "abc" is not a number`
// (errors.As finds the *ValidationError); a store failure wraps
// store.ErrUnavailable.
func (r *Repo) Import(ctx context.Context, kind Kind, name string, raw []byte) (ImportResult, error) {
	parsed, err := Parse(kind, name, raw)
	if err != nil {
		var ve *ValidationError
		if errors.As(err, &ve) {
			r.log.Info("knowledge import rejected", zap.String("kind", string(kind)),
				zap.String("file", name), zap.Int("problems", len(ve.Problems)))
		}
		return ImportResult{Kind: kind}, fmt.Errorf("import %s: %w", kind, err)
	}
	if kind == KindProcesses {
		p := parsed.Processes[0]
		return r.commit(ctx, kind, func(base *Data) *Data {
			next := *base
			next.Processes = upsertProcess(base.Processes, p)
			return &next
		})
	}
	return r.replaceKind(ctx, kind, parsed)
}

// replaceKind stores a new version whose kind comes from parsed (already
// validated) and every other kind from the current version.
func (r *Repo) replaceKind(ctx context.Context, kind Kind, parsed *Data) (ImportResult, error) {
	return r.commit(ctx, kind, func(base *Data) *Data {
		next := *base
		mergeKind(&next, kind, parsed)
		return &next
	})
}

// AddFAQ adds one FAQ entry (already validated) to whatever version is
// current when it is written, so staff adding entries at the same moment, on
// one instance or several, keep every entry.
func (r *Repo) AddFAQ(ctx context.Context, e FAQEntry) (ImportResult, error) {
	return r.commit(ctx, KindFAQ, func(base *Data) *Data {
		next := *base
		next.FAQ = append(append(make([]FAQEntry, 0, len(base.FAQ)+1), base.FAQ...), e)
		return &next
	})
}

// upsertProcess returns procs with p replacing the process of the same ID, or
// appended when there is none.
func upsertProcess(procs []Process, p Process) []Process {
	out := make([]Process, 0, len(procs)+1)
	replaced := false
	for _, old := range procs {
		if old.ID == p.ID {
			out = append(out, p)
			replaced = true
			continue
		}
		out = append(out, old)
	}
	if !replaced {
		out = append(out, p)
	}
	return out
}

// ImportDir loads every data file of a knowledge folder (see LoadDir) and
// stores them as one new version: the folder is the whole truth, so a kind
// whose file is missing becomes empty. A bad file applies nothing. A folder
// identical to the current version writes nothing.
func (r *Repo) ImportDir(ctx context.Context, dir string) error {
	d, err := LoadDir(dir)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	_, err = r.ImportData(ctx, d)
	return err
}

// ImportData stores d (every kind; it is not validated again) as one new
// version. d is copied, not kept; its Version and UpdatedAt are ignored, and
// an empty Hospital keeps the current one. Data identical to the current
// version writes nothing.
func (r *Repo) ImportData(ctx context.Context, d *Data) (ImportResult, error) {
	return r.commit(ctx, "", func(base *Data) *Data {
		next := *d
		if next.Hospital == "" {
			next.Hospital = base.Hospital
		}
		return &next
	})
}

// commit builds the next version from the stored current one and writes it:
// data under its own key, then a compare-and-swap of the pointer. If another
// instance moved the pointer meanwhile, it rebuilds on top of that version.
func (r *Repo) commit(ctx context.Context, kind Kind, build func(base *Data) *Data) (ImportResult, error) {
	op := "import"
	if kind != "" {
		op = "import " + string(kind)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for attempt := 0; attempt < maxCommitAttempts; attempt++ {
		ptrRaw, baseVersion, err := r.readPointer(ctx)
		if err != nil {
			return ImportResult{Kind: kind}, fmt.Errorf("%s: %w", op, err)
		}
		base := r.cur.Load()
		if base.Version != baseVersion {
			if base, err = r.fetch(ctx, baseVersion); errors.Is(err, store.ErrNotFound) {
				// Imports elsewhere moved past that version and pruned it.
				r.backoff(ctx, attempt)
				continue
			} else if err != nil {
				return ImportResult{Kind: kind}, fmt.Errorf("%s: %w", op, err)
			}
		}
		next := build(base)
		res := diffData(kind, base, next)
		if sameContent(base, next) {
			res.Version = base.Version
			if base != r.cur.Load() {
				r.swap(base)
			}
			r.log.Info("knowledge import changed nothing", zap.String("kind", string(kind)), zap.Int64("version", base.Version))
			return res, nil
		}
		v, err := r.nextVersion(ctx, baseVersion)
		if err != nil {
			return ImportResult{Kind: kind}, fmt.Errorf("%s: %w", op, err)
		}
		next.Version = v
		next.UpdatedAt = r.clk.Now().UTC()
		blob, err := json.Marshal(next)
		if err != nil {
			return ImportResult{Kind: kind}, fmt.Errorf("%s: encode version %d: %w", op, v, err)
		}
		if err := r.st.Set(ctx, dataKey(v), blob, 0); err != nil {
			return ImportResult{Kind: kind}, fmt.Errorf("%s: write version %d: %w", op, v, err)
		}
		ptr, _ := json.Marshal(pointer{Version: v})
		swapped, err := r.st.CompareAndSwap(ctx, keyCurrent, ptrRaw, ptr, 0)
		if err != nil || !swapped {
			// Best effort: the orphan version is unreachable either way.
			_ = r.st.Delete(context.WithoutCancel(ctx), dataKey(v))
		}
		if err != nil {
			return ImportResult{Kind: kind}, fmt.Errorf("%s: publish version %d: %w", op, v, err)
		}
		if !swapped {
			r.log.Info("knowledge import raced with another import; retrying", zap.String("kind", string(kind)))
			r.backoff(ctx, attempt)
			continue
		}
		r.swap(next)
		r.prune(ctx, v)
		res.Version = v
		r.log.Info("knowledge imported", zap.String("kind", string(kind)), zap.Int64("version", v),
			zap.Int("rows", res.Rows), zap.Int("added", res.Added), zap.Int("changed", res.Changed), zap.Int("removed", res.Removed))
		return res, nil
	}
	return ImportResult{Kind: kind}, fmt.Errorf("%s: the data changed %d times during the import; try again", op, maxCommitAttempts)
}

// nextVersion allocates a version number above base.
func (r *Repo) nextVersion(ctx context.Context, base int64) (int64, error) {
	v, err := r.st.Incr(ctx, keyVersion, 1)
	if err != nil {
		return 0, fmt.Errorf("allocate version: %w", err)
	}
	if v <= base { // the counter was lost while the data survived
		if v, err = r.st.Incr(ctx, keyVersion, base-v+1); err != nil {
			return 0, fmt.Errorf("allocate version: %w", err)
		}
	}
	return v, nil
}

// prune records version v and deletes versions older than the last
// keepVersions. Failures only leave garbage, so they are logged, not returned.
func (r *Repo) prune(ctx context.Context, v int64) {
	ctx = context.WithoutCancel(ctx)
	if _, err := r.st.RPush(ctx, keyVersions, []byte(strconv.FormatInt(v, 10))); err != nil {
		r.log.Warn("knowledge: record version", zap.Error(err))
		return
	}
	old, err := r.st.LRange(ctx, keyVersions, 0, -keepVersions-1)
	if err != nil || len(old) == 0 {
		return
	}
	keys := make([]string, 0, len(old))
	for _, o := range old {
		if n, err := strconv.ParseInt(string(o), 10, 64); err == nil && n != v {
			keys = append(keys, dataKey(n))
		}
	}
	if err := r.st.Delete(ctx, keys...); err != nil {
		r.log.Warn("knowledge: prune old versions", zap.Error(err))
		return
	}
	if err := r.st.LTrim(ctx, keyVersions, -keepVersions, -1); err != nil {
		r.log.Warn("knowledge: prune old versions", zap.Error(err))
	}
}

// Load reads the stored current version and serves it, if it differs from
// the one serving now. With nothing stored yet it changes nothing. On error
// the old data keeps serving.
func (r *Repo) Load(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, v, err := r.readPointer(ctx)
	if err != nil {
		return fmt.Errorf("load knowledge: %w", err)
	}
	if v == 0 || v == r.cur.Load().Version {
		return nil
	}
	d, err := r.fetch(ctx, v)
	if err != nil {
		return fmt.Errorf("load knowledge: %w", err)
	}
	r.swap(d)
	return nil
}

// Watch loads at once and then every `every` until ctx ends, so each instance
// serves another instance's import within that interval. While the store is
// unreachable it logs (once per outage) and keeps serving the old data. It
// blocks: run it in its own goroutine.
func (r *Repo) Watch(ctx context.Context, every time.Duration) {
	if every <= 0 {
		every = 2 * time.Second
	}
	t := time.NewTicker(every)
	defer t.Stop()
	failing := false
	for {
		err := r.Load(ctx)
		switch {
		case err != nil && ctx.Err() != nil:
			return
		case err != nil && !failing:
			failing = true
			r.log.Warn("knowledge: cannot read the store; serving the data loaded before",
				zap.Int64("version", r.Current().Version), zap.Error(err))
		case err != nil:
			r.log.Debug("knowledge: store still unreadable", zap.Error(err))
		case failing:
			failing = false
			r.log.Info("knowledge: store readable again", zap.Int64("version", r.Current().Version))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// readPointer returns the pointer's raw bytes (nil when missing) and the
// version it names (0 when missing).
func (r *Repo) readPointer(ctx context.Context) ([]byte, int64, error) {
	raw, err := r.st.Get(ctx, keyCurrent)
	if errors.Is(err, store.ErrNotFound) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("read current version: %w", err)
	}
	var p pointer
	if err := json.Unmarshal(raw, &p); err != nil || p.Version <= 0 {
		return nil, 0, fmt.Errorf("read current version: bad pointer %q at %s", raw, keyCurrent)
	}
	return raw, p.Version, nil
}

// fetch reads version v's data (v == 0: empty data).
func (r *Repo) fetch(ctx context.Context, v int64) (*Data, error) {
	if v == 0 {
		return &Data{}, nil
	}
	raw, err := r.st.Get(ctx, dataKey(v))
	if err != nil {
		return nil, fmt.Errorf("read version %d: %w", v, err)
	}
	d := &Data{}
	if err := json.Unmarshal(raw, d); err != nil {
		return nil, fmt.Errorf("decode version %d: %w", v, err)
	}
	if d.Version != v {
		return nil, fmt.Errorf("version %d: stored data says version %d", v, d.Version)
	}
	return d, nil
}

// swap serves d and tells the callbacks. The caller holds r.mu.
func (r *Repo) swap(d *Data) {
	r.cur.Store(d)
	r.log.Info("knowledge data serving", zap.Int64("version", d.Version),
		zap.Int("prices", len(d.Prices)), zap.Int("departments", len(d.Departments)),
		zap.Int("schedules", len(d.Schedules)), zap.Int("processes", len(d.Processes)),
		zap.Int("faq", len(d.FAQ)), zap.Int("synonyms", len(d.Synonyms)))
	for _, fn := range r.onChange {
		r.call(fn, d)
	}
}

// call runs one callback; a panic is logged, not spread to the importer.
func (r *Repo) call(fn func(*Data), d *Data) {
	defer func() {
		if p := recover(); p != nil {
			r.log.Error("knowledge: change callback panicked", zap.Any("panic", p), zap.Int64("version", d.Version))
		}
	}()
	fn(d)
}

func dataKey(v int64) string { return keyDataPrefix + strconv.FormatInt(v, 10) }
