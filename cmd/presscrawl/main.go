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
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop() // a second Ctrl-C ends the process at once
	}()
	code := run(ctx, os.Args[1:], systemStreams())
	stop()
	os.Exit(code)
}
