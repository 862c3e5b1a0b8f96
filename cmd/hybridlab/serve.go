package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/hybridmgmt/hybridmgmt/pkg/labtenant"
)

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("hybridlab serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		opts      labtenant.Options
		readyFile string
		quiet     bool
		mfaUsers  []string
	)
	fs.StringVar(&opts.Dir, "dir", ".lab", "lab directory: ca.pem, state.json, credential files, env")
	fs.StringVar(&opts.Addr, "addr", "127.0.0.1:0", "loopback listen address (port 0 picks a free one)")
	fs.StringVar(&readyFile, "ready-file", "", "write the lab URL to this file once listening")
	fs.BoolVar(&quiet, "quiet", false, "do not log requests on stderr")
	fs.Func("latency", "delay every request by this duration (e.g. 200ms)", func(v string) error {
		d, err := time.ParseDuration(v)
		if err != nil {
			return err
		}
		opts.Faults = append(opts.Faults, labtenant.Fault{Kind: labtenant.FaultLatency, Delay: labtenant.Duration(d)})
		return nil
	})
	fs.Func("fault", "add a fault rule, repeatable: kind[,path=/beta/...,method=GET,count=N,skip=N,status=429,retry-after=1,delay=2s,size-mb=20,gzip=true,aadsts=50076,error=code,message=text,target=URL,endpoint=token,value=text]\n"+
		"kinds: latency status malformed truncate drop stall oversize nextlink-loop reject-expand reject-expand-blank token-error redirect discovery-endpoints access-token device-code", func(v string) error {
		f, err := labtenant.ParseFault(v)
		if err != nil {
			return err
		}
		opts.Faults = append(opts.Faults, f)
		return nil
	})
	fs.Func("token-lifetime", "access token lifetime (default 1h; under 5m makes MSAL refresh on every silent call)", func(v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return fmt.Errorf("want a positive duration such as 60s")
		}
		opts.Settings.TokenLifetime = labtenant.Duration(d)
		return nil
	})
	fs.IntVar(&opts.Settings.PageSize, "page-size", 0, "largest page of /applications (default 2)")
	fs.IntVar(&opts.Settings.ConnectorPageSize, "connector-page-size", 0, "largest page of connector collections (default 1)")
	fs.Func("device-code-lifetime", "how long a device code stays valid (default 15m, as in Entra)", func(v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Second {
			return fmt.Errorf("want a duration of at least 1s such as 90s")
		}
		opts.Settings.DeviceCodeLifetime = labtenant.Duration(d)
		return nil
	})
	fs.IntVar(&opts.Settings.DeviceCodePolls, "device-code-polls", 0, "polls answered authorization_pending before auto-approval; -1 waits for POST /devicelogin")
	fs.StringVar(&opts.Settings.DefaultUser, "default-user", "", "user for interactive sign-in without login_hint and for auto-approved device codes (default "+labtenant.AdminUPN+")")
	fs.BoolVar(&opts.Settings.PublishingOnlyByPath, "publishing-only-by-path", false, "serve onPremisesPublishing only at /applications/{id}/onPremisesPublishing")
	fs.IntVar(&opts.Settings.ReplicationMisses, "replication-misses", 0, "requests on a just-created application that answer 404 (default 2, negative for none)")
	fs.BoolVar(&opts.Settings.HostileText, "hostile-text", false, "append terminal escapes and bidi controls to the device-code message and Graph error messages")
	fs.Func("require-mfa", "make this user require MFA (ROPC fails with AADSTS50076), repeatable", func(v string) error {
		mfaUsers = append(mfaUsers, v)
		return nil
	})
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "hybridlab serve: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if !quiet {
		opts.Logf = func(format string, a ...any) { fmt.Fprintf(stderr, format+"\n", a...) }
	}

	srv, err := labtenant.New(opts)
	if err != nil {
		fmt.Fprintf(stderr, "hybridlab: %v\n", err)
		return 1
	}
	defer srv.Close()
	yes := true
	for _, u := range mfaUsers {
		if err := srv.UpdateUser(labtenant.UserUpdate{UPN: u, RequiresMFA: &yes}); err != nil {
			fmt.Fprintf(stderr, "hybridlab: --require-mfa: %v\n", err)
			return 2
		}
	}
	envPath, err := srv.WriteEnvFile()
	if err != nil {
		fmt.Fprintf(stderr, "hybridlab: writing env file: %v\n", err)
		return 1
	}
	// stdout is valid shell: comments, then the export lines.
	fmt.Fprintf(stdout, "# hybridlab listening on %s (tenant %s, %s)\n", srv.URL(), labtenant.TenantID, labtenant.TenantDomain)
	fmt.Fprintf(stdout, "# CA certificate: %s\n", srv.CAPath())
	fmt.Fprintf(stdout, "# credentials: files in %s (never printed); environment also in %s\n", srv.Dir(), envPath)
	fmt.Fprintf(stdout, "# back to a real tenant in this shell: %s\n", srv.UnsetLine())
	for _, l := range srv.EnvLines() {
		fmt.Fprintln(stdout, l)
	}
	if readyFile != "" {
		if err := writeReady(readyFile, srv.URL()); err != nil {
			fmt.Fprintf(stderr, "hybridlab: --ready-file: %v\n", err)
			return 1
		}
	}
	<-ctx.Done()
	fmt.Fprintln(stderr, "hybridlab: stopping")
	return 0
}

// writeReady writes the file in one rename so a script polling for it
// never reads half a URL.
func writeReady(path, url string) error {
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp"+strconv.Itoa(os.Getpid()))
	if err := os.WriteFile(tmp, []byte(url+"\n"), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
