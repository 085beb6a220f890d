package noticeapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hospital/wxbot/audit"
	"github.com/hospital/wxbot/clock"
	"github.com/hospital/wxbot/notices"
	"github.com/hospital/wxbot/notices/noticeapi"
	"github.com/hospital/wxbot/staff"
	"github.com/hospital/wxbot/store/memstore"
)

type fixture struct {
	t      *testing.T
	h      http.Handler
	svc    *notices.Service
	log    *audit.Log
	clk    *clock.Fake
	tokens map[string]string // name -> token
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	st := memstore.New()
	t.Cleanup(func() { st.Close() })
	clk := clock.NewFake(time.Date(2025, 3, 3, 2, 0, 0, 0, time.UTC))
	members := staff.NewService(st, clk)
	f := &fixture{t: t, clk: clk, tokens: map[string]string{}}
	for name, roles := range map[string][]staff.Role{
		"editor":    {staff.RoleEditor},
		"editor2":   {staff.RoleEditor},
		"reviewer":  {staff.RoleReviewer},
		"reviewer2": {staff.RoleReviewer},
		"principal": {staff.RolePrincipal},
		"admin":     {staff.RoleAdmin},
		"complaint": {staff.RoleComplaints},
	} {
		_, tok, err := members.Add(context.Background(), name, roles)
		if err != nil {
			t.Fatal(err)
		}
		f.tokens[name] = tok
	}
	f.svc = notices.NewService(st, clk, notices.Config{}, nil)
	f.log = audit.New(st, clk)
	f.h = noticeapi.New(noticeapi.Deps{Notices: f.svc, Audit: f.log, Staff: members})
	return f
}

type response struct {
	Code int
	Body map[string]any
	Raw  string
}

func (r response) errCode() string {
	e, _ := r.Body["error"].(map[string]any)
	s, _ := e["code"].(string)
	return s
}

func (r response) errMessage() string {
	e, _ := r.Body["error"].(map[string]any)
	s, _ := e["message"].(string)
	return s
}

func (f *fixture) do(who, method, path string, body any) response {
	f.t.Helper()
	var rd *bytes.Reader
	switch b := body.(type) {
	case nil:
		rd = bytes.NewReader(nil)
	case string:
		rd = bytes.NewReader([]byte(b))
	default:
		raw, _ := json.Marshal(b)
		rd = bytes.NewReader(raw)
	}
	req := httptest.NewRequest(method, path, rd)
	req.RemoteAddr = "198.51.100.23:40000"
	if who != "" {
		req.Header.Set("Authorization", "Bearer "+f.tokens[who])
	}
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	out := response{Code: rec.Code, Raw: rec.Body.String()}
	_ = json.Unmarshal(rec.Body.Bytes(), &out.Body)
	return out
}

func (f *fixture) expect(r response, status int) response {
	f.t.Helper()
	if r.Code != status {
		f.t.Fatalf("status %d, want %d: %s", r.Code, status, r.Raw)
	}
	return r
}

var draftBody = map[string]any{
	"title":    "关于调整部分医疗服务价格的公示",
	"category": "价格调整",
	"summary":  "自4月1日起调整部分项目价格",
	"body":     "# 价格调整\n\n详见附件。",
	"link":     "https://www.example-hospital.cn/notice/8",
	"major":    false,
}

func (f *fixture) create(major bool) string {
	f.t.Helper()
	b := map[string]any{}
	for k, v := range draftBody {
		b[k] = v
	}
	b["major"] = major
	r := f.expect(f.do("editor", "POST", "/api/v1/notices", b), http.StatusCreated)
	return r.Body["id"].(string)
}

func TestWorkflowOverHTTP(t *testing.T) {
	f := newFixture(t)
	id := f.create(true)
	base := "/api/v1/notices/" + id

	f.expect(f.do("editor", "PATCH", base, map[string]any{"summary": "新摘要"}), 200)
	r := f.expect(f.do("reviewer", "GET", base, nil), 200)
	if r.Body["summary"] != "新摘要" || r.Body["state"] != "draft" {
		t.Fatalf("after edit: %v", r.Body)
	}
	f.expect(f.do("editor", "POST", base+"/submit", nil), 200)
	// The first approval of a major notice needs a reviewer; the principal comes second.
	r = f.expect(f.do("principal", "POST", base+"/approve", nil), http.StatusForbidden)
	if !strings.Contains(r.errMessage(), "reviewer") {
		t.Fatalf("message %q does not name the role", r.errMessage())
	}
	r = f.expect(f.do("reviewer", "POST", base+"/approve", nil), 200)
	if r.Body["state"] != "reviewed" {
		t.Fatalf("after the reviewer: %v", r.Body["state"])
	}
	f.expect(f.do("reviewer2", "POST", base+"/approve", nil), http.StatusForbidden)
	r = f.expect(f.do("principal", "POST", base+"/approve", nil), 200)
	if r.Body["state"] != "published" {
		t.Fatalf("after the principal: %v", r.Body["state"])
	}
	// Approving again is a conflict that says why.
	r = f.expect(f.do("reviewer", "POST", base+"/approve", nil), http.StatusConflict)
	if r.errCode() != "conflict" || !strings.Contains(r.errMessage(), "published") {
		t.Fatalf("conflict body: %s", r.Raw)
	}
	// Withdraw after publication is refused; retract works.
	f.expect(f.do("editor", "POST", base+"/withdraw", nil), http.StatusConflict)
	f.expect(f.do("editor", "POST", base+"/retract", map[string]any{"reason": "x"}), http.StatusForbidden)
	r = f.expect(f.do("admin", "POST", base+"/retract", map[string]any{"reason": "数据有误"}), 200)
	if r.Body["state"] != "retracted" || r.Body["retract_reason"] != "数据有误" {
		t.Fatalf("after retract: %v", r.Body)
	}

	// List with a filter.
	other := f.create(false)
	r = f.expect(f.do("complaint", "GET", "/api/v1/notices?state=draft", nil), 200)
	list := r.Body["notices"].([]any)
	if len(list) != 1 || list[0].(map[string]any)["id"] != other {
		t.Fatalf("drafts: %v", r.Body)
	}
	f.expect(f.do("editor", "GET", "/api/v1/notices?state=bogus", nil), http.StatusBadRequest)
}

func TestRejectAndWithdrawOverHTTP(t *testing.T) {
	f := newFixture(t)
	id := f.create(false)
	base := "/api/v1/notices/" + id
	f.expect(f.do("editor", "POST", base+"/submit", nil), 200)
	r := f.expect(f.do("reviewer", "POST", base+"/reject", nil), http.StatusBadRequest)
	if !strings.Contains(r.errMessage(), "reason") {
		t.Fatalf("reject without reason: %s", r.Raw)
	}
	f.expect(f.do("editor", "POST", base+"/reject", map[string]any{"reason": "x"}), http.StatusForbidden)
	r = f.expect(f.do("reviewer", "POST", base+"/reject", map[string]any{"reason": "请补充依据"}), 200)
	if r.Body["state"] != "draft" || r.Body["reject_reason"] != "请补充依据" {
		t.Fatalf("after reject: %v", r.Body)
	}
	f.expect(f.do("editor2", "POST", base+"/withdraw", nil), http.StatusForbidden)
	f.expect(f.do("admin", "POST", base+"/withdraw", nil), http.StatusForbidden)
	r = f.expect(f.do("editor", "POST", base+"/withdraw", nil), 200)
	if r.Body["state"] != "withdrawn" {
		t.Fatalf("after withdraw: %v", r.Body["state"])
	}
	f.expect(f.do("reviewer", "POST", base+"/withdraw", nil), http.StatusConflict)
}

func TestAuthenticationAndRoles(t *testing.T) {
	f := newFixture(t)
	id := f.create(false)
	base := "/api/v1/notices/" + id
	cases := []struct {
		who, method, path string
		body              any
		status            int
	}{
		{"", "GET", "/api/v1/notices", nil, 401},
		{"", "POST", "/api/v1/notices", draftBody, 401},
		{"reviewer", "POST", "/api/v1/notices", draftBody, 403},
		{"admin", "PATCH", base, map[string]any{"title": "x"}, 403},
		{"editor2", "PATCH", base, map[string]any{"title": "x"}, 403}, // not the author
		{"reviewer", "POST", base + "/submit", nil, 403},
		{"editor", "POST", base + "/approve", nil, 403},
		{"admin", "POST", base + "/reject", map[string]any{"reason": "x"}, 403},
		{"complaint", "POST", base + "/withdraw", nil, 403},
		{"editor", "POST", base + "/retract", nil, 403},
		{"reviewer", "POST", base + "/resume", nil, 403},
		{"editor", "GET", "/api/v1/audit", nil, 403},
		{"", "GET", "/api/v1/subscriptions", nil, 401},
		{"complaint", "GET", "/api/v1/subscriptions", nil, 200},
		{"admin", "GET", "/api/v1/audit", nil, 200},
	}
	for _, c := range cases {
		r := f.do(c.who, c.method, c.path, c.body)
		if r.Code != c.status {
			t.Errorf("%s %s %s: %d, want %d (%s)", c.who, c.method, c.path, r.Code, c.status, r.Raw)
			continue
		}
		if c.status == 403 && (r.errCode() != "forbidden" || r.errMessage() == "") {
			t.Errorf("%s %s %s: 403 body %s", c.who, c.method, c.path, r.Raw)
		}
	}
	// A wrong token is 401 too.
	req := httptest.NewRequest("GET", "/api/v1/notices", nil)
	req.Header.Set("Authorization", "Bearer not-a-token")
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	if rec.Code != 401 {
		t.Fatalf("wrong token: %d", rec.Code)
	}
}

func TestBadInput(t *testing.T) {
	f := newFixture(t)
	f.expect(f.do("editor", "POST", "/api/v1/notices", `{"title": "x", "category": "不存在"}`), 400)
	f.expect(f.do("editor", "POST", "/api/v1/notices", `{"title": `), 400)
	f.expect(f.do("editor", "POST", "/api/v1/notices", `{"title": "x", "category": "价格调整", "colour": "red"}`), 400)
	f.expect(f.do("editor", "POST", "/api/v1/notices", `{"title": "x", "category": "价格调整", "publish_at": "tomorrow"}`), 400)
	f.expect(f.do("editor", "POST", "/api/v1/notices", strings.Repeat(" ", noticeapi.MaxBody+10)), http.StatusRequestEntityTooLarge)
	f.expect(f.do("editor", "GET", "/api/v1/notices/12345", nil), 404)
	f.expect(f.do("editor", "POST", "/api/v1/notices/12345/submit", nil), 404)
	f.expect(f.do("admin", "POST", "/api/v1/notices/12345/resume", nil), 404)
	f.expect(f.do("editor", "GET", "/api/v1/notices/12345/deliveries", nil), 404)
	r := f.expect(f.do("editor", "GET", "/api/v1/notices/1/nonsense", nil), 404)
	if r.errCode() != "not_found" {
		t.Fatalf("unknown route body: %s", r.Raw)
	}
	r = f.expect(f.do("editor", "DELETE", "/api/v1/notices/1", nil), 405)
	if r.errCode() != "invalid" {
		t.Fatalf("wrong method body: %s", r.Raw)
	}
}

func TestScheduledPublishAtAndDeliveriesBeforePublication(t *testing.T) {
	f := newFixture(t)
	r := f.expect(f.do("editor", "POST", "/api/v1/notices", map[string]any{
		"title": "院务公开报告", "category": "院务公开报告", "publish_at": "2025-03-10 09:00",
	}), 201)
	id := r.Body["id"].(string)
	if r.Body["publish_at"] != "2025-03-10T01:00:00Z" {
		t.Fatalf("publish_at (Beijing time) stored as %v", r.Body["publish_at"])
	}
	f.expect(f.do("editor", "POST", "/api/v1/notices/"+id+"/submit", nil), 200)
	r = f.expect(f.do("reviewer", "POST", "/api/v1/notices/"+id+"/approve", nil), 200)
	if r.Body["state"] != "approved" {
		t.Fatalf("state %v, want approved (waiting for publish_at)", r.Body["state"])
	}
	f.expect(f.do("editor", "GET", "/api/v1/notices/"+id+"/deliveries", nil), 404)
	f.clk.Set(time.Date(2025, 3, 10, 1, 0, 1, 0, time.UTC))
	if n, err := f.svc.PublishDue(context.Background()); err != nil || n != 1 {
		t.Fatalf("PublishDue = %d, %v", n, err)
	}
	r = f.expect(f.do("editor", "GET", "/api/v1/notices/"+id+"/deliveries", nil), 200)
	for _, k := range []string{"sent", "failed", "skipped", "pending", "failures_by_code"} {
		if _, ok := r.Body[k]; !ok {
			t.Errorf("deliveries lacks %q: %s", k, r.Raw)
		}
	}
	r = f.expect(f.do("admin", "POST", "/api/v1/notices/"+id+"/resume", nil), 409)
	if !strings.Contains(r.errMessage(), "not paused") {
		t.Fatalf("resume message: %s", r.Raw)
	}
}

func TestEveryChangeIsAudited(t *testing.T) {
	f := newFixture(t)
	id := f.create(false)
	base := "/api/v1/notices/" + id
	f.expect(f.do("editor", "PATCH", base, map[string]any{"title": "新标题"}), 200)
	f.expect(f.do("editor", "POST", base+"/submit", nil), 200)
	f.expect(f.do("reviewer", "POST", base+"/reject", map[string]any{"reason": "请补充"}), 200)
	f.expect(f.do("editor", "POST", base+"/submit", nil), 200)
	f.expect(f.do("reviewer", "POST", base+"/approve", nil), 200)
	f.expect(f.do("principal", "POST", base+"/retract", map[string]any{"reason": "撤回"}), 200)
	// Refused and read-only requests are not changes.
	f.expect(f.do("editor", "POST", base+"/approve", nil), 403)
	f.expect(f.do("editor", "GET", base, nil), 200)

	r := f.expect(f.do("admin", "GET", "/api/v1/audit?limit=100", nil), 200)
	entries := r.Body["entries"].([]any)
	var actions []string
	for i := len(entries) - 1; i >= 0; i-- {
		e := entries[i].(map[string]any)
		actions = append(actions, e["action"].(string))
		if e["remote_addr"] != "198.51.100.23" || e["target"] != "notice:"+id || e["actor"] == "" || e["at"] == "" {
			t.Errorf("entry %v", e)
		}
	}
	want := "notice.create notice.edit notice.submit notice.reject notice.submit notice.approve notice.retract"
	if strings.Join(actions, " ") != want {
		t.Fatalf("audited %q, want %q", strings.Join(actions, " "), want)
	}
	rej := entries[3].(map[string]any)
	if !strings.Contains(rej["detail"].(string), "请补充") || rej["actor_name"] != "reviewer" {
		t.Fatalf("reject entry %v", rej)
	}
}

func TestSubscriptionCounts(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	subs := f.svc.Subscriptions()
	for _, u := range []string{"a", "b", "c"} {
		_, _ = subs.Subscribe(ctx, u, "价格调整")
	}
	_, _ = subs.Subscribe(ctx, "a", "招标采购")
	r := f.expect(f.do("editor", "GET", "/api/v1/subscriptions", nil), 200)
	by := r.Body["by_category"].(map[string]any)
	if by["价格调整"] != 3.0 || by["招标采购"] != 1.0 || by["人事任免"] != 0.0 {
		t.Fatalf("counts %v", by)
	}
	cats := r.Body["categories"].([]any)
	if len(cats) != 7 || cats[0].(map[string]any)["category"] != "招标采购" {
		t.Fatalf("categories %v", cats)
	}
}
