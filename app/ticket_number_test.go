package app

import "testing"

func TestParseNumber(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
	}{
		{"1042", 1042}, {"#1042", 1042}, {" # 1042 ", 1042}, {"#", 0}, {"", 0},
		{"10x", 0}, {"-5", 0}, {"0", 0}, {"contraseña", 0}, {"1234567890123456", 0},
	} {
		if got := parseNumber(tc.in); got != tc.want {
			t.Errorf("parseNumber(%q) = %d; want %d", tc.in, got, tc.want)
		}
	}
}
