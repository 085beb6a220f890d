// Package complaints takes patients' complaints through a guided chat form,
// keeps them as tickets, lets staff assign, answer, close and reopen them,
// delivers staff answers to the patient in WeChat, tracks the feedback
// deadline in working days (5, or 10 when several departments are involved)
// and reports monthly figures.
//
// Privacy: nothing in this package logs complaint text, phone numbers,
// attachments or patients' message text; logs carry ticket numbers only.
package complaints

import (
	"errors"
	"time"
)

// Status is where a ticket stands.
type Status string

// Ticket states.
const (
	StatusOpen     Status = "open"     // received, nobody assigned yet
	StatusAssigned Status = "assigned" // a handler or department is working on it
	StatusAnswered Status = "answered" // staff answered the patient
	StatusClosed   Status = "closed"   // handled, with a resolution
)

// Statuses lists every status in workflow order.
var Statuses = []Status{StatusOpen, StatusAssigned, StatusAnswered, StatusClosed}

// Label is the status as patients and staff read it.
func (s Status) Label() string {
	switch s {
	case StatusOpen:
		return "待处理"
	case StatusAssigned:
		return "处理中"
	case StatusAnswered:
		return "已答复"
	case StatusClosed:
		return "已办结"
	}
	return string(s)
}

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	for _, x := range Statuses {
		if s == x {
			return true
		}
	}
	return false
}

// Complaint categories (the yearly disclosure groups complaints this way). The
// form guesses one from the description; staff may change it when assigning.
const (
	CategoryService     = "服务态度"
	CategoryQuality     = "医疗质量"
	CategoryFees        = "收费问题"
	CategoryProcess     = "就医流程"
	CategoryEnvironment = "环境设施"
	CategoryOther       = "其他"
)

// Categories lists every category.
var Categories = []string{CategoryService, CategoryQuality, CategoryFees, CategoryProcess, CategoryEnvironment, CategoryOther}

// Ratings a patient can give after a ticket is closed.
const (
	RatingSatisfied   = "满意"
	RatingNeutral     = "一般"
	RatingUnsatisfied = "不满意"
)

// Delivery states of an answer sent to the patient.
const (
	DeliveryPending  = "pending"  // not tried yet
	DeliverySent     = "sent"     // WeChat accepted it
	DeliveryRetrying = "retrying" // a transient failure; the background worker retries
	DeliveryFailed   = "failed"   // given up; staff should contact the patient otherwise
)

// Delivery channels.
const (
	ChannelCustom   = "custom"   // customer-service message (48-hour window)
	ChannelTemplate = "template" // template message
)

// Attachment is an image or voice message sent during the form. The media is
// downloaded from WeChat (temporary media expire after 3 days) into the store
// when the ticket is stored; Stored says whether that succeeded.
type Attachment struct {
	Kind        string    `json:"kind"` // "image" or "voice"
	MediaID     string    `json:"media_id"`
	ReceivedAt  time.Time `json:"received_at"`
	Stored      bool      `json:"stored"`
	ContentType string    `json:"content_type,omitempty"`
	Size        int       `json:"size,omitempty"`
	Error       string    `json:"error,omitempty"` // the last download failure (no content)
}

// Note is an internal staff note (never shown to the patient).
type Note struct {
	At   time.Time `json:"at"`
	By   string    `json:"by"`
	Text string    `json:"text"`
}

// Delivery is the outcome of sending one answer to the patient.
type Delivery struct {
	Status   string    `json:"status"`            // DeliveryPending ...
	Channel  string    `json:"channel,omitempty"` // ChannelCustom or ChannelTemplate
	Attempts int       `json:"attempts"`
	Code     int       `json:"code,omitempty"`  // the last WeChat errcode
	Error    string    `json:"error,omitempty"` // the last failure reason
	At       time.Time `json:"at,omitempty"`    // the last attempt
}

// Answer is a message from staff to the patient: an answer or the closing
// resolution.
type Answer struct {
	ID       int       `json:"id"`
	Kind     string    `json:"kind"` // "reply" or "close"
	At       time.Time `json:"at"`
	By       string    `json:"by"`
	Text     string    `json:"text"`
	Delivery Delivery  `json:"delivery"`
}

// Event is one step in a ticket's history, shown to staff.
type Event struct {
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Action string    `json:"action"`
	Detail string    `json:"detail,omitempty"`
}

// Ticket is one complaint.
type Ticket struct {
	Number  string `json:"number"` // TS20261127-0042
	DraftID string `json:"draft_id"`
	OpenID  string `json:"open_id"` // the patient; never shown in the staff API
	Status  Status `json:"status"`

	Description    string       `json:"description"`
	Departments    []string     `json:"departments"`               // matched department names
	DepartmentNote string       `json:"department_note,omitempty"` // the patient's words when no department matched
	When           string       `json:"when,omitempty"`
	Phone          string       `json:"phone,omitempty"`
	Anonymous      bool         `json:"anonymous"`
	Category       string       `json:"category"`
	Attachments    []Attachment `json:"attachments,omitempty"`

	CreatedAt time.Time `json:"created_at"`
	// DueFrom is when the current deadline started: creation, or the latest reopen.
	DueFrom time.Time `json:"due_from"`
	DueAt   time.Time `json:"due_at"`
	// AnsweredAt is the first feedback since DueFrom; nil while the patient waits.
	AnsweredAt *time.Time `json:"answered_at,omitempty"`
	// FirstFeedbackAt is the first feedback ever (for the report).
	FirstFeedbackAt *time.Time `json:"first_feedback_at,omitempty"`
	ClosedAt        *time.Time `json:"closed_at,omitempty"`
	Resolution      string     `json:"resolution,omitempty"`
	Assignee        string     `json:"assignee,omitempty"`

	Notes   []Note   `json:"notes,omitempty"`
	Answers []Answer `json:"answers,omitempty"`
	History []Event  `json:"history,omitempty"`

	Rating   string     `json:"rating,omitempty"`
	RatedAt  *time.Time `json:"rated_at,omitempty"`
	PurgedAt *time.Time `json:"purged_at,omitempty"`
}

// LatestAnswer returns the newest answer to the patient, or nil.
func (t *Ticket) LatestAnswer() *Answer {
	if len(t.Answers) == 0 {
		return nil
	}
	return &t.Answers[len(t.Answers)-1]
}

// DeliveryDetail describes how the answer reached the patient
// ("delivery=sent channel=custom"), as the audit log records it.
func (a *Answer) DeliveryDetail() string {
	detail := "delivery=" + a.Delivery.Status
	if a.Delivery.Channel != "" {
		detail += " channel=" + a.Delivery.Channel
	}
	return detail
}

// Overdue reports whether the patient still waits for feedback after the deadline.
func (t *Ticket) Overdue(now time.Time) bool {
	return t.Status != StatusClosed && t.AnsweredAt == nil && now.After(t.DueAt)
}

// Errors of the service. Every error the service returns for a caller's
// mistake wraps one of these (test with errors.Is); its text is a message fit
// for the API's user. Other errors are internal (store failures wrap
// store.ErrUnavailable).
var (
	ErrNotFound = errors.New("complaint not found")
	ErrInvalid  = errors.New("invalid request")
	ErrConflict = errors.New("conflict with the complaint's state")
)

// UserError is a caller's mistake with a message for the user; it unwraps to
// ErrNotFound, ErrInvalid or ErrConflict.
type UserError struct {
	Kind error
	Msg  string
}

// Error returns the message for the user.
func (e *UserError) Error() string { return e.Msg }

// Unwrap returns the kind.
func (e *UserError) Unwrap() error { return e.Kind }

func invalid(msg string) error  { return &UserError{Kind: ErrInvalid, Msg: msg} }
func conflict(msg string) error { return &UserError{Kind: ErrConflict, Msg: msg} }
func notFound(number string) error {
	return &UserError{Kind: ErrNotFound, Msg: "complaint " + number + " not found"}
}
