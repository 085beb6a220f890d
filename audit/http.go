package audit

import (
	"net"
	"net/http"
	"strconv"

	"github.com/hospital/wxbot/jsonapi"
	"github.com/hospital/wxbot/staff"
)

// Handler serves GET /api/v1/audit?limit=&offset= for admins: {"entries": [...],
// "total": n}, newest first. It expects staff.Service.Middleware in front of it.
func Handler(l *Log) http.Handler {
	return staff.Require(staff.RoleAdmin, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			jsonapi.WriteError(w, http.StatusMethodNotAllowed, jsonapi.CodeInvalid, "use GET")
			return
		}
		limit, err1 := intParam(r, "limit", 50)
		offset, err2 := intParam(r, "offset", 0)
		if err1 != nil || err2 != nil || limit < 1 || limit > 1000 || offset < 0 {
			jsonapi.WriteError(w, http.StatusBadRequest, jsonapi.CodeInvalid, "limit must be 1..1000 and offset >= 0")
			return
		}
		entries, err := l.List(r.Context(), limit, offset)
		if err != nil {
			jsonapi.WriteError(w, http.StatusServiceUnavailable, jsonapi.CodeUnavailable, "the audit log is unavailable; try again")
			return
		}
		total, err := l.Count(r.Context())
		if err != nil {
			jsonapi.WriteError(w, http.StatusServiceUnavailable, jsonapi.CodeUnavailable, "the audit log is unavailable; try again")
			return
		}
		jsonapi.WriteJSON(w, http.StatusOK, map[string]any{"entries": entries, "total": total})
	}))
}

func intParam(r *http.Request, name string, def int) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	return strconv.Atoi(v)
}

// RemoteAddr returns the host part of r.RemoteAddr, the address recorded in
// entries. (Forwarded headers are not trusted here; a proxy-aware server sets
// RemoteAddr before the handlers run.)
func RemoteAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// FromRequest returns an Entry for action on target by the signed-in member of
// r, with r's remote address.
func FromRequest(r *http.Request, action, target, detail string) Entry {
	e := Entry{Action: action, Target: target, Detail: detail, RemoteAddr: RemoteAddr(r)}
	if m, ok := staff.FromContext(r.Context()); ok {
		e.Actor = m.ID
		e.ActorName = m.Name
	}
	return e
}
