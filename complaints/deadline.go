package complaints

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/hospital/wxbot/store"
)

// Digest is the daily overview for complaints staff: ticket numbers only, no
// complaint content.
type Digest struct {
	Date    string   `json:"date"`    // YYYY-MM-DD
	Open    int      `json:"open"`    // not closed
	Waiting int      `json:"waiting"` // not closed and no feedback yet
	DueSoon []string `json:"due_soon"`
	Overdue []string `json:"overdue"`
}

// Text renders the digest as a short message.
func (d Digest) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "投诉日报 %s：未办结%d件，待首次答复%d件。", d.Date, d.Open, d.Waiting)
	list := func(label string, ns []string) {
		if len(ns) == 0 {
			fmt.Fprintf(&b, "\n%s：无", label)
			return
		}
		shown := ns
		if len(shown) > 20 {
			shown = shown[:20]
		}
		fmt.Fprintf(&b, "\n%s%d件：%s", label, len(ns), strings.Join(shown, "、"))
		if len(ns) > len(shown) {
			b.WriteString(" 等")
		}
	}
	list("已超期", d.Overdue)
	list("即将到期", d.DueSoon)
	return b.String()
}

// Digest computes today's digest.
func (s *Service) Digest(ctx context.Context) (Digest, error) {
	all, err := s.all(ctx)
	if err != nil {
		return Digest{}, err
	}
	now := s.now()
	d := Digest{Date: now.Format(time.DateOnly), DueSoon: []string{}, Overdue: []string{}}
	for i := len(all) - 1; i >= 0; i-- { // oldest first
		t := &all[i]
		if t.Status == StatusClosed {
			continue
		}
		d.Open++
		if t.AnsweredAt == nil {
			d.Waiting++
		}
		over, soon := s.Flags(t, now)
		if over {
			d.Overdue = append(d.Overdue, t.Number)
		}
		if soon {
			d.DueSoon = append(d.DueSoon, t.Number)
		}
	}
	return d, nil
}

// UpdateGauges sets wxbot_complaints_overdue and wxbot_complaints_due_soon
// and returns the digest they came from.
func (s *Service) UpdateGauges(ctx context.Context) (Digest, error) {
	d, err := s.Digest(ctx)
	if err != nil {
		return Digest{}, err
	}
	s.overdue.Set(float64(len(d.Overdue)))
	s.dueSoon.Set(float64(len(d.DueSoon)))
	return d, nil
}

// SendDigest logs the digest (counts only) and sends it as a customer-service
// message to every Options.DigestOpenIDs (best effort: WeChat delivers it only
// to staff who wrote to the account in the last 48 hours). It returns the digest.
func (s *Service) SendDigest(ctx context.Context) (Digest, error) {
	d, err := s.UpdateGauges(ctx)
	if err != nil {
		return Digest{}, err
	}
	s.log.Info("complaints digest", zap.Int("open", d.Open), zap.Int("waiting", d.Waiting),
		zap.Int("overdue", len(d.Overdue)), zap.Int("due_soon", len(d.DueSoon)))
	if s.opts.WeChat == nil {
		return d, nil
	}
	text := d.Text()
	for _, id := range s.opts.DigestOpenIDs {
		if err := s.opts.WeChat.SendText(ctx, id, text); err != nil {
			s.log.Warn("send complaints digest", zap.String("reason", errReason(err)))
		}
	}
	return d, nil
}

// Purge erases the personal data of closed tickets closed more than
// Options.RetentionDays ago: the description, time, phone, the patient's
// OpenID, notes, answers' texts, the resolution and the attachments. The
// ticket's number, dates, departments, category, status, deadline, delivery
// results and rating stay for the figures. It returns how many tickets it
// erased; with RetentionDays 0 it does nothing.
func (s *Service) Purge(ctx context.Context) (int, error) {
	if s.opts.RetentionDays <= 0 {
		return 0, nil
	}
	all, err := s.all(ctx)
	if err != nil {
		return 0, err
	}
	cutoff := s.clk.Now().Add(-time.Duration(s.opts.RetentionDays) * 24 * time.Hour)
	n := 0
	for i := range all {
		t := &all[i]
		if t.Status != StatusClosed || t.ClosedAt == nil || t.PurgedAt != nil || !t.ClosedAt.Before(cutoff) {
			continue
		}
		for j := range t.Attachments {
			if err := s.st.Delete(ctx, keyMedia(t.Number, j)); err != nil {
				return n, fmt.Errorf("purge %s attachment: %w", t.Number, err)
			}
		}
		if t.OpenID != "" {
			if _, err := s.st.SRem(ctx, keyUser(t.OpenID), t.Number); err != nil {
				return n, fmt.Errorf("purge %s: %w", t.Number, err)
			}
			if _, err := s.st.DeleteIfEquals(ctx, keyRate(t.OpenID), []byte(t.Number)); err != nil {
				return n, fmt.Errorf("purge %s: %w", t.Number, err)
			}
		}
		_, err := s.update(ctx, t.Number, func(t *Ticket) error {
			if t.Status != StatusClosed || t.PurgedAt != nil {
				return errSkip
			}
			now := s.now()
			t.Description, t.When, t.Phone, t.DepartmentNote = "", "", "", ""
			t.OpenID, t.Resolution = "", ""
			for j := range t.Notes {
				t.Notes[j].Text = ""
			}
			for j := range t.Answers {
				t.Answers[j].Text = ""
			}
			for j := range t.Attachments {
				t.Attachments[j].MediaID = ""
				t.Attachments[j].Stored = false
			}
			t.PurgedAt = &now
			t.History = append(t.History, Event{At: now, Actor: "system", Action: "purge"})
			return nil
		})
		if errors.Is(err, errSkip) {
			continue
		}
		if err != nil {
			return n, err
		}
		n++
	}
	if n > 0 {
		s.log.Info("complaints personal data erased", zap.Int("tickets", n), zap.Int("retention_days", s.opts.RetentionDays))
	}
	return n, nil
}

var errSkip = errors.New("skip")

// Tick runs the periodic work once: retries of answers and attachment
// downloads, the gauges, and — once a day after Options.DigestHour, on one
// instance only — the digest and the retention purge.
func (s *Service) Tick(ctx context.Context) error {
	var errs []error
	if _, err := s.ProcessDeliveries(ctx); err != nil {
		errs = append(errs, err)
	}
	if err := s.FetchPendingMedia(ctx); err != nil {
		errs = append(errs, err)
	}
	now := s.now()
	daily := false
	if now.Hour() >= s.opts.DigestHour {
		ok, err := s.st.SetNX(ctx, "complaint:daily:"+now.Format("20060102"), []byte("1"), 48*time.Hour)
		if err != nil {
			errs = append(errs, fmt.Errorf("daily complaints job lock: %w", err))
		}
		daily = ok
	}
	if daily {
		if _, err := s.SendDigest(ctx); err != nil {
			errs = append(errs, err)
		}
		if _, err := s.Purge(ctx); err != nil {
			errs = append(errs, err)
		}
	} else if _, err := s.UpdateGauges(ctx); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// Run calls Tick every interval (default one minute) until ctx ends; errors are
// logged. The lead starts it once per instance with `go svc.Run(ctx, 0)`.
func (s *Service) Run(ctx context.Context, every time.Duration) {
	if every <= 0 {
		every = time.Minute
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if err := s.Tick(ctx); err != nil && ctx.Err() == nil {
			lvl := zap.WarnLevel
			if errors.Is(err, store.ErrUnavailable) {
				lvl = zap.ErrorLevel
			}
			s.log.Log(lvl, "complaints periodic work", zap.Error(err))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
