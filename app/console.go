package app

import (
	"net/http"

	"go.uber.org/zap"

	"github.com/hospital/wxbot/console"
	"github.com/hospital/wxbot/notices"
)

// buildConsole returns the staff web console mounted at /console/. The push
// configuration was already checked by buildParts and the templates by the
// console's tests, so a failure here is a programming error: it is logged and
// the console answers 503 while the rest of the service runs.
func buildConsole(a *App, p *parts) http.Handler {
	c, err := console.New(console.Deps{
		Staff:        p.staff,
		Notices:      p.notices,
		Complaints:   p.complaints,
		Knowledge:    a.Knowledge,
		Audit:        p.audit,
		Store:        a.Store,
		Push:         notices.SenderConfig{Mode: a.Cfg.Push.Mode, TemplateID: a.Cfg.Push.TemplateID},
		Clock:        a.Clock,
		Log:          a.Log.Named("console"),
		CookieSecure: a.Cfg.Console.CookieSecure,
		IdleTimeout:  a.Cfg.Console.IdleTimeout,
	})
	if err != nil {
		a.Log.Error("staff console unavailable", zap.Error(err))
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "console unavailable", http.StatusServiceUnavailable)
		})
	}
	return c
}
