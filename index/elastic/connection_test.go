package elastic

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestCloudURLs(t *testing.T) {
	enc := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	for _, c := range []struct{ id, es, kibana string }{
		// the form of Elastic's documentation and clients' tests
		{"my-deployment:" + enc("us-east-1.aws.found.io$cd9f4ab1$5b2f3a"), "https://cd9f4ab1.us-east-1.aws.found.io", "https://5b2f3a.us-east-1.aws.found.io"},
		{"name:" + enc("europe-west1.gcp.cloud.es.io:443$abc$def"), "https://abc.europe-west1.gcp.cloud.es.io", "https://def.europe-west1.gcp.cloud.es.io"},
		{"name:" + enc("europe-west1.gcp.cloud.es.io:9243$abc$def"), "https://abc.europe-west1.gcp.cloud.es.io:9243", "https://def.europe-west1.gcp.cloud.es.io:9243"},
		{"name:" + enc("host.example$abc:9243$def:9244"), "https://abc.host.example:9243", "https://def.host.example:9244"},
		{"name:" + enc("host.example$abc"), "https://abc.host.example", ""},
	} {
		es, kb, err := CloudURLs(c.id)
		if err != nil || es != c.es || kb != c.kibana {
			t.Errorf("%s: %q %q %v, want %q %q", c.id, es, kb, err, c.es, c.kibana)
		}
	}
	for _, bad := range []string{"", "no-colon", "name:!!!", "name:" + enc("only-host"), "name:" + enc("h/x$abc$def")} {
		if _, _, err := CloudURLs(bad); !errors.Is(err, ErrCloudID) {
			t.Errorf("%q: %v, want ErrCloudID", bad, err)
		}
	}
	if _, err := Connect(ctx, Config{CloudID: "name:" + enc("only-host")}); !errors.Is(err, ErrCloudID) {
		t.Errorf("Connect with a bad cloud id: %v", err)
	}
}

func TestParseFingerprint(t *testing.T) {
	sum := sha256.Sum256([]byte("x"))
	hexs := fmt.Sprintf("%x", sum)
	colons := strings.ToUpper(strings.Join(splitEvery(hexs, 2), ":"))
	for _, s := range []string{hexs, colons, " " + hexs + "\n"} {
		if b, err := ParseFingerprint(s); err != nil || string(b) != string(sum[:]) {
			t.Errorf("%q: %x %v", s, b, err)
		}
	}
	for _, bad := range []string{"", "abc", hexs[:62], hexs + "00", strings.Replace(hexs, hexs[:1], "g", 1)} {
		if _, err := ParseFingerprint(bad); !errors.Is(err, ErrFingerprint) {
			t.Errorf("%q: %v, want ErrFingerprint", bad, err)
		}
	}
}

func splitEvery(s string, n int) (out []string) {
	for len(s) > n {
		out, s = append(out, s[:n]), s[n:]
	}
	return append(out, s)
}

type testCert struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

func newCert(t *testing.T, cn string, parent *testCert, isCA bool) *testCert {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{SerialNumber: serial, Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true, IsCA: isCA, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}}
	signer, signerKey := tmpl, key
	if parent != nil {
		signer, signerKey = parent.cert, parent.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signer, &key.PublicKey, signerKey)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return &testCert{c, key}
}

// fakeArchive answers GET / as Elasticsearch 8 does, over TLS with the
// given chain.
func fakeArchive(t *testing.T, chain ...*testCert) *httptest.Server {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Elastic-Product", "Elasticsearch")
		fmt.Fprint(w, `{"version":{"number":"8.15.0","build_flavor":"default"},"tagline":"You Know, for Search"}`)
	}))
	var c tls.Certificate
	for _, x := range chain {
		c.Certificate = append(c.Certificate, x.cert.Raw)
	}
	c.PrivateKey = chain[0].key
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{c}}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

func fingerprint(c *testCert) string {
	sum := sha256.Sum256(c.cert.Raw)
	return fmt.Sprintf("%X", sum)
}

// es.ca_fingerprint: the CA's fingerprint Elasticsearch 8 prints on first
// start lets presscrawl in, colon-separated or not; a wrong one, or a
// stranger's certificate shown beside the real (public) CA certificate,
// keeps it out, before any request is sent.
func TestCAFingerprint(t *testing.T) {
	ca := newCert(t, "Elasticsearch security auto-configuration HTTP CA", nil, true)
	node := newCert(t, "es01", ca, false)
	srv := fakeArchive(t, node, ca)

	colons := strings.Join(splitEvery(fingerprint(ca), 2), ":")
	for _, fp := range []string{fingerprint(ca), colons, strings.ToLower(fingerprint(node))} {
		c, err := Connect(ctx, Config{URL: srv.URL, CAFingerprint: fp})
		if err != nil {
			t.Fatalf("fingerprint %s: %v", fp, err)
		}
		if c.Server.Version != "8.15.0" {
			t.Errorf("server %v", c.Server)
		}
		c.Close()
	}
	other := newCert(t, "another CA", nil, true)
	if _, err := Connect(ctx, Config{URL: srv.URL, CAFingerprint: fingerprint(other)}); err == nil || !strings.Contains(err.Error(), "fingerprint") {
		t.Errorf("wrong fingerprint: %v", err)
	}
	// Without the pin, the private CA is unknown: verification stays on.
	if _, err := Connect(ctx, Config{URL: srv.URL}); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("no pin: %v", err)
	}
	// A stranger's self-signed certificate sent with the real CA's.
	stranger := newCert(t, "es01", nil, false)
	evil := fakeArchive(t, stranger, ca)
	if _, err := Connect(ctx, Config{URL: evil.URL, CAFingerprint: fingerprint(ca)}); err == nil || !strings.Contains(err.Error(), "not signed by the pinned CA") {
		t.Errorf("a stranger with the public CA certificate: %v", err)
	}
	if _, err := Connect(ctx, Config{URL: srv.URL, CAFingerprint: "12:34"}); !errors.Is(err, ErrFingerprint) {
		t.Errorf("a short fingerprint: %v", err)
	}
	if _, err := Connect(ctx, Config{URL: srv.URL, CAFingerprint: fingerprint(ca), CACert: "/tmp/ca.pem"}); err == nil || !strings.Contains(err.Error(), "not both") {
		t.Errorf("both: %v", err)
	}
}
