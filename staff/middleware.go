package staff

import (
	"errors"
	"net/http"
	"strings"

	"github.com/hospital/wxbot/jsonapi"
)

// BearerToken returns the token of an "Authorization: Bearer <token>" header,
// or "" when there is none.
func BearerToken(r *http.Request) string {
	h := r.Header.Get("Authorization")
	const prefix = "bearer "
	if len(h) < len(prefix) || !strings.EqualFold(h[:len(prefix)], prefix) {
		return ""
	}
	return strings.TrimSpace(h[len(prefix):])
}

// Middleware authenticates every request through its bearer token and puts the
// member in the request context (NewContext) before calling next. A missing,
// wrong or disabled member's token gets 401; a store failure gets 503. The
// member is read from the store on every request, so disabling takes effect at
// once.
func (s *Service) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m, err := s.Authenticate(r.Context(), BearerToken(r))
		if errors.Is(err, ErrUnauthenticated) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="wxbot"`)
			jsonapi.WriteError(w, http.StatusUnauthorized, jsonapi.CodeUnauthorized, "a valid bearer token is required")
			return
		}
		if err != nil {
			jsonapi.WriteError(w, http.StatusServiceUnavailable, jsonapi.CodeUnavailable, "the staff store is unavailable; try again")
			return
		}
		next.ServeHTTP(w, r.WithContext(NewContext(r.Context(), m)))
	})
}

// HasAny reports whether m holds at least one of roles.
func (m *Member) HasAny(roles ...Role) bool {
	for _, r := range roles {
		if m.Has(r) {
			return true
		}
	}
	return false
}

// RequireAny is Require for several roles: h runs for a signed-in member
// holding at least one of them. Without a member it answers 401; otherwise 403
// naming the roles that would do.
func RequireAny(h http.Handler, roles ...Role) http.Handler {
	if len(roles) == 1 {
		return Require(roles[0], h)
	}
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = string(r)
	}
	msg := "this action needs one of the roles " + strings.Join(names, ", ")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m, ok := FromContext(r.Context())
		if !ok {
			jsonapi.WriteError(w, http.StatusUnauthorized, jsonapi.CodeUnauthorized, "a valid bearer token is required")
			return
		}
		if !m.HasAny(roles...) {
			jsonapi.WriteError(w, http.StatusForbidden, jsonapi.CodeForbidden, msg)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// RequireMember wraps h so that it runs for any signed-in member (401 otherwise).
func RequireMember(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := FromContext(r.Context()); !ok {
			jsonapi.WriteError(w, http.StatusUnauthorized, jsonapi.CodeUnauthorized, "a valid bearer token is required")
			return
		}
		h.ServeHTTP(w, r)
	})
}
