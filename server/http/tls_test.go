package http_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"outpost/server/auth"
	serverhttp "outpost/server/http"
	"outpost/shared"
)

// TestTLS serves HTTPS from certificate and key files, as an intranet
// deployment must for browsers to allow service workers.
func TestTLS(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "outpost.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalECPrivateKey(key)
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600)

	s := newServer(t, func(s *serverhttp.Server) { s.CertFile, s.KeyFile = certFile, keyFile })
	if !strings.HasPrefix(s.URL(), "https://") {
		t.Fatalf("URL() = %q; want https", s.URL())
	}
	pool := x509.NewCertPool()
	pool.AddCert(must(x509.ParseCertificate(der)))
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := c.Get(s.URL() + "/healthz")
	if err != nil {
		t.Fatalf("GET /healthz over TLS: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.TLS == nil {
		t.Fatalf("GET /healthz over TLS: %d, TLS %v", resp.StatusCode, resp.TLS != nil)
	}
	if hsts := resp.Header.Get("Strict-Transport-Security"); !strings.Contains(hsts, "max-age=") {
		t.Errorf("Strict-Transport-Security over TLS = %q; want a max-age", hsts)
	}
	// The session cookie is __Host-: Secure, whole site, this host only.
	addUser(t, s, "field@example.com", shared.RoleRequester, 0)
	resp, _ = post(t, c, s.URL()+"/api/login", `{"email":"field@example.com","password":"correct horse battery"}`)
	cookies := resp.Cookies()
	if len(cookies) != 1 || cookies[0].Name != auth.SecureCookieName || !cookies[0].Secure || cookies[0].Path != "/" || cookies[0].Domain != "" {
		t.Fatalf("session cookie over TLS = %+v; want one %s, Secure, Path /", cookies, auth.SecureCookieName)
	}
	req, _ := http.NewRequest("GET", s.URL()+"/api/me", nil)
	req.AddCookie(cookies[0])
	if resp, err := c.Do(req); err != nil || resp.StatusCode != 200 {
		t.Errorf("/api/me with the __Host- cookie: %v %v; want 200", resp, err)
	}
	req, _ = http.NewRequest("GET", s.URL()+"/api/me", nil)
	req.AddCookie(&http.Cookie{Name: auth.CookieName, Value: cookies[0].Value})
	if resp, err := c.Do(req); err != nil || resp.StatusCode != 401 {
		t.Errorf("/api/me over TLS with the plain cookie name: %v %v; want 401", resp, err)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
