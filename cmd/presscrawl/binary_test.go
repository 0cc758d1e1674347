package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/presscrawl/presscrawl/internal/estest"
)

var (
	binOnce sync.Once
	binDir  string
	binPath string
	binErr  error
)

// binary builds the presscrawl binary once per test run, for tests that
// need real processes (kill -9, several crawlers on one Redis).
func binary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	binOnce.Do(func() {
		binDir, binErr = os.MkdirTemp("", "presscrawl-bin-")
		if binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "presscrawl")
		var out []byte
		if out, binErr = exec.Command("go", "build", "-o", binPath, ".").CombinedOutput(); binErr != nil {
			binErr = &buildError{binErr, out}
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

type buildError struct {
	err error
	out []byte
}

func (e *buildError) Error() string { return "build: " + e.err.Error() + "\n" + string(e.out) }

func TestMain(m *testing.M) {
	code := estest.Main(m) // stops the search node the archive tests started
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}
