package console_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hospital/wxbot/audit"
	"github.com/hospital/wxbot/clock"
	"github.com/hospital/wxbot/complaints"
	"github.com/hospital/wxbot/console"
	"github.com/hospital/wxbot/knowledge"
	"github.com/hospital/wxbot/knowledge/demo"
	"github.com/hospital/wxbot/notices"
	"github.com/hospital/wxbot/staff"
	"github.com/hospital/wxbot/store/memstore"
	"github.com/hospital/wxbot/wxapi"
)

// env is a console on an in-memory store with every service it drives, on a
// fake clock, served by httptest.
type env struct {
	t          *testing.T
	clk        *clock.Fake
	st         *memstore.Store
	staff      *staff.Service
	notices    *notices.Service
	complaints *complaints.Service
	repo       *knowledge.Repo
	audit      *audit.Log
	outbox     *wxapi.Outbox
	console    *console.Console
	srv        *httptest.Server
}

const testPassword = "correct horse battery"

func newEnv(t *testing.T, secure bool) *env {
	t.Helper()
	ctx := context.Background()
	// A working day morning: deadlines are in working days.
	clk := clock.NewFake(time.Now())
	st := memstore.New()
	e := &env{t: t, clk: clk, st: st}
	e.staff = staff.NewService(st, clk)
	e.audit = audit.New(st, clk)
	e.notices = notices.NewService(st, clk, notices.Config{}, nil)
	e.outbox = wxapi.NewOutbox(st, clk)
	e.complaints = complaints.New(st, complaints.Options{Clock: clk, WeChat: e.outbox, Sleep: func(context.Context, time.Duration) error { return nil }})
	e.repo = knowledge.NewRepo(st, nil, clk)
	d, err := knowledge.ParseFS(demo.FS())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.repo.ImportData(ctx, d); err != nil {
		t.Fatal(err)
	}
	c, err := console.New(console.Deps{
		Staff: e.staff, Notices: e.notices, Complaints: e.complaints, Knowledge: e.repo, Audit: e.audit,
		Store: st, Push: notices.SenderConfig{TemplateID: "tpl-notice"}, Clock: clk, CookieSecure: secure,
		IdleTimeout: 30 * time.Minute,
	})
	if err != nil {
		t.Fatal(err)
	}
	e.console = c
	e.srv = httptest.NewServer(c)
	t.Cleanup(e.srv.Close)
	return e
}

// addMember creates a member with roles and no password (cannot sign in).
func (e *env) addMember(name string, roles ...staff.Role) *staff.Member {
	e.t.Helper()
	m, _, err := e.staff.Add(context.Background(), name, roles)
	if err != nil {
		e.t.Fatal(err)
	}
	return m
}

// addStaff creates a member with roles and the test password.
func (e *env) addStaff(name string, roles ...staff.Role) *staff.Member {
	e.t.Helper()
	m := e.addMember(name, roles...)
	if err := e.staff.SetPassword(context.Background(), m.ID, testPassword); err != nil {
		e.t.Fatal(err)
	}
	return m
}

// browser is one staff member's HTTP client with its cookie jar; it does not
// follow redirects, so tests see the 303s.
type browser struct {
	e    *env
	t    *testing.T
	c    *http.Client
	csrf string
}

func (e *env) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{e: e, t: e.t, c: &http.Client{
		Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}}
}

// signedIn adds a member with roles and returns a browser signed in as them.
func (e *env) signedIn(name string, roles ...staff.Role) *browser {
	e.t.Helper()
	e.addStaff(name, roles...)
	b := e.browser()
	b.signIn(name)
	return b
}

var csrfRe = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// response is a finished request.
type response struct {
	Status   int
	Body     string
	Location string
	Header   http.Header
}

func (b *browser) do(req *http.Request) response {
	b.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	r := response{Status: resp.StatusCode, Body: string(body), Location: resp.Header.Get("Location"), Header: resp.Header}
	if m := csrfRe.FindStringSubmatch(r.Body); m != nil {
		b.csrf = m[1]
	}
	return r
}

func (b *browser) get(path string) response {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.e.srv.URL+path, nil)
	return b.do(req)
}

// post sends a form; the CSRF token is added unless form sets csrf_token
// itself (use "-" to send none).
func (b *browser) post(path string, form url.Values) response {
	b.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	switch form.Get(console.CSRFField) {
	case "":
		form.Set(console.CSRFField, b.csrf)
	case "-":
		form.Del(console.CSRFField)
	}
	req, _ := http.NewRequest(http.MethodPost, b.e.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// upload posts a multipart form with one file.
func (b *browser) upload(path string, fields map[string]string, fileField, fileName string, data []byte) response {
	b.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if _, ok := fields[console.CSRFField]; !ok {
		_ = mw.WriteField(console.CSRFField, b.csrf)
	}
	for k, v := range fields {
		if k == console.CSRFField && v == "-" {
			continue
		}
		_ = mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile(fileField, fileName)
	_, _ = fw.Write(data)
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, b.e.srv.URL+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.do(req)
}

// signIn signs the browser in as name and loads a page to get the session's
// CSRF token.
func (b *browser) signIn(name string) {
	b.t.Helper()
	b.get("/console/login")
	r := b.post("/console/login", url.Values{"name": {name}, "password": {testPassword}})
	if r.Status != http.StatusSeeOther {
		b.t.Fatalf("sign-in of %s: %d\n%s", name, r.Status, r.Body)
	}
	b.get("/console/subscribers")
}

// follow GETs the Location of a redirect.
func (b *browser) follow(r response) response {
	b.t.Helper()
	if r.Location == "" {
		b.t.Fatalf("no redirect: %d\n%.2000s", r.Status, r.Body)
	}
	return b.get(r.Location)
}

// draft creates a notice by m in category 价格调整.
func (e *env) draft(m *staff.Member, title string, major bool) *notices.Notice {
	e.t.Helper()
	cat, sum := "价格调整", "摘要"
	n, err := e.notices.Create(context.Background(), m, notices.Input{Title: &title, Category: &cat, Summary: &sum, Major: &major})
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

// ticket files a complaint from openID as the chat form would.
func (e *env) ticket(openID, text, phone string) string {
	e.t.Helper()
	ctx := context.Background()
	if err := e.complaints.TouchUser(ctx, openID); err != nil {
		e.t.Fatal(err)
	}
	n, err := e.complaints.Submit(ctx, &complaints.Draft{OpenID: openID, Description: text, Phone: phone, DeptDone: true, WhenDone: true, AnonDone: true, PhoneDone: true})
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

// auditActions returns the actions recorded, newest first.
func (e *env) auditEntries() []audit.Entry {
	e.t.Helper()
	list, err := e.audit.List(context.Background(), 1000, 0)
	if err != nil {
		e.t.Fatal(err)
	}
	return list
}

func itoa(n int) string { return strconv.Itoa(n) }

// regexpFind returns the first group of pattern in s, or "".
func regexpFind(pattern, s string) string {
	m := regexp.MustCompile(pattern).FindStringSubmatch(s)
	if m == nil {
		return ""
	}
	return m[1]
}
