// Command gendocs writes one Markdown page per hybridmgmt subcommand into
// docs/cli, from the same cobra definitions the binary uses, so the pages
// cannot drift from the flags (a test checks they are current).
package main

import (
	"fmt"
	"os"

	"github.com/hybridmgmt/hybridmgmt/pkg/cmdlets"
)

func main() {
	dir := "docs/cli"
	if len(os.Args) > 1 {
		dir = os.Args[1]
	}
	if err := cmdlets.WriteMarkdownDocs(dir); err != nil {
		fmt.Fprintln(os.Stderr, "gendocs:", err)
		os.Exit(1)
	}
}
