package complaints

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/hospital/wxbot/clock"
	"github.com/hospital/wxbot/store"
	"github.com/hospital/wxbot/workdays"
	"github.com/hospital/wxbot/wxapi"
)

// Store keys. Every key of this package starts with "complaint:".
const (
	keyIndex      = "complaint:index"      // set of every ticket number
	keyDeliveries = "complaint:deliveries" // work queue of answers to (re)send: "number#answerID"
	keyMediaQueue = "complaint:media:pending"
)

func keyTicket(number string) string { return "complaint:ticket:" + number }
func keyUser(openID string) string   { return "complaint:user:" + openID }
func keyDraft(openID string) string  { return "complaint:draft:" + openID }

// keyDraftMark says whether openID has a draft (see loadDraft); a single
// machine keeps it in memory (app.VolatilePrefixes).
func keyDraftMark(openID string) string { return "complaint:mark:draft:" + openID }
func keyLastSeen(openID string) string {
	return "complaint:lastseen:" + openID
}
func keyRate(openID string) string { return "complaint:rate:" + openID }
func keySeq(day string) string     { return "complaint:seq:" + day }
func keyMedia(number string, i int) string {
	return "complaint:media:" + number + ":" + strconv.Itoa(i)
}

// Limits.
const (
	// CustomWindow is how long after a patient's last message a customer-service
	// message may be sent.
	CustomWindow = 48 * time.Hour
	// MaxAnswerRunes bounds one staff answer (long WeChat messages fail).
	MaxAnswerRunes = 600
	// MaxNoteRunes bounds an internal note.
	MaxNoteRunes = 2000
	// MediaTTL is how long WeChat keeps temporary media.
	MediaTTL = 72 * time.Hour
)

// Options configure a Service. Zero values take the defaults noted.
type Options struct {
	// Clock tells time; default the system clock.
	Clock clock.Clock
	// Calendar counts working days for deadlines; default Monday-Friday in
	// China Standard Time (config complaints.holidays and
	// complaints.makeup_workdays fill it).
	Calendar *workdays.Calendar
	// WeChat sends answers to patients and downloads attachments.
	WeChat wxapi.API
	// TemplateID is the template message used outside the customer-service
	// window (config complaints.template_id). Its fields: first, keyword1
	// (ticket number), keyword2 (status), keyword3 (the answer, shortened),
	// remark.
	TemplateID string
	// Logger receives structured logs (never complaint text or phones); default nop.
	Logger *zap.Logger
	// Registerer, when set, receives the gauges wxbot_complaints_overdue and
	// wxbot_complaints_due_soon.
	Registerer prometheus.Registerer
	// RetentionDays: closed tickets older than this lose their personal data
	// in Purge (config complaints.retention_days); 0 keeps everything.
	RetentionDays int
	// DigestOpenIDs are complaints staff who get the daily digest as a
	// customer-service message (best effort: WeChat delivers it only within
	// 48 hours of their last message to the account).
	DigestOpenIDs []string
	// DigestHour is the local hour after which the daily digest and purge run
	// (default 8).
	DigestHour int
	// DeadlineDays is the feedback deadline in working days (default 5);
	// MultiDeptDeadlineDays applies when more than one department is involved
	// (default 10).
	DeadlineDays, MultiDeptDeadlineDays int
	// DueSoonDays flags a ticket as due soon when at most this many working
	// days remain (default 1).
	DueSoonDays int
	// Attempts is how many times an answer is tried at once before the
	// background worker takes over (default 3); MaxAttempts is the total before
	// giving up (default 10).
	Attempts, MaxAttempts int
	// Backoff is the pause between immediate attempts (default 500ms).
	Backoff time.Duration
	// Sleep waits between attempts; default a context-aware timer. Tests
	// replace it.
	Sleep func(ctx context.Context, d time.Duration) error
	// MediaBudget bounds the time spent downloading attachments when a ticket
	// is stored (default 2s); the rest is fetched by Tick.
	MediaBudget time.Duration
}

// Service keeps complaint tickets in a store.Store. It is safe for concurrent
// use; several instances may share one store.
type Service struct {
	st   store.Store
	opts Options
	clk  clock.Clock
	cal  *workdays.Calendar
	log  *zap.Logger

	overdue prometheus.Gauge
	dueSoon prometheus.Gauge

	// touched is when this instance last recorded each recent patient's
	// message, so a chatty patient costs one store write a minute, not one
	// per message.
	touched *lru.Cache[string, int64]
}

// touchEvery is how precisely the customer-service window is recorded.
const touchEvery = time.Minute

// New returns a Service on st.
func New(st store.Store, opts Options) *Service {
	if opts.Clock == nil {
		opts.Clock = clock.System{}
	}
	if opts.Calendar == nil {
		opts.Calendar = &workdays.Calendar{}
	}
	if opts.Logger == nil {
		opts.Logger = zap.NewNop()
	}
	if opts.DigestHour == 0 {
		opts.DigestHour = 8
	}
	if opts.DeadlineDays <= 0 {
		opts.DeadlineDays = 5
	}
	if opts.MultiDeptDeadlineDays <= 0 {
		opts.MultiDeptDeadlineDays = 10
	}
	if opts.DueSoonDays <= 0 {
		opts.DueSoonDays = 1
	}
	if opts.Attempts <= 0 {
		opts.Attempts = 3
	}
	if opts.MaxAttempts < opts.Attempts {
		opts.MaxAttempts = 10
	}
	if opts.Backoff <= 0 {
		opts.Backoff = 500 * time.Millisecond
	}
	if opts.Sleep == nil {
		opts.Sleep = sleep
	}
	if opts.MediaBudget <= 0 {
		opts.MediaBudget = 2 * time.Second
	}
	touched, err := lru.New[string, int64](16384)
	if err != nil {
		panic(err) // only for a size <= 0
	}
	s := &Service{
		st: st, opts: opts, clk: opts.Clock, cal: opts.Calendar, touched: touched,
		log: opts.Logger.With(zap.String("component", "complaints")),
		overdue: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "wxbot_complaints_overdue",
			Help: "Complaint tickets past their feedback deadline without feedback.",
		}),
		dueSoon: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "wxbot_complaints_due_soon",
			Help: "Complaint tickets without feedback whose deadline is at most one working day away.",
		}),
	}
	if opts.Registerer != nil {
		s.overdue = register(opts.Registerer, s.overdue)
		s.dueSoon = register(opts.Registerer, s.dueSoon)
	}
	return s
}

// register registers g, or returns the gauge already registered under its name.
func register(r prometheus.Registerer, g prometheus.Gauge) prometheus.Gauge {
	if err := r.Register(g); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if old, ok := are.ExistingCollector.(prometheus.Gauge); ok {
				return old
			}
		}
	}
	return g
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Calendar returns the working-day calendar deadlines are counted on.
func (s *Service) Calendar() *workdays.Calendar { return s.cal }

func (s *Service) loc() *time.Location {
	if s.cal.Location != nil {
		return s.cal.Location
	}
	return workdays.China
}

// now returns the current time in the calendar's location.
func (s *Service) now() time.Time { return s.clk.Now().In(s.loc()) }

// Now returns the service clock's time in the calendar's location.
func (s *Service) Now() time.Time { return s.now() }

// dueAt is the end of the working day n working days after from, with n the
// deadline for that many departments.
func (s *Service) dueAt(from time.Time, departments int) time.Time {
	n := s.opts.DeadlineDays
	if departments > 1 {
		n = s.opts.MultiDeptDeadlineDays
	}
	return s.cal.EndOfDay(s.cal.AddWorkdays(from, n))
}

// Flags tells whether t is overdue (no feedback after its deadline) or due soon
// (no feedback yet and at most DueSoonDays working days left) at now.
func (s *Service) Flags(t *Ticket, now time.Time) (overdue, dueSoon bool) {
	if t.Status == StatusClosed || t.AnsweredAt != nil {
		return false, false
	}
	if now.After(t.DueAt) {
		return true, false
	}
	return false, s.cal.WorkdaysBetween(now, t.DueAt) <= s.opts.DueSoonDays
}

// TouchUser records that the patient just wrote to the account (it opens the
// 48-hour customer-service window). The skill calls it for every message; the
// webhook may call it too.
func (s *Service) TouchUser(ctx context.Context, openID string) error {
	if openID == "" {
		return nil
	}
	now := s.clk.Now()
	if last, ok := s.touched.Get(openID); ok && now.Sub(time.Unix(0, last)) < touchEvery {
		return nil
	}
	v := []byte(strconv.FormatInt(now.Unix(), 10))
	if err := s.st.Set(ctx, keyLastSeen(openID), v, CustomWindow+time.Hour); err != nil {
		return fmt.Errorf("touch user: %w", err)
	}
	s.touched.Add(openID, now.UnixNano())
	return nil
}

// withinWindow reports whether the patient wrote within the customer-service window.
func (s *Service) withinWindow(ctx context.Context, openID string) bool {
	b, err := s.st.Get(ctx, keyLastSeen(openID))
	if err != nil {
		return false
	}
	sec, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return false
	}
	return s.clk.Now().Sub(time.Unix(sec, 0)) < CustomWindow
}

// nextNumber reserves a ticket number: TS + local date + "-" + a per-day
// counter shared by every instance on the store.
func (s *Service) nextNumber(ctx context.Context) (string, error) {
	day := s.now().Format("20060102")
	n, err := s.st.Incr(ctx, keySeq(day), 1)
	if err != nil {
		return "", fmt.Errorf("reserve ticket number: %w", err)
	}
	if n == 1 {
		// Best effort: the counter is needed only for its day.
		_, _ = s.st.Expire(ctx, keySeq(day), 72*time.Hour)
	}
	return fmt.Sprintf("TS%s-%04d", day, n), nil
}

// Submit stores the draft as a ticket and returns its number (the chat form
// calls it on 确认; staff tools may file a complaint taken by phone). The ticket is
// durable when Submit returns nil; on error nothing was acknowledged and the
// draft is kept. Submitting the same draft twice returns the same number.
func (s *Service) Submit(ctx context.Context, d *Draft) (string, error) {
	if utf8.RuneCountInString(strings.TrimSpace(d.Description)) < MinDescriptionRunes {
		return "", invalid(fmt.Sprintf("a description of at least %d characters is required", MinDescriptionRunes))
	}
	if d.ID == "" {
		d.ID = newID()
	}
	if d.Number == "" && d.OpenID != "" {
		n, err := s.nextNumber(ctx)
		if err != nil {
			return "", err
		}
		d.Number = n
		// Remember the number in the draft so a retry after a partial failure
		// finds the same ticket instead of filing a second one.
		if err := s.saveDraft(ctx, d); err != nil {
			return "", err
		}
	}
	if d.Number == "" {
		n, err := s.nextNumber(ctx)
		if err != nil {
			return "", err
		}
		d.Number = n
	}
	now := s.now()
	t := &Ticket{
		Number:         d.Number,
		DraftID:        d.ID,
		OpenID:         d.OpenID,
		Status:         StatusOpen,
		Description:    d.Description,
		Departments:    d.Departments,
		DepartmentNote: d.DepartmentNote,
		When:           d.When,
		Phone:          d.Phone,
		Anonymous:      d.Anonymous,
		Category:       guessCategory(d.Description),
		Attachments:    d.Attachments,
		CreatedAt:      now,
		DueFrom:        now,
	}
	if t.Departments == nil {
		t.Departments = []string{}
	}
	t.DueAt = s.dueAt(now, len(t.Departments))
	t.History = []Event{{At: now, Actor: "patient", Action: "submit"}}
	raw, err := json.Marshal(t)
	if err != nil {
		return "", fmt.Errorf("encode ticket: %w", err)
	}
	// Index first: a dangling index entry (ticket write failed) is skipped by
	// readers, while a ticket missing from the index would be lost.
	if _, err := s.st.SAdd(ctx, keyIndex, t.Number); err != nil {
		return "", fmt.Errorf("index ticket: %w", err)
	}
	if t.OpenID != "" {
		if _, err := s.st.SAdd(ctx, keyUser(t.OpenID), t.Number); err != nil {
			return "", fmt.Errorf("index ticket for patient: %w", err)
		}
	}
	ok, err := s.st.SetNX(ctx, keyTicket(t.Number), raw, 0)
	if err != nil {
		return "", fmt.Errorf("store ticket: %w", err)
	}
	if !ok {
		old, err := s.Get(ctx, t.Number)
		if err != nil {
			return "", err
		}
		if old.DraftID != d.ID {
			return "", fmt.Errorf("store ticket %s: number already used by another ticket", t.Number)
		}
		t = old // stored by an earlier attempt
	} else {
		s.log.Info("complaint stored", zap.String("number", t.Number), zap.Int("attachments", len(t.Attachments)))
	}
	if len(t.Attachments) > 0 {
		if _, err := s.st.SAdd(ctx, keyMediaQueue, t.Number); err != nil {
			s.log.Warn("queue attachment download", zap.String("number", t.Number), zap.Error(err))
		}
		mctx, cancel := context.WithTimeout(ctx, s.opts.MediaBudget)
		if err := s.fetchMedia(mctx, t.Number); err != nil {
			s.log.Warn("download attachments; will retry", zap.String("number", t.Number), zap.Error(err))
		}
		cancel()
	}
	if d.OpenID != "" {
		if err := s.deleteDraft(ctx, d.OpenID); err != nil {
			s.log.Warn("delete submitted draft", zap.String("number", t.Number), zap.Error(err))
		}
	}
	return t.Number, nil
}

// Get returns one ticket. Returns an error wrapping ErrNotFound when there is none.
func (s *Service) Get(ctx context.Context, number string) (*Ticket, error) {
	t, _, err := s.load(ctx, number)
	return t, err
}

// load returns the ticket and its stored bytes (for a compare-and-swap).
func (s *Service) load(ctx context.Context, number string) (*Ticket, []byte, error) {
	raw, err := s.st.Get(ctx, keyTicket(number))
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, notFound(number)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("get complaint %s: %w", number, err)
	}
	var t Ticket
	if err := json.Unmarshal(raw, &t); err != nil {
		return nil, nil, fmt.Errorf("decode complaint %s: %w", number, err)
	}
	return &t, raw, nil
}

// update applies fn to the ticket and stores it, retrying when another writer
// changed it meanwhile. fn may run more than once. It returns the stored ticket.
func (s *Service) update(ctx context.Context, number string, fn func(t *Ticket) error) (*Ticket, error) {
	return store.UpdateJSON(ctx, s.st, keyTicket(number), "complaint "+number, 20,
		func() (*Ticket, []byte, error) { return s.load(ctx, number) }, fn)
}

// Filter selects tickets in List. Zero fields select everything.
type Filter struct {
	Status     Status
	Department string // matches any of the ticket's departments
	Overdue    *bool
	DueSoon    *bool
	// CreatedFrom / CreatedTo bound the creation time (From inclusive, To exclusive).
	CreatedFrom, CreatedTo time.Time
}

// all returns every ticket (newest first).
func (s *Service) all(ctx context.Context) ([]Ticket, error) {
	return s.indexed(ctx, keyIndex, 200, "list complaints")
}

// indexed returns the tickets whose numbers the set at key holds (newest
// first), scanning it batch numbers at a time; op prefixes scan errors.
func (s *Service) indexed(ctx context.Context, key string, batch int, op string) ([]Ticket, error) {
	numbers, err := store.Members(ctx, s.st, key, batch)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	var out []Ticket
	for _, n := range numbers {
		t, err := s.Get(ctx, n)
		if errors.Is(err, ErrNotFound) {
			continue // index written, ticket write failed
		}
		if err != nil {
			return nil, err
		}
		out = append(out, *t)
	}
	sortNewest(out)
	return out, nil
}

func sortNewest(ts []Ticket) {
	sort.Slice(ts, func(i, j int) bool {
		if !ts[i].CreatedAt.Equal(ts[j].CreatedAt) {
			return ts[i].CreatedAt.After(ts[j].CreatedAt)
		}
		return ts[i].Number > ts[j].Number
	})
}

// List returns the tickets matching f, newest first.
func (s *Service) List(ctx context.Context, f Filter) ([]Ticket, error) {
	all, err := s.all(ctx)
	if err != nil {
		return nil, err
	}
	now := s.clk.Now()
	out := all[:0]
	for _, t := range all {
		if f.Status != "" && t.Status != f.Status {
			continue
		}
		if f.Department != "" && !containsString(t.Departments, f.Department) {
			continue
		}
		if !f.CreatedFrom.IsZero() && t.CreatedAt.Before(f.CreatedFrom) {
			continue
		}
		if !f.CreatedTo.IsZero() && !t.CreatedAt.Before(f.CreatedTo) {
			continue
		}
		over, soon := s.Flags(&t, now)
		if f.Overdue != nil && over != *f.Overdue {
			continue
		}
		if f.DueSoon != nil && soon != *f.DueSoon {
			continue
		}
		out = append(out, t)
	}
	return out, nil
}

// ForPatient returns the patient's tickets, newest first.
func (s *Service) ForPatient(ctx context.Context, openID string) ([]Ticket, error) {
	tickets, err := s.indexed(ctx, keyUser(openID), 100, "list patient's complaints")
	if err != nil {
		return nil, err
	}
	var out []Ticket
	for _, t := range tickets {
		if t.OpenID == openID {
			out = append(out, t)
		}
	}
	return out, nil
}

// AssignRequest changes who handles a ticket. Empty fields stay unchanged;
// Departments, when not nil, replaces the involved departments (and so the
// deadline: more than one department gets the longer one).
type AssignRequest struct {
	Assignee    string   `json:"assignee"`
	Departments []string `json:"departments"`
	Category    string   `json:"category"`
}

// AuditDetail describes what req changes ("assignee=… departments=a|b
// category=…"), as the audit log records it.
func (req AssignRequest) AuditDetail() string {
	var parts []string
	if req.Assignee != "" {
		parts = append(parts, "assignee="+req.Assignee)
	}
	if req.Departments != nil {
		parts = append(parts, "departments="+strings.Join(req.Departments, "|"))
	}
	if req.Category != "" {
		parts = append(parts, "category="+req.Category)
	}
	return strings.Join(parts, " ")
}

func (s *Service) event(t *Ticket, actor, action, detail string) {
	t.History = append(t.History, Event{At: s.now(), Actor: actor, Action: action, Detail: detail})
}

func purged(t *Ticket) error {
	if t.PurgedAt != nil {
		return conflict("complaint " + t.Number + " was erased after the retention period")
	}
	return nil
}

// Assign sets the handler, departments or category. Returns ErrInvalid for an
// empty request or unknown category, ErrConflict for a closed ticket.
func (s *Service) Assign(ctx context.Context, number, actor string, req AssignRequest) (*Ticket, error) {
	req.Assignee = strings.TrimSpace(req.Assignee)
	req.Category = strings.TrimSpace(req.Category)
	if req.Assignee == "" && req.Departments == nil && req.Category == "" {
		return nil, invalid("give assignee, departments or category")
	}
	if req.Category != "" && !containsString(Categories, req.Category) {
		return nil, invalid("unknown category; use one of " + strings.Join(Categories, ", "))
	}
	var depts []string
	for _, d := range req.Departments {
		if d = strings.TrimSpace(d); d != "" && !containsString(depts, d) {
			depts = append(depts, d)
		}
	}
	return s.update(ctx, number, func(t *Ticket) error {
		if err := purged(t); err != nil {
			return err
		}
		if t.Status == StatusClosed {
			return conflict("complaint " + number + " is closed; reopen it first")
		}
		var detail []string
		if req.Assignee != "" {
			t.Assignee = req.Assignee
			detail = append(detail, "assignee="+req.Assignee)
			if t.Status == StatusOpen {
				t.Status = StatusAssigned
			}
		}
		if req.Departments != nil {
			t.Departments = append([]string{}, depts...)
			t.DueAt = s.dueAt(t.DueFrom, len(t.Departments))
			detail = append(detail, "departments="+strings.Join(depts, "|"))
		}
		if req.Category != "" {
			t.Category = req.Category
			detail = append(detail, "category="+req.Category)
		}
		s.event(t, actor, "assign", strings.Join(detail, " "))
		return nil
	})
}

// AddNote adds an internal note. Returns ErrInvalid for an empty or too long note.
func (s *Service) AddNote(ctx context.Context, number, actor, text string) (*Ticket, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, invalid("text is required")
	}
	if utf8.RuneCountInString(text) > MaxNoteRunes {
		return nil, invalid(fmt.Sprintf("a note has at most %d characters", MaxNoteRunes))
	}
	return s.update(ctx, number, func(t *Ticket) error {
		if err := purged(t); err != nil {
			return err
		}
		t.Notes = append(t.Notes, Note{At: s.now(), By: actor, Text: text})
		s.event(t, actor, "note", "")
		return nil
	})
}

// markFeedback records that the patient got feedback now.
func markFeedback(t *Ticket, now time.Time) {
	if t.AnsweredAt == nil {
		t.AnsweredAt = &now
	}
	if t.FirstFeedbackAt == nil {
		t.FirstFeedbackAt = &now
	}
}

// Reply answers the patient and delivers the answer in WeChat (see deliver).
// The answer is stored before it is sent; the returned ticket shows the
// delivery result. Returns ErrInvalid for an empty or too long text and
// ErrConflict for a closed ticket.
func (s *Service) Reply(ctx context.Context, number, actor, text string) (*Ticket, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, invalid("text is required")
	}
	if utf8.RuneCountInString(text) > MaxAnswerRunes {
		return nil, invalid(fmt.Sprintf("an answer has at most %d characters (WeChat drops long messages)", MaxAnswerRunes))
	}
	var id int
	_, err := s.update(ctx, number, func(t *Ticket) error {
		if err := purged(t); err != nil {
			return err
		}
		if t.Status == StatusClosed {
			return conflict("complaint " + number + " is closed; reopen it first")
		}
		now := s.now()
		id = len(t.Answers) + 1
		t.Answers = append(t.Answers, Answer{ID: id, Kind: "reply", At: now, By: actor, Text: text, Delivery: Delivery{Status: DeliveryPending}})
		markFeedback(t, now)
		t.Status = StatusAnswered
		s.event(t, actor, "reply", "answer="+strconv.Itoa(id))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.deliver(ctx, number, id)
}

// Close closes the ticket with a resolution, which is sent to the patient
// with a request to rate the handling (满意 / 一般 / 不满意). Returns
// ErrInvalid without a resolution and ErrConflict when already closed.
func (s *Service) Close(ctx context.Context, number, actor, resolution string) (*Ticket, error) {
	resolution = strings.TrimSpace(resolution)
	if resolution == "" {
		return nil, invalid("resolution is required")
	}
	if utf8.RuneCountInString(resolution) > MaxAnswerRunes {
		return nil, invalid(fmt.Sprintf("a resolution has at most %d characters", MaxAnswerRunes))
	}
	var id int
	t, err := s.update(ctx, number, func(t *Ticket) error {
		if err := purged(t); err != nil {
			return err
		}
		if t.Status == StatusClosed {
			return conflict("complaint " + number + " is already closed")
		}
		now := s.now()
		id = len(t.Answers) + 1
		t.Answers = append(t.Answers, Answer{ID: id, Kind: "close", At: now, By: actor, Text: resolution, Delivery: Delivery{Status: DeliveryPending}})
		markFeedback(t, now)
		t.Status = StatusClosed
		t.ClosedAt = &now
		t.Resolution = resolution
		s.event(t, actor, "close", "answer="+strconv.Itoa(id))
		return nil
	})
	if err != nil {
		return nil, err
	}
	// The patient's next 满意 / 一般 / 不满意 rates this ticket.
	if err := s.st.Set(ctx, keyRate(t.OpenID), []byte(number), 7*24*time.Hour); err != nil {
		s.log.Warn("remember rating request", zap.String("number", number), zap.Error(err))
	}
	return s.deliver(ctx, number, id)
}

// Reopen reopens a closed ticket; a new deadline starts now. Returns
// ErrConflict when the ticket is not closed.
func (s *Service) Reopen(ctx context.Context, number, actor, reason string) (*Ticket, error) {
	reason = strings.TrimSpace(reason)
	t, err := s.update(ctx, number, func(t *Ticket) error {
		if err := purged(t); err != nil {
			return err
		}
		if t.Status != StatusClosed {
			return conflict("complaint " + number + " is not closed")
		}
		now := s.now()
		t.Status = StatusOpen
		if t.Assignee != "" {
			t.Status = StatusAssigned
		}
		t.ClosedAt = nil
		t.AnsweredAt = nil
		t.DueFrom = now
		t.DueAt = s.dueAt(now, len(t.Departments))
		detail := ""
		if reason != "" {
			detail = "reason given"
		}
		s.event(t, actor, "reopen", detail)
		if reason != "" {
			t.Notes = append(t.Notes, Note{At: now, By: actor, Text: "重新处理原因：" + reason})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if _, err := s.st.DeleteIfEquals(ctx, keyRate(t.OpenID), []byte(number)); err != nil {
		s.log.Warn("forget rating request", zap.String("number", number), zap.Error(err))
	}
	return t, nil
}

// pendingRating returns the ticket number the patient was asked to rate, or "".
func (s *Service) pendingRating(ctx context.Context, openID string) (string, error) {
	b, err := s.st.Get(ctx, keyRate(openID))
	if errors.Is(err, store.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("get rating request: %w", err)
	}
	return string(b), nil
}

// Rate stores the patient's rating of a closed ticket they own. Returns
// ErrInvalid for an unknown rating, ErrNotFound for another patient's ticket
// and ErrConflict when the ticket is not closed.
func (s *Service) Rate(ctx context.Context, openID, number, rating string) (*Ticket, error) {
	switch rating {
	case RatingSatisfied, RatingNeutral, RatingUnsatisfied:
	default:
		return nil, invalid("rating must be 满意, 一般 or 不满意")
	}
	t, err := s.update(ctx, number, func(t *Ticket) error {
		if t.OpenID != openID {
			return notFound(number)
		}
		if t.Status != StatusClosed {
			return conflict("complaint " + number + " is not closed")
		}
		now := s.now()
		t.Rating = rating
		t.RatedAt = &now
		s.event(t, "patient", "rate", rating)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if _, err := s.st.DeleteIfEquals(ctx, keyRate(openID), []byte(number)); err != nil {
		s.log.Warn("forget rating request", zap.String("number", number), zap.Error(err))
	}
	return t, nil
}

// Media returns a stored attachment's content. Returns ErrNotFound when the
// ticket, the attachment or its content (not downloaded, or erased) is missing.
func (s *Service) Media(ctx context.Context, number string, i int) (Attachment, []byte, error) {
	t, err := s.Get(ctx, number)
	if err != nil {
		return Attachment{}, nil, err
	}
	if i < 0 || i >= len(t.Attachments) || !t.Attachments[i].Stored {
		return Attachment{}, nil, &UserError{Kind: ErrNotFound, Msg: "attachment not found"}
	}
	b, err := s.st.Get(ctx, keyMedia(number, i))
	if errors.Is(err, store.ErrNotFound) {
		return Attachment{}, nil, &UserError{Kind: ErrNotFound, Msg: "attachment not found"}
	}
	if err != nil {
		return Attachment{}, nil, fmt.Errorf("get attachment: %w", err)
	}
	return t.Attachments[i], b, nil
}

// fetchMedia downloads the ticket's attachments not yet stored. It stops at the
// first transport failure (ctx expired); attachments WeChat no longer has are
// marked with their error and given up after MediaTTL.
func (s *Service) fetchMedia(ctx context.Context, number string) error {
	t, err := s.Get(ctx, number)
	if err != nil {
		return err
	}
	done := true
	for i, a := range t.Attachments {
		if a.Stored || a.MediaID == "" {
			continue
		}
		if s.opts.WeChat == nil {
			return errors.New("download attachment: no WeChat API configured")
		}
		m, err := s.opts.WeChat.GetMedia(ctx, a.MediaID)
		if err == nil {
			err = s.st.Set(ctx, keyMedia(number, i), m.Data, 0)
		}
		idx := i
		if err != nil {
			done = false
			reason := errReason(err)
			expired := !wxapi.Temporary(err) || s.clk.Now().Sub(a.ReceivedAt) > MediaTTL
			if _, uerr := s.update(ctx, number, func(t *Ticket) error {
				if idx < len(t.Attachments) {
					t.Attachments[idx].Error = reason
					if expired {
						t.Attachments[idx].MediaID = ""
					}
				}
				return nil
			}); uerr != nil {
				return uerr
			}
			if ctx.Err() != nil {
				return fmt.Errorf("download attachment %d: %w", i, err)
			}
			continue
		}
		if _, err := s.update(ctx, number, func(t *Ticket) error {
			if idx < len(t.Attachments) {
				t.Attachments[idx].Stored = true
				t.Attachments[idx].ContentType = m.ContentType
				t.Attachments[idx].Size = len(m.Data)
				t.Attachments[idx].Error = ""
			}
			return nil
		}); err != nil {
			return err
		}
	}
	if done {
		if _, err := s.st.SRem(ctx, keyMediaQueue, number); err != nil {
			return fmt.Errorf("dequeue attachment download: %w", err)
		}
		return nil
	}
	// Given-up attachments (MediaID cleared) leave nothing to retry.
	if t, err := s.Get(ctx, number); err == nil {
		pending := false
		for _, a := range t.Attachments {
			if !a.Stored && a.MediaID != "" {
				pending = true
			}
		}
		if !pending {
			_, _ = s.st.SRem(ctx, keyMediaQueue, number)
		}
	}
	return nil
}

// FetchPendingMedia retries attachment downloads that failed when their
// tickets were stored. Tick calls it.
func (s *Service) FetchPendingMedia(ctx context.Context) error {
	cursor := ""
	for {
		numbers, next, err := s.st.SScan(ctx, keyMediaQueue, cursor, 100)
		if err != nil {
			return fmt.Errorf("list pending attachments: %w", err)
		}
		for _, n := range numbers {
			if err := s.fetchMedia(ctx, n); err != nil {
				if errors.Is(err, ErrNotFound) {
					_, _ = s.st.SRem(ctx, keyMediaQueue, n)
					continue
				}
				s.log.Warn("download attachments", zap.String("number", n), zap.Error(err))
			}
		}
		if next == "" {
			return nil
		}
		cursor = next
	}
}

// errReason is a short failure reason without content.
func errReason(err error) string {
	var we *wxapi.Error
	if errors.As(err, &we) {
		if we.Code != 0 {
			return fmt.Sprintf("%s errcode=%d", we.API, we.Code)
		}
		return we.API + ": transport failure"
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "timeout"
	}
	if errors.Is(err, store.ErrUnavailable) {
		return "store unavailable"
	}
	return err.Error()
}
