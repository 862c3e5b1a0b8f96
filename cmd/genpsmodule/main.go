// Command genpsmodule writes the PowerShell module (module/HybridManagement.psm1,
// .psd1 and .format.ps1xml) from the cobra command tree, the annotations in
// annotations.go and the hand-written runtime module/src/Runtime.ps1, so
// the cmdlets cannot drift from the CLI's flags (a test checks the
// committed files are current). It fails, naming them, on commands and
// flags the annotations do not cover.
//
//	go run ./cmd/genpsmodule [module-dir]
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hybridmgmt/hybridmgmt/pkg/cmdlets"
)

func main() {
	dir := "module"
	if len(os.Args) > 1 {
		dir = os.Args[1]
	}
	files, err := generate(filepath.Join(dir, "src", "Runtime.ps1"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "genpsmodule:", err)
		os.Exit(1)
	}
	for _, name := range sortedKeys(files) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(files[name]), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "genpsmodule:", err)
			os.Exit(1)
		}
	}
}

// generate returns the module's files by name.
func generate(runtimePath string) (map[string]string, error) {
	runtime, err := os.ReadFile(runtimePath)
	if err != nil {
		return nil, err
	}
	m, err := buildModel(cmdlets.NewRootCmd(cmdlets.NewFactory("docs")), cmdletNotes, flags, signInSets)
	if err != nil {
		return nil, err
	}
	psm1 := renderPSM1(m, strings.ReplaceAll(string(runtime), "\r\n", "\n"))
	format, err := renderFormat(views)
	if err != nil {
		return nil, err
	}
	files := map[string]string{
		"HybridManagement.psm1":          psm1,
		"HybridManagement.psd1":          renderPSD1(m),
		"HybridManagement.format.ps1xml": format,
	}
	for name, text := range files {
		for i, r := range text {
			if r > 0x7e || (r < 0x20 && r != '\n') {
				line := strings.Count(text[:i], "\n") + 1
				return nil, fmt.Errorf("%s:%d: character %U: keep the module ASCII (Windows PowerShell 5.1 reads BOM-less files as ANSI)", name, line, r)
			}
		}
	}
	return files, nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
