package netboxsim

import (
	"bufio"
	"fmt"
	"os"
	"regexp"
	"strings"
)

// Profile is what a token may see.
type Profile int

const (
	// FullRead sees every object.
	FullRead Profile = iota + 1
	// TenantRestricted sees only objects of the first tenant (slug tenant-1) among types with a
	// tenant, and every object of types without one.
	TenantRestricted
	// NoPermission is authenticated but gets 403 on every object endpoint.
	NoPermission
)

func (p Profile) String() string {
	switch p {
	case FullRead:
		return "full-read"
	case TenantRestricted:
		return "tenant-restricted"
	case NoPermission:
		return "no-permission"
	}
	return fmt.Sprintf("Profile(%d)", int(p))
}

// ParseProfile reads a profile name as written by String.
func ParseProfile(s string) (Profile, error) {
	for _, p := range []Profile{FullRead, TenantRestricted, NoPermission} {
		if strings.EqualFold(s, p.String()) {
			return p, nil
		}
	}
	return 0, fmt.Errorf("unknown token profile %q (want full-read, tenant-restricted or no-permission)", s)
}

// Token is an accepted Authorization header value and its profile.
type Token struct {
	Header  string // full Authorization value: "Token 0123...", "Bearer nbt_key.secret"
	Profile Profile
}

// The built-in tokens; they are demo credentials, printed at start and listed in the README.
const (
	DemoFullToken   = "Token 0123456789abcdef0123456789abcdef01234567"
	DemoFullBearer  = "Bearer nbt_demofull.0123456789abcdef0123456789abcdef01234567"
	DemoTenantToken = "Token 1111111111111111111111111111111111111111"
	DemoNoPermToken = "Token 2222222222222222222222222222222222222222"
)

// DemoTokens returns the built-in tokens.
func DemoTokens() []Token {
	return []Token{
		{DemoFullToken, FullRead},
		{DemoFullBearer, FullRead},
		{DemoTenantToken, TenantRestricted},
		{DemoNoPermToken, NoPermission},
	}
}

var (
	v1Token = regexp.MustCompile(`^Token [0-9a-fA-F]{40}$`)
	v2Token = regexp.MustCompile(`^Bearer nbt_[A-Za-z0-9]+\.[A-Za-z0-9]+$`)
)

// validHeader tells whether an Authorization value has the form of a NetBox token.
func validHeader(h string) bool { return v1Token.MatchString(h) || v2Token.MatchString(h) }

// LoadTokens reads a token file: one token per line, "<profile> <Authorization value>", e.g.
//
//	full-read Token 0123456789abcdef0123456789abcdef01234567
//	tenant-restricted Bearer nbt_ops.s3cretvalue
//
// Blank lines and lines starting with # are skipped.
func LoadTokens(path string) ([]Token, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read tokens: %w", err)
	}
	defer f.Close()
	var out []Token
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, header, ok := strings.Cut(line, " ")
		if !ok {
			return nil, fmt.Errorf("%s:%d: want \"<profile> <Authorization value>\"", path, n)
		}
		p, err := ParseProfile(name)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, n, err)
		}
		header = strings.TrimSpace(header)
		if !validHeader(header) {
			return nil, fmt.Errorf("%s:%d: the value must be \"Token <40 hex digits>\" or \"Bearer nbt_<key>.<secret>\"", path, n)
		}
		out = append(out, Token{Header: header, Profile: p})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read tokens %s: %w", path, err)
	}
	return out, nil
}
