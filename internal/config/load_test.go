package config

import (
	"strings"
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
