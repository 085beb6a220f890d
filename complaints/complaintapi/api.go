// Package complaintapi is the staff's HTTP API for complaint tickets
// (/api/v1/complaints...), for members with the complaints role. Every change
// and every read of a full ticket is written to the audit log.
package complaintapi

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.uber.org/zap"

	"github.com/hospital/wxbot/audit"
	"github.com/hospital/wxbot/complaints"
	"github.com/hospital/wxbot/jsonapi"
	"github.com/hospital/wxbot/staff"
	"github.com/hospital/wxbot/store"
)

// Auditor records staff actions (audit.Log implements it).
type Auditor interface {
	Record(ctx context.Context, e audit.Entry) error
}

// maxBody bounds a request body.
const maxBody = 64 << 10

// Handler serves the complaints API. Mount it at both "/api/v1/complaints" and
// "/api/v1/complaints/"; it checks the complaints role itself
// (staff.Require), so the authentication middleware must run first.
type Handler struct {
	svc  *complaints.Service
	aud  Auditor
	log  *zap.Logger
	next http.Handler
}

// New returns the API handler. aud may be nil (nothing audited: tests only).
func New(svc *complaints.Service, aud Auditor, log *zap.Logger) *Handler {
	if log == nil {
		log = zap.NewNop()
	}
	h := &Handler{svc: svc, aud: aud, log: log.With(zap.String("component", "complaintapi"))}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/complaints", h.list)
	mux.HandleFunc("GET /api/v1/complaints/{$}", h.list)
	mux.HandleFunc("GET /api/v1/complaints/report", h.report)
	mux.HandleFunc("GET /api/v1/complaints/digest", h.digest)
	mux.HandleFunc("GET /api/v1/complaints/{id}", h.get)
	mux.HandleFunc("GET /api/v1/complaints/{id}/attachments/{n}", h.attachment)
	mux.HandleFunc("POST /api/v1/complaints/{id}/{action}", h.action)
	mux.HandleFunc("/api/v1/complaints/", func(w http.ResponseWriter, r *http.Request) {
		jsonapi.WriteError(w, http.StatusNotFound, jsonapi.CodeNotFound, "no such complaints resource")
	})
	h.next = staff.Require(staff.RoleComplaints, mux)
	return h
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.next.ServeHTTP(w, r) }

// Summary is a ticket in a list: no complaint text beyond a short excerpt, the
// phone masked.
type Summary struct {
	Number      string    `json:"number"`
	Status      string    `json:"status"`
	StatusLabel string    `json:"status_label"`
	Departments []string  `json:"departments"`
	Category    string    `json:"category"`
	Excerpt     string    `json:"excerpt"`
	Anonymous   bool      `json:"anonymous"`
	Phone       string    `json:"phone,omitempty"` // masked: 138****1234
	Assignee    string    `json:"assignee,omitempty"`
	Attachments int       `json:"attachments"`
	CreatedAt   time.Time `json:"created_at"`
	DueAt       time.Time `json:"due_at"`
	Overdue     bool      `json:"overdue"`
	DueSoon     bool      `json:"due_soon"`
	// LastDelivery is the delivery state of the newest answer ("" without answers).
	LastDelivery string `json:"last_delivery,omitempty"`
	Rating       string `json:"rating,omitempty"`
	Erased       bool   `json:"erased,omitempty"`
}

// AttachmentView describes an attachment; URL downloads it when stored.
type AttachmentView struct {
	Index       int       `json:"index"`
	Kind        string    `json:"kind"`
	Stored      bool      `json:"stored"`
	ContentType string    `json:"content_type,omitempty"`
	Size        int       `json:"size,omitempty"`
	Error       string    `json:"error,omitempty"`
	ReceivedAt  time.Time `json:"received_at"`
	URL         string    `json:"url,omitempty"`
}

// Detail is one ticket in full (the patient's OpenID is never shown).
type Detail struct {
	Summary
	Description     string               `json:"description"`
	DepartmentNote  string               `json:"department_note,omitempty"`
	When            string               `json:"when,omitempty"`
	Phone           string               `json:"phone,omitempty"` // in full
	AttachmentList  []AttachmentView     `json:"attachment_list"`
	Notes           []complaints.Note    `json:"notes"`
	Answers         []complaints.Answer  `json:"answers"`
	History         []complaints.Event   `json:"history"`
	AnsweredAt      *time.Time           `json:"answered_at,omitempty"`
	FirstFeedbackAt *time.Time           `json:"first_feedback_at,omitempty"`
	ClosedAt        *time.Time           `json:"closed_at,omitempty"`
	Resolution      string               `json:"resolution,omitempty"`
	RatedAt         *time.Time           `json:"rated_at,omitempty"`
	PurgedAt        *time.Time           `json:"purged_at,omitempty"`
	Delivery        *complaints.Delivery `json:"last_delivery_detail,omitempty"`
}

func excerpt(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

func (h *Handler) summary(t *complaints.Ticket, now time.Time) Summary {
	over, soon := h.svc.Flags(t, now)
	s := Summary{
		Number: t.Number, Status: string(t.Status), StatusLabel: t.Status.Label(),
		Departments: t.Departments, Category: t.Category, Excerpt: excerpt(t.Description, 40),
		Anonymous: t.Anonymous, Phone: complaints.MaskPhone(t.Phone), Assignee: t.Assignee,
		Attachments: len(t.Attachments), CreatedAt: t.CreatedAt, DueAt: t.DueAt,
		Overdue: over, DueSoon: soon, Rating: t.Rating, Erased: t.PurgedAt != nil,
	}
	if s.Departments == nil {
		s.Departments = []string{}
	}
	if a := t.LatestAnswer(); a != nil {
		s.LastDelivery = a.Delivery.Status
	}
	return s
}

func (h *Handler) detail(t *complaints.Ticket, now time.Time) Detail {
	d := Detail{
		Summary:     h.summary(t, now),
		Description: t.Description, DepartmentNote: t.DepartmentNote, When: t.When, Phone: t.Phone,
		Notes: t.Notes, Answers: t.Answers, History: t.History,
		AnsweredAt: t.AnsweredAt, FirstFeedbackAt: t.FirstFeedbackAt, ClosedAt: t.ClosedAt,
		Resolution: t.Resolution, RatedAt: t.RatedAt, PurgedAt: t.PurgedAt,
		AttachmentList: []AttachmentView{},
	}
	d.Summary.Phone = ""
	for i, a := range t.Attachments {
		v := AttachmentView{Index: i, Kind: a.Kind, Stored: a.Stored, ContentType: a.ContentType, Size: a.Size, Error: a.Error, ReceivedAt: a.ReceivedAt}
		if a.Stored {
			v.URL = "/api/v1/complaints/" + t.Number + "/attachments/" + strconv.Itoa(i)
		}
		d.AttachmentList = append(d.AttachmentList, v)
	}
	if d.Notes == nil {
		d.Notes = []complaints.Note{}
	}
	if d.Answers == nil {
		d.Answers = []complaints.Answer{}
	}
	if a := t.LatestAnswer(); a != nil {
		del := a.Delivery
		d.Delivery = &del
	}
	return d
}

func parseBool(v string) (*bool, bool) {
	if v == "" {
		return nil, true
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return nil, false
	}
	return &b, true
}

func (h *Handler) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var f complaints.Filter
	if s := q.Get("status"); s != "" {
		f.Status = complaints.Status(s)
		if !f.Status.Valid() {
			jsonapi.WriteError(w, http.StatusBadRequest, jsonapi.CodeInvalid, "status must be one of open, assigned, answered, closed")
			return
		}
	}
	f.Department = strings.TrimSpace(q.Get("department"))
	var ok bool
	if f.Overdue, ok = parseBool(q.Get("overdue")); !ok {
		jsonapi.WriteError(w, http.StatusBadRequest, jsonapi.CodeInvalid, "overdue must be true or false")
		return
	}
	if f.DueSoon, ok = parseBool(q.Get("due_soon")); !ok {
		jsonapi.WriteError(w, http.StatusBadRequest, jsonapi.CodeInvalid, "due_soon must be true or false")
		return
	}
	ts, err := h.svc.List(r.Context(), f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	now := h.clockNow()
	out := make([]Summary, 0, len(ts))
	for i := range ts {
		out = append(out, h.summary(&ts[i], now))
	}
	jsonapi.WriteJSON(w, http.StatusOK, map[string]any{"complaints": out, "count": len(out)})
}

// clockNow is the service's time (its fake clock in tests).
func (h *Handler) clockNow() time.Time { return h.svc.Now() }

func (h *Handler) get(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	t, err := h.svc.Get(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.record(r, "complaint.view", id, "")
	jsonapi.WriteJSON(w, http.StatusOK, h.detail(t, h.clockNow()))
}

func (h *Handler) attachment(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil {
		jsonapi.WriteError(w, http.StatusNotFound, jsonapi.CodeNotFound, "attachment not found")
		return
	}
	a, data, err := h.svc.Media(r.Context(), id, n)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.record(r, "complaint.attachment", id, "attachment="+strconv.Itoa(n))
	ct := a.ContentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(data)
}

// actionBody is every field an action may take.
type actionBody struct {
	Assignee    string   `json:"assignee"`
	Departments []string `json:"departments"`
	Category    string   `json:"category"`
	Text        string   `json:"text"`
	Resolution  string   `json:"resolution"`
	Reason      string   `json:"reason"`
}

func (h *Handler) action(w http.ResponseWriter, r *http.Request) {
	id, action := r.PathValue("id"), r.PathValue("action")
	switch action {
	case "assign", "note", "reply", "close", "reopen":
	default:
		jsonapi.WriteError(w, http.StatusNotFound, jsonapi.CodeNotFound, "unknown action "+action+"; use assign, note, reply, close or reopen")
		return
	}
	var body actionBody
	if r.Body != nil {
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
		if err := dec.Decode(&body); err != nil && !errors.Is(err, io.EOF) {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				jsonapi.WriteError(w, http.StatusRequestEntityTooLarge, jsonapi.CodeTooLarge, "request body too large")
				return
			}
			jsonapi.WriteError(w, http.StatusBadRequest, jsonapi.CodeInvalid, "request body must be a JSON object")
			return
		}
	}
	m, _ := staff.FromContext(r.Context())
	actor := m.Name
	if actor == "" {
		actor = m.ID
	}
	ctx := r.Context()
	var (
		t      *complaints.Ticket
		err    error
		detail string
	)
	switch action {
	case "assign":
		req := complaints.AssignRequest{Assignee: body.Assignee, Departments: body.Departments, Category: body.Category}
		t, err = h.svc.Assign(ctx, id, actor, req)
		detail = req.AuditDetail()
	case "note":
		t, err = h.svc.AddNote(ctx, id, actor, body.Text)
	case "reply":
		t, err = h.svc.Reply(ctx, id, actor, body.Text)
	case "close":
		res := body.Resolution
		if res == "" {
			res = body.Text
		}
		t, err = h.svc.Close(ctx, id, actor, res)
	case "reopen":
		reason := body.Reason
		if reason == "" {
			reason = body.Text
		}
		t, err = h.svc.Reopen(ctx, id, actor, reason)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if a := t.LatestAnswer(); a != nil && (action == "reply" || action == "close") {
		detail = a.DeliveryDetail()
	}
	h.record(r, "complaint."+action, id, detail)
	jsonapi.WriteJSON(w, http.StatusOK, h.detail(t, h.clockNow()))
}

func (h *Handler) report(w http.ResponseWriter, r *http.Request) {
	month := r.URL.Query().Get("month")
	if month == "" {
		month = h.clockNow().Format("2006-01")
	}
	rep, err := h.svc.Report(r.Context(), month)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	jsonapi.WriteJSON(w, http.StatusOK, rep)
}

func (h *Handler) digest(w http.ResponseWriter, r *http.Request) {
	d, err := h.svc.Digest(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	jsonapi.WriteJSON(w, http.StatusOK, d)
}

// record writes an audit entry; a failure is logged (the action already happened).
func (h *Handler) record(r *http.Request, action, target, detail string) {
	if h.aud == nil {
		return
	}
	e := audit.Entry{Action: action, Target: "complaint:" + target, Detail: detail, RemoteAddr: r.RemoteAddr}
	if m, ok := staff.FromContext(r.Context()); ok {
		e.Actor, e.ActorName = m.ID, m.Name
	}
	if err := h.aud.Record(r.Context(), e); err != nil {
		h.log.Error("audit complaint action", zap.String("action", action), zap.String("number", target), zap.Error(err))
	}
}

// fail maps a service error to the contract's error response.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	var ue *complaints.UserError
	switch {
	case errors.Is(err, complaints.ErrNotFound):
		jsonapi.WriteError(w, http.StatusNotFound, jsonapi.CodeNotFound, userMsg(err, ue, "complaint not found"))
	case errors.Is(err, complaints.ErrInvalid):
		jsonapi.WriteError(w, http.StatusBadRequest, jsonapi.CodeInvalid, userMsg(err, ue, "invalid request"))
	case errors.Is(err, complaints.ErrConflict):
		jsonapi.WriteError(w, http.StatusConflict, jsonapi.CodeConflict, userMsg(err, ue, "conflict"))
	case errors.Is(err, store.ErrUnavailable):
		h.log.Error("complaints store unavailable", zap.String("path", r.URL.Path), zap.Error(err))
		jsonapi.WriteError(w, http.StatusServiceUnavailable, jsonapi.CodeUnavailable, "storage is unavailable, try again later")
	default:
		h.log.Error("complaints API", zap.String("path", r.URL.Path), zap.Error(err))
		jsonapi.WriteError(w, http.StatusInternalServerError, jsonapi.CodeInternal, "internal error")
	}
}

func userMsg(err error, ue *complaints.UserError, def string) string {
	if errors.As(err, &ue) {
		return ue.Msg
	}
	return def
}
