// Command presscrawl crawls news sites, extracts clean article records and
// indexes them. This package is wiring only: commands, flags and
// configuration; the work is done in crawler, ingest, extract, index and
// index/elastic. Each command is a file: an options struct its flags are
// bound to, a newXCmd that parses and checks them, and a runX that does the
// work with the options alone (a test can call it, or swap it to check the
// parsing).
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop() // a second Ctrl-C ends the process at once
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
