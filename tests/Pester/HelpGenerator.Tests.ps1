# build/New-MamlHelp.ps1: fails the build on incomplete help, and writes MAML that Get-Help reads.
BeforeAll {
    Import-Module $env:JAILSMODULE_TEST_MODULE -Force
    $script:repo = (Resolve-Path (Join-Path $PSScriptRoot '../..')).ProviderPath
    $script:generator = Join-Path $repo 'build/New-MamlHelp.ps1'
    $script:moduleDir = Split-Path $env:JAILSMODULE_TEST_MODULE
    $script:work = Join-Path ([IO.Path]::GetTempPath()) ("jm-help-" + [guid]::NewGuid().ToString('N').Substring(0, 8))

    # A copy of docs/help with one file changed by $Change; returns the generator's error text ('' when it succeeded).
    function script:Invoke-Generator([scriptblock] $Change) {
        $docs = Join-Path $work ([guid]::NewGuid().ToString('N'))
        $outDir = Join-Path $docs 'out'
        Copy-Item (Join-Path $repo 'docs/help') $docs -Recurse
        & $Change $docs
        try {
            & $generator -ModulePath $moduleDir -DocsPath $docs -OutputPath $outDir 6>$null 3>$null
            return ''
        }
        catch { return $_.Exception.Message }
    }
    function script:Edit-Doc([string] $Docs, [string] $Name, [scriptblock] $Edit) {
        $p = Join-Path $Docs "$Name.md"
        [IO.File]::WriteAllText($p, (& $Edit ([IO.File]::ReadAllText($p))))
    }
}
AfterAll {
    Remove-Item $script:work -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'New-MamlHelp.ps1' {
    It 'succeeds on the docs as they are and writes MAML with every exported cmdlet' {
        $docs = Join-Path $work 'ok'
        Copy-Item (Join-Path $repo 'docs/help') $docs -Recurse
        $warnings = @(& $generator -ModulePath $moduleDir -DocsPath $docs -OutputPath (Join-Path $docs 'out') 3>&1 6>$null |
                Where-Object { $_ -is [System.Management.Automation.WarningRecord] } | ForEach-Object Message)
        $warnings | Should -BeNullOrEmpty -Because 'the yaml blocks of the markdown agree with the cmdlets (fix with -UpdateMarkdown)'
        [xml] $maml = Get-Content (Join-Path $docs 'out/JailsModule.dll-Help.xml') -Raw
        $maml.helpItems.schema | Should -Be 'maml'
        $ns = [System.Xml.XmlNamespaceManager]::new($maml.NameTable)
        $ns.AddNamespace('command', 'http://schemas.microsoft.com/maml/dev/command/2004/10')
        $ns.AddNamespace('maml', 'http://schemas.microsoft.com/maml/2004/10')
        $names = @($maml.SelectNodes('//command:command/command:details/command:name', $ns) | ForEach-Object InnerText | Sort-Object)
        $names | Should -Be @(Get-Command -Module JailsModule -CommandType Cmdlet | ForEach-Object Name | Sort-Object)
        foreach ($part in 'command:syntax', 'command:parameters', 'command:inputTypes', 'command:returnValues', 'maml:alertSet', 'command:examples', 'command:relatedLinks') {
            $maml.SelectNodes("//command:command/$part", $ns).Count | Should -Be $names.Count -Because "every command has $part"
        }
        Join-Path $docs 'out/about_JailsModule.help.txt' | Should -Exist
    }

    It 'takes the syntax and parameter attributes from the cmdlet, not from the markdown, and warns about the difference' {
        $docs = Join-Path $work 'syntax'
        Copy-Item (Join-Path $repo 'docs/help') $docs -Recurse
        Edit-Doc $docs 'Stop-Jail' { param($t) $t -replace 'Stop-Jail \[-Name\] <String\[\]>', 'Stop-Jail [-Bogus] <Int32>' -replace 'Accept wildcard characters: True', 'Accept wildcard characters: False' }
        $warnings = @(& $generator -ModulePath $moduleDir -DocsPath $docs -OutputPath (Join-Path $docs 'out') 3>&1 6>$null | ForEach-Object Message)
        $warnings | Should -Contain "Stop-Jail.md -Name: 'Accept wildcard characters: False' disagrees with the cmdlet ('True'); the help uses the cmdlet's. Run build/New-MamlHelp.ps1 -UpdateMarkdown to fix the markdown."
        $xml = Get-Content (Join-Path $docs 'out/JailsModule.dll-Help.xml') -Raw
        $xml | Should -Not -Match 'Bogus'
        [xml] $maml = $xml
        $stop = $maml.helpItems.command | Where-Object { $_.details.name -eq 'Stop-Jail' }
        @($stop.syntax.syntaxItem).Count | Should -Be 2
        $nameParam = $stop.parameters.parameter | Where-Object { $_.name -eq 'Name' }
        $nameParam.pipelineInput | Should -Be 'True (ByPropertyName, ByValue)'
        $nameParam.position | Should -Be '0'
        $nameParam.globbing | Should -Be 'true'
    }

    Context 'on broken markdown (one run, every problem listed)' {
        BeforeAll {
            $msg = Invoke-Generator {
                param($d)
                Remove-Item (Join-Path $d 'Restart-Jail.md')
                Edit-Doc $d 'Get-Jail' { param($t) $t -replace '(?s)### -State.*?```yaml.*?```', "### -Color`nThe color.`n`n``````yaml`nType: String`n```````n" }
                Edit-Doc $d 'Start-Jail' { param($t) $t -replace '(?s)### Example 2:.*?(?=## PARAMETERS)', '' }
                Copy-Item (Join-Path $d 'Get-JailHost.md') (Join-Path $d 'Get-JailThing.md')
                Edit-Doc $d 'Stop-Jail' { param($t) $t -replace '(?s)(## SYNOPSIS).*?(## SYNTAX)', "`$1`n`n`$2" }
            }
        }

        It 'fails the build' {
            $msg | Should -Match '^Help is incomplete \(6 problem\(s\)\)'
        }

        It 'names an exported cmdlet without markdown' {
            $msg | Should -Match 'Restart-Jail is exported but has no help'
        }

        It 'names a documented parameter the cmdlet does not have' {
            $msg | Should -Match 'Get-Jail.md documents -Color, which Get-Jail does not have'
        }

        It 'names an undocumented parameter' {
            $msg | Should -Match 'Get-Jail: parameter -State is not documented'
        }

        It 'names a cmdlet with fewer than 2 examples' {
            $msg | Should -Match 'Start-Jail.md has 1 example\(s\); at least 2 are required'
        }

        It 'names markdown for a cmdlet that is not exported, and an empty synopsis' {
            $msg | Should -Match "Get-JailThing.md documents 'Get-JailThing', which the module does not export"
            $msg | Should -Match "Stop-Jail.md: '## SYNOPSIS' is empty"
        }
    }
}

Describe 'Get-Help on the built module' {
    It 'renders -Full with syntax, parameters, inputs, outputs and notes' {
        $text = Get-Help Get-Jail -Full | Out-String -Width 200
        $text | Should -Match 'Get-Jail \[\[-Name\] <String\[\]>\] \[-State \{Running \| Stopped \| Dying\}\] \[<CommonParameters>\]'
        $text | Should -Match 'Accept wildcard characters\?\s+true'
        $text | Should -Match 'JailsModule\.Model\.Jail'
        $text | Should -Match 'jls --libxo json -d jid name dying path host\.hostname vnet ip4\.addr ip6\.addr'
    }

    It 'renders -Examples with the examples and their explanations' {
        $text = Get-Help Stop-Jail -Examples | Out-String -Width 200
        $text | Should -Match 'Example 1: Stop every running VNET jail'
        $text | Should -Match 'Import-Clixml ./jails.xml \| Stop-Jail -WhatIf'
    }

    It 'renders -Parameter Name from the cmdlet metadata' {
        $p = Get-Help Stop-Jail -Parameter Name
        $p.required | Should -Be 'true'
        $p.position | Should -Be '0'
        $p.pipelineInput | Should -Be 'True (ByPropertyName, ByValue)'
        ($p.description | ForEach-Object Text) -join ' ' | Should -Match 'Wildcards are accepted'
    }

    It 'documents -WhatIf and -Confirm of ShouldProcess cmdlets' {
        (Get-Help Start-Jail -Parameter WhatIf).description.Text | Should -Match 'native commands'
        (Get-Help Start-Jail).syntax.syntaxItem[0].parameter.name | Should -Contain 'Confirm'
    }
}
