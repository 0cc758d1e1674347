package datafile

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "records.db")
	os.WriteFile(file, []byte("x"), 0o644)
	good, dangling := filepath.Join(dir, "good.db"), filepath.Join(dir, "dangling.db")
	os.Symlink(file, good)
	os.Symlink(filepath.Join(t.TempDir(), "elsewhere.db"), dangling)
	for path, bad := range map[string]bool{file: false, good: false, filepath.Join(dir, "missing.db"): false, dangling: true} {
		err := Check(path)
		if bad != errors.Is(err, ErrDanglingLink) {
			t.Errorf("%s: %v", path, err)
		}
	}
}
