package bot

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"go.uber.org/zap"

	"github.com/hospital/wxbot/clock"
	"github.com/hospital/wxbot/knowledge"
	"github.com/hospital/wxbot/search"
	"github.com/hospital/wxbot/store"
	"github.com/hospital/wxbot/textnorm"
)

// Options configures a Bot.
type Options struct {
	// Store keeps sessions and unanswered questions. Failures are logged and
	// the bot answers what needs no session.
	Store store.Store
	// Knowledge returns the current data (called on every message; the bot
	// re-indexes when Data.Version changes).
	Knowledge func() *knowledge.Data
	// Skills are asked in order before the core answers.
	Skills []Skill
	// Clock tells the time for 今天 / 明天 (default: system clock).
	Clock clock.Clock
	// Logger receives structured logs (default: no logging). Patients' text
	// is never logged.
	Logger *zap.Logger
	// Hospital is the hospital's name for greetings (default: Data.Hospital).
	Hospital string
}

// Bot answers patients' messages from the hospital's data. It implements
// Responder and is safe for concurrent use.
type Bot struct {
	opts Options
	log  *zap.Logger

	mu      sync.Mutex
	idx     *search.Index
	idxData *knowledge.Data
	idxVer  int64
	memo    *replyMemo // answers on idx

	norms *lru.Cache[string, string] // normalised forms of recent messages
}

var _ Responder = (*Bot)(nil)

// New returns a Bot.
func New(opts Options) *Bot {
	if opts.Clock == nil {
		opts.Clock = clock.System{}
	}
	if opts.Logger == nil {
		opts.Logger = zap.NewNop()
	}
	if opts.Knowledge == nil {
		opts.Knowledge = func() *knowledge.Data { return &knowledge.Data{} }
	}
	norms, err := lru.New[string, string](memoEntries)
	if err != nil {
		panic(err) // only for a size <= 0
	}
	return &Bot{opts: opts, log: opts.Logger.With(zap.String("component", "bot")), norms: norms}
}

// index returns the search index of the current data, rebuilding it once per
// data version.
func (b *Bot) index() *search.Index {
	d := b.opts.Knowledge()
	if d == nil {
		d = &knowledge.Data{}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.idx != nil && (b.idxData == d || (d.Version != 0 && b.idxVer == d.Version)) {
		return b.idx
	}
	start := time.Now()
	b.idx = search.Build(d)
	b.idxData, b.idxVer = d, d.Version
	b.memo = newReplyMemo(b.idx)
	b.log.Info("knowledge indexed", zap.Int64("version", d.Version), zap.Int("prices", len(d.Prices)),
		zap.Duration("took", time.Since(start)))
	return b.idx
}

// Respond answers one message. Skills see every message and event first
// (a complaint form takes an image as an attachment; every message keeps a
// skill's 48-hour window); the bot answers what no skill handled.
func (b *Bot) Respond(ctx context.Context, msg Message) (Reply, error) {
	x := b.index()
	switch msg.Kind {
	case KindEvent:
		return b.event(ctx, x, msg)
	case KindText:
		return b.text(ctx, x, msg)
	case KindVoice:
		if strings.TrimSpace(msg.Text) != "" {
			return b.text(ctx, x, msg)
		}
	}
	if r, handled, err := b.runSkills(ctx, x, msg, textnorm.Normalize(msg.Text)); handled || err != nil {
		return r, err
	}
	switch msg.Kind {
	case KindVoice:
		return Reply{Text: "抱歉，没有听清您的语音。请直接打字提问，例如「血常规多少钱」「儿科周六有门诊吗」，或点击下方菜单。"}, nil
	case KindImage:
		return Reply{Text: "收到您的图片。目前我只能看懂文字，请用文字描述您的问题，例如「胃镜多少钱」「怎么挂号」；需要帮助请回复「人工」。"}, nil
	default:
		return Reply{Text: "收到。目前我只能回答文字问题，例如「血常规多少钱」「住院流程」；回复「帮助」查看能问什么。"}, nil
	}
}

// event answers a menu click or a follow, after offering it to the skills.
func (b *Bot) event(ctx context.Context, x *search.Index, msg Message) (Reply, error) {
	if r, handled, err := b.runSkills(ctx, x, msg, ""); handled || err != nil {
		return r, err
	}
	switch msg.Event {
	case EventSubscribe:
		return Reply{Text: b.welcome(x, true)}, nil
	case EventClick:
		switch msg.EventKey {
		case KeyPrices:
			return Reply{Text: "请直接发送项目或药品名称询问价格，例如「血常规多少钱」「头颅CT多少钱」「阿莫西林价格」。"}, nil
		case KeyProcesses:
			return Reply{Text: b.processMenu(x)}, nil
		case KeySchedules:
			return Reply{Text: "请发送科室或医生加日期询问出诊，例如「儿科周六有门诊吗」「张医生哪天出诊」。"}, nil
		case KeyAppointment:
			text, _ := b.appointment(x, &session{}, -1)
			return Reply{Text: text}, nil
		case KeyHuman:
			return Reply{Text: b.human(x), TransferToCS: true}, nil
		default:
			return Reply{Text: b.welcome(x, false)}, nil
		}
	default:
		// VIEW, unsubscribe, scan ...: nothing to say.
		return Reply{}, nil
	}
}

// runSkills offers the turn to every skill in order.
func (b *Bot) runSkills(ctx context.Context, x *search.Index, msg Message, norm string) (Reply, bool, error) {
	if len(b.opts.Skills) == 0 {
		return Reply{}, false, nil
	}
	turn := &Turn{Msg: msg, Norm: norm}
	turn.Answer = func(ctx context.Context, text string) (Reply, bool) {
		n := textnorm.Query(text)
		if formReply(n) {
			return Reply{}, false
		}
		s, err := loadSession(ctx, b.opts.Store, msg.UserID)
		if err != nil {
			b.log.Warn("session unavailable", zap.Error(err))
		}
		out, ok := b.answer(x, s, text, n, b.opts.Clock.Now())
		if !ok {
			return Reply{}, false
		}
		if err == nil {
			if err := saveSession(ctx, b.opts.Store, msg.UserID, s); err != nil {
				b.log.Warn("session not saved", zap.Error(err))
			}
		}
		return Reply{Text: out.text, TransferToCS: out.transfer}, true
	}
	for i, sk := range b.opts.Skills {
		r, handled, err := sk.Handle(ctx, turn)
		if err != nil {
			b.log.Error("skill failed", zap.Int("skill", i), zap.Error(err))
			if handled {
				return Reply{Text: "抱歉，系统暂时繁忙，请稍后再试；也可以回复「人工」联系工作人员。"}, true, nil
			}
			continue
		}
		if handled {
			return r, true, nil
		}
	}
	return Reply{}, false, nil
}

// normalize is textnorm.Normalize, remembered for recent messages (the same
// questions come again and again; normalising costs more than the lookup).
func (b *Bot) normalize(text string) string {
	if len(text) > memoMaxText {
		return textnorm.Normalize(text)
	}
	if n, ok := b.norms.Get(text); ok {
		return n
	}
	n := textnorm.Normalize(text)
	b.norms.Add(text, n)
	return n
}

// text answers a text (or recognised voice) message.
func (b *Bot) text(ctx context.Context, x *search.Index, msg Message) (Reply, error) {
	norm := b.normalize(msg.Text)
	if r, handled, err := b.runSkills(ctx, x, msg, norm); handled || err != nil {
		return r, err
	}
	raw, err := loadSessionRaw(ctx, b.opts.Store, msg.UserID)
	storeOK := err == nil
	if err != nil {
		b.log.Warn("session unavailable; answering without context", zap.Error(err))
	}
	out, ok, after := b.memoAnswer(x, raw, msg.Text, norm, b.opts.Clock.Now())
	if storeOK && after != nil {
		if err := saveSessionRaw(ctx, b.opts.Store, msg.UserID, after); err != nil {
			b.log.Warn("session not saved", zap.Error(err))
		}
	}
	if !ok && out.record != "" {
		if err := recordUnanswered(ctx, b.opts.Store, out.record, b.opts.Clock.Now()); err != nil && !errors.Is(err, errNoStore) {
			b.log.Warn("unanswered question not recorded", zap.Error(err))
		}
	}
	return Reply{Text: out.text, TransferToCS: out.transfer}, nil
}
