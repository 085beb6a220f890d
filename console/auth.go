package console

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/hospital/wxbot/staff"
)

// Sign-in throttling: after maxLoginFailures wrong passwords for one name
// within loginFailWindow, that name is refused until the window ends.
const (
	maxLoginFailures = 10
	loginFailWindow  = 15 * time.Minute
	loginFailPrefix  = "console:loginfail:"
)

type loginData struct {
	Name  string
	Next  string
	Error string
}

func (c *Console) loginForm(w http.ResponseWriter, r *http.Request, _ *staff.Member) {
	if id := c.sm.GetString(r.Context(), sessMember); id != "" {
		if m, err := c.d.Staff.Get(r.Context(), id); err == nil && !m.Disabled {
			http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
			return
		}
	}
	c.render(w, r, http.StatusOK, "login", "登录", "", loginData{Next: r.URL.Query().Get("next")})
}

func (c *Console) login(w http.ResponseWriter, r *http.Request, _ *staff.Member) {
	ctx := r.Context()
	name := strings.TrimSpace(r.PostFormValue("name"))
	password := r.PostFormValue("password")
	next := r.PostFormValue("next")
	again := func(status int, msg string) {
		c.render(w, r, status, "login", "登录", "", loginData{Name: name, Next: next, Error: msg})
	}
	if name == "" || password == "" {
		again(http.StatusBadRequest, "请输入姓名和密码。")
		return
	}
	failKey := loginFailPrefix + name
	if b, err := c.d.Store.Get(ctx, failKey); err == nil && atoi(string(b)) >= maxLoginFailures {
		again(http.StatusTooManyRequests, "密码错误次数过多，请15分钟后再试。")
		return
	}
	m, err := c.d.Staff.CheckPassword(ctx, name, password)
	if errors.Is(err, staff.ErrUnauthenticated) {
		n, ierr := c.d.Store.Incr(ctx, failKey, 1)
		if ierr == nil && n == 1 {
			_, _ = c.d.Store.Expire(ctx, failKey, loginFailWindow)
		}
		c.d.Log.Info("console: sign-in refused")
		again(http.StatusUnauthorized, "姓名或密码不正确，或账号已停用。")
		return
	}
	if err != nil {
		c.internal(w, r, err)
		return
	}
	_ = c.d.Store.Delete(ctx, failKey)
	// A new session token at sign-in (no fixation), with a new CSRF token.
	if err := c.sm.RenewToken(ctx); err != nil {
		c.internal(w, r, err)
		return
	}
	c.sm.Put(ctx, sessMember, m.ID)
	c.sm.Put(ctx, sessCSRF, randomID(32))
	r = r.WithContext(staff.NewContext(ctx, m))
	c.record(r, "console.login", "staff:"+m.ID, "")
	c.d.Log.Info("console: signed in", zap.String("member", m.ID))
	http.Redirect(w, r, safeNext(next), http.StatusSeeOther)
}

func (c *Console) logout(w http.ResponseWriter, r *http.Request, m *staff.Member) {
	c.record(r, "console.logout", "staff:"+m.ID, "")
	if err := c.sm.Destroy(r.Context()); err != nil {
		c.internal(w, r, err)
		return
	}
	c.redirect(w, r, "/console/login", "您已退出登录。")
}

// home sends the member to the first section their roles use.
func (c *Console) home(w http.ResponseWriter, r *http.Request, m *staff.Member) {
	target := "/console/notices"
	switch {
	case m.HasAny(staff.RoleEditor, staff.RoleReviewer, staff.RolePrincipal):
	case m.Has(staff.RoleComplaints):
		target = "/console/complaints"
	case m.Has(staff.RoleAdmin):
		target = "/console/knowledge"
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

func atoi(s string) int {
	n := 0
	for _, ch := range s {
		if ch < '0' || ch > '9' {
			return n
		}
		n = n*10 + int(ch-'0')
	}
	return n
}
