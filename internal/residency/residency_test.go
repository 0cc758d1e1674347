package residency

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

var sink int

// A shared file mapping under the dir is paged out and keeps its contents;
// one elsewhere is left alone.
func TestPageOutKeepsContents(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("Linux only")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "data.db")
	want := make([]byte, 1<<20)
	for i := range want {
		want[i] = byte(i * 7)
	}
	if err := os.WriteFile(path, want, 0o644); err != nil {
		t.Fatal(err)
	}
	f, _ := os.Open(path)
	defer f.Close()
	m, err := unix.Mmap(int(f.Fd()), 0, len(want), unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Munmap(m)
	sum := 0
	for i := 0; i < len(m); i += 4096 {
		sum += int(m[i]) // touch every page
	}
	if n := pageOut(filepath.Join(t.TempDir(), "elsewhere")); n != 0 {
		t.Errorf("%d mappings paged out under an unrelated dir", n)
	}
	f.Sync()
	before := resident(t, m)
	if n := pageOut(dir); n != 1 {
		t.Fatalf("%d mappings paged out, want the one", n)
	}
	if after := resident(t, m); after >= before {
		t.Errorf("resident kB %d before, %d after the page-out", before, after)
	}
	for i := range want {
		if m[i] != want[i] {
			t.Fatalf("byte %d changed after page-out", i)
		}
	}
	sink = sum
}

// resident is the mapping's RSS in kB, from /proc/self/smaps.
func resident(t *testing.T, m []byte) int {
	b, err := os.ReadFile("/proc/self/smaps")
	if err != nil {
		t.Fatal(err)
	}
	start := fmt.Sprintf("%x-", uintptr(unsafe.Pointer(&m[0])))
	in := false
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, start) {
			in = true
		} else if in && strings.HasPrefix(line, "Rss:") {
			n, _ := strconv.Atoi(strings.Fields(line)[1])
			return n
		}
	}
	t.Fatal("mapping not in /proc/self/smaps")
	return 0
}
