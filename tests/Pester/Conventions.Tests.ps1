# Conventions every cmdlet of the module must follow, checked on the BUILT module (out/JailsModule).
# PSScriptAnalyzer is not available, so its rules that matter here are checked with the AST.
BeforeDiscovery {
    Import-Module $env:JAILSMODULE_TEST_MODULE -Force
    # Verbs that only read, or change only the session: no SupportsShouldProcess needed.
    #   Connect/Disconnect choose the host of the session; Enter opens an interactive shell in a jail;
    #   Invoke runs a command the user typed in a jail (like Invoke-Command, which has no -WhatIf).
    $nonChangingVerbs = 'Get', 'Test', 'Find', 'Search', 'Resolve', 'Measure', 'Compare', 'Show', 'Read',
        'Watch', 'Wait', 'Select', 'ConvertTo', 'ConvertFrom', 'Connect', 'Disconnect', 'Enter', 'Exit', 'Invoke'
    # Verbs that destroy data: ConfirmImpact High and a -Force parameter. (Clear is not among them:
    # Clear-JailSimulatorFault only forgets injected test faults, like Clear-Variable.)
    $destructiveVerbs = 'Remove', 'Uninstall'
    # Verbs whose cmdlets always write objects, so they must declare [OutputType].
    $outputVerbs = 'Get', 'New', 'Find', 'Search', 'Test', 'Measure', 'Resolve', 'Compare', 'ConvertTo', 'ConvertFrom'
    $script:cmdlets = @(Get-Command -Module JailsModule -CommandType Cmdlet | Sort-Object Name | ForEach-Object {
            @{
                Name        = $_.Name
                Changing    = $_.Verb -notin $nonChangingVerbs
                Destructive = $_.Verb -in $destructiveVerbs
                WritesObjects = $_.Verb -in $outputVerbs -or $_.Parameters.ContainsKey('PassThru')
                # Acts on existing jails by name: deserialized jails must bind by property name.
                ActsOnJails = $_.Noun -eq 'Jail' -and $_.Verb -ne 'New' -and $_.Parameters.ContainsKey('Name')
            }
        })
    $repo = (Resolve-Path (Join-Path $PSScriptRoot '../..')).ProviderPath
    # Our own scripts: the build, the help generator, examples, benchmarks and tests.
    $script:scripts = @(
        Get-ChildItem $repo -Filter '*.ps1' -File
        foreach ($d in 'build', 'examples', 'bench', 'tests') {
            $p = Join-Path $repo $d
            if (Test-Path $p) { Get-ChildItem $p -Filter '*.ps1' -File -Recurse }
        }
    ) | Where-Object { $_.FullName -notmatch '[\\/](bin|obj|out)[\\/]' } |
        ForEach-Object { @{ Path = $_.FullName; Name = [System.IO.Path]::GetRelativePath($repo, $_.FullName) } }
}

BeforeAll {
    Import-Module $env:JAILSMODULE_TEST_MODULE -Force
    $script:repo = (Resolve-Path (Join-Path $PSScriptRoot '../..')).ProviderPath
    $script:moduleDir = Split-Path $env:JAILSMODULE_TEST_MODULE
    [xml] $script:format = Get-Content (Join-Path $moduleDir 'JailsModule.Format.ps1xml') -Raw
    $script:skipParams = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters

    function script:Get-CmdletAttribute([string] $Name) {
        (Get-Command $Name).ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $true) | Select-Object -First 1
    }
    function script:Get-OwnParameter([string] $Name) {
        @((Get-Command $Name).Parameters.Values | Where-Object { $_.Name -notin $skipParams })
    }
    # PSUseSingularNouns, approximately: the last word of a PascalCase name is not an English plural.
    function script:Test-PluralWord([string] $Identifier) {
        $last = ([regex]::Matches($Identifier, '[A-Z0-9][a-z0-9]*|[a-z0-9]+') | Select-Object -Last 1).Value
        if ($null -eq $last -or $last.Length -lt 3) { return $false }
        $singularEndingInS = 'Status', 'Alias', 'Address', 'Process', 'Access', 'Class', 'Bus', 'Series', 'Analysis', 'Os', 'Dns'
        if ($last -in $singularEndingInS) { return $false }
        return $last -cmatch '[^su]s$' -and $last -cnotmatch '(ss|us|is|fs)$'
    }
}

Describe 'Cmdlet <Name>' -ForEach $cmdlets {
    BeforeAll {
        $cmd = Get-Command $Name
        $attr = Get-CmdletAttribute $Name
        $own = Get-OwnParameter $Name
        $help = Get-Help $Name -Full
    }

    It 'uses an approved verb' {
        $cmd.Verb | Should -BeIn @(Get-Verb | ForEach-Object Verb)
    }

    It 'has a singular noun that starts with Jail' {
        $cmd.Noun | Should -BeLike 'Jail*'
        Test-PluralWord $cmd.Noun | Should -BeFalse -Because "nouns are singular (PSUseSingularNouns): $($cmd.Noun)"
    }

    It 'supports ShouldProcess because its verb changes state' -ForEach @(if ($Changing) { @{ Name = $Name } }) -AllowNullOrEmptyForEach {
        $attr.SupportsShouldProcess | Should -BeTrue -Because "$Name changes state"
        $cmd.Parameters.Keys | Should -Contain 'WhatIf'
    }

    It 'asks for confirmation (ConfirmImpact High) and has -Force because its verb destroys' -ForEach @(if ($Destructive) { @{ Name = $Name } }) -AllowNullOrEmptyForEach {
        $attr.ConfirmImpact | Should -Be ([System.Management.Automation.ConfirmImpact]::High)
        $cmd.Parameters.Keys | Should -Contain 'Force'
    }

    It 'keeps ConfirmImpact High for destructive verbs only' -ForEach @(if (-not $Destructive) { @{ Name = $Name } }) -AllowNullOrEmptyForEach {
        $attr.ConfirmImpact | Should -Not -Be ([System.Management.Automation.ConfirmImpact]::High) -Because 'so that -Confirm prompts mean something'
    }

    It 'declares [OutputType] because it writes objects' -ForEach @(if ($WritesObjects) { @{ Name = $Name } }) -AllowNullOrEmptyForEach {
        @($cmd.OutputType | Where-Object Name -NE 'System.Void') | Should -Not -BeNullOrEmpty -Because "$Name writes objects (Get/New verb or -PassThru)"
    }

    It 'names its output types in the help OUTPUTS (None when it declares none)' {
        # [OutputType(typeof(void))] says "nothing", like no attribute.
        $declared = @($cmd.OutputType | ForEach-Object Name | Where-Object { $_ -ne 'System.Void' })
        $helpOutputs = @($help.returnValues.returnValue | ForEach-Object { $_.type.name.Trim() })
        if ($declared.Count -eq 0) { $helpOutputs | Should -Be @('None') }
        foreach ($t in $declared) { $helpOutputs | Should -Contain $t -Because "the help of $Name must name its output type" }
    }

    It 'has a table view for each of its output types, also for their deserialized form' {
        $viewed = @($format.Configuration.ViewDefinitions.View | Where-Object { $_.TableControl } | ForEach-Object { $_.ViewSelectedBy.TypeName })
        foreach ($t in @($cmd.OutputType | ForEach-Object { $_.Type } | Where-Object { $_ -and $_.Namespace -like 'JailsModule*' })) {
            $viewed | Should -Contain $t.FullName
            $viewed | Should -Contain "Deserialized.$($t.FullName)" -Because 'objects from remoting or Import-Clixml must look the same'
        }
    }

    It 'has no parameter named with a plural noun' {
        $plural = @($own | Where-Object { Test-PluralWord $_.Name } | ForEach-Object Name)
        $plural | Should -BeNullOrEmpty
    }

    It 'takes -Name from the pipeline by property name because it acts on existing jails' -ForEach @(if ($ActsOnJails) { @{ Name = $Name } }) -AllowNullOrEmptyForEach {
        $byProp = @($cmd.Parameters['Name'].ParameterSets.Values | Where-Object ValueFromPipelineByPropertyName)
        $byProp | Should -Not -BeNullOrEmpty -Because 'deserialized jails (remoting, Import-Clixml) bind by property name'
    }

    It 'takes Jail objects from the pipeline through -InputObject because it acts on existing jails' -ForEach @(if ($ActsOnJails -and $Name -notlike 'Get-*') { @{ Name = $Name } }) -AllowNullOrEmptyForEach {
        $cmd.Parameters.Keys | Should -Contain 'InputObject'
        $p = $cmd.Parameters['InputObject']
        $p.ParameterType.FullName | Should -BeIn @('JailsModule.Model.Jail', 'JailsModule.Model.Jail[]')
        @($p.ParameterSets.Values | Where-Object ValueFromPipeline) | Should -Not -BeNullOrEmpty
    }

    It 'has complete help: synopsis, description, at least 2 examples (the first a pipeline), every parameter described' {
        $h = $help
        $h.Synopsis | Should -Not -BeNullOrEmpty
        $h.Synopsis.Trim() | Should -Not -BeLike "$Name *" -Because 'a synopsis equal to the syntax means no help was found'
        ($h.description | ForEach-Object Text) -join '' | Should -Not -BeNullOrEmpty
        $examples = @($h.examples.example)
        $examples.Count | Should -BeGreaterOrEqual 2
        $examples[0].code | Should -Match '\|' -Because 'the first example is a pipeline'
        foreach ($e in $examples) { ($e.remarks | ForEach-Object Text) -join '' | Should -Not -BeNullOrEmpty -Because "$($e.title) needs an explanation" }
        $helpParams = @($h.parameters.parameter | Where-Object { $null -ne $_ })
        $expected = @($own | ForEach-Object Name) + @(if ($attr.SupportsShouldProcess) { 'WhatIf', 'Confirm' })
        @($helpParams | ForEach-Object Name | Sort-Object) | Should -Be @($expected | Sort-Object)
        foreach ($p in $helpParams) {
            ($p.description | ForEach-Object Text) -join '' | Should -Not -BeNullOrEmpty -Because "-$($p.name) needs a description"
        }
    }

    It 'has help whose syntax comes from its metadata' {
        $h = $help
        $sets = @($h.syntax.syntaxItem)
        $sets.Count | Should -Be @($cmd.ParameterSets).Count
        foreach ($p in $own) {
            $hp = $h.parameters.parameter | Where-Object name -EQ $p.Name
            $t = $p.ParameterType
            if ([Nullable]::GetUnderlyingType($t)) { $t = [Nullable]::GetUnderlyingType($t) }
            if (-not $t.IsGenericType) { $hp.type.name | Should -Be $t.Name }
            $rows = @($p.ParameterSets.Values)
            $hp.required | Should -Be ([string](@($rows | Where-Object { -not $_.IsMandatory }).Count -eq 0)).ToLowerInvariant()
            $wild = @($p.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] }).Count -gt 0
            $hp.globbing | Should -Be ([string]$wild).ToLowerInvariant()
        }
    }

    It 'has docs/help/<Name>.md' {
        Join-Path $repo "docs/help/$Name.md" | Should -Exist
    }
}

Describe 'Module manifest and layout' {
    BeforeAll {
        $manifest = Import-PowerShellDataFile $env:JAILSMODULE_TEST_MODULE
        $assembly = (Get-Command Get-Jail).ImplementingType.Assembly
        $dllCmdlets = @($assembly.GetExportedTypes() | Where-Object { -not $_.IsAbstract } | ForEach-Object {
                $a = $_.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false) | Select-Object -First 1
                if ($a) { "$($a.VerbName)-$($a.NounName)" }
            } | Sort-Object)
    }

    It 'exports exactly the [Cmdlet] types of JailsModule.dll' {
        $dllCmdlets | Should -Not -BeNullOrEmpty
        @($manifest.CmdletsToExport | Sort-Object) | Should -Be $dllCmdlets
        @(Get-Command -Module JailsModule -CommandType Cmdlet | ForEach-Object Name | Sort-Object) | Should -Be $dllCmdlets
    }

    It 'exports no functions, variables or aliases by wildcard' {
        @($manifest.FunctionsToExport) | Should -Not -Contain '*'
        @($manifest.VariablesToExport) | Should -Not -Contain '*'
        @($manifest.AliasesToExport) | Should -Not -Contain '*'
    }

    It 'targets PowerShell 7.4 Core and loads its format and types files' {
        @($manifest.CompatiblePSEditions) | Should -Be @('Core')
        $manifest.PowerShellVersion | Should -Be '7.4'
        $manifest.FormatsToProcess | Should -Contain 'JailsModule.Format.ps1xml'
        foreach ($f in @($manifest.FormatsToProcess) + @($manifest.TypesToProcess)) { Join-Path $moduleDir $f | Should -Exist }
        $manifest.RootModule | Should -Be 'JailsModule.dll'
    }

    It 'ships the MAML help and the about topic, and no System.Management.Automation.dll' {
        Join-Path $moduleDir 'en-US/JailsModule.dll-Help.xml' | Should -Exist
        Join-Path $moduleDir 'en-US/about_JailsModule.help.txt' | Should -Exist
        Join-Path $moduleDir 'CliWrap.dll' | Should -Exist
        @(Get-ChildItem $moduleDir -Recurse -Filter 'System.Management.Automation.dll') | Should -BeNullOrEmpty
    }

    It 'has no markdown help for a cmdlet it does not export' {
        $docs = @(Get-ChildItem (Join-Path $repo 'docs/help') -Filter '*-*.md' | ForEach-Object BaseName | Sort-Object)
        $docs | Should -Be $dllCmdlets
    }

    It 'shows the about_JailsModule topic' {
        $text = Get-Help about_JailsModule | Out-String
        $text | Should -Match 'SHORT DESCRIPTION'
        $text | Should -Match 'VNET'
        $text | Should -Match 'Set-JailSimulatorFault'
    }
}

Describe 'Script <Name> follows the analyzer rules' -ForEach $scripts {
    BeforeAll {
        $tokens = $null; $errors = $null
        $ast = [System.Management.Automation.Language.Parser]::ParseFile($Path, [ref]$tokens, [ref]$errors)
        $aliases = @{}
        foreach ($a in Get-Alias) { $aliases[$a.Name] = $a.Definition }
    }

    It 'parses' {
        @($errors | ForEach-Object { "$($_.Extent.StartLineNumber): $($_.Message)" }) | Should -BeNullOrEmpty
    }

    It 'calls no command by an alias (PSAvoidUsingCmdletAliases)' {
        $used = @($ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.CommandAst] }, $true) |
                ForEach-Object { $_.GetCommandName() } |
                Where-Object { $_ -and $aliases.ContainsKey($_) } |
                ForEach-Object { "$_ -> $($aliases[$_])" } | Select-Object -Unique)
        $used | Should -BeNullOrEmpty
    }

    It 'has no empty catch block (PSAvoidUsingEmptyCatchBlock)' {
        $empty = @($ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.CatchClauseAst] -and $n.Body.Statements.Count -eq 0 }, $true) |
                ForEach-Object { "line $($_.Extent.StartLineNumber)" })
        $empty | Should -BeNullOrEmpty
    }

    It 'puts $null on the left of comparisons (PSPossibleIncorrectComparisonWithNull)' {
        $bad = @($ast.FindAll({
                    param($n) $n -is [System.Management.Automation.Language.BinaryExpressionAst] -and
                    $n.Operator -in 'Ieq', 'Ine', 'Ceq', 'Cne' -and $n.Right.Extent.Text -eq '$null'
                }, $true) | ForEach-Object { "line $($_.Extent.StartLineNumber): $($_.Extent.Text)" })
        $bad | Should -BeNullOrEmpty
    }

    It 'uses no Invoke-Expression and no global variables (PSAvoidUsingInvokeExpression, PSAvoidGlobalVars)' {
        @($ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.CommandAst] -and $n.GetCommandName() -eq 'Invoke-Expression' }, $true)) | Should -BeNullOrEmpty
        @($ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.VariableExpressionAst] -and $n.VariablePath.IsGlobal }, $true) |
                ForEach-Object Extent | ForEach-Object Text) | Should -BeNullOrEmpty
    }

}

Describe 'Test script <Name> writes through the pipeline (PSAvoidUsingWriteHost)' -ForEach @($scripts | Where-Object { $_.Name -like 'tests*' }) {
    # Console scripts (build.ps1, the demo, benchmarks) talk to a person and may use Write-Host;
    # tests may not, so that their output can be captured.
    It 'does not call Write-Host' {
        $ast = [System.Management.Automation.Language.Parser]::ParseFile($Path, [ref]$null, [ref]$null)
        @($ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.CommandAst] -and $n.GetCommandName() -eq 'Write-Host' }, $true)) | Should -BeNullOrEmpty
    }
}
