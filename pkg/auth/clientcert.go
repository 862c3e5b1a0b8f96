package auth

import (
	"bytes"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"strings"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/confidential"
	"software.sslmate.com/src/go-pkcs12"

	"github.com/hybridmgmt/hybridmgmt/pkg/exitcode"
)

// maxCertificateFile bounds what is read from --certificate.
const maxCertificateFile = 1 << 20

// certificateCredential is ModeClientCertificate's credential: a signed
// client assertion from an RSA certificate and key, read from a PEM file
// (certificate and unencrypted key) or a PFX/PKCS#12 file decrypted with
// password. The format is chosen by content, not by file extension.
// Errors are usage errors (exit 2) and never include the password.
func certificateCredential(path, password string) (confidential.Credential, string, error) {
	data, err := readCertificateFile(path)
	if err != nil {
		return confidential.Credential{}, "", err
	}
	var certs []*x509.Certificate
	var key any
	if bytes.Contains(data, []byte("-----BEGIN")) {
		// MSAL's parser takes CERTIFICATE blocks and an unencrypted
		// PKCS#8 or PKCS#1 key; it ignores the password.
		certs, key, err = confidential.CertFromPEM(data, "")
		if err != nil {
			return confidential.Credential{}, "", exitcode.Usagef(
				"certificate %s: %v (the PEM file needs the certificate and its unencrypted RSA private key; for an encrypted key use a PFX)", path, err)
		}
	} else {
		var leaf *x509.Certificate
		var chain []*x509.Certificate
		key, leaf, chain, err = pkcs12.DecodeChain(data, password)
		switch {
		case errors.Is(err, pkcs12.ErrIncorrectPassword), errors.Is(err, pkcs12.ErrDecryption):
			return confidential.Credential{}, "", exitcode.Usagef(
				"certificate %s: wrong PFX password (pipe the password on standard input or set AZURE_CLIENT_CERTIFICATE_PASSWORD)", path)
		case err != nil:
			return confidential.Credential{}, "", exitcode.Usagef(
				"certificate %s is neither a PEM file with certificate and key nor a readable PFX file: %s", path, Redact(err.Error(), password))
		}
		certs = append([]*x509.Certificate{leaf}, chain...)
	}
	if _, ok := key.(*rsa.PrivateKey); !ok {
		return confidential.Credential{}, "", exitcode.Usagef(
			"certificate %s: the private key must be an RSA key (the client assertion is signed with RSA)", path)
	}
	cred, err := confidential.NewCredFromCert(certs, key)
	if err != nil {
		return confidential.Credential{}, "", exitcode.Usagef("certificate %s: %v", path, err)
	}
	// The thumbprint as Entra and the Windows certificate store show it.
	sum := sha1.Sum(certs[0].Raw)
	return cred, strings.ToUpper(hex.EncodeToString(sum[:])), nil
}

func readCertificateFile(path string) ([]byte, error) {
	// Stat before open: opening a FIFO blocks until someone writes to it,
	// beyond Ctrl-C. A link to a regular file is fine (the user named it).
	if st, err := os.Stat(path); err == nil && !st.Mode().IsRegular() {
		return nil, exitcode.Usagef("certificate %s is %s, not a certificate file", path, kindOf(st.Mode()))
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, exitcode.Usagef("certificate: %v", err)
	}
	defer f.Close()
	var buf bytes.Buffer
	n, err := buf.ReadFrom(io.LimitReader(f, maxCertificateFile+1))
	if err != nil {
		return nil, exitcode.Usagef("certificate %s: %v", path, err)
	}
	if n > maxCertificateFile {
		return nil, exitcode.Usagef("certificate %s is over 1 MiB: not a certificate file", path)
	}
	if n == 0 {
		return nil, exitcode.Usagef("certificate %s is empty", path)
	}
	return buf.Bytes(), nil
}
