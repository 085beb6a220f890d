package handlers

import (
	"context"
	"errors"
	"io"
	"net/http"

	"go.uber.org/zap"

	"github.com/hospital/wxbot/audit"
	"github.com/hospital/wxbot/jsonapi"
	"github.com/hospital/wxbot/knowledge"
	"github.com/hospital/wxbot/staff"
	"github.com/hospital/wxbot/store"
)

// MaxImportBody bounds an uploaded data file.
const MaxImportBody = 32 << 20

// KnowledgeAPI serves POST /api/v1/knowledge/{kind} (admin) and
// GET /api/v1/unanswered (any staff). It expects staff authentication in front.
type KnowledgeAPI struct {
	Repo       *knowledge.Repo
	Audit      *audit.Log
	Unanswered func(ctx context.Context) (any, error)
	Log        *zap.Logger
}

// Register mounts the routes on mux.
func (k *KnowledgeAPI) Register(mux *http.ServeMux) {
	mux.Handle("POST /api/v1/knowledge/{kind}", staff.Require(staff.RoleAdmin, http.HandlerFunc(k.importKind)))
	mux.Handle("GET /api/v1/unanswered", staff.RequireMember(http.HandlerFunc(k.unanswered)))
}

func (k *KnowledgeAPI) importKind(w http.ResponseWriter, r *http.Request) {
	kind, err := knowledge.ParseKind(r.PathValue("kind"))
	if err != nil {
		jsonapi.WriteError(w, http.StatusNotFound, jsonapi.CodeNotFound, err.Error())
		return
	}
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxImportBody))
	if err != nil {
		jsonapi.WriteError(w, http.StatusRequestEntityTooLarge, jsonapi.CodeTooLarge, "file too large")
		return
	}
	name := r.URL.Query().Get("name")
	if name == "" {
		name = string(kind)
	}
	res, err := k.Repo.Import(r.Context(), kind, name, raw)
	var ve *knowledge.ValidationError
	switch {
	case errors.As(err, &ve):
		jsonapi.WriteJSON(w, http.StatusBadRequest, map[string]any{
			"error":    map[string]string{"code": jsonapi.CodeInvalid, "message": ve.Error()},
			"problems": ve.Problems,
		})
		return
	case errors.Is(err, store.ErrUnavailable):
		jsonapi.WriteError(w, http.StatusServiceUnavailable, jsonapi.CodeUnavailable, "store unavailable; nothing was imported")
		return
	case err != nil:
		k.Log.Error("knowledge import failed", zap.String("kind", string(kind)), zap.Error(err))
		jsonapi.WriteError(w, http.StatusInternalServerError, jsonapi.CodeInternal, "import failed; nothing was imported")
		return
	}
	if k.Audit != nil {
		_ = k.Audit.Record(r.Context(), audit.FromRequest(r, "knowledge.import", string(kind), name))
	}
	jsonapi.WriteJSON(w, http.StatusOK, res)
}

func (k *KnowledgeAPI) unanswered(w http.ResponseWriter, r *http.Request) {
	list, err := k.Unanswered(r.Context())
	if err != nil {
		jsonapi.WriteError(w, http.StatusServiceUnavailable, jsonapi.CodeUnavailable, "store unavailable")
		return
	}
	jsonapi.WriteJSON(w, http.StatusOK, map[string]any{"questions": list})
}
