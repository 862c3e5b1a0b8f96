package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/hybridmgmt/hybridmgmt/pkg/labtenant"
)

func browse(ctx context.Context, args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("hybridlab browse", flag.ContinueOnError)
	fs.SetOutput(stderr)
	ca := fs.String("ca", "", "PEM file of the CA to trust (default: $SSL_CERT_FILE, else the system roots)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, "usage: hybridlab browse [--ca FILE] URL")
		return 2
	}
	client, err := browseClient(*ca)
	if err != nil {
		fmt.Fprintf(stderr, "hybridlab browse: %v\n", err)
		return 1
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	if err := labtenant.Browse(ctx, client, fs.Arg(0)); err != nil {
		fmt.Fprintf(stderr, "hybridlab browse: %v\n", err)
		return 1
	}
	return 0
}

// browseClient trusts an explicit CA file; SSL_CERT_FILE is read here too
// because only some platforms' system pools honour it.
func browseClient(caFile string) (*http.Client, error) {
	if caFile == "" {
		caFile = os.Getenv("SSL_CERT_FILE")
	}
	tr := &http.Transport{Proxy: nil, TLSHandshakeTimeout: 10 * time.Second}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, err
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%s holds no PEM certificate", caFile)
		}
		tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	return &http.Client{Transport: tr, Timeout: time.Minute}, nil
}
