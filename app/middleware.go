package app

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"time"

	"go.uber.org/zap"

	"github.com/hospital/wxbot/logging"
)

// statusWriter remembers the status written.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the connection (the webhook
// flushes its reply-budget `success` before the handler returns).
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

func newRequestID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// withRequestID gives every request an id (X-Request-Id), a logger carrying it,
// and one access-log line. Query strings are not logged: they carry
// signatures, and on some routes OpenIDs.
func withRequestID(log *zap.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-Id")
		if id == "" || len(id) > 64 {
			id = newRequestID()
		}
		w.Header().Set("X-Request-Id", id)
		l := log.WithLazy(zap.String("request_id", id))
		sw := &statusWriter{ResponseWriter: w}
		start := time.Now()
		next.ServeHTTP(sw, r.WithContext(logging.WithLogger(r.Context(), l)))
		level := zap.InfoLevel
		if quietPath(r.URL.Path) && sw.status < 400 {
			level = zap.DebugLevel
		}
		if ce := l.Check(level, "http request"); ce != nil {
			ce.Write(zap.String("method", r.Method), zap.String("path", r.URL.Path),
				zap.Int("status", sw.status), zap.Duration("took", time.Since(start)))
		}
	})
}

// quietPath reports paths polled by machines (probes, scrapers, the chat
// client's outbox), logged only at debug level when they succeed.
func quietPath(p string) bool {
	switch p {
	case "/healthz", "/readyz", "/metrics", "/dev/outbox":
		return true
	}
	return false
}
