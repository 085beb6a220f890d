// Command load is a load generator for the WeChat webhook. Over loopback it
// sends signed (and in safe mode encrypted) text messages exactly as WeChat's
// servers build them (package wxsim), each with a MsgId unique across the run,
// and reports throughput, latency percentiles, errors and how many replies were
// real answers rather than `success`.
//
// With --echo-server ADDR it instead serves a bare SDK echo handler on ADDR, so
// the same load can be run against it to show what the service's own layers
// cost.
//
//	go run ./tools/load -c 32 -d 15s                       # plaintext service on :8080
//	go run ./tools/load --mode safe --aes-key KEY --app-id wxdemo --url http://127.0.0.1:8081/wechat
//	go run ./tools/load --echo-server :9090 [--aes-key KEY --app-id wxdemo]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/hospital/wxbot/wxsim"
)

// options are the command line.
type options struct {
	url        string
	token      string
	aesKey     string
	appID      string
	originalID string
	mode       string
	conns      int
	duration   time.Duration
	requests   int
	warmup     time.Duration
	text       string
	textsFile  string
	users      int
	rateHint   int
	pool       int
	verify     int
	timeout    time.Duration
	pid        int
	echoAddr   string
}

func main() {
	var o options
	flag.StringVar(&o.url, "url", "http://127.0.0.1:8080/wechat", "the webhook URL")
	flag.StringVar(&o.token, "token", "dev-token", "the account's WeChat token")
	flag.StringVar(&o.aesKey, "aes-key", "", "EncodingAESKey (43 characters; safe mode)")
	flag.StringVar(&o.appID, "app-id", "wxdemo", "AppID (safe mode: carried inside the ciphertext)")
	flag.StringVar(&o.originalID, "original-id", "gh_loadtest", "the account's original id (ToUserName)")
	flag.StringVar(&o.mode, "mode", "plain", "plain | safe")
	flag.IntVar(&o.conns, "c", 32, "concurrent connections")
	flag.DurationVar(&o.duration, "d", 10*time.Second, "how long to send (ignored with -n)")
	flag.IntVar(&o.requests, "n", 0, "send exactly this many requests instead of running for -d")
	flag.DurationVar(&o.warmup, "warmup", time.Second, "send for this long before measuring (not counted)")
	flag.StringVar(&o.text, "text", "血常规多少钱", "the text every message carries")
	flag.StringVar(&o.textsFile, "texts", "", "a file of messages, one per line, that each patient says in turn (instead of --text)")
	flag.IntVar(&o.users, "users", 1000, "distinct OpenIDs the messages come from")
	flag.IntVar(&o.rateHint, "rate-hint", 15000, "safe mode: expected req/s, sizes the pre-built pool as rate-hint*(warmup+d)")
	flag.IntVar(&o.pool, "pool", 0, "safe mode: pre-built requests (0: from -n or --rate-hint); beyond it workers encrypt on the fly")
	flag.IntVar(&o.verify, "verify-every", 50, "fully parse (decrypt, check signature and AppID) every Nth reply; 1 = all")
	flag.DurationVar(&o.timeout, "timeout", 10*time.Second, "per-request timeout")
	flag.IntVar(&o.pid, "pid", 0, "optional: the server's process id, to report its CPU time per request")
	flag.StringVar(&o.echoAddr, "echo-server", "", "serve a bare SDK echo handler on this address instead of sending load")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	if o.echoAddr != "" {
		err = runEcho(ctx, o)
	} else {
		err = runLoad(ctx, o, os.Stdout)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

// account turns the flags into what WeChat's servers know of the account.
func (o options) account() (wxsim.Account, error) {
	a := wxsim.Account{Token: o.token, EncodingAESKey: o.aesKey, AppID: o.appID, OriginalID: o.originalID}
	switch o.mode {
	case "plain":
		a.Mode = wxsim.Plain
	case "safe":
		a.Mode = wxsim.Safe
		if _, err := wxsim.AESKey(o.aesKey); err != nil {
			return a, fmt.Errorf("--aes-key: %w", err)
		}
	default:
		return a, fmt.Errorf("--mode must be plain or safe, got %q", o.mode)
	}
	return a, nil
}

// messages are the texts to send: --texts' lines (blank ones and lines
// starting with # skipped), else --text.
func (o options) messages() ([]string, error) {
	if o.textsFile == "" {
		return []string{o.text}, nil
	}
	raw, err := os.ReadFile(o.textsFile)
	if err != nil {
		return nil, fmt.Errorf("--texts: %w", err)
	}
	var texts []string
	for _, line := range strings.Split(string(raw), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			texts = append(texts, line)
		}
	}
	if len(texts) == 0 {
		return nil, fmt.Errorf("--texts: %s holds no message", o.textsFile)
	}
	return texts, nil
}

func runLoad(ctx context.Context, o options, out io.Writer) error {
	if o.conns < 1 {
		return errors.New("-c must be at least 1")
	}
	if o.users < 1 {
		return errors.New("--users must be at least 1")
	}
	if o.requests <= 0 && o.duration <= 0 {
		return errors.New("give -d > 0 or -n > 0")
	}
	acct, err := o.account()
	if err != nil {
		return err
	}
	poolSize := o.pool
	if poolSize == 0 {
		if o.requests > 0 {
			poolSize = o.requests + int(float64(o.rateHint)*o.warmup.Seconds())
		} else {
			poolSize = int(float64(o.rateHint) * (o.duration + o.warmup).Seconds())
		}
	}
	texts, err := o.messages()
	if err != nil {
		return err
	}
	t0 := time.Now()
	gen, err := newGenerator(acct, o.url, texts, o.users, poolSize, time.Now())
	if err != nil {
		return err
	}
	buildTime := time.Since(t0)
	runtime.GC()

	r := newRunner(o, acct, gen)
	res, err := r.run(ctx)
	if err != nil {
		return err
	}
	res.buildTime = buildTime
	res.print(out, o, gen)
	return nil
}
