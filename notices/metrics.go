package notices

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

// Send results, the "result" label of wxbot_push_sends_total.
const (
	ResultSent    = "sent"    // delivered
	ResultFailed  = "failed"  // given up: recorded failed with the code
	ResultSkipped = "skipped" // 43004 / 43101 / unsubscribed: recorded skipped
	ResultRetry   = "retry"   // a transient error; the send is tried again
	ResultPaused  = "paused"  // 45009: the job pauses, the recipient stays pending
)

// Metrics are the push fan-out's Prometheus metrics.
type Metrics struct {
	sends *prometheus.CounterVec
}

// NewMetrics creates the metrics and registers them with reg (nil: not
// registered). Registering twice on one registry reuses the first collector.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	sends := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "wxbot_push_sends_total",
		Help: "Notice push send attempts by result (sent, failed, skipped, retry, paused) and WeChat errcode (0 = success, timeout = transport failure).",
	}, []string{"result", "errcode"})
	if reg != nil {
		if err := reg.Register(sends); err != nil {
			var are prometheus.AlreadyRegisteredError
			if !errors.As(err, &are) {
				return nil, err
			}
			existing, ok := are.ExistingCollector.(*prometheus.CounterVec)
			if !ok {
				return nil, err
			}
			sends = existing
		}
	}
	return &Metrics{sends: sends}, nil
}

func (m *Metrics) observe(result, code string) {
	if m == nil {
		return
	}
	m.sends.WithLabelValues(result, code).Inc()
}
