package handlers

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the webhook's Prometheus series.
type Metrics struct {
	Messages      *prometheus.CounterVec   // by kind (text, voice, image, event:<name>, other) and outcome
	AnswerSeconds *prometheus.HistogramVec // time to an answer, by how it was delivered
	DedupHits     prometheus.Counter
	Panics        prometheus.Counter     // messages on which the bot panicked
	Requests      *prometheus.CounterVec // webhook HTTP answers by status
}

// NewMetrics registers the webhook's series on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		Messages: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "wxbot_messages_total", Help: "Messages and events received from WeChat, by kind.",
		}, []string{"kind"}),
		AnswerSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "wxbot_answer_seconds", Help: "Time to answer a message, by delivery (passive or late).",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 4, 10},
		}, []string{"delivery"}),
		DedupHits: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "wxbot_dedup_hits_total", Help: "WeChat retries dropped because the message was already handled.",
		}),
		Panics: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "wxbot_bot_panics_total", Help: "Messages on which the bot panicked (answered as a failure; see the log's stack).",
		}),
		Requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "wxbot_webhook_requests_total", Help: "Webhook HTTP answers by status code.",
		}, []string{"status"}),
	}
	if reg != nil {
		reg.MustRegister(m.Messages, m.AnswerSeconds, m.DedupHits, m.Panics, m.Requests)
	}
	return m
}
