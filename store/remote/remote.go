// Package remote lets a command use the store of a running server. The
// embedded store's file is locked by the process that opened it, so while
// `serve` runs, other commands (import, staff add, ...) cannot open it; the
// server serves its store on a unix socket with Handler and the command talks
// to it with Dial, which implements store.Store.
//
// The protocol is JSON over HTTP: POST /v1/<Method> with the arguments as a
// JSON object, answered with the results as a JSON object, or an error in the
// admin API's shape with code "not_found" (store.ErrNotFound), "unavailable"
// (store.ErrUnavailable) or "internal". There is no authentication: whoever can
// open the socket can read and change everything, so create it with Listen
// (mode 0600) in a folder only the service's user can reach.
package remote

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/hospital/wxbot/jsonapi"
	"github.com/hospital/wxbot/store"
)

// request carries the arguments of every method; each uses some fields.
type request struct {
	Key    string        `json:"key,omitempty"`
	Keys   []string      `json:"keys,omitempty"`
	Field  string        `json:"field,omitempty"`
	Fields []string      `json:"fields,omitempty"`
	Items  []string      `json:"items,omitempty"`
	Value  []byte        `json:"value,omitempty"`
	Old    []byte        `json:"old"` // null = "key must be missing"; "" = empty value
	Values [][]byte      `json:"values,omitempty"`
	TTL    time.Duration `json:"ttl,omitempty"`
	Delta  int64         `json:"delta,omitempty"`
	Cursor string        `json:"cursor,omitempty"`
	Count  int           `json:"count,omitempty"`
	Start  int64         `json:"start,omitempty"`
	Stop   int64         `json:"stop,omitempty"`
	N      int           `json:"n,omitempty"`
}

// response carries the results of every method.
type response struct {
	Value   []byte            `json:"value,omitempty"`
	Values  [][]byte          `json:"values,omitempty"`
	Map     map[string][]byte `json:"map,omitempty"`
	OK      bool              `json:"ok,omitempty"`
	N       int64             `json:"n,omitempty"`
	Items   []string          `json:"items,omitempty"`
	Next    string            `json:"next,omitempty"`
	Waiting int64             `json:"waiting,omitempty"`
	Leased  int64             `json:"leased,omitempty"`
}

// maxBody bounds one request (an Enqueue of many recipients is the largest).
const maxBody = 64 << 20

type method func(ctx context.Context, s store.Store, r request) (response, error)

var methods = map[string]method{
	"Get": func(ctx context.Context, s store.Store, r request) (response, error) {
		v, err := s.Get(ctx, r.Key)
		return response{Value: v}, err
	},
	"Set": func(ctx context.Context, s store.Store, r request) (response, error) {
		return response{}, s.Set(ctx, r.Key, r.Value, r.TTL)
	},
	"SetNX": func(ctx context.Context, s store.Store, r request) (response, error) {
		ok, err := s.SetNX(ctx, r.Key, r.Value, r.TTL)
		return response{OK: ok}, err
	},
	"CompareAndSwap": func(ctx context.Context, s store.Store, r request) (response, error) {
		ok, err := s.CompareAndSwap(ctx, r.Key, r.Old, r.Value, r.TTL)
		return response{OK: ok}, err
	},
	"Delete": func(ctx context.Context, s store.Store, r request) (response, error) {
		return response{}, s.Delete(ctx, r.Keys...)
	},
	"DeleteIfEquals": func(ctx context.Context, s store.Store, r request) (response, error) {
		ok, err := s.DeleteIfEquals(ctx, r.Key, r.Value)
		return response{OK: ok}, err
	},
	"Expire": func(ctx context.Context, s store.Store, r request) (response, error) {
		ok, err := s.Expire(ctx, r.Key, r.TTL)
		return response{OK: ok}, err
	},
	"Incr": func(ctx context.Context, s store.Store, r request) (response, error) {
		n, err := s.Incr(ctx, r.Key, r.Delta)
		return response{N: n}, err
	},
	"HSet": func(ctx context.Context, s store.Store, r request) (response, error) {
		return response{}, s.HSet(ctx, r.Key, r.Field, r.Value)
	},
	"HGet": func(ctx context.Context, s store.Store, r request) (response, error) {
		v, err := s.HGet(ctx, r.Key, r.Field)
		return response{Value: v}, err
	},
	"HDel": func(ctx context.Context, s store.Store, r request) (response, error) {
		return response{}, s.HDel(ctx, r.Key, r.Fields...)
	},
	"HGetAll": func(ctx context.Context, s store.Store, r request) (response, error) {
		m, err := s.HGetAll(ctx, r.Key)
		return response{Map: m}, err
	},
	"HIncr": func(ctx context.Context, s store.Store, r request) (response, error) {
		n, err := s.HIncr(ctx, r.Key, r.Field, r.Delta)
		return response{N: n}, err
	},
	"SAdd": func(ctx context.Context, s store.Store, r request) (response, error) {
		n, err := s.SAdd(ctx, r.Key, r.Items...)
		return response{N: int64(n)}, err
	},
	"SRem": func(ctx context.Context, s store.Store, r request) (response, error) {
		n, err := s.SRem(ctx, r.Key, r.Items...)
		return response{N: int64(n)}, err
	},
	"SIsMember": func(ctx context.Context, s store.Store, r request) (response, error) {
		ok, err := s.SIsMember(ctx, r.Key, r.Field)
		return response{OK: ok}, err
	},
	"SCard": func(ctx context.Context, s store.Store, r request) (response, error) {
		n, err := s.SCard(ctx, r.Key)
		return response{N: n}, err
	},
	"SScan": func(ctx context.Context, s store.Store, r request) (response, error) {
		items, next, err := s.SScan(ctx, r.Key, r.Cursor, r.Count)
		return response{Items: items, Next: next}, err
	},
	"RPush": func(ctx context.Context, s store.Store, r request) (response, error) {
		n, err := s.RPush(ctx, r.Key, r.Values...)
		return response{N: n}, err
	},
	"LRange": func(ctx context.Context, s store.Store, r request) (response, error) {
		v, err := s.LRange(ctx, r.Key, r.Start, r.Stop)
		return response{Values: v}, err
	},
	"LLen": func(ctx context.Context, s store.Store, r request) (response, error) {
		n, err := s.LLen(ctx, r.Key)
		return response{N: n}, err
	},
	"LTrim": func(ctx context.Context, s store.Store, r request) (response, error) {
		return response{}, s.LTrim(ctx, r.Key, r.Start, r.Stop)
	},
	"Enqueue": func(ctx context.Context, s store.Store, r request) (response, error) {
		return response{}, s.Enqueue(ctx, r.Key, r.Items...)
	},
	"Claim": func(ctx context.Context, s store.Store, r request) (response, error) {
		items, err := s.Claim(ctx, r.Key, r.N, r.TTL)
		return response{Items: items}, err
	},
	"Ack": func(ctx context.Context, s store.Store, r request) (response, error) {
		return response{}, s.Ack(ctx, r.Key, r.Items...)
	},
	"Release": func(ctx context.Context, s store.Store, r request) (response, error) {
		return response{}, s.Release(ctx, r.Key, r.Items...)
	},
	"QueueLen": func(ctx context.Context, s store.Store, r request) (response, error) {
		w, l, err := s.QueueLen(ctx, r.Key)
		return response{Waiting: w, Leased: l}, err
	},
	"Ping": func(ctx context.Context, s store.Store, r request) (response, error) {
		return response{}, s.Ping(ctx)
	},
}

// Handler serves s to Dial's clients: POST /v1/<Method>. Close is not served
// (a client's Close only closes the client).
func Handler(s store.Store) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, ok := strings.CutPrefix(r.URL.Path, "/v1/")
		m := methods[name]
		if !ok || m == nil {
			jsonapi.WriteError(w, http.StatusNotFound, jsonapi.CodeInvalid, "no such store method")
			return
		}
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			jsonapi.WriteError(w, http.StatusMethodNotAllowed, jsonapi.CodeInvalid, "use POST")
			return
		}
		var req request
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody)).Decode(&req); err != nil {
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				jsonapi.WriteError(w, http.StatusRequestEntityTooLarge, jsonapi.CodeTooLarge, "request too large")
				return
			}
			jsonapi.WriteError(w, http.StatusBadRequest, jsonapi.CodeInvalid, "bad request body: "+err.Error())
			return
		}
		resp, err := m(r.Context(), s, req)
		switch {
		case err == nil:
			jsonapi.WriteJSON(w, http.StatusOK, resp)
		case errors.Is(err, store.ErrNotFound):
			jsonapi.WriteError(w, http.StatusNotFound, jsonapi.CodeNotFound, err.Error())
		case errors.Is(err, store.ErrUnavailable):
			jsonapi.WriteError(w, http.StatusServiceUnavailable, jsonapi.CodeUnavailable, err.Error())
		default:
			jsonapi.WriteError(w, http.StatusInternalServerError, jsonapi.CodeInternal, err.Error())
		}
	})
}

// Listen listens on the unix socket at path with mode 0600, creating its
// folder. A socket file left by a process that died is replaced; one that a
// live server answers on is not (the error says so).
func Listen(path string) (net.Listener, error) {
	if err := os.MkdirAll(dirOf(path), 0o750); err != nil {
		return nil, fmt.Errorf("store socket %s: %w", path, err)
	}
	if fi, err := os.Lstat(path); err == nil {
		if fi.Mode()&os.ModeSocket == 0 {
			return nil, fmt.Errorf("store socket %s: a file that is not a socket is in the way", path)
		}
		if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
			c.Close()
			return nil, fmt.Errorf("store socket %s: another server is listening on it", path)
		}
		if err := os.Remove(path); err != nil {
			return nil, fmt.Errorf("store socket %s: remove stale socket: %w", path, err)
		}
	}
	l, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("store socket %s: %w", path, err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		l.Close()
		return nil, fmt.Errorf("store socket %s: %w", path, err)
	}
	return l, nil
}

func dirOf(path string) string {
	if i := strings.LastIndexByte(path, '/'); i > 0 {
		return path[:i]
	}
	return "."
}

// readError turns an error response into the matching store error.
func readError(op string, status int, body io.Reader) error {
	var b jsonapi.ErrorBody
	if err := json.NewDecoder(io.LimitReader(body, 1<<20)).Decode(&b); err != nil || b.Error.Code == "" {
		return fmt.Errorf("remote %s: HTTP %d", op, status)
	}
	switch b.Error.Code {
	case jsonapi.CodeNotFound:
		return fmt.Errorf("remote %s: %w", op, store.ErrNotFound)
	case jsonapi.CodeUnavailable:
		return fmt.Errorf("remote %s: %w (server: %s)", op, store.ErrUnavailable, b.Error.Message)
	}
	return fmt.Errorf("remote %s: %s", op, b.Error.Message)
}
