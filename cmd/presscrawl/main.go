// Command presscrawl crawls news sites, extracts clean article records and
// indexes them. This package is wiring only: commands, flags and what they
// print; the work is done in crawler, ingest, extract and the index
// packages. Each command is a file, cmd_<name>.go: an options struct its
// flags are bound to, a newXCmd that parses and checks them, and a runX
// that does the work with the options alone (a test can call it, or swap
// it to check the parsing). The other files are the commands' helpers:
// wire.go (the composition root: the configuration made into the
// components' settings, the indexes and the archive opened), flags.go
// (flags shared by several commands, each declared with its configuration
// key), iostreams.go (the streams, notices, the one progress ticker),
// delivery.go (a crawl's delivery to the archive), root.go (the root
// command, exit codes).
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
	"time"
)

// stopGrace is how long the work may go on after the first Ctrl-C or
// SIGTERM: pages in flight finish, the archive gets up to 15 s.
const stopGrace = 30 * time.Second

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop() // a second Ctrl-C ends the process at once
		// A step that does not notice the signal (a server that never
		// answers, an extraction in flight) must not outlive it by long:
		// what was committed is safe (records and crawl state are written
		// in transactions), so the process ends at the latest after
		// stopGrace, with the exit status of a signal.
		time.Sleep(stopGrace)
		fmt.Fprintf(os.Stderr, "presscrawl: still stopping %s after the signal: exiting now; what was stored is kept, the same command resumes\n", stopGrace)
		os.Exit(130)
	}()
	// PRESSCRAWL_CPUPROFILE=FILE writes a CPU profile of the whole run (for
	// measuring crawls: go tool pprof -top FILE).
	if path := os.Getenv("PRESSCRAWL_CPUPROFILE"); path != "" {
		f, err := os.Create(path)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "presscrawl: PRESSCRAWL_CPUPROFILE %s: %v\n", path, err)
			os.Exit(2)
		}
	}
	code := run(ctx, os.Args[1:], systemStreams())
	stop()
	pprof.StopCPUProfile() // a no-op without a profile; os.Exit runs no deferred calls
	os.Exit(code)
}
