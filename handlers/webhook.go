// Package handlers holds the service's HTTP side: the WeChat webhook, health and
// metrics endpoints and the middleware around them. Domain packages provide
// their own admin API handlers; this package mounts them.
package handlers

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/silenceper/wechat/v2/officialaccount"
	oaconfig "github.com/silenceper/wechat/v2/officialaccount/config"
	"github.com/silenceper/wechat/v2/officialaccount/message"
	sdkutil "github.com/silenceper/wechat/v2/util"
	"go.uber.org/zap"

	"github.com/hospital/wxbot/bot"
	"github.com/hospital/wxbot/clock"
	"github.com/hospital/wxbot/dedup"
	"github.com/hospital/wxbot/logging"
	"github.com/hospital/wxbot/store"
	"github.com/hospital/wxbot/wxapi"
)

// MaxBody is the largest webhook body accepted (WeChat's messages are a few KiB).
const MaxBody = 64 << 10

// WebhookConfig is the webhook's share of the configuration.
type WebhookConfig struct {
	Token                  string
	AppID                  string
	EncodingAESKey         string // empty: plaintext mode
	PreviousEncodingAESKey string // accepted during a key rotation
	MaxClockSkew           time.Duration
	ReplyBudget            time.Duration // default 4s
	DedupTTL               time.Duration // default 2m
	// Dedup remembers deliveries (nil: dedup.Shared on the store; no store: none).
	Dedup       dedup.Set
	LateTimeout time.Duration // how long a late answer may take in all; default 30s
}

// Webhook serves GET/POST /wechat on the SDK's official-account server.
type Webhook struct {
	cfg     WebhookConfig
	oa      *officialaccount.OfficialAccount
	oaPrev  *officialaccount.OfficialAccount
	bot     bot.Responder
	store   store.Store
	dedup   dedup.Set
	api     wxapi.API
	clock   clock.Clock
	log     *zap.Logger
	metrics *Metrics
	late    sync.WaitGroup
}

// NewWebhook builds the webhook. st keeps dedup keys (nil: no dedup); api
// delivers answers that were not ready within the reply budget.
func NewWebhook(cfg WebhookConfig, b bot.Responder, st store.Store, api wxapi.API, clk clock.Clock, log *zap.Logger, m *Metrics) *Webhook {
	if cfg.ReplyBudget <= 0 {
		cfg.ReplyBudget = 4 * time.Second
	}
	if cfg.DedupTTL <= 0 {
		cfg.DedupTTL = 2 * time.Minute
	}
	if cfg.LateTimeout <= 0 {
		cfg.LateTimeout = 30 * time.Second
	}
	if clk == nil {
		clk = clock.System{}
	}
	if m == nil {
		m = NewMetrics(nil)
	}
	newOA := func(key string) *officialaccount.OfficialAccount {
		// The webhook needs no access token: no cache, no secret.
		return officialaccount.NewOfficialAccount(&oaconfig.Config{AppID: cfg.AppID, Token: cfg.Token, EncodingAESKey: key, Cache: noCache{}})
	}
	w := &Webhook{cfg: cfg, oa: newOA(cfg.EncodingAESKey), bot: b, store: st, dedup: cfg.Dedup, api: api, clock: clk, log: log, metrics: m}
	if w.dedup == nil && st != nil {
		w.dedup = dedup.Shared{Store: st}
	}
	if cfg.PreviousEncodingAESKey != "" {
		w.oaPrev = newOA(cfg.PreviousEncodingAESKey)
	}
	return w
}

// Wait blocks until every customer-service message sent in the background (a
// transfer's text) has gone out (shutdown). Answers over the reply budget are
// delivered by their request's handler, which the HTTP server's shutdown waits for.
func (h *Webhook) Wait() { h.late.Wait() }

// ServeHTTP answers WeChat.
func (h *Webhook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	log := logging.From(r.Context(), h.log)
	status := h.serve(w, r, log)
	h.metrics.Requests.WithLabelValues(strconv.Itoa(status)).Inc()
}

// refuse writes a plain-text error and logs why.
func refuse(w http.ResponseWriter, log *zap.Logger, status int, reason string, err error) int {
	fields := []zap.Field{zap.Int("status", status), zap.String("reason", reason)}
	if err != nil {
		fields = append(fields, zap.Error(err))
	}
	log.Warn("webhook request refused", fields...)
	http.Error(w, reason, status)
	return status
}

type envelope struct {
	Encrypt string `xml:"Encrypt"`
}

// encryptOf returns the Encrypt element of a safe-mode envelope. WeChat's own
// form (`<Encrypt><![CDATA[base64]]></Encrypt>`, or the base64 as plain
// text) is read directly: encoding/xml reads the ~1 KB of base64 a byte at a
// time, which cost a safe-mode message about 10 µs, and the SDK parses the
// same envelope again anyway. Anything else goes through encoding/xml.
func encryptOf(body []byte) (string, error) {
	if v, ok := quickEncrypt(body); ok {
		return v, nil
	}
	var env envelope
	if err := xml.Unmarshal(body, &env); err != nil {
		return "", err
	}
	return env.Encrypt, nil
}

// quickEncrypt reads the one Encrypt element of body when it holds only
// base64 characters, plainly or in one CDATA section; ok is false for
// anything else.
func quickEncrypt(body []byte) (string, bool) {
	const open, closing = "<Encrypt>", "</Encrypt>"
	rest, ok := bytes.CutPrefix(bytes.TrimSpace(body), []byte("<xml>"))
	if !ok || bytes.Count(body, []byte(open)) != 1 {
		return "", false
	}
	// Before Encrypt, at most WeChat's ToUserName (so Encrypt is a child of <xml>).
	rest = bytes.TrimSpace(rest)
	if to, ok := bytes.CutPrefix(rest, []byte("<ToUserName>")); ok {
		end := bytes.Index(to, []byte("</ToUserName>"))
		if end < 0 {
			return "", false
		}
		name := to[:end]
		if c, ok := bytes.CutPrefix(name, []byte("<![CDATA[")); ok {
			name, _ = bytes.CutSuffix(c, []byte("]]>"))
		}
		if bytes.ContainsAny(name, "<>&]") {
			return "", false
		}
		rest = bytes.TrimSpace(to[end+len("</ToUserName>"):])
	}
	if rest, ok = bytes.CutPrefix(rest, []byte(open)); !ok {
		return "", false
	}
	j := bytes.Index(rest, []byte(closing))
	if j < 0 {
		return "", false
	}
	v := rest[:j]
	if c, ok := bytes.CutPrefix(v, []byte("<![CDATA[")); ok {
		v, ok = bytes.CutSuffix(c, []byte("]]>"))
		if !ok {
			return "", false
		}
	}
	for _, b := range v {
		if !(b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b == '+' || b == '/' || b == '=') {
			return "", false
		}
	}
	return string(v), true
}

func (h *Webhook) serve(w http.ResponseWriter, r *http.Request, log *zap.Logger) int {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		return refuse(w, log, http.StatusMethodNotAllowed, "method not allowed", nil)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return refuse(w, log, http.StatusRequestEntityTooLarge, fmt.Sprintf("body over %d bytes", MaxBody), nil)
		}
		return refuse(w, log, http.StatusBadRequest, "cannot read body", err)
	}
	q := r.URL.Query()
	ts, nonce := q.Get("timestamp"), q.Get("nonce")
	if q.Get("signature") == "" || sdkutil.Signature(h.cfg.Token, ts, nonce) != q.Get("signature") {
		return refuse(w, log, http.StatusUnauthorized, "bad signature", nil)
	}
	if h.cfg.MaxClockSkew > 0 {
		sec, err := strconv.ParseInt(ts, 10, 64)
		if err != nil {
			return refuse(w, log, http.StatusBadRequest, "timestamp is not a number", nil)
		}
		if skew := h.clock.Now().Sub(time.Unix(sec, 0)); skew > h.cfg.MaxClockSkew || skew < -h.cfg.MaxClockSkew {
			return refuse(w, log, http.StatusForbidden, "timestamp outside wechat.max_clock_skew: refused as a replay", nil)
		}
	}
	if r.Method == http.MethodGet {
		echo, ok := q["echostr"]
		if !ok {
			return refuse(w, log, http.StatusBadRequest, "GET without echostr", nil)
		}
		log.Info("webhook handshake answered")
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, echo[0])
		return http.StatusOK
	}

	safe := q.Get("encrypt_type") == "aes"
	oa := h.oa
	if h.cfg.EncodingAESKey != "" && !safe {
		return refuse(w, log, http.StatusUnauthorized, "plaintext message refused: the account is in safe mode", nil)
	}
	if safe {
		if h.cfg.EncodingAESKey == "" {
			return refuse(w, log, http.StatusBadRequest, "encrypted message but no wechat.encoding_aes_key configured", nil)
		}
		encrypt, err := encryptOf(body)
		if err != nil || encrypt == "" {
			return refuse(w, log, http.StatusBadRequest, "malformed encrypted envelope", err)
		}
		if sdkutil.Signature(h.cfg.Token, ts, nonce, encrypt) != q.Get("msg_signature") {
			return refuse(w, log, http.StatusUnauthorized, "bad msg_signature", nil)
		}
		if h.oaPrev != nil {
			// During a rotation pick the key the message was encrypted with; the
			// AppID inside is checked with either key.
			if _, _, err := sdkutil.DecryptMsg(h.cfg.AppID, encrypt, h.cfg.EncodingAESKey); err != nil {
				oa = h.oaPrev
			}
		}
	}

	rec := newBuffer()
	req := r.WithContext(r.Context()) // a shallow copy: the SDK only reads it
	req.Body = io.NopCloser(bytes.NewReader(body))
	srv := oa.GetServer(req, rec)
	// The signature was checked above, before anything was parsed; the SDK's
	// own check would only parse the query three more times.
	srv.SkipValidate(true)
	t := &turn{w: w}
	srv.SetMessageHandler(func(m *message.MixMessage) *message.Reply {
		t.reply = h.handle(r.Context(), log, m, t)
		return t.reply
	})
	err = srv.Serve()
	t.mu.Lock()
	answered := t.answered
	t.mu.Unlock()
	if answered {
		return http.StatusOK // the reply budget's `success` is all WeChat gets
	}
	if err != nil {
		var syn *xml.SyntaxError
		var unm xml.UnmarshalError
		switch {
		case errors.As(err, &syn), errors.As(err, &unm), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
			return refuse(w, log, http.StatusBadRequest, "malformed message XML", err)
		case safe:
			return refuse(w, log, http.StatusUnauthorized, "cannot decrypt: wrong EncodingAESKey or AppID", err)
		default:
			return refuse(w, log, http.StatusBadRequest, "malformed message", err)
		}
	}
	if t.bad != "" {
		return refuse(w, log, http.StatusBadRequest, t.bad, nil)
	}
	if t.reply == nil {
		writeSuccess(w)
		return http.StatusOK
	}
	if err := srv.Send(); err != nil {
		log.Error("webhook reply could not be built", zap.Error(err))
		writeSuccess(w)
		return http.StatusOK
	}
	rec.copyTo(w)
	return http.StatusOK
}

func writeSuccess(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = io.WriteString(w, "success")
}

// turn is what the SDK's message callback tells the HTTP side.
type turn struct {
	bad   string         // a reason to answer 400
	reply *message.Reply // nil: answer `success`

	w        http.ResponseWriter // the real response, for the reply budget's early `success`
	mu       sync.Mutex          // guards w and answered once the budget timer may run
	answered bool                // the budget timer answered `success` already
}

// toMessage converts the SDK's message; ok is false for types and events the
// service ignores.
func toMessage(m *message.MixMessage) (bot.Message, bool) {
	msg := bot.Message{
		UserID:     string(m.FromUserName),
		MsgID:      m.MsgID,
		CreateTime: time.Unix(m.CreateTime, 0),
		MediaID:    m.MediaID,
	}
	switch m.MsgType {
	case message.MsgTypeText:
		msg.Kind, msg.Text = bot.KindText, m.Content
	case message.MsgTypeVoice:
		msg.Kind, msg.Text = bot.KindVoice, m.Recognition
	case message.MsgTypeImage:
		msg.Kind = bot.KindImage
	case message.MsgTypeVideo, message.MsgTypeShortVideo, message.MsgTypeLocation, message.MsgTypeLink:
		msg.Kind = bot.KindOther
	case message.MsgTypeEvent:
		msg.Kind, msg.Event, msg.EventKey = bot.KindEvent, string(m.Event), m.EventKey
		switch msg.Event {
		case bot.EventSubscribe, bot.EventUnsubscribe, bot.EventClick, bot.EventView, bot.EventScan:
		default:
			return msg, false
		}
	default:
		return msg, false
	}
	return msg, true
}

func kindLabel(msg bot.Message) string {
	if msg.Kind == bot.KindEvent {
		return "event:" + msg.Event
	}
	return msg.Kind
}

func dedupKey(msg bot.Message) string {
	if msg.Kind != bot.KindEvent && msg.MsgID != 0 {
		return "wx:dedup:m:" + strconv.FormatInt(msg.MsgID, 10)
	}
	return "wx:dedup:e:" + msg.UserID + ":" + strconv.FormatInt(msg.CreateTime.Unix(), 10) + ":" + msg.Event
}

// handle runs inside the SDK's Serve: dedup, the bot within the reply budget,
// and the passive reply (or nil for `success`).
func (h *Webhook) handle(ctx context.Context, log *zap.Logger, m *message.MixMessage, t *turn) *message.Reply {
	if m.FromUserName == "" || m.MsgType == "" {
		t.bad = "message without FromUserName or MsgType"
		return nil
	}
	msg, ok := toMessage(m)
	if !ok {
		h.metrics.Messages.WithLabelValues("ignored").Inc()
		log.Info("message type or event not handled; answered success", zap.String("msg_type", string(m.MsgType)), zap.String("event", string(m.Event)))
		return nil
	}
	kind := kindLabel(msg)
	h.metrics.Messages.WithLabelValues(kind).Inc()
	log = log.WithLazy(zap.String("kind", kind), zap.Int64("msg_id", msg.MsgID))

	if h.dedup != nil {
		fresh, err := h.dedup.First(ctx, dedupKey(msg), h.cfg.DedupTTL)
		switch {
		case err != nil:
			log.Warn("dedup unavailable; answering without it", zap.Error(err))
		case !fresh:
			h.metrics.DedupHits.Inc()
			log.Info("duplicate delivery dropped")
			return nil
		}
	}
	if h.store != nil {
		if msg.Kind == bot.KindEvent && (msg.Event == bot.EventScan || (msg.Event == bot.EventSubscribe && strings.HasPrefix(msg.EventKey, "qrscene_"))) {
			h.recordScene(ctx, log, msg)
		}
	}

	start := h.clock.Now()
	reply, late := h.answer(ctx, log, msg, start, t)
	if late {
		return nil
	}
	h.metrics.AnswerSeconds.WithLabelValues("passive").Observe(time.Since(start).Seconds())
	return h.passive(ctx, log, msg, reply)
}

// passive turns a bot reply into the SDK reply; a transfer to customer service
// carries its text as a customer-service message.
func (h *Webhook) passive(ctx context.Context, log *zap.Logger, msg bot.Message, reply bot.Reply) *message.Reply {
	if reply.TransferToCS {
		if reply.Text != "" {
			h.deliverLater(log, msg.UserID, reply.Text)
		}
		return &message.Reply{MsgType: message.MsgTypeTransfer, MsgData: message.NewTransferCustomer("")}
	}
	if reply.Text == "" {
		return nil
	}
	return &message.Reply{MsgType: message.MsgTypeText, MsgData: message.NewText(reply.Text)}
}

const (
	statePending int32 = iota
	stateInline
	stateLate
)

// answer runs the bot in the request's goroutine (a goroutine per message
// cost ~10 % of the CPU under load). If it is not done within the reply
// budget, a timer answers WeChat itself: `success`, complete (Content-Length)
// and flushed, so WeChat stops waiting while the bot goes on; the answer then
// goes out as a customer-service message and answer returns late=true. The bot
// gets wechat.late_timeout in all.
func (h *Webhook) answer(ctx context.Context, log *zap.Logger, msg bot.Message, start time.Time, t *turn) (bot.Reply, bool) {
	var state atomic.Int32
	bctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	var deadline *time.Timer // set by the budget timer, under t.mu
	budget := time.AfterFunc(h.cfg.ReplyBudget, func() {
		if !state.CompareAndSwap(statePending, stateLate) {
			return
		}
		t.mu.Lock()
		defer t.mu.Unlock()
		log.Warn("answer not ready within the reply budget; it will be sent as a customer-service message",
			zap.Duration("budget", h.cfg.ReplyBudget))
		writeEarlySuccess(t.w)
		t.answered = true
		deadline = time.AfterFunc(h.cfg.LateTimeout-h.cfg.ReplyBudget, cancel)
	})
	reply, err := h.respond(bctx, log, msg)
	if err != nil {
		log.Error("bot failed", zap.Error(err))
		reply = bot.Reply{Text: msgBusy}
	}
	if state.CompareAndSwap(statePending, stateInline) {
		budget.Stop()
		return reply, false
	}
	// WeChat has its `success` (the timer's write is complete once t.mu is
	// free): deliver now.
	t.mu.Lock()
	if deadline != nil {
		deadline.Stop()
	}
	t.mu.Unlock()
	h.metrics.AnswerSeconds.WithLabelValues("late").Observe(time.Since(start).Seconds())
	if reply.Text != "" {
		sctx, scancel := context.WithTimeout(context.WithoutCancel(ctx), h.cfg.LateTimeout)
		h.send(sctx, log, msg.UserID, reply.Text)
		scancel()
	}
	return bot.Reply{}, true
}

// writeEarlySuccess answers WeChat `success` before the handler is done: with
// its length, flushed, so the answer is complete on the wire at once.
func writeEarlySuccess(w http.ResponseWriter) {
	hdr := w.Header()
	hdr.Set("Content-Type", "text/plain; charset=utf-8")
	hdr.Set("Content-Length", "7")
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, "success")
	_ = http.NewResponseController(w).Flush()
}

// msgBusy is what a patient is told when the bot fails.
const msgBusy = "抱歉，系统暂时繁忙，请稍后再试；也可以回复「人工」联系工作人员。"

// respond runs the bot. A panic on one message (the bot runs outside the
// HTTP server's goroutine, where nothing else would catch it) is logged with
// its stack, never the patient's text, and answered as a failure instead of
// ending the process.
func (h *Webhook) respond(ctx context.Context, log *zap.Logger, msg bot.Message) (r bot.Reply, err error) {
	defer func() {
		if p := recover(); p != nil {
			h.metrics.Panics.Inc()
			log.Error("bot panicked", zap.String("panic", fmt.Sprint(p)), zap.Stack("stack"))
			r, err = bot.Reply{}, fmt.Errorf("bot panicked: %v", p)
		}
	}()
	return h.bot.Respond(ctx, msg)
}

func (h *Webhook) deliverLater(log *zap.Logger, user, text string) {
	h.late.Add(1)
	go func() {
		defer h.late.Done()
		ctx, cancel := context.WithTimeout(context.Background(), h.cfg.LateTimeout)
		defer cancel()
		h.send(ctx, log, user, text)
	}()
}

func (h *Webhook) send(ctx context.Context, log *zap.Logger, user, text string) {
	if h.api == nil {
		log.Error("no WeChat API to deliver a late answer")
		return
	}
	if err := h.api.SendText(ctx, user, text); err != nil {
		log.Error("customer-service message failed", zap.Int("errcode", wxapi.Code(err)), zap.Error(err))
	}
}

func (h *Webhook) recordScene(ctx context.Context, log *zap.Logger, msg bot.Message) {
	scene := strings.TrimPrefix(msg.EventKey, "qrscene_")
	if scene == "" {
		return
	}
	if err := h.store.HSet(ctx, "wx:qrscene:user", msg.UserID, []byte(scene)); err != nil {
		log.Warn("QR scene not recorded", zap.Error(err))
		return
	}
	if _, err := h.store.HIncr(ctx, "wx:qrscene:count", scene, 1); err != nil {
		log.Warn("QR scene not counted", zap.Error(err))
	}
}

// buffer is the ResponseWriter the SDK writes to, so the webhook decides what
// is actually sent (a 400, `success`, or the SDK's reply).
type buffer struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func newBuffer() *buffer { return &buffer{header: http.Header{}} }

func (b *buffer) Header() http.Header { return b.header }
func (b *buffer) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}
func (b *buffer) WriteHeader(s int) { b.status = s }

func (b *buffer) copyTo(w http.ResponseWriter) {
	for k, v := range b.header {
		w.Header()[k] = v
	}
	if b.status == 0 {
		b.status = http.StatusOK
	}
	w.WriteHeader(b.status)
	_, _ = w.Write(b.body.Bytes())
}

// noCache satisfies the SDK's cache for the webhook's account objects, which
// never fetch an access token (outbound calls live in wxapi).
type noCache struct{}

func (noCache) Get(string) interface{}                       { return nil }
func (noCache) Set(string, interface{}, time.Duration) error { return nil }
func (noCache) IsExist(string) bool                          { return false }
func (noCache) Delete(string) error                          { return nil }
