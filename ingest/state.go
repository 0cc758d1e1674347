package ingest

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// position is where a replay resumes in a file: the offset to seek to (a
// gzip member's start, a plain record's first byte) and the records to pass
// over from there.
type position struct {
	Offset int64 `json:"offset"`
	Skip   int   `json:"skip"`
}

// fileState is what a replay state remembers of one file.
type fileState struct {
	Done bool `json:"done,omitempty"`
	position
}

// ReplayState is what an interrupted replay leaves for the next run, in a
// small JSON file of the data dir: the files it finished, and for the
// others how far the records stored reach. A replay that finishes every
// file clears it. It is written whole to a temporary file and
// renamed over the old one, so a kill -9 leaves the last one written.
type ReplayState struct {
	path  string
	mu    sync.Mutex
	files map[string]fileState
}

// OpenReplayState reads the state at path (none yet: an empty state).
func OpenReplayState(path string) (*ReplayState, error) {
	st := &ReplayState{path: path, files: map[string]fileState{}}
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return nil, fmt.Errorf("replay state %s: %w", path, err)
	}
	var doc struct {
		Files map[string]fileState `json:"files"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("replay state %s: %w (remove it to start over)", path, err)
	}
	if doc.Files != nil {
		st.files = doc.Files
	}
	return st, nil
}

// Done reports whether a file was read to its end and stored.
func (s *ReplayState) Done(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.files[name].Done
}

// Position is where reading a file resumes.
func (s *ReplayState) Position(name string) position {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.files[name].position
}

// Advance moves a file's position (only forward).
func (s *ReplayState) Advance(name string, p position) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.files[name]
	if p.Offset > f.Offset || p.Offset == f.Offset && p.Skip > f.Skip {
		f.position = p
		s.files[name] = f
	}
}

// Finish marks a file done.
func (s *ReplayState) Finish(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.files[name] = fileState{Done: true}
}

// Counts are the files done and those begun.
func (s *ReplayState) Counts() (done, begun int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range s.files {
		if f.Done {
			done++
		} else {
			begun++
		}
	}
	return done, begun
}

// Clear forgets every file and removes the state's file.
func (s *ReplayState) Clear() error {
	s.mu.Lock()
	s.files = map[string]fileState{}
	s.mu.Unlock()
	if err := os.Remove(s.path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("replay state: %w", err)
	}
	return nil
}

// Save writes the state.
func (s *ReplayState) Save() error {
	s.mu.Lock()
	b, err := json.MarshalIndent(struct {
		Files map[string]fileState `json:"files"`
	}{s.files}, "", " ")
	s.mu.Unlock()
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(s.path), ".replay-state-*")
	if err != nil {
		return fmt.Errorf("replay state: %w", err)
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("replay state: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("replay state: %w", err)
	}
	tmp.Close()
	if err := os.Rename(tmp.Name(), s.path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("replay state: %w", err)
	}
	return nil
}
