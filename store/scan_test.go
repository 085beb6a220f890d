package store_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/hospital/wxbot/store"
)

// pagedSet answers SScan with fixed pages (repeats included), as a backend
// whose set changes during a scan may.
type pagedSet struct {
	store.Store
	pages  [][]string
	err    error // returned by the call after the last page, when set
	counts []int
}

func (p *pagedSet) SScan(_ context.Context, _, cursor string, count int) ([]string, string, error) {
	p.counts = append(p.counts, count)
	i := len(p.counts) - 1
	if i >= len(p.pages) {
		return nil, "", p.err
	}
	next := ""
	if i+1 < len(p.pages) || p.err != nil {
		next = "more"
	}
	return p.pages[i], next, nil
}

func TestMembersReturnsEachMemberOnceInScanOrder(t *testing.T) {
	p := &pagedSet{pages: [][]string{{"3", "1"}, {"1", "2"}, {"3", "4"}}}
	got, err := store.Members(context.Background(), p, "k", 7)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"3", "1", "2", "4"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Members = %v, want %v", got, want)
	}
	if want := []int{7, 7, 7}; !reflect.DeepEqual(p.counts, want) {
		t.Errorf("SScan counts = %v, want %v", p.counts, want)
	}
}

func TestMembersReturnsTheScanError(t *testing.T) {
	p := &pagedSet{pages: [][]string{{"1"}}, err: store.ErrUnavailable}
	got, err := store.Members(context.Background(), p, "k", 10)
	if !errors.Is(err, store.ErrUnavailable) || got != nil {
		t.Errorf("Members = %v, %v; want nil, ErrUnavailable", got, err)
	}
}

func TestNotFoundErrorNamesTheKeyAndIsErrNotFound(t *testing.T) {
	err := fmt.Errorf("load draft: %w", &store.NotFoundError{Op: "get", Key: "complaint:draft:o1"})
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("errors.Is(%v, ErrNotFound) = false", err)
	}
	if want := `load draft: get "complaint:draft:o1": store: not found`; err.Error() != want {
		t.Errorf("message %q, want %q", err.Error(), want)
	}
}
