package server

import (
	"io"
	"strings"
	"testing"
)

// TestDemoStaysOnLoopback: -demo publishes an admin password, so it
// serves only on loopback unless -demo-public says that is wanted.
func TestDemoStaysOnLoopback(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		wantErr string
	}{
		{[]string{"-demo", "-addr", "127.0.0.1:8080"}, ""},
		{[]string{"-demo", "-addr", "[::1]:8080"}, ""},
		{[]string{"-demo", "-addr", "localhost:8080"}, ""},
		{[]string{"-demo", "-addr", "0.0.0.0:8080"}, "-demo-public"},
		{[]string{"-demo", "-addr", ":8080"}, "-demo-public"},
		{[]string{"-demo", "-addr", "192.0.2.7:8080"}, "-demo-public"},
		{[]string{"-demo", "-demo-public", "-addr", "0.0.0.0:8080"}, ""},
		{[]string{"-addr", "0.0.0.0:8080"}, ""},
		{[]string{"-trusted-proxy", "10.0.0.0/8,192.0.2.1"}, ""},
		{[]string{"-trusted-proxy", "not-an-address"}, "-trusted-proxy"},
	} {
		err := NewMain().ParseFlags(tc.args, io.Discard)
		if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
			t.Errorf("ParseFlags(%q) = %v; want an error mentioning %q", tc.args, err, tc.wantErr)
		}
	}
}
