// Package redistest gives tests a real Redis server: the one REDIS_URL
// names, or a redis-server started on a free loopback port for the test
// (Debian package redis-server; .ci/run installs it). Without either, the
// test is skipped, or fails under CI=true, where Redis must be there.
package redistest

import (
	"bufio"
	"fmt"
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
	port, err := testport.Free()
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{t: t, bin: bin, port: port, dir: t.TempDir(), URL: fmt.Sprintf("redis://127.0.0.1:%d/0", port)}
	if err := s.start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.cmd != nil {
			s.cmd.Process.Kill()
			s.cmd.Wait()
		}
	})
	return s
}

// start runs redis-server and waits until it answers PING.
func (s *Server) start() error {
	s.cmd = exec.Command(s.bin, "--port", fmt.Sprint(s.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes",
		"--dir", s.dir, "--logfile", filepath.Join(s.dir, "redis.log"))
	if err := s.cmd.Start(); err != nil {
		return fmt.Errorf("start redis-server: %w", err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", s.port)
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := ping(addr)
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

func ping(addr string) error {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
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
