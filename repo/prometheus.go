package repo

import (
	"fmt"
	"time"

	"github.com/meshroll/meshroll/gate"
	"github.com/meshroll/meshroll/internal/config"
)

// ErrNoPrometheus is the error of Prometheus when neither the caller nor
// the configuration names a Prometheus to query.
type ErrNoPrometheus struct{}

func (ErrNoPrometheus) Error() string {
	return "no Prometheus to query: give --prometheus URL, or set prometheus.url in .meshroll.yaml"
}

// Prometheus returns the client that gate and promote query: url, else
// prometheus.url of the configuration, with the bearer token from the
// environment variable prometheus.tokenEnv names (read through getenv).
func Prometheus(cfg *config.Config, url string, timeout time.Duration, getenv func(string) string) (*gate.Client, error) {
	if url == "" {
		url = cfg.Prometheus.URL
	}
	if url == "" {
		return nil, ErrNoPrometheus{}
	}
	token := ""
	if name := cfg.Prometheus.TokenEnv; name != "" {
		token = getenv(name)
		if token == "" {
			return nil, fmt.Errorf("%s names %s as the environment variable that holds the Prometheus token (prometheus.tokenEnv), and it is not set", cfg.File, name)
		}
	}
	return gate.New(gate.Options{URL: url, Token: token, Timeout: timeout})
}
