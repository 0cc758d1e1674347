package elastic

import (
	"bytes"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"strings"
)

// ErrCloudID is an Elastic Cloud id that does not decode.
var ErrCloudID = errors.New("not an Elastic Cloud id")

// CloudURLs decodes an Elastic Cloud id ("name:base64(host$es$kibana)", as
// the deployment page shows it) into the deployment's Elasticsearch and
// Kibana addresses: https://<es>.<host>, with the port the id carries
// (after the host, or after either component), else none (443).
func CloudURLs(id string) (es, kibana string, err error) {
	_, enc, ok := strings.Cut(strings.TrimSpace(id), ":")
	if !ok || enc == "" {
		return "", "", fmt.Errorf("%w: want name:base64, got %q", ErrCloudID, id)
	}
	raw, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		if raw, err = base64.RawStdEncoding.DecodeString(enc); err != nil {
			return "", "", fmt.Errorf("%w: the part after the name is not base64", ErrCloudID)
		}
	}
	parts := strings.Split(strings.TrimSpace(string(raw)), "$")
	if len(parts) < 2 || parts[0] == "" || parts[1] == "" {
		return "", "", fmt.Errorf("%w: want host$elasticsearch-id$kibana-id inside", ErrCloudID)
	}
	host, port := splitPort(parts[0])
	addr := func(component string) string {
		component, p := splitPort(component)
		if p == "" {
			p = port
		}
		if p == "" || p == "443" {
			return "https://" + component + "." + host
		}
		return "https://" + component + "." + host + ":" + p
	}
	es = addr(parts[1])
	if len(parts) > 2 && parts[2] != "" {
		kibana = addr(parts[2])
	}
	if strings.ContainsAny(strings.Join(parts, ""), "/?#@ ") {
		return "", "", fmt.Errorf("%w: its host or ids hold characters a host cannot", ErrCloudID)
	}
	return es, kibana, nil
}

func splitPort(s string) (host, port string) {
	if h, p, err := net.SplitHostPort(s); err == nil {
		return h, p
	}
	return s, ""
}

// ErrFingerprint is a certificate fingerprint that is not a SHA-256 in hex.
var ErrFingerprint = errors.New("not a SHA-256 certificate fingerprint")

// ParseFingerprint reads a SHA-256 fingerprint as Elasticsearch prints it
// on first start ("HTTP CA certificate SHA-256 fingerprint: 6b2f...") or as
// openssl x509 -fingerprint -sha256 does (colon-separated, upper case).
func ParseFingerprint(s string) ([]byte, error) {
	clean := strings.ToLower(strings.NewReplacer(":", "", " ", "").Replace(strings.TrimSpace(s)))
	b, err := hex.DecodeString(clean)
	if err != nil || len(b) != sha256.Size {
		return nil, fmt.Errorf("%w: %q (want 64 hex digits, colons allowed)", ErrFingerprint, s)
	}
	return b, nil
}

// pinnedTLS trusts the server whose certificate chain holds the certificate
// with this SHA-256 fingerprint, as Elasticsearch 8's security set-up
// intends: its own CA, printed on first start, or the server's own
// certificate. The chain must lead from the server's certificate to the
// pinned one (a stranger presenting the public CA certificate beside its
// own is refused); host names are not checked, the pin stands for them,
// as in Elastic's clients.
func pinnedTLS(fp []byte) *tls.Config {
	return &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: true, // verified below, against the pin
		VerifyConnection: func(cs tls.ConnectionState) error {
			certs := cs.PeerCertificates
			if len(certs) == 0 {
				return errors.New("the archive sent no certificate")
			}
			for i, c := range certs {
				sum := sha256.Sum256(c.Raw)
				if !bytes.Equal(sum[:], fp) {
					continue
				}
				if i == 0 {
					return nil // the server's own certificate, pinned
				}
				roots, inter := x509.NewCertPool(), x509.NewCertPool()
				roots.AddCert(c)
				for _, m := range certs[1:i] {
					inter.AddCert(m)
				}
				if _, err := certs[0].Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter}); err != nil {
					return fmt.Errorf("the archive's certificate is not signed by the pinned CA (es.ca_fingerprint): %w", err)
				}
				return nil
			}
			sum := sha256.Sum256(certs[len(certs)-1].Raw)
			return fmt.Errorf("no certificate of the archive's has the SHA-256 fingerprint es.ca_fingerprint names (its chain ends in %s)", hex.EncodeToString(sum[:]))
		}}
}
