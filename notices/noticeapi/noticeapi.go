// Package noticeapi is the admin JSON API of notices, their push deliveries,
// patients' subscriptions and the audit log, under /api/v1/.
//
//	POST  /api/v1/notices                     editor      create a draft
//	GET   /api/v1/notices[?state=]            any staff   list, newest first
//	GET   /api/v1/notices/{id}                any staff
//	PATCH /api/v1/notices/{id} (or PUT)       editor      edit the author's draft
//	POST  /api/v1/notices/{id}/submit         editor      the author submits
//	POST  /api/v1/notices/{id}/approve        reviewer; principal for a major notice's 2nd step
//	POST  /api/v1/notices/{id}/reject         reviewer / principal, {"reason": "..."}
//	POST  /api/v1/notices/{id}/withdraw       editor (author) or reviewer, before publication
//	POST  /api/v1/notices/{id}/retract        reviewer, principal or admin, {"reason": "..."}
//	GET   /api/v1/notices/{id}/deliveries     any staff
//	POST  /api/v1/notices/{id}/resume         admin       resume a push paused by 45009
//	GET   /api/v1/subscriptions               any staff   subscribers per category
//	GET   /api/v1/audit[?limit=&offset=]      admin
//
// Errors: 400 invalid input, 401 no or bad token, 403 wrong role or a
// maker-checker breach (both with the reason), 404, 409 a transition the
// notice's state does not allow (with the reason), 503 store unavailable.
package noticeapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/hospital/wxbot/audit"
	"github.com/hospital/wxbot/jsonapi"
	"github.com/hospital/wxbot/notices"
	"github.com/hospital/wxbot/staff"
	"github.com/hospital/wxbot/store"
)

// MaxBody is the largest request body accepted.
const MaxBody = 1 << 20

// Deps are what the API needs.
type Deps struct {
	Notices *notices.Service
	Audit   *audit.Log
	// Staff, when set, authenticates every request itself (bearer token,
	// staff.Service.Middleware). Leave it nil when the server already runs
	// that middleware in front of /api/v1/.
	Staff *staff.Service
	Log   *zap.Logger
}

type api struct {
	Deps
}

// New returns the handler serving the routes above; mount it at "/api/v1/"
// (it matches full paths).
func New(d Deps) http.Handler {
	if d.Log == nil {
		d.Log = zap.NewNop()
	}
	a := &api{Deps: d}
	mux := http.NewServeMux()
	editor := func(h http.HandlerFunc) http.Handler { return staff.Require(staff.RoleEditor, h) }
	anyStaff := func(h http.HandlerFunc) http.Handler { return staff.RequireMember(h) }

	mux.Handle("POST /api/v1/notices", editor(a.create))
	mux.Handle("GET /api/v1/notices", anyStaff(a.list))
	mux.Handle("GET /api/v1/notices/{id}", anyStaff(a.get))
	mux.Handle("PATCH /api/v1/notices/{id}", editor(a.update))
	mux.Handle("PUT /api/v1/notices/{id}", editor(a.update))
	mux.Handle("POST /api/v1/notices/{id}/submit", editor(a.submit))
	mux.Handle("POST /api/v1/notices/{id}/approve", staff.RequireAny(http.HandlerFunc(a.approve), staff.RoleReviewer, staff.RolePrincipal))
	mux.Handle("POST /api/v1/notices/{id}/reject", staff.RequireAny(http.HandlerFunc(a.reject), staff.RoleReviewer, staff.RolePrincipal))
	mux.Handle("POST /api/v1/notices/{id}/withdraw", staff.RequireAny(http.HandlerFunc(a.withdraw), staff.RoleEditor, staff.RoleReviewer))
	mux.Handle("POST /api/v1/notices/{id}/retract", staff.RequireAny(http.HandlerFunc(a.retract), staff.RoleReviewer, staff.RolePrincipal, staff.RoleAdmin))
	mux.Handle("GET /api/v1/notices/{id}/deliveries", anyStaff(a.deliveries))
	mux.Handle("POST /api/v1/notices/{id}/resume", staff.Require(staff.RoleAdmin, http.HandlerFunc(a.resume)))
	mux.Handle("GET /api/v1/subscriptions", anyStaff(a.subscriptions))
	if d.Audit != nil {
		mux.Handle("GET /api/v1/audit", audit.Handler(d.Audit))
	}
	var h http.Handler = jsonFallback(mux)
	if d.Staff != nil {
		h = d.Staff.Middleware(h)
	}
	return h
}

// jsonFallback answers requests no route matches (404, or 405 for a known
// path with another method) in the contract's JSON shape instead of the mux's
// plain text.
func jsonFallback(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := mux.Handler(r); pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		rec := &statusOnly{header: http.Header{}}
		mux.ServeHTTP(rec, r)
		if allow := rec.header.Get("Allow"); allow != "" {
			w.Header().Set("Allow", allow)
		}
		if rec.code == http.StatusMethodNotAllowed {
			jsonapi.WriteError(w, http.StatusMethodNotAllowed, jsonapi.CodeInvalid, "method not allowed on "+r.URL.Path)
			return
		}
		jsonapi.WriteError(w, http.StatusNotFound, jsonapi.CodeNotFound, "no such endpoint: "+r.URL.Path)
	})
}

// statusOnly is a ResponseWriter that keeps the status and headers and drops the body.
type statusOnly struct {
	header http.Header
	code   int
}

func (s *statusOnly) Header() http.Header         { return s.header }
func (s *statusOnly) Write(b []byte) (int, error) { return len(b), nil }
func (s *statusOnly) WriteHeader(code int)        { s.code = code }

// fail writes err in the contract's shape with the fitting status.
func (a *api) fail(w http.ResponseWriter, r *http.Request, err error) {
	switch notices.Code(err) {
	case notices.EInvalid:
		jsonapi.WriteError(w, http.StatusBadRequest, jsonapi.CodeInvalid, notices.Message(err))
	case notices.ENotFound:
		jsonapi.WriteError(w, http.StatusNotFound, jsonapi.CodeNotFound, notices.Message(err))
	case notices.EConflict:
		jsonapi.WriteError(w, http.StatusConflict, jsonapi.CodeConflict, notices.Message(err))
	case notices.EForbidden:
		jsonapi.WriteError(w, http.StatusForbidden, jsonapi.CodeForbidden, notices.Message(err))
	default:
		if errors.Is(err, store.ErrUnavailable) {
			a.Log.Warn("notice api: store unavailable", zap.String("path", r.URL.Path), zap.Error(err))
			jsonapi.WriteError(w, http.StatusServiceUnavailable, jsonapi.CodeUnavailable, "storage is unavailable; try again")
			return
		}
		a.Log.Error("notice api", zap.String("path", r.URL.Path), zap.Error(err))
		jsonapi.WriteError(w, http.StatusInternalServerError, jsonapi.CodeInternal, "internal error")
	}
}

// record writes an audit entry for a change made through r.
func (a *api) record(r *http.Request, action, id, detail string) {
	if a.Audit == nil {
		return
	}
	if err := a.Audit.Record(r.Context(), audit.FromRequest(r, action, "notice:"+id, detail)); err != nil {
		a.Log.Error("audit record failed", zap.String("action", action), zap.String("notice", id), zap.Error(err))
	}
}

func member(r *http.Request) *staff.Member {
	m, _ := staff.FromContext(r.Context())
	return m
}

// decode reads a JSON body into v. An empty body is allowed when optional.
func decode(w http.ResponseWriter, r *http.Request, v any, optional bool) error {
	body := http.MaxBytesReader(w, r.Body, MaxBody)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if errors.Is(err, io.EOF) && optional {
		return nil
	}
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return &bodyError{status: http.StatusRequestEntityTooLarge, code: jsonapi.CodeTooLarge, msg: fmt.Sprintf("the body is larger than %d bytes", MaxBody)}
	}
	if err != nil {
		return &bodyError{status: http.StatusBadRequest, code: jsonapi.CodeInvalid, msg: "invalid JSON body: " + cleanJSONError(err)}
	}
	if dec.More() {
		return &bodyError{status: http.StatusBadRequest, code: jsonapi.CodeInvalid, msg: "invalid JSON body: more than one value"}
	}
	return nil
}

type bodyError struct {
	status int
	code   string
	msg    string
}

func (e *bodyError) Error() string { return e.msg }

func writeBodyError(w http.ResponseWriter, err error) {
	var be *bodyError
	if errors.As(err, &be) {
		jsonapi.WriteError(w, be.status, be.code, be.msg)
		return
	}
	jsonapi.WriteError(w, http.StatusBadRequest, jsonapi.CodeInvalid, "invalid request body")
}

func cleanJSONError(err error) string {
	s := err.Error()
	return strings.TrimPrefix(s, "json: ")
}

// noticeInput is the JSON of a create or edit.
type noticeInput struct {
	Title     *string         `json:"title"`
	Category  *string         `json:"category"`
	Summary   *string         `json:"summary"`
	Body      *string         `json:"body"`
	Link      *string         `json:"link"`
	Major     *bool           `json:"major"`
	PublishAt json.RawMessage `json:"publish_at"`
}

// publishAtLayouts are the accepted publish_at forms; those without a zone are
// Shanghai time.
var publishAtLayouts = []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02 15:04:05"}

func parsePublishAt(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, l := range publishAtLayouts {
		if t, err := time.ParseInLocation(l, s, notices.Shanghai); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("publish_at %q: use RFC 3339 (2025-01-31T09:00:00+08:00) or 2025-01-31 09:00 (Beijing time)", s)
}

func (in noticeInput) toInput() (notices.Input, error) {
	out := notices.Input{Title: in.Title, Category: in.Category, Summary: in.Summary, Body: in.Body, Link: in.Link, Major: in.Major}
	if len(in.PublishAt) > 0 {
		raw := strings.TrimSpace(string(in.PublishAt))
		if raw == "null" {
			out.ClearPublishAt = true
			return out, nil
		}
		var s string
		if err := json.Unmarshal(in.PublishAt, &s); err != nil {
			return out, errors.New("publish_at must be a string")
		}
		if strings.TrimSpace(s) == "" {
			out.ClearPublishAt = true
			return out, nil
		}
		t, err := parsePublishAt(strings.TrimSpace(s))
		if err != nil {
			return out, err
		}
		out.PublishAt = &t
	}
	return out, nil
}

func (a *api) create(w http.ResponseWriter, r *http.Request) {
	var in noticeInput
	if err := decode(w, r, &in, false); err != nil {
		writeBodyError(w, err)
		return
	}
	input, err := in.toInput()
	if err != nil {
		jsonapi.WriteError(w, http.StatusBadRequest, jsonapi.CodeInvalid, err.Error())
		return
	}
	n, err := a.Notices.Create(r.Context(), member(r), input)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.record(r, "notice.create", n.ID, n.Title)
	w.Header().Set("Location", "/api/v1/notices/"+n.ID)
	jsonapi.WriteJSON(w, http.StatusCreated, n)
}

func (a *api) update(w http.ResponseWriter, r *http.Request) {
	var in noticeInput
	if err := decode(w, r, &in, false); err != nil {
		writeBodyError(w, err)
		return
	}
	input, err := in.toInput()
	if err != nil {
		jsonapi.WriteError(w, http.StatusBadRequest, jsonapi.CodeInvalid, err.Error())
		return
	}
	n, err := a.Notices.Update(r.Context(), member(r), r.PathValue("id"), input)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.record(r, "notice.edit", n.ID, n.Title)
	jsonapi.WriteJSON(w, http.StatusOK, n)
}

// listResponse is the JSON of GET /api/v1/notices.
type listResponse struct {
	Notices []*notices.Notice `json:"notices"`
	Count   int               `json:"count"`
}

func (a *api) list(w http.ResponseWriter, r *http.Request) {
	state := notices.State(r.URL.Query().Get("state"))
	list, err := a.Notices.List(r.Context(), state)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	jsonapi.WriteJSON(w, http.StatusOK, listResponse{Notices: list, Count: len(list)})
}

func (a *api) get(w http.ResponseWriter, r *http.Request) {
	n, err := a.Notices.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	jsonapi.WriteJSON(w, http.StatusOK, n)
}

// reasonInput is the optional body of transitions.
type reasonInput struct {
	Reason string `json:"reason"`
}

// transition runs one workflow step and audits it.
func (a *api) transition(w http.ResponseWriter, r *http.Request, action string, withReason bool,
	do func(r *http.Request, m *staff.Member, id, reason string) (*notices.Notice, error)) {
	var in reasonInput
	if err := decode(w, r, &in, true); err != nil {
		writeBodyError(w, err)
		return
	}
	id := r.PathValue("id")
	n, err := do(r, member(r), id, in.Reason)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	detail := "state " + string(n.State)
	if withReason && strings.TrimSpace(in.Reason) != "" {
		detail += "; reason: " + strings.TrimSpace(in.Reason)
	}
	a.record(r, action, n.ID, detail)
	jsonapi.WriteJSON(w, http.StatusOK, n)
}

func (a *api) submit(w http.ResponseWriter, r *http.Request) {
	a.transition(w, r, "notice.submit", false, func(r *http.Request, m *staff.Member, id, _ string) (*notices.Notice, error) {
		return a.Notices.Submit(r.Context(), m, id)
	})
}

func (a *api) approve(w http.ResponseWriter, r *http.Request) {
	a.transition(w, r, "notice.approve", false, func(r *http.Request, m *staff.Member, id, _ string) (*notices.Notice, error) {
		return a.Notices.Approve(r.Context(), m, id)
	})
}

func (a *api) reject(w http.ResponseWriter, r *http.Request) {
	a.transition(w, r, "notice.reject", true, func(r *http.Request, m *staff.Member, id, reason string) (*notices.Notice, error) {
		return a.Notices.Reject(r.Context(), m, id, reason)
	})
}

func (a *api) withdraw(w http.ResponseWriter, r *http.Request) {
	a.transition(w, r, "notice.withdraw", false, func(r *http.Request, m *staff.Member, id, _ string) (*notices.Notice, error) {
		return a.Notices.Withdraw(r.Context(), m, id)
	})
}

func (a *api) retract(w http.ResponseWriter, r *http.Request) {
	a.transition(w, r, "notice.retract", true, func(r *http.Request, m *staff.Member, id, reason string) (*notices.Notice, error) {
		return a.Notices.Retract(r.Context(), m, id, reason)
	})
}

func (a *api) deliveries(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if _, err := a.Notices.Get(r.Context(), id); err != nil {
		a.fail(w, r, err)
		return
	}
	d, err := a.Notices.Deliveries(r.Context(), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	jsonapi.WriteJSON(w, http.StatusOK, d)
}

func (a *api) resume(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	j, err := a.Notices.Resume(r.Context(), member(r), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.record(r, "notice.push_resume", id, "push resumed by an admin")
	jsonapi.WriteJSON(w, http.StatusOK, j)
}

// subscriptionsResponse is the JSON of GET /api/v1/subscriptions.
type subscriptionsResponse struct {
	Categories []notices.CategoryCount `json:"categories"`
	// ByCategory is the same counts as an object, category -> subscribers.
	ByCategory map[string]int64 `json:"by_category"`
}

func (a *api) subscriptions(w http.ResponseWriter, r *http.Request) {
	counts, err := a.Notices.Subscriptions().Counts(r.Context())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	by := make(map[string]int64, len(counts))
	for _, c := range counts {
		by[c.Category] = c.Subscribers
	}
	jsonapi.WriteJSON(w, http.StatusOK, subscriptionsResponse{Categories: counts, ByCategory: by})
}
