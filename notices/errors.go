package notices

import (
	"errors"
	"fmt"
)

// ErrorCode classifies an Error without knowing anything of HTTP; only the API
// layer maps a code to a status.
type ErrorCode string

// Error codes.
const (
	EInvalid   ErrorCode = "invalid"   // bad input (missing title, unknown category ...)
	ENotFound  ErrorCode = "not_found" // no such notice
	EConflict  ErrorCode = "conflict"  // the transition is not allowed in the notice's state
	EForbidden ErrorCode = "forbidden" // the member may not do this (role, maker-checker)
)

// Error is a domain error whose Message is meant for the API's user.
type Error struct {
	Code    ErrorCode
	Message string
}

// Error returns the code and message.
func (e *Error) Error() string { return fmt.Sprintf("notices: %s: %s", e.Code, e.Message) }

func errorf(code ErrorCode, format string, args ...any) error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Code returns the ErrorCode of err, or "" when err is not an *Error (an
// internal failure such as the store being unavailable).
func Code(err error) ErrorCode {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// Message returns the user-facing message of err when it is an *Error, or "".
func Message(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return ""
}
