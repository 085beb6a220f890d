package staff

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/hospital/wxbot/clock"
	"github.com/hospital/wxbot/store"
)

// Errors returned by Service. Callers test them with errors.Is.
var (
	// ErrNotFound: no member with that id or name.
	ErrNotFound = errors.New("staff: member not found")
	// ErrInvalid: a bad name, role or password.
	ErrInvalid = errors.New("staff: invalid")
	// ErrExists: a member with that name already exists.
	ErrExists = errors.New("staff: name already taken")
	// ErrUnauthenticated: the token or password is missing, wrong, or the member is disabled.
	ErrUnauthenticated = errors.New("staff: not authenticated")
)

// Store keys.
const (
	keyIDs       = "staff:ids"     // set of member ids
	keyMemberPfx = "staff:member:" // id -> record JSON (changed with compare-and-swap)
	keyTokens    = "staff:tokens"  // hash sha256(token) hex -> id
	keySeq       = "staff:seq"     // counter for ids
	keyNamePfx   = "staff:name:"   // name -> id (SetNX makes names unique)
)

// AllRoles lists every valid role, in the contract's order.
var AllRoles = []Role{RoleEditor, RoleReviewer, RolePrincipal, RoleComplaints, RoleAdmin}

// ParseRoles parses a comma-separated list of role names ("editor,reviewer").
// Unknown or empty names are an error wrapping ErrInvalid.
func ParseRoles(s string) ([]Role, error) {
	var roles []Role
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		roles = append(roles, Role(strings.ToLower(part)))
	}
	if err := ValidateRoles(roles); err != nil {
		return nil, err
	}
	return roles, nil
}

// ValidateRoles returns an error wrapping ErrInvalid naming the first unknown
// role, or when roles is empty.
func ValidateRoles(roles []Role) error {
	if len(roles) == 0 {
		return fmt.Errorf("%w: at least one role is needed (%s)", ErrInvalid, roleList())
	}
	for _, r := range roles {
		if !validRole(r) {
			return fmt.Errorf("%w: unknown role %q (valid: %s)", ErrInvalid, r, roleList())
		}
	}
	return nil
}

func validRole(r Role) bool {
	for _, v := range AllRoles {
		if v == r {
			return true
		}
	}
	return false
}

func roleList() string {
	names := make([]string, len(AllRoles))
	for i, r := range AllRoles {
		names[i] = string(r)
	}
	return strings.Join(names, ", ")
}

// record is what the store keeps of a member; secrets are hashes only.
type record struct {
	Member
	TokenHash    string    `json:"token_hash"`
	PasswordHash string    `json:"password_hash,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
}

// Service manages staff accounts in a store.Store. It is safe for concurrent
// use and keeps no state of its own, so several instances share the accounts.
type Service struct {
	st  store.Store
	clk clock.Clock
}

// NewService returns a Service on st; clk stamps creation times.
func NewService(st store.Store, clk clock.Clock) *Service {
	if clk == nil {
		clk = clock.System{}
	}
	return &Service{st: st, clk: clk}
}

// HashToken returns the hex SHA-256 of token: the only form in which tokens are stored.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func newToken() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("staff token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// Add creates a member with name and roles and returns it with its API token.
// The token is returned only here; the store keeps its SHA-256 hash. Returns an
// error wrapping ErrInvalid for an empty name or unknown role, ErrExists when
// the name is taken.
func (s *Service) Add(ctx context.Context, name string, roles []Role) (*Member, string, error) {
	name = strings.TrimSpace(name)
	if name == "" || strings.ContainsAny(name, "\r\n\t") {
		return nil, "", fmt.Errorf("%w: a name is required", ErrInvalid)
	}
	if err := ValidateRoles(roles); err != nil {
		return nil, "", err
	}
	roles = dedupRoles(roles)
	n, err := s.st.Incr(ctx, keySeq, 1)
	if err != nil {
		return nil, "", fmt.Errorf("staff add: %w", err)
	}
	id := strconv.FormatInt(n, 10)
	ok, err := s.st.SetNX(ctx, keyNamePfx+name, []byte(id), 0)
	if err != nil {
		return nil, "", fmt.Errorf("staff add: %w", err)
	}
	if !ok {
		return nil, "", fmt.Errorf("%w: %q", ErrExists, name)
	}
	token, err := newToken()
	if err != nil {
		return nil, "", err
	}
	rec := record{
		Member:    Member{ID: id, Name: name, Roles: roles},
		TokenHash: HashToken(token),
		CreatedAt: s.clk.Now().UTC(),
	}
	if err := s.create(ctx, &rec); err != nil {
		// Free the name so that the command can be run again.
		_, _ = s.st.DeleteIfEquals(context.WithoutCancel(ctx), keyNamePfx+name, []byte(id))
		return nil, "", fmt.Errorf("staff add: %w", err)
	}
	m := rec.Member
	return &m, token, nil
}

func (s *Service) create(ctx context.Context, rec *record) error {
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	if err := s.st.Set(ctx, keyMemberPfx+rec.ID, b, 0); err != nil {
		return err
	}
	if _, err := s.st.SAdd(ctx, keyIDs, rec.ID); err != nil {
		return err
	}
	return s.st.HSet(ctx, keyTokens, rec.TokenHash, []byte(rec.ID))
}

func dedupRoles(roles []Role) []Role {
	seen := map[Role]bool{}
	out := make([]Role, 0, len(roles))
	for _, r := range roles {
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	return out
}

// update changes the member with that id or name with compare-and-swap, so
// concurrent changes (disable, password) are never lost.
func (s *Service) update(ctx context.Context, idOrName string, change func(rec *record)) (*record, error) {
	for attempt := 0; attempt < 20; attempt++ {
		rec, old, err := s.load(ctx, idOrName)
		if err != nil {
			return nil, err
		}
		change(rec)
		b, err := json.Marshal(rec)
		if err != nil {
			return nil, err
		}
		ok, err := s.st.CompareAndSwap(ctx, keyMemberPfx+rec.ID, old, b, 0)
		if err != nil {
			return nil, err
		}
		if ok {
			return rec, nil
		}
	}
	return nil, errors.New("member changed concurrently too often; try again")
}

// load finds a member record (and its stored bytes) by id or, failing that, by name.
func (s *Service) load(ctx context.Context, idOrName string) (*record, []byte, error) {
	b, err := s.st.Get(ctx, keyMemberPfx+idOrName)
	if errors.Is(err, store.ErrNotFound) {
		id, err2 := s.st.Get(ctx, keyNamePfx+idOrName)
		if errors.Is(err2, store.ErrNotFound) {
			return nil, nil, fmt.Errorf("%w: %q", ErrNotFound, idOrName)
		}
		if err2 != nil {
			return nil, nil, err2
		}
		b, err = s.st.Get(ctx, keyMemberPfx+string(id))
		if errors.Is(err, store.ErrNotFound) {
			return nil, nil, fmt.Errorf("%w: %q", ErrNotFound, idOrName)
		}
	}
	if err != nil {
		return nil, nil, err
	}
	var rec record
	if err := json.Unmarshal(b, &rec); err != nil {
		return nil, nil, fmt.Errorf("decode member %s: %w", idOrName, err)
	}
	return &rec, b, nil
}

// Get returns the member with that id or name, or an error wrapping ErrNotFound.
func (s *Service) Get(ctx context.Context, idOrName string) (*Member, error) {
	rec, _, err := s.load(ctx, idOrName)
	if err != nil {
		return nil, fmt.Errorf("staff get: %w", err)
	}
	m := rec.Member
	return &m, nil
}

// List returns every member, ordered by id.
func (s *Service) List(ctx context.Context) ([]Member, error) {
	ids, err := store.Members(ctx, s.st, keyIDs, 200)
	if err != nil {
		return nil, fmt.Errorf("staff list: %w", err)
	}
	out := make([]Member, 0, len(ids))
	for _, id := range ids {
		b, err := s.st.Get(ctx, keyMemberPfx+id)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("staff list: %w", err)
		}
		var rec record
		if err := json.Unmarshal(b, &rec); err != nil {
			return nil, fmt.Errorf("staff list: decode member %s: %w", id, err)
		}
		out = append(out, rec.Member)
	}
	sort.Slice(out, func(i, j int) bool {
		a, _ := strconv.Atoi(out[i].ID)
		b, _ := strconv.Atoi(out[j].ID)
		if a != b {
			return a < b
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

// Disable disables the member with that id or name: its token and password are
// refused from the next request on. Returns an error wrapping ErrNotFound.
func (s *Service) Disable(ctx context.Context, idOrName string) (*Member, error) {
	rec, err := s.update(ctx, idOrName, func(rec *record) { rec.Disabled = true })
	if err != nil {
		return nil, fmt.Errorf("staff disable: %w", err)
	}
	m := rec.Member
	return &m, nil
}

// Authenticate returns the enabled member owning token. A missing, unknown or
// disabled member's token gives an error wrapping ErrUnauthenticated; store
// failures are returned wrapped as they are.
func (s *Service) Authenticate(ctx context.Context, token string) (*Member, error) {
	if token == "" {
		return nil, ErrUnauthenticated
	}
	id, err := s.st.HGet(ctx, keyTokens, HashToken(token))
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrUnauthenticated
	}
	if err != nil {
		return nil, fmt.Errorf("staff authenticate: %w", err)
	}
	rec, _, err := s.load(ctx, string(id))
	if errors.Is(err, ErrNotFound) {
		return nil, ErrUnauthenticated
	}
	if err != nil {
		return nil, fmt.Errorf("staff authenticate: %w", err)
	}
	if rec.Disabled {
		return nil, fmt.Errorf("%w: member disabled", ErrUnauthenticated)
	}
	m := rec.Member
	return &m, nil
}

// MinPasswordLen is the shortest password SetPassword accepts.
const MinPasswordLen = 10

// SetPassword sets the console password of the member with that id or name
// (stored as a bcrypt hash). Returns an error wrapping ErrInvalid for a
// password shorter than MinPasswordLen, ErrNotFound for an unknown member.
func (s *Service) SetPassword(ctx context.Context, idOrName, password string) error {
	if len([]rune(password)) < MinPasswordLen {
		return fmt.Errorf("%w: a password needs at least %d characters", ErrInvalid, MinPasswordLen)
	}
	if len(password) > 72 {
		return fmt.Errorf("%w: a password may have at most 72 bytes", ErrInvalid)
	}
	if _, _, err := s.load(ctx, idOrName); err != nil {
		return fmt.Errorf("staff set password: %w", err)
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return fmt.Errorf("staff set password: %w", err)
	}
	if _, err := s.update(ctx, idOrName, func(rec *record) { rec.PasswordHash = string(h) }); err != nil {
		return fmt.Errorf("staff set password: %w", err)
	}
	return nil
}

// CheckPassword returns the enabled member named name when password matches.
// A wrong name or password, a member without a password or a disabled member
// gives an error wrapping ErrUnauthenticated.
func (s *Service) CheckPassword(ctx context.Context, name, password string) (*Member, error) {
	rec, _, err := s.load(ctx, name)
	if errors.Is(err, ErrNotFound) {
		// Spend the same time as a real check so names cannot be probed by timing.
		_ = bcrypt.CompareHashAndPassword(dummyHash(), []byte(password))
		return nil, ErrUnauthenticated
	}
	if err != nil {
		return nil, fmt.Errorf("staff check password: %w", err)
	}
	if rec.PasswordHash == "" {
		_ = bcrypt.CompareHashAndPassword(dummyHash(), []byte(password))
		return nil, ErrUnauthenticated
	}
	if bcrypt.CompareHashAndPassword([]byte(rec.PasswordHash), []byte(password)) != nil {
		return nil, ErrUnauthenticated
	}
	if rec.Disabled {
		return nil, fmt.Errorf("%w: member disabled", ErrUnauthenticated)
	}
	m := rec.Member
	return &m, nil
}

// dummyHash returns a bcrypt hash of a fixed string, compared against when
// there is no real hash so that the answer takes as long either way.
var dummyHash = sync.OnceValue(func() []byte {
	h, _ := bcrypt.GenerateFromPassword([]byte("no such member, no such password"), bcrypt.DefaultCost)
	return h
})
