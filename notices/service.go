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

	"github.com/hospital/wxbot/audit"
	"github.com/hospital/wxbot/clock"
	"github.com/hospital/wxbot/staff"
	"github.com/hospital/wxbot/store"
)

// Store keys of notices.
const (
	keySeq       = "notices:seq"       // counter for ids
	keyIDs       = "notices:ids"       // set of every id
	keyDue       = "notices:due"       // set of approved ids waiting for publication
	keyPublished = "notices:published" // list of ids in publication order
)

func noticeKey(id string) string { return "notice:" + id }

// casAttempts bounds the compare-and-swap retries of one transition.
const casAttempts = 20

// Config configures the notice workflow.
type Config struct {
	// Categories a notice may have (and patients may subscribe to);
	// DefaultCategories when empty.
	Categories []string
}

// Service is the notice workflow. Every method is safe for concurrent use, also
// from several instances on one store: each transition is a compare-and-swap of
// the notice record, so two concurrent approvals cannot both succeed.
type Service struct {
	st    store.Store
	clk   clock.Clock
	log   *zap.Logger
	cats  []string
	audit *audit.Log
	subs  *Subscriptions
}

// NewService returns the workflow on st. log may be nil. Audit (optional) records
// the changes the system makes by itself (scheduled publication, pauses).
func NewService(st store.Store, clk clock.Clock, cfg Config, log *zap.Logger) *Service {
	if clk == nil {
		clk = clock.System{}
	}
	if log == nil {
		log = zap.NewNop()
	}
	cats := cfg.Categories
	if len(cats) == 0 {
		cats = DefaultCategories
	}
	cats = append([]string(nil), cats...)
	s := &Service{st: st, clk: clk, log: log.With(zap.String("component", "notices")), cats: cats}
	s.subs = NewSubscriptions(st, cats)
	return s
}

// SetAudit makes the service record the changes it makes by itself (scheduled
// publication, push pauses and completion) in l, with actor "system".
func (s *Service) SetAudit(l *audit.Log) { s.audit = l }

// Categories returns the configured categories.
func (s *Service) Categories() []string { return append([]string(nil), s.cats...) }

// Subscriptions returns the subscriptions on the same store and categories.
func (s *Service) Subscriptions() *Subscriptions { return s.subs }

func (s *Service) now() time.Time { return s.clk.Now().UTC() }

func (s *Service) systemAudit(ctx context.Context, action, target, detail string) {
	if s.audit == nil {
		return
	}
	if err := s.audit.Record(ctx, audit.Entry{Actor: "system", Action: action, Target: target, Detail: detail}); err != nil {
		s.log.Warn("audit record failed", zap.String("action", action), zap.Error(err))
	}
}

func need(m *staff.Member, action string, roles ...staff.Role) error {
	if m == nil {
		return errorf(EForbidden, "%s needs a signed-in member", action)
	}
	if m.Disabled {
		return errorf(EForbidden, "the member is disabled")
	}
	if m.HasAny(roles...) {
		return nil
	}
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = string(r)
	}
	if len(names) == 1 {
		return errorf(EForbidden, "%s needs the role %s", action, names[0])
	}
	return errorf(EForbidden, "%s needs one of the roles %s", action, strings.Join(names, ", "))
}

func (s *Service) event(n *Notice, m *staff.Member, action string, from State, reason string) {
	e := Event{At: s.now(), Action: action, From: from, To: n.State, Reason: reason}
	if m != nil {
		e.ActorID, e.ActorName = m.ID, m.Name
	} else {
		e.ActorID, e.ActorName = "system", "system"
	}
	n.History = append(n.History, e)
	n.UpdatedAt = e.At
}

// Create stores a new draft written by m (role editor). Returns EInvalid for
// bad content, EForbidden without the role.
func (s *Service) Create(ctx context.Context, m *staff.Member, in Input) (*Notice, error) {
	if err := need(m, "creating a notice", staff.RoleEditor); err != nil {
		return nil, err
	}
	n := &Notice{State: StateDraft, AuthorID: m.ID, AuthorName: m.Name, CreatedAt: s.now()}
	in.apply(n)
	if err := validate(n, s.cats); err != nil {
		return nil, err
	}
	seq, err := s.st.Incr(ctx, keySeq, 1)
	if err != nil {
		return nil, fmt.Errorf("create notice: %w", err)
	}
	n.ID = strconv.FormatInt(seq, 10)
	s.event(n, m, "create", "", "")
	b, err := json.Marshal(n)
	if err != nil {
		return nil, fmt.Errorf("create notice: %w", err)
	}
	ok, err := s.st.SetNX(ctx, noticeKey(n.ID), b, 0)
	if err != nil {
		return nil, fmt.Errorf("create notice %s: %w", n.ID, err)
	}
	if !ok {
		return nil, fmt.Errorf("create notice %s: id already used", n.ID)
	}
	if _, err := s.st.SAdd(ctx, keyIDs, n.ID); err != nil {
		return nil, fmt.Errorf("create notice %s: %w", n.ID, err)
	}
	return n, nil
}

// Get returns the notice id, or ENotFound.
func (s *Service) Get(ctx context.Context, id string) (*Notice, error) {
	n, _, err := s.load(ctx, id)
	return n, err
}

func (s *Service) load(ctx context.Context, id string) (*Notice, []byte, error) {
	if id == "" || strings.ContainsAny(id, ":{} ") {
		return nil, nil, errorf(ENotFound, "no notice %q", id)
	}
	return loadJSON[Notice](ctx, s.st, noticeKey(id), "notice "+id, errorf(ENotFound, "no notice %q", id))
}

// update applies change to the notice id with compare-and-swap, retrying when
// another writer got there first. change sees a fresh copy each time; its error
// is returned as is.
func (s *Service) update(ctx context.Context, id string, change func(n *Notice) error) (*Notice, error) {
	load := func() (*Notice, []byte, error) { return s.load(ctx, id) }
	return updateJSON(ctx, s.st, noticeKey(id), "notice "+id, load, change)
}

// loadJSON reads and decodes the JSON value at key, returning it with the raw
// bytes (for a later compare-and-swap), or missing when there is none. what
// ("notice 7") names the value in errors.
func loadJSON[T any](ctx context.Context, st store.Store, key, what string, missing error) (*T, []byte, error) {
	b, err := st.Get(ctx, key)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, missing
	}
	if err != nil {
		return nil, nil, fmt.Errorf("load %s: %w", what, err)
	}
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, nil, fmt.Errorf("decode %s: %w", what, err)
	}
	return &v, b, nil
}

// updateJSON is store.UpdateJSON with casAttempts tries; losing every race
// is EConflict.
func updateJSON[T any](ctx context.Context, st store.Store, key, what string, load func() (*T, []byte, error), change func(*T) error) (*T, error) {
	v, err := store.UpdateJSON(ctx, st, key, what, casAttempts, load, change)
	if errors.Is(err, store.ErrContended) {
		return nil, errorf(EConflict, "%s is being changed by someone else; try again", what)
	}
	return v, err
}

// List returns the notices in state (every notice when state is ""), newest first.
func (s *Service) List(ctx context.Context, state State) ([]*Notice, error) {
	if state != "" && !state.Valid() {
		return nil, errorf(EInvalid, "unknown state %q", state)
	}
	ids, err := store.Members(ctx, s.st, keyIDs, 500)
	if err != nil {
		return nil, fmt.Errorf("list notices: %w", err)
	}
	out := make([]*Notice, 0, len(ids))
	for _, id := range ids {
		n, err := s.Get(ctx, id)
		if Code(err) == ENotFound {
			continue
		}
		if err != nil {
			return nil, err
		}
		if state == "" || n.State == state {
			out = append(out, n)
		}
	}
	sort.Slice(out, func(i, j int) bool { return idLess(out[j].ID, out[i].ID) })
	return out, nil
}

func idLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

// Update edits a draft. Only its author (role editor) may; other states give
// EConflict.
func (s *Service) Update(ctx context.Context, m *staff.Member, id string, in Input) (*Notice, error) {
	if err := need(m, "editing a notice", staff.RoleEditor); err != nil {
		return nil, err
	}
	return s.update(ctx, id, func(n *Notice) error {
		if n.State != StateDraft {
			return errorf(EConflict, "only a draft can be edited; notice %s is %s", id, describe(n.State))
		}
		if n.AuthorID != m.ID {
			return errorf(EForbidden, "only the author (%s) can edit this draft", n.AuthorName)
		}
		in.apply(n)
		if err := validate(n, s.cats); err != nil {
			return err
		}
		s.event(n, m, "edit", StateDraft, "")
		return nil
	})
}

// Submit sends the author's draft for review (role editor, author only).
func (s *Service) Submit(ctx context.Context, m *staff.Member, id string) (*Notice, error) {
	if err := need(m, "submitting a notice", staff.RoleEditor); err != nil {
		return nil, err
	}
	return s.update(ctx, id, func(n *Notice) error {
		if n.State != StateDraft {
			return errorf(EConflict, "only a draft can be submitted; notice %s is %s", id, describe(n.State))
		}
		if n.AuthorID != m.ID {
			return errorf(EForbidden, "only the author (%s) can submit this draft", n.AuthorName)
		}
		if err := validate(n, s.cats); err != nil {
			return err
		}
		n.State = StateSubmitted
		n.RejectReason = ""
		s.event(n, m, "submit", StateDraft, "")
		return nil
	})
}

// Approve gives the next approval a submitted notice needs. A submitted
// notice needs a reviewer who is not its author; a major one then needs a
// principal who is neither its author nor that reviewer. When the last approval
// is given the notice is published at once, or at its publish_at.
// Returns EForbidden for a missing role or a maker-checker breach, EConflict in
// any other state.
func (s *Service) Approve(ctx context.Context, m *staff.Member, id string) (*Notice, error) {
	if err := need(m, "approving a notice", staff.RoleReviewer, staff.RolePrincipal); err != nil {
		return nil, err
	}
	n, err := s.update(ctx, id, func(n *Notice) error {
		from := n.State
		switch n.State {
		case StateSubmitted:
			if !m.Has(staff.RoleReviewer) {
				return errorf(EForbidden, "the first approval needs the role reviewer")
			}
			if m.ID == n.AuthorID {
				return errorf(EForbidden, "nobody may approve a notice they wrote")
			}
			n.ReviewerID, n.ReviewerName = m.ID, m.Name
			if n.Major {
				n.State = StateReviewed
			} else {
				n.State = StateApproved
			}
		case StateReviewed:
			if !m.Has(staff.RolePrincipal) {
				return errorf(EForbidden, "a major notice's second approval needs the role principal")
			}
			if m.ID == n.AuthorID {
				return errorf(EForbidden, "nobody may approve a notice they wrote")
			}
			if m.ID == n.ReviewerID {
				return errorf(EForbidden, "the second approval of a major notice must come from someone other than its reviewer")
			}
			n.PrincipalID, n.PrincipalName = m.ID, m.Name
			n.State = StateApproved
		default:
			return errorf(EConflict, "only a submitted notice can be approved; notice %s is %s", id, describe(n.State))
		}
		s.event(n, m, "approve", from, "")
		return nil
	})
	if err != nil {
		return nil, err
	}
	if n.State != StateApproved {
		return n, nil
	}
	if _, err := s.st.SAdd(ctx, keyDue, n.ID); err != nil {
		return nil, fmt.Errorf("approve notice %s: %w", id, err)
	}
	return s.publishIfDue(ctx, n)
}

// Reject returns a submitted (or reviewed) notice to draft with a reason. The
// same people who could approve it may reject it. Returns EInvalid without a
// reason.
func (s *Service) Reject(ctx context.Context, m *staff.Member, id, reason string) (*Notice, error) {
	if err := need(m, "rejecting a notice", staff.RoleReviewer, staff.RolePrincipal); err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, errorf(EInvalid, "a reason is required to reject a notice")
	}
	if len([]rune(reason)) > MaxReason {
		return nil, errorf(EInvalid, "the reason is longer than %d characters", MaxReason)
	}
	return s.update(ctx, id, func(n *Notice) error {
		from := n.State
		switch n.State {
		case StateSubmitted:
			if !m.Has(staff.RoleReviewer) {
				return errorf(EForbidden, "rejecting a submitted notice needs the role reviewer")
			}
		case StateReviewed:
			if !m.Has(staff.RolePrincipal) {
				return errorf(EForbidden, "rejecting a reviewed major notice needs the role principal")
			}
			if m.ID == n.ReviewerID {
				return errorf(EForbidden, "the reviewer who approved it cannot give the second decision")
			}
		default:
			return errorf(EConflict, "only a submitted notice can be rejected; notice %s is %s", id, describe(n.State))
		}
		if m.ID == n.AuthorID {
			return errorf(EForbidden, "nobody may review a notice they wrote")
		}
		n.State = StateDraft
		n.RejectReason = reason
		n.ReviewerID, n.ReviewerName = "", ""
		n.PrincipalID, n.PrincipalName = "", ""
		s.event(n, m, "reject", from, reason)
		return nil
	})
}

// Withdraw removes a notice before publication (draft, submitted, reviewed or
// approved). Its author (role editor) or a reviewer may. Returns EConflict once
// published (use Retract).
func (s *Service) Withdraw(ctx context.Context, m *staff.Member, id string) (*Notice, error) {
	if err := need(m, "withdrawing a notice", staff.RoleEditor, staff.RoleReviewer); err != nil {
		return nil, err
	}
	n, err := s.update(ctx, id, func(n *Notice) error {
		from := n.State
		switch n.State {
		case StateDraft, StateSubmitted, StateReviewed, StateApproved:
		case StatePublished, StatePushed:
			return errorf(EConflict, "notice %s is already published; retract it instead", id)
		default:
			return errorf(EConflict, "notice %s is %s and cannot be withdrawn", id, describe(n.State))
		}
		if !m.Has(staff.RoleReviewer) && m.ID != n.AuthorID {
			return errorf(EForbidden, "only the author (%s) or a reviewer can withdraw this notice", n.AuthorName)
		}
		n.State = StateWithdrawn
		s.event(n, m, "withdraw", from, "")
		return nil
	})
	if err != nil {
		return nil, err
	}
	if _, err := s.st.SRem(ctx, keyDue, id); err != nil {
		s.log.Warn("withdraw: removing from due set failed", zap.String("notice", id), zap.Error(err))
	}
	return n, nil
}

// Retract withdraws a published notice (role reviewer, principal or admin):
// pushing stops and chat shows it as 已撤回. Returns EConflict before
// publication (use Withdraw) or when already retracted.
func (s *Service) Retract(ctx context.Context, m *staff.Member, id, reason string) (*Notice, error) {
	if err := need(m, "retracting a notice", staff.RoleReviewer, staff.RolePrincipal, staff.RoleAdmin); err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	if len([]rune(reason)) > MaxReason {
		return nil, errorf(EInvalid, "the reason is longer than %d characters", MaxReason)
	}
	n, err := s.update(ctx, id, func(n *Notice) error {
		from := n.State
		switch n.State {
		case StatePublished, StatePushed:
		case StateRetracted:
			return errorf(EConflict, "notice %s is already retracted", id)
		default:
			return errorf(EConflict, "only a published notice can be retracted; notice %s is %s (withdraw it instead)", id, describe(n.State))
		}
		n.State = StateRetracted
		n.RetractReason = reason
		t := s.now()
		n.RetractedAt = &t
		s.event(n, m, "retract", from, reason)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := s.stopJob(ctx, id); err != nil {
		return n, err
	}
	return n, nil
}

// publishIfDue publishes an approved notice whose time has come: it creates
// the push job first (idempotent), then moves the notice to published. A crash
// between the two leaves the notice approved and in the due set, and the
// scheduler finishes the work.
func (s *Service) publishIfDue(ctx context.Context, n *Notice) (*Notice, error) {
	if n.State != StateApproved {
		return n, nil
	}
	now := s.now()
	if n.PublishAt != nil && n.PublishAt.After(now) {
		return n, nil
	}
	if err := s.createJob(ctx, n); err != nil {
		return nil, err
	}
	out, err := s.update(ctx, n.ID, func(c *Notice) error {
		if c.State != StateApproved {
			return errorf(EConflict, "notice %s is %s, not approved", c.ID, describe(c.State))
		}
		c.State = StatePublished
		t := s.now()
		c.PublishedAt = &t
		s.event(c, nil, "publish", StateApproved, "")
		return nil
	})
	if err != nil {
		return nil, err
	}
	if _, err := s.st.RPush(ctx, keyPublished, []byte(n.ID)); err != nil {
		return nil, fmt.Errorf("publish notice %s: %w", n.ID, err)
	}
	if _, err := s.st.SRem(ctx, keyDue, n.ID); err != nil {
		return nil, fmt.Errorf("publish notice %s: %w", n.ID, err)
	}
	s.log.Info("notice published", zap.String("notice", n.ID), zap.String("category", n.Category))
	return out, nil
}

// PublishDue publishes every approved notice whose publish_at has come, and
// returns how many it published. The scheduler calls it; calling it from
// several instances at once is safe.
func (s *Service) PublishDue(ctx context.Context) (int, error) {
	published := 0
	cursor := ""
	for {
		ids, next, err := s.st.SScan(ctx, keyDue, cursor, 200)
		if err != nil {
			return published, fmt.Errorf("publish due notices: %w", err)
		}
		for _, id := range ids {
			n, err := s.Get(ctx, id)
			if Code(err) == ENotFound {
				_, _ = s.st.SRem(ctx, keyDue, id)
				continue
			}
			if err != nil {
				return published, err
			}
			if n.State != StateApproved {
				_, _ = s.st.SRem(ctx, keyDue, id)
				continue
			}
			out, err := s.publishIfDue(ctx, n)
			if Code(err) == EConflict {
				continue // someone else published or withdrew it meanwhile
			}
			if err != nil {
				return published, err
			}
			if out.State == StatePublished {
				published++
				s.systemAudit(ctx, "notice.publish", "notice:"+id, "scheduled publication")
			}
		}
		if next == "" {
			return published, nil
		}
		cursor = next
	}
}

// markPushed moves a published notice to pushed when its job has finished.
func (s *Service) markPushed(ctx context.Context, id string) error {
	_, err := s.update(ctx, id, func(n *Notice) error {
		if n.State != StatePublished {
			return errorf(EConflict, "notice %s is %s", id, describe(n.State))
		}
		n.State = StatePushed
		s.event(n, nil, "pushed", StatePublished, "")
		return nil
	})
	if Code(err) == EConflict {
		return nil
	}
	return err
}

// Latest returns up to n published notices, newest publication first,
// including retracted ones (shown as withdrawn).
func (s *Service) Latest(ctx context.Context, n int) ([]*Notice, error) {
	if n <= 0 {
		n = 5
	}
	// Read a few more than n in case ids repeat after a crash mid-publication.
	raw, err := s.st.LRange(ctx, keyPublished, int64(-2*n), -1)
	if err != nil {
		return nil, fmt.Errorf("latest notices: %w", err)
	}
	out := make([]*Notice, 0, n)
	seen := map[string]bool{}
	for i := len(raw) - 1; i >= 0 && len(out) < n; i-- {
		id := string(raw[i])
		if seen[id] {
			continue
		}
		seen[id] = true
		no, err := s.Get(ctx, id)
		if Code(err) == ENotFound {
			continue
		}
		if err != nil {
			return nil, err
		}
		if no.State.Visible() {
			out = append(out, no)
		}
	}
	return out, nil
}
