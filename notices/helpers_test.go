package notices_test

import (
	"context"
	"testing"
	"time"

	"github.com/hospital/wxbot/clock"
	"github.com/hospital/wxbot/notices"
	"github.com/hospital/wxbot/staff"
	"github.com/hospital/wxbot/store"
	"github.com/hospital/wxbot/store/memstore"
)

// The cast of every workflow test.
var (
	author    = &staff.Member{ID: "1", Name: "编辑甲", Roles: []staff.Role{staff.RoleEditor}}
	editor2   = &staff.Member{ID: "2", Name: "编辑乙", Roles: []staff.Role{staff.RoleEditor}}
	reviewer  = &staff.Member{ID: "3", Name: "分管领导", Roles: []staff.Role{staff.RoleReviewer}}
	reviewer2 = &staff.Member{ID: "4", Name: "分管领导二", Roles: []staff.Role{staff.RoleReviewer}}
	principal = &staff.Member{ID: "5", Name: "院长", Roles: []staff.Role{staff.RolePrincipal}}
	admin     = &staff.Member{ID: "6", Name: "管理员", Roles: []staff.Role{staff.RoleAdmin}}
	// editorReviewer writes and reviews: may review others' notices, never their own.
	editorReviewer = &staff.Member{ID: "7", Name: "兼任编辑", Roles: []staff.Role{staff.RoleEditor, staff.RoleReviewer}}
	// reviewerPrincipal holds both approval roles: still only one of the two approvals.
	reviewerPrincipal = &staff.Member{ID: "8", Name: "兼任院领导", Roles: []staff.Role{staff.RoleReviewer, staff.RolePrincipal}}
	// authorPrincipal wrote the notice and is a principal.
	authorPrincipal = &staff.Member{ID: "9", Name: "院长兼编辑", Roles: []staff.Role{staff.RoleEditor, staff.RolePrincipal}}
	complaintsOnly  = &staff.Member{ID: "10", Name: "投诉专员", Roles: []staff.Role{staff.RoleComplaints}}
)

var t0 = time.Date(2025, 3, 3, 2, 0, 0, 0, time.UTC) // 10:00 in Shanghai

type env struct {
	st  store.Store
	clk *clock.Fake
	svc *notices.Service
}

func newEnv(t testing.TB) *env {
	t.Helper()
	st := memstore.New()
	t.Cleanup(func() { st.Close() })
	clk := clock.NewFake(t0)
	return &env{st: st, clk: clk, svc: notices.NewService(st, clk, notices.Config{}, nil)}
}

func ptr[T any](v T) *T { return &v }

func input(title, category string, major bool) notices.Input {
	return notices.Input{
		Title:    ptr(title),
		Category: ptr(category),
		Summary:  ptr("摘要：" + title),
		Body:     ptr("# " + title + "\n\n正文。"),
		Link:     ptr("https://www.example-hospital.cn/notice/1"),
		Major:    ptr(major),
	}
}

// result carries a call's value and error to get, which fails the test on error:
// try(f()).get(t).
type result[T any] struct {
	v   T
	err error
}

func try[T any](v T, err error) result[T] { return result[T]{v, err} }

func (r result[T]) get(t testing.TB) T {
	t.Helper()
	if r.err != nil {
		t.Fatal(r.err)
	}
	return r.v
}

// draft creates a draft by author.
func (e *env) draft(t testing.TB, major bool) *notices.Notice {
	t.Helper()
	return try(e.svc.Create(context.Background(), author, input("关于调整部分医疗服务价格的公示", "价格调整", major))).get(t)
}

// inState returns a notice brought to state by the regular cast.
func (e *env) inState(t testing.TB, state notices.State) *notices.Notice {
	t.Helper()
	ctx := context.Background()
	major := state == notices.StateReviewed
	n := e.draft(t, major)
	if state == notices.StateApproved {
		in := notices.Input{PublishAt: ptr(e.clk.Now().Add(24 * time.Hour))}
		n = try(e.svc.Update(ctx, author, n.ID, in)).get(t)
	}
	step := func(f func() (*notices.Notice, error)) {
		t.Helper()
		n = try(f()).get(t)
	}
	switch state {
	case notices.StateDraft:
		return n
	case notices.StateWithdrawn:
		step(func() (*notices.Notice, error) { return e.svc.Withdraw(ctx, author, n.ID) })
		return n
	}
	step(func() (*notices.Notice, error) { return e.svc.Submit(ctx, author, n.ID) })
	if state == notices.StateSubmitted {
		return n
	}
	step(func() (*notices.Notice, error) { return e.svc.Approve(ctx, reviewer, n.ID) })
	switch state {
	case notices.StateReviewed, notices.StateApproved, notices.StatePublished:
	case notices.StatePushed:
		e.finishPush(t, n.ID)
		n = try(e.svc.Get(ctx, n.ID)).get(t)
	case notices.StateRetracted:
		step(func() (*notices.Notice, error) { return e.svc.Retract(ctx, reviewer, n.ID, "内容有误") })
	}
	if n.State != state {
		t.Fatalf("brought notice to %s, want %s", n.State, state)
	}
	return n
}

// finishPush runs a pool with an always-successful sender until notice id's job is done.
func (e *env) finishPush(t testing.TB, id string) {
	t.Helper()
	sender := notices.SenderFunc(func(context.Context, *notices.Notice, string) error { return nil })
	runUntilDone(t, e.svc, id, notices.NewPool(e.svc, sender, fastOptions(), nil, nil))
}

func fastOptions() notices.PoolOptions {
	return notices.PoolOptions{
		Workers:      16,
		Batch:        10,
		PollInterval: 5 * time.Millisecond,
		RetryBase:    time.Millisecond,
		RetryMax:     20 * time.Millisecond,
		MaxAttempts:  8,
	}
}

// waitFor polls cond until it holds; it fails the test after a generous
// safety limit (this is not a timing assertion).
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(120 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// waitForJob waits until notice id's push job is in state.
func waitForJob(t testing.TB, svc *notices.Service, id string, state notices.JobState) {
	t.Helper()
	waitFor(t, "push job "+id+" to be "+string(state), func() bool {
		j, err := svc.Job(context.Background(), id)
		return err == nil && j.State == state
	})
}

// runUntilDone runs pool until notice id's job is done, then stops it.
func runUntilDone(t testing.TB, svc *notices.Service, id string, pool *notices.Pool) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = pool.Run(ctx); close(done) }()
	waitForJob(t, svc, id, notices.JobDone)
	cancel()
	<-done
}
