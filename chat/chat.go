// Package chat is the terminal WeChat client of `wxbot chat`: it sends each
// line to the webhook exactly as WeChat's servers would (signed, and encrypted
// when an EncodingAESKey is configured), prints the reply, and shows messages
// pushed to the user (from the demo outbox).
package chat

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hospital/wxbot/wxsim"
)

// Options configure a chat session.
type Options struct {
	// URL is the webhook, e.g. http://127.0.0.1:8080/wechat. The outbox is read
	// from the same host at /dev/outbox.
	URL     string
	User    string // the patient's OpenID
	Account wxsim.Account
	In      io.Reader
	Out     io.Writer
	// Prompt is printed before each line (empty for none).
	Prompt string
}

// Help lists the slash commands.
const Help = `Type a message and press Enter. Commands:
  /subscribe [scene]  follow the account (optionally from a QR scene)
  /unsubscribe        unfollow
  /click KEY          tap a menu entry (e.g. /click COMPLAINT)
  /view URL           tap a menu link
  /scan SCENE         scan a QR code while following
  /voice TEXT         a voice message WeChat recognised as TEXT (/voice alone: not recognised)
  /image              send a picture
  /outbox             show messages pushed to you
  /quit               leave`

type session struct {
	o      Options
	client *wxsim.Client
	seen   int
	out    io.Writer
	http   *http.Client
}

// Run reads lines from o.In until EOF or /quit.
func Run(ctx context.Context, o Options) error {
	s := &session{o: o, out: o.Out, http: &http.Client{Timeout: 10 * time.Second}}
	s.client = &wxsim.Client{Account: o.Account, URL: o.URL, HTTP: s.http}
	fmt.Fprintf(s.out, "wxbot chat as %s -> %s (type /help)\n", o.User, o.URL)
	s.seen = s.outboxCount(ctx)
	sc := bufio.NewScanner(o.In)
	sc.Buffer(make([]byte, 64<<10), 64<<10)
	for {
		if o.Prompt != "" {
			fmt.Fprint(s.out, o.Prompt)
		}
		if !sc.Scan() {
			return sc.Err()
		}
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		if line == "/quit" || line == "/exit" {
			return nil
		}
		if err := s.handle(ctx, line); err != nil {
			fmt.Fprintf(s.out, "! %v\n", err)
		}
	}
}

func (s *session) handle(ctx context.Context, line string) error {
	now := time.Now()
	to := s.o.Account.OriginalID
	if to == "" {
		to = "gh_wxbot_demo"
	}
	id := now.UnixNano()
	var msg []byte
	cmd, arg, _ := strings.Cut(line, " ")
	arg = strings.TrimSpace(arg)
	switch {
	case !strings.HasPrefix(line, "/"):
		msg = wxsim.Text(to, s.o.User, line, id, now)
	case cmd == "/help":
		fmt.Fprintln(s.out, Help)
		return nil
	case cmd == "/outbox":
		s.showOutbox(ctx, 0)
		return nil
	case cmd == "/subscribe":
		key := ""
		if arg != "" {
			key = "qrscene_" + arg
		}
		msg = wxsim.Event(to, s.o.User, "subscribe", key, now)
	case cmd == "/unsubscribe":
		msg = wxsim.Event(to, s.o.User, "unsubscribe", "", now)
	case cmd == "/click":
		msg = wxsim.Event(to, s.o.User, "CLICK", arg, now)
	case cmd == "/view":
		msg = wxsim.Event(to, s.o.User, "VIEW", arg, now)
	case cmd == "/scan":
		msg = wxsim.Event(to, s.o.User, "SCAN", arg, now)
	case cmd == "/voice":
		msg = wxsim.Voice(to, s.o.User, fmt.Sprintf("voice-%d", id), arg, id, now)
	case cmd == "/image":
		msg = wxsim.Image(to, s.o.User, fmt.Sprintf("image-%d", id), id, now)
	default:
		return fmt.Errorf("unknown command %s (type /help)", cmd)
	}
	reply, _, err := s.client.Send(msg, s.o.User)
	if err != nil {
		return err
	}
	switch {
	case reply.Success:
		// Nothing shown now; an answer may come as a pushed message.
	case reply.MsgType == "transfer_customer_service":
		fmt.Fprintln(s.out, "[转接人工客服]")
	default:
		fmt.Fprintln(s.out, reply.Content)
	}
	// Late answers and pushes arrive shortly after.
	deadline := time.Now().Add(300 * time.Millisecond)
	if reply.Success {
		deadline = time.Now().Add(5 * time.Second)
	}
	for {
		if s.showOutbox(ctx, s.seen) > 0 || time.Now().After(deadline) {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
}

type outboxMsg struct {
	Kind string    `json:"kind"`
	Text string    `json:"text"`
	At   time.Time `json:"at"`
}

func (s *session) fetchOutbox(ctx context.Context, since int) ([]outboxMsg, error) {
	u, err := url.Parse(s.o.URL)
	if err != nil {
		return nil, err
	}
	u.Path = "/dev/outbox"
	u.RawQuery = url.Values{"user": {s.o.User}, "since": {fmt.Sprint(since)}}.Encode()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	resp, err := s.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("no outbox (%s): the server calls WeChat itself", resp.Status)
	}
	var body struct {
		Messages []outboxMsg `json:"messages"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return nil, err
	}
	return body.Messages, nil
}

func (s *session) outboxCount(ctx context.Context) int {
	msgs, err := s.fetchOutbox(ctx, 0)
	if err != nil {
		return 0
	}
	return len(msgs)
}

// showOutbox prints messages from index since on and returns how many it printed.
func (s *session) showOutbox(ctx context.Context, since int) int {
	msgs, err := s.fetchOutbox(ctx, since)
	if err != nil {
		return 0
	}
	for _, m := range msgs {
		fmt.Fprintf(s.out, "[推送 %s %s]\n%s\n", m.Kind, m.At.Local().Format("15:04:05"), m.Text)
	}
	if since >= s.seen {
		s.seen = since + len(msgs)
	}
	return len(msgs)
}
