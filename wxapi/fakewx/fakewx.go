// Package fakewx is a fake of WeChat's HTTP API (api.weixin.qq.com) for tests:
// it issues access tokens and checks them, accepts customer-service, template
// and subscribe messages, user info, menu and media calls, records every call,
// and fails on demand with WeChat's error codes.
//
// Point a wxapi.Client at it with ClientConfig{BaseURL: srv.URL()}.
package fakewx

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"time"
)

// API names, identical to the wxapi.API* constants, plus the two token APIs.
const (
	APIToken         = "token"             // GET /cgi-bin/token
	APIStableToken   = "stable_token"      // POST /cgi-bin/stable_token
	APICustomSend    = "custom.send"       // POST /cgi-bin/message/custom/send
	APITemplateSend  = "template.send"     // POST /cgi-bin/message/template/send
	APISubscribeSend = "subscribe.bizsend" // POST /cgi-bin/message/subscribe/bizsend
	APIUserInfo      = "user.info"         // GET /cgi-bin/user/info
	APIMenuCreate    = "menu.create"       // POST /cgi-bin/menu/create
	APIMediaGet      = "media.get"         // GET /cgi-bin/media/get
	// AllAPIs, given to Fail, FailRate or SetLatency, applies to every API.
	AllAPIs = "*"
)

// Message kinds for Sent.
const (
	KindText      = "text"
	KindTemplate  = "template"
	KindSubscribe = "subscribe"
)

// Error codes as WeChat sends them.
const (
	CodeBusy          = -1
	CodeInvalidToken  = 40001
	CodeInvalidOpenID = 40003
	CodeInvalidMedia  = 40007
	CodeInvalidTplID  = 40037
	CodeMissingToken  = 41001
	CodeExpiredToken  = 42001
	CodeNotFollowing  = 43004
	CodeRefused       = 43101
	CodeEmptyContent  = 44004
	CodeDailyQuota    = 45009
	CodeOutsideWindow = 45015
	CodeOverCSCount   = 45047
	CodeDataFormat    = 47001
	CodeNoButton      = 40016
)

var errMsgs = map[int]string{
	CodeBusy:          "system error",
	CodeInvalidToken:  "invalid credential, access_token is invalid or not latest",
	CodeInvalidOpenID: "invalid openid",
	CodeInvalidMedia:  "invalid media_id",
	CodeInvalidTplID:  "invalid template_id",
	CodeMissingToken:  "access_token missing",
	CodeExpiredToken:  "access_token expired",
	CodeNotFollowing:  "require subscribe",
	CodeRefused:       "user refuse to accept the msg",
	CodeEmptyContent:  "empty content",
	CodeDailyQuota:    "reach max api daily quota limit",
	CodeOutsideWindow: "response out of time limit or subscription is canceled",
	CodeOverCSCount:   "out of response count limit",
	CodeDataFormat:    "data format error",
	CodeNoButton:      "invalid button size",
}

// ErrMsg returns the errmsg the fake answers with code.
func ErrMsg(code int) string {
	if m, ok := errMsgs[code]; ok {
		return m
	}
	return fmt.Sprintf("error %d", code)
}

// Call is one request the fake answered.
type Call struct {
	API    string
	ToUser string         // touser of a message, openid of user.info
	Body   map[string]any // the decoded JSON body (nil for GET or bad JSON)
	Raw    []byte         // the raw body
	Query  url.Values     // the query, access_token removed
	Code   int            // errcode answered (0 = success)
	Status int            // HTTP status answered
	Time   time.Time
}

// Text returns the text of a customer-service text message ("" otherwise).
func (c Call) Text() string {
	t, _ := c.Body["text"].(map[string]any)
	s, _ := t["content"].(string)
	return s
}

// Data returns the template/subscribe data as field -> value.
func (c Call) Data() map[string]string {
	d, _ := c.Body["data"].(map[string]any)
	out := make(map[string]string, len(d))
	for k, v := range d {
		item, _ := v.(map[string]any)
		s, _ := item["value"].(string)
		out[k] = s
	}
	return out
}

type tokenState struct {
	expires     time.Time
	invalidated bool
}

type failRule struct {
	code      int // errcode; 0 when status is set
	status    int // HTTP status instead of an errcode
	remaining int
}

type rateRule struct {
	code     int
	fraction float64
	rng      *mrand.Rand
}

type userKey struct{ api, user string }

type mediaItem struct {
	contentType string
	data        []byte
}

// Server is the fake WeChat API server. Every method is safe for concurrent use.
type Server struct {
	srv *httptest.Server

	mu          sync.Mutex
	calls       []Call
	tokens      map[string]*tokenState
	stable      string // the current stable token
	plain       string // the current /cgi-bin/token token
	tokenTTL    time.Duration
	fails       map[string][]*failRule
	failFor     map[userKey]int
	rates       map[string]*rateRule
	latency     map[string]time.Duration
	media       map[string]mediaItem
	unfollowed  map[string]bool
	nicknames   map[string]string
	nextMsgID   int64
	menu        []byte
	tokenIssued int
}

// New starts a fake server on a local port. Close it when done.
func New() *Server {
	s := &Server{
		tokens:     make(map[string]*tokenState),
		tokenTTL:   7200 * time.Second,
		fails:      make(map[string][]*failRule),
		failFor:    make(map[userKey]int),
		rates:      make(map[string]*rateRule),
		latency:    make(map[string]time.Duration),
		media:      make(map[string]mediaItem),
		unfollowed: make(map[string]bool),
		nicknames:  make(map[string]string),
		nextMsgID:  1000,
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /cgi-bin/token", s.handleToken)
	mux.HandleFunc("POST /cgi-bin/stable_token", s.handleStableToken)
	mux.HandleFunc("POST /cgi-bin/message/custom/send", s.authed(APICustomSend, s.handleCustomSend))
	mux.HandleFunc("POST /cgi-bin/message/template/send", s.authed(APITemplateSend, s.handleTemplateSend))
	mux.HandleFunc("POST /cgi-bin/message/subscribe/bizsend", s.authed(APISubscribeSend, s.handleSubscribeSend))
	mux.HandleFunc("GET /cgi-bin/user/info", s.authed(APIUserInfo, s.handleUserInfo))
	mux.HandleFunc("POST /cgi-bin/menu/create", s.authed(APIMenuCreate, s.handleMenuCreate))
	mux.HandleFunc("GET /cgi-bin/media/get", s.authed(APIMediaGet, s.handleMediaGet))
	s.srv = httptest.NewServer(mux)
	return s
}

// URL is the server's base URL (use as wxapi.ClientConfig.BaseURL).
func (s *Server) URL() string { return s.srv.URL }

// Close shuts the server down.
func (s *Server) Close() { s.srv.Close() }

// ---- configuration and injection ----

// Fail makes the next times calls to api (AllAPIs: any API) answer code.
// Rules queue up in the order given.
func (s *Server) Fail(api string, code int, times int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fails[api] = append(s.fails[api], &failRule{code: code, remaining: times})
}

// FailStatus makes the next times calls to api answer the HTTP status (e.g. 502)
// with no JSON body, as a broken proxy would.
func (s *Server) FailStatus(api string, status int, times int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fails[api] = append(s.fails[api], &failRule{status: status, remaining: times})
}

// FailFor makes every call to api for toUser answer code (e.g. 43004, 43101,
// 45015); code 0 removes the rule.
func (s *Server) FailFor(api, toUser string, code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if code == 0 {
		delete(s.failFor, userKey{api, toUser})
		return
	}
	s.failFor[userKey{api, toUser}] = code
}

// FailRate makes a fraction (0..1) of calls to api (AllAPIs: any API) answer
// code, chosen by a random source seeded with seed (repeatable). Fraction 0
// removes the rule.
func (s *Server) FailRate(api string, code int, fraction float64, seed uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if fraction <= 0 {
		delete(s.rates, api)
		return
	}
	s.rates[api] = &rateRule{code: code, fraction: fraction, rng: mrand.New(mrand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

// SetLatency delays every answer of api (AllAPIs: any API) by d; 0 removes it.
func (s *Server) SetLatency(api string, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d <= 0 {
		delete(s.latency, api)
		return
	}
	s.latency[api] = d
}

// SetTokenTTL sets expires_in of tokens issued from now on (default 7200 s).
func (s *Server) SetTokenTTL(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokenTTL = d
}

// InvalidateTokens makes every token issued so far invalid (40001), as when the
// account's secret is reset or a token is rotated.
func (s *Server) InvalidateTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.tokens {
		t.invalidated = true
	}
}

// ExpireTokens makes every token issued so far expired (42001).
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	past := time.Now().Add(-time.Second)
	for _, t := range s.tokens {
		t.expires = past
	}
}

// Tokens returns every access token issued so far (to check none leaks).
func (s *Server) Tokens() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.tokens))
	for t := range s.tokens {
		out = append(out, t)
	}
	return out
}

// TokensIssued returns how many tokens the server has handed out.
func (s *Server) TokensIssued() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokenIssued
}

// AddMedia registers a temporary media file served by /cgi-bin/media/get.
func (s *Server) AddMedia(id, contentType string, data []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.media[id] = mediaItem{contentType: contentType, data: append([]byte(nil), data...)}
}

// Unfollow marks openID as not following: messages to them answer 43004 and
// user.info says subscribe 0. Follow undoes it.
func (s *Server) Unfollow(openID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.unfollowed[openID] = true
}

// Follow marks openID as following again.
func (s *Server) Follow(openID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.unfollowed, openID)
}

// SetNickname sets the nickname user.info answers for openID (default 微信用户).
func (s *Server) SetNickname(openID, nickname string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nicknames[openID] = nickname
}

// Menu returns the last menu JSON created (nil if none).
func (s *Server) Menu() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]byte(nil), s.menu...)
}

// Reset forgets recorded calls and every injected failure and latency (tokens,
// media and followers stay).
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = nil
	s.fails = make(map[string][]*failRule)
	s.failFor = make(map[userKey]int)
	s.rates = make(map[string]*rateRule)
	s.latency = make(map[string]time.Duration)
}

// ---- inspection ----

// Calls returns every recorded call to api ("" or AllAPIs: all), oldest first.
func (s *Server) Calls(api string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if api == "" || api == AllAPIs || c.API == api {
			out = append(out, c)
		}
	}
	return out
}

// Sent returns the messages of kind (KindText, KindTemplate, KindSubscribe)
// that WeChat accepted, oldest first.
func (s *Server) Sent(kind string) []Call {
	api := map[string]string{KindText: APICustomSend, KindTemplate: APITemplateSend, KindSubscribe: APISubscribeSend}[kind]
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if c.API != api || c.Code != 0 || c.Status != http.StatusOK {
			continue
		}
		if kind == KindText && c.Body["msgtype"] != "text" {
			continue
		}
		out = append(out, c)
	}
	return out
}

// TextsTo returns the texts of accepted customer-service messages to openID.
func (s *Server) TextsTo(openID string) []string {
	var out []string
	for _, c := range s.Sent(KindText) {
		if c.ToUser == openID {
			out = append(out, c.Text())
		}
	}
	return out
}

// ---- handlers ----

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; encoding=utf-8")
	_ = json.NewEncoder(w).Encode(v)
}

func writeErr(w http.ResponseWriter, code int) {
	writeJSON(w, map[string]any{"errcode": code, "errmsg": ErrMsg(code)})
}

// sleep waits for the latency configured for api, or until the client gives up.
func (s *Server) sleep(ctx context.Context, api string) {
	s.mu.Lock()
	d := s.latency[api]
	if d == 0 {
		d = s.latency[AllAPIs]
	}
	s.mu.Unlock()
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// injected returns the failure to answer for this call: an errcode or an HTTP
// status (0, 0 for none). Caller holds s.mu.
func (s *Server) injectedLocked(api, toUser string) (code, status int) {
	for _, key := range []string{api, AllAPIs} {
		q := s.fails[key]
		for len(q) > 0 && q[0].remaining <= 0 {
			q = q[1:]
		}
		if len(q) > 0 {
			q[0].remaining--
			s.fails[key] = q
			return q[0].code, q[0].status
		}
		s.fails[key] = q
	}
	if toUser != "" {
		if c, ok := s.failFor[userKey{api, toUser}]; ok {
			return c, 0
		}
	}
	for _, key := range []string{api, AllAPIs} {
		if r, ok := s.rates[key]; ok && r.rng.Float64() < r.fraction {
			return r.code, 0
		}
	}
	return 0, 0
}

func (s *Server) record(c Call) {
	c.Time = time.Now()
	s.mu.Lock()
	s.calls = append(s.calls, c)
	s.mu.Unlock()
}

func (s *Server) newTokenLocked() string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	t := "FAKETOKEN_" + hex.EncodeToString(b[:])
	s.tokens[t] = &tokenState{expires: time.Now().Add(s.tokenTTL)}
	s.tokenIssued++
	return t
}

func (s *Server) usableLocked(t string) bool {
	st, ok := s.tokens[t]
	return ok && !st.invalidated && time.Now().Before(st.expires)
}

func (s *Server) issue(w http.ResponseWriter, call Call, api string, stable, force bool) {
	s.mu.Lock()
	code, status := s.injectedLocked(api, "")
	var token string
	var ttl time.Duration
	if code == 0 && status == 0 {
		cur := &s.plain
		if stable {
			cur = &s.stable
		}
		if !stable && *cur != "" {
			// A new /cgi-bin/token token replaces the previous one.
			if st, ok := s.tokens[*cur]; ok {
				st.invalidated = true
			}
		}
		if !stable || force || !s.usableLocked(*cur) {
			*cur = s.newTokenLocked()
		}
		token = *cur
		ttl = time.Until(s.tokens[token].expires)
	}
	s.mu.Unlock()
	call.Code, call.Status = code, http.StatusOK
	if status != 0 {
		call.Status = status
		s.record(call)
		w.WriteHeader(status)
		return
	}
	s.record(call)
	if code != 0 {
		writeErr(w, code)
		return
	}
	writeJSON(w, map[string]any{"access_token": token, "expires_in": int64((ttl + time.Second/2) / time.Second)})
}

func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	s.sleep(r.Context(), APIToken)
	q := r.URL.Query()
	q.Del("secret")
	s.issue(w, Call{API: APIToken, Query: q}, APIToken, false, false)
}

func (s *Server) handleStableToken(w http.ResponseWriter, r *http.Request) {
	raw, body := readBody(r)
	s.sleep(r.Context(), APIStableToken)
	delete(body, "secret")
	force, _ := body["force_refresh"].(bool)
	call := Call{API: APIStableToken, Body: body, Query: r.URL.Query()}
	if body == nil || body["appid"] == nil || body["grant_type"] != "client_credential" {
		call.Raw, call.Code, call.Status = raw, CodeDataFormat, http.StatusOK
		s.record(call)
		writeErr(w, CodeDataFormat)
		return
	}
	s.issue(w, call, APIStableToken, true, force)
}

func readBody(r *http.Request) ([]byte, map[string]any) {
	raw, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return raw, nil
	}
	return raw, m
}

// handler answers one authenticated API call: it returns the errcode and, for
// success, the JSON to send (nil: the handler wrote the response itself).
type handler func(w http.ResponseWriter, r *http.Request, c *Call) (code int, resp any)

// authed wraps h with latency, token checks, recording and failure injection.
func (s *Server) authed(api string, h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		token := q.Get("access_token")
		q.Del("access_token")
		c := Call{API: api, Query: q, Status: http.StatusOK}
		if r.Method == http.MethodPost {
			c.Raw, c.Body = readBody(r)
			c.ToUser, _ = c.Body["touser"].(string)
		} else {
			c.ToUser = q.Get("openid")
		}
		// Sleep after reading the body: only then does net/http notice a client
		// that hung up (and cancel r.Context()).
		s.sleep(r.Context(), api)

		s.mu.Lock()
		code, status := 0, 0
		switch st, ok := s.tokens[token]; {
		case token == "":
			code = CodeMissingToken
		case !ok || st.invalidated:
			code = CodeInvalidToken
		case !time.Now().Before(st.expires):
			code = CodeExpiredToken
		default:
			code, status = s.injectedLocked(api, c.ToUser)
		}
		if code == 0 && status == 0 && c.ToUser != "" && s.unfollowed[c.ToUser] && api != APIUserInfo {
			code = CodeNotFollowing
		}
		s.mu.Unlock()

		if status != 0 {
			c.Status = status
			s.record(c)
			w.WriteHeader(status)
			return
		}
		if code != 0 {
			c.Code = code
			s.record(c)
			writeErr(w, code)
			return
		}
		code, resp := h(w, r, &c)
		c.Code = code
		s.record(c)
		switch {
		case code != 0:
			writeErr(w, code)
		case resp != nil:
			writeJSON(w, resp)
		}
	}
}

func okResp(extra map[string]any) map[string]any {
	out := map[string]any{"errcode": 0, "errmsg": "ok"}
	for k, v := range extra {
		out[k] = v
	}
	return out
}

// checkSend returns the errcode WeChat answers a send with no body, no
// recipient or, when templated, no template_id; 0 when none is missing.
func checkSend(c *Call, templated bool) int {
	if c.Body == nil {
		return CodeDataFormat
	}
	if c.ToUser == "" {
		return CodeInvalidOpenID
	}
	if id, _ := c.Body["template_id"].(string); templated && id == "" {
		return CodeInvalidTplID
	}
	return 0
}

func (s *Server) handleCustomSend(_ http.ResponseWriter, _ *http.Request, c *Call) (int, any) {
	if code := checkSend(c, false); code != 0 {
		return code, nil
	}
	if c.Body["msgtype"] == "text" && c.Text() == "" {
		return CodeEmptyContent, nil
	}
	return 0, okResp(nil)
}

func (s *Server) handleTemplateSend(_ http.ResponseWriter, _ *http.Request, c *Call) (int, any) {
	if code := checkSend(c, true); code != 0 {
		return code, nil
	}
	s.mu.Lock()
	s.nextMsgID++
	id := s.nextMsgID
	s.mu.Unlock()
	return 0, okResp(map[string]any{"msgid": id})
}

func (s *Server) handleSubscribeSend(_ http.ResponseWriter, _ *http.Request, c *Call) (int, any) {
	if code := checkSend(c, true); code != 0 {
		return code, nil
	}
	return 0, okResp(nil)
}

func (s *Server) handleUserInfo(_ http.ResponseWriter, _ *http.Request, c *Call) (int, any) {
	if c.ToUser == "" {
		return CodeInvalidOpenID, nil
	}
	s.mu.Lock()
	unfollowed := s.unfollowed[c.ToUser]
	nick, hasNick := s.nicknames[c.ToUser]
	s.mu.Unlock()
	if unfollowed {
		return 0, map[string]any{"subscribe": 0, "openid": c.ToUser}
	}
	if !hasNick {
		nick = "微信用户"
	}
	return 0, map[string]any{
		"subscribe": 1, "openid": c.ToUser, "nickname": nick, "language": "zh_CN",
		"subscribe_time": 1700000000, "unionid": "union_" + c.ToUser,
	}
}

func (s *Server) handleMenuCreate(_ http.ResponseWriter, _ *http.Request, c *Call) (int, any) {
	if c.Body == nil {
		return CodeDataFormat, nil
	}
	if b, _ := c.Body["button"].([]any); len(b) == 0 || len(b) > 3 {
		return CodeNoButton, nil
	}
	s.mu.Lock()
	s.menu = append([]byte(nil), c.Raw...)
	s.mu.Unlock()
	return 0, okResp(nil)
}

func (s *Server) handleMediaGet(w http.ResponseWriter, _ *http.Request, c *Call) (int, any) {
	id := c.Query.Get("media_id")
	s.mu.Lock()
	m, found := s.media[id]
	s.mu.Unlock()
	if !found {
		return CodeInvalidMedia, nil
	}
	w.Header().Set("Content-Type", m.contentType)
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", id))
	_, _ = w.Write(m.data)
	return 0, nil
}
