// Package datafile guards the files a data dir's databases live in: a
// database file that is a symbolic link to nothing (a data dir copied
// without its targets, or a link planted to make presscrawl write
// elsewhere) is refused instead of followed, which would create a new,
// empty database outside the data dir.
package datafile

import (
	"errors"
	"fmt"
	"os"
)

// ErrDanglingLink is a database file that is a symbolic link to nothing.
var ErrDanglingLink = errors.New("a symbolic link to a file that does not exist")

// Check refuses path when it is a symbolic link whose target does not
// exist; a missing path, a file, or a link to an existing file is fine.
func Check(path string) error {
	st, err := os.Lstat(path)
	if err != nil || st.Mode()&os.ModeSymlink == 0 {
		return nil
	}
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		target, _ := os.Readlink(path)
		return fmt.Errorf("%s is %w (%s): restore the file or remove the link; presscrawl does not create a database outside the data dir", path, ErrDanglingLink, target)
	}
	return nil
}
