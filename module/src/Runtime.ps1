# HybridManagement runtime, the module's one hand-written file: go run ./cmd/genpsmodule
# puts it between the generated tables and the generated cmdlets, which call only
# Initialize-HybridCmdlet, Add-HybridPipelineInput, Get-HybridShouldProcessPlan and
# Invoke-HybridCmdlet. Windows PowerShell 5.1 and pwsh 7; the binary runs through
# System.Diagnostics.Process, never the native-command layer. Checked by tools/pscheck
# and cmd/genpsmodule/runtime_test.go.

# ---------------------------------------------------------------------------
# Import-time requirements
# ---------------------------------------------------------------------------

# AppLocker/WDAC put untrusted modules in ConstrainedLanguage, which forbids
# the Process and Marshal calls below: say so once, at import.
if ($ExecutionContext.SessionState.LanguageMode -ne 'FullLanguage') {
    throw ('HybridManagement needs FullLanguage mode, but this session runs the module in ' +
        $ExecutionContext.SessionState.LanguageMode + ' (AppLocker or WDAC application control). ' +
        'Install a signed release under $env:ProgramFiles\WindowsPowerShell\Modules (a path the policy trusts), ' +
        'or ask your administrator to allow the module''s signer.')
}

# Go binaries need Windows 10 / Windows Server 2016 (NT 10.0) or later.
if ([System.Environment]::OSVersion.Platform -eq [System.PlatformID]::Win32NT -and
    [System.Environment]::OSVersion.Version -lt (New-Object System.Version(10, 0))) {
    throw ('HybridManagement needs Windows 10 or Windows Server 2016 or later; this is Windows ' +
        [System.Environment]::OSVersion.Version + '. Run it from a newer machine that reaches the same tenant ' +
        '(Test-HybridConnectivity must run on the agent or Exchange server itself).')
}

# Common parameters are never flags (-Verbose, -WhatIf and -Confirm reach the
# CLI through the preference variables): the engine says which they are, so a
# future one (as -ProgressAction was in 7.4) needs no change here.
$script:HybridCommonParameters = @([System.Management.Automation.Cmdlet]::CommonParameters) +
    @([System.Management.Automation.Cmdlet]::OptionalCommonParameters)

# ---------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------

function ConvertTo-HybridErrorRecord {
    # One ErrorRecord for a failed call. -Report is the CLI's JSON error line
    # ({"error":{exitCode, category, code, message, hint, ...}},
    # docs/exit-codes.md); its category is used when the table allows it for
    # the exit code. No message text is ever parsed.
    param(
        [Parameter(Mandatory = $true)] [int] $ExitCode,
        [Parameter(Mandatory = $true)] [string] $Command,
        [object] $Report,
        [AllowEmptyString()] [string] $Message,
        [object] $TargetObject,
        [string] $ErrorId
    )
    $category = 'NotSpecified'
    foreach ($row in $script:HybridExitCategory) {
        if ([int]$row.ExitCode -eq $ExitCode) {
            $category = $row.Category
            if ($null -ne $Report -and $row.Alternative -and [string]$Report.category -eq $row.Alternative) {
                $category = $row.Alternative
            }
        }
    }
    if ($null -ne $Report -and $Report.message) { $Message = [string]$Report.message }
    if (-not $Message) { $Message = 'hybridmgmt ' + $Command + ' failed with exit code ' + $ExitCode + '.' }
    if (-not $ErrorId) { $ErrorId = 'HybridMgmtExitCode' + $ExitCode }
    $exception = New-Object -TypeName $script:HybridCategoryException[$category] -ArgumentList $Message
    $exception.Data['ExitCode'] = $ExitCode
    $hint = ''
    if ($null -ne $Report) {
        foreach ($field in @('code', 'requestId', 'clientRequestId')) {
            if ($Report.$field) { $exception.Data[$field] = [string]$Report.$field }
        }
        $hint = [string]$Report.hint
    }
    if (-not $hint -and $category -eq 'AuthenticationError') {
        $hint = 'Sign in with Connect-HybridManagement, or pass -UserPrincipalName, -Credential or app-only credentials.'
    }
    $record = New-Object System.Management.Automation.ErrorRecord($exception, $ErrorId,
        [System.Management.Automation.ErrorCategory]$category, $TargetObject)
    if ($hint) {
        $record.ErrorDetails = New-Object System.Management.Automation.ErrorDetails($Message)
        $record.ErrorDetails.RecommendedAction = $hint
    }
    return $record
}

function Get-HybridInternalError {
    # A failure of the module itself or of its installation: thrown, and so
    # terminating whatever -ErrorAction says (the cmdlets run their own
    # logic under 'Stop').
    param([string] $Message, [string] $ErrorId, [string] $Category, [object] $TargetObject, [System.Exception] $Inner)
    $exception = New-Object System.InvalidOperationException($Message, $Inner)
    return New-Object System.Management.Automation.ErrorRecord($exception, $ErrorId,
        [System.Management.Automation.ErrorCategory]$Category, $TargetObject)
}

# ---------------------------------------------------------------------------
# The binary
# ---------------------------------------------------------------------------

function Get-HybridPlatform {
    # 'windows-amd64', 'linux-arm64', ... Windows PowerShell 5.1 has no
    # $IsLinux/$IsMacOS: their absence means Windows.
    $os = 'windows'
    if ($PSVersionTable.PSEdition -eq 'Core') {
        if ($IsLinux) { $os = 'linux' } elseif ($IsMacOS) { $os = 'darwin' }
    }
    if ($os -eq 'windows') {
        # A 32-bit PowerShell on 64-bit Windows sees the real machine here.
        $arch = $env:PROCESSOR_ARCHITEW6432
        if (-not $arch) { $arch = $env:PROCESSOR_ARCHITECTURE }
    } else { $arch = [System.Runtime.InteropServices.RuntimeInformation]::OSArchitecture.ToString() }
    $arch = ([string]$arch).ToLowerInvariant() -replace '^(x64|x86_64)$', 'amd64' -replace '^aarch64$', 'arm64'
    return ($os + '-' + $arch)
}

function Resolve-HybridMgmtPath {
    # $env:HYBRIDMGMT_PATH (the binary or its folder) wins; then
    # bin/<os>-<arch>/ beside this module; then PATH, where on Windows only
    # hybridmgmt.exe counts (a .cmd shim would re-parse the arguments).
    $platform = Get-HybridPlatform
    $exeName = 'hybridmgmt'
    if ($platform -like 'windows-*') { $exeName = 'hybridmgmt.exe' }
    $looked = New-Object System.Collections.Generic.List[string]
    if ($env:HYBRIDMGMT_PATH) {
        $candidate = $env:HYBRIDMGMT_PATH
        if (Test-Path -LiteralPath $candidate -PathType Container) { $candidate = Join-Path $candidate $exeName }
        if (Test-Path -LiteralPath $candidate -PathType Leaf) { return (Resolve-Path -LiteralPath $candidate).ProviderPath }
        $looked.Add('HYBRIDMGMT_PATH=' + $candidate)
    }
    $folders = @($platform)
    if ($platform -eq 'windows-arm64') {
        $folders += 'windows-amd64' # x64 emulation runs the amd64 build
    }
    foreach ($folder in $folders) {
        $candidate = Join-Path (Join-Path (Join-Path $PSScriptRoot 'bin') $folder) $exeName
        if (Test-Path -LiteralPath $candidate -PathType Leaf) { return $candidate }
        $looked.Add($candidate)
    }
    $onPath = Get-Command -Name $exeName -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    if ($null -ne $onPath) { return $onPath.Path }
    $looked.Add($exeName + ' on PATH')
    throw (Get-HybridInternalError -ErrorId 'HybridMgmtBinaryNotFound' -Category 'ObjectNotFound' -TargetObject $platform -Message (
            'The hybridmgmt binary for ' + $platform + ' was not found. Looked in: ' + ($looked -join '; ') +
            '. Reinstall the HybridManagement zip (it carries bin/' + $platform + '/' + $exeName + '), or set HYBRIDMGMT_PATH to the binary.'))
}

function ConvertTo-HybridCommandLine {
    # .NET Framework's ProcessStartInfo takes one command-line string: quote
    # each argument the way the binary's runtime splits it again (the MSVC
    # rules Go follows), so empty strings and embedded quotes survive.
    param([Parameter(Mandatory = $true)] [AllowEmptyCollection()] [AllowEmptyString()] [string[]] $ArgumentList)
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
            if ($character -eq [char]'"') { [void]$builder.Append(('\' * (2 * $backslashes + 1))) } elseif ($backslashes -gt 0) { [void]$builder.Append(('\' * $backslashes)) }
            [void]$builder.Append($character)
            $backslashes = 0
        }
        [void]$builder.Append(('\' * (2 * $backslashes)))
        [void]$builder.Append('"')
        $parts.Add($builder.ToString())
    }
    return ($parts -join ' ')
}

function Test-HybridSecretLineBreak {
    # True when the secret holds CR or LF (the CLI reads one line), read
    # from unmanaged memory without making a string.
    param([Parameter(Mandatory = $true)] [System.Security.SecureString] $Secret)
    $pointer = [System.Runtime.InteropServices.Marshal]::SecureStringToGlobalAllocUnicode($Secret)
    try {
        for ($i = 0; $i -lt $Secret.Length; $i++) {
            $code = [System.Runtime.InteropServices.Marshal]::ReadInt16($pointer, $i * 2)
            if ($code -eq 10 -or $code -eq 13) { return $true }
        }
        return $false
    } finally { [System.Runtime.InteropServices.Marshal]::ZeroFreeGlobalAllocUnicode($pointer) }
}

function Write-HybridStdinSecret {
    # Writes the secret and a newline to the child's stdin as UTF-8 bytes,
    # then closes stdin. The characters go from unmanaged memory into one
    # pre-allocated char buffer and one byte buffer, both cleared afterwards;
    # no string and no StreamWriter buffer ever holds them.
    param(
        [Parameter(Mandatory = $true)] [System.Diagnostics.Process] $Process,
        [System.Security.SecureString] $Secret
    )
    $stream = $Process.StandardInput.BaseStream
    try {
        if ($null -ne $Secret) {
            $length = $Secret.Length
            $chars = New-Object char[] ($length + 1)
            $bytes = New-Object byte[] (3 * ($length + 1))
            $pointer = [System.Runtime.InteropServices.Marshal]::SecureStringToGlobalAllocUnicode($Secret)
            try {
                [System.Runtime.InteropServices.Marshal]::Copy($pointer, $chars, 0, $length)
                $chars[$length] = [char]10
                $count = (New-Object System.Text.UTF8Encoding($false)).GetBytes($chars, 0, $length + 1, $bytes, 0)
                $stream.Write($bytes, 0, $count)
                $stream.Flush()
            } finally {
                [System.Runtime.InteropServices.Marshal]::ZeroFreeGlobalAllocUnicode($pointer)
                [System.Array]::Clear($chars, 0, $chars.Length)
                [System.Array]::Clear($bytes, 0, $bytes.Length)
            }
        }
    } catch [System.IO.IOException] {
        # The binary exited before reading stdin; its exit code says why.
        Write-Verbose ('hybridmgmt closed its input early: ' + $_.Exception.Message)
    } finally {
        try { $Process.StandardInput.Close() } catch [System.IO.IOException] { Write-Verbose 'hybridmgmt closed its input early.' }
    }
}

function Test-HybridHostConsole {
    # The ISE and other hosts without a console cannot answer KeyAvailable;
    # a console program started from them opens a window unless told not to.
    try {
        [void][System.Console]::KeyAvailable
        return $true
    } catch { return $false }
}

function Invoke-HybridMgmtProcess {
    # Runs the binary; returns ExitCode, Stdout, Report (the parsed JSON
    # error line), ErrorMessage (the "hybridmgmt: ..." lines) and Crashed.
    # stderr is read while the binary runs: "verbose: " -> Write-Verbose,
    # "progress: n/m text" -> Write-Progress, "warning: " -> Write-Warning,
    # a Go panic -> Write-Debug only; other lines (sign-in instructions)
    # reach the host at once with -LiveStderr, else become warnings.
    param(
        [Parameter(Mandatory = $true)] [string] $FilePath,
        [Parameter(Mandatory = $true)] [AllowEmptyCollection()] [AllowEmptyString()] [string[]] $ArgumentList,
        [System.Security.SecureString] $StdinSecret,
        [switch] $LiveStderr,
        [string] $Activity = 'hybridmgmt'
    )
    $utf8 = New-Object System.Text.UTF8Encoding($false)
    $startInfo = New-Object System.Diagnostics.ProcessStartInfo
    $startInfo.FileName = $FilePath
    $startInfo.UseShellExecute = $false
    $startInfo.CreateNoWindow = -not (Test-HybridHostConsole)
    $startInfo.RedirectStandardInput = $true
    $startInfo.RedirectStandardOutput = $true
    $startInfo.RedirectStandardError = $true
    $startInfo.StandardOutputEncoding = $utf8
    $startInfo.StandardErrorEncoding = $utf8
    $startInfo.EnvironmentVariables['HYBRIDMGMT_PROGRESS'] = '1'
    $location = Get-Location -PSProvider FileSystem
    if ($null -ne $location) { $startInfo.WorkingDirectory = $location.ProviderPath }
    if ($null -ne [System.Diagnostics.ProcessStartInfo].GetProperty('ArgumentList')) {
        foreach ($argument in $ArgumentList) {
            $startInfo.ArgumentList.Add($argument) # .NET Core quotes each element itself
        }
    } else { $startInfo.Arguments = ConvertTo-HybridCommandLine -ArgumentList $ArgumentList }
    $process = New-Object System.Diagnostics.Process
    $process.StartInfo = $startInfo
    $errorLines = New-Object System.Collections.Generic.List[string]
    $otherLines = New-Object System.Collections.Generic.List[string]
    $crashLines = New-Object System.Collections.Generic.List[string]
    $errorReport = $null
    $crashed = $false
    $inError = $false
    $progressShown = $false
    $started = $false
    try {
        [void]$process.Start()
        $started = $true
        $stdoutTask = $process.StandardOutput.ReadToEndAsync() # before anything can block on a full pipe
        Write-HybridStdinSecret -Process $process -Secret $StdinSecret
        $exitedAt = $null
        # Poll, so Ctrl+C stays responsive and a browser the binary started
        # cannot hold us on its inherited pipe.
        $lineTask = $process.StandardError.ReadLineAsync()
        while ($true) {
            if (-not $lineTask.Wait(100)) {
                if ($process.HasExited) {
                    if ($null -eq $exitedAt) { $exitedAt = [DateTime]::UtcNow } elseif (([DateTime]::UtcNow - $exitedAt).TotalSeconds -ge 2) { break }
                }
                continue
            }
            $line = $lineTask.Result
            if ($null -eq $line) { break }
            $lineTask = $process.StandardError.ReadLineAsync()
            if ($crashed -or $line.StartsWith('panic: ') -or $line.StartsWith('fatal error: ')) {
                $crashed = $true # a Go crash: its stack is for -Debug, never warnings
                $crashLines.Add($line)
            } elseif ($line.StartsWith('{"error":')) {
                $errorReport = (ConvertFrom-Json -InputObject $line).error
                $inError = $false
            } elseif ($line.StartsWith('verbose: ')) {
                Write-Verbose $line.Substring(9)
                $inError = $false
            } elseif ($line.StartsWith('progress: ')) {
                # "progress: done/total text"
                $counts = $line.Substring(10).Split(' ')[0].Split('/') + @('0', '0')
                $done = $counts[0] -as [int]
                $total = $counts[1] -as [int]
                $percent = -1
                if ($done -ge 0 -and $total -gt 0) { $percent = [Math]::Min(100, [int](100 * $done / $total)) }
                Write-Progress -Activity $Activity -Status $line.Substring(10) -PercentComplete $percent
                $progressShown = $true
            } elseif ($line.StartsWith('warning: ')) {
                Write-Warning $line.Substring(9)
                $inError = $false
            } elseif ($line.StartsWith('hybridmgmt: ')) {
                $errorLines.Add($line.Substring(12))
                $inError = $true
            } elseif ($inError) { $errorLines.Add($line) } elseif ($LiveStderr) {
                # Device-code and browser sign-in instructions: now, on the
                # host itself, even when the output is captured.
                $Host.UI.WriteLine($line)
            } elseif ($line.Trim().Length -gt 0) { $otherLines.Add($line) }
        }
        $process.WaitForExit()
        if (-not $stdoutTask.Wait(5000)) {
            throw ('hybridmgmt exited with code ' + $process.ExitCode + ' but its output stream stayed open.')
        }
        foreach ($line in $otherLines) { Write-Warning $line }
        if ($crashed) {
            Write-Debug ($crashLines -join [Environment]::NewLine) # once: -Debug asks per message in 5.1
        }
        New-Object PSObject -Property @{
            ExitCode     = $process.ExitCode
            Stdout       = $stdoutTask.Result
            Report       = $errorReport
            ErrorMessage = ($errorLines -join [Environment]::NewLine)
            Crashed      = $crashed
        }
    } finally {
        if ($progressShown) { Write-Progress -Activity $Activity -Completed }
        # Ctrl+C or a terminating error: do not leave the binary running.
        if ($started -and -not $process.HasExited) {
            try { $process.Kill() } catch [System.InvalidOperationException] { Write-Verbose 'hybridmgmt had already exited.' }
        }
        $process.Dispose()
    }
}

function ConvertFrom-HybridJson {
    # hybridmgmt prints one JSON array. Windows PowerShell 5.1's
    # ConvertFrom-Json writes it as one object, pwsh 7 enumerates it:
    # enumerate the variable, and both give the same flat array.
    param([Parameter(Mandatory = $true)] [string] $Json)
    $parsed = ConvertFrom-Json -InputObject $Json
    $items = New-Object System.Collections.Generic.List[object]
    foreach ($item in $parsed) {
        if ($null -ne $item) { $items.Add($item) }
    }
    return , $items.ToArray()
}

# ---------------------------------------------------------------------------
# One cmdlet call
# ---------------------------------------------------------------------------

function Initialize-HybridCmdlet {
    # The state of one cmdlet call. Copies the caller's preference variables
    # into the cmdlet's scope (a module does not see a calling script's
    # $ErrorActionPreference = 'Stop'), and remembers the caller's error
    # action for the cmdlet's own error: the cmdlet then runs under 'Stop'.
    param(
        [Parameter(Mandatory = $true)] [System.Management.Automation.PSCmdlet] $Cmdlet,
        [Parameter(Mandatory = $true)] [string] $Command,
        [string] $TypeName,
        [string[]] $Target = @(),
        [string] $TargetText,
        [string] $Action,
        [hashtable] $ActionIf = @{},
        [string] $Collect
    )
    $preferences = @{
        'ErrorActionPreference' = 'ErrorAction'
        'WarningPreference'     = 'WarningAction'
        'InformationPreference' = 'InformationAction'
        'VerbosePreference'     = 'Verbose'
        'DebugPreference'       = 'Debug'
        'WhatIfPreference'      = 'WhatIf'
        'ConfirmPreference'     = 'Confirm'
        'ProgressPreference'    = 'ProgressAction'
    }
    $bound = $Cmdlet.MyInvocation.BoundParameters
    $errorAction = 'Continue'
    foreach ($name in $preferences.Keys) {
        if ($bound.ContainsKey($preferences[$name])) { continue }
        $variable = $Cmdlet.SessionState.PSVariable.Get($name)
        if ($null -ne $variable) {
            Set-Variable -Name $name -Value $variable.Value -Scope 1 -Force -WhatIf:$false -Confirm:$false
            if ($name -eq 'ErrorActionPreference' -and [string]$variable.Value -ne 'Ignore') {
                $errorAction = [string]$variable.Value
            }
        }
    }
    return @{
        Cmdlet      = $Cmdlet
        Command     = $Command
        TypeName    = $TypeName
        Target      = $Target
        TargetText  = $TargetText
        Action      = $Action
        ActionIf    = $ActionIf
        Collect     = $Collect
        Collected   = @{}
        CollectList = New-Object System.Collections.Generic.List[string]
        ErrorAction = $errorAction
        Error       = $null
    }
}

function Add-HybridPipelineInput {
    # Collects piped values of the -Collect parameter; the CLI runs once,
    # in the end block, over all of them.
    param([Parameter(Mandatory = $true)] [hashtable] $Call, [Parameter(Mandatory = $true)] [System.Collections.IDictionary] $Parameters)
    foreach ($key in $Parameters.Keys) {
        if ($key -ne $Call.Collect) { $Call.Collected[$key] = $Parameters[$key] }
    }
    foreach ($value in @($Parameters[$Call.Collect])) {
        if ($value -and -not $Call.CollectList.Contains([string]$value)) { $Call.CollectList.Add([string]$value) }
    }
    if ($Call.CollectList.Count -gt 0) { $Call.Collected[$Call.Collect] = $Call.CollectList.ToArray() }
}

function Get-HybridFlagRow {
    # The map rows of one parameter: the subcommand's own, else the global.
    param([string] $Command, [string] $Parameter)
    foreach ($scope in @($Command, '*')) {
        $rows = @($script:HybridParameterMap | Where-Object { $_.Command -eq $scope -and $_.Parameter -eq $Parameter })
        if ($rows.Count -gt 0) { return , $rows }
    }
    return $null
}

function Get-HybridTarget {
    # The app id or host the call acts on: the first -Target parameter given.
    param([hashtable] $Call, [System.Collections.IDictionary] $Parameters)
    foreach ($name in $Call.Target) {
        if ($Parameters.ContainsKey($name) -and $Parameters[$name]) {
            $value = @($Parameters[$name])
            if ($value.Count -eq 1) { return [string]$value[0] }
            return [string[]]$value
        }
    }
    return $null
}

function ConvertTo-HybridArgumentList {
    # Bound parameters -> arguments through the map; returns Arguments,
    # Secret (for stdin) and Error (an invalid value, as an ErrorRecord).
    param(
        [Parameter(Mandatory = $true)] [hashtable] $Call,
        [Parameter(Mandatory = $true)] [System.Collections.IDictionary] $Parameters,
        [switch] $DryRun,
        [switch] $Confirmed
    )
    $command = $Call.Command
    $arguments = New-Object System.Collections.Generic.List[string]
    $arguments.AddRange([string[]]@($command, '--output', 'json'))
    $result = @{ Arguments = $arguments; Secret = $null; Error = $null; Report = $false }
    foreach ($name in @($Parameters.Keys)) {
        if ($script:HybridCommonParameters -contains $name) { continue }
        $value = $Parameters[$name]
        if ($null -eq $value -or [System.Management.Automation.PSCredential]::Empty.Equals($value)) { continue }
        $rows = Get-HybridFlagRow -Command $command -Parameter $name
        if ($null -eq $rows) { throw ('HybridManagement: no flag mapping for -' + $name + ' of ' + $command + ' (module bug).') }
        foreach ($row in $rows) {
            switch ($row.Kind) {
                'switch' {
                    if ($value.IsPresent) { $arguments.Add($row.Flag) }
                }
                'string' { $arguments.Add($row.Flag + '=' + [string]$value) }
                'report' {
                    # -AsReport: the text report replaces the JSON (--output json).
                    $arguments[2] = ([string]$value).ToLowerInvariant()
                    $result.Report = $true
                }
                'path' {
                    $provider = $null
                    $drive = $null
                    try {
                        $path = $Call.Cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath([string]$value, [ref]$provider, [ref]$drive)
                    } catch { $provider = $null }
                    if ($null -eq $provider -or $provider.Name -ne 'FileSystem') {
                        $result.Error = ConvertTo-HybridErrorRecord -ExitCode 2 -Command $command -TargetObject ([string]$value) -ErrorId 'HybridMgmtNotAFile' -Message (
                            '-' + $name + ' must be a file-system path; ' + [string]$value + ' is not. Export the certificate to a PFX or PEM file first.')
                        return $result
                    }
                    $arguments.Add($row.Flag + '=' + $path)
                }
                'string[]' {
                    foreach ($item in $value) { $arguments.Add($row.Flag + '=' + [string]$item) }
                }
                'int' { $arguments.Add($row.Flag + '=' + ([int]$value).ToString([System.Globalization.CultureInfo]::InvariantCulture)) }
                'seconds' { $arguments.Add($row.Flag + '=' + ([int]$value).ToString([System.Globalization.CultureInfo]::InvariantCulture) + 's') }
                'username' { $arguments.Add($row.Flag + '=' + $value.UserName) }
                { $_ -eq 'secret' -or $_ -eq 'stdin' } {
                    # One per call: the generator keeps secrets in separate parameter sets.
                    $secret = $value
                    if ($value -is [System.Management.Automation.PSCredential]) { $secret = $value.Password }
                    if (Test-HybridSecretLineBreak -Secret $secret) {
                        $result.Error = ConvertTo-HybridErrorRecord -ExitCode 2 -Command $command -TargetObject $name -Message (
                            'The value of -' + $name + ' contains a line break; hybridmgmt reads one line from standard input.')
                        return $result
                    }
                    $result.Secret = $secret
                    if ($row.Flag) { $arguments.Add($row.Flag) }
                }
                default { throw ('HybridManagement: kind ' + $row.Kind + ' of -' + $name + ' cannot be passed (module bug).') }
            }
        }
    }
    $extra = @()
    if ($VerbosePreference -ne 'SilentlyContinue' -and $VerbosePreference -ne 'Ignore') { $extra += 'Verbose' }
    if ($DryRun) { $extra += 'WhatIf' }
    if ($Confirmed) { $extra += 'Confirm' }
    foreach ($name in $extra) {
        $rows = Get-HybridFlagRow -Command $command -Parameter $name
        if ($null -ne $rows) { $arguments.Add($rows[0].Flag) }
    }
    return $result
}

function Invoke-HybridCmdlet {
    # Runs the subcommand for one call: emits the JSON array's objects with
    # the call's TypeName (or, with -DryRun, returns the plan objects), and
    # leaves the CLI's failure in $Call.Error for the cmdlet to write.
    param(
        [Parameter(Mandatory = $true)] [hashtable] $Call,
        [Parameter(Mandatory = $true)] [System.Collections.IDictionary] $Parameters,
        [switch] $DryRun,
        [switch] $Confirmed
    )
    $target = Get-HybridTarget -Call $Call -Parameters $Parameters
    $built = ConvertTo-HybridArgumentList -Call $Call -Parameters $Parameters -DryRun:$DryRun -Confirmed:$Confirmed
    if ($null -ne $built.Error) {
        $Call.Error = $built.Error
        return
    }
    $exe = Resolve-HybridMgmtPath
    Test-HybridMgmtVersion -FilePath $exe
    # Interactive sign-in prints its instructions on stderr while it waits.
    $live = $Call.Command -eq 'connect' -or $Parameters.ContainsKey('UserPrincipalName') -or $Parameters.ContainsKey('DeviceCode')
    # Secrets are never arguments; a proxy's userinfo is hidden all the same.
    $shown = foreach ($argument in $built.Arguments) {
        $argument -replace '://[^/@\s]+@', '://***@'
    }
    Write-Verbose ('hybridmgmt ' + ($shown -join ' '))
    try {
        $result = Invoke-HybridMgmtProcess -FilePath $exe -ArgumentList $built.Arguments.ToArray() -StdinSecret $built.Secret -LiveStderr:$live -Activity ('hybridmgmt ' + $Call.Command)
    } catch {
        # Not startable (permissions, a missing execute bit) or not ending its output.
        $reason = $_.Exception.Message
        if ($null -ne $_.Exception.InnerException) { $reason = $_.Exception.InnerException.Message }
        $message = 'Running ' + $exe + ' failed: ' + $reason
        if ((Get-HybridPlatform) -notlike 'windows-*') { $message = $message + ' (is it executable? chmod +x ' + $exe + ')' }
        throw (Get-HybridInternalError -ErrorId 'HybridMgmtStartFailed' -Category 'ResourceUnavailable' -TargetObject $exe -Message $message -Inner $_.Exception)
    }
    $global:LASTEXITCODE = $result.ExitCode # the automatic variable scripts test, as after a native command
    $objects = @()
    if ($built.Report) {
        $objects = @($result.Stdout | Where-Object { $_.Length -gt 0 }) # one string, emitted as is
    } elseif ($result.Stdout.Trim().Length -gt 0) {
        try { $objects = ConvertFrom-HybridJson -Json $result.Stdout } catch {
            throw (Get-HybridInternalError -ErrorId 'HybridMgmtInvalidOutput' -Category 'InvalidResult' -TargetObject $target -Inner $_.Exception -Message (
                    'hybridmgmt ' + $Call.Command + ' printed output that is not JSON: ' + $_.Exception.Message))
        }
    }
    if ($result.ExitCode -ne 0) {
        if ($result.Crashed) {
            $Call.Error = ConvertTo-HybridErrorRecord -ExitCode 1 -Command $Call.Command -TargetObject $target -ErrorId 'HybridMgmtCrashed' -Message (
                'hybridmgmt ' + $Call.Command + ' crashed (exit code ' + $result.ExitCode + '). This is a bug: run the command again with -Debug and report the output.')
        } else {
            $Call.Error = ConvertTo-HybridErrorRecord -ExitCode $result.ExitCode -Command $Call.Command -Report $result.Report -Message $result.ErrorMessage -TargetObject $target
        }
    }
    if ($DryRun) {
        if ($result.ExitCode -eq 0) { return , $objects }
        return
    }
    foreach ($object in $objects) {
        if ($Call.TypeName -and -not $built.Report) { $object.PSObject.TypeNames.Insert(0, $Call.TypeName) }
        $object
    }
}

function Format-HybridPlan {
    # One line per planned change of --dry-run's {operation, appId,
    # displayName, before, after}: the "What if:" message. after is null
    # when the application is deleted.
    param([Parameter(Mandatory = $true)] [AllowEmptyCollection()] [object[]] $Plan)
    foreach ($step in $Plan) {
        $line = [string]$step.operation + ' "' + [string]$step.displayName + '" (appId ' + [string]$step.appId + ')'
        $changes = New-Object System.Collections.Generic.List[string]
        if ($null -ne $step.before) {
            foreach ($property in $step.before.PSObject.Properties) {
                $old = '(none)'
                if ($null -ne $property.Value) { $old = [string]$property.Value }
                $new = '(none)'
                if ($null -ne $step.after -and $null -ne $step.after.PSObject.Properties[$property.Name]) {
                    $value = $step.after.PSObject.Properties[$property.Name].Value
                    if ($null -ne $value) { $new = [string]$value }
                }
                $changes.Add($property.Name + ': ' + $old + ' -> ' + $new)
            }
        }
        if ($null -eq $step.after) { $changes.Add('the application and its service principal are deleted') }
        if ($changes.Count -gt 0) { $line + ': ' + ($changes -join '; ') } else { $line + ': nothing to change' }
    }
}

function Get-HybridShouldProcessPlan {
    # What the cmdlet's ShouldProcess calls show. Under -WhatIf a subcommand
    # with --dry-run runs it, and each planned change becomes one "What if:"
    # line; otherwise one line, the action (with -Confirm, the question).
    param([Parameter(Mandatory = $true)] [hashtable] $Call, [Parameter(Mandatory = $true)] [System.Collections.IDictionary] $Parameters)
    $target = Get-HybridTarget -Call $Call -Parameters $Parameters
    if ($null -eq $target) { $target = $Call.TargetText }
    $action = $Call.Action
    foreach ($name in $Call.ActionIf.Keys) {
        if ($Parameters.ContainsKey($name) -and $Parameters[$name]) { $action = $Call.ActionIf[$name] }
    }
    $whatIf = [bool]$WhatIfPreference
    if ($Call.Cmdlet.MyInvocation.BoundParameters.ContainsKey('WhatIf')) {
        $whatIf = [bool]$Call.Cmdlet.MyInvocation.BoundParameters['WhatIf']
    }
    $lines = @($action)
    if ($whatIf -and $null -ne (Get-HybridFlagRow -Command $Call.Command -Parameter 'WhatIf')) {
        $plan = Invoke-HybridCmdlet -Call $Call -Parameters $Parameters -DryRun
        $lines = @()
        if ($null -ne $plan) {
            $lines = @(Format-HybridPlan -Plan $plan)
            if ($lines.Count -eq 0) { $lines = @($action) }
        }
    }
    return New-Object PSObject -Property @{ Target = ([string]($target -join ', ')); Lines = $lines; WhatIf = $whatIf }
}

# ---------------------------------------------------------------------------
# Versions and load time
# ---------------------------------------------------------------------------

$script:HybridVersionChecked = $false
function Test-HybridMgmtVersion {
    # Warns once per session when the binary and the module come from
    # different releases (the module's version is in the manifest beside it).
    param([Parameter(Mandatory = $true)] [string] $FilePath)
    if ($script:HybridVersionChecked) { return }
    $script:HybridVersionChecked = $true
    try {
        $manifest = Join-Path $PSScriptRoot 'HybridManagement.psd1'
        if (-not (Test-Path -LiteralPath $manifest -PathType Leaf)) { return }
        $moduleVersion = [string](Import-PowerShellDataFile -LiteralPath $manifest).ModuleVersion
        $result = Invoke-HybridMgmtProcess -FilePath $FilePath -ArgumentList @('version', '--output', 'json')
        $info = @(ConvertFrom-HybridJson -Json $result.Stdout)
        if ($result.ExitCode -ne 0 -or $info.Count -eq 0) { return }
        # Compare N.N.N: 'v1.2.3-rc.1+abc' is 1.2.3.
        $binaryVersionText = [string]$info[0].version
        if ((($binaryVersionText -replace '^v', '') -split '[-+]')[0] -ne $moduleVersion) {
            Write-Warning ('hybridmgmt at ' + $FilePath + ' is version ' + $binaryVersionText + ', but the HybridManagement module is version ' +
                $moduleVersion + '. Install the module and the binary from the same release zip.')
        }
    } catch { Write-Verbose ('Cannot check the hybridmgmt version: ' + $_.Exception.Message) }
}

# Import-Module .\HybridManagement.psm1 (Microsoft's documented usage) skips
# the manifest and its FormatsToProcess: load the views here, once.
$hybridFormatFile = Join-Path $PSScriptRoot 'HybridManagement.format.ps1xml'
if ((Test-Path -LiteralPath $hybridFormatFile -PathType Leaf) -and
    $null -eq (Get-FormatData -TypeName 'HybridManagement.Application' -ErrorAction SilentlyContinue)) {
    try { Update-FormatData -PrependPath $hybridFormatFile -ErrorAction Stop } catch { Write-Warning ('HybridManagement: cannot load ' + $hybridFormatFile + ': ' + $_.Exception.Message) }
}
Remove-Variable -Name 'hybridFormatFile'

# Warn now, not at the first cmdlet, when binary and module differ.
try { Test-HybridMgmtVersion -FilePath (Resolve-HybridMgmtPath) } catch {
    $script:HybridVersionChecked = $false # no binary yet: every cmdlet says where it looked
}
