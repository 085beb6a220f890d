// Package bot is the conversation: it normalises a patient's message,
// understands it with the context of the patient's session, and answers from
// the hospital's data or through a skill (complaints, notices).
package bot

import (
	"context"
	"time"
)

// Message kinds.
const (
	KindText  = "text"
	KindVoice = "voice"
	KindImage = "image"
	KindEvent = "event"
	KindOther = "other" // location, link, video ...: answered kindly, never an error
)

// Event names, as WeChat sends them.
const (
	EventSubscribe   = "subscribe"
	EventUnsubscribe = "unsubscribe"
	EventClick       = "CLICK"
	EventView        = "VIEW"
	EventScan        = "SCAN"
)

// Message is one inbound message or event from a patient, independent of the
// WeChat wire format.
type Message struct {
	UserID     string    // the patient's OpenID
	Kind       string    // KindText, KindVoice, KindImage, KindEvent, KindOther
	Text       string    // text content; for voice, WeChat's Recognition (may be empty)
	MediaID    string    // image / voice media id
	Event      string    // for KindEvent
	EventKey   string    // CLICK key, VIEW url, QR scene ("qrscene_xxx" on subscribe)
	MsgID      int64     // 0 for events
	CreateTime time.Time // as sent by WeChat
}

// Reply is what the bot answers. An empty Text with TransferToCS false means
// "nothing to say" (the webhook answers `success`).
type Reply struct {
	Text string
	// TransferToCS asks WeChat to hand the conversation to human customer service
	// (a transfer_customer_service reply).
	TransferToCS bool
}

// Responder answers one message. The webhook depends only on this.
type Responder interface {
	Respond(ctx context.Context, msg Message) (Reply, error)
}

// Turn is what a Skill sees of one message.
type Turn struct {
	Msg Message
	// Norm is the message text normalised (full-width to half-width, lower case,
	// traditional to simplified, spaces and punctuation trimmed).
	Norm string
	// Answer asks the core bot to answer text as a knowledge question (price,
	// process, FAQ ...). ok is false when the bot has no confident answer; a form
	// uses it to answer a question asked in the middle and then repeat its prompt.
	Answer func(ctx context.Context, text string) (r Reply, ok bool)
}

// Skill is a capability plugged into the bot (complaints, subscriptions,
// notices). Skills are asked in order before the core knowledge answers; a skill
// returns handled=false to pass the turn on.
type Skill interface {
	Handle(ctx context.Context, t *Turn) (r Reply, handled bool, err error)
}

// SkillFunc adapts a function to Skill.
type SkillFunc func(ctx context.Context, t *Turn) (Reply, bool, error)

// Handle calls f.
func (f SkillFunc) Handle(ctx context.Context, t *Turn) (Reply, bool, error) { return f(ctx, t) }

// Custom-menu CLICK keys. The default menu (config) uses these; skills match
// the ones they own (KeyComplaint: complaints, KeySubscriptions and KeyNotices:
// notices).
const (
	KeyPrices        = "PRICES"
	KeyProcesses     = "PROCESSES"
	KeySchedules     = "SCHEDULES"
	KeyAppointment   = "APPOINTMENT"
	KeyNotices       = "NOTICES"
	KeySubscriptions = "SUBSCRIPTIONS"
	KeyComplaint     = "COMPLAINT"
	KeyMyComplaints  = "MY_COMPLAINTS"
	KeyHelp          = "HELP"
	KeyHuman         = "HUMAN"
)
