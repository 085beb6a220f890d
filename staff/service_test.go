package staff_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hospital/wxbot/clock"
	"github.com/hospital/wxbot/staff"
	"github.com/hospital/wxbot/store/memstore"
)

func newService(t *testing.T) (*staff.Service, *memstore.Store) {
	t.Helper()
	st := memstore.New()
	t.Cleanup(func() { st.Close() })
	return staff.NewService(st, clock.NewFake(time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC))), st
}

func TestAddReturnsTokenOnceAndStoresOnlyItsHash(t *testing.T) {
	ctx := context.Background()
	s, st := newService(t)
	m, token, err := s.Add(ctx, "王芳", []staff.Role{staff.RoleEditor, staff.RoleReviewer})
	if err != nil {
		t.Fatal(err)
	}
	if len(token) < 40 {
		t.Fatalf("token %q is too short for 32 random bytes", token)
	}
	if m.Name != "王芳" || !m.Has(staff.RoleEditor) || !m.Has(staff.RoleReviewer) || m.Has(staff.RoleAdmin) {
		t.Fatalf("member = %+v", m)
	}
	v, err := st.Get(ctx, "staff:member:"+m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(v), token) {
		t.Fatal("the token is stored in clear")
	}
	if !strings.Contains(string(v), staff.HashToken(token)) {
		t.Fatal("the token's hash is not stored")
	}
	got, err := s.Authenticate(ctx, token)
	if err != nil || got.ID != m.ID {
		t.Fatalf("Authenticate = %+v, %v", got, err)
	}
	// A second member gets a different token.
	_, token2, err := s.Add(ctx, "李雷", []staff.Role{staff.RoleAdmin})
	if err != nil || token2 == token {
		t.Fatalf("second token %q, %v", token2, err)
	}
}

func TestAddRefusesUnknownRolesEmptyNamesAndDuplicates(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t)
	if _, _, err := s.Add(ctx, "a", []staff.Role{"editor", "boss"}); !errors.Is(err, staff.ErrInvalid) || !strings.Contains(err.Error(), "boss") {
		t.Fatalf("unknown role: %v", err)
	}
	if _, _, err := s.Add(ctx, "a", nil); !errors.Is(err, staff.ErrInvalid) {
		t.Fatalf("no role: %v", err)
	}
	if _, _, err := s.Add(ctx, "  ", []staff.Role{staff.RoleAdmin}); !errors.Is(err, staff.ErrInvalid) {
		t.Fatalf("empty name: %v", err)
	}
	if _, _, err := s.Add(ctx, "张三", []staff.Role{staff.RoleAdmin}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Add(ctx, "张三", []staff.Role{staff.RoleEditor}); !errors.Is(err, staff.ErrExists) {
		t.Fatalf("duplicate name: %v", err)
	}
}

func TestParseRoles(t *testing.T) {
	roles, err := staff.ParseRoles("editor, Reviewer,principal,complaints,admin")
	if err != nil || len(roles) != 5 || roles[1] != staff.RoleReviewer {
		t.Fatalf("ParseRoles = %v, %v", roles, err)
	}
	if _, err := staff.ParseRoles("editor,cleaner"); !errors.Is(err, staff.ErrInvalid) {
		t.Fatalf("unknown role accepted: %v", err)
	}
}

func TestListGetDisable(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t)
	a, tokA, _ := s.Add(ctx, "甲", []staff.Role{staff.RoleEditor})
	_, _, _ = s.Add(ctx, "乙", []staff.Role{staff.RoleReviewer})
	list, err := s.List(ctx)
	if err != nil || len(list) != 2 || list[0].Name != "甲" || list[1].Name != "乙" {
		t.Fatalf("List = %+v, %v", list, err)
	}
	byName, err := s.Get(ctx, "乙")
	if err != nil || byName.Name != "乙" {
		t.Fatalf("Get by name = %+v, %v", byName, err)
	}
	if _, err := s.Get(ctx, "丙"); !errors.Is(err, staff.ErrNotFound) {
		t.Fatalf("Get unknown = %v", err)
	}
	if _, err := s.Disable(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, tokA); !errors.Is(err, staff.ErrUnauthenticated) {
		t.Fatalf("disabled member authenticated: %v", err)
	}
	got, _ := s.Get(ctx, a.ID)
	if !got.Disabled {
		t.Fatal("Get does not show the member disabled")
	}
}

func TestAuthenticateRefusesWrongAndEmptyTokens(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t)
	_, tok, _ := s.Add(ctx, "甲", []staff.Role{staff.RoleEditor})
	for _, bad := range []string{"", "x", tok + "x", strings.ToUpper(tok)} {
		if bad == tok {
			continue
		}
		if _, err := s.Authenticate(ctx, bad); !errors.Is(err, staff.ErrUnauthenticated) {
			t.Errorf("token %q: %v", bad, err)
		}
	}
}

func TestPasswords(t *testing.T) {
	ctx := context.Background()
	s, st := newService(t)
	m, _, _ := s.Add(ctx, "甲", []staff.Role{staff.RoleEditor})
	if _, err := s.CheckPassword(ctx, "甲", "whatever-long"); !errors.Is(err, staff.ErrUnauthenticated) {
		t.Fatalf("no password set yet: %v", err)
	}
	if err := s.SetPassword(ctx, m.ID, "short"); !errors.Is(err, staff.ErrInvalid) {
		t.Fatalf("short password: %v", err)
	}
	if err := s.SetPassword(ctx, "甲", "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	v, _ := st.Get(ctx, "staff:member:"+m.ID)
	if len(v) == 0 || strings.Contains(string(v), "correct horse") {
		t.Fatal("password stored in clear")
	}
	got, err := s.CheckPassword(ctx, "甲", "correct horse battery")
	if err != nil || got.ID != m.ID {
		t.Fatalf("CheckPassword = %+v, %v", got, err)
	}
	if _, err := s.CheckPassword(ctx, "甲", "wrong horse battery"); !errors.Is(err, staff.ErrUnauthenticated) {
		t.Fatalf("wrong password: %v", err)
	}
	if _, err := s.CheckPassword(ctx, "nobody", "correct horse battery"); !errors.Is(err, staff.ErrUnauthenticated) {
		t.Fatalf("unknown name: %v", err)
	}
	_, _ = s.Disable(ctx, m.ID)
	if _, err := s.CheckPassword(ctx, "甲", "correct horse battery"); !errors.Is(err, staff.ErrUnauthenticated) {
		t.Fatalf("disabled member: %v", err)
	}
}

func errorCode(t *testing.T, rec *httptest.ResponseRecorder) string {
	t.Helper()
	var body struct {
		Error struct{ Code, Message string }
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("body %q: %v", rec.Body.String(), err)
	}
	return body.Error.Code
}

func TestConcurrentChangesAreNotLost(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t)
	m, tok, _ := s.Add(ctx, "甲", []staff.Role{staff.RoleEditor})
	done := make(chan error, 2)
	go func() { done <- s.SetPassword(ctx, m.ID, "a long enough password") }()
	go func() { _, err := s.Disable(ctx, m.ID); done <- err }()
	for i := 0; i < 2; i++ {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Authenticate(ctx, tok); !errors.Is(err, staff.ErrUnauthenticated) {
		t.Fatalf("the disable was lost: %v", err)
	}
	got, _ := s.Get(ctx, m.ID)
	if !got.Disabled {
		t.Fatal("member not disabled")
	}
}

func TestMiddlewareAndRequire(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t)
	ed, edTok, _ := s.Add(ctx, "编辑", []staff.Role{staff.RoleEditor})
	_, adTok, _ := s.Add(ctx, "管理员", []staff.Role{staff.RoleAdmin})
	var seen *staff.Member
	h := s.Middleware(staff.Require(staff.RoleEditor, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen, _ = staff.FromContext(r.Context())
		w.WriteHeader(http.StatusNoContent)
	})))
	do := func(auth string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", "/api/v1/x", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	if rec := do(""); rec.Code != 401 || errorCode(t, rec) != "unauthorized" {
		t.Fatalf("no token: %d %s", rec.Code, rec.Body)
	}
	if rec := do("Bearer nope"); rec.Code != 401 {
		t.Fatalf("wrong token: %d", rec.Code)
	}
	if rec := do("Basic " + edTok); rec.Code != 401 {
		t.Fatalf("not a bearer token: %d", rec.Code)
	}
	if rec := do("Bearer " + adTok); rec.Code != 403 || !strings.Contains(rec.Body.String(), "editor") {
		t.Fatalf("wrong role: %d %s", rec.Code, rec.Body)
	}
	if rec := do("bearer " + edTok); rec.Code != 204 || seen == nil || seen.ID != ed.ID {
		t.Fatalf("editor: %d, member %+v", rec.Code, seen)
	}
	// Disabled members are refused on the very next request.
	if _, err := s.Disable(ctx, ed.ID); err != nil {
		t.Fatal(err)
	}
	if rec := do("Bearer " + edTok); rec.Code != 401 {
		t.Fatalf("disabled member: %d", rec.Code)
	}
}

func TestRequireAny(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) })
	h := staff.RequireAny(ok, staff.RoleReviewer, staff.RolePrincipal)
	do := func(m *staff.Member) *httptest.ResponseRecorder {
		req := httptest.NewRequest("POST", "/", nil)
		if m != nil {
			req = req.WithContext(staff.NewContext(req.Context(), m))
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	if rec := do(nil); rec.Code != 401 {
		t.Fatalf("anonymous: %d", rec.Code)
	}
	if rec := do(&staff.Member{ID: "1", Roles: []staff.Role{staff.RoleEditor}}); rec.Code != 403 ||
		!strings.Contains(rec.Body.String(), "reviewer") || !strings.Contains(rec.Body.String(), "principal") {
		t.Fatalf("editor: %d %s", rec.Code, rec.Body)
	}
	if rec := do(&staff.Member{ID: "1", Roles: []staff.Role{staff.RolePrincipal}}); rec.Code != 204 {
		t.Fatalf("principal: %d", rec.Code)
	}
}
