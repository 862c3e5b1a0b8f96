// Command gendocs writes one Markdown page per hybridmgmt subcommand into
// docs/cli, from the same cobra definitions the binary uses, so the pages
// cannot drift from the flags (a test checks they are current). It lives
// here, not in pkg/cmdlets, so cobra/doc and its Markdown and YAML
// dependencies stay out of the release binary.
package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra/doc"

	"github.com/hybridmgmt/hybridmgmt/pkg/cmdlets"
)

func main() {
	dir := "docs/cli"
	if len(os.Args) > 1 {
		dir = os.Args[1]
	}
	if err := writeMarkdownDocs(dir); err != nil {
		fmt.Fprintln(os.Stderr, "gendocs:", err)
		os.Exit(1)
	}
}

// writeMarkdownDocs writes a page per command into dir. The root is built
// with a fixed version and no auto-generated date line so output is stable.
func writeMarkdownDocs(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	root := cmdlets.NewRootCmd(cmdlets.NewFactory("docs"))
	root.DisableAutoGenTag = true
	// cobra adds `completion` only when the command executes; add it now so
	// it gets a page too.
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		c.DisableAutoGenTag = true
	}
	return doc.GenMarkdownTree(root, dir)
}
