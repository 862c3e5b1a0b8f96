package connectivity

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCauseVocabularyIsComplete(t *testing.T) {
	// The contract vocabulary; more codes may exist, none of
	// these may go.
	required := []Cause{"dns-not-found", "dns-no-answer", "tcp-refused", "tcp-timeout", "tls-timeout", "tls-version",
		"tls-untrusted", "tls-name-mismatch", "tls-expired", "tls-inspection", "http-timeout", "proxy-unreachable",
		"proxy-denied", "proxy-auth-required", "proxy-upstream-failed", "auth-scheme", "http-error",
		"extended-protection", "no-active-agent", "single-agent", "agent-version", "duplicate-internal-url",
		"not-published", "machine-config", "clock-skew", "unsupported-cloud"}
	seen := map[Cause]bool{}
	for _, ci := range Causes() {
		assert.False(t, seen[ci.Code], "duplicate %s", ci.Code)
		seen[ci.Code] = true
		assert.NotEmpty(t, ci.Words, ci.Code)
		if ci.Code != CauseNotRun {
			assert.NotEmpty(t, ci.Remediation, ci.Code)
		}
	}
	for _, c := range required {
		assert.True(t, seen[c], "missing %s", c)
	}
}

func TestMostLikelyCause(t *testing.T) {
	_, ok := MostLikelyCause([]Result{{Status: Passed}, {Status: Warning, Cause: CauseTLSInspection}})
	assert.False(t, ok, "warnings alone make no headline")

	rs := []Result{
		{Status: Failed, Cause: CauseDNSNotFound, Remediation: "fix dns"},
		{Status: Failed, Cause: CauseTCPTimeout, Remediation: "open 443"},
		{Status: Failed, Cause: CauseTCPTimeout, Remediation: "open 443"},
		{Status: Failed, Cause: CauseTCPTimeout, Remediation: "open 443 plus advice"},
		{Status: Warning, Cause: CauseDNSNotFound},
	}
	h, ok := MostLikelyCause(rs)
	require.True(t, ok)
	assert.Equal(t, CauseTCPTimeout, h.Cause.Code)
	assert.Equal(t, 3, h.Count)
	assert.Equal(t, "open 443", h.Remediation, "the text most of the rows share")
	assert.Equal(t, "Most likely cause: the connection is silently dropped (TCP timeout) (3 checks)", h.Line())

	h, _ = MostLikelyCause([]Result{
		{Status: Failed, Cause: CauseTLSUntrusted, Remediation: "a"},
		{Status: Failed, Cause: CauseTLSUntrusted, Remediation: "b"},
		{Status: Failed, Cause: CauseTCPRefused, Remediation: "c"},
		{Status: Failed, Cause: CauseTCPRefused, Remediation: "c"},
	})
	assert.Equal(t, CauseTLSUntrusted, h.Cause.Code, "ties go to the first in result order")
	assert.Equal(t, CauseTLSUntrusted.Info().Remediation, h.Remediation, "no shared text: the vocabulary's")
}

func TestEveryCauseIsDocumented(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "test-hybridconnectivity.md"))
	require.NoError(t, err)
	for _, ci := range Causes() {
		assert.Contains(t, string(doc), "| `"+string(ci.Code)+"` | "+ci.Words+" |", "docs/test-hybridconnectivity.md's cause table lacks %s", ci.Code)
	}
}

// The headline counts Failed rows with a cause only, and takes the rows'
// own remediation only when more than half of them share it.
func TestMostLikelyCauseCountsAndMajority(t *testing.T) {
	h, ok := MostLikelyCause([]Result{
		{Status: Failed},
		{Status: Failed},
		{Status: Failed, Cause: CauseTLSUntrusted, Remediation: "trust"},
		{Status: Warning, Cause: CauseTCPRefused, Remediation: "w"},
		{Status: Warning, Cause: CauseTCPRefused, Remediation: "w"},
	})
	require.True(t, ok)
	assert.Equal(t, CauseTLSUntrusted, h.Cause.Code, "rows without a cause and warnings do not count")
	assert.Equal(t, 1, h.Count)
	assert.Equal(t, "trust", h.Remediation)
	assert.Equal(t, "Most likely cause: the certificate chain is not trusted (1 check)", h.Line())

	_, ok = MostLikelyCause([]Result{{Status: Failed}})
	assert.False(t, ok, "a failure without a cause makes no headline")

	h, _ = MostLikelyCause([]Result{
		{Status: Failed, Cause: CauseTCPTimeout, Remediation: "x"},
		{Status: Failed, Cause: CauseTCPTimeout, Remediation: "x"},
		{Status: Failed, Cause: CauseTCPTimeout, Remediation: "y"},
		{Status: Failed, Cause: CauseTCPTimeout},
		{Status: Warning, Cause: CauseTCPTimeout, Remediation: "y"},
		{Status: Warning, Cause: CauseTCPTimeout, Remediation: "y"},
	})
	assert.Equal(t, 4, h.Count)
	assert.Equal(t, CauseTCPTimeout.Info().Remediation, h.Remediation, "half of the rows is not most of them; warnings do not vote")

	h, _ = MostLikelyCause([]Result{
		{Status: Failed, Cause: CauseDNSNotFound, Remediation: "d"},
		{Status: Failed, Cause: CauseTCPTimeout, Remediation: "x"},
		{Status: Failed, Cause: CauseTCPTimeout, Remediation: "x"},
		{Status: Failed, Cause: CauseTCPTimeout, Remediation: "x"},
		{Status: Failed, Cause: CauseDNSNotFound, Remediation: "d"},
		{Status: Failed, Cause: CauseTCPTimeout, Remediation: "y"},
	})
	assert.Equal(t, CauseTCPTimeout, h.Cause.Code, "the most rows win over the first met")
	assert.Equal(t, 4, h.Count)
	assert.Equal(t, "x", h.Remediation, "three of four rows share it")
}
