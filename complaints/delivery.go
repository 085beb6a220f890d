package complaints

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.uber.org/zap"

	"github.com/hospital/wxbot/wxapi"
)

// errNoTemplate: outside the customer-service window with no template configured.
var errNoTemplate = errors.New("outside the 48-hour window and no template configured (complaints.template_id)")

// errNoWeChat: the service was built without a WeChat API.
var errNoWeChat = errors.New("no WeChat API configured")

// patientText is the customer-service message for an answer.
func patientText(t *Ticket, a *Answer) string {
	if a.Kind == "close" {
		return fmt.Sprintf("您的投诉（编号%s）已处理完毕：\n%s\n\n请回复“满意”、“一般”或“不满意”评价本次处理。", t.Number, a.Text)
	}
	return fmt.Sprintf("您的投诉（编号%s）有新的答复：\n%s\n\n回复“我的投诉”可查看处理进度。", t.Number, a.Text)
}

// shorten cuts s to n runes with an ellipsis.
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}

// templateMessage is the template message for an answer (fields first,
// keyword1..3, remark).
func (s *Service) templateMessage(t *Ticket, a *Answer) wxapi.TemplateMessage {
	first := "您的投诉有新的答复"
	remark := "回复“我的投诉”可查看处理进度。"
	status := StatusAnswered.Label()
	if a.Kind == "close" {
		first = "您的投诉已处理完毕"
		remark = "请回复“满意”、“一般”或“不满意”评价本次处理。"
		status = StatusClosed.Label()
	}
	return wxapi.TemplateMessage{
		ToUser:     t.OpenID,
		TemplateID: s.opts.TemplateID,
		Data: map[string]string{
			"first":    first,
			"keyword1": t.Number,
			"keyword2": status,
			"keyword3": shorten(a.Text, 100),
			"remark":   remark,
		},
	}
}

// sendOnce tries one delivery: a customer-service message inside the 48-hour
// window, a template message outside it or when WeChat refuses the
// customer-service message (45015 outside the window, 45047 over the count).
func (s *Service) sendOnce(ctx context.Context, t *Ticket, a *Answer) (channel string, err error) {
	wx := s.opts.WeChat
	if wx == nil {
		return "", errNoWeChat
	}
	if s.withinWindow(ctx, t.OpenID) {
		err := wx.SendText(ctx, t.OpenID, patientText(t, a))
		if err == nil {
			return ChannelCustom, nil
		}
		if c := wxapi.Code(err); c != wxapi.CodeOutsideWindow && c != wxapi.CodeOverCSCount {
			return ChannelCustom, err
		}
	}
	if s.opts.TemplateID == "" {
		return ChannelTemplate, errNoTemplate
	}
	_, err = wx.SendTemplate(ctx, s.templateMessage(t, a))
	return ChannelTemplate, err
}

// retryable reports whether a failed delivery may succeed later.
func retryable(err error) bool {
	if errors.Is(err, errNoTemplate) || errors.Is(err, errNoWeChat) {
		return false
	}
	return wxapi.Temporary(err)
}

// findAnswer returns the answer with id.
func findAnswer(t *Ticket, id int) *Answer {
	for i := range t.Answers {
		if t.Answers[i].ID == id {
			return &t.Answers[i]
		}
	}
	return nil
}

func queueItem(number string, id int) string { return number + "#" + strconv.Itoa(id) }

// deliver sends answer id of the ticket to the patient, trying up to
// Options.Attempts times on transient errors; if it still fails transiently the
// answer is queued for the background worker (ProcessDeliveries). The result
// is recorded on the answer and the updated ticket returned.
func (s *Service) deliver(ctx context.Context, number string, id int) (*Ticket, error) {
	t, err := s.Get(ctx, number)
	if err != nil {
		return nil, err
	}
	a := findAnswer(t, id)
	if a == nil {
		return nil, fmt.Errorf("deliver answer %d of %s: no such answer", id, number)
	}
	var (
		channel string
		sendErr error
		tries   int
	)
	for tries < s.opts.Attempts {
		if tries > 0 {
			if err := s.opts.Sleep(ctx, s.opts.Backoff*time.Duration(tries)); err != nil {
				break
			}
		}
		tries++
		channel, sendErr = s.sendOnce(ctx, t, a)
		if sendErr == nil || !retryable(sendErr) {
			break
		}
	}
	t, queue, err := s.recordDelivery(ctx, number, id, channel, tries, sendErr)
	if err != nil {
		return nil, err
	}
	if queue {
		if err := s.st.Enqueue(ctx, keyDeliveries, queueItem(number, id)); err != nil {
			s.log.Error("queue answer for retry", zap.String("number", number), zap.Int("answer", id), zap.Error(err))
		}
	}
	return t, nil
}

// recordDelivery stores the outcome of tries attempts on the answer. It
// reports whether the answer should be retried later.
func (s *Service) recordDelivery(ctx context.Context, number string, id int, channel string, tries int, sendErr error) (*Ticket, bool, error) {
	retry := false
	t, err := s.update(ctx, number, func(t *Ticket) error {
		a := findAnswer(t, id)
		if a == nil {
			return fmt.Errorf("record delivery of answer %d of %s: no such answer", id, number)
		}
		d := &a.Delivery
		d.Attempts += tries
		d.At = s.now()
		d.Channel = channel
		retry = false
		switch {
		case sendErr == nil:
			d.Status, d.Code, d.Error = DeliverySent, 0, ""
		case retryable(sendErr) && d.Attempts < s.opts.MaxAttempts:
			d.Status, d.Code, d.Error = DeliveryRetrying, wxapi.Code(sendErr), errReason(sendErr)
			retry = true
		default:
			d.Status, d.Code, d.Error = DeliveryFailed, wxapi.Code(sendErr), errReason(sendErr)
		}
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	a := findAnswer(t, id)
	fields := []zap.Field{zap.String("number", number), zap.Int("answer", id), zap.String("status", a.Delivery.Status),
		zap.String("channel", channel), zap.Int("attempts", a.Delivery.Attempts)}
	if sendErr != nil {
		s.log.Warn("complaint answer not delivered", append(fields, zap.String("reason", a.Delivery.Error))...)
	} else {
		s.log.Info("complaint answer delivered", fields...)
	}
	return t, retry, nil
}

// ProcessDeliveries retries queued answers once each (a claimed batch at a
// time) and returns how many it tried. Tick calls it; every instance may run
// it, the queue's leases give each answer to one worker at a time.
func (s *Service) ProcessDeliveries(ctx context.Context) (int, error) {
	tried := 0
	for {
		items, err := s.st.Claim(ctx, keyDeliveries, 20, 2*time.Minute)
		if err != nil {
			return tried, fmt.Errorf("claim answers to deliver: %w", err)
		}
		if len(items) == 0 {
			return tried, nil
		}
		var release []string
		for _, item := range items {
			tried++
			again, err := s.retryOne(ctx, item)
			if err != nil {
				s.log.Warn("retry answer delivery", zap.String("item", item), zap.Error(err))
			}
			if again {
				release = append(release, item)
				continue
			}
			if err := s.st.Ack(ctx, keyDeliveries, item); err != nil {
				return tried, fmt.Errorf("ack delivery: %w", err)
			}
		}
		if len(release) > 0 {
			// Released items wait for the next Tick: stop this round.
			if err := s.st.Release(ctx, keyDeliveries, release...); err != nil {
				return tried, fmt.Errorf("release delivery: %w", err)
			}
			return tried, nil
		}
	}
}

// retryOne tries one queued answer once; it reports whether to keep it queued.
func (s *Service) retryOne(ctx context.Context, item string) (bool, error) {
	i := strings.LastIndexByte(item, '#')
	if i < 0 {
		return false, fmt.Errorf("bad queue item")
	}
	number := item[:i]
	id, err := strconv.Atoi(item[i+1:])
	if err != nil {
		return false, fmt.Errorf("bad queue item: %w", err)
	}
	t, err := s.Get(ctx, number)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return true, err
	}
	a := findAnswer(t, id)
	if a == nil || a.Delivery.Status != DeliveryRetrying || t.PurgedAt != nil {
		return false, nil
	}
	channel, sendErr := s.sendOnce(ctx, t, a)
	_, again, err := s.recordDelivery(ctx, number, id, channel, 1, sendErr)
	if err != nil {
		return true, err
	}
	return again, nil
}
