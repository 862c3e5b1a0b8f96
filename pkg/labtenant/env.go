package labtenant

import (
	"path/filepath"
	"strings"
)

// EnvVar is one variable that points a client at the lab.
type EnvVar struct {
	Name, Value string
}

// Env returns the variables that point hybridmgmt (and scripts) at the
// lab. None of them is a secret; secrets stay in their files.
func (s *Server) Env() []EnvVar {
	return []EnvVar{
		{"SSL_CERT_FILE", s.CAPath()},
		{"HYBRIDMGMT_AUTHORITY_HOST", s.url},
		{"HYBRIDMGMT_GRAPH_ENDPOINT", s.url},
		// Not AZURE_TENANT_ID: that one outlives the lab in a shell and
		// would send a later sign-in to a real tenant with the lab's id.
		{"HYBRIDMGMT_TENANT_ID", TenantID},
		{"HYBRIDMGMT_CACHE_DIR", filepath.Join(s.dir, "cache")},
		{"HYBRIDLAB_URL", s.url},
		{"HYBRIDLAB_DIR", s.dir},
		{"HYBRIDLAB_CI_CLIENT_ID", CIClientID},
	}
}

// UnsetLine is the shell command that undoes the env file, for a shell
// that later talks to a real tenant.
func (s *Server) UnsetLine() string {
	names := []string{}
	for _, v := range s.Env() {
		names = append(names, v.Name)
	}
	return "unset " + strings.Join(names, " ")
}

// EnvLines renders Env as POSIX shell export lines.
func (s *Server) EnvLines() []string {
	vars := s.Env()
	out := make([]string, len(vars))
	for i, v := range vars {
		out[i] = "export " + v.Name + "=" + shellQuote(v.Value)
	}
	return out
}

// EnvFile is the content of <dir>/env: the export lines plus comments
// naming the credential files.
func (s *Server) EnvFile() string {
	var b strings.Builder
	b.WriteString("# hybridlab: source this file to point hybridmgmt at the lab tenant.\n")
	b.WriteString("# Secrets are not here: read them from the files named below.\n")
	b.WriteString("# Back to a real tenant in this shell: " + s.UnsetLine() + "\n")
	for _, l := range s.EnvLines() {
		b.WriteString(l + "\n")
	}
	b.WriteString("# admin password:  " + filepath.Join(s.dir, FileAdminPass) + " (" + AdminUPN + ")\n")
	b.WriteString("# reader password: " + filepath.Join(s.dir, FileReaderPass) + " (" + ReaderUPN + ")\n")
	b.WriteString("# mfa password:    " + filepath.Join(s.dir, FileMFAPass) + " (" + MFAUPN + ", ROPC fails with AADSTS50076)\n")
	b.WriteString("# CI app " + CIClientID + ": secret " + filepath.Join(s.dir, FileClientSecret) +
		", certificate " + filepath.Join(s.dir, FileClientCert) + "\n")
	return b.String()
}

// WriteEnvFile writes <dir>/env atomically and returns its path.
func (s *Server) WriteEnvFile() (string, error) {
	p := filepath.Join(s.dir, FileEnv)
	return p, writeFileAtomic(p, []byte(s.EnvFile()), 0o644)
}

func shellQuote(v string) string {
	return "'" + strings.ReplaceAll(v, "'", `'\''`) + "'"
}
