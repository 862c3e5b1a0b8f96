#Requires -Version 5.1
<#
    HybridManagement: thin PowerShell wrappers over the hybridmgmt CLI.

    Every cmdlet is an advanced function with a real param() block. The one
    private helper, Invoke-HybridMgmt, turns the bound parameters into
    --kebab-case flags from ONE table ($script:HybridParameterMap), runs the
    binary with an argument array and `--output json`, reads stdout as UTF-8
    JSON and stderr separately, and turns a non-zero exit code into an
    ErrorRecord whose category comes from $script:HybridExitCodeCategory.

    Written for Windows PowerShell 5.1 (the Exchange Management Shell) and
    pwsh 7: no ??, ?., ternaries, && or ||, no -AsHashtable, no
    ConvertFrom-Json -Depth, no reliance on $PSNativeCommandArgumentPassing.
    tools/pscheck checks this file with a PowerShell grammar in CI, and
    pkg/cmdlets/psmodule_contract_test.go checks the tables below against
    the CLI's flags and exit codes.
#>

# ---------------------------------------------------------------------------
# Parameter -> flag map: the only place where a parameter becomes a flag.
#   Command  the hybridmgmt subcommand; '*' is a global flag of every one.
#   Kind     switch    [switch]        -> --flag when present
#            string    [string]        -> --flag=value
#            path      [string]        -> --flag=<full file-system path>
#            string[]  [string[]]      -> --flag=v1 --flag=v2 ...
#            int       [int]           -> --flag=N
#            seconds   [int]           -> --flag=Ns (a Go duration)
#            username  [PSCredential]  -> --flag=<UserName>
#            secret    [PSCredential] or [SecureString] -> --flag, and the
#                      password/secret goes to the binary's stdin
#            stdin     [SecureString]  -> no flag; the value goes to stdin
#                      (the PFX password that goes with --certificate)
#            verbose   common -Verbose -> --flag ($VerbosePreference)
#            whatif    common -WhatIf  -> --flag (ShouldProcess's dry run)
#            confirm   common -Confirm -> --flag once ShouldProcess has said
#                      yes (the binary would otherwise ask, or refuse
#                      without a terminal)
# ---------------------------------------------------------------------------
$script:HybridParameterMap = @'
Command,Parameter,Flag,Kind
*,TenantId,--tenant-id,string
*,ClientId,--client-id,string
*,UserPrincipalName,--user-principal-name,string
*,Credential,--username,username
*,Credential,--password-stdin,secret
*,ClientSecret,--client-secret-stdin,secret
*,CertificatePath,--certificate,path
*,CertificatePassword,,stdin
*,DeviceCode,--device-code,switch
*,Cloud,--cloud,string
*,AuthorityHost,--authority-host,string
*,GraphEndpoint,--graph-endpoint,string
*,Proxy,--proxy,string
*,Verbose,--verbose,verbose
connect,Force,--force,switch
connect,Status,--status,switch
get-hybridagent,ConnectorGroup,--connector-group,string
get-hybridagent,MinActive,--min-active,int
get-hybridapplication,AppId,--app-id,string
new-hybridapplication,TargetUri,--target-uri,string
new-hybridapplication,AppId,--app-id,string
new-hybridapplication,ConnectorGroup,--connector-group,string
new-hybridapplication,WhatIf,--dry-run,whatif
new-hybridapplication,Force,--force,switch
update-hybridapplication,AppId,--app-id,string
update-hybridapplication,TargetUri,--target-uri,string
update-hybridapplication,WhatIf,--dry-run,whatif
update-hybridapplication,Force,--force,switch
remove-hybridapplication,AppId,--app-id,string
remove-hybridapplication,DeleteApplication,--delete-application,switch
remove-hybridapplication,WhatIf,--dry-run,whatif
remove-hybridapplication,Confirm,--yes,confirm
remove-hybridapplication,Force,--force,switch
test-hybridconnectivity,TestO365Endpoints,--test-o365-endpoints,switch
test-hybridconnectivity,ExchangeServer,--exchange-server,string[]
test-hybridconnectivity,AppId,--app-id,string
test-hybridconnectivity,TimeoutSec,--timeout,seconds
test-hybridconnectivity,Parallel,--parallel,int
test-hybridconnectivity,EndpointsFile,--endpoints-file,path
test-hybridconnectivity,LegacyList,--legacy-list,switch
test-hybridconnectivity,Strict,--strict,switch
test-hybridconnectivity,MaxDurationSec,--max-duration,seconds
test-hybridconnectivity,AsReport,--output,string
test-hybridagent,AppId,--app-id,string
test-hybridagent,ExchangeServer,--exchange-server,string[]
test-hybridagent,IisConfig,--iis-config,string[]
test-hybridagent,TimeoutSec,--timeout,seconds
test-hybridagent,Parallel,--parallel,int
test-hybridagent,MaxDurationSec,--max-duration,seconds
test-hybridagent,Strict,--strict,switch
test-hybridagent,AsReport,--output,string
'@ | ConvertFrom-Csv

# Exit code -> ErrorCategory (docs/exit-codes.md). Exit code 3 becomes
# PermissionDenied instead of AuthenticationError when the message says the
# sign-in worked but the account or app may not do this.
$script:HybridExitCodeCategory = @{
    1 = 'NotSpecified'
    2 = 'InvalidArgument'
    3 = 'AuthenticationError'
    4 = 'ObjectNotFound'
    5 = 'ConnectionError'
    6 = 'ResourceUnavailable'
    130 = 'OperationStopped'
}
$script:HybridPermissionDeniedCategory = 'PermissionDenied'
$script:HybridPermissionDeniedPattern = 'Graph returned 403|Authorization_RequestDenied|Insufficient privileges|needs a signed-in user|Forbidden'

$script:HybridFlagIndex = @{}
foreach ($hybridMapRow in $script:HybridParameterMap) {
    $hybridMapKey = $hybridMapRow.Command + '|' + $hybridMapRow.Parameter
    if (-not $script:HybridFlagIndex.ContainsKey($hybridMapKey)) {
        $script:HybridFlagIndex[$hybridMapKey] = New-Object System.Collections.Generic.List[object]
    }
    $script:HybridFlagIndex[$hybridMapKey].Add($hybridMapRow)
}
Remove-Variable -Name 'hybridMapRow', 'hybridMapKey'

# Parameters every advanced function has; never mapped to flags directly
# (-Verbose and -WhatIf reach the CLI through the preference variables).
$script:HybridCommonParameters = @(
    'Verbose', 'Debug', 'ErrorAction', 'WarningAction', 'InformationAction', 'ProgressAction',
    'ErrorVariable', 'WarningVariable', 'InformationVariable', 'OutVariable', 'OutBuffer',
    'PipelineVariable', 'WhatIf', 'Confirm'
)

# ---------------------------------------------------------------------------
# Private helpers
# ---------------------------------------------------------------------------

function Get-HybridFlagRow {
    # The map rows for one parameter of one subcommand: the subcommand's own
    # rows win over the global ('*') rows.
    param(
        [Parameter(Mandatory = $true)] [string] $Command,
        [Parameter(Mandatory = $true)] [string] $Parameter
    )
    $key = $Command + '|' + $Parameter
    if ($script:HybridFlagIndex.ContainsKey($key)) {
        return ,$script:HybridFlagIndex[$key]
    }
    $key = '*|' + $Parameter
    if ($script:HybridFlagIndex.ContainsKey($key)) {
        return ,$script:HybridFlagIndex[$key]
    }
    return $null
}

function Import-HybridCallerPreference {
    # A module function does not see preference variables a calling script
    # set in its own scope ($ErrorActionPreference = 'Stop' at the top of a
    # script, say). Copy them from the caller's session state into the
    # calling cmdlet's scope, unless the matching common parameter was given.
    param(
        [Parameter(Mandatory = $true)] [System.Management.Automation.PSCmdlet] $Cmdlet
    )
    $preferences = @{
        'ErrorActionPreference'       = 'ErrorAction'
        'WarningPreference'           = 'WarningAction'
        'InformationPreference'       = 'InformationAction'
        'VerbosePreference'           = 'Verbose'
        'DebugPreference'             = 'Debug'
        'WhatIfPreference'            = 'WhatIf'
        'ConfirmPreference'           = 'Confirm'
    }
    $bound = $Cmdlet.MyInvocation.BoundParameters
    foreach ($name in $preferences.Keys) {
        if ($bound.ContainsKey($preferences[$name])) {
            continue
        }
        $variable = $Cmdlet.SessionState.PSVariable.Get($name)
        if ($null -ne $variable) {
            # Scope 1 is the cmdlet that called this helper.
            Set-Variable -Name $name -Value $variable.Value -Scope 1 -Force -WhatIf:$false -Confirm:$false
        }
    }
}

function Get-HybridPlatform {
    # Returns 'windows-amd64', 'linux-arm64', ... for this PowerShell.
    # Windows PowerShell 5.1 has no $IsLinux/$IsMacOS: their absence means
    # Windows, so they are only read on PowerShell (Core) 6+.
    $os = 'windows'
    $arch = ''
    if ($PSVersionTable.PSEdition -eq 'Core') {
        if ($IsLinux) {
            $os = 'linux'
        }
        elseif ($IsMacOS) {
            $os = 'darwin'
        }
    }
    if ($os -eq 'windows') {
        # A 32-bit PowerShell on 64-bit Windows sees the real machine here.
        $arch = $env:PROCESSOR_ARCHITEW6432
        if (-not $arch) {
            $arch = $env:PROCESSOR_ARCHITECTURE
        }
    }
    else {
        $arch = [System.Runtime.InteropServices.RuntimeInformation]::OSArchitecture.ToString()
    }
    switch -Regex ($arch) {
        '^(AMD64|X64|x86_64)$' { $arch = 'amd64'; break }
        '^(ARM64|AArch64)$' { $arch = 'arm64'; break }
        default { $arch = ([string]$arch).ToLowerInvariant() }
    }
    return ($os + '-' + $arch)
}

function Resolve-HybridMgmtPath {
    # Binary discovery: bin/<os>-<arch>/ beside this module, then
    # $env:HYBRIDMGMT_PATH (the binary or its folder), then PATH.
    [CmdletBinding()]
    param()
    $platform = Get-HybridPlatform
    $exeName = 'hybridmgmt'
    if ($platform -like 'windows-*') {
        $exeName = 'hybridmgmt.exe'
    }
    $looked = New-Object System.Collections.Generic.List[string]

    $candidates = New-Object System.Collections.Generic.List[string]
    $candidates.Add((Join-Path (Join-Path (Join-Path $PSScriptRoot 'bin') $platform) $exeName))
    if ($platform -eq 'windows-arm64') {
        # x64 emulation runs the amd64 build on Arm64 Windows.
        $candidates.Add((Join-Path (Join-Path (Join-Path $PSScriptRoot 'bin') 'windows-amd64') $exeName))
    }
    foreach ($candidate in $candidates) {
        $looked.Add($candidate)
        if (Test-Path -LiteralPath $candidate -PathType Leaf) {
            return $candidate
        }
    }

    $fromEnv = $env:HYBRIDMGMT_PATH
    if ($fromEnv) {
        $candidate = $fromEnv
        if (Test-Path -LiteralPath $candidate -PathType Container) {
            $candidate = Join-Path $candidate $exeName
        }
        $looked.Add('HYBRIDMGMT_PATH=' + $candidate)
        if (Test-Path -LiteralPath $candidate -PathType Leaf) {
            return (Resolve-Path -LiteralPath $candidate).ProviderPath
        }
    }
    else {
        $looked.Add('HYBRIDMGMT_PATH (not set)')
    }

    $looked.Add('PATH')
    $onPath = Get-Command -Name 'hybridmgmt' -CommandType Application -ErrorAction SilentlyContinue |
        Select-Object -First 1
    if ($null -ne $onPath) {
        return $onPath.Path
    }

    $message = 'The hybridmgmt binary for ' + $platform + ' was not found. Looked in: ' +
        ($looked -join '; ') + '. Reinstall the HybridManagement zip (it carries bin/' + $platform +
        '/' + $exeName + '), or set HYBRIDMGMT_PATH to the binary.'
    $exception = New-Object System.IO.FileNotFoundException($message)
    $record = New-Object System.Management.Automation.ErrorRecord($exception, 'HybridMgmtBinaryNotFound',
        [System.Management.Automation.ErrorCategory]::ObjectNotFound, $platform)
    $PSCmdlet.ThrowTerminatingError($record)
}

function ConvertTo-HybridCommandLine {
    # Windows PowerShell 5.1 runs on .NET Framework, whose ProcessStartInfo
    # takes one command-line string. Quote each element of the argument
    # array the way the binary's runtime splits it again (the MSVC rules Go
    # follows): empty strings and embedded quotes survive, unlike
    # PowerShell 5.1's own native-command quoting.
    param(
        [Parameter(Mandatory = $true)] [AllowEmptyCollection()] [AllowEmptyString()] [string[]] $ArgumentList
    )
    $parts = New-Object System.Collections.Generic.List[string]
    foreach ($argument in $ArgumentList) {
        if ($argument.Length -gt 0 -and $argument -notmatch '[\s"]') {
            $parts.Add($argument)
            continue
        }
        $builder = New-Object System.Text.StringBuilder
        [void]$builder.Append('"')
        $backslashes = 0
        foreach ($character in $argument.ToCharArray()) {
            if ($character -eq [char]'\') {
                $backslashes++
                continue
            }
            if ($character -eq [char]'"') {
                [void]$builder.Append(('\' * (2 * $backslashes + 1)))
                [void]$builder.Append('"')
            }
            else {
                if ($backslashes -gt 0) {
                    [void]$builder.Append(('\' * $backslashes))
                }
                [void]$builder.Append($character)
            }
            $backslashes = 0
        }
        if ($backslashes -gt 0) {
            [void]$builder.Append(('\' * (2 * $backslashes)))
        }
        [void]$builder.Append('"')
        $parts.Add($builder.ToString())
    }
    return ($parts -join ' ')
}

function Write-HybridStdinSecret {
    # Writes a SecureString, then a newline, to the child's stdin as UTF-8
    # and closes stdin. The secret never becomes a managed string: it is
    # copied character by character from unmanaged memory, which is zeroed
    # and freed afterwards.
    param(
        [Parameter(Mandatory = $true)] [System.Diagnostics.Process] $Process,
        [System.Security.SecureString] $Secret
    )
    try {
        if ($null -ne $Secret) {
            $utf8 = New-Object System.Text.UTF8Encoding($false)
            $writer = New-Object System.IO.StreamWriter($Process.StandardInput.BaseStream, $utf8)
            $pointer = [IntPtr]::Zero
            try {
                $pointer = [System.Runtime.InteropServices.Marshal]::SecureStringToGlobalAllocUnicode($Secret)
                for ($i = 0; $i -lt $Secret.Length; $i++) {
                    $writer.Write([char]([System.Runtime.InteropServices.Marshal]::ReadInt16($pointer, $i * 2) -band 0xFFFF))
                }
                $writer.Write([char]10)
                $writer.Flush()
            }
            finally {
                if ($pointer -ne [IntPtr]::Zero) {
                    [System.Runtime.InteropServices.Marshal]::ZeroFreeGlobalAllocUnicode($pointer)
                }
            }
        }
    }
    catch [System.IO.IOException] {
        # The binary exited before reading stdin (bad input); its exit code
        # and stderr say why.
        Write-Verbose ('hybridmgmt closed its input early: ' + $_.Exception.Message)
    }
    finally {
        try {
            $Process.StandardInput.Close()
        }
        catch [System.IO.IOException] {
            Write-Verbose 'hybridmgmt closed its input early.'
        }
    }
}

function Start-HybridMgmtProcess {
    # Runs the binary with an argument array; returns ExitCode, Stdout (the
    # UTF-8 decoded text) and ErrorMessage (the "hybridmgmt: ..." line).
    # stderr is read line by line while the binary runs: "verbose: " lines
    # become verbose messages at once; other lines (sign-in instructions)
    # go to the host at once when -LiveStderr is set and are replayed as
    # warnings after the call otherwise.
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [string] $FilePath,
        [Parameter(Mandatory = $true)] [AllowEmptyCollection()] [AllowEmptyString()] [string[]] $ArgumentList,
        [System.Security.SecureString] $StdinSecret,
        [switch] $LiveStderr
    )
    $utf8 = New-Object System.Text.UTF8Encoding($false)
    $startInfo = New-Object System.Diagnostics.ProcessStartInfo
    $startInfo.FileName = $FilePath
    $startInfo.UseShellExecute = $false
    $startInfo.CreateNoWindow = $false
    $startInfo.RedirectStandardInput = $true
    $startInfo.RedirectStandardOutput = $true
    $startInfo.RedirectStandardError = $true
    # The stdout pipe is decoded as UTF-8 here; that replaces setting
    # [Console]::OutputEncoding around a native call on Windows PowerShell
    # 5.1 (which would decode with the console code page).
    $startInfo.StandardOutputEncoding = $utf8
    $startInfo.StandardErrorEncoding = $utf8
    $location = Get-Location -PSProvider FileSystem
    if ($null -ne $location) {
        $startInfo.WorkingDirectory = $location.ProviderPath
    }
    if ($null -ne [System.Diagnostics.ProcessStartInfo].GetProperty('ArgumentList')) {
        # .NET Core: the runtime quotes each element itself.
        foreach ($argument in $ArgumentList) {
            $startInfo.ArgumentList.Add($argument)
        }
    }
    else {
        $startInfo.Arguments = ConvertTo-HybridCommandLine -ArgumentList $ArgumentList
    }

    $process = New-Object System.Diagnostics.Process
    $process.StartInfo = $startInfo
    $errorLines = New-Object System.Collections.Generic.List[string]
    $otherLines = New-Object System.Collections.Generic.List[string]
    $started = $false
    try {
        [void]$process.Start()
        $started = $true
        # Start draining stdout before anything can block on a full pipe.
        $stdoutTask = $process.StandardOutput.ReadToEndAsync()
        Write-HybridStdinSecret -Process $process -Secret $StdinSecret
        $inError = $false
        $exitedAt = $null
        # Poll instead of a blocking ReadLine: Ctrl+C stays responsive, and a
        # process the binary started (a browser) cannot hold us on its pipe.
        $lineTask = $process.StandardError.ReadLineAsync()
        while ($true) {
            if (-not $lineTask.Wait(100)) {
                if ($process.HasExited) {
                    if ($null -eq $exitedAt) {
                        $exitedAt = [DateTime]::UtcNow
                    }
                    elseif (([DateTime]::UtcNow - $exitedAt).TotalSeconds -ge 2) {
                        break
                    }
                }
                continue
            }
            $line = $lineTask.Result
            if ($null -eq $line) {
                break
            }
            $lineTask = $process.StandardError.ReadLineAsync()
            if ($line.StartsWith('verbose: ')) {
                Write-Verbose $line.Substring(9)
                $inError = $false
            }
            elseif ($line.StartsWith('hybridmgmt: ')) {
                $errorLines.Add($line.Substring(12))
                $inError = $true
            }
            elseif ($inError) {
                $errorLines.Add($line)
            }
            elseif ($LiveStderr) {
                # Device-code and browser sign-in instructions: now, not later.
                Write-Host $line
            }
            else {
                $otherLines.Add($line)
            }
        }
        $process.WaitForExit()
        if (-not $stdoutTask.Wait(5000)) {
            throw ('hybridmgmt exited with code ' + $process.ExitCode + ' but its output stream stayed open.')
        }
        $stdout = $stdoutTask.Result
        foreach ($line in $otherLines) {
            if ($line.Trim().Length -gt 0) {
                Write-Warning $line
            }
        }
        New-Object PSObject -Property @{
            ExitCode     = $process.ExitCode
            Stdout       = $stdout
            ErrorMessage = ($errorLines -join [Environment]::NewLine)
        }
    }
    finally {
        # Ctrl+C or a terminating error: do not leave the binary running.
        if ($started -and -not $process.HasExited) {
            try {
                $process.Kill()
            }
            catch [System.InvalidOperationException] {
                Write-Verbose 'hybridmgmt had already exited.'
            }
        }
        $process.Dispose()
    }
}

function ConvertFrom-HybridJson {
    # hybridmgmt prints one JSON array. Windows PowerShell 5.1's
    # ConvertFrom-Json writes it as a single object, pwsh 7 enumerates it
    # (and writes nothing for []): assign, then enumerate the variable, and
    # both give the same flat array.
    param(
        [Parameter(Mandatory = $true)] [string] $Json
    )
    $parsed = ConvertFrom-Json -InputObject $Json
    $items = New-Object System.Collections.Generic.List[object]
    foreach ($item in $parsed) {
        if ($null -ne $item) {
            $items.Add($item)
        }
    }
    return ,$items.ToArray()
}

function New-HybridErrorRecord {
    param(
        [Parameter(Mandatory = $true)] [int] $ExitCode,
        [Parameter(Mandatory = $true)] [string] $Command,
        [AllowEmptyString()] [string] $Message,
        [object] $TargetObject
    )
    $category = 'NotSpecified'
    if ($script:HybridExitCodeCategory.ContainsKey($ExitCode)) {
        $category = $script:HybridExitCodeCategory[$ExitCode]
    }
    if ($ExitCode -eq 3 -and $Message -match $script:HybridPermissionDeniedPattern) {
        $category = $script:HybridPermissionDeniedCategory
    }
    if (-not $Message) {
        $Message = 'hybridmgmt ' + $Command + ' failed with exit code ' + $ExitCode + '.'
    }
    switch ($category) {
        'InvalidArgument' { $exception = New-Object System.ArgumentException($Message); break }
        'AuthenticationError' { $exception = New-Object System.Security.Authentication.AuthenticationException($Message); break }
        'PermissionDenied' { $exception = New-Object System.UnauthorizedAccessException($Message); break }
        'ObjectNotFound' { $exception = New-Object System.Management.Automation.ItemNotFoundException($Message); break }
        'ResourceUnavailable' { $exception = New-Object System.InvalidOperationException($Message); break }
        default { $exception = New-Object System.Exception($Message) }
    }
    $exception.Data['ExitCode'] = $ExitCode
    $record = New-Object System.Management.Automation.ErrorRecord($exception, ('HybridMgmtExitCode' + $ExitCode),
        [System.Management.Automation.ErrorCategory]$category, $TargetObject)
    if ($ExitCode -eq 3 -and $category -eq 'AuthenticationError') {
        $record.ErrorDetails = New-Object System.Management.Automation.ErrorDetails($Message)
        $record.ErrorDetails.RecommendedAction = 'Sign in with Connect-HybridManagement, or pass -UserPrincipalName, -Credential or app-only credentials.'
    }
    return $record
}

function Write-HybridError {
    # Honours -ErrorAction and the caller's $ErrorActionPreference: Stop
    # throws a terminating error with the same record; anything else writes
    # a non-terminating one.
    param(
        [Parameter(Mandatory = $true)] [System.Management.Automation.PSCmdlet] $Caller,
        [Parameter(Mandatory = $true)] [System.Management.Automation.ErrorRecord] $ErrorRecord
    )
    $action = [string]$ErrorActionPreference
    if ($Caller.MyInvocation.BoundParameters.ContainsKey('ErrorAction')) {
        $action = [string]$Caller.MyInvocation.BoundParameters['ErrorAction']
    }
    if ($action -eq 'Stop') {
        $Caller.ThrowTerminatingError($ErrorRecord)
    }
    if ($action -eq 'Ignore') {
        return
    }
    # Written through the cmdlet, so the error names Get-HybridAgent (say),
    # not this helper.
    $Caller.WriteError($ErrorRecord)
}

function Test-HybridWhatIf {
    # True when the calling cmdlet runs under -WhatIf (given, or inherited
    # through $WhatIfPreference).
    param(
        [Parameter(Mandatory = $true)] [System.Management.Automation.PSCmdlet] $Caller
    )
    $bound = $Caller.MyInvocation.BoundParameters
    if ($bound.ContainsKey('WhatIf')) {
        return [bool]$bound['WhatIf']
    }
    return [bool]$WhatIfPreference
}

function Invoke-HybridMgmt {
    # The one place the binary is called. -Parameters is the cmdlet's
    # $PSBoundParameters; each key is mapped through the table above.
    # Emits the JSON array's objects with -TypeName added, or with -DryRun
    # returns the plan objects of --dry-run.
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [string] $Command,
        [Parameter(Mandatory = $true)] [System.Management.Automation.PSCmdlet] $Caller,
        [System.Collections.IDictionary] $Parameters = @{},
        [string] $TypeName,
        [switch] $DryRun,
        [switch] $Confirmed,
        [object] $TargetObject
    )
    $exe = Resolve-HybridMgmtPath
    Test-HybridMgmtVersion -FilePath $exe

    $arguments = New-Object System.Collections.Generic.List[string]
    $arguments.Add($Command)
    # -AsReport (mapped to --output below) asks for a Markdown or HTML
    # report: the text is returned as one string instead of objects.
    $asReport = $Parameters.ContainsKey('AsReport')
    if (-not $asReport) {
        $arguments.Add('--output')
        $arguments.Add('json')
    }
    $stdinSecret = $null
    $secretParameter = $null
    foreach ($name in @($Parameters.Keys)) {
        if ($script:HybridCommonParameters -contains $name) {
            continue
        }
        $value = $Parameters[$name]
        if ($null -eq $value -or [System.Management.Automation.PSCredential]::Empty.Equals($value)) {
            continue
        }
        $rows = Get-HybridFlagRow -Command $Command -Parameter $name
        if ($null -eq $rows) {
            throw ('HybridManagement: no flag mapping for -' + $name + ' of ' + $Command + ' (module bug).')
        }
        foreach ($row in $rows) {
            switch ($row.Kind) {
                'switch' {
                    if ($value.IsPresent) {
                        $arguments.Add($row.Flag)
                    }
                }
                'string' {
                    $arguments.Add($row.Flag + '=' + [string]$value)
                }
                'path' {
                    $arguments.Add($row.Flag + '=' + $Caller.GetUnresolvedProviderPathFromPSPath([string]$value))
                }
                'string[]' {
                    foreach ($item in $value) {
                        $arguments.Add($row.Flag + '=' + [string]$item)
                    }
                }
                'int' {
                    $arguments.Add($row.Flag + '=' + ([int]$value).ToString([System.Globalization.CultureInfo]::InvariantCulture))
                }
                'seconds' {
                    $arguments.Add($row.Flag + '=' + ([int]$value).ToString([System.Globalization.CultureInfo]::InvariantCulture) + 's')
                }
                'username' {
                    $arguments.Add($row.Flag + '=' + $value.UserName)
                }
                { $_ -eq 'secret' -or $_ -eq 'stdin' } {
                    if ($null -ne $secretParameter -and $secretParameter -ne $name) {
                        $record = New-HybridErrorRecord -ExitCode 2 -Command $Command -TargetObject $name -Message (
                            'Use only one of -' + $secretParameter + ' and -' + $name + ': one secret goes to hybridmgmt on standard input.')
                        $Caller.ThrowTerminatingError($record)
                    }
                    $secretParameter = $name
                    if ($value -is [System.Management.Automation.PSCredential]) {
                        $stdinSecret = $value.Password
                    }
                    else {
                        $stdinSecret = $value
                    }
                    if ($row.Flag) {
                        $arguments.Add($row.Flag)
                    }
                }
                default {
                    throw ('HybridManagement: kind ' + $row.Kind + ' of -' + $name + ' cannot be passed (module bug).')
                }
            }
        }
    }
    if ($VerbosePreference -ne 'SilentlyContinue' -and $VerbosePreference -ne 'Ignore') {
        $arguments.Add((Get-HybridFlagRow -Command $Command -Parameter 'Verbose')[0].Flag)
    }
    if ($DryRun) {
        $arguments.Add((Get-HybridFlagRow -Command $Command -Parameter 'WhatIf')[0].Flag)
    }
    $confirmRow = Get-HybridFlagRow -Command $Command -Parameter 'Confirm'
    if ($Confirmed -and $null -ne $confirmRow) {
        $arguments.Add($confirmRow[0].Flag)
    }

    # Interactive sign-in prints its instructions on stderr; they must reach
    # the user while the binary waits.
    $live = $Command -eq 'connect' -or $Parameters.ContainsKey('UserPrincipalName') -or $Parameters.ContainsKey('DeviceCode')

    # Only flags and non-secret values are in $arguments, so showing them is safe.
    Write-Verbose ('hybridmgmt ' + ($arguments -join ' '))
    try {
        $result = Start-HybridMgmtProcess -FilePath $exe -ArgumentList $arguments.ToArray() -StdinSecret $stdinSecret -LiveStderr:$live
    }
    catch {
        # Not startable (permissions, AppLocker, a missing execute bit) or
        # not finishing its output: a terminating error that names the file.
        $reason = $_.Exception.Message
        if ($null -ne $_.Exception.InnerException) {
            $reason = $_.Exception.InnerException.Message
        }
        $message = 'Running ' + $exe + ' failed: ' + $reason
        if ((Get-HybridPlatform) -notlike 'windows-*') {
            $message = $message + ' (is it executable? chmod +x ' + $exe + ')'
        }
        $exception = New-Object System.InvalidOperationException($message, $_.Exception)
        $record = New-Object System.Management.Automation.ErrorRecord($exception, 'HybridMgmtStartFailed',
            [System.Management.Automation.ErrorCategory]::ResourceUnavailable, $exe)
        $Caller.ThrowTerminatingError($record)
    }
    finally {
        $stdinSecret = $null
    }
    $global:LASTEXITCODE = $result.ExitCode

    if ($asReport) {
        if (($result.ExitCode -eq 0 -or $result.ExitCode -eq 5) -and $result.Stdout.Length -gt 0) {
            $result.Stdout
        }
        if ($result.ExitCode -ne 0) {
            Write-HybridError -Caller $Caller -ErrorRecord (New-HybridErrorRecord -ExitCode $result.ExitCode -Command $Command -Message $result.ErrorMessage -TargetObject $TargetObject)
        }
        return
    }

    $objects = @()
    if (($result.ExitCode -eq 0 -or $result.ExitCode -eq 5) -and $result.Stdout.Trim().Length -gt 0) {
        try {
            $objects = ConvertFrom-HybridJson -Json $result.Stdout
        }
        catch {
            $exception = New-Object System.IO.InvalidDataException(('hybridmgmt ' + $Command + ' printed output that is not JSON: ' + $_.Exception.Message), $_.Exception)
            $record = New-Object System.Management.Automation.ErrorRecord($exception, 'HybridMgmtInvalidOutput',
                [System.Management.Automation.ErrorCategory]::InvalidResult, $TargetObject)
            $Caller.ThrowTerminatingError($record)
        }
    }
    if ($DryRun) {
        if ($result.ExitCode -ne 0) {
            Write-HybridError -Caller $Caller -ErrorRecord (New-HybridErrorRecord -ExitCode $result.ExitCode -Command $Command -Message $result.ErrorMessage -TargetObject $TargetObject)
            return $null
        }
        return ,$objects
    }
    foreach ($object in $objects) {
        if ($TypeName) {
            $object.PSObject.TypeNames.Insert(0, $TypeName)
        }
        $object
    }
    if ($result.ExitCode -ne 0) {
        Write-HybridError -Caller $Caller -ErrorRecord (New-HybridErrorRecord -ExitCode $result.ExitCode -Command $Command -Message $result.ErrorMessage -TargetObject $TargetObject)
    }
}

function Format-HybridPlan {
    # One line per planned change, from --dry-run's {operation, appId,
    # displayName, before, after}: what ShouldProcess shows under -WhatIf.
    # before and after name the same properties; after is null when the
    # application is deleted.
    param(
        [Parameter(Mandatory = $true)] [AllowEmptyCollection()] [object[]] $Plan
    )
    foreach ($step in $Plan) {
        $line = [string]$step.operation + ' "' + [string]$step.displayName + '" (appId ' + [string]$step.appId + ')'
        $changes = New-Object System.Collections.Generic.List[string]
        if ($null -ne $step.before) {
            foreach ($property in $step.before.PSObject.Properties) {
                $old = '(none)'
                if ($null -ne $property.Value) {
                    $old = [string]$property.Value
                }
                $new = '(none)'
                if ($null -ne $step.after -and $null -ne $step.after.PSObject.Properties[$property.Name]) {
                    $value = $step.after.PSObject.Properties[$property.Name].Value
                    if ($null -ne $value) {
                        $new = [string]$value
                    }
                }
                $changes.Add($property.Name + ': ' + $old + ' -> ' + $new)
            }
        }
        if ($null -eq $step.after) {
            $changes.Add('the application and its service principal are deleted')
        }
        if ($changes.Count -gt 0) {
            $line = $line + ': ' + ($changes -join '; ')
        }
        else {
            $line = $line + ': nothing to change'
        }
        $line
    }
}

function Invoke-HybridWrite {
    # ShouldProcess for the write cmdlets: under -WhatIf run the subcommand
    # with --dry-run and show the planned change as the "What if:" message;
    # otherwise ask (-Confirm, ConfirmImpact) and run it for real.
    param(
        [Parameter(Mandatory = $true)] [string] $Command,
        [Parameter(Mandatory = $true)] [System.Management.Automation.PSCmdlet] $Caller,
        [Parameter(Mandatory = $true)] [System.Collections.IDictionary] $Parameters,
        [Parameter(Mandatory = $true)] [string] $Target,
        [Parameter(Mandatory = $true)] [string] $Action,
        [string] $TypeName
    )
    if (Test-HybridWhatIf -Caller $Caller) {
        $plan = Invoke-HybridMgmt -Command $Command -Caller $Caller -Parameters $Parameters -DryRun -TargetObject $Target
        if ($null -eq $plan) {
            # The dry run failed; its error has been written.
            return
        }
        $lines = @(Format-HybridPlan -Plan $plan)
        if ($lines.Count -eq 0) {
            $lines = @($Action)
        }
        foreach ($line in $lines) {
            [void]$Caller.ShouldProcess($Target, $line)
        }
        return
    }
    if ($Caller.ShouldProcess($Target, $Action)) {
        Invoke-HybridMgmt -Command $Command -Caller $Caller -Parameters $Parameters -TypeName $TypeName -TargetObject $Target -Confirmed
    }
}

function Get-HybridModuleVersion {
    # The module's version: from the manifest beside this file (Microsoft's
    # documented Import-Module .\HybridManagement.psm1 skips the manifest).
    $manifest = Join-Path $PSScriptRoot 'HybridManagement.psd1'
    if (Test-Path -LiteralPath $manifest -PathType Leaf) {
        try {
            $data = Import-PowerShellDataFile -LiteralPath $manifest
            return [string]$data.ModuleVersion
        }
        catch {
            Write-Verbose ('Cannot read ' + $manifest + ': ' + $_.Exception.Message)
        }
    }
    return ''
}

function ConvertTo-HybridVersionCore {
    # '1.2.3', 'v1.2.3-rc.1+abc' -> [version]1.2.3; anything else -> $null.
    param([string] $Text)
    if ($Text -match '^v?(\d+)\.(\d+)(\.(\d+))?') {
        $build = 0
        if ($Matches[4]) {
            $build = [int]$Matches[4]
        }
        return New-Object System.Version([int]$Matches[1], [int]$Matches[2], $build)
    }
    return $null
}

$script:HybridVersionChecked = $false
function Test-HybridMgmtVersion {
    # Warns once per session when the binary and the module come from
    # different releases.
    param([Parameter(Mandatory = $true)] [string] $FilePath)
    if ($script:HybridVersionChecked) {
        return
    }
    $script:HybridVersionChecked = $true
    $moduleVersion = ConvertTo-HybridVersionCore -Text (Get-HybridModuleVersion)
    if ($null -eq $moduleVersion) {
        return
    }
    try {
        $result = Start-HybridMgmtProcess -FilePath $FilePath -ArgumentList @('version', '--output', 'json')
        if ($result.ExitCode -ne 0) {
            Write-Verbose ('hybridmgmt version failed: ' + $result.ErrorMessage)
            return
        }
        $info = ConvertFrom-HybridJson -Json $result.Stdout
        if ($info.Count -eq 0) {
            return
        }
        $binaryVersionText = [string]$info[0].version
        $binaryVersion = ConvertTo-HybridVersionCore -Text $binaryVersionText
        if ($null -eq $binaryVersion -or $binaryVersion -ne $moduleVersion) {
            Write-Warning ('hybridmgmt at ' + $FilePath + ' is version ' + $binaryVersionText + ', but the HybridManagement module is version ' +
                $moduleVersion + '. Install the module and the binary from the same release zip.')
        }
    }
    catch {
        Write-Verbose ('Cannot check the hybridmgmt version: ' + $_.Exception.Message)
    }
}

# ---------------------------------------------------------------------------
# Cmdlets
# ---------------------------------------------------------------------------

function Get-HybridAgent {
    <#
    .SYNOPSIS
    Lists the Hybrid Agents (Entra App Proxy connectors) with their connector group and status.

    .DESCRIPTION
    Runs `hybridmgmt get-hybridagent` and returns one HybridManagement.Agent object per agent:
    id, machineName, externalIp, status, version, connectorGroupId, connectorGroupName.
    Graph lists connectors only for a signed-in user with the Application Administrator or
    Global Administrator role; app-only credentials fail with an AuthenticationError.

    Without credential parameters the sign-in cached by Connect-HybridManagement is used.

    .PARAMETER Credential
    Username and password (no MFA). The password reaches hybridmgmt on standard input only.

    .PARAMETER UserPrincipalName
    Admin UPN for an interactive, MFA-capable sign-in (browser, or a device code when no browser can open).

    .PARAMETER ConnectorGroup
    Only agents in the connector group with this name.

    .PARAMETER MinActive
    Health gate: after returning the agents, write a ConnectionError when the -ConnectorGroup
    (else any group that has agents) has fewer than this many active agents (exit code 5).

    .PARAMETER TenantId
    Tenant GUID or verified domain (default: the UPN's domain).

    .PARAMETER ClientId
    Application (client) id of your own app registration (default: Microsoft Graph Command Line Tools).

    .PARAMETER Cloud
    Global, USGov, USGovDoD or China.

    .PARAMETER DeviceCode
    Sign in with a device code shown in the console.

    .PARAMETER CertificatePath
    App-only sign-in: PEM (certificate and key) or PFX file; needs -TenantId and -ClientId.

    .PARAMETER CertificatePassword
    Password of the PFX given with -CertificatePath (sent on standard input).

    .PARAMETER ClientSecret
    App-only sign-in with a client secret (sent on standard input); needs -TenantId and -ClientId.

    .PARAMETER Proxy
    Outbound proxy URL for Graph and sign-in (default: HTTPS_PROXY, then the WinHTTP proxy).

    .PARAMETER AuthorityHost
    Override the sign-in host (https://host[:port]).

    .PARAMETER GraphEndpoint
    Override the Microsoft Graph host (https://host[:port]).

    .EXAMPLE
    Get-HybridAgent -UserPrincipalName admin@contoso.com

    Signs in interactively (MFA works) and lists every agent.

    .EXAMPLE
    Get-HybridAgent -ConnectorGroup 'Default group for Exchange Online' | Where-Object status -ne 'active'

    Lists the agents of the Hybrid Configuration Wizard's group that are not active, using the cached sign-in.

    .EXAMPLE
    Get-HybridAgent -Credential (Get-Credential)

    The original module's syntax: username and password (not for MFA-enabled accounts).

    .OUTPUTS
    HybridManagement.Agent

    .LINK
    Connect-HybridManagement
    #>
    [CmdletBinding()]
    [OutputType('HybridManagement.Agent')]
    param(
        [Parameter(Position = 0)]
        [System.Management.Automation.PSCredential] $Credential,

        [Parameter(Position = 1)]
        [string] $UserPrincipalName,

        [string] $ConnectorGroup,

        [ValidateRange(1, 1000)]
        [int] $MinActive,

        [string] $TenantId,
        [string] $ClientId,
        [ValidateSet('Global', 'USGov', 'USGovDoD', 'China')]
        [string] $Cloud,
        [switch] $DeviceCode,
        [string] $CertificatePath,
        [System.Security.SecureString] $CertificatePassword,
        [System.Security.SecureString] $ClientSecret,
        [string] $Proxy,
        [string] $AuthorityHost,
        [string] $GraphEndpoint
    )
    begin {
        Import-HybridCallerPreference -Cmdlet $PSCmdlet
    }
    end {
        Invoke-HybridMgmt -Command 'get-hybridagent' -Caller $PSCmdlet -Parameters $PSBoundParameters -TypeName 'HybridManagement.Agent'
    }
}

function Get-HybridApplication {
    <#
    .SYNOPSIS
    Gets the hybrid application(s): the route <appId>.resource.mailboxmigration.his.msappproxy.net and its on-premises target.

    .DESCRIPTION
    Runs `hybridmgmt get-hybridapplication` and returns HybridManagement.Application objects with
    id, appId, displayName and the onPremisesPublishing properties at the top level (externalUrl,
    internalUrl, externalAuthenticationType, applicationServerTimeout, isOnPremPublishingEnabled, ...),
    as the original module's objects had them. Without -AppId, every hybrid application is returned.

    .PARAMETER AppId
    Application (client) id of the hybrid application. Accepts pipeline input by property name.

    .PARAMETER Credential
    Username and password (no MFA). The password reaches hybridmgmt on standard input only.

    .PARAMETER UserPrincipalName
    Admin UPN for an interactive, MFA-capable sign-in.

    .PARAMETER TenantId
    Tenant GUID or verified domain.

    .PARAMETER ClientId
    Application (client) id of your own app registration.

    .PARAMETER Cloud
    Global, USGov, USGovDoD or China.

    .PARAMETER DeviceCode
    Sign in with a device code shown in the console.

    .PARAMETER CertificatePath
    App-only sign-in: PEM or PFX file; needs -TenantId and -ClientId.

    .PARAMETER CertificatePassword
    Password of the PFX given with -CertificatePath (sent on standard input).

    .PARAMETER ClientSecret
    App-only sign-in with a client secret (sent on standard input).

    .PARAMETER Proxy
    Outbound proxy URL for Graph and sign-in.

    .PARAMETER AuthorityHost
    Override the sign-in host (https://host[:port]).

    .PARAMETER GraphEndpoint
    Override the Microsoft Graph host (https://host[:port]).

    .EXAMPLE
    Get-HybridApplication

    Lists the hybrid applications with the cached sign-in.

    .EXAMPLE
    Get-HybridApplication -appId 6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7 -credential $cred

    The original module's syntax.

    .EXAMPLE
    Get-HybridApplication -TenantId contoso.onmicrosoft.com -ClientId $appId -CertificatePath .\ci.pem | Format-List *

    App-only (CI) read of every property.

    .INPUTS
    Objects with an AppId property, such as HybridManagement.Application.

    .OUTPUTS
    HybridManagement.Application
    #>
    [CmdletBinding()]
    [OutputType('HybridManagement.Application')]
    param(
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = $true)]
        [string] $AppId,

        [Parameter(Position = 1)]
        [System.Management.Automation.PSCredential] $Credential,

        [Parameter(Position = 2)]
        [string] $UserPrincipalName,

        [string] $TenantId,
        [string] $ClientId,
        [ValidateSet('Global', 'USGov', 'USGovDoD', 'China')]
        [string] $Cloud,
        [switch] $DeviceCode,
        [string] $CertificatePath,
        [System.Security.SecureString] $CertificatePassword,
        [System.Security.SecureString] $ClientSecret,
        [string] $Proxy,
        [string] $AuthorityHost,
        [string] $GraphEndpoint
    )
    begin {
        Import-HybridCallerPreference -Cmdlet $PSCmdlet
    }
    process {
        Invoke-HybridMgmt -Command 'get-hybridapplication' -Caller $PSCmdlet -Parameters $PSBoundParameters -TypeName 'HybridManagement.Application' -TargetObject $AppId
    }
}

function New-HybridApplication {
    <#
    .SYNOPSIS
    Publishes a hybrid route to an on-premises Exchange server or load balancer.

    .DESCRIPTION
    Runs `hybridmgmt new-hybridapplication`: creates the hybrid application (or, with -AppId,
    publishes an existing one), publishes https://<appId>.resource.mailboxmigration.his.msappproxy.net
    to -TargetUri and assigns a connector group (-ConnectorGroup, else "Default group for Exchange
    Online", else the tenant's default group). Needs a signed-in user (delegated Graph call).

    -WhatIf runs the subcommand with --dry-run and shows the planned change; nothing is written.

    .PARAMETER AppId
    Publish this existing application instead of creating one (the original module's -appId).

    .PARAMETER TargetUri
    On-premises target: https URI or FQDN of the Exchange server or load balancer.

    .PARAMETER ConnectorGroup
    Connector group to assign.

    .PARAMETER Force
    Write even where a safety check refuses (outside the Global cloud, where Modern Hybrid is unsupported).

    .PARAMETER Credential
    Username and password (no MFA). The password reaches hybridmgmt on standard input only.

    .PARAMETER UserPrincipalName
    Admin UPN for an interactive, MFA-capable sign-in.

    .PARAMETER TenantId
    Tenant GUID or verified domain.

    .PARAMETER ClientId
    Application (client) id of your own public client registration.

    .PARAMETER Cloud
    Global, USGov, USGovDoD or China.

    .PARAMETER DeviceCode
    Sign in with a device code shown in the console.

    .PARAMETER CertificatePath
    App-only certificate (PEM or PFX). App-only sign-in cannot assign connector groups.

    .PARAMETER CertificatePassword
    Password of the PFX given with -CertificatePath (sent on standard input).

    .PARAMETER ClientSecret
    App-only client secret (sent on standard input).

    .PARAMETER Proxy
    Outbound proxy URL for Graph and sign-in.

    .PARAMETER AuthorityHost
    Override the sign-in host (https://host[:port]).

    .PARAMETER GraphEndpoint
    Override the Microsoft Graph host (https://host[:port]).

    .EXAMPLE
    New-HybridApplication -TargetUri exch01.contoso.local -WhatIf

    Shows what would be created, changing nothing.

    .EXAMPLE
    New-HybridApplication -TargetUri https://mail-lb.contoso.com -ConnectorGroup 'Default group for Exchange Online' -UserPrincipalName admin@contoso.com

    .EXAMPLE
    New-HybridApplication -appId 6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7 -targetUri exch01.contoso.local -credential $cred

    The original module's syntax.

    .OUTPUTS
    HybridManagement.Application
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('HybridManagement.Application')]
    param(
        [Parameter(Position = 0)]
        [string] $AppId,

        [Parameter(Mandatory = $true, Position = 1)]
        [string] $TargetUri,

        [Parameter(Position = 2)]
        [System.Management.Automation.PSCredential] $Credential,

        [Parameter(Position = 3)]
        [string] $UserPrincipalName,

        [string] $ConnectorGroup,

        [switch] $Force,

        [string] $TenantId,
        [string] $ClientId,
        [ValidateSet('Global', 'USGov', 'USGovDoD', 'China')]
        [string] $Cloud,
        [switch] $DeviceCode,
        [string] $CertificatePath,
        [System.Security.SecureString] $CertificatePassword,
        [System.Security.SecureString] $ClientSecret,
        [string] $Proxy,
        [string] $AuthorityHost,
        [string] $GraphEndpoint
    )
    begin {
        Import-HybridCallerPreference -Cmdlet $PSCmdlet
    }
    end {
        $target = $TargetUri
        $action = 'Publish a hybrid route through the Hybrid Agents'
        if ($AppId) {
            $action = $action + ' for application ' + $AppId
        }
        Invoke-HybridWrite -Command 'new-hybridapplication' -Caller $PSCmdlet -Parameters $PSBoundParameters -Target $target -Action $action -TypeName 'HybridManagement.Application'
    }
}

function Update-HybridApplication {
    <#
    .SYNOPSIS
    Retargets a hybrid route to another on-premises Exchange server or load balancer.

    .DESCRIPTION
    Runs `hybridmgmt update-hybridapplication`: sets the internalUrl of the published hybrid
    application -AppId to -TargetUri and returns the updated HybridManagement.Application.
    -WhatIf runs the subcommand with --dry-run and shows the planned change; nothing is written.

    .PARAMETER AppId
    Application id of the hybrid route. Accepts pipeline input by property name.

    .PARAMETER TargetUri
    New on-premises target: https URI or FQDN.

    .PARAMETER Force
    Write even where a safety check refuses (outside the Global cloud, where Modern Hybrid is unsupported).

    .PARAMETER Credential
    Username and password (no MFA). The password reaches hybridmgmt on standard input only.

    .PARAMETER UserPrincipalName
    Admin UPN for an interactive, MFA-capable sign-in.

    .PARAMETER TenantId
    Tenant GUID or verified domain.

    .PARAMETER ClientId
    Application (client) id of your own app registration.

    .PARAMETER Cloud
    Global, USGov, USGovDoD or China.

    .PARAMETER DeviceCode
    Sign in with a device code shown in the console.

    .PARAMETER CertificatePath
    App-only sign-in: PEM or PFX file; needs -TenantId and -ClientId.

    .PARAMETER CertificatePassword
    Password of the PFX given with -CertificatePath (sent on standard input).

    .PARAMETER ClientSecret
    App-only sign-in with a client secret (sent on standard input).

    .PARAMETER Proxy
    Outbound proxy URL for Graph and sign-in.

    .PARAMETER AuthorityHost
    Override the sign-in host (https://host[:port]).

    .PARAMETER GraphEndpoint
    Override the Microsoft Graph host (https://host[:port]).

    .EXAMPLE
    Update-HybridApplication -appId 6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7 -targetUri https://mail-lb.contoso.com -credential $cred

    The original module's syntax.

    .EXAMPLE
    Get-HybridApplication | Update-HybridApplication -TargetUri https://mail-lb.contoso.com -WhatIf

    Shows, for every hybrid application, the change from the current target to the load balancer.

    .EXAMPLE
    Update-HybridApplication 6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7 exch02.contoso.local -Confirm

    .INPUTS
    Objects with an AppId property, such as HybridManagement.Application.

    .OUTPUTS
    HybridManagement.Application
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('HybridManagement.Application')]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipelineByPropertyName = $true)]
        [string] $AppId,

        [Parameter(Mandatory = $true, Position = 1)]
        [string] $TargetUri,

        [Parameter(Position = 2)]
        [System.Management.Automation.PSCredential] $Credential,

        [Parameter(Position = 3)]
        [string] $UserPrincipalName,

        [switch] $Force,

        [string] $TenantId,
        [string] $ClientId,
        [ValidateSet('Global', 'USGov', 'USGovDoD', 'China')]
        [string] $Cloud,
        [switch] $DeviceCode,
        [string] $CertificatePath,
        [System.Security.SecureString] $CertificatePassword,
        [System.Security.SecureString] $ClientSecret,
        [string] $Proxy,
        [string] $AuthorityHost,
        [string] $GraphEndpoint
    )
    begin {
        Import-HybridCallerPreference -Cmdlet $PSCmdlet
    }
    process {
        Invoke-HybridWrite -Command 'update-hybridapplication' -Caller $PSCmdlet -Parameters $PSBoundParameters -Target ('hybrid application ' + $AppId) -Action ('Retarget to ' + $TargetUri) -TypeName 'HybridManagement.Application'
    }
}

function Remove-HybridApplication {
    <#
    .SYNOPSIS
    Unpublishes a hybrid route, and with -DeleteApplication deletes the application too.

    .DESCRIPTION
    Runs `hybridmgmt remove-hybridapplication`. Asks for confirmation (ConfirmImpact High) unless
    -Confirm:$false is given. -WhatIf runs the subcommand with --dry-run and shows the planned change.

    .PARAMETER AppId
    Application id of the hybrid route. Accepts pipeline input, also by property name.

    .PARAMETER DeleteApplication
    Also delete the application and its service principal.

    .PARAMETER Force
    Write even where a safety check refuses (outside the Global cloud, where Modern Hybrid is unsupported).

    .PARAMETER Credential
    Username and password (no MFA). The password reaches hybridmgmt on standard input only.

    .PARAMETER UserPrincipalName
    Admin UPN for an interactive, MFA-capable sign-in.

    .PARAMETER TenantId
    Tenant GUID or verified domain.

    .PARAMETER ClientId
    Application (client) id of your own app registration.

    .PARAMETER Cloud
    Global, USGov, USGovDoD or China.

    .PARAMETER DeviceCode
    Sign in with a device code shown in the console.

    .PARAMETER CertificatePath
    App-only sign-in: PEM or PFX file; needs -TenantId and -ClientId.

    .PARAMETER CertificatePassword
    Password of the PFX given with -CertificatePath (sent on standard input).

    .PARAMETER ClientSecret
    App-only sign-in with a client secret (sent on standard input).

    .PARAMETER Proxy
    Outbound proxy URL for Graph and sign-in.

    .PARAMETER AuthorityHost
    Override the sign-in host (https://host[:port]).

    .PARAMETER GraphEndpoint
    Override the Microsoft Graph host (https://host[:port]).

    .EXAMPLE
    Remove-HybridApplication -appId 6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7 -credential $cred

    The original module's syntax; asks for confirmation first.

    .EXAMPLE
    Remove-HybridApplication 6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7 -DeleteApplication -WhatIf

    .EXAMPLE
    Get-HybridApplication -AppId $id | Remove-HybridApplication -Confirm:$false

    Unattended removal (CI).

    .INPUTS
    System.String, or objects with an AppId property.
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High')]
    [OutputType([void])]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipeline = $true, ValueFromPipelineByPropertyName = $true)]
        [string] $AppId,

        [Parameter(Position = 1)]
        [System.Management.Automation.PSCredential] $Credential,

        [Parameter(Position = 2)]
        [string] $UserPrincipalName,

        [switch] $DeleteApplication,

        [switch] $Force,

        [string] $TenantId,
        [string] $ClientId,
        [ValidateSet('Global', 'USGov', 'USGovDoD', 'China')]
        [string] $Cloud,
        [switch] $DeviceCode,
        [string] $CertificatePath,
        [System.Security.SecureString] $CertificatePassword,
        [System.Security.SecureString] $ClientSecret,
        [string] $Proxy,
        [string] $AuthorityHost,
        [string] $GraphEndpoint
    )
    begin {
        Import-HybridCallerPreference -Cmdlet $PSCmdlet
    }
    process {
        $action = 'Unpublish the hybrid route'
        if ($DeleteApplication) {
            $action = 'Unpublish the hybrid route and delete the application'
        }
        Invoke-HybridWrite -Command 'remove-hybridapplication' -Caller $PSCmdlet -Parameters $PSBoundParameters -Target ('hybrid application ' + $AppId) -Action $action
    }
}

function Test-HybridConnectivity {
    <#
    .SYNOPSIS
    Tests that this machine reaches everything the Hybrid Agent, the Hybrid Configuration Wizard and Exchange need.

    .DESCRIPTION
    Runs `hybridmgmt test-hybridconnectivity` (checks run in parallel) and returns one
    HybridManagement.ConnectivityResult per check: category, name, host, port, check, status
    (Passed, Failed, Warning, Skipped), durationMs, detail, error, remediation.
    When a check fails (or warns, with -Strict) every result is returned first, then a
    ConnectionError is written. Needs no sign-in.

    .PARAMETER TestO365Endpoints
    Also test the Exchange Online endpoints (the original module's -testO365Endpoints).

    .PARAMETER ExchangeServer
    On-premises Exchange servers to test (FQDN). Accepts pipeline input by property name
    (Fqdn), e.g. from Get-ExchangeServer.

    .PARAMETER AppId
    Also test the hybrid route of this application.

    .PARAMETER Cloud
    Global, USGov, USGovDoD or China.

    .PARAMETER TimeoutSec
    Timeout of each check, in seconds.

    .PARAMETER Parallel
    How many checks run at once.

    .PARAMETER Proxy
    Proxy URL to test through.

    .PARAMETER EndpointsFile
    Read the endpoint list from this file.

    .PARAMETER LegacyList
    Test the original module's endpoint list.

    .PARAMETER Strict
    Treat warnings as failures.

    .PARAMETER MaxDurationSec
    Stop all checks after this many seconds.

    .PARAMETER AsReport
    Return a report for the network team as one string instead of objects: Markdown or Html
    (run metadata, verdict, most likely cause, firewall request, every result).

    .EXAMPLE
    Test-HybridConnectivity -testO365Endpoints

    The original module's syntax.

    .EXAMPLE
    Test-HybridConnectivity -ExchangeServer exch01.contoso.local, exch02.contoso.local -TimeoutSec 5 | Where-Object status -ne 'Passed'

    .EXAMPLE
    Get-ExchangeServer | Test-HybridConnectivity -TestO365Endpoints -ErrorAction SilentlyContinue -ErrorVariable failed

    Tests every Exchange server from the Exchange Management Shell; $failed holds the error when a check failed.

    .EXAMPLE
    Test-HybridConnectivity -AsReport Html | Set-Content -Encoding UTF8 connectivity.html

    Writes one self-contained HTML file to attach to a firewall ticket.

    .INPUTS
    Objects with an Fqdn or ExchangeServer property, such as Exchange servers.

    .OUTPUTS
    HybridManagement.ConnectivityResult
    #>
    [CmdletBinding()]
    [OutputType('HybridManagement.ConnectivityResult')]
    param(
        [switch] $TestO365Endpoints,

        [Parameter(ValueFromPipelineByPropertyName = $true)]
        [Alias('Fqdn')]
        [string[]] $ExchangeServer,

        [string] $AppId,

        [ValidateSet('Global', 'USGov', 'USGovDoD', 'China')]
        [string] $Cloud,

        [ValidateRange(1, 3600)]
        [int] $TimeoutSec,

        [ValidateRange(1, 256)]
        [int] $Parallel,

        [string] $Proxy,

        [string] $EndpointsFile,

        [switch] $LegacyList,

        [switch] $Strict,

        [ValidateRange(1, 86400)]
        [int] $MaxDurationSec,

        [ValidateSet('Markdown', 'Html')]
        [string] $AsReport
    )
    begin {
        Import-HybridCallerPreference -Cmdlet $PSCmdlet
        $servers = New-Object System.Collections.Generic.List[string]
        $parameters = @{}
    }
    process {
        # Collect piped servers; the checks run once, in parallel, at the end.
        foreach ($server in $ExchangeServer) {
            if ($server -and -not $servers.Contains($server)) {
                $servers.Add($server)
            }
        }
        foreach ($key in $PSBoundParameters.Keys) {
            if ($key -ne 'ExchangeServer') {
                $parameters[$key] = $PSBoundParameters[$key]
            }
        }
    }
    end {
        if ($servers.Count -gt 0) {
            $parameters['ExchangeServer'] = $servers.ToArray()
        }
        Invoke-HybridMgmt -Command 'test-hybridconnectivity' -Caller $PSCmdlet -Parameters $parameters -TypeName 'HybridManagement.ConnectivityResult'
    }
}

function Test-HybridAgent {
    <#
    .SYNOPSIS
    Walks the hybrid route hop by hop and names the hop that is broken.

    .DESCRIPTION
    Runs `hybridmgmt test-hybridagent` and returns one HybridManagement.ConnectivityResult per
    check, in route order: Hybrid application, Connector group, Agents, Published route, Agent to
    Exchange, Exchange server (Extended Protection, from -IisConfig) and This machine. Every result
    has a cause code when it did not pass. When a hop failed (or warned, with -Strict) every result
    is returned first, then a ConnectionError whose message is the verdict.
    Connector APIs are delegated-only: sign in as a user (cached by Connect-HybridManagement).

    .PARAMETER AppId
    The hybrid application: its GUID or its route (default: the tenant's only hybrid application).

    .PARAMETER ExchangeServer
    Exchange servers or load balancers the agent targets (default: the application's internalUrl host).

    .PARAMETER IisConfig
    Copies (or UNC paths) of Exchange servers' applicationHost.config, to check Extended Protection
    on the front-end EWS. Give full paths.

    .PARAMETER TimeoutSec
    Timeout of each network check, in seconds.

    .PARAMETER Parallel
    How many network checks run at once.

    .PARAMETER MaxDurationSec
    Stop all network checks after this many seconds.

    .PARAMETER Strict
    Treat warnings (one active agent, certificates about to expire) as failures.

    .PARAMETER AsReport
    Return a Markdown or Html report as one string instead of objects.

    .PARAMETER Credential
    Username and password (no MFA). The password reaches hybridmgmt on standard input only.

    .PARAMETER UserPrincipalName
    Admin UPN for an interactive, MFA-capable sign-in.

    .PARAMETER TenantId
    Tenant GUID or verified domain (default: the UPN's domain).

    .PARAMETER ClientId
    Application (client) id of your own app registration (default: Microsoft Graph Command Line Tools).

    .PARAMETER Cloud
    Global, USGov, USGovDoD or China.

    .PARAMETER DeviceCode
    Sign in with a device code shown in the console.

    .PARAMETER Proxy
    Outbound proxy URL for Graph, sign-in and the route checks.

    .PARAMETER AuthorityHost
    Override the sign-in host (https://host[:port]).

    .PARAMETER GraphEndpoint
    Override the Microsoft Graph host (https://host[:port]).

    .EXAMPLE
    Test-HybridAgent -UserPrincipalName admin@contoso.com

    Walks the route of the tenant's hybrid application from this agent machine.

    .EXAMPLE
    Test-HybridAgent -IisConfig '\\exch01\c$\Windows\System32\inetsrv\config\applicationHost.config' | Where-Object status -ne 'Passed'

    Also checks Extended Protection on exch01's front-end EWS and shows what did not pass.

    .EXAMPLE
    Test-HybridAgent -AsReport Html | Set-Content -Encoding UTF8 hybrid-route.html

    .OUTPUTS
    HybridManagement.ConnectivityResult
    #>
    [CmdletBinding()]
    [OutputType('HybridManagement.ConnectivityResult')]
    param(
        [string] $AppId,

        [string[]] $ExchangeServer,

        [string[]] $IisConfig,

        [ValidateRange(1, 3600)]
        [int] $TimeoutSec,

        [ValidateRange(1, 256)]
        [int] $Parallel,

        [ValidateRange(1, 86400)]
        [int] $MaxDurationSec,

        [switch] $Strict,

        [ValidateSet('Markdown', 'Html')]
        [string] $AsReport,

        [System.Management.Automation.PSCredential] $Credential,
        [string] $UserPrincipalName,
        [string] $TenantId,
        [string] $ClientId,
        [ValidateSet('Global', 'USGov', 'USGovDoD', 'China')]
        [string] $Cloud,
        [switch] $DeviceCode,
        [string] $Proxy,
        [string] $AuthorityHost,
        [string] $GraphEndpoint
    )
    begin {
        Import-HybridCallerPreference -Cmdlet $PSCmdlet
    }
    end {
        Invoke-HybridMgmt -Command 'test-hybridagent' -Caller $PSCmdlet -Parameters $PSBoundParameters -TypeName 'HybridManagement.ConnectivityResult'
    }
}

function Connect-HybridManagement {
    <#
    .SYNOPSIS
    Signs in once; later cmdlets use the cached sign-in and need no credential parameter.

    .DESCRIPTION
    Runs `hybridmgmt connect`. Without parameters a browser opens (or a device code is shown when
    no browser can open); sign-in instructions appear in the console while the sign-in waits.
    Tokens are cached per user (DPAPI-protected on Windows) until the refresh token expires.
    Returns the signed-in account: username, tenantId, cloud, authority, appOnly.

    .PARAMETER UserPrincipalName
    Admin UPN for an interactive, MFA-capable sign-in.

    .PARAMETER Credential
    Username and password (no MFA). The password reaches hybridmgmt on standard input only.

    .PARAMETER DeviceCode
    Sign in with a device code: open the URL shown on any device and enter the code.

    .PARAMETER TenantId
    Tenant GUID or verified domain; required for app-only sign-in.

    .PARAMETER ClientId
    Application (client) id; required for app-only sign-in.

    .PARAMETER CertificatePath
    App-only sign-in with a certificate: PEM (certificate and key) or PFX.

    .PARAMETER CertificatePassword
    Password of the PFX given with -CertificatePath (sent on standard input).

    .PARAMETER ClientSecret
    App-only sign-in with a client secret (sent on standard input).

    .PARAMETER Cloud
    Global, USGov, USGovDoD or China.

    .PARAMETER Proxy
    Outbound proxy URL for sign-in and Graph.

    .PARAMETER AuthorityHost
    Override the sign-in host (https://host[:port]).

    .PARAMETER GraphEndpoint
    Override the Microsoft Graph host (https://host[:port]).

    .PARAMETER Force
    Sign in again even when the cache could serve (e.g. after activating a PIM role).

    .PARAMETER Status
    Show the cached sign-in (account, tenant, cloud, how later cmdlets sign in, token expiry)
    without signing in or touching the network; fails when there is none.

    .EXAMPLE
    Connect-HybridManagement -UserPrincipalName admin@contoso.com

    Interactive sign-in with MFA; then Get-HybridAgent etc. run without credentials.

    .EXAMPLE
    Connect-HybridManagement -DeviceCode -TenantId contoso.com

    On a server without a browser: the console shows the code to enter at the sign-in URL.

    .EXAMPLE
    Connect-HybridManagement -TenantId $env:AZURE_TENANT_ID -ClientId $env:AZURE_CLIENT_ID -CertificatePath C:\ci\hybrid.pfx -CertificatePassword $pfxPassword

    App-only sign-in for unattended jobs.

    .OUTPUTS
    HybridManagement.Account
    #>
    [CmdletBinding()]
    [OutputType('HybridManagement.Account')]
    param(
        [Parameter(Position = 0)]
        [string] $UserPrincipalName,

        [System.Management.Automation.PSCredential] $Credential,
        [switch] $DeviceCode,
        [string] $TenantId,
        [string] $ClientId,
        [string] $CertificatePath,
        [System.Security.SecureString] $CertificatePassword,
        [System.Security.SecureString] $ClientSecret,
        [ValidateSet('Global', 'USGov', 'USGovDoD', 'China')]
        [string] $Cloud,
        [string] $Proxy,
        [string] $AuthorityHost,
        [string] $GraphEndpoint,
        [switch] $Force,
        [switch] $Status
    )
    begin {
        Import-HybridCallerPreference -Cmdlet $PSCmdlet
    }
    end {
        Invoke-HybridMgmt -Command 'connect' -Caller $PSCmdlet -Parameters $PSBoundParameters -TypeName 'HybridManagement.Account'
    }
}

function Disconnect-HybridManagement {
    <#
    .SYNOPSIS
    Signs out: removes the cached tokens of hybridmgmt.

    .DESCRIPTION
    Runs `hybridmgmt disconnect`, which deletes this user's token cache. Later cmdlets need a
    credential parameter or Connect-HybridManagement again.

    .EXAMPLE
    Disconnect-HybridManagement

    .EXAMPLE
    Disconnect-HybridManagement -WhatIf
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Low')]
    [OutputType([void])]
    param()
    begin {
        Import-HybridCallerPreference -Cmdlet $PSCmdlet
    }
    end {
        if ($PSCmdlet.ShouldProcess('hybridmgmt token cache', 'Remove the cached sign-in')) {
            Invoke-HybridMgmt -Command 'disconnect' -Caller $PSCmdlet -Parameters $PSBoundParameters
        }
    }
}

# ---------------------------------------------------------------------------
# Load time
# ---------------------------------------------------------------------------

# Microsoft's documented usage, Import-Module .\HybridManagement.psm1, skips
# the manifest and its FormatsToProcess: load the views here, once.
$hybridFormatFile = Join-Path $PSScriptRoot 'HybridManagement.format.ps1xml'
if ((Test-Path -LiteralPath $hybridFormatFile -PathType Leaf) -and
    $null -eq (Get-FormatData -TypeName 'HybridManagement.Application' -ErrorAction SilentlyContinue)) {
    try {
        Update-FormatData -PrependPath $hybridFormatFile -ErrorAction Stop
    }
    catch {
        Write-Warning ('HybridManagement: cannot load ' + $hybridFormatFile + ': ' + $_.Exception.Message)
    }
}
Remove-Variable -Name 'hybridFormatFile'

# Warn now, not at the first cmdlet, when binary and module differ.
try {
    Test-HybridMgmtVersion -FilePath (Resolve-HybridMgmtPath -ErrorAction Stop)
}
catch {
    # No binary yet: every cmdlet reports where it looked.
    $script:HybridVersionChecked = $false
}

Export-ModuleMember -Function @(
    'Get-HybridAgent',
    'Get-HybridApplication',
    'New-HybridApplication',
    'Update-HybridApplication',
    'Remove-HybridApplication',
    'Test-HybridConnectivity',
    'Test-HybridAgent',
    'Connect-HybridManagement',
    'Disconnect-HybridManagement'
)
