package notices_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-redis/redis/v8"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/hospital/wxbot/clock"
	"github.com/hospital/wxbot/notices"
	"github.com/hospital/wxbot/notices/noticeapi"
	"github.com/hospital/wxbot/staff"
	"github.com/hospital/wxbot/store"
	"github.com/hospital/wxbot/store/redisstore"
	"github.com/hospital/wxbot/wxapi"
	"github.com/hospital/wxbot/wxapi/fakewx"
)

const category = "价格调整"

// subscribe adds n subscribers u00000.. to category and returns them.
func subscribe(t testing.TB, svc *notices.Service, n int) []string {
	t.Helper()
	ctx := context.Background()
	users := make([]string, n)
	for i := range users {
		users[i] = fmt.Sprintf("u%05d", i)
		if _, err := svc.Subscriptions().Subscribe(ctx, users[i], category); err != nil {
			t.Fatal(err)
		}
	}
	return users
}

// publish runs a non-major notice through the workflow to publication.
func publish(t testing.TB, svc *notices.Service) *notices.Notice {
	t.Helper()
	ctx := context.Background()
	n := try(svc.Create(ctx, author, input("关于调整部分医疗服务价格的公示", category, false))).get(t)
	try(svc.Submit(ctx, author, n.ID)).get(t)
	n = try(svc.Approve(ctx, reviewer, n.ID)).get(t)
	if n.State != notices.StatePublished {
		t.Fatalf("state %s after approval", n.State)
	}
	return n
}

// newWeChat starts the fake WeChat API and a real client pointed at it.
func newWeChat(t testing.TB, st store.Store) (*fakewx.Server, wxapi.API) {
	t.Helper()
	srv := fakewx.New()
	t.Cleanup(srv.Close)
	api, err := wxapi.NewClient(wxapi.ClientConfig{AppID: "wx-test-app", AppSecret: "secret", BaseURL: srv.URL(), Timeout: 5 * time.Second}, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	return srv, api
}

// unfollowEvery makes every step-th user from the from-th unfollow the account
// and returns them.
func unfollowEvery(srv *fakewx.Server, users []string, from, step int) map[string]bool {
	gone := map[string]bool{}
	for i := from; i < len(users); i += step {
		srv.Unfollow(users[i])
		gone[users[i]] = true
	}
	return gone
}

func newSender(t testing.TB, api wxapi.API) notices.Sender {
	t.Helper()
	s, err := notices.NewSender(api, notices.SenderConfig{Mode: notices.ModeTemplate, TemplateID: "tpl-notice"})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// fakeRecord is what the fake WeChat API saw for each patient.
type fakeRecord struct {
	successes map[string]int // accepted template messages per patient
	codes     map[string]map[int]int
}

func recordOf(srv *fakewx.Server) fakeRecord {
	r := fakeRecord{successes: map[string]int{}, codes: map[string]map[int]int{}}
	for _, c := range srv.Calls(fakewx.APITemplateSend) {
		if c.Code == 0 && c.Status == http.StatusOK {
			r.successes[c.ToUser]++
			continue
		}
		if r.codes[c.ToUser] == nil {
			r.codes[c.ToUser] = map[int]int{}
		}
		r.codes[c.ToUser][c.Code]++
	}
	return r
}

// deliveriesJSON reads the deliveries endpoint as staff would.
func deliveriesJSON(t testing.TB, svc *notices.Service, id string) notices.Deliveries {
	t.Helper()
	h := noticeapi.New(noticeapi.Deps{Notices: svc})
	req := httptest.NewRequest("GET", "/api/v1/notices/"+id+"/deliveries", nil)
	req = req.WithContext(staff.NewContext(req.Context(), admin))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 200 {
		t.Fatalf("deliveries: %d %s", rec.Code, rec.Body)
	}
	var d notices.Deliveries
	if err := json.Unmarshal(rec.Body.Bytes(), &d); err != nil {
		t.Fatal(err)
	}
	return d
}

// checkExactlyOnce asserts that every reachable patient got exactly one
// accepted message, the unreachable none, and that the deliveries endpoint
// reports what the fake recorded.
func checkExactlyOnce(t testing.TB, srv *fakewx.Server, svc *notices.Service, id string, users []string, unreachable map[string]bool) {
	t.Helper()
	ctx := context.Background()
	rec := recordOf(srv)
	sentFake, skippedFake := 0, 0
	for _, u := range users {
		got := rec.successes[u]
		if unreachable[u] {
			if got != 0 {
				t.Errorf("%s is not following but got %d messages", u, got)
			}
			if rec.codes[u][wxapi.CodeNotFollowing] > 0 {
				skippedFake++
			}
			state, err := svc.Delivery(ctx, id, u)
			if err != nil || state != "skipped:43004" {
				t.Errorf("%s: delivery record %q, %v; want skipped:43004", u, state, err)
			}
			continue
		}
		if got != 1 {
			t.Errorf("%s got %d messages, want exactly 1", u, got)
		}
		sentFake += got
	}
	d := deliveriesJSON(t, svc, id)
	if d.Total != int64(len(users)) || d.Sent != int64(sentFake) || d.Skipped != int64(skippedFake) ||
		d.SkippedByCode["43004"] != int64(skippedFake) || d.Failed != 0 || d.Pending != 0 {
		t.Errorf("deliveries = %+v; the fake recorded %d sent, %d skipped (43004) of %d", d, sentFake, skippedFake, len(users))
	}
	if len(srv.Sent(fakewx.KindTemplate)) != sentFake {
		t.Errorf("the fake accepted %d template messages, %d to subscribers", len(srv.Sent(fakewx.KindTemplate)), sentFake)
	}
	for u := range unreachable {
		for _, c := range svc.Categories() {
			if ok, _ := svc.Subscriptions().IsSubscribed(ctx, u, c); ok {
				t.Errorf("%s answered 43004 but is still subscribed to %s", u, c)
			}
		}
	}
}

// sentCount is the number of accepted template messages so far.
func sentCount(srv *fakewx.Server) int { return len(srv.Sent(fakewx.KindTemplate)) }

func TestPushTenThousandWithErrorsPauseAndResume(t *testing.T) {
	if testing.Short() {
		t.Skip("10,000 subscribers: skipped with -short")
	}
	e := newEnv(t)
	ctx := context.Background()
	srv, api := newWeChat(t, e.st)
	users := subscribe(t, e.svc, 10000)
	unreachable := unfollowEvery(srv, users, 7, 250)
	srv.FailRate(fakewx.APITemplateSend, fakewx.CodeBusy, 0.05, 42)

	n := publish(t, e.svc)
	pool := notices.NewPool(e.svc, newSender(t, api), fastOptions(), nil, nil)
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan struct{})
	go func() { _ = pool.Run(runCtx); close(done) }()

	// WeChat's daily quota runs out midway.
	waitFor(t, "3000 sends", func() bool { return sentCount(srv) >= 3000 })
	srv.Fail(fakewx.APITemplateSend, fakewx.CodeDailyQuota, 1)
	waitForJob(t, e.svc, n.ID, notices.JobPaused)
	j := try(e.svc.Job(ctx, n.ID)).get(t)
	wantUntil := time.Date(2025, 3, 4, 0, 0, 0, 0, notices.Shanghai)
	if !j.PausedUntil.Equal(wantUntil) {
		t.Fatalf("paused until %s, want the next midnight in Shanghai %s", j.PausedUntil, wantUntil)
	}
	d := deliveriesJSON(t, e.svc, n.ID)
	if d.State != notices.JobPaused || d.PausedUntil == nil || d.Pending == 0 {
		t.Fatalf("deliveries while paused: %+v", d)
	}
	// Once the workers have let go of their claims, nothing more is sent.
	waitFor(t, "workers to release their claims", func() bool {
		_, leased, err := e.st.QueueLen(ctx, notices.QueueKey(n.ID))
		return err == nil && leased == 0
	})
	before := sentCount(srv)
	time.Sleep(100 * time.Millisecond)
	if after := sentCount(srv); after != before {
		t.Fatalf("%d messages sent while the job was paused", after-before)
	}

	// An admin resumes it.
	if _, err := e.svc.Resume(ctx, reviewer, n.ID); notices.Code(err) != notices.EForbidden {
		t.Fatalf("a reviewer resumed the push: %v", err)
	}
	try(e.svc.Resume(ctx, admin, n.ID)).get(t)
	if _, err := e.svc.Resume(ctx, admin, n.ID); notices.Code(err) != notices.EConflict {
		t.Fatalf("resuming a running job: %v", err)
	}
	waitForJob(t, e.svc, n.ID, notices.JobDone)
	cancel()
	<-done

	checkExactlyOnce(t, srv, e.svc, n.ID, users, unreachable)
	quota := 0
	for _, c := range srv.Calls(fakewx.APITemplateSend) {
		if c.Code == fakewx.CodeDailyQuota {
			quota++
		}
	}
	if quota != 1 {
		t.Errorf("the fake answered 45009 %d times, want 1", quota)
	}
	if got := try(e.svc.Get(ctx, n.ID)).get(t); got.State != notices.StatePushed {
		t.Errorf("notice state %s after the push, want pushed", got.State)
	}
	// The message carries the notice.
	first := srv.Sent(fakewx.KindTemplate)[0]
	data := first.Data()
	if data["first"] != n.Title || data["keyword1"] != category || data["keyword2"] != "2025-03-03" || first.Body["template_id"] != "tpl-notice" {
		t.Errorf("template message = %v", first.Body)
	}
}

func TestPushStoppedMidwayAndRestartedOnTheSameStore(t *testing.T) {
	if testing.Short() {
		t.Skip("10,000 subscribers: skipped with -short")
	}
	e := newEnv(t)
	ctx := context.Background()
	srv, api := newWeChat(t, e.st)
	users := subscribe(t, e.svc, 10000)
	unreachable := unfollowEvery(srv, users, 3, 333)
	srv.FailRate(fakewx.APITemplateSend, fakewx.CodeBusy, 0.05, 7)
	n := publish(t, e.svc)

	first := notices.NewPool(e.svc, newSender(t, api), fastOptions(), nil, nil)
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { _ = first.Run(runCtx); close(done) }()
	waitFor(t, "4000 sends", func() bool { return sentCount(srv) >= 4000 })
	stop()
	<-done

	d := deliveriesJSON(t, e.svc, n.ID)
	if d.State != notices.JobRunning || d.Pending == 0 || d.Sent == 0 {
		t.Fatalf("after the stop: %+v", d)
	}
	if int(d.Sent) != sentCount(srv) {
		t.Fatalf("after the stop %d recorded sent, the fake accepted %d", d.Sent, sentCount(srv))
	}

	second := notices.NewPool(e.svc, newSender(t, api), fastOptions(), nil, nil)
	runUntilDone(t, e.svc, n.ID, second)
	checkExactlyOnce(t, srv, e.svc, n.ID, users, unreachable)
}

func TestAbandonedClaimsAreSentAfterTheLease(t *testing.T) {
	// A crashed instance leaves recipients claimed; once the lease ends
	// another instance sends them, once.
	e := newEnv(t)
	ctx := context.Background()
	srv, api := newWeChat(t, e.st)
	users := subscribe(t, e.svc, 300)
	n := publish(t, e.svc)

	// Feed the queue with a pool that cannot send, then steal some claims.
	blocked := notices.NewPool(e.svc, notices.SenderFunc(func(context.Context, *notices.Notice, string) error {
		return &wxapi.Error{API: "template.send", Code: wxapi.CodeBusy}
	}), notices.PoolOptions{Workers: 1, PollInterval: time.Millisecond, RetryBase: time.Hour}, nil, nil)
	feedCtx, stopFeed := context.WithCancel(ctx)
	fed := make(chan struct{})
	go func() { _ = blocked.Run(feedCtx); close(fed) }()
	waitFor(t, "the queue to be fed", func() bool {
		j, err := e.svc.Job(ctx, n.ID)
		return err == nil && j.Fed
	})
	stopFeed()
	<-fed
	stolen, err := e.st.Claim(ctx, notices.QueueKey(n.ID), 50, 300*time.Millisecond)
	if err != nil || len(stolen) != 50 {
		t.Fatalf("claim: %d, %v", len(stolen), err)
	}

	pool := notices.NewPool(e.svc, newSender(t, api), fastOptions(), nil, nil)
	runUntilDone(t, e.svc, n.ID, pool)
	checkExactlyOnce(t, srv, e.svc, n.ID, users, nil)
}

func TestPauseEndsAtMidnightShanghai(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	users := subscribe(t, e.svc, 200)
	var calls, quotaLeft atomic.Int64
	quotaLeft.Store(1)
	got := map[string]int{}
	sentCh := make(chan string, 1000)
	sender := notices.SenderFunc(func(_ context.Context, _ *notices.Notice, to string) error {
		if calls.Add(1) == 50 && quotaLeft.Add(-1) == 0 {
			return &wxapi.Error{API: "template.send", Code: wxapi.CodeDailyQuota}
		}
		sentCh <- to
		return nil
	})
	n := publish(t, e.svc)
	pool := notices.NewPool(e.svc, sender, fastOptions(), nil, nil)
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan struct{})
	go func() { _ = pool.Run(runCtx); close(done) }()
	waitForJob(t, e.svc, n.ID, notices.JobPaused)
	// 23:59 in Shanghai: still paused.
	e.clk.Set(time.Date(2025, 3, 3, 23, 59, 0, 0, notices.Shanghai))
	time.Sleep(30 * time.Millisecond)
	if j := try(e.svc.Job(ctx, n.ID)).get(t); j.State != notices.JobPaused {
		t.Fatalf("resumed before midnight: %s", j.State)
	}
	e.clk.Set(time.Date(2025, 3, 4, 0, 0, 1, 0, notices.Shanghai))
	waitForJob(t, e.svc, n.ID, notices.JobDone)
	cancel()
	<-done
	close(sentCh)
	for to := range sentCh {
		got[to]++
	}
	for _, u := range users {
		if got[u] != 1 {
			t.Errorf("%s got %d", u, got[u])
		}
	}
}

func TestRetractStopsThePush(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	subscribe(t, e.svc, 2000)
	n := publish(t, e.svc)
	var sent atomic.Int64
	sender := notices.SenderFunc(func(context.Context, *notices.Notice, string) error {
		sent.Add(1)
		time.Sleep(time.Millisecond)
		return nil
	})
	opts := fastOptions()
	opts.Workers = 4
	pool := notices.NewPool(e.svc, sender, opts, nil, nil)
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan struct{})
	go func() { _ = pool.Run(runCtx); close(done) }()
	waitFor(t, "some sends", func() bool { return sent.Load() >= 100 })
	try(e.svc.Retract(ctx, principal, n.ID, "内容有误")).get(t)
	j := try(e.svc.Job(ctx, n.ID)).get(t)
	if j.State != notices.JobStopped {
		t.Fatalf("job %s after retraction", j.State)
	}
	// In-flight sends finish; then nothing more goes out.
	waitFor(t, "workers to let go", func() bool {
		_, leased, err := e.st.QueueLen(ctx, notices.QueueKey(n.ID))
		return err == nil && leased == 0
	})
	settled := sent.Load()
	time.Sleep(50 * time.Millisecond)
	if sent.Load() != settled {
		t.Fatalf("still sending after retraction: %d -> %d", settled, sent.Load())
	}
	if settled >= 2000 {
		t.Fatalf("retraction stopped nothing: %d sent", settled)
	}
	cancel()
	<-done
}

func TestFailedCodesAreRecordedWithTheirCode(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	srv, api := newWeChat(t, e.st)
	users := subscribe(t, e.svc, 50)
	srv.FailFor(fakewx.APITemplateSend, users[0], fakewx.CodeRefused)
	srv.FailFor(fakewx.APITemplateSend, users[1], fakewx.CodeInvalidTplID)
	srv.FailFor(fakewx.APITemplateSend, users[2], fakewx.CodeBusy) // busy every time: gives up
	n := publish(t, e.svc)
	opts := fastOptions()
	opts.MaxAttempts = 3
	runUntilDone(t, e.svc, n.ID, notices.NewPool(e.svc, newSender(t, api), opts, nil, nil))

	d := deliveriesJSON(t, e.svc, n.ID)
	if d.Sent != 47 || d.Skipped != 1 || d.SkippedByCode["43101"] != 1 || d.Failed != 2 ||
		d.FailuresByCode["40037"] != 1 || d.FailuresByCode["-1"] != 1 || d.Pending != 0 {
		t.Fatalf("deliveries = %+v", d)
	}
	busy := recordOf(srv).codes[users[2]][fakewx.CodeBusy]
	if busy != 3 {
		t.Fatalf("busy patient tried %d times, want 3", busy)
	}
	// 43101 (refused) does not unsubscribe; only 43004 does.
	if ok, _ := e.svc.Subscriptions().IsSubscribed(ctx, users[0], category); !ok {
		t.Fatal("a patient who refused one message was unsubscribed")
	}
	for i, want := range []string{"skipped:43101", "failed:40037", "failed:-1", "sent"} {
		if got, _ := e.svc.Delivery(ctx, n.ID, users[i]); got != want {
			t.Errorf("%s: %q, want %q", users[i], got, want)
		}
	}
}

func TestSubscribeModeSendsBizsend(t *testing.T) {
	e := newEnv(t)
	srv, api := newWeChat(t, e.st)
	users := subscribe(t, e.svc, 5)
	sender, err := notices.NewSender(api, notices.SenderConfig{Mode: notices.ModeSubscribe, TemplateID: "sub-tpl"})
	if err != nil {
		t.Fatal(err)
	}
	n := publish(t, e.svc)
	runUntilDone(t, e.svc, n.ID, notices.NewPool(e.svc, sender, fastOptions(), nil, nil))
	sent := srv.Sent(fakewx.KindSubscribe)
	if len(sent) != len(users) {
		t.Fatalf("%d subscribe messages, want %d", len(sent), len(users))
	}
	data := sent[0].Data()
	if data["thing1"] != "关于调整部分医疗服务价格的公示" || data["time2"] != "2025-03-03" {
		t.Fatalf("data = %v", data)
	}
	if len(srv.Sent(fakewx.KindTemplate)) != 0 {
		t.Fatal("template messages sent in subscribe mode")
	}
}

func TestNewSenderRejectsBadConfig(t *testing.T) {
	if _, err := notices.NewSender(nil, notices.SenderConfig{Mode: "sms"}); err == nil {
		t.Fatal("unknown mode accepted")
	}
	if _, err := notices.NewSender(nil, notices.SenderConfig{Fields: map[string]string{"first": "author"}}); err == nil {
		t.Fatal("unknown field source accepted")
	}
}

// redisAddr returns the test Redis address, or skips.
func redisAddr(t testing.TB) string {
	t.Helper()
	addr := os.Getenv("WXBOT_TEST_REDIS")
	if addr == "" {
		addr = "127.0.0.1:6379"
	}
	c := redis.NewClient(&redis.Options{Addr: addr, DialTimeout: 500 * time.Millisecond})
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		t.Skipf("redis not reachable at %s; start redis-server or set WXBOT_TEST_REDIS to run this test", addr)
	}
	return addr
}

// redisStore opens a store under prefix; the prefix's keys are deleted at the end.
func redisStore(t testing.TB, addr, prefix string) store.Store {
	t.Helper()
	st, err := redisstore.New(redisstore.Options{Addrs: []string{addr}, Prefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func cleanupRedis(t testing.TB, addr, prefix string) {
	t.Cleanup(func() {
		c := redis.NewClient(&redis.Options{Addr: addr})
		defer c.Close()
		ctx := context.Background()
		iter := c.Scan(ctx, 0, prefix+"*", 1000).Iterator()
		var keys []string
		for iter.Next(ctx) {
			keys = append(keys, iter.Val())
			if len(keys) == 1000 {
				c.Del(ctx, keys...)
				keys = keys[:0]
			}
		}
		if len(keys) > 0 {
			c.Del(ctx, keys...)
		}
	})
}

func TestTwoPoolsOnOneRedis(t *testing.T) {
	if testing.Short() {
		t.Skip("10,000 subscribers: skipped with -short")
	}
	addr := redisAddr(t)
	prefix := "wxbot-test-notices-" + strconv.FormatInt(time.Now().UnixNano(), 36) + ":"
	cleanupRedis(t, addr, prefix)
	ctx := context.Background()
	clk := clock.NewFake(t0)
	st1 := redisStore(t, addr, prefix)
	st2 := redisStore(t, addr, prefix)
	svc1 := notices.NewService(st1, clk, notices.Config{}, nil)
	svc2 := notices.NewService(st2, clk, notices.Config{}, nil)

	srv, api := newWeChat(t, st1)
	users := subscribe(t, svc1, 10000)
	unreachable := unfollowEvery(srv, users, 11, 400)
	srv.FailRate(fakewx.APITemplateSend, fakewx.CodeBusy, 0.05, 99)
	n := publish(t, svc1)

	var byPool [2]atomic.Int64
	counted := func(i int, s notices.Sender) notices.Sender {
		return notices.SenderFunc(func(ctx context.Context, n *notices.Notice, to string) error {
			err := s.Send(ctx, n, to)
			if err == nil {
				byPool[i].Add(1)
			}
			return err
		})
	}
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan struct{}, 2)
	for i, svc := range []*notices.Service{svc1, svc2} {
		p := notices.NewPool(svc, counted(i, newSender(t, api)), fastOptions(), nil, nil)
		go func() { _ = p.Run(runCtx); done <- struct{}{} }()
	}
	// Midway, WeChat's quota runs out once; an admin resumes on the other instance.
	waitFor(t, "3000 sends", func() bool { return sentCount(srv) >= 3000 })
	srv.Fail(fakewx.APITemplateSend, fakewx.CodeDailyQuota, 1)
	waitForJob(t, svc2, n.ID, notices.JobPaused)
	try(svc2.Resume(ctx, admin, n.ID)).get(t)
	waitForJob(t, svc2, n.ID, notices.JobDone)
	cancel()
	<-done
	<-done
	checkExactlyOnce(t, srv, svc2, n.ID, users, unreachable)
	if byPool[0].Load() == 0 || byPool[1].Load() == 0 {
		t.Errorf("one pool did all the work: %d / %d", byPool[0].Load(), byPool[1].Load())
	}
}

func TestSendMetricsCountResultsByErrcode(t *testing.T) {
	e := newEnv(t)
	srv, api := newWeChat(t, e.st)
	users := subscribe(t, e.svc, 20)
	srv.Unfollow(users[0])
	srv.FailFor(fakewx.APITemplateSend, users[1], fakewx.CodeInvalidTplID)
	srv.Fail(fakewx.APITemplateSend, fakewx.CodeBusy, 1)
	reg := prometheus.NewRegistry()
	m, err := notices.NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	if again, err := notices.NewMetrics(reg); err != nil || again == nil {
		t.Fatalf("registering twice: %v", err)
	}
	n := publish(t, e.svc)
	runUntilDone(t, e.svc, n.ID, notices.NewPool(e.svc, newSender(t, api), fastOptions(), m, nil))

	got := map[string]float64{}
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != "wxbot_push_sends_total" {
			continue
		}
		for _, mt := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range mt.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			got[labels["result"]+"/"+labels["errcode"]] = mt.GetCounter().GetValue()
		}
	}
	want := map[string]float64{"sent/0": 18, "skipped/43004": 1, "failed/40037": 1, "retry/-1": 1}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v (all: %v)", k, got[k], v, got)
		}
	}
}
