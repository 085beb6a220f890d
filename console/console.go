// Package console is the staff web console served at /console/: sign-in with
// a staff name and password, notices (editor with the patient's preview,
// the approval workflow, the push's live counts), complaint tickets (queue,
// ticket page, answers), the bot's knowledge (data file upload with a
// preview, unanswered questions turned into FAQ entries), subscribers per
// category and the audit log.
//
// Pages are rendered on the server with html/template; every action is a
// plain form or link, so the console works without JavaScript. Sessions are
// scs sessions kept in the service's store (shared by every instance); every
// POST carries the session's CSRF token; the signed-in member is read from the
// store on every request, so a disabled member is signed out at once. Every
// change is written to the audit log with the member and the remote address.
package console

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/alexedwards/scs/v2"
	"go.uber.org/zap"

	"github.com/hospital/wxbot/audit"
	"github.com/hospital/wxbot/clock"
	"github.com/hospital/wxbot/complaints"
	"github.com/hospital/wxbot/knowledge"
	"github.com/hospital/wxbot/notices"
	"github.com/hospital/wxbot/staff"
	"github.com/hospital/wxbot/store"
)

//go:embed templates/*.html static/*
var assets embed.FS

// Prefix is the path the console is mounted at.
const Prefix = "/console/"

// Session keys.
const (
	sessMember   = "member_id"
	sessCSRF     = "csrf"
	sessFlash    = "flash"
	sessFlashErr = "flash_err"
)

// CSRFField is the name of the hidden form field carrying the CSRF token.
const CSRFField = "csrf_token"

// Limits of request bodies.
const (
	maxFormBody   = 1 << 20  // plain forms
	maxUploadBody = 16 << 20 // data file uploads
	maxUploadFile = 8 << 20
)

// Deps are the services the console drives. Staff, Notices, Complaints,
// Knowledge, Audit and Store are required.
type Deps struct {
	Staff      *staff.Service
	Notices    *notices.Service
	Complaints *complaints.Service
	Knowledge  *knowledge.Repo
	Audit      *audit.Log
	// Store keeps sessions, uploads waiting to be applied and the marks of
	// unanswered questions turned into FAQ entries.
	Store store.Store
	// Push is the push's sender configuration (push.mode, push.template_id),
	// so that the preview shows exactly the fields the push sends.
	Push notices.SenderConfig
	// Clock (nil: the system clock) decides session expiry and stamps uploads.
	Clock clock.Clock
	Log   *zap.Logger
	// CookieSecure marks the session cookie Secure (console.cookie_secure).
	CookieSecure bool
	// IdleTimeout signs a member out after this long without a request
	// (console.idle_timeout; 0 = 30 minutes).
	IdleTimeout time.Duration
	// Lifetime bounds a session however active (0 = 12 hours).
	Lifetime time.Duration
}

// Console is the staff web console; it is an http.Handler for the paths under
// Prefix.
type Console struct {
	d     Deps
	sm    *scs.SessionManager
	mux   *http.ServeMux
	pages map[string]*template.Template
	h     http.Handler
	forms []Route
}

// New returns the console. It fails when a required service is missing, the
// push configuration is invalid or a template does not parse.
func New(d Deps) (*Console, error) {
	switch {
	case d.Staff == nil, d.Notices == nil, d.Complaints == nil, d.Knowledge == nil, d.Audit == nil, d.Store == nil:
		return nil, errors.New("console: staff, notices, complaints, knowledge, audit and store are required")
	}
	if d.Clock == nil {
		d.Clock = clock.System{}
	}
	if d.Log == nil {
		d.Log = zap.NewNop()
	}
	if d.IdleTimeout <= 0 {
		d.IdleTimeout = 30 * time.Minute
	}
	if d.Lifetime <= 0 {
		d.Lifetime = 12 * time.Hour
	}
	if _, err := notices.NewSender(&captureAPI{}, d.Push); err != nil {
		return nil, fmt.Errorf("console: %w", err)
	}
	c := &Console{d: d, mux: http.NewServeMux()}
	c.d.Log = d.Log.With(zap.String("component", "console"))

	sm := scs.New()
	sm.Store = NewSessionStore(d.Store, d.Clock)
	sm.IdleTimeout = d.IdleTimeout
	sm.Lifetime = d.Lifetime
	sm.HashTokenInStore = true
	sm.Cookie.Name = "wxbot_console"
	sm.Cookie.Path = Prefix
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = d.CookieSecure
	sm.Cookie.Persist = false
	sm.ErrorFunc = func(w http.ResponseWriter, r *http.Request, err error) {
		c.d.Log.Error("console session", zap.String("path", r.URL.Path), zap.Error(err))
		http.Error(w, "会话存储暂时不可用，请稍后再试。", http.StatusServiceUnavailable)
	}
	c.sm = sm

	if err := c.parseTemplates(); err != nil {
		return nil, err
	}
	c.routes()
	c.h = securityHeaders(sm.LoadAndSave(c.mux))
	return c, nil
}

// ServeHTTP serves the console's pages.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) { c.h.ServeHTTP(w, r) }

// Route is one route of the console and the roles it needs (any of them).
type Route struct {
	Method  string
	Pattern string
	Roles   []staff.Role
	Public  bool
}

func (c *Console) routes() {
	// Static files and sign-in.
	static, _ := fs.Sub(assets, "static")
	c.mux.Handle("GET /console/static/", http.StripPrefix("/console/static/", cacheFor(time.Hour, http.FileServerFS(static))))
	c.handle("GET /console/login", c.loginForm, public)
	c.handle("POST /console/login", c.login, public)
	c.handle("POST /console/logout", c.logout)
	c.handle("GET /console/{$}", c.home)

	// Notices.
	c.handle("GET /console/notices", c.noticeList)
	c.handle("GET /console/notices/new", c.noticeNew, staff.RoleEditor)
	c.handle("POST /console/notices", c.noticeCreate, staff.RoleEditor)
	c.handle("GET /console/notices/{id}", c.noticeView)
	c.handle("GET /console/notices/{id}/edit", c.noticeEditForm, staff.RoleEditor)
	c.handle("POST /console/notices/{id}/edit", c.noticeEdit, staff.RoleEditor)
	c.handle("POST /console/notices/{id}/submit", c.noticeSubmit, staff.RoleEditor)
	c.handle("POST /console/notices/{id}/approve", c.noticeApprove, staff.RoleReviewer, staff.RolePrincipal)
	c.handle("POST /console/notices/{id}/reject", c.noticeReject, staff.RoleReviewer, staff.RolePrincipal)
	c.handle("POST /console/notices/{id}/withdraw", c.noticeWithdraw, staff.RoleEditor, staff.RoleReviewer)
	c.handle("POST /console/notices/{id}/retract", c.noticeRetract, staff.RoleReviewer, staff.RolePrincipal, staff.RoleAdmin)
	c.handle("GET /console/notices/{id}/push", c.noticePush)
	c.handle("POST /console/notices/{id}/resume", c.noticeResume, staff.RoleAdmin)

	// Complaints.
	c.handle("GET /console/complaints", c.complaintQueue, staff.RoleComplaints)
	c.handle("GET /console/complaints/{number}", c.complaintView, staff.RoleComplaints)
	c.handle("GET /console/complaints/{number}/attachments/{n}", c.complaintAttachment, staff.RoleComplaints)
	for _, a := range complaintActions {
		c.handle("POST /console/complaints/{number}/"+a, c.complaintAction(a), staff.RoleComplaints)
	}

	// Knowledge.
	c.handle("GET /console/knowledge", c.knowledgePage, staff.RoleAdmin)
	c.handle("POST /console/knowledge/upload", c.knowledgeUpload, staff.RoleAdmin)
	c.handle("POST /console/knowledge/apply", c.knowledgeApply, staff.RoleAdmin)
	c.handle("GET /console/knowledge/faq", c.faqForm, staff.RoleAdmin)
	c.handle("POST /console/knowledge/faq", c.faqAdd, staff.RoleAdmin)

	// Subscribers and the audit log.
	c.handle("GET /console/subscribers", c.subscribers)
	c.handle("GET /console/audit", c.auditPage, staff.RoleAdmin)

	c.mux.HandleFunc("/console/", func(w http.ResponseWriter, r *http.Request) {
		c.fail(w, r, http.StatusNotFound, "页面不存在。")
	})
}

// Forms returns every form the console accepts (its POST routes) with the
// roles each needs: Public for sign-in, empty Roles for any signed-in member.
func (c *Console) Forms() []Route { return append([]Route(nil), c.forms...) }

// handlerFunc is a console handler; m is the signed-in member (nil only on
// public routes).
type handlerFunc func(w http.ResponseWriter, r *http.Request, m *staff.Member)

// publicRoute marks a route that needs no member.
type publicRoute struct{}

var public = publicRoute{}

// handle registers pattern with its checks, in this order: the body limit
// and form parsing; on POST the CSRF token (403); the signed-in, enabled
// member (else the sign-in page); the roles (any of them; 403).
func (c *Console) handle(pattern string, h handlerFunc, opts ...any) {
	var roles []staff.Role
	isPublic := false
	for _, o := range opts {
		switch v := o.(type) {
		case staff.Role:
			roles = append(roles, v)
		case publicRoute:
			isPublic = true
		}
	}
	isPost := strings.HasPrefix(pattern, "POST ")
	if isPost {
		c.forms = append(c.forms, Route{Method: "POST", Pattern: strings.TrimPrefix(pattern, "POST "), Roles: roles, Public: isPublic})
	}
	c.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		if isPost {
			if !c.parseForm(w, r) {
				return
			}
			if !c.checkCSRF(r) {
				c.fail(w, r, http.StatusForbidden, "表单已过期或来源不明（CSRF 校验失败）。请返回刷新页面后重试。")
				return
			}
		}
		var m *staff.Member
		if !isPublic {
			var ok bool
			if m, ok = c.member(w, r); !ok {
				return
			}
			if len(roles) > 0 && !m.HasAny(roles...) {
				c.fail(w, r, http.StatusForbidden, "您没有执行此操作的权限（需要角色："+roleNames(roles)+"）。")
				return
			}
			r = r.WithContext(staff.NewContext(r.Context(), m))
		}
		h(w, r, m)
	})
}

// parseForm limits and parses the body of a POST; false when it answered.
func (c *Console) parseForm(w http.ResponseWriter, r *http.Request) bool {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var err error
	if ct == "multipart/form-data" {
		r.Body = http.MaxBytesReader(w, r.Body, maxUploadBody)
		err = r.ParseMultipartForm(1 << 20)
	} else {
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
		err = r.ParseForm()
	}
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			c.fail(w, r, http.StatusRequestEntityTooLarge, "提交的内容太大。")
			return false
		}
		c.fail(w, r, http.StatusBadRequest, "无法读取提交的表单。")
		return false
	}
	return true
}

// checkCSRF compares the form's token with the session's.
func (c *Console) checkCSRF(r *http.Request) bool {
	want := c.sm.GetString(r.Context(), sessCSRF)
	got := r.PostFormValue(CSRFField)
	if want == "" || got == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(want), []byte(got)) == 1
}

// csrf returns the session's CSRF token, creating it when missing.
func (c *Console) csrf(ctx context.Context) string {
	if t := c.sm.GetString(ctx, sessCSRF); t != "" {
		return t
	}
	t := randomID(32)
	c.sm.Put(ctx, sessCSRF, t)
	return t
}

// member returns the signed-in member, re-read from the store. Without one
// (never signed in, expired, disabled or deleted) it answers with the sign-in
// page (GET) or a redirect to it (POST) and returns false.
func (c *Console) member(w http.ResponseWriter, r *http.Request) (*staff.Member, bool) {
	ctx := r.Context()
	id := c.sm.GetString(ctx, sessMember)
	if id != "" {
		m, err := c.d.Staff.Get(ctx, id)
		switch {
		case err == nil && !m.Disabled:
			return m, true
		case err == nil || errors.Is(err, staff.ErrNotFound):
			c.d.Log.Info("console: member signed out (disabled or removed)", zap.String("member", id))
			if err := c.sm.Destroy(ctx); err != nil {
				c.d.Log.Warn("console: destroy session", zap.Error(err))
			}
			c.sm.Put(ctx, sessFlashErr, "您的账号已停用，已退出登录。")
		default:
			c.d.Log.Error("console: read member", zap.String("member", id), zap.Error(err))
			c.fail(w, r, http.StatusServiceUnavailable, "暂时无法读取账号信息，请稍后再试。")
			return nil, false
		}
	}
	next := r.URL.Path
	if r.Method != http.MethodGet {
		next = ""
	} else if r.URL.RawQuery != "" {
		next += "?" + r.URL.RawQuery
	}
	target := "/console/login"
	if next != "" && next != Prefix {
		target += "?next=" + url.QueryEscape(next)
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
	return nil, false
}

// safeNext returns next when it is a console path, else the console's home.
func safeNext(next string) string {
	if !strings.HasPrefix(next, Prefix) || strings.Contains(next, "//") || strings.Contains(next, `\`) {
		return Prefix
	}
	return next
}

func roleNames(roles []staff.Role) string {
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = roleLabel(r)
	}
	return strings.Join(names, "或")
}

// roleLabel names a role in Chinese.
func roleLabel(r staff.Role) string {
	switch r {
	case staff.RoleEditor:
		return "编辑"
	case staff.RoleReviewer:
		return "审核"
	case staff.RolePrincipal:
		return "院领导审批"
	case staff.RoleComplaints:
		return "投诉处理"
	case staff.RoleAdmin:
		return "管理员"
	}
	return string(r)
}

// ---- rendering ----

// view is what every page template receives.
type view struct {
	Title    string
	Nav      string
	Member   *staff.Member
	CSRF     string
	Flash    string
	FlashErr string
	// Refresh, when > 0, reloads the page after that many seconds (push progress).
	Refresh int
	Data    any
}

func (c *Console) parseTemplates() error {
	c.pages = map[string]*template.Template{}
	names, err := fs.Glob(assets, "templates/*.html")
	if err != nil {
		return fmt.Errorf("console templates: %w", err)
	}
	for _, n := range names {
		base := strings.TrimPrefix(n, "templates/")
		if base == "layout.html" || strings.HasPrefix(base, "_") {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(assets, "templates/layout.html", "templates/_*.html", n)
		if err != nil {
			return fmt.Errorf("console template %s: %w", base, err)
		}
		c.pages[strings.TrimSuffix(base, ".html")] = t
	}
	return nil
}

// render writes page with status; the member may be nil (sign-in page).
func (c *Console) render(w http.ResponseWriter, r *http.Request, status int, page, title, nav string, data any) {
	c.renderView(w, r, status, page, view{Title: title, Nav: nav, Data: data})
}

func (c *Console) renderView(w http.ResponseWriter, r *http.Request, status int, page string, v view) {
	t, ok := c.pages[page]
	if !ok {
		c.d.Log.Error("console: no template", zap.String("page", page))
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	ctx := r.Context()
	if v.Member == nil {
		v.Member, _ = staff.FromContext(ctx)
	}
	v.CSRF = c.csrf(ctx)
	v.Flash = c.sm.PopString(ctx, sessFlash)
	v.FlashErr = c.sm.PopString(ctx, sessFlashErr)
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", v); err != nil {
		c.d.Log.Error("console: render", zap.String("page", page), zap.Error(err))
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// errorData is the data of the error page.
type errorData struct {
	Status  int
	Message string
	Detail  string
	Back    string
}

// fail renders the error page with status and a Chinese message.
func (c *Console) fail(w http.ResponseWriter, r *http.Request, status int, msg string) {
	c.failDetail(w, r, status, msg, "")
}

func (c *Console) failDetail(w http.ResponseWriter, r *http.Request, status int, msg, detail string) {
	back := r.Referer()
	if u, err := url.Parse(back); err != nil || u.Host != r.Host || !strings.HasPrefix(u.Path, Prefix) {
		back = Prefix
	}
	c.render(w, r, status, "error", http.StatusText(status), "", errorData{Status: status, Message: msg, Detail: detail, Back: back})
}

// internal logs err and renders a 500 (503 when the store is unavailable).
func (c *Console) internal(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, store.ErrUnavailable) {
		c.d.Log.Warn("console: store unavailable", zap.String("path", r.URL.Path), zap.Error(err))
		c.fail(w, r, http.StatusServiceUnavailable, "存储暂时不可用，请稍后再试。")
		return
	}
	c.d.Log.Error("console", zap.String("path", r.URL.Path), zap.Error(err))
	c.fail(w, r, http.StatusInternalServerError, "服务器内部错误，请稍后再试。")
}

// redirect sends the browser to path after a POST, with a flash message.
func (c *Console) redirect(w http.ResponseWriter, r *http.Request, path, flash string) {
	if flash != "" {
		c.sm.Put(r.Context(), sessFlash, flash)
	}
	http.Redirect(w, r, path, http.StatusSeeOther)
}

// redirectErr is redirect with an error message.
func (c *Console) redirectErr(w http.ResponseWriter, r *http.Request, path, msg string) {
	c.sm.Put(r.Context(), sessFlashErr, msg)
	http.Redirect(w, r, path, http.StatusSeeOther)
}

// record writes an audit entry for a change made by the signed-in member.
func (c *Console) record(r *http.Request, action, target, detail string) {
	if err := c.d.Audit.Record(r.Context(), audit.FromRequest(r, action, target, detail)); err != nil {
		c.d.Log.Error("console: audit record failed", zap.String("action", action), zap.String("target", target), zap.Error(err))
	}
}

// randomID returns n random bytes in hex.
func randomID(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("console: no randomness: %v", err))
	}
	return hex.EncodeToString(b)
}

// securityHeaders sets headers every console response carries.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		if !strings.HasPrefix(r.URL.Path, "/console/static/") {
			h.Set("Cache-Control", "no-store")
		}
		next.ServeHTTP(w, r)
	})
}

func cacheFor(d time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", fmt.Sprintf("public, max-age=%d", int(d.Seconds())))
		next.ServeHTTP(w, r)
	})
}
