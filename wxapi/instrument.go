package wxapi

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Values of the errcode label besides WeChat's numeric codes.
const (
	labelOK        = "0"         // the call succeeded
	labelTransport = "transport" // *Error with Code 0: timeout, refused connection, bad response
	labelOther     = "error"     // an error that is not *Error
)

type instrumented struct {
	next  API
	calls *prometheus.CounterVec
	secs  *prometheus.HistogramVec
}

var _ API = (*instrumented)(nil)

// Instrument wraps api with Prometheus metrics registered on reg:
// wxbot_wechat_calls_total{api, errcode} (errcode "0" on success, "transport" for
// a transport failure, else WeChat's errcode) and the latency histogram
// wxbot_wechat_call_seconds{api}. Wrapping twice with the same registry reuses
// the registered collectors. A nil reg registers nothing.
func Instrument(api API, reg prometheus.Registerer) API {
	calls := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "wxbot_wechat_calls_total",
		Help: "Outbound WeChat API calls by API and WeChat errcode (0 = success, transport = no answer).",
	}, []string{"api", "errcode"})
	secs := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "wxbot_wechat_call_seconds",
		Help:    "Latency of outbound WeChat API calls.",
		Buckets: []float64{0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10},
	}, []string{"api"})
	if reg != nil {
		calls = registerOrReuse(reg, calls)
		secs = registerOrReuse(reg, secs)
	}
	return &instrumented{next: api, calls: calls, secs: secs}
}

func registerOrReuse[C prometheus.Collector](reg prometheus.Registerer, c C) C {
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(C); ok {
				return existing
			}
		}
		panic("wxapi: register metrics: " + err.Error())
	}
	return c
}

func (m *instrumented) observe(api string, start time.Time, err error) {
	m.secs.WithLabelValues(api).Observe(time.Since(start).Seconds())
	m.calls.WithLabelValues(api, errcodeLabel(err)).Inc()
}

func errcodeLabel(err error) string {
	if err == nil {
		return labelOK
	}
	var e *Error
	if !errors.As(err, &e) {
		return labelOther
	}
	if e.Code == 0 {
		return labelTransport
	}
	return strconv.Itoa(e.Code)
}

func (m *instrumented) SendText(ctx context.Context, openID, text string) error {
	start := time.Now()
	err := m.next.SendText(ctx, openID, text)
	m.observe(APICustomSend, start, err)
	return err
}

func (m *instrumented) SendTemplate(ctx context.Context, msg TemplateMessage) (int64, error) {
	start := time.Now()
	id, err := m.next.SendTemplate(ctx, msg)
	m.observe(APITemplateSend, start, err)
	return id, err
}

func (m *instrumented) SendSubscribe(ctx context.Context, msg SubscribeMessage) error {
	start := time.Now()
	err := m.next.SendSubscribe(ctx, msg)
	m.observe(APISubscribeSend, start, err)
	return err
}

func (m *instrumented) UserInfo(ctx context.Context, openID string) (UserInfo, error) {
	start := time.Now()
	info, err := m.next.UserInfo(ctx, openID)
	m.observe(APIUserInfo, start, err)
	return info, err
}

func (m *instrumented) CreateMenu(ctx context.Context, menuJSON []byte) error {
	start := time.Now()
	err := m.next.CreateMenu(ctx, menuJSON)
	m.observe(APIMenuCreate, start, err)
	return err
}

func (m *instrumented) GetMedia(ctx context.Context, mediaID string) (Media, error) {
	start := time.Now()
	media, err := m.next.GetMedia(ctx, mediaID)
	m.observe(APIMediaGet, start, err)
	return media, err
}
