package crawler

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/presscrawl/presscrawl/urlcanon"
)

// RedisState is a crawl state in Redis, shared by every process that opens
// it with the same URL and crawl name: they fetch each page once between
// them, keep each site's delay between them, and resume together. A
// process that dies holding pages (no heartbeat for heartbeatTTL) has them
// handed to the others.
//
// Keys, under "presscrawl:<name>:": known (set of dedup keys), q:<site>
// (list of entries), sites, queued (counter), inflight (hash: entry ->
// process and hand-out token), proc:<id> (heartbeat), visits (hash),
// polite:<site> (the site's next request slot, ms), status.
//
// Redis may go away for a while (restarted, failed over, cut off): every
// operation waits for it, up to Wait, then fails. Run Redis with
// persistence (appendonly yes) so that a restart keeps the crawl.
type RedisState struct {
	// Wait is how long an operation waits for an unreachable Redis before
	// it fails (and the crawl stops, to be resumed by the same command).
	Wait time.Duration
	// Notify, when set, is told when Redis becomes unreachable and when it
	// is back (messages without the password).
	Notify func(msg string)
	// Abort, when closed (the crawl is being interrupted), ends the wait
	// for an unreachable Redis at once.
	Abort <-chan struct{}

	rdb    *redis.Client
	addr   string // for messages, password redacted
	prefix string
	proc   string
	stop   chan struct{}
	once   sync.Once
	wg     sync.WaitGroup
	// ttl is how long a silent process keeps its pages; it beats every
	// third of that.
	ttl    time.Duration
	tokens atomic.Int64 // hand-out tokens, for Next retried after a lost reply

	mu   sync.Mutex
	down time.Time // when the current outage began; zero when none
	told bool      // and whether Notify heard of it
	up   time.Time // when the last one ended
}

// DefaultRedisWait is how long a crawl waits for an unreachable Redis.
const DefaultRedisWait = 2 * time.Minute

// heartbeatTTL is how long a process that stopped beating (killed, frozen,
// cut off) keeps the pages it holds before the others take them over.
const heartbeatTTL = 15 * time.Second

// OpenRedisState connects to the Redis server at rawURL
// (redis://[[user]:password@]host:port/db; password, when not empty,
// overrides the URL's) for the crawl called name (processes sharing a
// crawl use the same name).
func OpenRedisState(ctx context.Context, rawURL, password, name string) (*RedisState, error) {
	return openRedisState(ctx, RedisConn{URL: rawURL, Password: password}, name, heartbeatTTL)
}

// RedisConn is how to reach a Redis server: its URL (redis:// or, with
// TLS, rediss://; an ACL user and password in it: rediss://user:pw@host:port/db),
// a password that overrides the URL's, and the authorities that may sign a
// rediss:// server's certificate besides the system's.
type RedisConn struct {
	URL      string
	Password string
	RootCAs  *x509.CertPool
}

// OpenRedisStateWith is OpenRedisState for a RedisConn.
func OpenRedisStateWith(ctx context.Context, c RedisConn, name string) (*RedisState, error) {
	return openRedisState(ctx, c, name, heartbeatTTL)
}

// quiet drops go-redis's own log lines (dial retries and the like): every
// failure reaches the crawl as an error, with the URL's password redacted.
type quiet struct{}

func (quiet) Printf(context.Context, string, ...any) {}

var quietOnce sync.Once

func openRedisState(ctx context.Context, c RedisConn, name string, ttl time.Duration) (*RedisState, error) {
	quietOnce.Do(func() { redis.SetLogger(quiet{}) })
	rawURL := c.URL
	opt, err := redis.ParseURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("redis address %s: %w", RedactURL(rawURL), err)
	}
	if c.Password != "" {
		opt.Password = c.Password
	}
	if opt.TLSConfig != nil && c.RootCAs != nil {
		opt.TLSConfig.RootCAs = c.RootCAs
	}
	// Retries are ours (do): go-redis's own would run a script twice after
	// a lost reply.
	opt.MaxRetries = -1
	rdb := redis.NewClient(opt)
	if err := rdb.Ping(ctx).Err(); err != nil {
		rdb.Close()
		return nil, fmt.Errorf("redis at %s: %w", RedactURL(rawURL), err)
	}
	id := make([]byte, 8)
	rand.Read(id)
	s := &RedisState{Wait: DefaultRedisWait, rdb: rdb, addr: RedactURL(rawURL), prefix: "presscrawl:" + name,
		proc: hex.EncodeToString(id), stop: make(chan struct{}), ttl: ttl}
	if err := s.beat(ctx); err != nil {
		rdb.Close()
		return nil, fmt.Errorf("redis at %s: %w", RedactURL(rawURL), err)
	}
	s.wg.Add(1)
	go s.heartbeat()
	return s, nil
}

// RedactURL hides the password of a URL, for messages.
func RedactURL(raw string) string { return urlcanon.MaskPassword(raw) }

// transient tells the errors of an unreachable or not yet ready Redis,
// worth waiting out, from the others (a script error, a closed client, a
// cancelled context).
func transient(err error) bool {
	if errors.Is(err, redis.ErrClosed) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var rerr redis.Error
	if errors.As(err, &rerr) {
		// A server that is loading its data after a restart, or a replica
		// during a failover.
		for _, p := range []string{"LOADING", "TRYAGAIN", "MASTERDOWN", "READONLY", "CLUSTERDOWN"} {
			if strings.HasPrefix(rerr.Error(), p) {
				return true
			}
		}
		return false
	}
	return true // refused, reset, EOF, timeouts
}

// do runs op, and while Redis is unreachable runs it again with backoff,
// up to s.Wait. op is told whether it is a retry (an earlier try may have
// run with its reply lost).
func (s *RedisState) do(ctx context.Context, op func(ctx context.Context, retry bool) error) error {
	var start time.Time
	backoff := 50 * time.Millisecond
	for retry := false; ; retry = true {
		err := op(ctx, retry)
		if err == nil || !transient(err) {
			if err == nil && retry {
				s.recovered()
			}
			return err
		}
		if start.IsZero() {
			start = time.Now()
			s.lost(err)
		}
		left := s.Wait - time.Since(start)
		if left <= 0 {
			return fmt.Errorf("unreachable at %s for %v: %w", s.addr, s.Wait, err)
		}
		select {
		case <-time.After(min(backoff, left)):
		case <-ctx.Done():
			return fmt.Errorf("unreachable at %s: %w", s.addr, err)
		case <-s.Abort:
			return fmt.Errorf("unreachable at %s (interrupted while waiting for it): %w", s.addr, err)
		}
		backoff = min(2*backoff, 2*time.Second)
		// Beat first, so that nobody takes this process for dead and hands
		// its pages out again once Redis is back.
		s.beat(ctx)
	}
}

func (s *RedisState) lost(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.down.IsZero() {
		s.down = time.Now()
		// Just after an outage, go-redis still answers some dials with the
		// last dial error (for up to a second): not a new outage to tell.
		s.told = s.down.Sub(s.up) > 5*time.Second
		if s.Notify != nil && s.told {
			s.Notify(fmt.Sprintf("Redis at %s unreachable (%v); waiting up to %v for it", s.addr, err, s.Wait))
		}
	}
}

func (s *RedisState) recovered() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.down.IsZero() {
		if s.Notify != nil && s.told {
			s.Notify(fmt.Sprintf("Redis at %s is back after %v", s.addr, time.Since(s.down).Round(100*time.Millisecond)))
		}
		s.down, s.up = time.Time{}, time.Now()
	}
}

func (s *RedisState) key(parts ...string) string {
	return s.prefix + ":" + strings.Join(parts, ":")
}

func (s *RedisState) beat(ctx context.Context) error {
	return s.rdb.Set(ctx, s.key("proc", s.proc), time.Now().Unix(), s.ttl).Err()
}

func (s *RedisState) heartbeat() {
	defer s.wg.Done()
	t := time.NewTicker(s.ttl / 3)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(context.Background(), s.ttl/3)
			s.beat(ctx) // a missed beat is retried; three in a row hand our pages to others
			cancel()
		}
	}
}

// Close stops the heartbeat and disconnects.
func (s *RedisState) Close() error {
	s.once.Do(func() {
		close(s.stop)
		s.wg.Wait()
		s.rdb.Del(context.Background(), s.key("proc", s.proc))
	})
	return s.rdb.Close()
}

var beginScript = redis.NewScript(`
local p = ARGV[1]
if redis.call('GET', p..':status') == 'running' then return 1 end
for _, site in ipairs(redis.call('SMEMBERS', p..':sites')) do redis.call('DEL', p..':q:'..site) end
redis.call('DEL', p..':sites', p..':known', p..':inflight', p..':queued')
redis.call('SET', p..':status', 'running')
return 0`)

// Begin joins the crawl when it is running (another process started it,
// or this one was interrupted), else starts it afresh.
func (s *RedisState) Begin(ctx context.Context) (bool, int64, error) {
	var r int
	err := s.do(ctx, func(ctx context.Context, _ bool) (err error) {
		r, err = beginScript.Run(ctx, s.rdb, nil, s.prefix).Int()
		return err
	})
	if err != nil {
		return false, 0, fmt.Errorf("crawl state in redis: %w", err)
	}
	if err := s.reclaim(ctx); err != nil {
		return false, 0, err
	}
	q, _, err := s.Remaining(ctx)
	return r == 1, q, err
}

// Known reports whether the key is queued or done.
func (s *RedisState) Known(ctx context.Context, key string) (bool, error) {
	var known bool
	err := s.do(ctx, func(ctx context.Context, _ bool) (err error) {
		known, err = s.rdb.SIsMember(ctx, s.key("known"), key).Result()
		return err
	})
	return known, err
}

// An entry in Redis: site, depth, lastmod, key and URL, tab-separated (none
// of them holds a tab: URLs are canonical, sites are host names).
func redisMember(e Entry) string {
	return e.Site + "\t" + strconv.Itoa(e.Depth) + "\t" + strconv.FormatInt(e.LastMod, 10) + "\t" + e.Key + "\t" + e.URL
}

func parseMember(m string) (Entry, error) {
	f := strings.SplitN(m, "\t", 5)
	if len(f) != 5 {
		return Entry{}, fmt.Errorf("bad queue entry %q", m)
	}
	d, err1 := strconv.Atoi(f[1])
	mod, err2 := strconv.ParseInt(f[2], 10, 64)
	if err1 != nil || err2 != nil {
		return Entry{}, fmt.Errorf("bad queue entry %q", m)
	}
	return Entry{Site: f[0], Depth: d, LastMod: mod, Key: f[3], URL: f[4], ref: []byte(m)}, nil
}

var settleScript = redis.NewScript(`
local p = ARGV[1]
local done = ARGV[2]
local i = 3
local nk = tonumber(ARGV[i]); i = i + 1
local keys = {}
for j = 1, nk do keys[j] = ARGV[i]; i = i + 1 end
local vval = ARGV[i]; i = i + 1
local na = tonumber(ARGV[i]); i = i + 1
local added = {}
for j = 1, na do
  local k, site, m = ARGV[i], ARGV[i+1], ARGV[i+2]; i = i + 3
  if redis.call('SADD', p..':known', k) == 1 then
    redis.call('RPUSH', p..':q:'..site, m)
    redis.call('SADD', p..':sites', site)
    redis.call('INCR', p..':queued')
    added[#added+1] = j - 1
  end
end
if done ~= '' then
  redis.call('HDEL', p..':inflight', done)
  for _, k in ipairs(keys) do redis.call('SADD', p..':known', k) end
  if vval ~= '' then for _, k in ipairs(keys) do redis.call('HSET', p..':visits', k, vval) end end
end
return added`)

// Settle finishes an entry and queues the new ones, atomically (one script).
func (s *RedisState) Settle(ctx context.Context, done *Entry, keys []string, visit *Visit, add []Entry) ([]Entry, error) {
	if done == nil && len(add) == 0 {
		return nil, nil
	}
	args := []any{s.prefix, "", len(keys)}
	if done != nil {
		args[1] = string(done.ref)
	}
	for _, k := range keys {
		args = append(args, k)
	}
	if done != nil && visit != nil {
		args = append(args, string(encodeVisit(*visit)))
	} else {
		args = append(args, "")
	}
	args = append(args, len(add))
	for _, e := range add {
		args = append(args, e.Key, e.Site, redisMember(e))
	}
	var idx []int64
	err := s.do(ctx, func(ctx context.Context, _ bool) (err error) {
		// Run twice after a lost reply, it queues nothing twice (known
		// keys) and reports the new entries as known: they are queued.
		idx, err = settleScript.Run(ctx, s.rdb, nil, args...).Int64Slice()
		if errors.Is(err, redis.Nil) {
			err = nil
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("redis: %w", err)
	}
	added := make([]Entry, 0, len(idx))
	for _, i := range idx {
		e := add[i]
		e.ref = []byte(redisMember(e))
		added = append(added, e)
	}
	return added, nil
}

// An in-flight entry's value is its process and hand-out token; a retried
// Next (ARGV[5] = 1) first looks for its own token, in case the first try
// popped an entry and its reply was lost.
var nextScript = redis.NewScript(`
local p = ARGV[1]
local owner = ARGV[3]..'\t'..ARGV[4]
if ARGV[5] == '1' then
  local all = redis.call('HGETALL', p..':inflight')
  for i = 1, #all, 2 do
    if all[i+1] == owner then return all[i] end
  end
end
local m = redis.call('LPOP', p..':q:'..ARGV[2])
if not m then return false end
redis.call('HSET', p..':inflight', m, owner)
redis.call('DECR', p..':queued')
return m`)

// Next pops the site's next entry and marks it in flight for this process.
func (s *RedisState) Next(ctx context.Context, site string) (Entry, bool, error) {
	token := s.tokens.Add(1)
	var m string
	err := s.do(ctx, func(ctx context.Context, retry bool) (err error) {
		r := "0"
		if retry {
			r = "1"
		}
		m, err = nextScript.Run(ctx, s.rdb, nil, s.prefix, site, s.proc, token, r).Text()
		return err
	})
	if errors.Is(err, redis.Nil) {
		return Entry{}, false, nil
	}
	if err != nil {
		return Entry{}, false, fmt.Errorf("redis: %w", err)
	}
	e, err := parseMember(m)
	return e, err == nil, err
}

var returnScript = redis.NewScript(`
local p = ARGV[1]
if redis.call('HDEL', p..':inflight', ARGV[2]) == 1 then
  redis.call('LPUSH', p..':q:'..ARGV[3], ARGV[2])
  redis.call('INCR', p..':queued')
end
return 0`)

// Return puts an entry back at the head of its site's queue.
func (s *RedisState) Return(ctx context.Context, e Entry) error {
	if err := s.do(ctx, func(ctx context.Context, _ bool) error {
		return returnScript.Run(ctx, s.rdb, nil, s.prefix, string(e.ref), e.Site).Err()
	}); err != nil {
		return fmt.Errorf("redis: %w", err)
	}
	return nil
}

var reclaimScript = redis.NewScript(`
local p = ARGV[1]
local all = redis.call('HGETALL', p..':inflight')
local n = 0
for i = 1, #all, 2 do
  local m, proc = all[i], string.match(all[i+1], '^([^\t]*)')
  if redis.call('EXISTS', p..':proc:'..proc) == 0 then
    redis.call('HDEL', p..':inflight', m)
    redis.call('LPUSH', p..':q:'..string.match(m, '^([^\t]*)'), m)
    redis.call('INCR', p..':queued')
    n = n + 1
  end
end
return n`)

// reclaim hands back the entries of processes whose heartbeat stopped.
func (s *RedisState) reclaim(ctx context.Context) error {
	if err := s.do(ctx, func(ctx context.Context, _ bool) error {
		return reclaimScript.Run(ctx, s.rdb, nil, s.prefix).Err()
	}); err != nil {
		return fmt.Errorf("redis: %w", err)
	}
	return nil
}

// Remaining counts the queued entries and those in flight in any process
// (after handing back those of dead processes).
func (s *RedisState) Remaining(ctx context.Context) (int64, int64, error) {
	if err := s.reclaim(ctx); err != nil {
		return 0, 0, err
	}
	var q, n int64
	err := s.do(ctx, func(ctx context.Context, _ bool) (err error) {
		q, err = s.rdb.Get(ctx, s.key("queued")).Int64()
		if errors.Is(err, redis.Nil) {
			q, err = 0, nil
		}
		if err != nil {
			return err
		}
		n, err = s.rdb.HLen(ctx, s.key("inflight")).Result()
		return err
	})
	if err != nil {
		return 0, 0, fmt.Errorf("redis: %w", err)
	}
	return q, n, nil
}

// LastVisit reads the key's last fetch.
func (s *RedisState) LastVisit(ctx context.Context, key string) (Visit, bool, error) {
	var b []byte
	err := s.do(ctx, func(ctx context.Context, _ bool) (err error) {
		b, err = s.rdb.HGet(ctx, s.key("visits"), key).Bytes()
		return err
	})
	if errors.Is(err, redis.Nil) {
		return Visit{}, false, nil
	}
	if err != nil {
		return Visit{}, false, fmt.Errorf("redis: %w", err)
	}
	return decodeVisit(b), true, nil
}

var endScript = redis.NewScript(`
local p = ARGV[1]
if redis.call('HLEN', p..':inflight') == 0 then redis.call('SET', p..':status', 'complete') end
return 0`)

// End marks the crawl complete when nothing is in flight anywhere; an
// interrupted process leaves it running for the others (or itself) to go
// on with.
func (s *RedisState) End(ctx context.Context, interrupted bool) error {
	if interrupted {
		return nil
	}
	if err := s.do(ctx, func(ctx context.Context, _ bool) error {
		return endScript.Run(ctx, s.rdb, nil, s.prefix).Err()
	}); err != nil {
		return fmt.Errorf("redis: %w", err)
	}
	return nil
}

var politeScript = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local k = ARGV[1]
local interval = tonumber(ARGV[2])
local slot = math.max(now, tonumber(redis.call('GET', k) or '0'))
redis.call('SET', k, slot + interval, 'PX', interval + 60000)
return slot - now`)

// politeness spaces the requests of each site, across every process, by
// interval(site): the rate one process keeps alone.
func (s *RedisState) politeness(interval func(site string) time.Duration) func(context.Context, string) error {
	return func(ctx context.Context, site string) error {
		iv := interval(site).Milliseconds()
		if iv <= 0 {
			return nil
		}
		var wait int64
		err := s.do(ctx, func(ctx context.Context, _ bool) (err error) {
			// Run twice after a lost reply, it takes a second slot: a
			// longer pause, never a shorter one.
			wait, err = politeScript.Run(ctx, s.rdb, nil, s.key("polite", site), iv).Int64()
			return err
		})
		if err != nil {
			return fmt.Errorf("redis: %w", err)
		}
		if wait <= 0 {
			return nil
		}
		select {
		case <-time.After(time.Duration(wait) * time.Millisecond):
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
