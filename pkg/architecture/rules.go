package architecture

import (
	"fmt"
	"sort"
	"strings"
)

// Module is the module path every rule is written against.
const Module = "github.com/hybridmgmt/hybridmgmt"

// Rule forbids From (a package, or a prefix ending in "/...") from depending,
// directly or through others, on any of To.
type Rule struct {
	From string
	To   []string
	Why  string
}

// Rules are the import rules of docs/architecture.md.
var Rules = []Rule{
	{From: "pkg/appproxy", To: []string{"pkg/cmdlets"}, Why: "the Graph client knows nothing of commands"},
	{From: "pkg/connectivity", To: []string{"pkg/cmdlets", "pkg/appproxy"}, Why: "probes need no Graph and no commands"},
	{From: "pkg/auth", To: []string{"pkg/appproxy", "pkg/cmdlets"}, Why: "sign-in serves Graph, never the other way round"},
	{From: "pkg/labtenant", To: []string{"pkg/cmdlets", "pkg/appproxy", "pkg/auth"}, Why: "the lab must not share the client's assumptions"},
	{From: "pkg/cmdlets", To: []string{"pkg/labtenant", "pkg/httpstub", "pkg/e2e", "pkg/memwatch"}, Why: "commands never link test doubles"},
	{From: "cmd/hybridmgmt", To: []string{"pkg/labtenant", "pkg/httpstub", "pkg/memwatch", "github.com/spf13/cobra/doc", "github.com/cpuguy83/go-md2man/v2/md2man", "go.yaml.in/yaml/v3"},
		Why: "the release binary links neither the lab nor the docs generator"},
	{From: "pkg/...", To: []string{"cmd/..."}, Why: "libraries never import commands"},
}

// Violations checks deps (package → its transitive dependencies, full
// import paths) against rules and returns one line per broken rule.
func Violations(deps map[string][]string, rules []Rule) []string {
	var out []string
	pkgs := make([]string, 0, len(deps))
	for p := range deps {
		pkgs = append(pkgs, p)
	}
	sort.Strings(pkgs)
	for _, r := range rules {
		for _, p := range pkgs {
			if !matches(p, r.From) {
				continue
			}
			for _, d := range deps[p] {
				for _, to := range r.To {
					if matches(d, to) {
						out = append(out, fmt.Sprintf("%s depends on %s: %s", strings.TrimPrefix(p, Module+"/"), strings.TrimPrefix(d, Module+"/"), r.Why))
					}
				}
			}
		}
	}
	return out
}

// matches reports whether an import path is pattern: a path relative to
// the module (pkg/auth), a prefix with /... (pkg/...), or a full path of
// another module.
func matches(path, pattern string) bool {
	full := pattern
	if strings.HasPrefix(pattern, "pkg/") || strings.HasPrefix(pattern, "cmd/") {
		full = Module + "/" + pattern
	}
	if prefix, ok := strings.CutSuffix(full, "/..."); ok {
		return path == prefix || strings.HasPrefix(path, prefix+"/")
	}
	return path == full
}
