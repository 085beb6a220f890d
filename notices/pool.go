package notices

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/hospital/wxbot/store"
	"github.com/hospital/wxbot/wxapi"
)

// PoolOptions tunes the push workers of one instance. Zero values take the
// defaults in brackets.
type PoolOptions struct {
	// Workers is the number of goroutines sending [32]. It is also the most
	// sends that can be in flight when the process dies, so the most patients
	// who may get a notice twice after a crash.
	Workers int
	// Batch is how many recipients a worker claims at once [10].
	Batch int
	// Lease is how long claimed recipients stay reserved to this instance; after
	// a crash they are handed out again when it ends [5m].
	Lease time.Duration
	// PollInterval is how often idle workers look for work and the job
	// coordinator checks jobs (pauses, retractions, completion) [500ms].
	PollInterval time.Duration
	// FeedBatch is how many subscribers are read from a category per scan [500].
	FeedBatch int
	// MaxAttempts bounds the sends to one patient on retryable errors
	// (-1, timeouts, 40001/42001 after the client's own refresh) [6].
	MaxAttempts int
	// RetryBase is the first backoff; it doubles up to RetryMax [500ms, 30s].
	RetryBase time.Duration
	RetryMax  time.Duration
	// SendTimeout bounds one WeChat call [10s].
	SendTimeout time.Duration
	// RatePerSecond is the global send rate across every instance
	// (push.rate_per_second); 0 = unlimited.
	RatePerSecond float64
}

func (o *PoolOptions) defaults() {
	if o.Workers <= 0 {
		o.Workers = 32
	}
	if o.Batch <= 0 {
		o.Batch = 10
	}
	if o.Lease <= 0 {
		o.Lease = 5 * time.Minute
	}
	if o.PollInterval <= 0 {
		o.PollInterval = 500 * time.Millisecond
	}
	if o.FeedBatch <= 0 {
		o.FeedBatch = 500
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 6
	}
	if o.RetryBase <= 0 {
		o.RetryBase = 500 * time.Millisecond
	}
	if o.RetryMax <= 0 {
		o.RetryMax = 30 * time.Second
	}
	if o.SendTimeout <= 0 {
		o.SendTimeout = 10 * time.Second
	}
}

// Pool is one instance's push workers and job coordinator. Several pools (in
// one or several processes) on one store share the work: recipients are
// claimed from the job's store queue, so none is claimed by two at once.
//
// Delivery guarantee: before sending, a worker takes the recipient's in-flight
// lock (SetNX, expiring with the claim's lease) and reads the recipient's
// delivery record; a recipient recorded as sent is never sent again. Only a
// send in flight when a process dies (sent by WeChat, not yet recorded) can be
// repeated, when the lease ends: at most Workers patients per crashed instance.
// Stopping the pool by cancelling Run's context is not a crash: sends in
// flight finish and are recorded, unsent claims are released.
type Pool struct {
	svc     *Service
	sender  Sender
	opts    PoolOptions
	metrics *Metrics
	log     *zap.Logger
	gate    *rateGate
	token   string

	snap     atomic.Pointer[[]*runJob]
	wakeMu   sync.Mutex
	wakeCh   chan struct{}
	lockSeq  atomic.Uint64
	knownOut sync.Map // "id|state" -> true once added to the job's outs set
}

// runJob is a job the workers may send for.
type runJob struct {
	id      string
	notice  *Notice
	resumes int // the job's Resumes when this was made
	paused  atomic.Bool
}

// NewPool returns a pool sending svc's published notices through sender.
// metrics and log may be nil.
func NewPool(svc *Service, sender Sender, opts PoolOptions, metrics *Metrics, log *zap.Logger) *Pool {
	opts.defaults()
	if log == nil {
		log = zap.NewNop()
	}
	var b [6]byte
	_, _ = crand.Read(b[:])
	p := &Pool{
		svc:     svc,
		sender:  sender,
		opts:    opts,
		metrics: metrics,
		log:     log.With(zap.String("component", "push")),
		gate:    newRateGate(svc.st, opts.RatePerSecond),
		token:   hex.EncodeToString(b[:]),
		wakeCh:  make(chan struct{}),
	}
	empty := []*runJob{}
	p.snap.Store(&empty)
	return p
}

// Run runs the coordinator and the workers until ctx ends. It returns nil
// after a clean stop: in-flight sends are finished and recorded, and claimed
// but unsent recipients are released for others.
func (p *Pool) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		p.coordinate(ctx)
	}()
	for i := 0; i < p.opts.Workers; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			p.work(ctx, i)
		}(i)
	}
	wg.Wait()
	return nil
}

func (p *Pool) wake() {
	p.wakeMu.Lock()
	close(p.wakeCh)
	p.wakeCh = make(chan struct{})
	p.wakeMu.Unlock()
}

func (p *Pool) waitWake(ctx context.Context, d time.Duration) {
	p.wakeMu.Lock()
	ch := p.wakeCh
	p.wakeMu.Unlock()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-ch:
	case <-t.C:
	}
}

func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// coordinate refreshes the runnable jobs, feeds queues, resumes jobs whose
// pause ended and finishes jobs with nothing left.
func (p *Pool) coordinate(ctx context.Context) {
	for ctx.Err() == nil {
		more, err := p.tick(ctx)
		if err != nil && ctx.Err() == nil {
			p.log.Warn("push coordinator", zap.Error(err))
		}
		if more && err == nil {
			continue
		}
		sleepCtx(ctx, p.opts.PollInterval)
	}
}

// tick runs one round of coordination and reports whether a queue still needs
// feeding.
func (p *Pool) tick(ctx context.Context) (more bool, err error) {
	ids, err := p.svc.activeJobs(ctx)
	if err != nil {
		return false, err
	}
	old := map[string]*runJob{}
	for _, rj := range *p.snap.Load() {
		old[rj.id] = rj
	}
	var run []*runJob
	var toFeed []*Job
	var firstErr error
	keep := func(err error) {
		if firstErr == nil {
			firstErr = err
		}
	}
	for _, id := range ids {
		j, err := p.svc.Job(ctx, id)
		if Code(err) == ENotFound {
			_, _ = p.svc.st.SRem(ctx, keyJobs, id)
			continue
		}
		if err != nil {
			keep(err)
			continue
		}
		if j.State == JobDone || j.State == JobStopped {
			_, _ = p.svc.st.SRem(ctx, keyJobs, id)
			continue
		}
		n, err := p.svc.Get(ctx, id)
		if err != nil && Code(err) != ENotFound {
			keep(err)
			continue
		}
		if n == nil || !(n.State == StatePublished || n.State == StatePushed) {
			if n != nil && n.State == StateApproved {
				continue // published a moment from now (or by the scheduler after a crash)
			}
			if err := p.svc.stopJob(ctx, id); err != nil {
				keep(err)
			}
			continue
		}
		if j.State == JobPaused {
			if p.svc.now().Before(j.PausedUntil) {
				continue
			}
			if j, err = p.svc.resumeJob(ctx, id, false); err != nil {
				keep(err)
				continue
			}
			p.svc.logJob(id).Info("push resumed after the daily quota reset")
			p.svc.systemAudit(ctx, "notice.push_resume", "notice:"+id, "daily quota reset")
		}
		if j.State != JobRunning {
			continue
		}
		rj := old[id]
		if rj != nil && rj.paused.Load() && rj.resumes == j.Resumes {
			// A worker here hit 45009 and the pause may not have been stored
			// when the job was read: stay paused until the job is resumed.
			run = append(run, rj)
			continue
		}
		if rj == nil || rj.paused.Load() {
			rj = &runJob{id: id, notice: n, resumes: j.Resumes}
		}
		run = append(run, rj)
		if !j.Fed {
			toFeed = append(toFeed, j)
			continue
		}
		waiting, leased, err := p.svc.st.QueueLen(ctx, queueKey(id))
		if err != nil {
			keep(fmt.Errorf("push queue %s: %w", id, err))
			continue
		}
		if waiting == 0 && leased == 0 {
			finished, err := p.svc.finishJob(ctx, id)
			if err != nil {
				keep(err)
				continue
			}
			if finished {
				if err := p.svc.markPushed(ctx, id); err != nil {
					keep(err)
				}
				d, _ := p.svc.Deliveries(ctx, id)
				if d != nil {
					p.svc.logJob(id).Info("push finished", zap.Int64("sent", d.Sent), zap.Int64("failed", d.Failed), zap.Int64("skipped", d.Skipped))
					p.svc.systemAudit(ctx, "notice.push_done", "notice:"+id,
						fmt.Sprintf("sent %d, failed %d, skipped %d", d.Sent, d.Failed, d.Skipped))
				}
			}
			run = run[:len(run)-1]
		}
	}
	p.snap.Store(&run)
	for _, j := range toFeed {
		m, err := p.feed(ctx, j)
		if err != nil {
			keep(err)
		}
		more = more || m
	}
	if len(run) > 0 {
		p.wake()
	}
	return more, firstErr
}

// feedRounds is how many scan pages one tick feeds per job.
const feedRounds = 20

// feed moves up to feedRounds pages of the category's subscribers into the
// job's queue. Only the instance holding the job's feed lock feeds; the scan
// cursor is saved after each page, so a crash re-feeds at most one page
// (repeats are harmless: the recipient set is a set and a recipient with a
// final record is acknowledged without sending).
func (p *Pool) feed(ctx context.Context, j *Job) (more bool, err error) {
	st := p.svc.st
	id := j.NoticeID
	tok := []byte(p.token)
	ok, err := st.SetNX(ctx, feedKey(id), tok, 30*time.Second)
	if err != nil {
		return false, fmt.Errorf("push feed %s: %w", id, err)
	}
	if !ok {
		return false, nil
	}
	defer func() { _, _ = st.DeleteIfEquals(context.WithoutCancel(ctx), feedKey(id), tok) }()
	cursor := j.Cursor
	for round := 0; round < feedRounds; round++ {
		members, next, err := st.SScan(ctx, CategoryKey(j.Category), cursor, p.opts.FeedBatch)
		if err != nil {
			return false, fmt.Errorf("push feed %s: scan subscribers: %w", id, err)
		}
		if len(members) > 0 {
			if _, err := st.SAdd(ctx, allKey(id), members...); err != nil {
				return false, fmt.Errorf("push feed %s: %w", id, err)
			}
			if err := st.Enqueue(ctx, queueKey(id), members...); err != nil {
				return false, fmt.Errorf("push feed %s: %w", id, err)
			}
			p.wake()
		}
		from := cursor
		nj, err := p.svc.updateJob(ctx, id, func(j *Job) error {
			if j.Cursor != from || j.Fed {
				return errorf(EConflict, "feed moved by another instance")
			}
			j.Cursor = next
			j.Fed = next == ""
			return nil
		})
		if Code(err) == EConflict {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		if nj.Fed {
			p.svc.logJob(id).Info("push queue fed")
			return false, nil
		}
		cursor = next
	}
	return true, nil
}

// work is one worker: claim a batch from a runnable job, deliver it, repeat.
func (p *Pool) work(ctx context.Context, i int) {
	for ctx.Err() == nil {
		jobs := *p.snap.Load()
		claimed := false
		for k := range jobs {
			rj := jobs[(i+k)%len(jobs)]
			if rj.paused.Load() {
				continue
			}
			items, err := p.svc.st.Claim(ctx, queueKey(rj.id), p.opts.Batch, p.opts.Lease)
			if err != nil {
				if ctx.Err() == nil {
					p.log.Warn("push claim", zap.String("notice", rj.id), zap.Error(err))
				}
				break
			}
			if len(items) == 0 {
				continue
			}
			claimed = true
			p.process(ctx, rj, items, time.Now())
			break
		}
		if !claimed {
			p.waitWake(ctx, p.opts.PollInterval)
		}
	}
}

// runnable reports whether id is still in the current snapshot, unpaused.
func (p *Pool) runnable(rj *runJob) bool {
	if rj.paused.Load() {
		return false
	}
	for _, cur := range *p.snap.Load() {
		if cur.id == rj.id {
			return !cur.paused.Load()
		}
	}
	return false
}

// outcome of one delivery attempt.
type outcome int

const (
	outDone    outcome = iota // recorded final: ack
	outRelease                // not sent, give back now
	outLeave                  // someone else is on it, or the store failed: let the lease run out
)

func (p *Pool) process(ctx context.Context, rj *runJob, items []string, claimedAt time.Time) {
	bg := context.WithoutCancel(ctx)
	var acks []string
	for i, item := range items {
		if ctx.Err() != nil || !p.runnable(rj) || time.Since(claimedAt) > p.opts.Lease/2 {
			p.release(bg, rj.id, items[i:]...)
			break
		}
		switch p.deliver(ctx, rj, item, claimedAt) {
		case outDone:
			acks = append(acks, item)
		case outRelease:
			p.release(bg, rj.id, item)
		case outLeave:
		}
	}
	if len(acks) > 0 {
		actx, cancel := context.WithTimeout(bg, 10*time.Second)
		defer cancel()
		if err := p.svc.st.Ack(actx, queueKey(rj.id), acks...); err != nil {
			p.log.Warn("push ack", zap.String("notice", rj.id), zap.Error(err))
		}
	}
}

func (p *Pool) release(ctx context.Context, id string, items ...string) {
	if len(items) == 0 {
		return
	}
	rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := p.svc.st.Release(rctx, queueKey(id), items...); err != nil {
		p.log.Warn("push release", zap.String("notice", id), zap.Error(err))
	}
}

// class is what an errcode means for a send.
type class int

const (
	classOK class = iota
	classRetry
	classSkip
	classPause
	classFail
)

// classify maps a send error to its class and errcode label.
func classify(err error) (class, string) {
	if err == nil {
		return classOK, "0"
	}
	code := wxapi.Code(err)
	switch code {
	case wxapi.CodeNotFollowing, wxapi.CodeRefused:
		return classSkip, strconv.Itoa(code)
	case wxapi.CodeDailyQuota:
		return classPause, strconv.Itoa(code)
	case wxapi.CodeBusy, wxapi.CodeInvalidToken, wxapi.CodeExpiredToken:
		return classRetry, strconv.Itoa(code)
	case 0:
		// A transport failure, a timeout, or an error from elsewhere.
		if wxapi.Temporary(err) {
			return classRetry, "timeout"
		}
		return classFail, "error"
	}
	return classFail, strconv.Itoa(code)
}

// deliver sends the notice to one recipient at most once.
func (p *Pool) deliver(ctx context.Context, rj *runJob, openID string, claimedAt time.Time) outcome {
	st := p.svc.st
	bg := context.WithoutCancel(ctx)
	id := rj.id
	log := p.log.With(zap.String("notice", id))

	ttl := time.Until(claimedAt.Add(p.opts.Lease))
	if ttl < time.Second {
		return outRelease
	}
	tok := []byte(p.token + ":" + strconv.FormatUint(p.lockSeq.Add(1), 10))
	ok, err := st.SetNX(ctx, flightKey(id, openID), tok, ttl)
	if err != nil {
		if ctx.Err() == nil {
			log.Warn("push in-flight lock", zap.Error(err))
		}
		return outLeave
	}
	if !ok {
		return outLeave
	}
	defer func() {
		dctx, cancel := context.WithTimeout(bg, 10*time.Second)
		defer cancel()
		_, _ = st.DeleteIfEquals(dctx, flightKey(id, openID), tok)
	}()

	state, err := st.HGet(ctx, recKey(id), openID)
	switch {
	case err == nil && isFinal(string(state)):
		// Recorded before (a crash between record and ack, or a repeat):
		// make sure it is counted, never send again.
		if err := p.count(bg, id, openID, string(state)); err != nil {
			log.Warn("push record", zap.Error(err))
			return outLeave
		}
		return outDone
	case err != nil && !errors.Is(err, store.ErrNotFound):
		if ctx.Err() == nil {
			log.Warn("push read record", zap.Error(err))
		}
		return outLeave
	}

	subscribed, err := p.svc.subs.IsSubscribed(ctx, openID, rj.notice.Category)
	if err != nil {
		if ctx.Err() == nil {
			log.Warn("push subscription check", zap.Error(err))
		}
		return outLeave
	}
	if !subscribed {
		return p.record(bg, log, id, openID, skippedState("unsubscribed"), ResultSkipped, "unsubscribed")
	}

	for attempt := 1; ; attempt++ {
		if !p.runnable(rj) {
			return outRelease
		}
		if err := p.gate.Wait(ctx); err != nil {
			if ctx.Err() == nil {
				log.Warn("push rate gate", zap.Error(err))
			}
			return outRelease
		}
		sctx, cancel := context.WithTimeout(bg, p.opts.SendTimeout)
		err := p.sender.Send(sctx, rj.notice, openID)
		cancel()
		cl, code := classify(err)
		switch cl {
		case classOK:
			return p.record(bg, log, id, openID, DeliverySent, ResultSent, code)
		case classSkip:
			if code == strconv.Itoa(wxapi.CodeNotFollowing) {
				if err := p.svc.subs.UnsubscribeAll(bg, openID); err != nil {
					log.Warn("push unsubscribe after 43004", zap.Error(err))
				}
			}
			return p.record(bg, log, id, openID, skippedState(code), ResultSkipped, code)
		case classPause:
			p.metrics.observe(ResultPaused, code)
			rj.paused.Store(true)
			if _, err := p.svc.pauseJob(bg, id, wxapi.CodeDailyQuota); err != nil {
				// Not stored: the next 45009 tries again.
				rj.paused.Store(false)
				log.Warn("push pause", zap.Error(err))
			} else {
				log.Warn("push paused: WeChat daily quota reached (45009)")
				p.svc.systemAudit(bg, "notice.push_pause", "notice:"+id, "WeChat daily quota (45009)")
			}
			return outRelease
		case classRetry:
			if attempt >= p.opts.MaxAttempts {
				return p.record(bg, log, id, openID, failedState(code), ResultFailed, code)
			}
			p.metrics.observe(ResultRetry, code)
			if !sleepCtx(ctx, p.backoff(attempt)) {
				return outRelease
			}
		default:
			return p.record(bg, log, id, openID, failedState(code), ResultFailed, code)
		}
	}
}

func (p *Pool) backoff(attempt int) time.Duration {
	d := p.opts.RetryBase << (attempt - 1)
	if d > p.opts.RetryMax || d <= 0 {
		d = p.opts.RetryMax
	}
	// ±20 % jitter so that retries from many workers spread out.
	j := time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
	return j
}

// record stores the final state of one delivery, then counts it.
func (p *Pool) record(ctx context.Context, log *zap.Logger, id, openID, state, result, code string) outcome {
	p.metrics.observe(result, code)
	rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := p.svc.st.HSet(rctx, recKey(id), openID, []byte(state)); err != nil {
		// The send happened but could not be recorded: keep the lease so the
		// item is retried after it (a possible repeat, as after a crash).
		log.Error("push: delivery not recorded", zap.String("state", state), zap.Error(err))
		return outLeave
	}
	if err := p.count(rctx, id, openID, state); err != nil {
		log.Warn("push count", zap.Error(err))
		return outLeave
	}
	return outDone
}

// count adds openID to the set of its final state (idempotent).
func (p *Pool) count(ctx context.Context, id, openID, state string) error {
	if _, err := p.svc.st.SAdd(ctx, outKey(id, state), openID); err != nil {
		return fmt.Errorf("count delivery: %w", err)
	}
	k := id + "|" + state
	if _, ok := p.knownOut.Load(k); !ok {
		if _, err := p.svc.st.SAdd(ctx, outsKey(id), state); err != nil {
			return fmt.Errorf("count delivery: %w", err)
		}
		p.knownOut.Store(k, true)
	}
	return nil
}
