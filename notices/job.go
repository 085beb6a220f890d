package notices

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/hospital/wxbot/staff"
	"github.com/hospital/wxbot/store"
)

// A push job's keys share the hash tag {<notice id>} so a Redis Cluster keeps
// them in one slot:
//
//	push:{7}:job             JSON Job record (compare-and-swap)
//	push:{7}:queue           work queue of recipients (store Enqueue/Claim/Ack)
//	push:{7}:all             set of every recipient fed to the queue
//	push:{7}:rec             hash recipient -> final delivery state ("sent", "failed:-1", "skipped:43004")
//	push:{7}:out:<state>     set of recipients per final state, counted for the deliveries report
//	push:{7}:outs            set of the <state> names used
//	push:{7}:fl:<openid>     in-flight lock while a recipient is being sent to (TTL = lease)
//	push:{7}:feed            lock of the instance feeding the queue
//
// and push:jobs is the set of unfinished jobs' notice ids.
const keyJobs = "push:jobs"

func jobKey(id string) string            { return "push:{" + id + "}:job" }
func queueKey(id string) string          { return "push:{" + id + "}:queue" }
func allKey(id string) string            { return "push:{" + id + "}:all" }
func recKey(id string) string            { return "push:{" + id + "}:rec" }
func outKey(id, state string) string     { return "push:{" + id + "}:out:" + state }
func outsKey(id string) string           { return "push:{" + id + "}:outs" }
func flightKey(id, openID string) string { return "push:{" + id + "}:fl:" + openID }
func feedKey(id string) string           { return "push:{" + id + "}:feed" }
func rateKey(sec int64) string           { return "push:rate:" + strconv.FormatInt(sec, 10) }
func failedState(code string) string     { return "failed:" + code }
func skippedState(code string) string    { return "skipped:" + code }
func codeOf(state, prefix string) string { return strings.TrimPrefix(state, prefix) }
func isFinal(state string) bool {
	return state == DeliverySent || strings.HasPrefix(state, "failed:") || strings.HasPrefix(state, "skipped:")
}
func withPrefix(state, prefix string) bool { return strings.HasPrefix(state, prefix) }

// Delivery states of one recipient.
const (
	DeliveryPending = "pending"
	DeliverySent    = "sent"
	DeliveryFailed  = "failed"  // stored as "failed:<code>"
	DeliverySkipped = "skipped" // stored as "skipped:<code>"
)

// JobState is where a push job is.
type JobState string

// Job states.
const (
	JobRunning JobState = "running" // feeding and sending
	JobPaused  JobState = "paused"  // WeChat's daily quota (45009) hit: until PausedUntil or an admin resume
	JobDone    JobState = "done"    // every recipient handled
	JobStopped JobState = "stopped" // the notice was retracted or withdrawn
)

// Job is the durable record of one notice's push.
type Job struct {
	NoticeID    string    `json:"notice_id"`
	Category    string    `json:"category"`
	State       JobState  `json:"state"`
	Cursor      string    `json:"cursor,omitempty"` // subscriber-set scan position
	Fed         bool      `json:"fed"`              // every subscriber is in the queue
	PausedUntil time.Time `json:"paused_until,omitzero"`
	PauseCode   int       `json:"pause_code,omitempty"`
	Resumes     int       `json:"resumes,omitempty"` // times resumed after a pause
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	DoneAt      time.Time `json:"done_at,omitzero"`
}

// createJob stores a running job for n unless one exists (idempotent).
func (s *Service) createJob(ctx context.Context, n *Notice) error {
	now := s.now()
	j := Job{NoticeID: n.ID, Category: n.Category, State: JobRunning, CreatedAt: now, UpdatedAt: now}
	b, err := json.Marshal(j)
	if err != nil {
		return fmt.Errorf("create push job %s: %w", n.ID, err)
	}
	if _, err := s.st.SetNX(ctx, jobKey(n.ID), b, 0); err != nil {
		return fmt.Errorf("create push job %s: %w", n.ID, err)
	}
	if _, err := s.st.SAdd(ctx, keyJobs, n.ID); err != nil {
		return fmt.Errorf("create push job %s: %w", n.ID, err)
	}
	return nil
}

// Job returns the push job of notice id, or ENotFound when it has none (not
// published yet).
func (s *Service) Job(ctx context.Context, id string) (*Job, error) {
	j, _, err := s.loadJob(ctx, id)
	return j, err
}

func (s *Service) loadJob(ctx context.Context, id string) (*Job, []byte, error) {
	return loadJSON[Job](ctx, s.st, jobKey(id), "push job "+id, errorf(ENotFound, "notice %s has no push job", id))
}

// updateJob applies change to the job with compare-and-swap, stamping UpdatedAt.
func (s *Service) updateJob(ctx context.Context, id string, change func(j *Job) error) (*Job, error) {
	load := func() (*Job, []byte, error) { return s.loadJob(ctx, id) }
	return updateJSON(ctx, s.st, jobKey(id), "push job "+id, load, func(j *Job) error {
		if err := change(j); err != nil {
			return err
		}
		j.UpdatedAt = s.now()
		return nil
	})
}

// stopJob ends the job of a retracted or withdrawn notice: no more sends.
func (s *Service) stopJob(ctx context.Context, id string) error {
	_, err := s.updateJob(ctx, id, func(j *Job) error {
		if j.State == JobDone || j.State == JobStopped {
			return nil
		}
		j.State = JobStopped
		j.DoneAt = s.now()
		return nil
	})
	if Code(err) == ENotFound {
		return nil
	}
	if err != nil {
		return err
	}
	if _, err := s.st.SRem(ctx, keyJobs, id); err != nil {
		return fmt.Errorf("stop push job %s: %w", id, err)
	}
	return nil
}

// NextQuotaReset returns the next 00:00 in Asia/Shanghai after t, when
// WeChat's daily quotas reset.
func NextQuotaReset(t time.Time) time.Time {
	l := t.In(Shanghai)
	return time.Date(l.Year(), l.Month(), l.Day()+1, 0, 0, 0, 0, Shanghai).UTC()
}

// pauseJob pauses a running job until the next quota reset.
func (s *Service) pauseJob(ctx context.Context, id string, code int) (*Job, error) {
	return s.updateJob(ctx, id, func(j *Job) error {
		if j.State != JobRunning {
			return nil
		}
		j.State = JobPaused
		j.PausedUntil = NextQuotaReset(s.now())
		j.PauseCode = code
		return nil
	})
}

// Resume restarts a paused push job at once (role admin). Returns ENotFound
// without a job, EConflict when the job is not paused.
func (s *Service) Resume(ctx context.Context, m *staff.Member, id string) (*Job, error) {
	if err := need(m, "resuming a push", staff.RoleAdmin); err != nil {
		return nil, err
	}
	if _, err := s.Get(ctx, id); err != nil {
		return nil, err
	}
	return s.resumeJob(ctx, id, true)
}

func (s *Service) resumeJob(ctx context.Context, id string, strict bool) (*Job, error) {
	return s.updateJob(ctx, id, func(j *Job) error {
		if j.State != JobPaused {
			if strict {
				return errorf(EConflict, "the push of notice %s is %s, not paused", id, j.State)
			}
			return nil
		}
		j.State = JobRunning
		j.PausedUntil = time.Time{}
		j.PauseCode = 0
		j.Resumes++
		return nil
	})
}

// finishJob marks a fed job whose queue is empty as done.
func (s *Service) finishJob(ctx context.Context, id string) (bool, error) {
	finished := false
	_, err := s.updateJob(ctx, id, func(j *Job) error {
		finished = false
		if j.State != JobRunning || !j.Fed {
			return nil
		}
		j.State = JobDone
		j.DoneAt = s.now()
		finished = true
		return nil
	})
	if err != nil {
		return false, err
	}
	if _, err := s.st.SRem(ctx, keyJobs, id); err != nil {
		return finished, fmt.Errorf("finish push job %s: %w", id, err)
	}
	return finished, nil
}

// Deliveries is the report of one notice's push.
type Deliveries struct {
	NoticeID       string           `json:"notice_id"`
	State          JobState         `json:"state"`
	PausedUntil    *time.Time       `json:"paused_until,omitempty"`
	Total          int64            `json:"total"`
	Sent           int64            `json:"sent"`
	Failed         int64            `json:"failed"`
	Skipped        int64            `json:"skipped"`
	Pending        int64            `json:"pending"`
	FailuresByCode map[string]int64 `json:"failures_by_code"`
	SkippedByCode  map[string]int64 `json:"skipped_by_code"`
}

// Deliveries counts the delivery records of notice id's push. Codes are
// WeChat errcodes, "timeout" for a transport failure, "unsubscribed" for a
// patient who unsubscribed before their turn. Returns ENotFound when the notice
// has no push job.
func (s *Service) Deliveries(ctx context.Context, id string) (*Deliveries, error) {
	j, err := s.Job(ctx, id)
	if err != nil {
		return nil, err
	}
	d := &Deliveries{NoticeID: id, State: j.State, FailuresByCode: map[string]int64{}, SkippedByCode: map[string]int64{}}
	if j.State == JobPaused {
		t := j.PausedUntil
		d.PausedUntil = &t
	}
	if d.Total, err = s.st.SCard(ctx, allKey(id)); err != nil {
		return nil, fmt.Errorf("deliveries %s: %w", id, err)
	}
	if d.Sent, err = s.st.SCard(ctx, outKey(id, DeliverySent)); err != nil {
		return nil, fmt.Errorf("deliveries %s: %w", id, err)
	}
	states, err := store.Members(ctx, s.st, outsKey(id), 100)
	if err != nil {
		return nil, fmt.Errorf("deliveries %s: %w", id, err)
	}
	sort.Strings(states)
	for _, st := range states {
		if st == DeliverySent {
			continue
		}
		n, err := s.st.SCard(ctx, outKey(id, st))
		if err != nil {
			return nil, fmt.Errorf("deliveries %s: %w", id, err)
		}
		switch {
		case withPrefix(st, "failed:"):
			d.Failed += n
			d.FailuresByCode[codeOf(st, "failed:")] += n
		case withPrefix(st, "skipped:"):
			d.Skipped += n
			d.SkippedByCode[codeOf(st, "skipped:")] += n
		}
	}
	d.Pending = d.Total - d.Sent - d.Failed - d.Skipped
	if d.Pending < 0 {
		d.Pending = 0
	}
	return d, nil
}

// Delivery returns one recipient's delivery state: "pending", "sent",
// "failed:<code>" or "skipped:<code>"; ENotFound when openID is not a
// recipient of the job.
func (s *Service) Delivery(ctx context.Context, id, openID string) (string, error) {
	b, err := s.st.HGet(ctx, recKey(id), openID)
	if err == nil {
		return string(b), nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return "", fmt.Errorf("delivery %s: %w", id, err)
	}
	ok, err := s.st.SIsMember(ctx, allKey(id), openID)
	if err != nil {
		return "", fmt.Errorf("delivery %s: %w", id, err)
	}
	if !ok {
		return "", errorf(ENotFound, "no delivery of notice %s to that recipient", id)
	}
	return DeliveryPending, nil
}

// activeJobs returns the ids of unfinished jobs.
func (s *Service) activeJobs(ctx context.Context) ([]string, error) {
	ids, err := store.Members(ctx, s.st, keyJobs, 100)
	if err != nil {
		return nil, fmt.Errorf("active push jobs: %w", err)
	}
	sort.Slice(ids, func(i, k int) bool { return idLess(ids[i], ids[k]) })
	return ids, nil
}

// logJob is a logger narrowed to one job.
func (s *Service) logJob(id string) *zap.Logger { return s.log.With(zap.String("notice", id)) }

// QueueKey returns the store work queue of notice id's push (for tools and
// tests that inspect it).
func QueueKey(noticeID string) string { return queueKey(noticeID) }
