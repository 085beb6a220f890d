package notices_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hospital/wxbot/audit"
	"github.com/hospital/wxbot/notices"
	"github.com/hospital/wxbot/staff"
)

func TestCreateValidatesContentAndRole(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	n, err := e.svc.Create(ctx, author, input("院务公开报告（2024年度）", "院务公开报告", false))
	if err != nil {
		t.Fatal(err)
	}
	if n.State != notices.StateDraft || n.AuthorID != author.ID || n.ID == "" || len(n.History) != 1 {
		t.Fatalf("created = %+v", n)
	}
	bad := []struct {
		name string
		in   notices.Input
	}{
		{"no title", notices.Input{Category: ptr("价格调整")}},
		{"no category", notices.Input{Title: ptr("t")}},
		{"unknown category", notices.Input{Title: ptr("t"), Category: ptr("八卦新闻")}},
		{"bad link", notices.Input{Title: ptr("t"), Category: ptr("价格调整"), Link: ptr("javascript:alert(1)")}},
		{"long title", notices.Input{Title: ptr(strings.Repeat("长", notices.MaxTitle+1)), Category: ptr("价格调整")}},
	}
	for _, c := range bad {
		if _, err := e.svc.Create(ctx, author, c.in); notices.Code(err) != notices.EInvalid {
			t.Errorf("%s: err = %v, want invalid", c.name, err)
		}
	}
	if _, err := e.svc.Create(ctx, reviewer, input("t", "价格调整", false)); notices.Code(err) != notices.EForbidden {
		t.Errorf("reviewer creating: %v", err)
	}
	if _, err := e.svc.Get(ctx, "999"); notices.Code(err) != notices.ENotFound {
		t.Errorf("missing notice: %v", err)
	}
}

func TestConfiguredCategories(t *testing.T) {
	e := newEnv(t)
	svc := notices.NewService(e.st, e.clk, notices.Config{Categories: []string{"门诊公告", "价格调整"}}, nil)
	if _, err := svc.Create(context.Background(), author, input("t", "门诊公告", false)); err != nil {
		t.Fatalf("configured category refused: %v", err)
	}
	if _, err := svc.Create(context.Background(), author, input("t", "招标采购", false)); notices.Code(err) != notices.EInvalid {
		t.Fatalf("category not configured accepted: %v", err)
	}
}

// action is one workflow call by the person entitled to make it.
type action struct {
	name string
	do   func(e *env, n *notices.Notice) (*notices.Notice, error)
}

var actions = []action{
	{"edit", func(e *env, n *notices.Notice) (*notices.Notice, error) {
		return e.svc.Update(context.Background(), author, n.ID, notices.Input{Title: ptr("新标题")})
	}},
	{"submit", func(e *env, n *notices.Notice) (*notices.Notice, error) {
		return e.svc.Submit(context.Background(), author, n.ID)
	}},
	{"approve", func(e *env, n *notices.Notice) (*notices.Notice, error) {
		who := reviewer
		if n.State == notices.StateReviewed {
			who = principal
		}
		return e.svc.Approve(context.Background(), who, n.ID)
	}},
	{"reject", func(e *env, n *notices.Notice) (*notices.Notice, error) {
		who := reviewer
		if n.State == notices.StateReviewed {
			who = principal
		}
		return e.svc.Reject(context.Background(), who, n.ID, "数据需核实")
	}},
	{"withdraw", func(e *env, n *notices.Notice) (*notices.Notice, error) {
		return e.svc.Withdraw(context.Background(), reviewer, n.ID)
	}},
	{"retract", func(e *env, n *notices.Notice) (*notices.Notice, error) {
		return e.svc.Retract(context.Background(), reviewer, n.ID, "")
	}},
}

func TestEveryTransitionAllowedAndRefused(t *testing.T) {
	const C = "conflict"
	// want[action][state]: the state reached, or C for a refused transition.
	states := []notices.State{notices.StateDraft, notices.StateSubmitted, notices.StateReviewed, notices.StateApproved,
		notices.StatePublished, notices.StatePushed, notices.StateWithdrawn, notices.StateRetracted}
	want := map[string][]string{
		"edit":     {"draft", C, C, C, C, C, C, C},
		"submit":   {"submitted", C, C, C, C, C, C, C},
		"approve":  {C, "published", "published", C, C, C, C, C},
		"reject":   {C, "draft", "draft", C, C, C, C, C},
		"withdraw": {"withdrawn", "withdrawn", "withdrawn", "withdrawn", C, C, C, C},
		"retract":  {C, C, C, C, "retracted", "retracted", C, C},
	}
	for _, a := range actions {
		for i, st := range states {
			t.Run(fmt.Sprintf("%s_%s", a.name, st), func(t *testing.T) {
				e := newEnv(t)
				n := e.inState(t, st)
				got, err := a.do(e, n)
				if want[a.name][i] == C {
					if notices.Code(err) != notices.EConflict {
						t.Fatalf("%s from %s: err = %v, want a conflict", a.name, st, err)
					}
					if notices.Message(err) == "" {
						t.Fatal("a refused transition must say why")
					}
					after := try(e.svc.Get(context.Background(), n.ID)).get(t)
					if after.State != st {
						t.Fatalf("refused %s changed the state to %s", a.name, after.State)
					}
					return
				}
				if err != nil {
					t.Fatalf("%s from %s: %v", a.name, st, err)
				}
				if string(got.State) != want[a.name][i] {
					t.Fatalf("%s from %s reached %s, want %s", a.name, st, got.State, want[a.name][i])
				}
			})
		}
	}
}

func TestMajorNoticeNeedsReviewerThenPrincipal(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	n := e.draft(t, true)
	try(e.svc.Submit(ctx, author, n.ID)).get(t)
	n = try(e.svc.Approve(ctx, reviewer, n.ID)).get(t)
	if n.State != notices.StateReviewed || n.ReviewerID != reviewer.ID {
		t.Fatalf("after the reviewer: %+v", n)
	}
	// A second reviewer cannot give the principal's approval.
	if _, err := e.svc.Approve(ctx, reviewer2, n.ID); notices.Code(err) != notices.EForbidden || !strings.Contains(notices.Message(err), "principal") {
		t.Fatalf("reviewer giving the 2nd approval: %v", err)
	}
	n = try(e.svc.Approve(ctx, principal, n.ID)).get(t)
	if n.State != notices.StatePublished || n.PrincipalID != principal.ID || n.PublishedAt == nil {
		t.Fatalf("after the principal: %+v", n)
	}
}

func TestMakerCheckerRules(t *testing.T) {
	ctx := context.Background()
	t.Run("author who is a reviewer cannot approve or reject own notice", func(t *testing.T) {
		e := newEnv(t)
		n := try(e.svc.Create(ctx, editorReviewer, input("t", "服务公告", false))).get(t)
		try(e.svc.Submit(ctx, editorReviewer, n.ID)).get(t)
		if _, err := e.svc.Approve(ctx, editorReviewer, n.ID); notices.Code(err) != notices.EForbidden {
			t.Fatalf("self-approval: %v", err)
		}
		if _, err := e.svc.Reject(ctx, editorReviewer, n.ID, "x"); notices.Code(err) != notices.EForbidden {
			t.Fatalf("self-rejection: %v", err)
		}
		// Someone else may.
		if got := try(e.svc.Approve(ctx, reviewer, n.ID)).get(t); got.State != notices.StatePublished {
			t.Fatalf("state %s", got.State)
		}
	})
	t.Run("the same person cannot give both approvals of a major notice", func(t *testing.T) {
		e := newEnv(t)
		n := e.draft(t, true)
		try(e.svc.Submit(ctx, author, n.ID)).get(t)
		try(e.svc.Approve(ctx, reviewerPrincipal, n.ID)).get(t)
		if _, err := e.svc.Approve(ctx, reviewerPrincipal, n.ID); notices.Code(err) != notices.EForbidden {
			t.Fatalf("second approval by the reviewer: %v", err)
		}
		if _, err := e.svc.Reject(ctx, reviewerPrincipal, n.ID, "x"); notices.Code(err) != notices.EForbidden {
			t.Fatalf("second decision by the reviewer: %v", err)
		}
		if got := try(e.svc.Approve(ctx, principal, n.ID)).get(t); got.State != notices.StatePublished {
			t.Fatalf("state %s", got.State)
		}
	})
	t.Run("the author cannot give the principal approval", func(t *testing.T) {
		e := newEnv(t)
		n := try(e.svc.Create(ctx, authorPrincipal, input("t", "人事任免", true))).get(t)
		try(e.svc.Submit(ctx, authorPrincipal, n.ID)).get(t)
		try(e.svc.Approve(ctx, reviewer, n.ID)).get(t)
		if _, err := e.svc.Approve(ctx, authorPrincipal, n.ID); notices.Code(err) != notices.EForbidden {
			t.Fatalf("author's principal approval: %v", err)
		}
	})
	t.Run("only the author edits and submits a draft", func(t *testing.T) {
		e := newEnv(t)
		n := e.draft(t, false)
		if _, err := e.svc.Update(ctx, editor2, n.ID, notices.Input{Title: ptr("x")}); notices.Code(err) != notices.EForbidden {
			t.Fatalf("other editor editing: %v", err)
		}
		if _, err := e.svc.Submit(ctx, editor2, n.ID); notices.Code(err) != notices.EForbidden {
			t.Fatalf("other editor submitting: %v", err)
		}
		if _, err := e.svc.Withdraw(ctx, editor2, n.ID); notices.Code(err) != notices.EForbidden {
			t.Fatalf("other editor withdrawing: %v", err)
		}
		if got := try(e.svc.Withdraw(ctx, author, n.ID)).get(t); got.State != notices.StateWithdrawn {
			t.Fatalf("author withdrawing: %s", got.State)
		}
	})
}

func TestRoleChecks(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name  string
		state notices.State
		who   *staff.Member
		do    func(e *env, who *staff.Member, id string) error
	}{
		{"create needs editor", "", complaintsOnly, func(e *env, who *staff.Member, _ string) error {
			_, err := e.svc.Create(ctx, who, input("t", "价格调整", false))
			return err
		}},
		{"edit needs editor", notices.StateDraft, reviewer, func(e *env, who *staff.Member, id string) error {
			_, err := e.svc.Update(ctx, who, id, notices.Input{Title: ptr("x")})
			return err
		}},
		{"submit needs editor", notices.StateDraft, admin, func(e *env, who *staff.Member, id string) error {
			_, err := e.svc.Submit(ctx, who, id)
			return err
		}},
		{"approve needs reviewer", notices.StateSubmitted, editor2, func(e *env, who *staff.Member, id string) error {
			_, err := e.svc.Approve(ctx, who, id)
			return err
		}},
		{"first approval needs reviewer, not principal", notices.StateSubmitted, principal, func(e *env, who *staff.Member, id string) error {
			_, err := e.svc.Approve(ctx, who, id)
			return err
		}},
		{"second approval needs principal", notices.StateReviewed, reviewer2, func(e *env, who *staff.Member, id string) error {
			_, err := e.svc.Approve(ctx, who, id)
			return err
		}},
		{"reject needs reviewer", notices.StateSubmitted, admin, func(e *env, who *staff.Member, id string) error {
			_, err := e.svc.Reject(ctx, who, id, "x")
			return err
		}},
		{"withdraw needs editor or reviewer", notices.StateSubmitted, admin, func(e *env, who *staff.Member, id string) error {
			_, err := e.svc.Withdraw(ctx, who, id)
			return err
		}},
		{"retract needs reviewer, principal or admin", notices.StatePublished, author, func(e *env, who *staff.Member, id string) error {
			_, err := e.svc.Retract(ctx, who, id, "")
			return err
		}},
		{"resume needs admin", notices.StatePublished, reviewer, func(e *env, who *staff.Member, id string) error {
			_, err := e.svc.Resume(ctx, who, id)
			return err
		}},
		{"nobody signed in", notices.StateSubmitted, nil, func(e *env, who *staff.Member, id string) error {
			_, err := e.svc.Approve(ctx, who, id)
			return err
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			id := ""
			if c.state != "" {
				id = e.inState(t, c.state).ID
			}
			if err := c.do(e, c.who, id); notices.Code(err) != notices.EForbidden {
				t.Fatalf("err = %v, want forbidden", err)
			}
		})
	}
	// Retract is open to principals and admins too.
	for _, who := range []*staff.Member{principal, admin} {
		e := newEnv(t)
		n := e.inState(t, notices.StatePublished)
		if got, err := e.svc.Retract(ctx, who, n.ID, "误发"); err != nil || got.State != notices.StateRetracted || got.RetractReason != "误发" {
			t.Fatalf("retract by %s: %+v, %v", who.Name, got, err)
		}
	}
}

func TestRejectNeedsAReasonAndKeepsIt(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	n := e.inState(t, notices.StateSubmitted)
	if _, err := e.svc.Reject(ctx, reviewer, n.ID, "  "); notices.Code(err) != notices.EInvalid {
		t.Fatalf("reject without reason: %v", err)
	}
	n = try(e.svc.Reject(ctx, reviewer, n.ID, "价格数据需财务科核实")).get(t)
	if n.State != notices.StateDraft || n.RejectReason != "价格数据需财务科核实" {
		t.Fatalf("after reject: %+v", n)
	}
	last := n.History[len(n.History)-1]
	if last.Action != "reject" || last.Reason != "价格数据需财务科核实" || last.ActorID != reviewer.ID {
		t.Fatalf("history = %+v", last)
	}
	// The author fixes it and submits again; the reason is cleared.
	try(e.svc.Update(ctx, author, n.ID, notices.Input{Summary: ptr("已核实")})).get(t)
	n = try(e.svc.Submit(ctx, author, n.ID)).get(t)
	if n.State != notices.StateSubmitted || n.RejectReason != "" {
		t.Fatalf("resubmitted: %+v", n)
	}
}

func TestScheduledPublication(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	n := e.inState(t, notices.StateApproved)
	if n.PublishedAt != nil {
		t.Fatal("published before its time")
	}
	if c := try(e.svc.PublishDue(ctx)).get(t); c != 0 {
		t.Fatalf("published %d before the time", c)
	}
	if latest := try(e.svc.Latest(ctx, 5)).get(t); len(latest) != 0 {
		t.Fatalf("chat shows an unpublished notice: %+v", latest)
	}
	e.clk.Advance(24*time.Hour + time.Second)
	if c := try(e.svc.PublishDue(ctx)).get(t); c != 1 {
		t.Fatalf("PublishDue published %d, want 1", c)
	}
	if c := try(e.svc.PublishDue(ctx)).get(t); c != 0 {
		t.Fatalf("published twice: %d", c)
	}
	n = try(e.svc.Get(ctx, n.ID)).get(t)
	if n.State != notices.StatePublished {
		t.Fatalf("state %s", n.State)
	}
	if _, err := e.svc.Job(ctx, n.ID); err != nil {
		t.Fatalf("publication created no push job: %v", err)
	}
	// A withdrawn scheduled notice is never published.
	m := e.inState(t, notices.StateApproved)
	try(e.svc.Withdraw(ctx, reviewer, m.ID)).get(t)
	e.clk.Advance(48 * time.Hour)
	if c := try(e.svc.PublishDue(ctx)).get(t); c != 0 {
		t.Fatalf("withdrawn notice published")
	}
}

func TestConcurrentApprovalsPublishOnce(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	n := e.inState(t, notices.StateSubmitted)
	reviewers := []*staff.Member{reviewer, reviewer2, editorReviewer, reviewerPrincipal}
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok, conflicts := 0, 0
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func(who *staff.Member) {
			defer wg.Done()
			_, err := e.svc.Approve(ctx, who, n.ID)
			mu.Lock()
			defer mu.Unlock()
			switch notices.Code(err) {
			case "":
				if err == nil {
					ok++
				}
			case notices.EConflict:
				conflicts++
			}
		}(reviewers[i%len(reviewers)])
	}
	wg.Wait()
	if ok != 1 || conflicts != 19 {
		t.Fatalf("approvals: %d succeeded, %d conflicts; want 1 and 19", ok, conflicts)
	}
	latest := try(e.svc.Latest(ctx, 10)).get(t)
	if len(latest) != 1 {
		t.Fatalf("published %d times", len(latest))
	}
}

func TestListFiltersByState(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := e.inState(t, notices.StateDraft)
	b := e.inState(t, notices.StateSubmitted)
	c := e.inState(t, notices.StateDraft)
	all := try(e.svc.List(ctx, "")).get(t)
	if len(all) != 3 || all[0].ID != c.ID || all[2].ID != a.ID {
		t.Fatalf("List all: %d, order %v", len(all), []string{all[0].ID, all[1].ID, all[2].ID})
	}
	drafts := try(e.svc.List(ctx, notices.StateDraft)).get(t)
	if len(drafts) != 2 {
		t.Fatalf("drafts: %d", len(drafts))
	}
	sub := try(e.svc.List(ctx, notices.StateSubmitted)).get(t)
	if len(sub) != 1 || sub[0].ID != b.ID {
		t.Fatalf("submitted: %+v", sub)
	}
	if _, err := e.svc.List(ctx, "nonsense"); notices.Code(err) != notices.EInvalid {
		t.Fatalf("bad state: %v", err)
	}
}

func TestSchedulerPublishesDueNoticesAndAuditsIt(t *testing.T) {
	e := newEnv(t)
	log := audit.New(e.st, e.clk)
	e.svc.SetAudit(log)
	n := e.inState(t, notices.StateApproved)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- notices.NewScheduler(e.svc, 2*time.Millisecond, nil).Run(ctx) }()
	e.clk.Advance(25 * time.Hour)
	waitFor(t, "the scheduled publication", func() bool {
		got, err := e.svc.Get(context.Background(), n.ID)
		return err == nil && got.State == notices.StatePublished
	})
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	entries := try(log.List(context.Background(), 10, 0)).get(t)
	if len(entries) == 0 || entries[0].Action != "notice.publish" || entries[0].Actor != "system" || entries[0].Target != "notice:"+n.ID {
		t.Fatalf("audit = %+v", entries)
	}
}
