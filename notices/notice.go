// Package notices is the hospital's disclosure notices (院务公开): the
// maker-checker workflow from draft to publication, patients' subscriptions by
// category, the push fan-out that sends each published notice once to every
// subscriber, and the chat skill for 订阅 / 退订 / 我的订阅 / 最新公示.
//
// Everything lives in a store.Store, so several instances share notices, jobs
// and subscriptions; state changes use compare-and-swap on the notice record.
package notices

import (
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// DefaultCategories are the notice categories used when none are configured.
var DefaultCategories = []string{"招标采购", "设备采购", "人事任免", "三重一大", "价格调整", "服务公告", "院务公开报告"}

// Shanghai is the hospital's time zone (China has no daylight saving time).
var Shanghai = time.FixedZone("CST", 8*3600)

// State is where a notice is in its workflow.
type State string

// Workflow states.
//
//	draft -> submitted -> (major: reviewed ->) approved -> published -> pushed
//	reject: submitted/reviewed -> draft; withdraw: draft..approved -> withdrawn;
//	retract: published/pushed -> retracted.
const (
	StateDraft     State = "draft"     // being written; only the author edits it
	StateSubmitted State = "submitted" // waiting for a reviewer
	StateReviewed  State = "reviewed"  // major notice approved by a reviewer, waiting for a principal
	StateApproved  State = "approved"  // every approval given, waiting for publish_at
	StatePublished State = "published" // visible in chat; its push job is running
	StatePushed    State = "pushed"    // visible; every subscriber handled
	StateWithdrawn State = "withdrawn" // withdrawn before publication (final)
	StateRetracted State = "retracted" // withdrawn after publication (final); pushing stops
)

// States lists every state, in workflow order.
var States = []State{StateDraft, StateSubmitted, StateReviewed, StateApproved, StatePublished, StatePushed, StateWithdrawn, StateRetracted}

// Valid reports whether s is a known state.
func (s State) Valid() bool {
	for _, v := range States {
		if v == s {
			return true
		}
	}
	return false
}

// Visible reports whether a notice in state s has been published (including
// retracted ones, which chat shows as 已撤回).
func (s State) Visible() bool {
	return s == StatePublished || s == StatePushed || s == StateRetracted
}

// Notice is one disclosure notice.
type Notice struct {
	ID        string     `json:"id"`
	Title     string     `json:"title"`
	Category  string     `json:"category"`
	Summary   string     `json:"summary"`
	Body      string     `json:"body"` // Markdown
	Link      string     `json:"link"`
	Major     bool       `json:"major"`
	PublishAt *time.Time `json:"publish_at,omitempty"`

	State         State      `json:"state"`
	AuthorID      string     `json:"author_id"`
	AuthorName    string     `json:"author_name"`
	ReviewerID    string     `json:"reviewer_id,omitempty"`
	ReviewerName  string     `json:"reviewer_name,omitempty"`
	PrincipalID   string     `json:"principal_id,omitempty"`
	PrincipalName string     `json:"principal_name,omitempty"`
	RejectReason  string     `json:"reject_reason,omitempty"`
	RetractReason string     `json:"retract_reason,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
	PublishedAt   *time.Time `json:"published_at,omitempty"`
	RetractedAt   *time.Time `json:"retracted_at,omitempty"`
	History       []Event    `json:"history"`
}

// Event is one step of a notice's history.
type Event struct {
	At        time.Time `json:"at"`
	Action    string    `json:"action"` // create, edit, submit, approve, reject, withdraw, publish, pushed, retract
	ActorID   string    `json:"actor_id"`
	ActorName string    `json:"actor_name"`
	From      State     `json:"from,omitempty"`
	To        State     `json:"to"`
	Reason    string    `json:"reason,omitempty"`
}

// Date returns the publication date (or creation date when unpublished) in
// Shanghai time, as 2006-01-02.
func (n *Notice) Date() string {
	t := n.CreatedAt
	if n.PublishedAt != nil {
		t = *n.PublishedAt
	}
	return t.In(Shanghai).Format("2006-01-02")
}

// Input is the editable content of a notice. For an update, nil fields are
// left as they are; ClearPublishAt removes a publication time.
type Input struct {
	Title          *string
	Category       *string
	Summary        *string
	Body           *string
	Link           *string
	Major          *bool
	PublishAt      *time.Time
	ClearPublishAt bool
}

// Field limits.
const (
	MaxTitle   = 100
	MaxSummary = 300
	MaxBody    = 50000
	MaxLink    = 1000
	MaxReason  = 500
)

// apply copies in onto n.
func (in Input) apply(n *Notice) {
	if in.Title != nil {
		n.Title = strings.TrimSpace(*in.Title)
	}
	if in.Category != nil {
		n.Category = strings.TrimSpace(*in.Category)
	}
	if in.Summary != nil {
		n.Summary = strings.TrimSpace(*in.Summary)
	}
	if in.Body != nil {
		n.Body = *in.Body
	}
	if in.Link != nil {
		n.Link = strings.TrimSpace(*in.Link)
	}
	if in.Major != nil {
		n.Major = *in.Major
	}
	if in.ClearPublishAt {
		n.PublishAt = nil
	}
	if in.PublishAt != nil {
		t := in.PublishAt.UTC()
		n.PublishAt = &t
	}
}

// validate checks n's content against the categories.
func validate(n *Notice, categories []string) error {
	switch {
	case n.Title == "":
		return errorf(EInvalid, "title is required")
	case utf8.RuneCountInString(n.Title) > MaxTitle:
		return errorf(EInvalid, "title is longer than %d characters", MaxTitle)
	case n.Category == "":
		return errorf(EInvalid, "category is required (one of %s)", strings.Join(categories, ", "))
	case !contains(categories, n.Category):
		return errorf(EInvalid, "unknown category %q (one of %s)", n.Category, strings.Join(categories, ", "))
	case utf8.RuneCountInString(n.Summary) > MaxSummary:
		return errorf(EInvalid, "summary is longer than %d characters", MaxSummary)
	case utf8.RuneCountInString(n.Body) > MaxBody:
		return errorf(EInvalid, "body is longer than %d characters", MaxBody)
	case len(n.Link) > MaxLink:
		return errorf(EInvalid, "link is longer than %d characters", MaxLink)
	}
	if n.Link != "" {
		u, err := url.Parse(n.Link)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return errorf(EInvalid, "link must be an http(s) URL")
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// describe names a state for messages.
func describe(s State) string { return fmt.Sprintf("%q", string(s)) }
