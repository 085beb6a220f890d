package console_test

import (
	"context"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"go.uber.org/zap"

	"github.com/hospital/wxbot/app"
	"github.com/hospital/wxbot/config"
	"github.com/hospital/wxbot/notices"
	"github.com/hospital/wxbot/staff"
	"github.com/hospital/wxbot/store/memstore"
	"github.com/hospital/wxbot/wxapi"
	"github.com/hospital/wxbot/wxapi/fakewx"
	"github.com/hospital/wxbot/wxsim"
)

// chromium returns the browser to drive. Without one the test is skipped
// with a line saying how to run it — unless WXBOT_REQUIRE_BROWSER=1 (set by
// .ci/run), where it fails.
func chromium(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	msg := "chromium not found: install it (apt-get install chromium) to run the browser tests"
	if os.Getenv("WXBOT_REQUIRE_BROWSER") == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// screenshotDir is where the README's screenshots are written.
const screenshotDir = "../docs/screenshots"

// TestConsoleInABrowser drives the real service (app.New with its push
// workers, a real WeChat client pointed at the fake WeChat API) from headless
// Chromium: sign in; draft -> preview -> submit -> another reviewer approves ->
// published and pushed to the subscribed patients; answer a complaint filed
// through the webhook and see the customer-service message; upload a CSV
// with a bad row and see the line reported. It writes the screenshots of the
// notices page and the complaint queue.
func TestConsoleInABrowser(t *testing.T) {
	exe := chromium(t)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()

	// The service, as main builds it, on an in-memory store.
	fake := fakewx.New()
	defer fake.Close()
	cfg, err := config.Load("")
	if err != nil {
		t.Fatal(err)
	}
	cfg.WeChat.AppID, cfg.WeChat.AppSecret, cfg.WeChat.APIBaseURL = "wx-console-test", "secret", fake.URL()
	cfg.Push.TemplateID = "tpl-notice"
	cfg.Console.CookieSecure = false // httptest serves plain http
	st := memstore.New()
	api, err := wxapi.NewClient(wxapi.ClientConfig{AppID: cfg.WeChat.AppID, AppSecret: cfg.WeChat.AppSecret, BaseURL: fake.URL()}, st, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(ctx, app.Options{Config: cfg, Log: zap.NewNop(), Store: st, API: api, SkipBackground: false})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler())
	defer func() { srv.Close(); a.Close() }()
	base := srv.URL

	// Staff, created as `wxbot staff add` and `staff passwd` do.
	ss := staff.NewService(st, nil)
	const pw = "console-e2e-password"
	add := func(name string, roles ...staff.Role) *staff.Member {
		m, _, err := ss.Add(ctx, name, roles)
		if err != nil {
			t.Fatal(err)
		}
		if err := ss.SetPassword(ctx, m.ID, pw); err != nil {
			t.Fatal(err)
		}
		return m
	}
	editor := add("张编辑", staff.RoleEditor)
	add("李审核", staff.RoleReviewer)
	add("王专员", staff.RoleComplaints)
	add("赵管理", staff.RoleAdmin)

	// Patients subscribe and complain through the webhook, as WeChat sends it.
	wx := &wxsim.Client{Account: wxsim.Account{Token: cfg.WeChat.Token, OriginalID: "gh_demo"}, URL: base + "/wechat"}
	say := func(user, text string) string {
		r, err := wx.SendText(user, text)
		if err != nil {
			t.Fatalf("%s says %q: %v", user, text, err)
		}
		return r.Content
	}
	for _, p := range []string{"patient-1", "patient-2"} {
		if r := say(p, "订阅 价格调整"); !strings.Contains(r, "已订阅") {
			t.Fatalf("subscription by chat: %q", r)
		}
	}
	var ticket string
	for _, line := range []string{"投诉", "药房窗口排队一个多小时，工作人员态度冷淡", "跳过", "跳过", "实名", "13912345678", "确认"} {
		ticket = say("patient-3", line)
	}
	number := regexp.MustCompile(`TS\d{8}-\d+`).FindString(ticket)
	if number == "" {
		t.Fatalf("no ticket number in %q", ticket)
	}
	for _, line := range []string{"投诉", "门诊二楼卫生间地面湿滑，老人差点摔倒", "跳过", "跳过", "匿名", "确认"} {
		say("patient-4", line)
	}
	// Notices in other states, so the list shows the workflow.
	ns := notices.NewService(st, nil, notices.Config{Categories: cfg.Notices.Categories}, nil)
	for _, n := range []struct{ title, cat string }{{"2025年第三季度药品集中采购结果", "招标采购"}, {"CT设备采购项目中标公示", "设备采购"}} {
		title, cat, sum := n.title, n.cat, "详见公示正文"
		created, err := ns.Create(ctx, editor, notices.Input{Title: &title, Category: &cat, Summary: &sum})
		if err != nil {
			t.Fatal(err)
		}
		if cat == "设备采购" {
			if _, err := ns.Submit(ctx, editor, created.ID); err != nil {
				t.Fatal(err)
			}
		}
	}

	// The browser.
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(exe), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.NoFirstRun, chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 860),
	)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(allocCtx)
	defer cancelBrowser()

	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(bctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}
	location := func() string {
		t.Helper()
		s, err := chromedp.Run(bctx, chromedp.Location())
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	shoot := func(dir, name string) {
		t.Helper()
		png, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// The README's screenshots are rewritten only on request
	// (WXBOT_UPDATE_SCREENSHOTS=1), so a test run leaves the tree clean.
	shotDir := t.TempDir()
	if os.Getenv("WXBOT_UPDATE_SCREENSHOTS") == "1" {
		shotDir = screenshotDir
	}
	screenshot := func(name string) { t.Helper(); shoot(shotDir, name) }
	// WXBOT_CONSOLE_SHOTS=DIR also saves the other pages the test visits.
	extra := func(name string) {
		t.Helper()
		if dir := os.Getenv("WXBOT_CONSOLE_SHOTS"); dir != "" {
			shoot(dir, name)
		}
	}
	// submit clicks a form's button and waits for the page it leads to.
	submit := func(what, sel string) {
		t.Helper()
		loaded := chromedp.Events(bctx, page.LoadEventFired)
		do(what, chromedp.Click(chromedp.CSS(sel)))
		for _, err := range loaded {
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			break
		}
	}
	signIn := func(name string) {
		t.Helper()
		do("sign in as "+name,
			chromedp.Navigate(base+"/console/"),
			chromedp.WaitVisible(chromedp.CSS(`input[name=password]`)),
			chromedp.SetValue(chromedp.CSS(`input[name=name]`), name),
			chromedp.SetValue(chromedp.CSS(`input[name=password]`), pw),
		)
		submit("sign in as "+name, `main form button[type=submit]`)
		if who := text("header .who span"); who != name {
			t.Fatalf("signed in as %q, want %q", who, name)
		}
	}
	signOut := func() {
		t.Helper()
		submit("sign out", `header .who button`)
		do("sign-in page", chromedp.WaitVisible(chromedp.CSS(`input[name=password]`)))
	}

	// 1. The editor drafts a notice, previews it as patients will see it, saves and submits it.
	const title = "CT平扫检查价格下调公示"
	signIn("张编辑")
	do("new notice",
		chromedp.Click(chromedp.CSS(`a[href="/console/notices/new"]`)),
		chromedp.WaitVisible(chromedp.CSS(`input[name=title]`)),
		chromedp.SetValue(chromedp.CSS(`input[name=title]`), title),
		chromedp.SetValue(chromedp.CSS(`select[name=category]`), "价格调整"),
		chromedp.SetValue(chromedp.CSS(`textarea[name=summary]`), "自下月1日起CT平扫每部位下调20元"),
		chromedp.SetValue(chromedp.CSS(`textarea[name=body]`), "## 调整项目\n- CT平扫：**每部位下调20元**\n- 增强CT：不变"),
		chromedp.SetValue(chromedp.CSS(`input[name=link]`), "https://hospital.example/notices/ct"),
	)
	submit("preview", `button[value=preview]`)
	extra("notice-preview.png")
	if p := text(".preview"); !strings.Contains(p, title) || !strings.Contains(p, "【价格调整】"+title) || !strings.Contains(p, "退订 价格调整") {
		t.Errorf("the preview does not show what the patient gets:\n%s", p)
	}
	submit("save the draft", `button[value=save]`)
	extra("notice-draft.png")
	noticeURL := location()
	submit("submit", `form[action$="/submit"] button`)
	if s := text(".bar .state"); s != "待审核" {
		t.Errorf("after submit the notice is %q", s)
	}
	signOut()

	// 2. Another member, a reviewer, approves: published, pushed to both subscribers.
	signIn("李审核")
	do("approve",
		chromedp.Navigate(noticeURL),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/approve"] button`)),
	)
	submit("approve", `form[action$="/approve"] button`)
	pushURL := location()
	extra("push-running.png")
	if !strings.HasSuffix(pushURL, "/push") {
		t.Fatalf("after the approval the browser is at %s, not the push page", pushURL)
	}
	for deadline := time.Now().Add(20 * time.Second); ; {
		if text("#sent") == "2" && text("#pending") == "0" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("push not done: sent %s, pending %s, state %s", text("#sent"), text("#pending"), text(".push-state"))
		}
		time.Sleep(300 * time.Millisecond)
		do("reload the push page", chromedp.Navigate(pushURL), chromedp.WaitVisible(chromedp.CSS(`dl.counts`)))
	}
	extra("push-done.png")
	var to []string
	for _, c := range fake.Sent(fakewx.KindTemplate) {
		if c.Data()["first"] == title {
			to = append(to, c.ToUser)
		}
	}
	slices.Sort(to)
	if strings.Join(to, ",") != "patient-1,patient-2" {
		t.Errorf("the fake WeChat API got the notice for %v, want patient-1 and patient-2", to)
	}
	do("notices page", chromedp.Navigate(base+"/console/notices"), chromedp.WaitVisible(chromedp.CSS(`table.list`)))
	if l := text("table.list"); !strings.Contains(l, title) || !strings.Contains(l, "已发布") {
		t.Errorf("the notices list lacks the published notice:\n%s", l)
	}
	screenshot("notices.png")
	signOut()

	// 3. Complaints staff answer the complaint; the patient gets it as a customer-service message.
	signIn("王专员")
	do("complaint queue", chromedp.Navigate(base+"/console/complaints"), chromedp.WaitVisible(chromedp.CSS(`table.queue`)))
	q := text("table.queue")
	if !strings.Contains(q, number) || !strings.Contains(q, "139****5678") || strings.Contains(q, "13912345678") {
		t.Errorf("the queue lacks the ticket or shows the phone unmasked:\n%s", q)
	}
	screenshot("complaints.png")
	const answer = "您好，已增开两个发药窗口，并对窗口人员进行了服务提醒。感谢您的反馈。"
	do("answer the complaint",
		chromedp.Click(chromedp.CSS(`a[href="/console/complaints/`+number+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/reply"] textarea`)),
		chromedp.SetValue(chromedp.CSS(`form[action$="/reply"] textarea`), answer),
	)
	submit("send the answer", `form[action$="/reply"] button`)
	extra("complaint.png")
	if d := text(".delivery-sent"); !strings.Contains(d, "已送达微信") {
		t.Errorf("delivery state on the ticket: %q", d)
	}
	if got := fake.TextsTo("patient-3"); !slices.ContainsFunc(got, func(s string) bool { return strings.Contains(s, answer) }) {
		t.Errorf("the fake WeChat API got no customer-service message with the answer: %q", got)
	}
	signOut()

	// 4. The admin uploads a CSV with a bad row and sees its line.
	signIn("赵管理")
	csv := filepath.Join(t.TempDir(), "prices.csv")
	bad := "code,name,category,unit,price,insurance,note\n" +
		"GH0001,普通门诊挂号费,挂号,次,2.00,甲,\n" +
		"GH0002,副主任医师门诊挂号费,挂号,次,6.00,甲,\n" +
		"GH0003,主任医师门诊挂号费,挂号,次,10.00,乙,\n" +
		"GH0009,专家门诊挂号费,挂号,次,二十元,乙,\n"
	if err := os.WriteFile(csv, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	do("upload a bad CSV",
		chromedp.Navigate(base+"/console/knowledge"),
		chromedp.WaitVisible(chromedp.CSS(`input[type=file]`)),
		chromedp.SetValue(chromedp.CSS(`select[name=kind]`), "prices"),
		chromedp.SetUploadFiles(chromedp.CSS(`input[type=file]`), []string{csv}),
	)
	submit("upload", `form[action="/console/knowledge/upload"] button`)
	extra("upload-errors.png")
	if p := text("table.problems"); !strings.Contains(p, "第5行") || !strings.Contains(p, "二十元") {
		t.Errorf("the problems do not name line 5:\n%s", p)
	}
	if v := a.Knowledge.Current(); len(v.Prices) < 100 {
		t.Errorf("a bad file was applied: %d prices", len(v.Prices))
	}
}
