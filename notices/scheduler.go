package notices

import (
	"context"
	"time"

	"go.uber.org/zap"
)

// Scheduler publishes approved notices when their publish_at comes (and
// finishes publications interrupted by a crash). Run it in every instance:
// publication is a compare-and-swap, so each notice is published once.
type Scheduler struct {
	svc      *Service
	interval time.Duration
	log      *zap.Logger
}

// NewScheduler returns a scheduler checking every interval (default 10s).
// log may be nil.
func NewScheduler(svc *Service, interval time.Duration, log *zap.Logger) *Scheduler {
	if interval <= 0 {
		interval = 10 * time.Second
	}
	if log == nil {
		log = zap.NewNop()
	}
	return &Scheduler{svc: svc, interval: interval, log: log.With(zap.String("component", "notice-scheduler"))}
}

// Run publishes due notices until ctx ends; it returns nil then.
func (s *Scheduler) Run(ctx context.Context) error {
	t := time.NewTicker(s.interval)
	defer t.Stop()
	for {
		n, err := s.svc.PublishDue(ctx)
		if err != nil && ctx.Err() == nil {
			s.log.Warn("publishing due notices", zap.Error(err))
		}
		if n > 0 {
			s.log.Info("published scheduled notices", zap.Int("count", n))
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
