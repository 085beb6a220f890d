package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/hospital/wxbot/wxsim"
)

// runner drives the workers.
type runner struct {
	o      options
	acct   wxsim.Account
	gen    *generator
	client *http.Client
}

func newRunner(o options, acct wxsim.Account, gen *generator) *runner {
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        o.conns,
		MaxIdleConnsPerHost: o.conns,
		MaxConnsPerHost:     o.conns,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
		ForceAttemptHTTP2:   false,
		WriteBufferSize:     8 << 10,
		ReadBufferSize:      8 << 10,
	}
	return &runner{o: o, acct: acct, gen: gen, client: &http.Client{Transport: tr, Timeout: o.timeout}}
}

// workerStats is what one worker saw during the measured window.
type workerStats struct {
	lat      []int64 // nanoseconds, answered requests (status 200)
	errs     map[string]int
	answers  int // 200 with a real reply
	success  int // 200 with `success` or an empty body
	verified int
	lastEnd  time.Time
	sample   string
}

// result is the whole run.
type result struct {
	start, end  time.Time
	workers     []*workerStats
	buildTime   time.Duration
	selfCPU     time.Duration
	serverCPU   time.Duration
	serverCPUOK bool
	warmupSent  int64
	machineBusy time.Duration // all CPUs, busy time during the window
	machineOK   bool
}

// machineCPU is the busy time of all CPUs from /proc/stat.
type machineCPU struct {
	busy time.Duration
	ok   bool
}

func readMachineCPU() machineCPU {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return machineCPU{}
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 8 || f[0] != "cpu" {
		return machineCPU{}
	}
	var busy int64
	for i, v := range f[1:] {
		if i == 3 || i == 4 { // idle, iowait
			continue
		}
		if i >= 7 { // guest time is already in user
			break
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return machineCPU{}
		}
		busy += n
	}
	return machineCPU{busy: time.Duration(busy) * time.Second / 100, ok: true}
}

func (r *runner) run(ctx context.Context) (*result, error) {
	o := r.o
	var (
		measureStart = time.Now().Add(o.warmup)
		measureEnd   time.Time
		issued       atomic.Int64 // measured requests handed out (-n mode)
		warm         atomic.Int64
		stop         atomic.Bool
	)
	if o.requests <= 0 {
		measureEnd = measureStart.Add(o.duration)
	}
	res := &result{start: measureStart}
	// CPU counters at the start of the measured window.
	var cpuStart, srvStart time.Duration
	var srvOK bool
	var sysStart machineCPU
	var cpuOnce sync.Once
	markStart := func() {
		cpuOnce.Do(func() {
			cpuStart = selfCPU()
			srvStart, srvOK = procCPU(o.pid)
			sysStart = readMachineCPU()
		})
	}
	if o.warmup <= 0 {
		markStart()
	}

	var wg sync.WaitGroup
	for w := 0; w < o.conns; w++ {
		ws := &workerStats{errs: map[string]int{}}
		if o.requests > 0 {
			ws.lat = make([]int64, 0, o.requests/o.conns+16)
		} else {
			ws.lat = make([]int64, 0, int(float64(o.rateHint)*o.duration.Seconds())/o.conns+16)
		}
		res.workers = append(res.workers, ws)
		wg.Add(1)
		go func(ws *workerStats) {
			defer wg.Done()
			var buf bytes.Buffer
			n := 0
			for !stop.Load() && ctx.Err() == nil {
				now := time.Now()
				measuring := !now.Before(measureStart)
				if measuring {
					markStart()
					if o.requests > 0 {
						if issued.Add(1) > int64(o.requests) {
							return
						}
					} else if !now.Before(measureEnd) {
						return
					}
				} else {
					warm.Add(1)
				}
				req, err := r.gen.get()
				if err != nil {
					ws.errs["build: "+err.Error()]++
					stop.Store(true)
					return
				}
				t0 := time.Now()
				status, err := r.do(ctx, req, &buf)
				lat := time.Since(t0)
				if !measuring {
					continue
				}
				ws.lastEnd = t0.Add(lat)
				if err != nil {
					ws.errs[errKind(err)]++
					continue
				}
				if status != http.StatusOK {
					ws.errs["HTTP "+strconv.Itoa(status)]++
					continue
				}
				ws.lat = append(ws.lat, int64(lat))
				body := buf.Bytes()
				if t := bytes.TrimSpace(body); len(t) == 0 || string(t) == "success" {
					ws.success++
				} else {
					ws.answers++
				}
				n++
				if o.verify > 0 && n%o.verify == 0 {
					ws.verified++
					rep, err := r.acct.ParseReply(body)
					switch {
					case err != nil:
						ws.errs["bad reply: "+err.Error()]++
					case !rep.Success && rep.Content == "":
						ws.errs["bad reply: empty "+rep.MsgType+" message"]++
					case !rep.Success && ws.sample == "":
						ws.sample = rep.Content
					}
				}
			}
		}(ws)
	}
	wg.Wait()
	res.selfCPU = selfCPU() - cpuStart
	if end := readMachineCPU(); sysStart.ok && end.ok {
		res.machineBusy, res.machineOK = end.busy-sysStart.busy, true
	}
	if srvOK {
		if s, ok := procCPU(o.pid); ok {
			res.serverCPU, res.serverCPUOK = s-srvStart, true
		}
	}
	res.warmupSent = warm.Load()
	for _, ws := range res.workers {
		if ws.lastEnd.After(res.end) {
			res.end = ws.lastEnd
		}
	}
	if res.end.IsZero() {
		return nil, errors.New("no request was measured (interrupted during warm-up?)")
	}
	return res, nil
}

// do sends one request and reads the whole answer into buf.
func (r *runner) do(ctx context.Context, q request, buf *bytes.Buffer) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, q.url, bytes.NewReader(q.body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "text/xml")
	req.Header.Set("User-Agent", "Mozilla/4.0")
	resp, err := r.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	buf.Reset()
	if _, err := buf.ReadFrom(resp.Body); err != nil {
		return resp.StatusCode, err
	}
	return resp.StatusCode, nil
}

// errKind names a transport error for the report.
func errKind(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset"
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded),
		errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "connection closed (EOF)"
	case errors.Is(err, context.Canceled):
		return "interrupted"
	}
	s := err.Error()
	if len(s) > 80 {
		s = s[:80]
	}
	return "transport: " + s
}

// selfCPU is this process's user+system CPU time.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// procCPU reads another process's user+system CPU time from /proc (Linux).
func procCPU(pid int) (time.Duration, bool) {
	if pid <= 0 {
		return 0, false
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, false
	}
	// Fields after the command name, which is in parentheses and may hold spaces.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0, false
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64) // field 14
	st, err2 := strconv.ParseInt(f[12], 10, 64) // field 15
	if err1 != nil || err2 != nil {
		return 0, false
	}
	const clkTck = 100 // USER_HZ on Linux
	return time.Duration(ut+st) * time.Second / clkTck, true
}

// print writes the report.
func (res *result) print(w io.Writer, o options, g *generator) {
	var lat []int64
	errs := map[string]int{}
	answers, success, verified := 0, 0, 0
	sample := ""
	for _, ws := range res.workers {
		lat = append(lat, ws.lat...)
		for k, v := range ws.errs {
			errs[k] += v
		}
		answers += ws.answers
		success += ws.success
		verified += ws.verified
		if sample == "" {
			sample = ws.sample
		}
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	nerr := 0
	for k, v := range errs {
		if !strings.HasPrefix(k, "bad reply") {
			nerr += v
		}
	}
	ok := len(lat)
	total := ok + nerr
	elapsed := res.end.Sub(res.start)
	rps := float64(ok) / elapsed.Seconds()

	what := fmt.Sprintf("text=%q", o.text)
	if len(g.texts) > 1 || o.textsFile != "" {
		what = fmt.Sprintf("texts=%s (%d messages, each patient says them in turn)", o.textsFile, len(g.texts))
	}
	fmt.Fprintf(w, "target     %s  mode=%s  c=%d  users=%d  %s\n", o.url, o.mode, o.conns, o.users, what)
	genNote := "plaintext: per-user signed URL pre-built, MsgId spliced into the body per request"
	if g.acct.Mode != wxsim.Plain {
		genNote = fmt.Sprintf("safe: %d requests pre-encrypted in %s; %d encrypted on the fly by workers",
			len(g.pool), res.buildTime.Round(time.Millisecond), g.onTheFly.Load())
	}
	fmt.Fprintf(w, "generator  %s\n", genNote)
	fmt.Fprintf(w, "warm-up    %s, %d requests (not counted)\n", o.warmup, res.warmupSent)
	fmt.Fprintf(w, "requests   %d in %s (%d answered 200, %d errors)\n", total, elapsed.Round(time.Millisecond), ok, nerr)
	fmt.Fprintf(w, "throughput %.0f req/s (answered 200)\n", rps)
	if ok > 0 {
		fmt.Fprintf(w, "latency    p50 %s  p90 %s  p99 %s  max %s\n",
			pct(lat, 50), pct(lat, 90), pct(lat, 99), time.Duration(lat[len(lat)-1]).Round(time.Microsecond))
		fmt.Fprintf(w, "replies    %.1f%% real answers (%d), %d `success`; %d parsed in full", 100*float64(answers)/float64(ok), answers, success, verified)
		if g.acct.Mode != wxsim.Plain {
			fmt.Fprint(w, " (msg_signature, decryption, AppID checked)")
		}
		fmt.Fprintln(w)
	}
	if sample != "" {
		r := []rune(strings.ReplaceAll(sample, "\n", " / "))
		if len(r) > 60 {
			r = append(r[:60], '…')
		}
		fmt.Fprintf(w, "sample     %s\n", string(r))
	}
	keys := make([]string, 0, len(errs))
	for k := range errs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if len(keys) == 0 {
		fmt.Fprintln(w, "errors     none")
	}
	for _, k := range keys {
		fmt.Fprintf(w, "errors     %-40s %d\n", k, errs[k])
	}
	fmt.Fprintf(w, "cpu        load generator %.2f cores", res.selfCPU.Seconds()/elapsed.Seconds())
	if res.serverCPUOK && ok > 0 {
		fmt.Fprintf(w, "; server pid %d %.2f cores, %.0f µs CPU/request",
			o.pid, res.serverCPU.Seconds()/elapsed.Seconds(), float64(res.serverCPU.Microseconds())/float64(ok))
	}
	if res.machineOK {
		other := res.machineBusy - res.selfCPU
		if res.serverCPUOK {
			other -= res.serverCPU
		}
		fmt.Fprintf(w, "; machine %.2f of %d cores busy", res.machineBusy.Seconds()/elapsed.Seconds(), runtime.NumCPU())
		if res.serverCPUOK {
			fmt.Fprintf(w, ", other processes %.2f cores", max(0, other.Seconds()/elapsed.Seconds()))
		}
	}
	fmt.Fprintln(w)
	if ok > 0 {
		fmt.Fprintf(w, "SUMMARY mode=%s c=%d req=%d err=%d rps=%.0f p50=%s p90=%s p99=%s max=%s answers=%.1f%%\n",
			o.mode, o.conns, total, nerr, rps, pct(lat, 50), pct(lat, 90), pct(lat, 99),
			time.Duration(lat[len(lat)-1]).Round(time.Microsecond), 100*float64(answers)/float64(ok))
	}
}

// pct is the p-th percentile of sorted latencies (nearest rank).
func pct(sorted []int64, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*p/100+0.5) - 1
	if i < 0 {
		i = 0
	}
	if i >= len(sorted) {
		i = len(sorted) - 1
	}
	return time.Duration(sorted[i]).Round(time.Microsecond)
}
