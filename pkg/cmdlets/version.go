package cmdlets

import (
	"fmt"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/hybridmgmt/hybridmgmt/pkg/output"
)

// VersionInfo is what `version -o json` prints.
type VersionInfo struct {
	Version   string `json:"version"`
	GoVersion string `json:"goVersion"`
	Platform  string `json:"platform"`
}

// NewCmdVersion prints the build version; the PowerShell module compares it
// with its own ModuleVersion. It needs no sign-in and reads no settings
// beyond -o, so it stays fast (every cmdlet call is a process start).
func NewCmdVersion(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the hybridmgmt version",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return printVersion(f)
		},
	}
}

// printVersion serves both `hybridmgmt version` and `hybridmgmt --version`.
func printVersion(f *Factory) error {
	s, err := f.Settings()
	if err != nil {
		return err
	}
	v := VersionInfo{Version: f.Version, GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	return output.Print(f.IO.Out, s.Output, []VersionInfo{v}, func() output.TableData {
		return output.TableData{Footer: []string{fmt.Sprintf("hybridmgmt %s (%s, %s)", v.Version, v.GoVersion, v.Platform)}}
	})
}
