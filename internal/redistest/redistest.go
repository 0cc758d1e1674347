// Package redistest gives tests a real Redis server: the one REDIS_URL
// names, or a redis-server started on a free loopback port for the test
// (Debian package redis-server; .ci/run installs it). Without either, the
// test is skipped, or fails under CI=true, where Redis must be there.
package redistest

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/presscrawl/presscrawl/internal/testport"
)

// URL returns a redis:// URL for the test's own server.
func URL(t testing.TB) string {
	t.Helper()
	if u := os.Getenv("REDIS_URL"); u != "" {
		return u
	}
	return Start(t).URL
}

// Server is a redis-server of the test's own, which the test may stop and
// start again (same port, same data: it keeps an append-only file).
type Server struct {
	URL  string
	t    testing.TB
	bin  string
	port int
	dir  string
	mu   sync.Mutex // Stop and Restart, one at a time
	cmd  *exec.Cmd
	// secure: TLS only, the default user off, an ACL user (StartSecure)
	secure bool
	// CAFile is the PEM file of the authority that signed a secure
	// server's certificate.
	CAFile string
}

// The ACL user of a secure server: it may read and write the crawl's keys
// (presscrawl:*) and nothing else.
const (
	User     = "crawler"
	Password = "s3cret-crawler"
)

// StartSecure starts a redis-server that speaks TLS only (a certificate
// for 127.0.0.1 signed by an authority of the test's own, in CAFile), with
// the default user off and the ACL user User, allowed the presscrawl:*
// keys only. URL is rediss://crawler:...@127.0.0.1:port/0.
func StartSecure(t testing.TB) *Server {
	t.Helper()
	s := &Server{t: t, secure: true}
	s.prepare()
	if err := writeCerts(s.dir, &s.CAFile); err != nil {
		t.Fatal(err)
	}
	s.URL = fmt.Sprintf("rediss://%s:%s@127.0.0.1:%d/0", User, Password, s.port)
	if err := s.start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.kill)
	return s
}

// writeCerts writes an authority and a certificate for 127.0.0.1 it signs
// into dir (ca.pem, server.pem, server-key.pem).
func writeCerts(dir string, caFile *string) error {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	ca := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "presscrawl test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour), IsCA: true,
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		return err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	leaf := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	caCert, _ := x509.ParseCertificate(caDER)
	leafDER, err := x509.CreateCertificate(rand.Reader, leaf, caCert, &key.PublicKey, caKey)
	if err != nil {
		return err
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return err
	}
	*caFile = filepath.Join(dir, "ca.pem")
	for name, block := range map[string]*pem.Block{"ca.pem": {Type: "CERTIFICATE", Bytes: caDER},
		"server.pem": {Type: "CERTIFICATE", Bytes: leafDER}, "server-key.pem": {Type: "EC PRIVATE KEY", Bytes: keyDER}} {
		if err := os.WriteFile(filepath.Join(dir, name), pem.EncodeToMemory(block), 0o600); err != nil {
			return err
		}
	}
	return nil
}

// Start starts a redis-server for the test, stopped at its end.
func Start(t testing.TB) *Server {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("redis-server is not installed (CI must install the Debian package redis-server: see .ci/run)")
		}
		t.Skip("redis-server not installed and REDIS_URL not set (apt-get install -y redis-server)")
	}
	s := &Server{t: t, bin: bin}
	s.prepare()
	s.URL = fmt.Sprintf("redis://127.0.0.1:%d/0", s.port)
	if err := s.start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.kill)
	return s
}

// prepare finds redis-server (or skips the test, or fails it under
// CI=true), a free port and a directory.
func (s *Server) prepare() {
	t := s.t
	t.Helper()
	if s.bin == "" {
		bin, err := exec.LookPath("redis-server")
		if err != nil {
			if os.Getenv("CI") != "" {
				t.Fatal("redis-server is not installed (CI must install the Debian package redis-server: see .ci/run)")
			}
			t.Skip("redis-server not installed (apt-get install -y redis-server)")
		}
		s.bin = bin
	}
	port, err := testport.Free()
	if err != nil {
		t.Fatal(err)
	}
	s.port, s.dir = port, t.TempDir()
}

func (s *Server) kill() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil {
		s.cmd.Process.Kill()
		s.cmd.Wait()
	}
}

// start runs redis-server and waits until it answers PING.
func (s *Server) start() error {
	args := []string{"--port", fmt.Sprint(s.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes",
		"--dir", s.dir, "--logfile", filepath.Join(s.dir, "redis.log")}
	if s.secure {
		args = append(args, "--port", "0", "--tls-port", fmt.Sprint(s.port), "--tls-cert-file", filepath.Join(s.dir, "server.pem"),
			"--tls-key-file", filepath.Join(s.dir, "server-key.pem"), "--tls-ca-cert-file", s.CAFile, "--tls-auth-clients", "no",
			"--user", "default", "off", "--user", User, "on", ">"+Password, "~presscrawl:*", "&*", "+@all")
	}
	s.cmd = exec.Command(s.bin, args...)
	if err := s.cmd.Start(); err != nil {
		return fmt.Errorf("start redis-server: %w", err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", s.port)
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := ping(addr)
		if s.secure {
			err = pingTLS(addr, s.CAFile)
		}
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(s.dir, "redis.log"))
			return fmt.Errorf("redis-server did not listen on %s: %w\n%s", addr, err, log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// pingTLS is ping over TLS, as the ACL user.
func pingTLS(addr, caFile string) error {
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return err
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	d := &net.Dialer{Timeout: time.Second}
	c, err := tls.DialWithDialer(d, "tcp", addr, &tls.Config{RootCAs: pool})
	if err != nil {
		return err
	}
	defer c.Close()
	return pingOn(c, fmt.Sprintf("AUTH %s %s\r\n", User, Password))
}

func ping(addr string) error {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	return pingOn(c, "")
}

// pingOn sends PING (after auth, when given) and wants PONG.
func pingOn(c net.Conn, auth string) error {
	c.SetDeadline(time.Now().Add(time.Second))
	r := bufio.NewReader(c)
	if auth != "" {
		if _, err := c.Write([]byte(auth)); err != nil {
			return err
		}
		if line, err := r.ReadString('\n'); err != nil || line != "+OK\r\n" {
			return fmt.Errorf("AUTH answered %q, %v", line, err)
		}
	}
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := r.ReadString('\n')
	if err != nil {
		return err
	}
	if line != "+PONG\r\n" {
		return fmt.Errorf("PING answered %q", line)
	}
	return nil
}

// Stop shuts the server down as a service manager would (SIGTERM: it
// writes its data and exits).
func (s *Server) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cmd.Process.Signal(syscall.SIGTERM)
	if err := s.cmd.Wait(); err != nil {
		s.t.Errorf("redis-server exited: %v", err)
	}
	s.cmd = nil
}

// Restart starts the stopped server again, with its data. Stop and
// Restart may be called from any goroutine.
func (s *Server) Restart() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.start(); err != nil {
		s.t.Error(err)
	}
}

// Log is the server's log file, for a failing test to show.
func (s *Server) Log() string {
	b, _ := os.ReadFile(filepath.Join(s.dir, "redis.log"))
	return string(b)
}
