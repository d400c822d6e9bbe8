package auth

import (
	"strings"
	"testing"

	"outpost/shared"
)

func TestHashPasswordRoundTrip(t *testing.T) {
	h1, err := HashPassword(goodPassword, cheap)
	if err != nil {
		t.Fatal(err)
	}
	h2, _ := HashPassword(goodPassword, cheap)
	if h1 == h2 {
		t.Errorf("two hashes of one password are equal (%q); want different salts", h1)
	}
	if !strings.HasPrefix(h1, "$argon2id$v=19$m=64,t=1,p=1$") || strings.Count(h1, "$") != 5 {
		t.Errorf("HashPassword = %q; want $argon2id$v=19$m=64,t=1,p=1$salt$hash", h1)
	}
	tests := []struct {
		password string
		want     bool
	}{
		{goodPassword, true},
		{"correct horse battery ", false},
		{"Correct horse battery", false},
		{"", false},
	}
	for _, tt := range tests {
		ok, p, err := VerifyPassword(tt.password, h1)
		if ok != tt.want || err != nil || p != cheap {
			t.Errorf("VerifyPassword(%q) = %v, %+v, %v; want %v with the hash's parameters", tt.password, ok, p, err, tt.want)
		}
	}
}

func TestDefaultParamsAreEncoded(t *testing.T) {
	h, err := HashPassword(goodPassword, DefaultParams)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=65536,t=1,p=2$") {
		t.Errorf("HashPassword(DefaultParams) = %q; want m=65536,t=1,p=2 (64 MiB)", h)
	}
	if ok, p, err := VerifyPassword(goodPassword, h); !ok || err != nil || p != DefaultParams {
		t.Errorf("VerifyPassword = %v, %+v, %v; want true, DefaultParams", ok, p, err)
	}
}

func TestVerifyPasswordRefusesBadHashes(t *testing.T) {
	good, _ := HashPassword(goodPassword, cheap)
	parts := strings.Split(good, "$")
	with := func(i int, v string) string {
		p := append([]string(nil), parts...)
		p[i] = v
		return strings.Join(p, "$")
	}
	for name, h := range map[string]string{
		"empty":            "",
		"bcrypt":           "$2a$10$abcdefghijklmnopqrstuuJ1m4aX4bQm0y6lS8z4l3pZ6rV1nY3e",
		"argon2i":          with(1, "argon2i"),
		"old version":      with(2, "v=16"),
		"missing p":        with(3, "m=64,t=1"),
		"extra parameter":  with(3, "m=64,t=1,p=1,x=2"),
		"reordered":        with(3, "t=1,m=64,p=1"),
		"zero time":        with(3, "m=64,t=0,p=1"),
		"absurd memory":    with(3, "m=4294967295,t=1,p=1"),
		"bad salt":         with(4, "!!"),
		"short salt":       with(4, "AAAA"),
		"bad hash":         with(5, "?"),
		"trailing section": good + "$x",
	} {
		if ok, _, err := VerifyPassword(goodPassword, h); ok || err == nil {
			t.Errorf("VerifyPassword(%s: %q) = %v, %v; want an error", name, h, ok, err)
		}
	}
}

func TestCheckPassword(t *testing.T) {
	tests := []struct {
		password string
		key      string
	}{
		{"123456789", "auth.password_too_short"},
		{"1234567890", ""},
		{strings.Repeat("ñ", 10), ""}, // characters, not bytes
		{strings.Repeat("ñ", 9), "auth.password_too_short"},
		{strings.Repeat("x", MaxPassword), ""},
		{strings.Repeat("x", MaxPassword+1), "auth.password_too_long"},
	}
	for _, tt := range tests {
		err := CheckPassword(tt.password)
		if key, _ := shared.ErrorKey(err); (tt.key == "") != (err == nil) || err != nil && (key != tt.key || shared.ErrorCode(err) != shared.EINVALID) {
			t.Errorf("CheckPassword(%.12q…) = %v; want %q", tt.password, err, tt.key)
		}
	}
	if _, args := shared.ErrorKey(CheckPassword("short")); len(args) != 1 || args[0] != MinPassword {
		t.Errorf("too-short error args = %v; want [%d]", args, MinPassword)
	}
}
