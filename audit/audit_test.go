package audit_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/hospital/wxbot/audit"
	"github.com/hospital/wxbot/clock"
	"github.com/hospital/wxbot/staff"
	"github.com/hospital/wxbot/store/memstore"
)

func TestRecordAndListNewestFirst(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	defer st.Close()
	clk := clock.NewFake(time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC))
	l := audit.New(st, clk)
	for i, action := range []string{"a", "b", "c", "d", "e"} {
		clk.Advance(time.Minute)
		if err := l.Record(ctx, audit.Entry{Actor: "1", Action: action, Target: "notice:1", RemoteAddr: "10.0.0.1"}); err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
	}
	got, err := l.List(ctx, 2, 0)
	if err != nil || len(got) != 2 || got[0].Action != "e" || got[1].Action != "d" {
		t.Fatalf("List(2,0) = %+v, %v", got, err)
	}
	if !got[0].At.Equal(time.Date(2025, 3, 1, 9, 5, 0, 0, time.UTC)) || got[0].RemoteAddr != "10.0.0.1" {
		t.Fatalf("entry = %+v", got[0])
	}
	got, _ = l.List(ctx, 2, 4)
	if len(got) != 1 || got[0].Action != "a" {
		t.Fatalf("List(2,4) = %+v", got)
	}
	got, _ = l.List(ctx, 10, 5)
	if len(got) != 0 {
		t.Fatalf("past the end: %+v", got)
	}
	got, _ = l.List(ctx, 10, 0)
	if len(got) != 5 {
		t.Fatalf("all: %d entries", len(got))
	}
}

func TestHandlerIsForAdminsAndPages(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	defer st.Close()
	l := audit.New(st, clock.System{})
	for _, a := range []string{"x", "y", "z"} {
		_ = l.Record(ctx, audit.Entry{Actor: "1", Action: a})
	}
	h := audit.Handler(l)
	do := func(m *staff.Member, q string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", "/api/v1/audit"+q, nil)
		if m != nil {
			req = req.WithContext(staff.NewContext(req.Context(), m))
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	if rec := do(nil, ""); rec.Code != 401 {
		t.Fatalf("anonymous: %d", rec.Code)
	}
	if rec := do(&staff.Member{ID: "2", Roles: []staff.Role{staff.RoleEditor}}, ""); rec.Code != 403 {
		t.Fatalf("editor: %d", rec.Code)
	}
	admin := &staff.Member{ID: "3", Roles: []staff.Role{staff.RoleAdmin}}
	rec := do(admin, "?limit=2&offset=1")
	if rec.Code != 200 {
		t.Fatalf("admin: %d %s", rec.Code, rec.Body)
	}
	var body struct {
		Entries []audit.Entry
		Total   int
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatal(err)
	}
	if body.Total != 3 || len(body.Entries) != 2 || body.Entries[0].Action != "y" || body.Entries[1].Action != "x" {
		t.Fatalf("body = %+v", body)
	}
	if rec := do(admin, "?limit=abc"); rec.Code != http.StatusBadRequest {
		t.Fatalf("bad limit: %d", rec.Code)
	}
}

func TestFromRequestTakesMemberAndAddress(t *testing.T) {
	req := httptest.NewRequest("POST", "/api/v1/notices/1/approve", nil)
	req.RemoteAddr = "192.0.2.7:5123"
	req = req.WithContext(staff.NewContext(req.Context(), &staff.Member{ID: "9", Name: "赵"}))
	e := audit.FromRequest(req, "notice.approve", "notice:1", "")
	if e.Actor != "9" || e.ActorName != "赵" || e.RemoteAddr != "192.0.2.7" || e.Target != "notice:1" {
		t.Fatalf("entry = %+v", e)
	}
}
