package notices

import (
	"context"
	"fmt"

	"github.com/hospital/wxbot/store"
)

// Subscriptions keeps which patients subscribed to which notice categories:
// a set of OpenIDs per category (sub:cat:<category>) and a set of categories
// per patient (sub:user:<openid>).
type Subscriptions struct {
	st   store.Store
	cats []string
}

// NewSubscriptions returns the subscriptions on st for categories.
func NewSubscriptions(st store.Store, categories []string) *Subscriptions {
	if len(categories) == 0 {
		categories = DefaultCategories
	}
	return &Subscriptions{st: st, cats: append([]string(nil), categories...)}
}

// CategoryKey is the store set of a category's subscribers.
func CategoryKey(category string) string { return "sub:cat:" + category }

// UserKey is the store set of a patient's categories.
func UserKey(openID string) string { return "sub:user:" + openID }

// Categories returns the configured categories.
func (s *Subscriptions) Categories() []string { return append([]string(nil), s.cats...) }

// Valid reports whether category is configured.
func (s *Subscriptions) Valid(category string) bool { return contains(s.cats, category) }

// Subscribe adds openID to category and reports whether it was new. Returns
// EInvalid for an unknown category.
func (s *Subscriptions) Subscribe(ctx context.Context, openID, category string) (bool, error) {
	if !s.Valid(category) {
		return false, errorf(EInvalid, "unknown category %q", category)
	}
	n, err := s.st.SAdd(ctx, CategoryKey(category), openID)
	if err != nil {
		return false, fmt.Errorf("subscribe: %w", err)
	}
	if _, err := s.st.SAdd(ctx, UserKey(openID), category); err != nil {
		return false, fmt.Errorf("subscribe: %w", err)
	}
	return n > 0, nil
}

// Unsubscribe removes openID from category and reports whether it was there.
func (s *Subscriptions) Unsubscribe(ctx context.Context, openID, category string) (bool, error) {
	n, err := s.st.SRem(ctx, CategoryKey(category), openID)
	if err != nil {
		return false, fmt.Errorf("unsubscribe: %w", err)
	}
	m, err := s.st.SRem(ctx, UserKey(openID), category)
	if err != nil {
		return false, fmt.Errorf("unsubscribe: %w", err)
	}
	return n > 0 || m > 0, nil
}

// UnsubscribeAll removes openID from every category (the patient unfollowed,
// or WeChat said 43004). It checks every configured category, not only the
// patient's own set, so a half-written subscription is removed too.
func (s *Subscriptions) UnsubscribeAll(ctx context.Context, openID string) error {
	cats, err := s.Of(ctx, openID)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, c := range append(cats, s.cats...) {
		if seen[c] {
			continue
		}
		seen[c] = true
		if _, err := s.st.SRem(ctx, CategoryKey(c), openID); err != nil {
			return fmt.Errorf("unsubscribe all: %w", err)
		}
	}
	if err := s.st.Delete(ctx, UserKey(openID)); err != nil {
		return fmt.Errorf("unsubscribe all: %w", err)
	}
	return nil
}

// Of returns the categories openID subscribed to, in configured order
// (categories no longer configured come last).
func (s *Subscriptions) Of(ctx context.Context, openID string) ([]string, error) {
	members, err := store.Members(ctx, s.st, UserKey(openID), 100)
	if err != nil {
		return nil, fmt.Errorf("subscriptions of user: %w", err)
	}
	have := make(map[string]bool, len(members))
	for _, c := range members {
		have[c] = true
	}
	out := make([]string, 0, len(members))
	for _, c := range s.cats {
		if have[c] {
			out = append(out, c)
			delete(have, c)
		}
	}
	for _, c := range members {
		if have[c] {
			out = append(out, c)
		}
	}
	return out, nil
}

// IsSubscribed reports whether openID is subscribed to category.
func (s *Subscriptions) IsSubscribed(ctx context.Context, openID, category string) (bool, error) {
	ok, err := s.st.SIsMember(ctx, CategoryKey(category), openID)
	if err != nil {
		return false, fmt.Errorf("is subscribed: %w", err)
	}
	return ok, nil
}

// CategoryCount is the number of subscribers of one category.
type CategoryCount struct {
	Category    string `json:"category"`
	Subscribers int64  `json:"subscribers"`
}

// Counts returns the number of subscribers per configured category.
func (s *Subscriptions) Counts(ctx context.Context) ([]CategoryCount, error) {
	out := make([]CategoryCount, 0, len(s.cats))
	for _, c := range s.cats {
		n, err := s.st.SCard(ctx, CategoryKey(c))
		if err != nil {
			return nil, fmt.Errorf("subscription counts: %w", err)
		}
		out = append(out, CategoryCount{Category: c, Subscribers: n})
	}
	return out, nil
}
