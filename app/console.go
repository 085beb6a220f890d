package app

import "net/http"

// buildConsole returns the staff web console mounted at /console/ (nil: none yet).
func buildConsole(a *App, p *parts) http.Handler {
	return nil
}
