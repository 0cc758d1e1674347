// Package testport finds free loopback ports for the servers tests start
// (redis-server, the search node).
package testport

import (
	"fmt"
	"math/rand/v2"
	"net"
)

// Free finds a free loopback port below Linux's ephemeral range
// (32768-60999): while a test's server is stopped, a client's own outgoing
// connection could otherwise take its port (or connect to itself on it).
func Free() (int, error) {
	for i := 0; i < 100; i++ {
		port := 20000 + rand.IntN(12000)
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err == nil {
			l.Close()
			return port, nil
		}
	}
	return 0, fmt.Errorf("no free loopback port")
}
