package complaintapi_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hospital/wxbot/audit"
	"github.com/hospital/wxbot/clock"
	"github.com/hospital/wxbot/complaints"
	"github.com/hospital/wxbot/complaints/complaintapi"
	"github.com/hospital/wxbot/staff"
	"github.com/hospital/wxbot/store/memstore"
	"github.com/hospital/wxbot/workdays"
	"github.com/hospital/wxbot/wxapi"
)

// fakeWX records customer-service texts and downloads nothing.
type fakeWX struct {
	mu    sync.Mutex
	texts []string
}

func (f *fakeWX) SendText(_ context.Context, openID, text string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.texts = append(f.texts, text)
	return nil
}
func (f *fakeWX) SendTemplate(context.Context, wxapi.TemplateMessage) (int64, error) { return 1, nil }
func (f *fakeWX) SendSubscribe(context.Context, wxapi.SubscribeMessage) error        { return nil }
func (f *fakeWX) UserInfo(context.Context, string) (wxapi.UserInfo, error) {
	return wxapi.UserInfo{}, nil
}
func (f *fakeWX) CreateMenu(context.Context, []byte) error { return nil }
func (f *fakeWX) GetMedia(_ context.Context, id string) (wxapi.Media, error) {
	return wxapi.Media{ContentType: "image/jpeg", Data: []byte("img:" + id)}, nil
}

type env struct {
	t   *testing.T
	clk *clock.Fake
	svc *complaints.Service
	aud *audit.Log
	h   http.Handler
	wx  *fakeWX
}

var handler = &staff.Member{ID: "m1", Name: "投诉专员", Roles: []staff.Role{staff.RoleComplaints}}

func newEnv(t *testing.T) *env {
	clk := clock.NewFake(time.Date(2026, 11, 27, 10, 0, 0, 0, workdays.China))
	st := memstore.NewWithClock(clk)
	wx := &fakeWX{}
	svc := complaints.New(st, complaints.Options{Clock: clk, WeChat: wx, TemplateID: "tpl"})
	aud := audit.New(st, clk)
	return &env{t: t, clk: clk, svc: svc, aud: aud, h: complaintapi.New(svc, aud, nil), wx: wx}
}

func (e *env) file(openID, desc, phone string, anonymous bool, depts ...string) string {
	e.t.Helper()
	d := &complaints.Draft{OpenID: openID, Description: desc, Phone: phone, Anonymous: anonymous, Departments: depts,
		Attachments: []complaints.Attachment{{Kind: "image", MediaID: "m_1", ReceivedAt: e.clk.Now()}}}
	n, err := e.svc.Submit(context.Background(), d)
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

// do sends a request as member m (nil: nobody signed in) and decodes the JSON answer.
func (e *env) do(m *staff.Member, method, path, body string) (int, map[string]any, string) {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, rd)
	req.RemoteAddr = "10.0.0.7:5555"
	if m != nil {
		req = req.WithContext(staff.NewContext(req.Context(), m))
	}
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	raw := rec.Body.String()
	var out map[string]any
	if strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
		if err := json.Unmarshal([]byte(raw), &out); err != nil {
			e.t.Fatalf("%s %s: bad JSON %q", method, path, raw)
		}
	}
	return rec.Code, out, raw
}

func errCode(m map[string]any) string {
	e, _ := m["error"].(map[string]any)
	s, _ := e["code"].(string)
	return s
}

func TestRoleRequired(t *testing.T) {
	e := newEnv(t)
	n := e.file("p1", "医生态度很差，问了两句就不耐烦了", "13812341234", false)
	if code, body, _ := e.do(nil, "GET", "/api/v1/complaints", ""); code != 401 || errCode(body) != "unauthorized" {
		t.Errorf("no member: %d %v", code, body)
	}
	editor := &staff.Member{ID: "m2", Name: "编辑", Roles: []staff.Role{staff.RoleEditor, staff.RoleAdmin}}
	for _, p := range []string{"GET /api/v1/complaints", "GET /api/v1/complaints/" + n, "POST /api/v1/complaints/" + n + "/close"} {
		method, path, _ := strings.Cut(p, " ")
		if code, body, _ := e.do(editor, method, path, `{"resolution":"x"}`); code != 403 || errCode(body) != "forbidden" {
			t.Errorf("%s without the complaints role: %d %v", p, code, body)
		}
	}
}

func TestListMasksPhonesAndFilters(t *testing.T) {
	e := newEnv(t)
	a := e.file("p1", "医生态度很差，问了两句就不耐烦了", "13812341234", false, "儿科")
	b := e.file("p2", "检验科抽血排队两个小时，窗口只开一个", "0736-88661315", false, "检验科")
	e.file("p3", "匿名反映：病房晚上太吵了，没法休息", "", true)

	code, body, raw := e.do(handler, "GET", "/api/v1/complaints", "")
	if code != 200 || body["count"].(float64) != 3 {
		t.Fatalf("list: %d %s", code, raw)
	}
	if strings.Contains(raw, "13812341234") || strings.Contains(raw, "88661315") || !strings.Contains(raw, "138****1234") || !strings.Contains(raw, "0736-****1315") {
		t.Errorf("list does not mask phones: %s", raw)
	}
	if strings.Contains(raw, "p1") || strings.Contains(raw, "open_id") {
		t.Errorf("list shows the patient's OpenID: %s", raw)
	}
	_, body, _ = e.do(handler, "GET", "/api/v1/complaints?department=检验科", "")
	if list := body["complaints"].([]any); len(list) != 1 || list[0].(map[string]any)["number"] != b {
		t.Errorf("department filter: %v", body)
	}
	e.do(handler, "POST", "/api/v1/complaints/"+a+"/assign", `{"assignee":"王五"}`)
	_, body, _ = e.do(handler, "GET", "/api/v1/complaints?status=assigned", "")
	if list := body["complaints"].([]any); len(list) != 1 || list[0].(map[string]any)["number"] != a {
		t.Errorf("status filter: %v", body)
	}
	_, body, _ = e.do(handler, "GET", "/api/v1/complaints?overdue=true", "")
	if body["count"].(float64) != 0 {
		t.Errorf("overdue before the deadline: %v", body)
	}
	e.clk.Advance(10 * 24 * time.Hour)
	_, body, _ = e.do(handler, "GET", "/api/v1/complaints?overdue=true", "")
	if body["count"].(float64) != 3 {
		t.Errorf("overdue after 10 days: %v", body)
	}
	for _, q := range []string{"status=bogus", "overdue=maybe"} {
		if code, body, _ := e.do(handler, "GET", "/api/v1/complaints?"+q, ""); code != 400 || errCode(body) != "invalid" {
			t.Errorf("?%s: %d %v", q, code, body)
		}
	}
}

func TestOneTicketInFullAndAudited(t *testing.T) {
	e := newEnv(t)
	n := e.file("p1", "医生态度很差，问了两句就不耐烦了", "13812341234", false, "儿科")
	code, body, raw := e.do(handler, "GET", "/api/v1/complaints/"+n, "")
	if code != 200 || body["phone"] != "13812341234" || body["description"] != "医生态度很差，问了两句就不耐烦了" {
		t.Fatalf("get: %d %s", code, raw)
	}
	if strings.Contains(raw, "p1") {
		t.Errorf("full ticket shows the OpenID: %s", raw)
	}
	atts := body["attachment_list"].([]any)
	url, _ := atts[0].(map[string]any)["url"].(string)
	if url == "" {
		t.Fatalf("no attachment URL: %s", raw)
	}
	code, _, data := e.do(handler, "GET", url, "")
	if code != 200 || data != "img:m_1" {
		t.Errorf("attachment: %d %q", code, data)
	}
	if code, body, _ := e.do(handler, "GET", "/api/v1/complaints/TS20990101-0001", ""); code != 404 || errCode(body) != "not_found" {
		t.Errorf("missing: %d %v", code, body)
	}
	entries, _ := e.aud.List(context.Background(), 10, 0)
	if len(entries) != 2 || entries[1].Action != "complaint.view" || entries[1].Actor != "m1" || entries[1].Target != "complaint:"+n || entries[1].RemoteAddr != "10.0.0.7:5555" {
		t.Errorf("audit %+v", entries)
	}
}

func TestActionsWorkflowAudited(t *testing.T) {
	e := newEnv(t)
	n := e.file("p1", "医生态度很差，问了两句就不耐烦了", "13812341234", false)
	// The patient wrote just now: the answer goes as a customer-service message.
	if err := e.svc.TouchUser(context.Background(), "p1"); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		action, body string
		status       int
		check        func(map[string]any) bool
	}{
		{"assign", `{"assignee":"王五","departments":["儿科","检验科"],"category":"服务态度"}`, 200, func(b map[string]any) bool {
			return b["assignee"] == "王五" && b["status"] == "assigned" && len(b["departments"].([]any)) == 2
		}},
		{"assign", `{}`, 400, nil},
		{"assign", `{"category":"别的"}`, 400, nil},
		{"note", `{"text":"已电话联系科室主任"}`, 200, func(b map[string]any) bool { return len(b["notes"].([]any)) == 1 }},
		{"note", `{"text":"  "}`, 400, nil},
		{"reply", `{"text":"您好，经核实，已对相关医生进行批评教育。"}`, 200, func(b map[string]any) bool {
			d := b["last_delivery_detail"].(map[string]any)
			return b["status"] == "answered" && d["status"] == "sent" && d["channel"] == "custom"
		}},
		{"reopen", `{"reason":"x"}`, 409, nil},
		{"close", `{}`, 400, nil},
		{"close", `{"resolution":"已处理完毕，感谢您的监督。"}`, 200, func(b map[string]any) bool { return b["status"] == "closed" }},
		{"reply", `{"text":"再次答复"}`, 409, nil},
		{"close", `{"resolution":"again"}`, 409, nil},
		{"reopen", `{"reason":"患者不认可处理结果"}`, 200, func(b map[string]any) bool { return b["status"] == "assigned" }},
		{"escalate", `{}`, 404, nil},
	}
	for _, s := range steps {
		code, body, raw := e.do(handler, "POST", "/api/v1/complaints/"+n+"/"+s.action, s.body)
		if code != s.status {
			t.Errorf("%s %s: %d %s, want %d", s.action, s.body, code, raw, s.status)
			continue
		}
		if s.check != nil && !s.check(body) {
			t.Errorf("%s: unexpected ticket %s", s.action, raw)
		}
	}
	if code, body, _ := e.do(handler, "POST", "/api/v1/complaints/"+n+"/note", `not json`); code != 400 || errCode(body) != "invalid" {
		t.Errorf("bad JSON: %d %v", code, body)
	}
	if len(e.wx.texts) != 2 || !strings.Contains(e.wx.texts[0], "批评教育") || !strings.Contains(e.wx.texts[1], "满意") {
		t.Errorf("patient messages %q", e.wx.texts)
	}
	entries, _ := e.aud.List(context.Background(), 50, 0)
	var actions []string
	for i := len(entries) - 1; i >= 0; i-- {
		actions = append(actions, entries[i].Action)
		if strings.Contains(entries[i].Detail, "批评") || strings.Contains(entries[i].Detail, "主任") {
			t.Errorf("audit detail carries text: %q", entries[i].Detail)
		}
	}
	want := "complaint.assign complaint.note complaint.reply complaint.close complaint.reopen"
	if got := strings.Join(actions, " "); got != want {
		t.Errorf("audited %q, want %q", got, want)
	}
	if entries[2].Detail != "delivery=sent channel=custom" {
		t.Errorf("reply audit detail %q", entries[2].Detail)
	}
}

func TestReportAndDigestEndpoints(t *testing.T) {
	e := newEnv(t)
	e.file("p1", "医生态度很差，问了两句就不耐烦了", "", false, "儿科")
	e.file("p2", "门诊楼厕所太脏了，也没有洗手液", "", false)
	code, body, raw := e.do(handler, "GET", "/api/v1/complaints/report?month=2026-11", "")
	if code != 200 || body["total"].(float64) != 2 || body["by_department"].(map[string]any)["儿科"].(float64) != 1 {
		t.Errorf("report: %d %s", code, raw)
	}
	if code, body, _ := e.do(handler, "GET", "/api/v1/complaints/report?month=11-2026", ""); code != 400 || errCode(body) != "invalid" {
		t.Errorf("bad month: %d %v", code, body)
	}
	code, body, raw = e.do(handler, "GET", "/api/v1/complaints/digest", "")
	if code != 200 || body["open"].(float64) != 2 {
		t.Errorf("digest: %d %s", code, raw)
	}
}
