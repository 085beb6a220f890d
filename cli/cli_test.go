package cli

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"go.uber.org/zap"

	"github.com/hospital/wxbot/app"
	"github.com/hospital/wxbot/config"
	"github.com/hospital/wxbot/internal/testenv"
	"github.com/hospital/wxbot/staff"
	"github.com/hospital/wxbot/store/embedded"
)

func run(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Main(args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func useTempStore(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "data", "wxbot.db")
	t.Setenv("WXBOT_STORE_PATH", path)
	return path
}

func TestVersion(t *testing.T) {
	code, out, _ := run(t, "", "version")
	if code != 0 || !strings.HasPrefix(out, "wxbot ") || !strings.Contains(out, "commit") {
		t.Errorf("version: %d %q", code, out)
	}
}

func TestBadConfigNamesTheKeyAndFails(t *testing.T) {
	useTempStore(t)
	t.Setenv("WXBOT_STORE_DRIVER", "mongo")
	t.Setenv("WXBOT_WECHAT_ENCODING_AES_KEY", "short")
	code, _, errs := run(t, "", "serve")
	if code == 0 {
		t.Fatal("serve with a bad config must exit non-zero")
	}
	for _, want := range []string{"store.driver", "wechat.encoding_aes_key", "43 characters"} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr lacks %q: %s", want, errs)
		}
	}
}

func TestUnreachableRedisRefusedAtStart(t *testing.T) {
	useTempStore(t)
	t.Setenv("WXBOT_STORE_DRIVER", "redis")
	t.Setenv("WXBOT_REDIS_ADDR", "127.0.0.1:1")
	code, _, errs := run(t, "", "serve")
	if code == 0 || !strings.Contains(errs, "redis.addr") || !strings.Contains(errs, "unreachable") {
		t.Errorf("unreachable Redis: exit %d, stderr %q", code, errs)
	}
}

func TestStaffAddPrintsTheTokenOnceOnTheLastLine(t *testing.T) {
	path := useTempStore(t)
	code, out, errs := run(t, "", "staff", "add", "李主任", "--roles", "reviewer,admin")
	if code != 0 {
		t.Fatalf("staff add: %d %s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	token := lines[len(lines)-1]
	if len(token) < 32 || strings.Contains(token, " ") {
		t.Fatalf("last line is not a token: %q", token)
	}
	st, err := embedded.Open(path, embedded.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	m, err := staff.NewService(st, nil).Authenticate(context.Background(), token)
	if err != nil || m.Name != "李主任" || !m.Has(staff.RoleReviewer) || !m.Has(staff.RoleAdmin) {
		t.Errorf("token does not authenticate the new member: %+v %v", m, err)
	}
	if code, _, errs := run(t, "", "staff", "add", "x", "--roles", "janitor"); code == 0 || !strings.Contains(errs, "janitor") {
		t.Errorf("unknown role accepted: %d %s", code, errs)
	}
}

func TestImportReportsBadLinesAndAppliesNothing(t *testing.T) {
	dir := testenv.SharedDir(t, "eval")
	useTempStore(t)
	code, _, errs := run(t, "", "import", "prices", filepath.Join(dir, "prices-bad.csv"))
	if code == 0 || !strings.Contains(errs, "line 5") || !strings.Contains(errs, "line 9") {
		t.Errorf("bad file: exit %d, stderr %q", code, errs)
	}
	code, out, errs := run(t, "", "import", "prices", filepath.Join(dir, "prices-gbk.csv"))
	if code != 0 || !strings.Contains(out, "40 rows") {
		t.Errorf("GBK file: exit %d, out %q, err %q", code, out, errs)
	}
}

// Commands that change data work while a server holds the embedded store.
func TestCommandsWorkWhileTheServerRuns(t *testing.T) {
	path := useTempStore(t)
	cfg, err := config.Load("")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Server.Addr = "127.0.0.1:0"
	cfg.Store.Path = path
	a, err := app.New(context.Background(), app.Options{Config: cfg, Log: zap.NewNop(), SkipBackground: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx, func(addr string) { ready <- addr }) }()
	<-ready
	defer func() { cancel(); <-done; a.Close() }()

	code, out, errs := run(t, "", "staff", "add", "王编辑", "--roles", "editor")
	if code != 0 {
		t.Fatalf("staff add while serving: %d %s", code, errs)
	}
	token := strings.TrimSpace(out[strings.LastIndex(strings.TrimSpace(out), "\n")+1:])
	m, err := staff.NewService(a.Store, nil).Authenticate(context.Background(), token)
	if err != nil || m.Name != "王编辑" {
		t.Errorf("the running server does not know the member added meanwhile: %v", err)
	}
	if code, out, errs := run(t, "", "unanswered"); code != 0 {
		t.Errorf("unanswered while serving: %d %s %s", code, out, errs)
	}
}

func TestMenuPushAndComplaintReport(t *testing.T) {
	path := useTempStore(t)
	code, out, errs := run(t, "", "menu", "push")
	if code != 0 || !strings.Contains(out, "outbox") {
		t.Fatalf("menu push: %d %q %q", code, out, errs)
	}
	st, err := embedded.Open(path, embedded.Options{})
	if err != nil {
		t.Fatal(err)
	}
	menu, err := st.Get(context.Background(), "outbox:menu")
	st.Close()
	if err != nil || !strings.Contains(string(menu), "COMPLAINT") {
		t.Errorf("the default menu did not reach the outbox: %q %v", menu, err)
	}
	t.Setenv("WXBOT_MENU", `{"button":[]}`)
	if code, _, errs := run(t, "", "menu", "push"); code == 0 || !strings.Contains(errs, "menu") {
		t.Errorf("an empty menu must be refused: %d %s", code, errs)
	}
	code, out, errs = run(t, "", "complaints", "report", "--month", "2026-11")
	if code != 0 || !strings.Contains(out, "2026-11") {
		t.Errorf("complaints report: %d %q %q", code, out, errs)
	}
}
