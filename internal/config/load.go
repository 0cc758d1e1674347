package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"
	"go.yaml.in/yaml/v3"
)

// Flags declares a command's flags that set configuration keys: each flag
// once, with its key, its type and default taken from the key's in
// Default. Load reads them and names a bad value by its flag.
type Flags struct {
	set  *pflag.FlagSet
	keys map[string]string // flag name -> key
}

// NewFlags declares into set.
func NewFlags(set *pflag.FlagSet) *Flags {
	return &Flags{set: set, keys: map[string]string{}}
}

// defaults are the keys' default values (Keys of Default).
var _, defaults = Keys(Default())

// Bind declares the flag name for key, of the key's type, with its default
// as the flag's. A key that does not exist is a programming error, caught
// by every test that builds the command.
func (f *Flags) Bind(name, key, usage string) {
	def, ok := defaults[key]
	if !ok {
		panic(fmt.Sprintf("config: flag --%s: no key %q", name, key))
	}
	switch d := def.(type) {
	case string:
		f.set.String(name, d, usage)
	case int:
		f.set.Int(name, d, usage)
	case int64:
		f.set.Int64(name, d, usage)
	case bool:
		f.set.Bool(name, d, usage)
	case time.Duration:
		f.set.Duration(name, d, usage)
	case []string:
		f.set.StringArray(name, nil, usage)
	default:
		panic(fmt.Sprintf("config: flag --%s: key %s of type %T", name, key, def))
	}
	f.keys[name] = key
}

// Key is the key a flag sets, or "".
func (f *Flags) Key(name string) string {
	if f == nil {
		return ""
	}
	return f.keys[name]
}

// Load builds the effective configuration: the flags given, then PRESSCRAWL_*
// environment variables, then the config file (path, else PRESSCRAWL_CONFIG,
// else ./presscrawl.yaml, then $XDG_CONFIG_HOME/presscrawl/presscrawl.yaml),
// then the defaults. An unknown key, a value of the wrong type or out of
// range is an error naming the key, or the flag when a flag gave it.
func Load(f *Flags, path string) (Config, error) {
	v, err := Sources(f, path)
	if err != nil {
		return Config{}, err
	}
	c, err := Decode(v)
	if err != nil {
		msg := err.Error()
		if f != nil {
			for flag, key := range f.keys {
				if fl := f.set.Lookup(flag); fl != nil && fl.Changed {
					msg = strings.ReplaceAll(msg, key+": ", "--"+flag+": ")
				}
			}
		}
		where := "configuration"
		if file := v.ConfigFileUsed(); file != "" {
			where = "configuration (flags, PRESSCRAWL_* variables, config file " + file + ")"
		}
		return c, fmt.Errorf("%s: %w", where, errors.New(msg))
	}
	return c, nil
}

// Sources merges the sources of configuration, strongest first, without
// decoding them: what `presscrawl config` shows key by key.
func Sources(f *Flags, path string) (*viper.Viper, error) {
	v := viper.New()
	SetDefaults(v)
	v.SetEnvPrefix("PRESSCRAWL")
	v.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))
	v.AutomaticEnv()
	if err := v.BindEnv("es.url", "PRESSCRAWL_ES_URL", "ELASTICSEARCH_URL"); err != nil {
		return nil, fmt.Errorf("bind ELASTICSEARCH_URL: %w", err)
	}
	if f != nil {
		for flag, key := range f.keys {
			if err := v.BindPFlag(key, f.set.Lookup(flag)); err != nil {
				return nil, fmt.Errorf("bind flag --%s: %w", flag, err)
			}
		}
	}
	if path == "" {
		path = os.Getenv("PRESSCRAWL_CONFIG")
	}
	if path != "" {
		return v, readFile(v, path)
	}
	// Only these exact names: viper's own search would also take a file
	// named "presscrawl" without extension, such as the binary itself.
	for _, cand := range defaultFiles() {
		if st, err := os.Stat(cand); err == nil && !st.IsDir() {
			return v, readFile(v, cand)
		}
	}
	return v, nil
}

// The bounds of a config file: presscrawl's has about 45 keys in 6 KB.
const (
	MaxFileBytes = 1 << 20
	MaxFileKeys  = 1000
)

// readFile reads a config file into v: a regular file (not a device, a
// FIFO or a directory) of at most MaxFileBytes with at most MaxFileKeys
// keys, so that a wrong path (/dev/zero, a pipe, a huge file) is an error
// at once instead of a process that never ends or runs out of memory.
func readFile(v *viper.Viper, path string) error {
	st, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("config file %s: %w", path, err)
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("config file %s: not a regular file (%s)", path, st.Mode().Type())
	}
	if st.Size() > MaxFileBytes {
		return fmt.Errorf("config file %s: %d bytes, more than a config file's %d", path, st.Size(), MaxFileBytes)
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("config file %s: %w", path, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return fmt.Errorf("config file %s: %w", path, err)
	}
	if len(b) > MaxFileBytes {
		return fmt.Errorf("config file %s: more than a config file's %d bytes", path, MaxFileBytes)
	}
	if n := bytes.Count(b, []byte("\n")); n > 4*MaxFileKeys {
		return fmt.Errorf("config file %s: %d lines; presscrawl reads %d keys: is it the right file?", path, n, len(defaults))
	}
	if ext := strings.ToLower(filepath.Ext(path)); ext == ".yaml" || ext == ".yml" {
		// Counted before viper reads it: viper's own reading of a mapping
		// of 75,000 keys takes a minute.
		var doc yaml.Node
		if err := yaml.Unmarshal(b, &doc); err != nil {
			return fmt.Errorf("config file %s: %w", path, err)
		}
		if n := countKeys(&doc, MaxFileKeys+1); n > MaxFileKeys {
			return fmt.Errorf("config file %s: more than %d keys; presscrawl reads %d: is it the right file?", path, MaxFileKeys, len(defaults))
		}
	}
	v.SetConfigFile(path) // the type from its extension, the name for messages
	if err := v.ReadConfig(bytes.NewReader(b)); err != nil {
		return fmt.Errorf("config file %s: %w", path, err)
	}
	if n := len(v.AllKeys()); n > MaxFileKeys {
		return fmt.Errorf("config file %s: %d keys; presscrawl reads %d: is it the right file?", path, n, len(defaults))
	}
	return nil
}

func defaultFiles() []string {
	files := []string{"presscrawl.yaml"}
	if dir := configDir(); dir != "" {
		files = append(files, filepath.Join(dir, "presscrawl", "presscrawl.yaml"))
	}
	return files
}

func configDir() string {
	if d := os.Getenv("XDG_CONFIG_HOME"); d != "" {
		return d
	}
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, ".config")
	}
	return ""
}

// countKeys counts the keys of a YAML document's mappings, stopping at
// limit; an alias is counted as the one node it is (no expansion).
func countKeys(n *yaml.Node, limit int) int {
	count := 0
	var walk func(*yaml.Node)
	walk = func(n *yaml.Node) {
		if n == nil || count >= limit {
			return
		}
		if n.Kind == yaml.MappingNode {
			count += len(n.Content) / 2
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(n)
	return count
}

// EnvName is the environment variable that sets key.
func EnvName(key string) string {
	return "PRESSCRAWL_" + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}
