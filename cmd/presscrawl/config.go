package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/viper"
)

// Configuration keys, documented in configs/presscrawl.yaml.
const (
	keyUserAgent      = "user_agent"
	keyFetchTimeout   = "fetch.timeout"
	keyFetchMaxBody   = "fetch.max_body_bytes"
	keyExtractFormat  = "extract.format"
	keyExtractMaxPage = "extract.max_page_bytes"
)

func setDefaults(v *viper.Viper) {
	v.SetDefault(keyUserAgent, "")
	v.SetDefault(keyFetchTimeout, 15*time.Second)
	v.SetDefault(keyFetchMaxBody, 10<<20)
	v.SetDefault(keyExtractFormat, "json")
	v.SetDefault(keyExtractMaxPage, 10<<20)
}

// loadConfig builds the effective configuration of cmd: its flags (bound
// to keys by flagKeys), then PRESSCRAWL_* environment variables, then the
// config file, then defaults.
func loadConfig(cmd *cobra.Command, flagKeys map[string]string) (*viper.Viper, error) {
	v := viper.New()
	setDefaults(v)
	v.SetEnvPrefix("PRESSCRAWL")
	v.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))
	v.AutomaticEnv()
	for flag, key := range flagKeys {
		if err := v.BindPFlag(key, cmd.Flags().Lookup(flag)); err != nil {
			return nil, fmt.Errorf("bind flag --%s: %w", flag, err)
		}
	}
	path, _ := cmd.Flags().GetString("config")
	if path == "" {
		path = os.Getenv("PRESSCRAWL_CONFIG")
	}
	if path != "" {
		v.SetConfigFile(path)
		if err := v.ReadInConfig(); err != nil {
			return nil, fmt.Errorf("config file %s: %w", path, err)
		}
		return v, nil
	}
	v.SetConfigName("presscrawl")
	v.SetConfigType("yaml")
	v.AddConfigPath(".")
	if dir := configDir(); dir != "" {
		v.AddConfigPath(filepath.Join(dir, "presscrawl"))
	}
	if err := v.ReadInConfig(); err != nil {
		var notFound viper.ConfigFileNotFoundError
		if !errors.As(err, &notFound) {
			return nil, fmt.Errorf("config file %s: %w", v.ConfigFileUsed(), err)
		}
	}
	return v, nil
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

func userAgent(v *viper.Viper) string {
	if ua := v.GetString(keyUserAgent); ua != "" {
		return ua
	}
	return "presscrawl/" + cliVersion() + " (+https://github.com/presscrawl/presscrawl)"
}
