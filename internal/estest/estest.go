// Package estest gives tests a real search node: the Elasticsearch or
// OpenSearch that ES_URL names (docker compose's, say), or an OpenSearch
// node started from Maven Central artifacts by scripts/esnode.sh: 2.19 (a
// JDK 17 and Maven; .ci/run installs them), or the version
// OPENSEARCH_VERSION names (3.9.0: Java 21 or newer; make test-opensearch3). Without either the test is
// skipped, or fails under CI=true, where the node must be there.
//
// A test binary shares one node (stopped by Main); a test that stops and
// starts its node has one of its own (Start). Each test writes to an
// index alias of its own (Alias), so tests sharing a node do not meet.
package estest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/presscrawl/presscrawl/internal/testport"
)

var (
	shared     *Node
	sharedErr  error
	sharedOnce sync.Once
)

// Main runs the tests and stops the shared node: call it from TestMain.
func Main(m *testing.M) int {
	code := m.Run()
	if shared != nil {
		shared.Stop()
		os.RemoveAll(shared.home)
	}
	return code
}

// URL is the base URL of a node for the test: ES_URL, or the shared node.
func URL(t testing.TB) string {
	t.Helper()
	if u := os.Getenv("ES_URL"); u != "" {
		return u
	}
	sharedOnce.Do(func() {
		home, err := os.MkdirTemp("", "presscrawl-esnode-")
		if err != nil {
			sharedErr = err
			return
		}
		shared, sharedErr = start(home)
	})
	if sharedErr != nil {
		unavailable(t, sharedErr)
	}
	return shared.URL
}

// Alias is an index alias of the test's own, on whatever node: its name
// and a random part, lower case.
func Alias(t testing.TB) string {
	sum := sha256.Sum256([]byte(t.Name() + fmt.Sprint(rand.Int64())))
	return "t-" + hex.EncodeToString(sum[:6])
}

// Node is an OpenSearch node of the test's own.
type Node struct {
	URL  string
	home string
	port int
	mu   sync.Mutex
	cmd  *exec.Cmd
}

// Start starts a node for the test alone (slow: ~30 s), stopped at its end.
func Start(t testing.TB) *Node {
	t.Helper()
	n, err := start(t.TempDir())
	if err != nil {
		unavailable(t, err)
	}
	t.Cleanup(n.Stop)
	return n
}

func unavailable(t testing.TB, err error) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("no search node: %v (CI must install openjdk-17-jdk-headless and maven: see .ci/run)", err)
	}
	t.Skipf("no search node (%v): set ES_URL, or install a JDK 17 and Maven for scripts/esnode.sh", err)
}

// repoRoot finds the checkout (the folder with go.mod) from the test's
// working directory.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the working directory")
		}
		dir = parent
	}
}

var (
	cpOnce  sync.Once
	cp      string
	javaBin string
	cpErr   error
)

func classpath() (string, error) {
	cpOnce.Do(func() {
		if _, err := exec.LookPath("java"); err != nil {
			cpErr = fmt.Errorf("java is not installed")
			return
		}
		root, err := repoRoot()
		if err != nil {
			cpErr = err
			return
		}
		out, err := exec.Command("bash", filepath.Join(root, "scripts", "esnode.sh"), "classpath").Output()
		if err != nil {
			var stderr string
			if ee, ok := err.(*exec.ExitError); ok {
				stderr = strings.TrimSpace(string(ee.Stderr))
			}
			cpErr = fmt.Errorf("scripts/esnode.sh classpath: %v %s", err, stderr)
			return
		}
		cp = strings.TrimSpace(string(out))
		// the java that runs this OpenSearch (3.x needs 21 or newer)
		out, err = exec.Command("bash", filepath.Join(root, "scripts", "esnode.sh"), "java").Output()
		if err != nil {
			cpErr = fmt.Errorf("scripts/esnode.sh java: %v", err)
			return
		}
		javaBin = strings.TrimSpace(string(out))
	})
	return cp, cpErr
}

func start(home string) (*Node, error) {
	cp, err := classpath()
	if err != nil {
		return nil, err
	}
	port, err := testport.Free()
	if err != nil {
		return nil, err
	}
	n := &Node{home: home, port: port, URL: fmt.Sprintf("http://127.0.0.1:%d", port)}
	if err := n.launch(cp); err != nil {
		return nil, err
	}
	return n, nil
}

func (n *Node) launch(cp string) error {
	log, err := os.OpenFile(filepath.Join(n.home, "node.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	defer log.Close()
	cmd := exec.Command(javaBin, "-Xms512m", "-Xmx512m", "-XX:+UseSerialGC", "-cp", cp, "presscrawl.EsNode", n.home, fmt.Sprint(n.port))
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start the search node: %w", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	n.mu.Lock()
	n.cmd = cmd
	n.mu.Unlock()
	// A node answers in ~30 s on an idle machine; far longer on a busy one.
	deadline := time.Now().Add(5 * time.Minute)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			tail, _ := os.ReadFile(filepath.Join(n.home, "node.log"))
			if len(tail) > 2000 {
				tail = tail[len(tail)-2000:]
			}
			return fmt.Errorf("the search node exited (%v): %s", err, tail)
		case <-time.After(500 * time.Millisecond):
		}
		if healthy(n.URL) {
			go func() { <-exited }() // reap when stopped
			return nil
		}
	}
	syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	return fmt.Errorf("the search node did not answer on port %d within 5 minutes", n.port)
}

func healthy(base string) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/_cluster/health?wait_for_status=yellow&timeout=2s", nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	res.Body.Close()
	return res.StatusCode == http.StatusOK
}

// Stop stops the node (SIGTERM: a clean shutdown that keeps its data) and
// waits until its port is closed.
func (n *Node) Stop() {
	n.mu.Lock()
	cmd := n.cmd
	n.cmd = nil
	n.mu.Unlock()
	if cmd == nil {
		return
	}
	syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
	for i := 0; i < 600; i++ {
		if syscall.Kill(cmd.Process.Pid, 0) != nil {
			break
		}
		if i == 599 {
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Restart starts the stopped node again on the same port with the same data.
func (n *Node) Restart() error {
	cp, err := classpath()
	if err != nil {
		return err
	}
	return n.launch(cp)
}
