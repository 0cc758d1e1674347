package configs

import (
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// Every healthcheck of docker-compose.yml fails against a stopped server
// and passes against one that answers, run by a shell as Docker runs a
// CMD-SHELL check (an unquoted URL with & once made them always pass).
func TestComposeHealthchecks(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("curl is missing (.ci/run installs it)")
		}
		t.Skip("curl is not installed")
	}
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
		if hc == nil {
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
