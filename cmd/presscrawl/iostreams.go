package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/term"
)

// IOStreams are the command's standard streams, replaced in tests. They
// know whether they are terminals, so a test can take the terminal path
// (the live progress line) with a buffer (cli/cli's iostreams do the same).
type IOStreams struct {
	In          io.Reader
	Out, ErrOut io.Writer
	// OutTTY and ErrTTY: Out and ErrOut are terminals.
	OutTTY, ErrTTY bool
}

// systemStreams are the process's standard streams.
func systemStreams() IOStreams {
	return IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr,
		OutTTY: term.IsTerminal(int(os.Stdout.Fd())), ErrTTY: term.IsTerminal(int(os.Stderr.Fd()))}
}

// Notice prints one line on ErrOut, "presscrawl: " first.
func (s IOStreams) Notice(format string, args ...any) {
	fmt.Fprintf(s.ErrOut, "presscrawl: "+format+"\n", args...)
}

// Notify is Notice for a message made elsewhere (a library's Notify hook).
func (s IOStreams) Notify(msg string) { s.Notice("%s", msg) }

// progress is what a long step shows while it runs.
type progress struct {
	// Line is the current state, asked for at each tick.
	Line func() string
	// Interval between plain lines ("presscrawl: " first); 0: none.
	Interval time.Duration
	// Live redraws the line in place every 250 ms instead (a terminal).
	Live bool
	// Interrupted, when set, is said once when ctx ends, and the progress
	// goes on (a crawl finishing its pages in flight); else ctx's end
	// stops it.
	Interrupted string
}

// liveInterval is how often a live line is redrawn.
const liveInterval = 250 * time.Millisecond

// startProgress shows p on ErrOut until the returned function is called,
// which clears a live line.
func (s IOStreams) startProgress(ctx context.Context, p progress) (stop func()) {
	interval := p.Interval
	if p.Live {
		interval = liveInterval
	}
	if interval <= 0 {
		return func() {}
	}
	stopped := ctx.Done()
	if p.Interrupted != "" {
		stopped = nil
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(interval)
		defer t.Stop()
		said := false
		for {
			select {
			case <-done:
			case <-stopped:
			case <-t.C:
				if p.Interrupted != "" && ctx.Err() != nil && !said {
					fmt.Fprint(s.ErrOut, "\r\x1b[K")
					s.Notice("%s", p.Interrupted)
					said = true
				}
				if p.Live {
					fmt.Fprint(s.ErrOut, "\r\x1b[K"+p.Line())
				} else {
					s.Notice("%s", p.Line())
				}
				continue
			}
			if p.Live {
				fmt.Fprint(s.ErrOut, "\r\x1b[K")
			}
			return
		}
	}()
	var once sync.Once
	return func() { once.Do(func() { close(done); wg.Wait() }) }
}

// oneLine is site-written text for one cell of a table: terminal-safe, its
// newlines and tabs made spaces.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return ' '
		}
		return r
	}, terminalSafe(s))
}

// terminalSafe is site-written text as a terminal may show it: control
// characters (ESC sequences, BEL, C1 controls) and bidi overrides or
// isolates, which could clear the screen, forge links or reorder what a
// line says, are dropped; newlines and tabs stay. JSON and CSV output
// keep the text exact.
func terminalSafe(s string) string {
	clean := true
	for _, r := range s {
		if unsafeRune(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	return strings.Map(func(r rune) rune {
		if unsafeRune(r) {
			return -1
		}
		return r
	}, s)
}

func unsafeRune(r rune) bool {
	switch {
	case r == '\n' || r == '\t':
		return false
	case r == utf8.RuneError: // an invalid byte too: a raw 0x9b is CSI to an 8-bit terminal
		return true
	case r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f):
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}
