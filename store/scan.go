package store

import "context"

// Members returns every member of the set at key, each once, in the order
// SScan first yields them; batch is the count asked of each SScan call. It
// loads the whole set, so it suits sets known to stay small (indexes of
// notices, jobs, staff, tickets). Errors from SScan are returned as they are,
// for the caller to wrap with its own context.
func Members(ctx context.Context, s Store, key string, batch int) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	cursor := ""
	for {
		page, next, err := s.SScan(ctx, key, cursor, batch)
		if err != nil {
			return nil, err
		}
		for _, m := range page {
			if !seen[m] {
				seen[m] = true
				out = append(out, m)
			}
		}
		if next == "" {
			return out, nil
		}
		cursor = next
	}
}
