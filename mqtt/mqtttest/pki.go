package mqtttest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// PKI is a test certificate authority with a server certificate for
// 127.0.0.1 and a client certificate, written as PEM files.
type PKI struct {
	// CACert, ClientCert, ClientKey are file paths for config.MQTT.
	CACert, ClientCert, ClientKey string
	// ClientCN is the client certificate's common name.
	ClientCN string
	pool     *x509.CertPool
	server   tls.Certificate
}

// NewPKI makes the CA and certificates in tb.TempDir().
func NewPKI(tb testing.TB, clientCN string) *PKI {
	tb.Helper()
	dir := tb.TempDir()
	now := time.Now()
	caKey := mustKey(tb)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "lgw test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		tb.Fatalf("mqtttest: CA: %v", err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	p := &PKI{ClientCN: clientCN, pool: x509.NewCertPool()}
	p.pool.AddCert(ca)
	p.CACert = writePEM(tb, dir, "ca.pem", "CERTIFICATE", caDER)

	leaf := func(serial int64, cn string, usage x509.ExtKeyUsage, ip bool) ([]byte, *ecdsa.PrivateKey) {
		k := mustKey(tb)
		t := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn},
			NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{usage}}
		if ip {
			t.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1)}
		}
		der, err := x509.CreateCertificate(rand.Reader, t, ca, &k.PublicKey, caKey)
		if err != nil {
			tb.Fatalf("mqtttest: certificate %s: %v", cn, err)
		}
		return der, k
	}
	srvDER, srvKey := leaf(2, "127.0.0.1", x509.ExtKeyUsageServerAuth, true)
	p.server = tls.Certificate{Certificate: [][]byte{srvDER}, PrivateKey: srvKey}
	cliDER, cliKey := leaf(3, clientCN, x509.ExtKeyUsageClientAuth, false)
	p.ClientCert = writePEM(tb, dir, "client.pem", "CERTIFICATE", cliDER)
	kb, err := x509.MarshalECPrivateKey(cliKey)
	if err != nil {
		tb.Fatalf("mqtttest: key: %v", err)
	}
	p.ClientKey = writePEM(tb, dir, "client-key.pem", "EC PRIVATE KEY", kb)
	return p
}

// ServerTLS returns the broker's TLS configuration; mutual requires and
// verifies a client certificate from the CA.
func (p *PKI) ServerTLS(mutual bool) *tls.Config {
	t := &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{p.server}}
	if mutual {
		t.ClientAuth = tls.RequireAndVerifyClientCert
		t.ClientCAs = p.pool
	}
	return t
}

func mustKey(tb testing.TB) *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatalf("mqtttest: key: %v", err)
	}
	return k
}

func writePEM(tb testing.TB, dir, name, typ string, der []byte) string {
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		tb.Fatalf("mqtttest: %v", err)
	}
	return path
}
