#
# Module manifest for HybridManagement. `make dist` stamps ModuleVersion (and
# Prerelease) from the build's VERSION; the source tree carries the
# development version.
#
@{
    RootModule           = 'HybridManagement.psm1'
    ModuleVersion        = '0.1.0'
    GUID                 = '5a0c9d3e-7b1f-4c55-9f0e-2f6d8e4b1a27'
    Author               = 'hybridmgmt contributors'
    CompanyName          = 'hybridmgmt'
    Copyright            = '(c) hybridmgmt contributors. MIT License.'
    Description          = 'Manage the Microsoft Hybrid Agent (Exchange hybrid, Entra App Proxy) from Windows PowerShell 5.1 and PowerShell 7: thin wrappers over the hybridmgmt CLI, compatible with the cmdlets of Microsoft''s HybridManagement.psm1.'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Desktop', 'Core')
    FormatsToProcess     = @('HybridManagement.format.ps1xml')
    FunctionsToExport    = @(
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
    CmdletsToExport      = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags       = @('Exchange', 'Hybrid', 'HybridAgent', 'AppProxy', 'Entra', 'PSEdition_Desktop', 'PSEdition_Core', 'Windows', 'Linux', 'MacOS')
            Prerelease = ''
        }
    }
}
