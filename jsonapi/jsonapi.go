// Package jsonapi writes the admin API's JSON responses and errors in the
// contract's shape: {"error": {"code": "...", "message": "..."}}.
package jsonapi

import (
	"encoding/json"
	"net/http"
)

// Error codes used across the admin API.
const (
	CodeInvalid      = "invalid"
	CodeNotFound     = "not_found"
	CodeConflict     = "conflict"
	CodeUnauthorized = "unauthorized"
	CodeForbidden    = "forbidden"
	CodeUnavailable  = "unavailable"
	CodeInternal     = "internal"
	CodeTooLarge     = "too_large"
)

// ErrorBody is the JSON shape of every error response.
type ErrorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// WriteJSON writes v as JSON with status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// WriteError writes an error response with status, a stable code and a message
// meant for the API's user (never an internal cause).
func WriteError(w http.ResponseWriter, status int, code, message string) {
	var b ErrorBody
	b.Error.Code = code
	b.Error.Message = message
	WriteJSON(w, status, b)
}
