package config

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/spf13/pflag"
)

// A flag bound to a key takes the key's type and default, sets it, and a
// bad value given by the flag is named as the flag; given by the
// environment, as its key.
func TestFlagsBoundToKeys(t *testing.T) {
	set := pflag.NewFlagSet("crawl", pflag.ContinueOnError)
	f := NewFlags(set)
	f.Bind("delay", "crawl.delay", "pause")
	f.Bind("allow", "crawl.allow", "patterns")
	f.Bind("data-dir", "data_dir", "dir")
	if got := set.Lookup("delay").DefValue; got != Default().Crawl.Delay.String() {
		t.Errorf("--delay default %q", got)
	}
	if f.Key("allow") != "crawl.allow" || f.Key("nope") != "" {
		t.Error("Key")
	}
	if err := set.Parse([]string{"--delay", "3s", "--allow", "/news/", "--allow", "/sport/"}); err != nil {
		t.Fatal(err)
	}
	c, err := Load(f, "/dev/null/none.yaml")
	if err == nil {
		t.Fatalf("a config file that cannot be read: %+v", c)
	}
	t.Setenv("PRESSCRAWL_CONFIG", "")
	t.Chdir(t.TempDir())
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	c, err = Load(f, "")
	if err != nil {
		t.Fatal(err)
	}
	if c.Crawl.Delay != 3*time.Second || len(c.Crawl.Allow) != 2 || c.Crawl.Allow[1] != "/sport/" || c.DataDir != Default().DataDir {
		t.Errorf("loaded %+v", c.Crawl)
	}
	if err := set.Set("allow", "("); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(f, ""); err == nil || !strings.Contains(err.Error(), `--allow: "("`) {
		t.Errorf("a bad pattern by flag: %v", err)
	}
	set2 := pflag.NewFlagSet("crawl", pflag.ContinueOnError)
	f2 := NewFlags(set2)
	f2.Bind("deny", "crawl.deny", "patterns")
	t.Setenv("PRESSCRAWL_CRAWL_DENY", "(")
	if _, err := Load(f2, ""); err == nil || !strings.Contains(err.Error(), `crawl.deny: "("`) || strings.Contains(err.Error(), "--deny") {
		t.Errorf("a bad pattern from the environment: %v, want it named crawl.deny", err)
	}
}

// Binding a flag to a key that does not exist is a programming error.
func TestBindUnknownKeyPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic")
		}
	}()
	NewFlags(pflag.NewFlagSet("x", pflag.ContinueOnError)).Bind("dealy", "crawl.dealy", "")
}

// A config path that is no config file is an error at once: a device, a
// FIFO (which would block), a directory, a file too large, one with far
// more keys than presscrawl reads.
func TestConfigFileBounds(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.yaml")
	os.WriteFile(big, bytes.Repeat([]byte("# padding\n"), MaxFileBytes/10+1), 0o644)
	many := filepath.Join(dir, "many.yaml")
	var b strings.Builder
	for i := 0; i < 2*MaxFileKeys; i++ {
		fmt.Fprintf(&b, "k%d: %d\n", i, i)
	}
	os.WriteFile(many, []byte(b.String()), 0o644)
	flow := filepath.Join(dir, "flow.yaml")
	var fb strings.Builder
	fb.WriteString("{")
	for i := 0; i < 70000; i++ {
		fmt.Fprintf(&fb, "k%d: %d,", i, i)
	}
	fb.WriteString("}")
	os.WriteFile(flow, []byte(fb.String()), 0o644)
	lines := filepath.Join(dir, "lines.yaml")
	os.WriteFile(lines, bytes.Repeat([]byte("\n"), 5*MaxFileKeys), 0o644)
	for path, want := range map[string]string{
		"/dev/zero": "not a regular file", fifo: "not a regular file", dir: "not a regular file",
		big: "bytes, more than", many: "keys; presscrawl reads", lines: "lines; presscrawl reads", flow: "more than 1000 keys",
	} {
		done := make(chan error, 1)
		go func() { _, err := Load(nil, path); done <- err }()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), path) {
				t.Errorf("%s: %v, want an error naming it with %q", path, err, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: still loading after 10 s", path)
		}
	}
}
