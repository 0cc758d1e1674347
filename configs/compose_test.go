package configs

import (
	"encoding/pem"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// Every healthcheck of docker-compose.yml fails against a stopped server
// and passes against one that answers, run by a shell as Docker runs a
// CMD-SHELL check (an unquoted URL with & once made them always pass).
func TestComposeHealthchecks(t *testing.T) {
	needCurl(t)
	b, err := os.ReadFile("../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	var compose struct {
		Services map[string]struct {
			Healthcheck *struct {
				Test []string `yaml:"test"`
			} `yaml:"healthcheck"`
			DependsOn map[string]struct {
				Condition string `yaml:"condition"`
			} `yaml:"depends_on"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal(b, &compose); err != nil {
		t.Fatalf("docker-compose.yml: %v", err)
	}
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"status":"yellow"}`))
	}))
	defer up.Close()
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	down := ln.Addr().String()
	ln.Close() // nothing listens there
	checks := 0
	for name, svc := range compose.Services {
		for dep, d := range svc.DependsOn {
			if d.Condition == "service_healthy" && compose.Services[dep].Healthcheck == nil {
				t.Errorf("%s waits for %s to be healthy, which has no healthcheck", name, dep)
			}
		}
		hc := svc.Healthcheck
		if hc == nil || name == "redis" { // Redis's: TestComposeCrawlers
			continue
		}
		if len(hc.Test) != 2 || hc.Test[0] != "CMD-SHELL" {
			t.Errorf("%s: healthcheck %q: want [CMD-SHELL, command]", name, hc.Test)
			continue
		}
		checks++
		for addr, wantOK := range map[string]bool{strings.TrimPrefix(up.URL, "http://"): true, down: false} {
			cmd := strings.NewReplacer("localhost:9200", addr, "localhost:5601", addr).Replace(hc.Test[1])
			err := exec.Command("sh", "-c", cmd).Run()
			if (err == nil) != wantOK {
				t.Errorf("%s: %q against a server that is %s: %v", name, cmd, map[bool]string{true: "up", false: "down"}[wantOK], err)
			}
		}
	}
	if checks < 4 {
		t.Errorf("%d healthchecks, want one for each of Elasticsearch, Kibana, OpenSearch and Dashboards", checks)
	}
}

// docker-compose.secure.yml: every service it waits for has a healthcheck,
// the secrets come from .env only (compose refuses to start without them),
// presscrawl reaches the node over TLS with the CA the setup service made,
// and the node's and Kibana's checks, run by a shell, pass against servers
// that answer as a secured node (TLS, a password) and a ready Kibana do,
// and fail otherwise.
func TestComposeSecure(t *testing.T) {
	needCurl(t)
	b, err := os.ReadFile("../docker-compose.secure.yml")
	if err != nil {
		t.Fatal(err)
	}
	var compose struct {
		Services map[string]struct {
			Environment []string `yaml:"environment"`
			Healthcheck *struct {
				Test []string `yaml:"test"`
			} `yaml:"healthcheck"`
			DependsOn map[string]struct {
				Condition string `yaml:"condition"`
			} `yaml:"depends_on"`
			Volumes []string `yaml:"volumes"`
		} `yaml:"services"`
		Volumes map[string]any `yaml:"volumes"`
	}
	if err := yaml.Unmarshal(b, &compose); err != nil {
		t.Fatalf("docker-compose.secure.yml: %v", err)
	}
	for _, name := range []string{"setup", "es01", "kibana", "presscrawl"} {
		if _, ok := compose.Services[name]; !ok {
			t.Fatalf("no service %s", name)
		}
	}
	env := func(svc string) map[string]string {
		m := map[string]string{}
		for _, kv := range compose.Services[svc].Environment {
			k, v, _ := strings.Cut(kv, "=")
			m[k] = v
		}
		return m
	}
	for name, svc := range compose.Services {
		for dep, d := range svc.DependsOn {
			if d.Condition == "service_healthy" && compose.Services[dep].Healthcheck == nil {
				t.Errorf("%s waits for %s to be healthy, which has no healthcheck", name, dep)
			}
		}
		for _, v := range svc.Volumes {
			if vol, _, _ := strings.Cut(v, ":"); !strings.HasPrefix(vol, ".") && !strings.HasPrefix(vol, "/") {
				if _, ok := compose.Volumes[vol]; !ok {
					t.Errorf("%s mounts volume %s, which is not declared", name, vol)
				}
			}
		}
		for k, v := range env(name) {
			if strings.Contains(k, "PASSWORD") && !strings.HasPrefix(v, "${") {
				t.Errorf("%s: %s=%q: a password written in the file, not taken from .env", name, k, v)
			}
		}
	}
	es, pc := env("es01"), env("presscrawl")
	if es["xpack.security.enabled"] != "true" || es["xpack.security.http.ssl.enabled"] != "true" {
		t.Errorf("es01 security: %v", es)
	}
	if !strings.HasPrefix(pc["ELASTICSEARCH_URL"], "https://es01:") || pc["PRESSCRAWL_ES_CA_CERT"] != "/certs/ca/ca.crt" || pc["PRESSCRAWL_ES_USERNAME"] == "" {
		t.Errorf("presscrawl's connection: %v", pc)
	}

	// The node's check, against a TLS server that wants elastic's password.
	const password = "s3cret pass"
	node := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != "elastic" || p != password {
			w.WriteHeader(401)
			return
		}
		if r.URL.Query().Get("wait_for_status") != "yellow" || r.URL.Query().Get("timeout") != "5s" {
			w.WriteHeader(400)
			return
		}
		w.Write([]byte(`{"status":"yellow"}`))
	}))
	defer node.Close()
	ca := t.TempDir() + "/ca.crt"
	f, _ := os.Create(ca)
	pem.Encode(f, &pem.Block{Type: "CERTIFICATE", Bytes: node.Certificate().Raw})
	f.Close()
	kibanaUp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/login", http.StatusFound)
	}))
	defer kibanaUp.Close()
	kibanaStarting := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(503)
	}))
	defer kibanaStarting.Close()
	run := func(check, addr, pw string) error {
		cmd := strings.NewReplacer("$$", "$", "config/certs/ca/ca.crt", ca, "localhost:9200", addr, "localhost:5601", addr).Replace(check)
		c := exec.Command("sh", "-c", cmd)
		c.Env = append(os.Environ(), "ELASTIC_PASSWORD="+pw)
		return c.Run()
	}
	esCheck, kbCheck := compose.Services["es01"].Healthcheck.Test[1], compose.Services["kibana"].Healthcheck.Test[1]
	nodeAddr := strings.TrimPrefix(node.URL, "https://")
	if err := run(esCheck, nodeAddr, password); err != nil {
		t.Errorf("es01 check against a running node: %v (%s)", err, esCheck)
	}
	if err := run(esCheck, nodeAddr, "wrong"); err == nil {
		t.Error("es01 check passed with a wrong password")
	}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	down := ln.Addr().String()
	ln.Close()
	if err := run(esCheck, down, password); err == nil {
		t.Error("es01 check passed against a stopped node")
	}
	if err := run(kbCheck, strings.TrimPrefix(kibanaUp.URL, "http://"), ""); err != nil {
		t.Errorf("kibana check against a ready Kibana: %v (%s)", err, kbCheck)
	}
	for _, addr := range []string{strings.TrimPrefix(kibanaStarting.URL, "http://"), down} {
		if err := run(kbCheck, addr, ""); err == nil {
			t.Errorf("kibana check passed against %s (starting or stopped)", addr)
		}
	}
}

// needCurl skips without curl (the healthchecks run it), except under
// CI=true, where .ci/run installs it.
func needCurl(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("curl"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("curl is missing (.ci/run installs it)")
		}
		t.Skip("curl is not installed")
	}
}

// The "crawlers" profile: a persistent Redis whose healthcheck passes
// against a real redis-server and fails without one, and two crawler
// services sharing the crawl through it, each with a data dir of its own,
// delivering to the archive.
func TestComposeCrawlers(t *testing.T) {
	b, err := os.ReadFile("../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	var compose struct {
		Services map[string]struct {
			Profiles    []string `yaml:"profiles"`
			Command     []string `yaml:"command"`
			Environment []string `yaml:"environment"`
			Volumes     []string `yaml:"volumes"`
			Healthcheck *struct {
				Test []string `yaml:"test"`
			} `yaml:"healthcheck"`
			DependsOn map[string]struct {
				Condition string `yaml:"condition"`
			} `yaml:"depends_on"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal(b, &compose); err != nil {
		t.Fatalf("docker-compose.yml: %v", err)
	}
	r, ok := compose.Services["redis"]
	if !ok || !strings.Contains(strings.Join(r.Command, " "), "--appendonly yes") || r.Healthcheck == nil {
		t.Fatalf("redis service: %+v", r)
	}
	volumes := map[string]bool{}
	for _, name := range []string{"crawler-1", "crawler-2"} {
		c, ok := compose.Services[name]
		cmd := strings.Join(c.Command, " ")
		if !ok || !strings.HasPrefix(cmd, "crawl --redis redis://redis:6379/0") || !strings.Contains(strings.Join(c.Environment, " "), "PRESSCRAWL_INDEX_BACKEND=elasticsearch") ||
			c.DependsOn["redis"].Condition != "service_healthy" || len(c.Profiles) != 1 || c.Profiles[0] != "crawlers" || len(c.Volumes) != 1 {
			t.Errorf("%s: %+v", name, c)
			continue
		}
		volumes[c.Volumes[0]] = true
	}
	if len(volumes) != 2 {
		t.Errorf("the crawlers share a data dir volume: %v (each needs its own)", volumes)
	}
	if _, err := exec.LookPath("redis-server"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("redis-server is not installed")
		}
		t.Skip("redis-server not installed")
	}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	check := strings.Replace(r.Healthcheck.Test[1], "redis-cli", fmt.Sprintf("redis-cli -p %d", port), 1)
	if err := exec.Command("sh", "-c", check).Run(); err == nil {
		t.Errorf("%q passes with no Redis", check)
	}
	srv := exec.Command("redis-server", "--port", fmt.Sprint(port), "--bind", "127.0.0.1", "--save", "", "--dir", t.TempDir())
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { srv.Process.Kill(); srv.Wait() }()
	var err2 error
	for range 100 {
		if err2 = exec.Command("sh", "-c", check).Run(); err2 == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err2 != nil {
		t.Errorf("%q fails against a running Redis: %v", check, err2)
	}
}
