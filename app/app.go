// Package app wires the service together — configuration, store, knowledge,
// bot, skills, WeChat API and HTTP routes — so that main, the tests and the
// eval runner start exactly the same service.
package app

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.uber.org/zap"

	"github.com/hospital/wxbot/clock"
	"github.com/hospital/wxbot/config"
	"github.com/hospital/wxbot/dedup"
	"github.com/hospital/wxbot/handlers"
	"github.com/hospital/wxbot/jsonapi"
	"github.com/hospital/wxbot/knowledge"
	"github.com/hospital/wxbot/knowledge/demo"
	"github.com/hospital/wxbot/store"
	"github.com/hospital/wxbot/store/memstore"
	"github.com/hospital/wxbot/store/remote"
	"github.com/hospital/wxbot/store/tiered"
	"github.com/hospital/wxbot/wxapi"
)

// VolatilePrefixes are the keys an embedded (single-machine) store keeps in
// memory: WeChat dedup ids (when kept in the store; one machine keeps them in
// a dedup.Local), conversation sessions, the customer-service
// window and the marks saying who has a complaint draft. A restart forgets
// them: a WeChat retry in flight may be answered twice, conversations start
// afresh, complaint answers go by template until the patient writes again,
// and each patient's next message looks for a draft in the durable store.
var VolatilePrefixes = []string{"wx:dedup:", "bot:sess:", "complaint:lastseen:", "complaint:mark:"}

// Options are what a caller may replace; zero values mean production defaults.
type Options struct {
	Config *config.Config
	Log    *zap.Logger
	Clock  clock.Clock
	// Store replaces the configured store (tests, eval).
	Store store.Store
	// API replaces the WeChat API client (tests point a real client at a fake).
	API wxapi.API
	// SkipBackground leaves knowledge watching, push workers and schedulers off.
	SkipBackground bool
}

// App is one running service instance.
type App struct {
	Cfg       *config.Config
	Log       *zap.Logger
	Clock     clock.Clock
	Store     store.Store
	API       wxapi.API
	Outbox    *wxapi.Outbox // non-nil in outbox (demo) mode
	Knowledge *knowledge.Repo
	Registry  *prometheus.Registry
	Webhook   *handlers.Webhook
	parts     *parts

	ownStore bool
	bgCancel context.CancelFunc
	bg       sync.WaitGroup
}

// New builds the service: opens the store, loads the hospital's data (the
// configured folder, what the store already has, or the demo hospital), and
// builds the bot and the HTTP handlers.
func New(ctx context.Context, o Options) (*App, error) {
	cfg := o.Config
	if cfg == nil {
		return nil, errors.New("app: no config")
	}
	log := o.Log
	if log == nil {
		log = zap.NewNop()
	}
	clk := o.Clock
	if clk == nil {
		clk = clock.System{}
	}
	a := &App{Cfg: cfg, Log: log, Clock: clk, Registry: prometheus.NewRegistry()}
	a.Registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	a.Store = o.Store
	if a.Store == nil {
		if cfg.Store.Driver == "embedded" {
			if err := absDir(cfg.Store.Path); err != nil {
				return nil, fmt.Errorf("store.path: %w", err)
			}
		}
		st, err := OpenStore(ctx, cfg, log, false)
		if err != nil {
			return nil, err
		}
		if cfg.Store.Driver == "embedded" {
			// One machine: keep minutes-long keys in memory, not one fsync per message.
			st = tiered.New(st, memstore.New(), VolatilePrefixes...)
		}
		a.Store, a.ownStore = st, true
	}

	switch {
	case o.API != nil:
		a.API = o.API
	case cfg.WeChat.Outbox:
		a.Outbox = wxapi.NewOutbox(a.Store, clk)
		a.API = a.Outbox
	default:
		c, err := wxapi.NewClient(wxapi.ClientConfig{
			AppID: cfg.WeChat.AppID, AppSecret: cfg.WeChat.AppSecret, Token: cfg.WeChat.Token,
			EncodingAESKey: cfg.WeChat.EncodingAESKey, BaseURL: cfg.WeChat.APIBaseURL,
		}, a.Store, log.Named("wxapi"))
		if err != nil {
			a.Close()
			return nil, fmt.Errorf("wechat: %w", err)
		}
		a.API = c
	}
	a.API = wxapi.Instrument(a.API, a.Registry)

	a.Knowledge = knowledge.NewRepo(a.Store, log.Named("knowledge"), clk)
	if err := a.loadKnowledge(ctx); err != nil {
		a.Close()
		return nil, err
	}

	p, err := buildParts(ctx, a)
	if err != nil {
		a.Close()
		return nil, err
	}
	a.parts = p

	a.Webhook = handlers.NewWebhook(handlers.WebhookConfig{
		Token: cfg.WeChat.Token, AppID: cfg.WeChat.AppID,
		EncodingAESKey: cfg.WeChat.EncodingAESKey, PreviousEncodingAESKey: cfg.WeChat.PreviousEncodingAESKey,
		MaxClockSkew: cfg.WeChat.MaxClockSkew, ReplyBudget: cfg.WeChat.ReplyBudget, DedupTTL: cfg.WeChat.DedupTTL,
		Dedup: a.dedupSet(),
	}, p.responder, a.Store, a.API, clk, log.Named("webhook"), handlers.NewMetrics(a.Registry))

	if !o.SkipBackground {
		bctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		a.bgCancel = cancel
		a.goBackground(func() { a.Knowledge.Watch(bctx, 2*time.Second) })
		for _, run := range p.background {
			run := run
			a.goBackground(func() { run(bctx) })
		}
	}
	return a, nil
}

func (a *App) goBackground(f func()) {
	a.bg.Add(1)
	go func() {
		defer a.bg.Done()
		f()
	}()
}

// loadKnowledge serves, in order of preference: the configured folder
// (imported as a new version when it differs), what the store holds, or the
// demo hospital.
func (a *App) loadKnowledge(ctx context.Context) error {
	if err := a.Knowledge.Load(ctx); err != nil {
		a.Log.Warn("stored hospital data not readable", zap.Error(err))
	}
	if dir := a.Cfg.Knowledge.Dir; dir != "" {
		if err := a.Knowledge.ImportDir(ctx, dir); err != nil {
			return fmt.Errorf("knowledge.dir %s: %w", dir, err)
		}
		return nil
	}
	if a.Knowledge.Current().Version > 0 {
		return nil
	}
	d, err := knowledge.ParseFS(demo.FS())
	if err != nil {
		return fmt.Errorf("demo hospital data: %w", err)
	}
	d.Hospital = demo.Name()
	if _, err := a.Knowledge.ImportData(ctx, d); err != nil {
		return fmt.Errorf("load demo hospital data: %w", err)
	}
	a.Log.Info("serving the demo hospital's data", zap.String("hospital", d.Hospital))
	return nil
}

// Handler is every HTTP route of the service.
func (a *App) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/wechat", a.Webhook)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		jsonapi.WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", a.ready)
	mux.Handle("GET /metrics", promhttp.HandlerFor(a.Registry, promhttp.HandlerOpts{}))
	if a.Outbox != nil {
		mux.HandleFunc("GET /dev/outbox", a.outbox)
	}
	if a.parts.api != nil {
		mux.Handle("/api/", a.parts.api)
	}
	if a.parts.console != nil {
		mux.Handle("/console/", a.parts.console)
	}
	return withRequestID(a.Log, mux)
}

func (a *App) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := a.Store.Ping(ctx); err != nil {
		jsonapi.WriteError(w, http.StatusServiceUnavailable, jsonapi.CodeUnavailable, "store unreachable")
		return
	}
	d := a.Knowledge.Current()
	if d.Version == 0 {
		jsonapi.WriteError(w, http.StatusServiceUnavailable, jsonapi.CodeUnavailable, "hospital data not loaded")
		return
	}
	jsonapi.WriteJSON(w, http.StatusOK, map[string]any{"status": "ready", "knowledge_version": d.Version})
}

// outbox serves the demo outbox to the chat client: GET /dev/outbox?user=&since=.
func (a *App) outbox(w http.ResponseWriter, r *http.Request) {
	user := r.URL.Query().Get("user")
	if user == "" {
		jsonapi.WriteError(w, http.StatusBadRequest, jsonapi.CodeInvalid, "user is required")
		return
	}
	since := 0
	fmt.Sscan(r.URL.Query().Get("since"), &since)
	msgs, err := a.Outbox.Messages(r.Context(), user, since)
	if err != nil {
		jsonapi.WriteError(w, http.StatusServiceUnavailable, jsonapi.CodeUnavailable, "outbox unreadable")
		return
	}
	jsonapi.WriteJSON(w, http.StatusOK, map[string]any{"messages": msgs})
}

// dedupSet is where WeChat's deliveries are remembered: in memory when this
// instance owns an embedded store (one machine), else in the shared store.
func (a *App) dedupSet() dedup.Set {
	if a.ownStore && a.Cfg.Store.Driver == "embedded" {
		return dedup.NewLocal(a.Clock)
	}
	return dedup.Shared{Store: a.Store}
}

// Close stops background work, waits for late answers and closes the store.
func (a *App) Close() error {
	if a.bgCancel != nil {
		a.bgCancel()
	}
	a.bg.Wait()
	if a.Webhook != nil {
		a.Webhook.Wait()
	}
	if a.ownStore && a.Store != nil {
		return a.Store.Close()
	}
	return nil
}

// Serve runs the HTTP server until ctx ends, then shuts down gracefully within
// the configured timeout. With the embedded store it also offers the store to
// command-line tools on a unix socket next to the file.
func (a *App) Serve(ctx context.Context, ready func(addr string)) error {
	ln, err := net.Listen("tcp", a.Cfg.Server.Addr)
	if err != nil {
		return fmt.Errorf("server.addr %s: %w", a.Cfg.Server.Addr, err)
	}
	srv := &http.Server{Handler: a.Handler(), ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute}
	errc := make(chan error, 2)
	go func() { errc <- srv.Serve(ln) }()

	var sockSrv *http.Server
	if a.Cfg.Store.Driver == "embedded" && a.ownStore {
		sock := SocketPath(a.Cfg)
		_ = os.Remove(sock)
		sl, err := net.Listen("unix", sock)
		if err != nil {
			a.Log.Warn("store socket for command-line tools not available", zap.String("socket", sock), zap.Error(err))
		} else {
			_ = os.Chmod(sock, 0o600)
			sockSrv = &http.Server{Handler: remote.Handler(a.Store), ReadHeaderTimeout: 5 * time.Second}
			go func() { _ = sockSrv.Serve(sl) }()
			defer os.Remove(sock)
		}
	}
	a.Log.Info("listening", zap.String("addr", ln.Addr().String()), zap.Bool("safe_mode", a.Cfg.SafeMode()),
		zap.String("store", a.Cfg.Store.Driver), zap.Bool("outbox", a.Outbox != nil))
	if ready != nil {
		ready(ln.Addr().String())
	}
	select {
	case <-ctx.Done():
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("http server: %w", err)
		}
	}
	timeout := a.Cfg.Server.ShutdownTimeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	sctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	a.Log.Info("shutting down", zap.Duration("timeout", timeout))
	err = srv.Shutdown(sctx)
	if sockSrv != nil {
		_ = sockSrv.Shutdown(sctx)
	}
	return err
}
