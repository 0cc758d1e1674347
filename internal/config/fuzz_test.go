package config

import (
	"os"
	"path/filepath"
	"testing"
)

// A config file of any bytes is a configuration or an error naming the
// file, never a panic.
func FuzzConfigFile(f *testing.F) {
	seed, _ := os.ReadFile("../../configs/presscrawl.yaml")
	f.Add(seed)
	f.Add([]byte("crawl:\n  delay: 5\n"))
	f.Add([]byte("a: &a [*a, *a]\nb: &b [*a, *a]\nc: [*b, *b]\n"))
	f.Add([]byte("{k1: 1, k2: 2}"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		path := filepath.Join(dir, "c.yaml")
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Skip(err)
		}
		if _, err := Load(nil, path); err != nil && len(err.Error()) > 64<<10 {
			t.Fatalf("an error of %d bytes", len(err.Error()))
		}
	})
}
