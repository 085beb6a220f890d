// Package staff holds the hospital staff who use the admin API and console:
// their roles, API tokens (stored hashed) and the request context that carries
// the signed-in member.
package staff

import (
	"context"
	"net/http"

	"github.com/hospital/wxbot/jsonapi"
)

// Role is a staff right.
type Role string

// The roles of the contract.
const (
	RoleEditor     Role = "editor"
	RoleReviewer   Role = "reviewer"
	RolePrincipal  Role = "principal"
	RoleComplaints Role = "complaints"
	RoleAdmin      Role = "admin"
)

// Member is one staff account.
type Member struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Roles    []Role `json:"roles"`
	Disabled bool   `json:"disabled"`
}

// Has reports whether m holds role. Admin holds no other role implicitly.
func (m *Member) Has(role Role) bool {
	if m == nil {
		return false
	}
	for _, r := range m.Roles {
		if r == role {
			return true
		}
	}
	return false
}

type ctxKey struct{}

// NewContext returns ctx carrying the signed-in member.
func NewContext(ctx context.Context, m *Member) context.Context {
	return context.WithValue(ctx, ctxKey{}, m)
}

// FromContext returns the signed-in member, if any.
func FromContext(ctx context.Context) (*Member, bool) {
	m, ok := ctx.Value(ctxKey{}).(*Member)
	return m, ok && m != nil
}

// Require wraps h so that it runs only for a signed-in member holding role.
// Without a member it answers 401; with the wrong role, 403 naming the role
// needed. The authentication middleware (Service.Authenticate) puts the member
// in the request context before this runs.
func Require(role Role, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m, ok := FromContext(r.Context())
		if !ok {
			jsonapi.WriteError(w, http.StatusUnauthorized, jsonapi.CodeUnauthorized, "a valid bearer token is required")
			return
		}
		if !m.Has(role) {
			jsonapi.WriteError(w, http.StatusForbidden, jsonapi.CodeForbidden, "this action needs the role "+string(role))
			return
		}
		h.ServeHTTP(w, r)
	})
}
